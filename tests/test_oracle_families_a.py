"""Oracle tests for the exponential, polynomial, cosine and linear-cosine families.

Expected values are written here in plain Python with ``math``, from the formulas in the
frameworks' sources (TF ``learning_rate_schedule.py`` / ``legacy_learning_rate_decay.py``,
Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py``, optax
``optax/schedules/_schedule.py``, ``torch/optim/lr_scheduler.py``), never by calling lrlab
helpers.  They are checked at step 0, at every phase boundary, at the horizon and past it.
The last section checks every validation rule: the error names the parameter and the value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

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
    ScheduleError,
)

REL = 1e-12


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


def check(s: lrlab.Schedule, table: list[tuple[float, float]], rel: float = REL) -> None:
    """Scalar and vectorized values both match the oracle at every (t, want)."""
    ts = [t for t, _ in table]
    vec = s(np.array(ts, dtype=np.float64))
    for (t, want), got_v in zip(table, vec):
        got = s(t)
        assert close(got, want, rel), f"{s!r} at t={t}: {got} != {want}"
        assert got == got_v, f"{s!r} at t={t}: scalar {got} != vectorized {got_v}"


# ---------------------------------------------------------------------------------------------
# Exponential: TF ExponentialDecay (init * r ** (t / T)), optax transition_begin / end_value
# ---------------------------------------------------------------------------------------------


def test_exponential_tf() -> None:
    s = Exponential(0.1, 0.96, 1000)
    check(s, [(0, 0.1), (1, 0.1 * 0.96**0.001), (1000, 0.096), (2500, 0.1 * 0.96**2.5),
              (10**6, 0.1 * 0.96**1000), (0.5, 0.1 * 0.96**0.0005)])
    assert s(0) == 0.1 and s.horizon is None and s.phases() == ()


def test_exponential_staircase() -> None:
    s = Exponential(0.1, 0.5, 10, staircase=True)
    check(s, [(0, 0.1), (9, 0.1), (9.999, 0.1), (10, 0.05), (19.5, 0.05), (20, 0.025),
              (1000, 0.1 * 0.5**100)])


def test_exponential_optax_begin_and_end() -> None:
    s = Exponential(0.1, 0.5, 10, begin=100, end=0.02)
    check(s, [(0, 0.1), (50, 0.1), (100, 0.1), (105, 0.1 * 0.5**0.5), (110, 0.05),
              (120, 0.025), (125, 0.02), (10**9, 0.02)])
    reach = 100 + 10 * math.log(0.02 / 0.1) / math.log(0.5)
    assert close(s.horizon, reach) and s.phases() == (100.0, s.horizon)
    assert close(s(reach), 0.02, 1e-9)
    st = Exponential(0.1, 0.5, 10, staircase=True, begin=5, end=0.01)
    check(st, [(0, 0.1), (5, 0.1), (14.9, 0.1), (15, 0.05), (25, 0.025), (35, 0.0125),
               (45, 0.01), (10**6, 0.01)])
    assert st.horizon == 5 + 10 * 4  # ceil(log(0.1) / log(0.5)) = 4 stairs


def test_exponential_end_is_clipped_at_every_step_like_optax() -> None:
    # optax clips with max when r < 1, min otherwise, also before transition_begin
    assert Exponential(0.1, 0.5, 1, end=0.2)(0) == 0.2
    assert Exponential(0.5, 2.0, 1, end=0.1)(0) == 0.1
    assert Exponential(0.1, 1.0, 1, end=0.05)(10) == 0.05  # r == 1: min, as optax


def test_exponential_growth_and_overflow_error() -> None:
    g = Exponential(1e-3, 2.0, 10, end=1.0)
    check(g, [(0, 1e-3), (10, 2e-3), (15, 1e-3 * 2**1.5), (90, 0.512), (100, 1.0),
              (10**12, 1.0)])
    assert close(g.horizon, 10 * math.log(1000) / math.log(2))
    assert Exponential(0, 3.0, 1, end=1.0)(1e12) == 0.0
    free = Exponential(1.0, 2.0, 1)
    assert free(1000) == 2.0**1000
    with pytest.raises(ScheduleError, match="no finite value at step t=1100"):
        free(1100)
    with pytest.raises(ScheduleError, match="no finite value"):
        free(np.array([0.0, 1.0, 5000.0]))
    with pytest.raises(ScheduleError, match="no finite value"):
        Exponential(1e300, 1.5, 1.0, staircase=True, begin=2)(100)


def test_natural_exp_tf1() -> None:
    s = NaturalExp(0.1, 0.5, 10)
    check(s, [(0, 0.1), (5, 0.1 * math.exp(-0.25)), (10, 0.1 * math.exp(-0.5)),
              (1000, 0.1 * math.exp(-50))])
    st = NaturalExp(0.1, 0.5, 10, staircase=True)
    check(st, [(0, 0.1), (9.9, 0.1), (10, 0.1 * math.exp(-0.5)), (19, 0.1 * math.exp(-0.5)),
               (20, 0.1 * math.exp(-1.0))])
    assert NaturalExp(0.1, 0.0, 1)(10**9) == 0.1


def test_inverse_time_tf1() -> None:
    s = InverseTime(0.1, 0.5, 10)
    check(s, [(0, 0.1), (10, 0.1 / 1.5), (20, 0.05), (25, 0.1 / 2.25), (10**6, 0.1 / 50001)])
    st = InverseTime(0.1, 1.0, 10, staircase=True)
    check(st, [(0, 0.1), (9, 0.1), (10, 0.05), (19, 0.05), (20, 0.1 / 3)])


def test_legacy_decay_keras2() -> None:
    s = LegacyDecay(0.1, 0.01)
    # Keras 2: lr * (1. / (1. + decay * iterations))
    check(s, [(0, 0.1), (1, 0.1 * (1.0 / 1.01)), (100, 0.05), (10**6, 0.1 * (1.0 / 10001.0))])
    assert LegacyDecay(0.1, 0)(10**9) == 0.1


# ---------------------------------------------------------------------------------------------
# Polynomial: TF PolynomialDecay (incl. cycle), optax polynomial_schedule (transition_begin)
# ---------------------------------------------------------------------------------------------


def tf_poly(t: float, init: float, steps: float, end: float, power: float, cycle: bool) -> float:
    if cycle:
        mult = 1.0 if t == 0 else math.ceil(t / steps)
        steps = steps * mult
    else:
        t = min(t, steps)
    return (init - end) * (1 - t / steps) ** power + end


def test_polynomial_tf() -> None:
    s = Polynomial(0.1, 100, end=0.01, power=2.0)
    check(s, [(0, 0.1), (1, 0.09 * 0.99**2 + 0.01), (50, 0.09 * 0.25 + 0.01), (99.5, 0.09 *
              0.005**2 + 0.01), (100, 0.01), (10**6, 0.01)])
    assert s(100) == 0.01 and s.horizon == 100 and s.phases() == (100,)


def test_polynomial_cycle_tf() -> None:
    s = Polynomial(0.1, 100, end=0.01, power=1.0, cycle=True)
    table = [(t, tf_poly(t, 0.1, 100, 0.01, 1.0, True))
             for t in (0, 1, 50, 99, 100, 101, 150, 200, 201, 299.5, 300, 10**6 + 1)]
    check(s, table)
    assert s(0) == s(0.0) == tf_poly(0, 0.1, 100, 0.01, 1.0, True)  # TF's multiplier 1 at t=0
    assert s(100) == s(200) == s(10**6) == 0.01  # exactly end at every multiple of T
    assert close(s(150), 0.09 * 0.25 + 0.01)  # T' = 200
    assert s(101) > s(100) and s(201) < s(101)  # jumps to lower and lower peaks
    assert s.horizon is None and s.phases()[:3] == (100, 200, 300) and len(s.phases()) == 100


def test_polynomial_optax_begin() -> None:
    s = Polynomial(0.1, 100, end=0.0, power=1.0, begin=50)
    # optax: (init - end) * (1 - clip(t - begin, 0, T) / T) ** power + end
    check(s, [(0, 0.1), (50, 0.1), (75, 0.075), (100, 0.05), (150, 0.0), (1e9, 0.0)])
    assert s.horizon == 150 and s.phases() == (50, 150)
    c = Polynomial(0.1, 100, power=1.0, cycle=True, begin=50)
    check(c, [(0, 0.1), (50, 0.1), (150, 0.0), (151, tf_poly(101, 0.1, 100, 0, 1, True)),
              (200, 0.025)])
    up = Polynomial(0.01, 50, end=0.1, power=1.5, begin=25)
    check(up, [(0, 0.01), (25, 0.01), (50, -0.09 * 0.5**1.5 + 0.1), (75, 0.1), (99, 0.1)])


def test_linear() -> None:
    check(Linear(0.0, 0.1, 100), [(0, 0.0), (25, 0.025), (50, 0.05), (100, 0.1), (1e12, 0.1)])
    check(Linear(0.1, 0.0, 7), [(0, 0.1), (3.5, 0.05), (7, 0.0), (8, 0.0)])
    assert Linear(0.3, 0.1, 3)(3) == 0.1  # exactly end at the horizon
    assert Linear(0.3, 0.1, 3).horizon == 3


# ---------------------------------------------------------------------------------------------
# Cosine: TF/Keras CosineDecay (alpha), optax (exponent), torch CosineAnnealingLR (eta_min)
# ---------------------------------------------------------------------------------------------


def tf_cos(t: float, init: float, steps: float, alpha: float = 0.0, exponent: float = 1.0) -> float:
    c = 0.5 * (1 + math.cos(math.pi * min(t, steps) / steps))
    return init * ((1 - alpha) * c**exponent + alpha)


def torch_cos(t: float, base: float, t_max: float, eta_min: float) -> float:
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2


def test_cosine_tf_optax() -> None:
    s = Cosine(0.1, 100)
    check(s, [(0, 0.1), (25, tf_cos(25, 0.1, 100)), (50, 0.05), (99, tf_cos(99, 0.1, 100)),
              (200, 0.0)])
    assert s(100) == 0.0 and s(10**12) == 0.0  # (1 + cos(pi)) / 2 is exactly 0
    assert s.horizon == 100 and s.phases() == (100,)
    a = Cosine(0.1, 100, alpha=0.1)
    check(a, [(0, 0.1), (50, 0.1 * (0.9 * 0.5 + 0.1)), (100, 0.01), (150, 0.01)])
    e = Cosine(0.1, 100, alpha=0.05, exponent=2.0)
    check(e, [(t, tf_cos(t, 0.1, 100, 0.05, 2.0)) for t in (0, 30, 50, 100, 1000)])
    check(Cosine(0.1, 100, exponent=0.5), [(50, 0.1 * math.sqrt(0.5)), (100, 0.0)])


def test_cosine_torch_eta_min_and_periodic() -> None:
    e = Cosine(0.1, 100, end=0.01)
    check(e, [(t, torch_cos(t, 0.1, 100, 0.01)) for t in (0, 10, 50, 100)] + [(300, 0.01)])
    p = Cosine(0.1, 100, end=0.01, periodic=True)
    # torch's closed form keeps following the cosine past T_max: back up to base at 2 T_max
    check(p, [(t, torch_cos(t, 0.1, 100, 0.01)) for t in (0, 50, 100, 150, 200, 250, 1234.5)])
    assert close(p(200), 0.1) and close(p(300), 0.01)
    assert Cosine(0.1, 100, end=0.2)(100) == 0.2  # an absolute floor above init: rises


# ---------------------------------------------------------------------------------------------
# CosineRestarts: TF/Keras CosineDecayRestarts (m_mul, alpha), torch warm restarts (eta_min)
# ---------------------------------------------------------------------------------------------


def torch_restarts(n: int, base: float, t0: int, t_mult: int, eta_min: float) -> list[float]:
    """torch's step() bookkeeping in integers: T_cur += 1; restart when T_cur >= T_i."""
    out, t_cur, t_i = [], 0, t0
    for _ in range(n):
        out.append(eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
        t_cur += 1
        if t_cur >= t_i:
            t_cur -= t_i
            t_i *= t_mult
    return out


@pytest.mark.parametrize(("t0", "t_mult", "eta_min"), [(10, 2, 0.0), (10, 1, 0.001), (7, 3, 0.01),
                                                       (1, 3, 0.0), (3, 4, 0.0)])
def test_cosine_restarts_torch_integer_bookkeeping(t0: int, t_mult: int, eta_min: float) -> None:
    s = CosineRestarts(0.1, t0, t_mult, end=eta_min)
    want = torch_restarts(3000, 0.1, t0, t_mult, eta_min)
    got = s(np.arange(3000))
    assert np.allclose(got, want, rtol=1e-12, atol=1e-15)


def test_cosine_restarts_exact_boundaries_where_tf_log_rounds_down() -> None:
    # TF: i = floor(log(1 - f (1 - q)) / log q), f = t / T0.  At t = 121 (T0=1, q=3: the
    # start of cycle 5, 1+3+9+27+81) the ratio rounds to just below 5, and TF puts the step
    # at the very end of cycle 4 (value alpha * init) instead of the start of cycle 5.
    f = 121.0
    assert math.floor(math.log(1.0 - f * (1.0 - 3.0)) / math.log(3.0)) == 4
    s = CosineRestarts(1.0, 1, t_mul=3.0, m_mul=0.5)
    starts = [sum(3**j for j in range(k)) for k in range(1, 20)]
    for k, start in enumerate(starts, 1):
        assert s(start) == 0.5**k, (k, start)  # a new cycle starts exactly at S_k: peak
        assert s(float(start)) == 0.5**k
        # end of the previous cycle: c = (1 + cos(pi (1 - 0.001 / T))) / 2 ~ (pi 0.001 / T)^2 / 4
        assert s(start - 0.001) < 2.5e-6 * 0.5 ** (k - 1)
    assert s(np.array(starts, dtype=np.float64)).tolist() == [0.5**k for k in range(1, 20)]


def test_cosine_restarts_tf_values() -> None:
    def tf(t: float, init: float, t0: float, q: float, mu: float, alpha: float) -> float:
        f = t / t0
        if q == 1.0:
            i = math.floor(f)
            f -= i
        else:
            i = math.floor(math.log(1.0 - f * (1.0 - q)) / math.log(q))
            f = (f - (1.0 - q**i) / (1.0 - q)) / q**i
        return init * ((1 - alpha) * 0.5 * mu**i * (1.0 + math.cos(math.pi * f)) + alpha)

    s = CosineRestarts(0.1, 10, t_mul=2.0, m_mul=0.5, alpha=0.1)
    check(s, [(t, tf(t, 0.1, 10, 2.0, 0.5, 0.1)) for t in (0, 5, 9, 12.5, 29, 45, 100, 1e6)])
    check(s, [(10, 0.1 * (0.9 * 0.5 + 0.1)), (30, 0.1 * (0.9 * 0.25 + 0.1)),
              (50, 0.1 * (0.9 * 0.25 * 0.5 + 0.1))])
    # the floor alpha * init is not scaled by m_mul
    assert close(s(70 - 1e-9), 0.01, 1e-9)
    r = CosineRestarts(0.1, 7, t_mul=1.5, m_mul=0.8, alpha=0.0)
    check(r, [(t, tf(t, 0.1, 7, 1.5, 0.8, 0.0)) for t in (0, 3, 6.9, 8, 20, 50, 333.3)], 1e-9)
    one = CosineRestarts(0.1, 10, t_mul=1.0, m_mul=0.9)
    check(one, [(t, tf(t, 0.1, 10, 1.0, 0.9, 0.0)) for t in (0, 5, 10, 15, 95, 1000)])
    assert one.phases()[:3] == (10, 20, 30) and len(one.phases()) == 100
    assert s.horizon is None and s.phases()[:4] == (10, 30, 70, 150)
    assert max(s.phases()) <= 1e7 and len(s.phases()) <= 100


def test_cosine_restarts_end_floor() -> None:
    s = CosineRestarts(0.1, 10, t_mul=1.0, end=0.01)
    check(s, [(0, 0.1), (5, 0.01 + 0.09 * 0.5), (10, 0.1), (15, 0.055), (10**9 + 5, 0.055)])
    m = CosineRestarts(0.1, 10, t_mul=2.0, m_mul=0.5, end=0.01)
    check(m, [(10, 0.01 + 0.09 * 0.5), (30, 0.01 + 0.09 * 0.25)])


# ---------------------------------------------------------------------------------------------
# Linear cosine (TF LinearCosineDecay) and its noisy variant
# ---------------------------------------------------------------------------------------------


def tf_lin_cos(t: float, init: float, steps: float, n: float = 0.5, alpha: float = 0.0,
               beta: float = 0.001, eps: float = 0.0) -> float:
    t = min(t, steps)
    lin = (steps - t) / steps + eps
    c = 0.5 * (1 + math.cos(math.pi * 2 * n * t / steps))
    return init * ((alpha + lin) * c + beta)


def test_linear_cosine_tf() -> None:
    s = LinearCosine(0.1, 100)
    check(s, [(0, 0.1001), (50, 0.1 * (0.25 + 0.001)), (100, 0.0001), (1e9, 0.0001),
              (33.3, tf_lin_cos(33.3, 0.1, 100))])
    assert s.horizon == 100 and s.phases() == (100,)
    p = LinearCosine(0.1, 100, num_periods=2.0, alpha=0.1, beta=0.01)
    check(p, [(0, 0.1 * (1.1 + 0.01)), (25, 0.001), (50, 0.1 * (0.6 + 0.01)), (100, 0.1 * 0.11),
              (500, 0.1 * 0.11)])
    check(LinearCosine(0.1, 10, num_periods=0.0, beta=0.0), [(0, 0.1), (5, 0.05), (10, 0.0)])


_M = (1 << 64) - 1


def _splitmix64_outputs(seed: int, count: int) -> list[int]:
    """Reference SplitMix64 (Steele, Lea, Flood 2014): the first `count` outputs."""
    out, state = [], seed
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _M
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M
        out.append(z ^ (z >> 31))
    return out


def oracle_noise(seed: int, n: int) -> float:
    """Documented construction: SplitMix64 seeded with mix(seed + gamma) (the first output of
    a generator seeded with `seed`); step n uses its outputs 2n+1 and 2n+2, then Box-Muller."""
    key = _splitmix64_outputs(seed, 1)[0]
    z1, z2 = _splitmix64_outputs(key, 2 * n + 2)[2 * n:]
    u1 = ((z1 >> 11) + 1) / 2.0**53
    u2 = (z2 >> 11) / 2.0**53
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def test_noisy_linear_cosine_values() -> None:
    s = NoisyLinearCosine(0.1, 100, initial_variance=1e-4, variance_decay=0.55, seed=42)
    for t in (0, 1, 7, 50, 99, 100, 150):
        std = math.sqrt(1e-4 / (1 + min(t, 100)) ** 0.55)
        want = tf_lin_cos(t, 0.1, 100, eps=std * oracle_noise(42, t))
        assert close(s(t), want, 1e-12), t
    # a fractional step shares floor(t)'s draw; the variance uses t itself
    std = math.sqrt(1e-4 / (1 + 7.5) ** 0.55)
    assert close(s(7.5), tf_lin_cos(7.5, 0.1, 100, eps=std * oracle_noise(42, 7)))
    assert s.horizon == 100


def test_noisy_linear_cosine_is_a_pure_function_of_seed_and_step() -> None:
    s = NoisyLinearCosine(0.1, 1000, initial_variance=1e-4, seed=3)
    t = np.arange(500, dtype=np.float64)
    a = s(t)
    assert np.array_equal(a, s(t)) and np.array_equal(a[::-1], s(t[::-1]))
    assert s(123) == a[123] == NoisyLinearCosine(0.1, 1000, initial_variance=1e-4, seed=3)(123)
    b = NoisyLinearCosine(0.1, 1000, initial_variance=1e-4, seed=4)(t)
    assert np.mean(a != b) > 0.99
    clean = NoisyLinearCosine(0.1, 1000, initial_variance=0.0)
    assert np.array_equal(clean(t), LinearCosine(0.1, 1000)(t))


def test_noise_statistics() -> None:
    from lrlab.families.linear_cosine import normal_noise

    z = normal_noise(11, np.arange(40000, dtype=np.float64))
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1.0) < 0.03
    assert 0.04 < np.mean(np.abs(z) > 2.0) < 0.052  # two-sided 2-sigma tail: 0.0455
    assert np.corrcoef(z[:-1], z[1:])[0, 1] < 0.03


