"""Polynomial decay (TensorFlow / optax semantics) and linear interpolation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Polynomial", "Linear"]

#: how many cycle ends ``Polynomial(cycle=True).phases()`` lists
_MAX_PHASES = 100



@register("polynomial")
@dataclass(frozen=True, repr=False)
class Polynomial(Schedule):
    """Polynomial decay from ``init`` to ``end`` over ``steps``, optionally cycling.

    .. math::

        d = \\max(t - b, 0), \\qquad
        \\eta(t) = (\\eta_0 - \\eta_e) \\left(1 - \\frac{\\min(d, T)}{T}\\right)^{p} + \\eta_e

    With ``cycle=True`` the decay length grows instead of stopping at T:
    :math:`T' = T \\cdot \\max(1, \\lceil d / T \\rceil)` and
    :math:`\\eta = (\\eta_0 - \\eta_e)(1 - d / T')^{p} + \\eta_e` (d not clamped): the value
    is exactly ``end`` at ``d = kT`` and jumps up to a lower peak just after.

    ``init`` (η0, >= 0); ``steps`` (T, steps, > 0); ``end`` (η_e, >= 0; above ``init`` the
    schedule rises); ``power`` (p, > 0; 1 is linear); ``cycle``: TensorFlow's ``cycle``;
    ``begin`` (b, steps, >= 0): the value stays ``init`` until step b (optax's
    ``transition_begin``).

    Semantics: TensorFlow 1's ``polynomial_decay`` and Keras's ``PolynomialDecay`` (including
    ``cycle``, where TF sets the multiplier to 1 at ``d = 0``), optax's
    ``polynomial_schedule`` (``begin``).  PyTorch's ``PolynomialLR(total_iters, power)`` is
    ``Polynomial(init, total_iters, power=power)``.

    >>> from lrlab import Polynomial
    >>> s = Polynomial(0.1, steps=100, end=0.01, power=2.0)
    >>> s(0), round(s(50), 6), s(100), s(1000)
    (0.1, 0.0325, 0.01, 0.01)
    >>> c = Polynomial(0.1, steps=100, cycle=True)
    >>> c(100), round(c(150), 6)
    (0.0, 0.025)
    """

    init: float
    steps: float
    end: float = 0.0
    power: float = 1.0
    cycle: bool = False
    begin: float = 0.0

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        self._set("steps", v.real(self, "steps", self.steps, lo=0, lo_open=True))
        self._set("end", v.real(self, "end", self.end, lo=0))
        self._set("power", v.real(self, "power", self.power, lo=0, lo_open=True))
        self._set("cycle", v.boolean(self, "cycle", self.cycle))
        self._set("begin", v.real(self, "begin", self.begin, lo=0))

    def _eval(self, t: Any, m: Backend) -> Any:
        d = m.maximum(t - self.begin, 0.0)
        if self.cycle:
            # TF: multiplier = 1 if d == 0 else ceil(d / T); max(., 1) is the same for d > 0
            # and also guards d / T underflowing to 0.
            p = d / (self.steps * m.maximum(m.ceil(d / self.steps), 1.0))
        else:
            p = m.minimum(d, self.steps) / self.steps
        # max(., 0): T * ceil(d / T) may round to just below d (1 - p would be -tiny)
        frac = m.maximum(1.0 - p, 0.0)
        return (self.init - self.end) * m.power(frac, self.power) + self.end

    def _scalar(self, t: float) -> float:
        # The same IEEE operations as _eval (max/min/ceil spelled out); no value can overflow.
        d = t - self.begin
        if d < 0.0:
            d = 0.0
        steps = self.steps
        if self.cycle:
            k = math.ceil(d / steps)
            p = d / (steps * (k if k >= 1 else 1.0))
        else:
            p = (d if d <= steps else steps) / steps
        frac = 1.0 - p
        if frac < 0.0:
            frac = 0.0
        return float((self.init - self.end) * frac**self.power + self.end)

    @property
    def horizon(self) -> float | None:
        return None if self.cycle else self.begin + self.steps

    def phases(self) -> tuple[float, ...]:
        start = (self.begin,) if self.begin > 0 else ()
        if not self.cycle:
            return (*start, self.begin + self.steps)
        return (*start, *(self.begin + self.steps * k for k in range(1, _MAX_PHASES + 1)))


@register("linear")
@dataclass(frozen=True, repr=False)
class Linear(Schedule):
    """Linear interpolation from ``start`` to ``end`` over ``steps``, then constant.

    .. math:: \\eta(t) = \\eta_s + (\\eta_e - \\eta_s) \\, \\frac{\\min(t, T)}{T}
              \\quad (\\eta(t) = \\eta_e \\text{ exactly for } t \\ge T)

    ``start`` (η_s, >= 0): the value at step 0; ``end`` (η_e, >= 0): the value from step T
    on; ``steps`` (T, steps, > 0).  optax's ``linear_schedule`` (without
    ``transition_begin``); PyTorch's ``LinearLR`` multiplies a base LR by the same line.

    >>> from lrlab import Linear
    >>> s = Linear(0.0, 0.1, steps=10)
    >>> s(0), s(5), s(10), s(99)
    (0.0, 0.05, 0.1, 0.1)
    """

    start: float
    end: float
    steps: float

    def __post_init__(self) -> None:
        self._set("start", v.real(self, "start", self.start, lo=0))
        self._set("end", v.real(self, "end", self.end, lo=0))
        self._set("steps", v.real(self, "steps", self.steps, lo=0, lo_open=True))

    def _eval(self, t: Any, m: Backend) -> Any:
        f = m.minimum(t, self.steps) / self.steps
        where: Any = m.where  # (NumPy's overloads of where confuse mypy on the union)
        return where(f >= 1.0, self.end, self.start + (self.end - self.start) * f)

    def _scalar(self, t: float) -> float:
        steps = self.steps
        f = (t if t <= steps else steps) / steps
        return self.end if f >= 1.0 else self.start + (self.end - self.start) * f

    @property
    def horizon(self) -> float | None:
        return self.steps

    def phases(self) -> tuple[float, ...]:
        return (self.steps,)

