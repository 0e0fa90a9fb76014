"""Exponential-type decays: exponential, natural exponential, inverse time, Keras 2 ``decay``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Exponential", "NaturalExp", "InverseTime", "LegacyDecay"]

_INF = math.inf


@register("exponential")
@dataclass(frozen=True, repr=False)
class Exponential(Schedule):
    """Exponential decay (or growth), continuous or in stairs, with optional delay and bound.

    .. math::

        p(t) = \\frac{\\max(t - b, 0)}{T} \\quad (\\lfloor\\cdot\\rfloor \\text{ if staircase}),
        \\qquad \\eta(t) = \\eta_0 \\, r^{p(t)}

    then, when ``end`` (:math:`\\eta_e`) is given, :math:`\\max(\\eta(t), \\eta_e)` if
    :math:`r < 1` and :math:`\\min(\\eta(t), \\eta_e)` if :math:`r \\ge 1`.

    ``init`` (η0, >= 0): the learning rate at step 0; ``decay_rate`` (r, > 0): the factor
    applied every ``decay_steps`` (T, steps, > 0); ``r > 1`` makes the schedule grow (an LR
    range test), and the call raises :class:`~lrlab.ScheduleError` at a step where the value
    would exceed the float64 range (give ``end`` as an upper bound to avoid it);
    ``staircase``: floor ``p`` so that the rate changes only every T steps; ``begin`` (b,
    steps, >= 0): the value stays ``init`` while ``t - b <= 0``; ``end`` (η_e, >= 0 or None):
    a bound applied at every step (a floor when decaying, a ceiling when growing).

    Semantics: with ``begin=0`` and ``end=None`` this is TensorFlow's ``exponential_decay`` /
    Keras's ``ExponentialDecay`` (``η0 * r ** (t / T)``); ``begin`` and ``end`` are optax's
    ``transition_begin`` and ``end_value`` of ``optax.exponential_decay`` (including its
    choice of the clip direction from ``r < 1``).  PyTorch's ``ExponentialLR(gamma)`` is
    ``Exponential(init, gamma, 1)``.

    >>> from lrlab import Exponential
    >>> s = Exponential(0.1, decay_rate=0.5, decay_steps=10)
    >>> s(0), s(10), round(s(5), 6)
    (0.1, 0.05, 0.070711)
    >>> Exponential(0.1, 0.5, 10, staircase=True)(19)
    0.05
    >>> Exponential(0.1, 0.5, 10, begin=100, end=0.02)([0, 100, 110, 1000]).tolist()
    [0.1, 0.1, 0.05, 0.02]
    """

    init: float
    decay_rate: float
    decay_steps: float
    staircase: bool = False
    begin: float = 0.0
    end: float | None = None
    _simple: bool = field(init=False, repr=False, compare=False, default=False)
    _grows: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        self._set("decay_rate", v.real(self, "decay_rate", self.decay_rate, lo=0, lo_open=True))
        self._set(
            "decay_steps", v.real(self, "decay_steps", self.decay_steps, lo=0, lo_open=True)
        )
        self._set("staircase", v.boolean(self, "staircase", self.staircase))
        self._set("begin", v.real(self, "begin", self.begin, lo=0))
        if self.end is not None:
            self._set("end", v.real(self, "end", self.end, lo=0))
        self._set("_grows", self.decay_rate > 1.0)
        self._set(
            "_simple",
            self.begin == 0.0 and self.end is None and not self.staircase and not self._grows,
        )

    def _eval(self, t: Any, m: Backend) -> Any:
        p = m.maximum(t - self.begin, 0.0) / self.decay_steps
        if self.staircase:
            p = m.floor(p)
        if self._grows and self.init == 0.0:
            out = m.full(t, 0.0)  # not 0 * inf = NaN at steps where r ** p overflows
        else:
            out = self.init * self.decay_rate**p
        if self.end is None:
            return out
        if self.decay_rate < 1.0:
            return m.maximum(out, self.end)
        return m.minimum(out, self.end)

    def __call__(self, t: Any) -> Any:
        # Fast path for the common case (begin=0, no end, no staircase, decaying): the same
        # step check as Schedule.__call__ and the same IEEE operations as _eval, inlined to
        # save a method call (scalar calls are benchmarked against a bare Python function).
        if self._simple:
            c = t.__class__
            if (c is int and t >= 0) or (c is float and 0.0 <= t < _INF):
                return self.init * self.decay_rate ** (t / self.decay_steps)
        return Schedule.__call__(self, t)

    def _scalar(self, t: float) -> float:
        # Same IEEE operations as _eval, without the back-end indirection.
        if self._simple:
            return self.init * self.decay_rate ** (t / self.decay_steps)
        return self._scalar_general(t)

    def _scalar_general(self, t: float) -> float:
        d = t - self.begin
        if d <= 0:  # _eval: p = 0, init * r ** 0 == init exactly
            out = self.init
        else:
            p = d / self.decay_steps
            if self.staircase:
                p = math.floor(p)
            try:
                out = self.init * self.decay_rate**p
            except OverflowError:  # r > 1: the array path gives inf here
                out = _INF if self.init else 0.0
        end = self.end
        if end is not None:
            if self.decay_rate < 1.0:
                return out if out >= end else end
            return out if out <= end else end
        if out < _INF:
            return out
        raise self._overflow(t)

    @property
    def horizon(self) -> float | None:
        """The step where ``end`` is reached if it ever is, else ``begin`` if > 0, else None."""
        reach = self._reach_end()
        return reach if reach is not None else (self.begin if self.begin > 0 else None)

    def _reach_end(self) -> float | None:
        if self.end is None or self.init == 0 or self.end == 0 or self.decay_rate == 1.0:
            return None
        k = math.log(self.end / self.init) / math.log(self.decay_rate)
        if not (k > 0 and k < _INF):
            return None
        if self.staircase:
            k = math.ceil(k)
        return self.begin + self.decay_steps * k

    def phases(self) -> tuple[float, ...]:
        out = [self.begin] if self.begin > 0 else []
        reach = self._reach_end()
        if reach is not None:
            out.append(reach)
        return tuple(out)


@dataclass(frozen=True, repr=False)
class _RateDecay(Schedule):
    """Shared fields of the natural-exponential and inverse-time decays (not registered)."""

    init: float
    decay_rate: float
    decay_steps: float
    staircase: bool = False

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        self._set("decay_rate", v.real(self, "decay_rate", self.decay_rate, lo=0))
        self._set(
            "decay_steps", v.real(self, "decay_steps", self.decay_steps, lo=0, lo_open=True)
        )
        self._set("staircase", v.boolean(self, "staircase", self.staircase))

    def _progress(self, t: Any, m: Backend) -> Any:
        """p = t / T, floored when ``staircase``."""
        p = t / self.decay_steps
        if self.staircase:
            p = m.floor(p)
        return p


@register("natural_exp")
@dataclass(frozen=True, repr=False)
class NaturalExp(_RateDecay):
    """Natural exponential decay (TensorFlow 1's ``natural_exp_decay``).

    .. math::

        p(t) = t / T \\quad (\\lfloor t / T \\rfloor \\text{ if staircase}), \\qquad
        \\eta(t) = \\eta_0 \\, e^{-k \\, p(t)}

    ``init`` (η0, >= 0); ``decay_rate`` (k, >= 0, per ``decay_steps``); ``decay_steps`` (T,
    steps, > 0); ``staircase``: floor ``p``.

    TensorFlow computes it as ``ExponentialDecay(η0, T, exp(-k))``, i.e. ``η0 * exp(-k) ** p``
    (``legacy_learning_rate_decay.natural_exp_decay``); lrlab evaluates ``exp(-k * p)``,
    the same function with one rounding instead of two.

    >>> from lrlab import NaturalExp
    >>> s = NaturalExp(0.1, decay_rate=0.5, decay_steps=10)
    >>> s(0), round(s(20), 9)
    (0.1, 0.036787944)
    >>> NaturalExp(0.1, 0.5, 10, staircase=True)(9)
    0.1
    """

    def _eval(self, t: Any, m: Backend) -> Any:
        return self.init * m.exp(-self.decay_rate * self._progress(t, m))


@register("inverse_time")
@dataclass(frozen=True, repr=False)
class InverseTime(_RateDecay):
    """Inverse-time decay (TensorFlow 1's ``inverse_time_decay``, Keras's ``InverseTimeDecay``).

    .. math::

        p(t) = t / T \\quad (\\lfloor t / T \\rfloor \\text{ if staircase}), \\qquad
        \\eta(t) = \\frac{\\eta_0}{1 + k \\, p(t)}

    ``init`` (η0, >= 0); ``decay_rate`` (k, >= 0); ``decay_steps`` (T, steps, > 0);
    ``staircase``: floor ``p``.

    >>> from lrlab import InverseTime
    >>> s = InverseTime(0.1, decay_rate=0.5, decay_steps=10)
    >>> s(0), s(20)
    (0.1, 0.05)
    >>> InverseTime(0.1, 1.0, 10, staircase=True)(19)
    0.05
    """

    def _eval(self, t: Any, m: Backend) -> Any:
        return self.init / (1.0 + self.decay_rate * self._progress(t, m))


@register("legacy_decay")
@dataclass(frozen=True, repr=False)
class LegacyDecay(Schedule):
    """The Keras 2 optimizer ``decay`` argument: time-based decay per update.

    .. math:: \\eta(t) = \\eta_0 \\cdot \\frac{1}{1 + d \\, t}

    ``init`` (η0, >= 0): the optimizer's ``lr``; ``decay`` (d, >= 0, per step): the
    optimizer's ``decay``.  Keras 2 (``keras/optimizers.py``, ``SGD.get_updates``) computed
    ``lr * (1. / (1. + decay * iterations))`` before each update, in that operation order.

    >>> from lrlab import LegacyDecay
    >>> s = LegacyDecay(0.1, decay=0.01)
    >>> s(0), s(100)
    (0.1, 0.05)
    """

    init: float
    decay: float

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        self._set("decay", v.real(self, "decay", self.decay, lo=0))

    def _eval(self, t: Any, m: Backend) -> Any:
        return self.init * (1.0 / (1.0 + self.decay * t))