def test_noisy_linear_cosine_negative_clip_warns() -> None:
    # TF's default variance pushes the value below 0 near the end of the decay
    s = NoisyLinearCosine(0.1, 100, seed=1)
    tf_vals = [tf_lin_cos(t, 0.1, 100, eps=math.sqrt(1 / (1 + t) ** 0.55) * oracle_noise(1, t))
               for t in range(100)]
    neg = [t for t, x in enumerate(tf_vals) if x < 0]
    assert neg, "the TF formula should go negative here"
    with pytest.warns(LrlabWarning, match="negative.*clipped to 0"):
        got = s(np.arange(100))
    assert np.all(got >= 0)
    assert all(got[t] == 0.0 for t in neg)
    assert all(close(got[t], tf_vals[t]) for t in range(100) if t not in neg)
    with pytest.warns(LrlabWarning, match=f"t={neg[0]}"):
        assert s(neg[0]) == 0.0


def test_noisy_linear_cosine_negative_raise() -> None:
    s = NoisyLinearCosine(0.1, 100, seed=1, negative="raise")
    with pytest.raises(ScheduleError, match=r"step t=\d+.* would be negative"):
        s(np.arange(100))
    first = next(t for t in range(100)
                 if tf_lin_cos(t, 0.1, 100,
                               eps=math.sqrt(1 / (1 + t) ** 0.55) * oracle_noise(1, t)) < 0)
    with pytest.raises(ScheduleError, match=f"step t={first} would be negative"):
        s(first)
    assert s(0) >= 0  # fine where the value is positive


