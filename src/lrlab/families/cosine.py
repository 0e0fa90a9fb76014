"""Cosine annealing, and cosine annealing with warm restarts (SGDR)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab._math import ARRAY, SCALAR, Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Cosine", "CosineRestarts"]

_INF = math.inf
_PI = math.pi

#: CosineRestarts.phases() lists at most this many restarts, and none past _MAX_PHASE_STEP
#: the scalar back end's cos (libm, or NumPy's where they differ on this machine)
_cos = SCALAR.cos

_MAX_RESTARTS = 100
_MAX_PHASE_STEP = 1e7



def _check_floor(owner: Schedule, alpha: float, end: float | None) -> None:
    if end is not None and alpha != 0.0:
        raise v.fail(
            owner, "end", f"None when alpha is given (alpha={alpha!r}; they are exclusive)", end
        )


@register("cosine")
@dataclass(frozen=True, repr=False)
class Cosine(Schedule):
    """Cosine annealing from ``init`` to a floor over ``steps``.

    .. math::

        \\tau = \\min(t, T) \\ (\\tau = t \\text{ if periodic}), \\qquad
        c(t) = \\tfrac12 \\left(1 + \\cos\\left(\\pi \\frac{\\tau}{T}\\right)\\right)

        \\eta(t) = \\eta_0 \\left((1 - \\alpha) \\, c^{e} + \\alpha\\right)
        \\quad\\text{or, with ``end``:}\\quad
        \\eta(t) = \\eta_e + (\\eta_0 - \\eta_e) \\, c^{e}

    ``init`` (η0, >= 0): the value at step 0; ``steps`` (T, steps, > 0): the length of the
    decay (the horizon); ``alpha`` (α, in [0, 1]): the floor as a fraction of ``init``
    (TensorFlow / Keras / optax); ``end`` (η_e, >= 0): the floor as an absolute value
    (PyTorch's ``eta_min``, timm's ``lr_min``), exclusive with a non-zero ``alpha``;
    ``exponent`` (e, > 0): optax's ``exponent``; ``periodic``: keep following the cosine
    past T (it rises back to ``init`` at 2T), the closed form of PyTorch's
    ``CosineAnnealingLR`` which does the same; otherwise the value stays at the floor.

    >>> from lrlab import Cosine
    >>> s = Cosine(0.1, steps=100)
    >>> s(0), round(s(50), 12), s(100), s(150)
    (0.1, 0.05, 0.0, 0.0)
    >>> round(Cosine(0.1, 100, alpha=0.1)(100), 12), Cosine(0.1, 100, end=0.01)(100)
    (0.01, 0.01)
    >>> round(Cosine(0.1, 100, periodic=True)(150), 12)
    0.05
    """

    init: float
    steps: float
    alpha: float = 0.0
    end: float | None = None
    exponent: float = 1.0
    periodic: bool = False
    _simple: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        self._set("steps", v.real(self, "steps", self.steps, lo=0, lo_open=True))
        self._set("alpha", v.real(self, "alpha", self.alpha, lo=0, hi=1))
        if self.end is not None:
            self._set("end", v.real(self, "end", self.end, lo=0))
        _check_floor(self, self.alpha, self.end)
        self._set("exponent", v.real(self, "exponent", self.exponent, lo=0, lo_open=True))
        self._set("periodic", v.boolean(self, "periodic", self.periodic))
        self._set(
            "_simple", self.end is None and self.exponent == 1.0 and not self.periodic
        )

    def _eval(self, t: Any, m: Backend) -> Any:
        if m is ARRAY:  # NumPy only: other array back ends (jax, keras.ops) use the formula
            return self._eval_array(t)
        tau = t if self.periodic else m.minimum(t, self.steps)
        c = 0.5 * (1.0 + m.cos(_PI * (tau / self.steps)))
        if self.exponent != 1.0:
            c = m.power(c, self.exponent)
        if self.end is None:
            return self.init * ((1.0 - self.alpha) * c + self.alpha)
        return self.end + (self.init - self.end) * c

    def _eval_array(self, t: Any) -> Any:
        # The operations of the scalar formula, in the same order, in place on one buffer
        # (10M-step arrays: no temporaries to allocate and fault in).
        x = np.empty(np.shape(t), dtype=np.float64)
        if self.periodic:
            np.divide(t, self.steps, out=x)
        else:
            np.minimum(t, self.steps, out=x)
            x /= self.steps
        x *= _PI
        np.cos(x, out=x)
        x += 1.0
        x *= 0.5
        if self.exponent != 1.0:
            x = ARRAY.power(x, self.exponent)
        if self.end is None:
            if self.alpha != 0.0:  # (x * 1.0 + 0.0 is x: skip two passes)
                x *= 1.0 - self.alpha
                x += self.alpha
            x *= self.init
        else:
            x *= self.init - self.end
            x += self.end
        return x

    def __call__(self, t: Any) -> Any:
        # Fast path for the common case (alpha floor, exponent 1, not periodic): the same
        # step check as Schedule.__call__ and the same IEEE operations as _eval.
        c = t.__class__
        if self._simple and ((c is int and t >= 0) or (c is float and 0.0 <= t < _INF)):
            steps = self.steps
            c = 0.5 * (1.0 + _cos(_PI * ((t if t < steps else steps) / steps)))
            return self.init * ((1.0 - self.alpha) * c + self.alpha)
        return Schedule.__call__(self, t)

    @property
    def horizon(self) -> float | None:
        return self.steps

    def phases(self) -> tuple[float, ...]:
        return (self.steps,)


@register("cosine_restarts")
@dataclass(frozen=True, repr=False)
class CosineRestarts(Schedule):
    """Cosine annealing with warm restarts (SGDR): cycles that grow by ``t_mul``.

    Cycle i (i = 0, 1, ...) starts at :math:`S_i = T_0 (1 + q + \\dots + q^{i-1})
    = T_0 \\frac{q^i - 1}{q - 1}` (:math:`S_i = i T_0` if q = 1) and lasts
    :math:`T_i = T_0 q^i` steps.  For :math:`S_i \\le t < S_{i+1}`:

    .. math::

        f = \\frac{t - S_i}{T_i}, \\qquad c = \\tfrac12 (1 + \\cos \\pi f), \\qquad
        \\eta(t) = \\eta_0 \\left((1 - \\alpha) \\, \\mu^i c + \\alpha\\right)
        \\quad\\text{or, with ``end``:}\\quad \\eta_e + (\\eta_0 - \\eta_e) \\, \\mu^i c

    ``init`` (η0, >= 0): the first peak; ``first_steps`` (T0, steps, > 0): the length of
    the first cycle; ``t_mul`` (q, real >= 1): each cycle is q times longer than the
    previous one; ``m_mul`` (μ, > 0): each peak is μ times the previous one; ``alpha``
    (α, in [0, 1]): the floor as a fraction of ``init``, *not* scaled by μ; ``end`` (η_e,
    >= 0): an absolute floor instead (PyTorch's ``eta_min``), exclusive with ``alpha``.

    Semantics: TensorFlow 1's ``cosine_decay_restarts`` and Keras's ``CosineDecayRestarts``
    (real ``t_mul``, ``m_mul``, ``alpha``); PyTorch's ``CosineAnnealingWarmRestarts(T_0,
    T_mult, eta_min)`` is ``CosineRestarts(init, T_0, T_mult, end=eta_min)`` (torch has no
    peak decay).  TF finds the cycle as ``floor(log(1 - f (1 - q)) / log q)`` with
    ``f = t / T0``, which lands in the previous cycle at some exact restart steps (the log
    ratio rounds to just below an integer: Keras 3 with T0=10, q=3 gives the floor
    ``α η0`` instead of the new peak at steps 10, 40, 400 and 1210); lrlab takes that
    estimate and corrects it by one against the cycle starts :math:`S_i`, so a restart step
    always begins the new cycle, as PyTorch's integer bookkeeping does.  (With integer T0
    and q the :math:`S_i` are exact.)

    >>> from lrlab import CosineRestarts
    >>> s = CosineRestarts(0.1, first_steps=10, t_mul=2.0, m_mul=0.5)
    >>> s(0), s(10), s(30), round(s(20), 12)
    (0.1, 0.05, 0.025, 0.025)
    >>> s.phases()[:4]
    (10.0, 30.0, 70.0, 150.0)
    """

    init: float
    first_steps: float
    t_mul: float = 2.0
    m_mul: float = 1.0
    alpha: float = 0.0
    end: float | None = None
    _log_q: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        self._set(
            "first_steps", v.real(self, "first_steps", self.first_steps, lo=0, lo_open=True)
        )
        self._set("t_mul", v.real(self, "t_mul", self.t_mul, lo=1))
        self._set("m_mul", v.real(self, "m_mul", self.m_mul, lo=0, lo_open=True))
        self._set("alpha", v.real(self, "alpha", self.alpha, lo=0, hi=1))
        if self.end is not None:
            self._set("end", v.real(self, "end", self.end, lo=0))
        _check_floor(self, self.alpha, self.end)
        self._set("_log_q", math.log(self.t_mul))

    def _start(self, i: Any) -> Any:
        """S_i, the step where cycle i begins."""
        q = self.t_mul
        if q == 1.0:
            return self.first_steps * i
        return self.first_steps * ((q**i - 1.0) / (q - 1.0))

    def _eval(self, t: Any, m: Backend) -> Any:
        t0, q = self.first_steps, self.t_mul
        if q == 1.0:
            est = m.floor(t / t0)
        else:
            est = m.floor(m.log(t / t0 * (q - 1.0) + 1.0) / self._log_q)
        # The estimate can be one off at (or next to) a restart step: fix it exactly.
        where: Any = m.where  # (NumPy's overloads of where confuse mypy on the union)
        i = where(t < self._start(est), est - 1, est)
        i = where(t >= self._start(i + 1), i + 1, i)
        f = (t - self._start(i)) / (t0 * q**i)
        c = 0.5 * (1.0 + m.cos(_PI * f))
        if self.m_mul != 1.0:
            c = self.m_mul**i * c
        if self.end is None:
            return self.init * ((1.0 - self.alpha) * c + self.alpha)
        return self.end + (self.init - self.end) * c

    def _scalar(self, t: float) -> float:
        # The operations of _eval on Python floats (m.where / m.floor spelled out).
        t0, q = self.first_steps, self.t_mul
        try:
            if q == 1.0:
                i = math.floor(t / t0)
                if t < t0 * i:
                    i -= 1
                if t >= t0 * (i + 1):
                    i += 1
                f = (t - t0 * i) / (t0 * q**i)
            else:
                g = q - 1.0
                i = math.floor(math.log(t / t0 * g + 1.0) / self._log_q)
                if t < t0 * ((q**i - 1.0) / g):
                    i -= 1
                if t >= t0 * ((q ** (i + 1) - 1.0) / g):
                    i += 1
                f = (t - t0 * ((q**i - 1.0) / g)) / (t0 * q**i)
            c = 0.5 * (1.0 + _cos(_PI * f))
            if self.m_mul != 1.0:
                c = self.m_mul**i * c
        except OverflowError:
            raise self._overflow(t) from None
        if self.end is None:
            r = self.init * ((1.0 - self.alpha) * c + self.alpha)
        else:
            r = self.end + (self.init - self.end) * c
        if r < _INF:
            return r
        raise self._overflow(t)

    def phases(self) -> tuple[float, ...]:
        """The restart steps S_1, S_2, ...: the first 100, and none past step 1e7 (but S_1)."""
        out: list[float] = []
        for i in range(1, _MAX_RESTARTS + 1):
            s = float(self._start(i))
            if out and s > _MAX_PHASE_STEP:
                break
            out.append(s)
        return tuple(out)
