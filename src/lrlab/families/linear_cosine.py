"""Linear cosine decay and its noisy variant (TensorFlow 1, Bello et al. 2017)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab._math import SCALAR, Backend
from lrlab.errors import LrlabWarning, ScheduleError
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["LinearCosine", "NoisyLinearCosine"]  # (normal_noise: import from this module)

_PI = math.pi
_NEGATIVE = ("clip", "raise")

# -- counter-based normal noise: a pure function of (seed, step) ------------------------------
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MUL1 = 0xBF58476D1CE4E5B9
_MUL2 = 0x94D049BB133111EB
_TWO64 = 2.0**64
_TWO_M53 = 2.0**-53


def _mix(z: int) -> int:
    """SplitMix64's output function on a Python int (64-bit wrap-around by masking)."""
    z = ((z ^ (z >> 30)) * _MUL1) & _MASK
    z = ((z ^ (z >> 27)) * _MUL2) & _MASK
    return z ^ (z >> 31)


def _mix_array(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function on uint64 arrays (NumPy wraps uint64 products)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_MUL1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_MUL2)
    return z ^ (z >> np.uint64(31))


def normal_noise(seed: int, t: Any) -> Any:
    """A standard normal draw that is a pure function of ``(seed, floor(t))``.

    The counter is :math:`n = \\lfloor t \\rfloor \\bmod 2^{64}` (so every step in
    :math:`[n, n+1)` shares one draw).  With ``k = mix(seed + γ)`` (the first output of a
    SplitMix64 generator seeded with ``seed``), the two 64-bit words
    :math:`z_j = \\mathrm{mix}(k + (2n + j)\\,γ)`, j = 1, 2 (γ = 0x9E3779B97F4A7C15, all
    arithmetic mod 2^64) give :math:`u_1 = (\\lfloor z_1 / 2^{11} \\rfloor + 1) / 2^{53}
    \\in (0, 1]`, :math:`u_2 = \\lfloor z_2 / 2^{11} \\rfloor / 2^{53} \\in [0, 1)` and, by
    Box-Muller, :math:`\\sqrt{-2 \\ln u_1} \\cos(2\\pi u_2)`.  ``t`` is a float (Python
    arithmetic) or a float64 array (NumPy uint64 arithmetic): both give identical bits.

    >>> from lrlab.families.linear_cosine import normal_noise
    >>> import numpy as np
    >>> a = normal_noise(0, np.arange(5.0))
    >>> [normal_noise(0, float(x)) for x in range(5)] == a.tolist()
    True
    >>> normal_noise(0, 3.0) == normal_noise(0, 3.9) != normal_noise(1, 3.0)
    True
    """
    return _noise(_mix((seed + _GOLDEN) & _MASK), t)


def _noise(key: int, t: Any) -> Any:
    """:func:`normal_noise` with the seed's key ``mix(seed + γ)`` already computed."""
    if isinstance(t, np.ndarray):
        with np.errstate(over="ignore"):  # uint64 wrap-around is the point (0-d: scalars warn)
            n = np.asarray(np.fmod(np.floor(t), _TWO64)).astype(np.uint64)
            s = n * np.uint64(2 * _GOLDEN & _MASK) + np.uint64(key)
            z1 = _mix_array(s + np.uint64(_GOLDEN))
            z2 = _mix_array(s + np.uint64(2 * _GOLDEN & _MASK))
        u1 = ((z1 >> np.uint64(11)) + np.uint64(1)).astype(np.float64) * _TWO_M53
        u2 = (z2 >> np.uint64(11)).astype(np.float64) * _TWO_M53
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * _PI * u2)
    count = math.floor(float(t)) & _MASK  # float(t): a huge int rounds as in the array path
    base = (count * (2 * _GOLDEN) + key) & _MASK
    w1 = _mix((base + _GOLDEN) & _MASK)
    w2 = _mix((base + 2 * _GOLDEN) & _MASK)
    v1 = float((w1 >> 11) + 1) * _TWO_M53
    v2 = float(w2 >> 11) * _TWO_M53
    return SCALAR.sqrt(-2.0 * SCALAR.log(v1)) * SCALAR.cos(2.0 * _PI * v2)



def _check_common(s: Any) -> None:
    s._set("init", v.real(s, "init", s.init, lo=0))
    s._set("steps", v.real(s, "steps", s.steps, lo=0, lo_open=True))
    s._set("num_periods", v.real(s, "num_periods", s.num_periods, lo=0))
    s._set("alpha", v.real(s, "alpha", s.alpha, lo=0))
    s._set("beta", v.real(s, "beta", s.beta, lo=0))


@register("linear_cosine")
@dataclass(frozen=True, repr=False)
class LinearCosine(Schedule):
    """Linear cosine decay: a cosine of ``num_periods`` periods under a linear ramp to 0.

    .. math::

        \\tau = \\min(t, T), \\quad \\ell = \\frac{T - \\tau}{T}, \\quad
        c = \\tfrac12\\left(1 + \\cos\\left(2\\pi \\, n \\, \\frac{\\tau}{T}\\right)\\right), \\quad
        \\eta(t) = \\eta_0 \\left((\\alpha + \\ell) \\, c + \\beta\\right)

    ``init`` (η0, >= 0); ``steps`` (T, steps, > 0); ``num_periods`` (n, >= 0): periods of
    the cosine part over T (0.5: one half-cosine down); ``alpha`` (α, >= 0) and ``beta``
    (β, >= 0): see the formula (β·η0 is the final value when n is a half-integer).

    Semantics: TensorFlow 1's ``linear_cosine_decay`` (``learning_rate_schedule.
    LinearCosineDecay``), from Bello et al., "Neural Optimizer Search with Reinforcement
    Learning", ICML 2017.

    >>> from lrlab import LinearCosine
    >>> s = LinearCosine(0.1, steps=100)
    >>> round(s(0), 12), round(s(50), 12), round(s(100), 12)
    (0.1001, 0.0251, 0.0001)
    """

    init: float
    steps: float
    num_periods: float = 0.5
    alpha: float = 0.0
    beta: float = 0.001

    def __post_init__(self) -> None:
        _check_common(self)

    def _eval(self, t: Any, m: Backend) -> Any:
        tau = m.minimum(t, self.steps)
        lin = (self.steps - tau) / self.steps
        frac = 2.0 * self.num_periods * (tau / self.steps)
        c = 0.5 * (1.0 + m.cos(_PI * frac))
        return self.init * ((self.alpha + lin) * c + self.beta)

    @property
    def horizon(self) -> float | None:
        return self.steps

    def phases(self) -> tuple[float, ...]:
        return (self.steps,)


