"""Property tests (hypothesis) for the exponential, polynomial, cosine and linear-cosine families.

Monotone decay phases, bounds (init / floor), continuity where the formula is continuous,
staircases constant within a stair, restart peaks scaled by ``m_mul``, and scalar == vectorized
at random steps and parameters.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lrlab
from lrlab import (
    Cosine,
    CosineRestarts,
    Exponential,
    InverseTime,
    LegacyDecay,
    Linear,
    LinearCosine,
    LrlabWarning,
    NaturalExp,
    NoisyLinearCosine,
    Polynomial,
)

FAST = settings(max_examples=60, deadline=None)

lr = st.floats(0.0, 10.0, allow_nan=False)
pos_lr = st.floats(1e-6, 10.0)
frac = st.floats(0.0, 1.0)
length = st.floats(0.5, 500.0)
rate = st.floats(0.01, 0.999)
step = st.floats(0.0, 1e6)
ULP = 2.3e-16


def non_increasing(vals: np.ndarray, ulps: float = 8) -> bool:
    """Monotone up to a few ulps (pow/cos are not guaranteed monotone to the last bit)."""
    return bool(np.all(vals[1:] <= vals[:-1] * (1 + ulps * ULP) + 1e-300))


def non_decreasing(vals: np.ndarray, ulps: float = 8) -> bool:
    return bool(np.all(vals[1:] >= vals[:-1] * (1 - ulps * ULP) - 1e-300))


def grid(top: float, n: int = 600) -> np.ndarray:
    return np.linspace(0.0, top, n)


# -- exponential family -----------------------------------------------------------------------


@FAST
@given(lr, rate, length, st.booleans(), st.floats(0, 100), st.one_of(st.none(), frac))
def test_exponential_decay_monotone_and_bounded(init: float, r: float, t: float, stair: bool,
                                                begin: float, end_frac: float | None) -> None:
    end = None if end_frac is None else init * end_frac
    s = Exponential(init, r, t, staircase=stair, begin=begin, end=end)
    vals = s(grid(begin + 50 * t))
    assert non_increasing(vals)
    assert vals.max() <= init and vals.min() >= (end or 0.0)
    assert s(begin) == init and s(0) == init


@FAST
@given(pos_lr, st.floats(1.001, 5.0), length, st.floats(1.0, 1e6))
def test_exponential_growth_monotone_up_to_end(init: float, r: float, t: float,
                                               end_mul: float) -> None:
    s = Exponential(init, r, t, end=init * end_mul)
    vals = s(np.concatenate([grid(200 * t), [1e12, 1e300]]))
    assert non_decreasing(vals)
    assert vals.min() == init and vals.max() <= init * end_mul and vals[-1] == init * end_mul


@FAST
@given(lr, rate, st.integers(1, 50), st.integers(0, 50), st.integers(0, 200), frac, frac)
def test_exponential_staircase_constant_within_a_stair(init: float, r: float, t: int, begin: int,
                                                       k: int, a: float, b: float) -> None:
    s = Exponential(init, r, t, staircase=True, begin=begin)
    lo = begin + k * t
    assert s(lo + a * t * 0.999) == s(lo + b * t * 0.999) == s(lo)
    assert s(lo) == s(lo + t - 1e-9 * t) or t * 1e-9 < 1e-12
    if init > 0:
        assert math.isclose(s(lo + t), s(lo) * r, rel_tol=1e-12, abs_tol=1e-300)


@FAST
@given(lr, st.floats(0.0, 5.0), length, st.booleans())
def test_natural_exp_and_inverse_time_monotone(init: float, k: float, t: float,
                                               stair: bool) -> None:
    for s in (NaturalExp(init, k, t, stair), InverseTime(init, k, t, stair)):
        vals = s(grid(30 * t))
        assert non_increasing(vals) and vals[0] == init and vals.min() >= 0.0


@FAST
@given(lr, st.floats(0.0, 1.0), step, st.floats(0.0, 1e3))
def test_legacy_decay_monotone_and_continuous(init: float, d: float, t: float, h: float) -> None:
    s = LegacyDecay(init, d)
    assert s(t + h) <= s(t) * (1 + 4 * ULP) <= init * (1 + 4 * ULP)
    # Lipschitz: |ds/dt| = init d / (1 + d t)^2 <= init d
    assert abs(s(t + 1e-3) - s(t)) <= init * d * 1e-3 * (1 + 1e-6) + 8 * ULP * init


# -- polynomial -------------------------------------------------------------------------------


@FAST
@given(lr, length, lr, st.floats(0.1, 5.0), st.floats(0.0, 100.0))
def test_polynomial_monotone_between_init_and_end(init: float, t: float, end: float,
                                                  power: float, begin: float) -> None:
    s = Polynomial(init, t, end=end, power=power, begin=begin)
    vals = s(grid(begin + 2 * t))
    lo, hi = min(init, end), max(init, end)
    tol = 8 * ULP * hi
    assert vals.min() >= lo - tol and vals.max() <= hi + tol
    assert (non_increasing(vals) if end <= init else non_decreasing(vals))
    # (begin + T) - begin may round below T: 1 - p ~ ulp (1 + begin / T), then ** power
    near = abs(init - end) * (4 * ULP * (1 + begin / t)) ** power + tol
    assert s(1e12) == end and abs(s(begin + t) - end) <= near
    assert math.isclose(s(0), init, rel_tol=4 * ULP, abs_tol=4 * ULP * hi)


@FAST
@given(lr, length, st.floats(0.0, 1.0), st.floats(0.1, 5.0), step)
def test_polynomial_is_continuous(init: float, t: float, end_frac: float, power: float,
                                  x: float) -> None:
    s = Polynomial(init, t, end=init * end_frac, power=power)
    # the value moves by at most (init - end) * (modulus of continuity of u ** p) over h
    h = t * 1e-9
    bound = (init - init * end_frac) * (p_mod := (h / t) ** min(power, 1.0) * max(power, 1.0))
    assert abs(s(x + h) - s(x)) <= bound * (1 + 1e-6) + 16 * ULP * init, p_mod


@FAST
@given(pos_lr, st.integers(1, 100), st.floats(0.0, 1.0), st.floats(0.2, 4.0),
       st.integers(1, 30))
def test_polynomial_cycle(init: float, t: int, end_frac: float, power: float, k: int) -> None:
    end = init * end_frac
    s = Polynomial(init, t, end=end, power=power, cycle=True)
    assert s(k * t) == end  # exactly end at every multiple of T
    inside = s(np.linspace(k * t + 1e-6 * t, (k + 1) * t, 200))
    assert non_increasing(inside)
    assert inside[0] <= init * (1 + 8 * ULP) and inside[0] >= end
    if k > 1:  # each new peak is lower: (init - end) (1 - k T / (k + 1) T)^p + end
        assert s(k * t + 1e-3) <= s((k - 1) * t + 1e-3)
        if end < 0.99 * init:
            assert s(k * t + 1e-3) < s((k - 1) * t + 1e-3)


@FAST
@given(lr, lr, length, step)
def test_linear_between_start_and_end(start: float, end: float, t: float, x: float) -> None:
    s = Linear(start, end, t)
    v = s(x)
    assert min(start, end) <= v <= max(start, end)
    assert s(t) == end and s(0) == start
    vals = s(grid(2 * t))
    assert non_increasing(vals, 0) if end <= start else non_decreasing(vals, 0)


# -- cosine -----------------------------------------------------------------------------------


@FAST
@given(lr, length, frac, st.booleans(), st.floats(0.2, 5.0))
def test_cosine_monotone_and_bounded(init: float, t: float, f: float, absolute: bool,
                                     exponent: float) -> None:
    s = (Cosine(init, t, end=init * f, exponent=exponent) if absolute
         else Cosine(init, t, alpha=f, exponent=exponent))
    floor = init * f
    vals = s(grid(t * 1.5))
    tol = 8 * ULP * init
    assert non_increasing(vals)
    assert vals.max() <= init + tol and vals.min() >= floor - tol
    assert math.isclose(s(t), floor, rel_tol=4 * ULP, abs_tol=tol) and s(10 * t) == s(t)


@FAST
@given(lr, length, frac, st.floats(0.0, 1.0), st.integers(0, 1000))
def test_cosine_periodic_is_symmetric_and_periodic(init: float, t: float, f: float, x: float,
                                                   k: int) -> None:
    s = Cosine(init, t, end=init * f, periodic=True)
    tol = 1e-9 * init
    # rises again past T like torch's CosineAnnealingLR: mirror image around T, period 2T
    assert math.isclose(s(t + x * t), s(t - x * t), abs_tol=tol + 1e-300)
    assert math.isclose(s(x * t + 2 * k * t), s(x * t), abs_tol=tol * (k + 1) + 1e-300)


@FAST
@given(pos_lr, st.floats(0.5, 100.0), st.sampled_from([1.0, 1.5, 2.0, 3.0]),
       st.floats(0.1, 1.0), frac, st.integers(1, 12))
def test_cosine_restarts_peaks_scaled_by_m_mul(init: float, t0: float, q: float, mu: float,
                                               alpha: float, k: int) -> None:
    s = CosineRestarts(init, t0, t_mul=q, m_mul=mu, alpha=alpha)
    k = min(k, len(s.phases()))  # phases() stops past step 1e7
    start = s.phases()[k - 1]
    floor = alpha * init
    peak = init * ((1 - alpha) * mu**k + alpha)
    assert math.isclose(s(start), peak, rel_tol=1e-9)
    prev = s.phases()[k - 2] if k > 1 else 0.0
    assert math.isclose(s(prev), init * ((1 - alpha) * mu ** (k - 1) + alpha), rel_tol=1e-9)
    # within a cycle: decreasing from the peak towards the floor (not scaled by m_mul)
    inside = s(np.linspace(prev, start, 300)[:-1])
    assert non_increasing(inside, 64)
    assert inside.min() >= floor * (1 - 1e-12)
    assert math.isclose(s(start - (start - prev) * 1e-7), floor, rel_tol=1e-9,
                        abs_tol=1e-12 * init)


@FAST
@given(pos_lr, st.integers(1, 50), st.integers(1, 4), st.floats(0.0, 0.9), st.integers(1, 15))
def test_cosine_restarts_integer_boundaries_are_exact(init: float, t0: int, q: int, f: float,
                                                      k: int) -> None:
    s = CosineRestarts(init, t0, t_mul=float(q), end=init * f)
    start = t0 * sum(q**j for j in range(k))  # torch's integer bookkeeping
    # the cycle index is exact: f = 0, c = 1 (torch's formula eta_min + (base - eta_min) * 1)
    assert s(start) == init * f + (init - init * f) * 1.0
    assert s(start - 1) < init or t0 * q ** (k - 1) == 1


# -- linear cosine ----------------------------------------------------------------------------


@FAST
@given(lr, length, st.floats(0.0, 5.0), st.floats(0.0, 1.0), st.floats(0.0, 0.1), step)
def test_linear_cosine_bounds(init: float, t: float, n: float, alpha: float, beta: float,
                              x: float) -> None:
    s = LinearCosine(init, t, n, alpha, beta)
    v = s(x)
    assert init * beta * (1 - 4 * ULP) <= v <= init * (1 + alpha + beta) * (1 + 4 * ULP)
    assert s(t + x) == s(t)  # constant past the horizon


@FAST
@given(lr, length, st.floats(0.0, 2.0), st.floats(0.0, 1.0), st.integers(0, 2**64 - 1), step)
def test_noisy_linear_cosine_never_negative_and_pure(init: float, t: float, var: float,
                                                     decay: float, seed: int, x: float) -> None:
    s = NoisyLinearCosine(init, t, initial_variance=var, variance_decay=decay, seed=seed)
    xs = np.array([x, math.floor(x) + 0.5, x + 1, 2 * t + x])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LrlabWarning)
        vals = s(xs)
        assert np.all(vals >= 0)
        assert [s(float(v)) for v in xs] == vals.tolist()
        assert s(x) == vals[0]


@FAST
@given(lr, length, st.integers(0, 2**32), st.floats(0.0, 1e6))
def test_noisy_without_variance_is_linear_cosine(init: float, t: float, seed: int,
                                                 x: float) -> None:
    assert NoisyLinearCosine(init, t, initial_variance=0.0, seed=seed)(x) == LinearCosine(init, t)(x)


# -- every family: scalar == vectorized at random steps and parameters ------------------------

SPECS = st.one_of(
    st.builds(Exponential, lr, st.floats(0.01, 3.0), length, st.booleans(), st.floats(0, 100),
              st.one_of(st.none(), lr)),
    st.builds(NaturalExp, lr, st.floats(0, 3), length, st.booleans()),
    st.builds(InverseTime, lr, st.floats(0, 3), length, st.booleans()),
    st.builds(LegacyDecay, lr, st.floats(0, 1)),
    st.builds(Polynomial, lr, length, lr, st.floats(0.1, 4), st.booleans(), st.floats(0, 100)),
    st.builds(Linear, lr, lr, length),
    st.builds(Cosine, lr, length, frac, st.none(), st.floats(0.1, 4), st.booleans()),
    st.builds(Cosine, lr, length, st.just(0.0), lr, st.floats(0.1, 4), st.booleans()),
    st.builds(CosineRestarts, lr, length, st.floats(1.0, 4.0), st.floats(0.05, 1.0), frac),
    st.builds(CosineRestarts, lr, length, st.floats(1.0, 4.0), st.floats(0.05, 1.0),
              st.just(0.0), lr),
    st.builds(LinearCosine, lr, length, st.floats(0, 4), frac, st.floats(0, 0.1)),
)


@settings(max_examples=100, deadline=None)
@given(SPECS, st.lists(st.floats(0.0, 1e5), min_size=1, max_size=20))
def test_scalar_equals_vectorized(s: lrlab.Schedule, ts: list[float]) -> None:
    try:
        vec = s(np.array(ts))
    except lrlab.ScheduleError:  # a growing exponential past the float64 range
        return
    assert [s(t) for t in ts] == vec.tolist()
    assert np.all(np.isfinite(vec)) and np.all(vec >= 0)
    assert lrlab.parse(repr(s)) == s
