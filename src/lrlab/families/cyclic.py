"""Cyclical learning rates (CLR): triangular waves between two bounds, PyTorch's CyclicLR."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.errors import ScheduleError
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Cyclic"]

_MODES = ("triangular", "triangular2", "exp_range")
_SCALE_MODES = ("cycle", "iterations")
#: phases() lists the boundaries of at most this many cycles.
_MAX_PHASE_CYCLES = 100


@register("cyclic")
@dataclass(frozen=True, repr=False)
class Cyclic(Schedule):
    r"""A triangular wave between ``base_lr`` and ``max_lr`` (Smith's cyclical learning rate).

    .. math::

        T &= u + d, \quad r = u / T, \quad c = \lfloor 1 + t / T \rfloor, \quad
        x = 1 + t / T - c \\
        \sigma &= x / r \ \text{ if } x \le r \ \text{ else } \ (x - 1) / (r - 1) \\
        \eta(t) &= \eta_b + (\eta_m - \eta_b) \, \sigma \, g

    with :math:`g = 1` (``mode='triangular'``), :math:`g = 2^{-(c - 1)}` (``'triangular2'``:
    the amplitude halves every cycle) or :math:`g = \gamma^t` (``'exp_range'``).

    * ``base_lr`` (:math:`\eta_b`), ``max_lr`` (:math:`\eta_m`): the bounds, learning rates
      >= 0.  ``base_lr > max_lr`` is allowed (an inverted wave, as in PyTorch).
    * ``step_size_up`` (u), ``step_size_down`` (d, default u): steps (> 0, may be fractional)
      of the rising and falling halves; one cycle lasts ``T = u + d`` steps.  The wave starts
      at ``base_lr`` at t = 0, reaches ``max_lr`` (times g) at t = u and is back at
      ``base_lr`` at t = T.
    * ``gamma`` (γ, in (0, 1]): the per-step factor of ``'exp_range'``; any other mode
      refuses ``gamma != 1`` (PyTorch silently ignores it).
    * ``scale``: a custom amplitude factor that replaces the mode's g (``mode`` must then be
      left at ``'triangular'``): an lrlab schedule (or spec text), or a plain Python callable.
      It is evaluated at the 1-based cycle number c (``scale_mode='cycle'``, the default) or
      at the step t (``scale_mode='iterations'``), exactly as PyTorch's ``scale_fn`` and TF
      Addons' ``scale_fn`` are.  A callable receives an ``int`` whenever the argument is a
      whole number, is called once per distinct argument for an array of steps, and must
      return a finite number >= 0 (checked at call time); a schedule with a callable has a
      repr but no config (``to_config()`` raises).  If ``base_lr > max_lr`` and the scale
      exceeds 1, a negative value is refused at call time.

    Semantics: ``torch.optim.lr_scheduler.CyclicLR`` (same operations in the same order, so
    the values match bit for bit at integer steps; note ``'exp_range'`` uses the global step
    t, not the step within the cycle).  TF Addons' ``CyclicalLearningRate`` is the symmetric
    case ``step_size_down = step_size_up`` (equal values, computed differently).  The wave
    never ends: ``horizon`` is ``None``.  Reference: L. N. Smith, "Cyclical Learning Rates for
    Training Neural Networks" (WACV 2017), arXiv:1506.01186.

    >>> from lrlab import Cyclic
    >>> s = Cyclic(0.01, 0.1, step_size_up=10)
    >>> s(0), s(10), s(20), round(s(5), 12)
    (0.01, 0.1, 0.01, 0.055)
    >>> s2 = Cyclic(0.0, 1.0, step_size_up=2, step_size_down=6, mode="triangular2")
    >>> [s2(t) for t in (0, 2, 8, 10, 16, 18)]
    [0.0, 1.0, 0.0, 0.5, 0.0, 0.25]
    """

    base_lr: float
    max_lr: float
    step_size_up: float
    step_size_down: float | None = None
    mode: str = "triangular"
    gamma: float = 1.0
    scale: Schedule | Callable[[Any], Any] | None = None
    scale_mode: str = "cycle"
    _total: float = field(init=False, repr=False, compare=False)
    _ratio: float = field(init=False, repr=False, compare=False)
    _amp: float = field(init=False, repr=False, compare=False)
    _kind: str = field(init=False, repr=False, compare=False)
    _check_negative: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set("base_lr", v.real(self, "base_lr", self.base_lr, lo=0))
        self._set("max_lr", v.real(self, "max_lr", self.max_lr, lo=0))
        up = v.real(self, "step_size_up", self.step_size_up, lo=0, lo_open=True)
        self._set("step_size_up", up)
        down = up
        if self.step_size_down is not None:
            down = v.real(self, "step_size_down", self.step_size_down, lo=0, lo_open=True)
            self._set("step_size_down", down)
        total = up + down
        ratio = up / total
        if not (math.isfinite(total) and 0.0 < ratio < 1.0):
            raise v.fail(
                self,
                "step_size_down",
                "such that step_size_up / (step_size_up + step_size_down) is strictly between "
                f"0 and 1 in float64 (step_size_up={up!r})",
                self.step_size_down,
            )
        self._set("mode", v.choice(self, "mode", self.mode, _MODES))
        self._set("gamma", v.real(self, "gamma", self.gamma, lo=0, hi=1, lo_open=True))
        self._set("scale_mode", v.choice(self, "scale_mode", self.scale_mode, _SCALE_MODES))
        scale = self.scale
        if scale is None:
            kind = self.mode
            if self.scale_mode != "cycle":
                raise v.fail(
                    self, "scale_mode", "'cycle' unless a custom `scale` is given "
                    "(it says where `scale` is evaluated)", self.scale_mode
                )
        else:
            if isinstance(scale, (str, Schedule)):
                scale = v.schedule(self, "scale", scale)
                kind = "schedule"
            else:
                scale = v.function(self, "scale", scale)
                kind = "callable"
            self._set("scale", scale)
            if self.mode != "triangular":
                raise v.fail(
                    self, "mode", "'triangular' (the default) when a custom `scale` is given, "
                    "which replaces the mode's scaling", self.mode
                )
        if self.gamma != 1.0 and kind != "exp_range":
            raise v.fail(
                self, "gamma", "1 unless mode='exp_range' (the only mode that uses it)",
                self.gamma,
            )
        self._set("_total", total)
        self._set("_ratio", ratio)
        self._set("_amp", self.max_lr - self.base_lr)
        self._set("_kind", kind)
        self._set("_check_negative", scale is not None and self.base_lr > self.max_lr)

    # -- evaluation -------------------------------------------------------------------------
    def _eval(self, t: Any, m: Backend) -> Any:
        a = 1.0 + t / self._total
        cycle = m.floor(a)
        x = a - cycle
        r = self._ratio
        sigma: Any = m.where(x <= r, x / r, (x - 1.0) / (r - 1.0))
        height = self._amp * sigma
        kind = self._kind
        if kind == "triangular":
            return self.base_lr + height * 1.0
        if kind == "triangular2":
            g = 0.5 ** (cycle - 1)
        elif kind == "exp_range":
            g = self.gamma**t
        else:
            arg = cycle if self.scale_mode == "cycle" else t
            if kind == "schedule":
                g = self.scale._at(arg, m)  # type: ignore[union-attr]
            else:
                g = self._user_scale(arg, m)
        out = self.base_lr + height * g
        if self._check_negative:
            self._refuse_negative(t, out, m)
        return out

    def _user_scale(self, arg: Any, m: Backend) -> Any:
        if not m.is_array:
            return self._call_user(arg)
        flat = np.asarray(arg, dtype=np.float64)
        uniq, inverse = np.unique(flat, return_inverse=True)
        vals = np.array([self._call_user(float(u)) for u in uniq], dtype=np.float64)
        return vals[np.reshape(inverse, -1)].reshape(flat.shape)

    def _call_user(self, arg: float) -> float:
        x: float | int = int(arg) if float(arg).is_integer() else float(arg)
        where = "cycle" if self.scale_mode == "cycle" else "step"
        fn: Callable[[Any], Any] = self.scale  # type: ignore[assignment]
        out = fn(x)
        try:
            r = float(out)
        except (TypeError, ValueError):
            r = math.nan
        if not (0.0 <= r < math.inf):
            raise ScheduleError(
                f"cyclic: argument `scale` (a Python callable) must return a finite number "
                f">= 0. Received: scale({x!r}) = {out!r} (at {where} {x!r})"
            )
        return r

    def _refuse_negative(self, t: Any, out: Any, m: Backend) -> None:
        if m.is_array:
            bad = np.asarray(out) < 0
            if not bad.any():
                return
            i = np.flatnonzero(bad.ravel())[0]
            step, value = np.asarray(t).ravel()[i].item(), np.asarray(out).ravel()[i].item()
        elif out < 0:
            step, value = t, out
        else:
            return
        raise ScheduleError(
            f"{self!r} is negative at step t={step!r} (value {value!r}): with base_lr > "
            "max_lr the custom `scale` must stay <= base_lr / (base_lr - max_lr)"
        )

    # -- description ------------------------------------------------------------------------
    def phases(self) -> tuple[float, ...]:
        """Cycle starts and peaks (``k T`` and ``k T + u``) of the first 100 cycles."""
        out: list[float] = []
        for k in range(_MAX_PHASE_CYCLES):
            start = k * self._total
            if k:
                out.append(start)
            out.append(start + self.step_size_up)
        return tuple(out)
