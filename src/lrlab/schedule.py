"""The schedule model: an immutable, pure function of the step.

**The step convention.**  A step ``t`` is the 0-based count of optimizer updates already
applied.  Update number ``t + 1`` uses ``s(t)``: the very first update uses ``s(0)``.  This is
the convention of Keras and optax (the optimizer reads the schedule at ``iterations`` before
incrementing it) and of PyTorch (``param_groups[0]["lr"]`` after ``t`` calls of
``scheduler.step()``).  Steps may be fractional (epoch-based schedules evaluated at
``t / steps_per_epoch``); they may not be negative, NaN or infinite.

Calling a schedule:

* ``s(t)`` with an ``int`` or ``float`` returns a Python ``float``;
* ``s(steps)`` with a NumPy array (or list) returns a float64 array of the same shape.

Both paths run the same formula (see :mod:`lrlab._math`) and give identical values.

Schedules are frozen dataclasses: they compare and hash by value, ``to_config()`` gives a plain
JSON-able dict, and ``repr(s)`` is spec text that :func:`lrlab.parse` reads back to an equal
schedule.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lrlab._math import ARRAY, SCALAR, Backend
from lrlab.errors import ScheduleError

__all__ = ["Schedule", "check_steps"]

_INF = math.inf


def _bad_step(t: object) -> ScheduleError:
    return ScheduleError(
        "argument `t` (the step) must be a finite number >= 0 "
        f"(0-based count of updates already applied). Received: t={t!r}"
    )


def check_steps(t: ArrayLike) -> NDArray[np.float64]:
    """Validate an array of steps and return it as float64 (raises ScheduleError)."""
    arr = np.asarray(t)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise ScheduleError(
            f"argument `t` (the steps) must be numbers. Received: array of dtype {arr.dtype}"
        )
    a = arr.astype(np.float64, copy=False)
    if a.size and not (a.min() >= 0 and (arr.dtype.kind != "f" or a.max() < _INF)):
        bad = ~(a >= 0) | (a == _INF)
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"t[{', '.join(map(str, idx))}]" if idx else "t"
        raise ScheduleError(
            "argument `t` (the steps) must be finite numbers >= 0. "
            f"Received: {where}={arr[idx] if idx else arr[()]!r}"
        )
    return a


class Schedule:
    """Base class of every schedule.

    Subclasses are ``@dataclass(frozen=True, repr=False)`` classes registered with
    :func:`lrlab.registry.register`; their dataclass fields are their parameters.  They
    implement ``_eval(t, m)`` once, for both back ends, and may override ``_scalar`` with a
    faster pure-Python path that performs the same operations.

    >>> import lrlab
    >>> s = lrlab.Constant(0.1)
    >>> s(0), s(10**12)
    (0.1, 0.1)
    >>> s([0, 1, 2]).tolist()
    [0.1, 0.1, 0.1]
    """

    __slots__ = ()
    name: ClassVar[str] = ""

    # -- evaluation -------------------------------------------------------------------------
    def __call__(self, t: Any) -> Any:
        cls = t.__class__
        if (cls is int and t >= 0) or (cls is float and 0.0 <= t < _INF):
            return self._scalar(t)
        return self._call_general(t)

    def _call_general(self, t: Any) -> Any:
        if isinstance(t, bool):
            raise _bad_step(t)
        if isinstance(t, (numbers.Real, np.integer, np.floating)) and not isinstance(
            t, np.ndarray
        ):
            v = t.item() if isinstance(t, np.generic) else (
                int(t) if isinstance(t, numbers.Integral) else float(t)
            )
            if isinstance(v, (int, float)) and 0 <= v < _INF:
                return self._scalar(v)
            raise _bad_step(t)
        a = check_steps(t)
        with np.errstate(all="ignore"):
            out = np.asarray(self._eval(a, ARRAY), dtype=np.float64)
        if out.shape != a.shape:
            out = np.array(np.broadcast_to(out, a.shape))
        if not np.isfinite(out).all():
            bad = np.flatnonzero(~np.isfinite(out.ravel()))[0]
            raise self._overflow(a.ravel()[bad])
        return out

    def _scalar(self, t: float) -> float:
        try:
            r = float(self._eval(t, SCALAR))
        except (OverflowError, ZeroDivisionError):
            raise self._overflow(t) from None
        if r < _INF:  # also False for NaN
            return r
        raise self._overflow(t)

    def _overflow(self, t: Any) -> ScheduleError:
        return ScheduleError(
            f"{self!r} has no finite value at step t={t!r} (it grows past the float64 range); "
            "bound it with clamp(..., max=...) or shorten the run"
        )

    def _eval(self, t: Any, m: Backend) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _at(self, t: Any, m: Backend) -> Any:
        """Evaluate at already-validated step(s): what composites call on their children."""
        return self._eval(t, m) if m.is_array else self._scalar(t)

    # -- description ------------------------------------------------------------------------
    @property
    def horizon(self) -> float | None:
        """The step at which the schedule reaches its last phase (``None`` if it has none)."""
        return None

    def phases(self) -> tuple[float, ...]:
        """Steps at which the formula changes phase (warmup end, boundaries, restarts...)."""
        return ()

    # -- parameters, config, repr -----------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """The constructor parameters, in declaration order."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.init
        }

    def _set(self, field: str, value: Any) -> None:
        object.__setattr__(self, field, value)

    def to_config(self) -> dict[str, Any]:
        """A plain JSON-able dict; :func:`lrlab.from_config` rebuilds an equal schedule.

        >>> import lrlab
        >>> lrlab.Constant(0.5).to_config()
        {'type': 'constant', 'value': 0.5}
        """
        from lrlab.config import value_to_config

        cfg: dict[str, Any] = {"type": type(self).name}
        for k, v in self.params().items():
            cfg[k] = value_to_config(self, k, v)
        return cfg

    def __repr__(self) -> str:
        from lrlab.spec import format_value

        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if not f.init:
                continue
            v = getattr(self, f.name)
            if f.default is not dataclasses.MISSING and _same(v, f.default):
                continue
            parts.append(f"{f.name}={format_value(v)}")
        return f"{type(self).name}({', '.join(parts)})"

    # -- arithmetic: composition sugar --------------------------------------------------------
    def __mul__(self, other: Any) -> Schedule:
        from lrlab.compose.arith import Product, Scale

        if isinstance(other, Schedule):
            return Product((self, other))
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return Scale(self, float(other))
        return NotImplemented

    __rmul__ = __mul__


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b) and not (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
    ):
        return False
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover - exotic values
        return False