@register("noisy_linear_cosine")
@dataclass(frozen=True, repr=False)
class NoisyLinearCosine(Schedule):
    """Linear cosine decay with Gaussian noise on the linear part, reproducible by ``seed``.

    .. math::

        \\tau = \\min(t, T), \\quad \\sigma^2 = \\frac{v_0}{(1 + \\tau)^{d}}, \\quad
        \\eta(t) = \\eta_0 \\left((\\alpha + (\\ell + \\sigma \\, \\varepsilon_t)) \\, c
        + \\beta\\right)

    with ℓ and c as in :class:`LinearCosine` and :math:`\\varepsilon_t` a standard normal
    draw that is a pure function of ``(seed, floor(t))`` (:func:`normal_noise`): the same
    step always gives the same value, every fractional step in ``[n, n+1)`` shares step n's
    draw, and the noise goes on past T (as in TensorFlow, where each call draws anew).

    ``init`` (η0, >= 0); ``steps`` (T, steps, > 0); ``initial_variance`` (v0, >= 0);
    ``variance_decay`` (d, >= 0); ``num_periods``, ``alpha``, ``beta``: as in
    :class:`LinearCosine`; ``seed``: an integer in [0, 2^64).

    **Negative values.**  TensorFlow 1's ``noisy_linear_cosine_decay`` (whose noise is
    unseeded) returns negative learning rates whenever the noise is below
    :math:`-(\\alpha + \\ell + \\beta / c)`; with the default variance this happens often
    near the end of the decay.  lrlab never returns a negative value: with
    ``negative='clip'`` (default) such a value becomes 0 and an :class:`lrlab.LrlabWarning`
    is issued; with ``negative='raise'`` the call raises :class:`lrlab.ScheduleError`
    naming the step.  Lower ``initial_variance`` (or raise ``beta``) to stay clear of 0.

    >>> from lrlab import NoisyLinearCosine
    >>> s = NoisyLinearCosine(0.1, steps=1000, initial_variance=1e-4, seed=7)
    >>> s(10) == s(10) == float(s([0.0, 10.0])[1])
    True
    >>> import math
    >>> clean = 0.1 * ((990 / 1000) * 0.5 * (1 + math.cos(math.pi * 0.01)) + 0.001)
    >>> s(10) != clean and abs(s(10) - clean) < 0.01
    True
    """

    init: float
    steps: float
    initial_variance: float = 1.0
    variance_decay: float = 0.55
    num_periods: float = 0.5
    alpha: float = 0.0
    beta: float = 0.001
    seed: int = 0
    negative: str = "clip"
    _key: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        _check_common(self)
        self._set(
            "initial_variance", v.real(self, "initial_variance", self.initial_variance, lo=0)
        )
        self._set("variance_decay", v.real(self, "variance_decay", self.variance_decay, lo=0))
        seed = v.integer(self, "seed", self.seed, lo=0)
        if seed > _MASK:  # (v.integer would print the bound as 1.84467e+19)
            raise v.fail(self, "seed", "an integer < 2**64", self.seed)
        self._set("seed", seed)
        self._set("_key", _mix((seed + _GOLDEN) & _MASK))
        self._set("negative", v.choice(self, "negative", self.negative, _NEGATIVE))

    def _eval(self, t: Any, m: Backend) -> Any:
        tau = m.minimum(t, self.steps)
        lin = (self.steps - tau) / self.steps
        std = m.sqrt(self.initial_variance / m.power(1.0 + tau, self.variance_decay))
        noisy = lin + std * _noise(self._key, t)
        frac = 2.0 * self.num_periods * (tau / self.steps)
        c = 0.5 * (1.0 + m.cos(_PI * frac))
        out = self.init * ((self.alpha + noisy) * c + self.beta)
        neg = out < 0.0
        if m.is_array:
            found = bool(neg.any())
            if found:
                first = float(np.asarray(t)[neg].flat[0])
                value = float(np.asarray(out)[neg].flat[0])
        else:
            found, first, value = neg, t, out
        if found:
            if self.negative == "raise":
                raise ScheduleError(
                    f"{self!r}: the value at step t={first!r} would be negative ({value!r}); "
                    "the noise of noisy_linear_cosine can push it below 0 (negative='raise'). "
                    "Lower initial_variance or use negative='clip'"
                )
            warnings.warn(
                f"{self!r}: the value at step t={first!r} would be negative ({value!r}) and "
                "was clipped to 0 (negative='clip'); lower initial_variance or raise beta "
                "to avoid it, or pass negative='raise' to make this an error",
                LrlabWarning,
                stacklevel=4,
            )
            where: Any = m.where  # (NumPy's overloads of where confuse mypy on the union)
            out = where(neg, 0.0, out)
        return out

    @property
    def horizon(self) -> float | None:
        return self.steps

    def phases(self) -> tuple[float, ...]:
        return (self.steps,)
