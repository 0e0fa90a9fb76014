"""A third evaluation back end for tracing frameworks (JAX, Keras ops).

:mod:`lrlab._math` gives each formula two back ends, ``SCALAR`` (``math``) and ``ARRAY``
(NumPy).  :class:`OpsBackend` wraps any NumPy-like module of element-wise functions
(``jax.numpy``, ``keras.ops``) in the same interface, with ``is_array = True``, so that a
schedule's ``_eval(t, m)`` can be *traced* into a compiled graph (``jax.jit``, a
``tf.function``, XLA) instead of run on the host.  The formula is the same code; the arithmetic
is the framework's (float32 unless the framework is configured for float64).

Not every schedule can be traced: some families' array path uses NumPy-only code
(``np.searchsorted`` on a table, fancy indexing, 64-bit integer hashing for seeded noise, a
user's Python callable).  :func:`try_trace` reports such a failure instead of raising, and the
adapters (:mod:`lrlab.jax`, :mod:`lrlab.keras`) then fall back to evaluating the schedule on
the host in float64 (``jax.pure_callback``, ``tf.numpy_function``), which is exact.

This module imports no framework; the adapters pass their module in.

>>> import numpy as np, lrlab
>>> m = OpsBackend(np, np.float64)
>>> s = lrlab.parse("cosine(0.1, steps=100)")
>>> float(s._eval(np.float64(50.0), m)) == s(50)
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["OpsBackend", "TRACEABLE", "traceable", "try_trace"]


class OpsBackend:
    """The :mod:`lrlab._math` back-end interface over a NumPy-like module ``ops``.

    ``ops`` must provide ``cos``, ``sin``, ``exp``, ``log``, ``sqrt``, ``tanh``, ``floor``,
    ``ceil``, ``abs``, ``minimum``, ``maximum``, ``where``, ``clip``, ``power`` and
    ``full_like`` (both ``jax.numpy`` and ``keras.ops`` do); ``dtype`` is the float dtype of
    the results.  ``is_array`` selects which of a formula's paths is traced.
    """

    def __init__(self, ops: Any, dtype: Any, is_array: bool = True) -> None:
        self.ops = ops
        self.dtype = dtype
        self.is_array = is_array
        self.cos = ops.cos
        self.sin = ops.sin
        self.exp = ops.exp
        self.log = ops.log
        self.sqrt = ops.sqrt
        self.tanh = ops.tanh
        self.floor = ops.floor
        self.ceil = ops.ceil
        self.fabs = ops.abs
        self.minimum = ops.minimum
        self.maximum = ops.maximum
        self.where = ops.where
        self.clip = ops.clip
        self.power = ops.power

    def __getattr__(self, name: str) -> Any:
        # a function added to lrlab._math later: the framework's function of the same name
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.ops, name)

    def full(self, t: Any, value: float) -> Any:
        """An array shaped like ``t`` filled with ``value``."""
        return self.ops.full_like(t, value, dtype=self.dtype)

    def asfloat(self, x: Any) -> Any:
        """``x`` as an array of this back end's float dtype."""
        return self.ops.cast(x, self.dtype) if hasattr(self.ops, "cast") else (
            self.ops.asarray(x, dtype=self.dtype)
        )

    def scalar_like(self) -> OpsBackend:
        """The same functions with ``is_array = False``: a family whose array path is
        NumPy-only (an in-place NumPy fast path) is then traced through its scalar-path
        formula, which the contract tests keep identical to the array path."""
        return OpsBackend(self.ops, self.dtype, is_array=False)

    def __repr__(self) -> str:
        name = getattr(self.ops, "__name__", self.ops)
        return f"OpsBackend({name!r}, {self.dtype!r}, is_array={self.is_array})"


def try_trace(schedule: Any, t: Any, m: OpsBackend) -> tuple[Any, BaseException | None]:
    """Evaluate ``schedule`` at the (traced) steps ``t`` with back end ``m``.

    Tries the array path of the formula, then its scalar path (:meth:`OpsBackend.scalar_like`;
    any Python ``if``, ``float()`` or ``math`` call on a traced value raises there, so a
    formula is either traced as written or not at all).  Returns ``(value, None)``, or
    ``(None, error)`` with the array path's error when neither can be expressed with ``m``.

    >>> import numpy as np, lrlab
    >>> m = OpsBackend(np, np.float64)
    >>> value, err = try_trace(lrlab.Constant(0.5), np.zeros(3), m)
    >>> value.tolist(), err
    ([0.5, 0.5, 0.5], None)
    """
    try:
        return schedule._eval(t, m), None
    except Exception as e:  # any failure means "not traceable with this back end"
        first = e
    if m.is_array:
        try:
            return schedule._eval(t, m.scalar_like()), None
        except Exception:
            pass
    return None, first


#: Schedule types (registry names) whose ``_eval`` traces with :class:`OpsBackend` and whose
#: float32 result stays within ~1e-5 of the schedule's peak for steps below 2**24 (checked for
#: every contract case by ``tests/test_jax_adapter.py``).  Anything else is evaluated on the
#: host.  Each entry maps to a predicate on the instance (parameters that rule tracing out).
TRACEABLE: dict[str, Any] = {
    "constant": None,
    "step_decay": None,
    "exponential": None,
    "natural_exp": None,
    "inverse_time": None,
    "legacy_decay": None,
    "linear": None,
    # cycle: ceil(t / steps) at the cycle boundaries is not exact in float32
    "polynomial": lambda s: not s.cycle,
    # periodic: cos of pi*t/T for large t loses digits in float32
    "cosine": lambda s: not s.periodic,
    "linear_cosine": None,
    "inverse_sqrt": None,
    "noam": None,
    "one_cycle": None,
    "wsd": None,
    "scale": None,
    "product": None,
    "per_epoch": None,
}


def traceable(schedule: Any) -> bool:
    """Whether ``schedule`` (and every schedule inside it) is in :data:`TRACEABLE`.

    >>> import lrlab
    >>> traceable(lrlab.parse("scale(cosine(0.1, steps=100), factor=0.5)"))
    True
    >>> traceable(lrlab.parse("warmup(cosine(0.1, steps=100), steps=10)"))
    False
    """
    from lrlab.schedule import Schedule

    name = type(schedule).name
    if name not in TRACEABLE:
        return False
    pred = TRACEABLE[name]
    if pred is not None and not pred(schedule):
        return False
    for value in schedule.params().values():
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, Schedule) and not traceable(child):
                return False
    return True