# ---------------------------------------------------------------------------------------------
# Validation: every rule raises ScheduleError naming the parameter and the value
# ---------------------------------------------------------------------------------------------

OK: dict[type, dict[str, Any]] = {
    Exponential: dict(init=0.1, decay_rate=0.5, decay_steps=10),
    NaturalExp: dict(init=0.1, decay_rate=0.5, decay_steps=10),
    InverseTime: dict(init=0.1, decay_rate=0.5, decay_steps=10),
    LegacyDecay: dict(init=0.1, decay=0.01),
    Polynomial: dict(init=0.1, steps=100),
    Linear: dict(start=0.0, end=0.1, steps=10),
    Cosine: dict(init=0.1, steps=100),
    CosineRestarts: dict(init=0.1, first_steps=10),
    LinearCosine: dict(init=0.1, steps=100),
    NoisyLinearCosine: dict(init=0.1, steps=100),
}

BAD = [
    (Exponential, "init", -0.1, ">= 0"),
    (Exponential, "init", math.nan, "finite"),
    (Exponential, "init", "0.1", "a real number"),
    (Exponential, "decay_rate", 0, "> 0"),
    (Exponential, "decay_rate", -0.5, "> 0"),
    (Exponential, "decay_steps", 0, "> 0"),
    (Exponential, "staircase", 1, "True or False"),
    (Exponential, "begin", -1, ">= 0"),
    (Exponential, "end", -0.01, ">= 0"),
    (Exponential, "end", math.inf, "finite"),
    (NaturalExp, "init", -1, ">= 0"),
    (NaturalExp, "decay_rate", -0.5, ">= 0"),
    (NaturalExp, "decay_steps", -10, "> 0"),
    (NaturalExp, "staircase", "yes", "True or False"),
    (InverseTime, "init", -1, ">= 0"),
    (InverseTime, "decay_rate", -0.5, ">= 0"),
    (InverseTime, "decay_steps", 0.0, "> 0"),
    (InverseTime, "staircase", None, "True or False"),
    (LegacyDecay, "init", -1, ">= 0"),
    (LegacyDecay, "decay", -1e-3, ">= 0"),
    (Polynomial, "init", -1, ">= 0"),
    (Polynomial, "steps", 0, "> 0"),
    (Polynomial, "end", -0.1, ">= 0"),
    (Polynomial, "power", 0, "> 0"),
    (Polynomial, "cycle", 1, "True or False"),
    (Polynomial, "begin", -5, ">= 0"),
    (Linear, "start", -1, ">= 0"),
    (Linear, "end", -1, ">= 0"),
    (Linear, "steps", 0, "> 0"),
    (Cosine, "init", -1, ">= 0"),
    (Cosine, "steps", 0, "> 0"),
    (Cosine, "alpha", 1.5, "<= 1"),
    (Cosine, "alpha", -0.1, ">= 0"),
    (Cosine, "end", -0.1, ">= 0"),
    (Cosine, "exponent", 0, "> 0"),
    (Cosine, "periodic", "no", "True or False"),
    (CosineRestarts, "init", -1, ">= 0"),
    (CosineRestarts, "first_steps", 0, "> 0"),
    (CosineRestarts, "t_mul", 0.5, ">= 1"),
    (CosineRestarts, "m_mul", 0, "> 0"),
    (CosineRestarts, "alpha", 2, "<= 1"),
    (CosineRestarts, "end", -1, ">= 0"),
    (LinearCosine, "init", -1, ">= 0"),
    (LinearCosine, "steps", 0, "> 0"),
    (LinearCosine, "num_periods", -0.5, ">= 0"),
    (LinearCosine, "alpha", -0.1, ">= 0"),
    (LinearCosine, "beta", -0.1, ">= 0"),
    (NoisyLinearCosine, "initial_variance", -1, ">= 0"),
    (NoisyLinearCosine, "variance_decay", -0.1, ">= 0"),
    (NoisyLinearCosine, "seed", -1, ">= 0"),
    (NoisyLinearCosine, "seed", 1.5, "an integer"),
    (NoisyLinearCosine, "seed", 2**64, "an integer < 2**64"),
    (NoisyLinearCosine, "negative", "ignore", "one of 'clip', 'raise'"),
    (NoisyLinearCosine, "steps", 0, "> 0"),
]


@pytest.mark.parametrize(("cls", "name", "value", "rule"), BAD,
                         ids=[f"{c.__name__}-{n}={v!r}" for c, n, v, _ in BAD])
def test_validation_messages(cls: type, name: str, value: Any, rule: str) -> None:
    with pytest.raises(ScheduleError) as info:
        cls(**{**OK[cls], name: value})
    msg = str(info.value)
    assert f"`{name}`" in msg and f"{name}={value!r}" in msg and rule in msg, msg
    assert msg.startswith(cls.name + ":"), msg  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", [Cosine, CosineRestarts])
def test_alpha_and_end_are_exclusive(cls: type) -> None:
    with pytest.raises(ScheduleError, match=r"`end` must be None when alpha is given.*end=0.01"):
        cls(**OK[cls], alpha=0.1, end=0.01)
    assert cls(**OK[cls], alpha=0.0, end=0.01).end == 0.01


def test_parameters_are_normalised() -> None:
    s = Exponential(1, 1, 10, begin=5)
    assert type(s.init) is float and type(s.decay_steps) is float and type(s.begin) is float
    assert NoisyLinearCosine(0.1, 10, seed=3.0).seed == 3  # an integral float (YAML) is fine
    assert repr(Exponential(0.1, 0.5, 10)) == "exponential(init=0.1, decay_rate=0.5, decay_steps=10)"
