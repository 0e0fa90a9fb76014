"""Independent values of the combinators at their edges.

Expected values are plain Python arithmetic, or a child schedule evaluated at the local time
computed here by hand (the child's own values are tested in its family's oracle); never the
combinator's own code path.  Edges: step 0, every boundary (a boundary step belongs to the
next piece), warmup end, shift point, every restart, and far past the horizon.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlab
from lrlab import (
    Clamp,
    Constant,
    Join,
    MultiStep,
    PerEpoch,
    PiecewiseConstant,
    Product,
    Repeat,
    Scale,
    Shift,
    StepDecay,
    Warmup,
)

SD = StepDecay(0.1, step_size=10, gamma=0.5)  # 0.1 * 0.5 ** floor(t / 10)


def sd(t: float) -> float:
    return 0.1 * 0.5 ** math.floor(t / 10)


def both(s: lrlab.Schedule, t: float) -> float:
    """The scalar value, after checking that the array path gives the same float."""
    x = s(t)
    assert s(np.array([t]))[0] == x
    return x


# -- warmup -----------------------------------------------------------------------------------


def test_warmup_linear_defaults() -> None:
    s = Warmup(Constant(0.1), steps=10)
    assert both(s, 0) == 0.0
    assert both(s, 5) == pytest.approx(0.05, rel=1e-15)
    assert both(s, 9.5) == pytest.approx(0.095, rel=1e-15)
    assert both(s, 10) == 0.1  # warmup end: the schedule's own step 0
    assert both(s, 10**9) == 0.1
    assert s.horizon == 10.0 and s.phases() == (10.0,)


def test_warmup_hands_local_time_to_the_schedule() -> None:
    s = Warmup(SD, steps=10)
    for t in (0, 3, 7):
        assert both(s, t) == pytest.approx(0.1 * t / 10, rel=1e-15)  # peak = SD(0) = 0.1
    for t in (10, 19, 20, 25, 30, 10**6):
        assert both(s, t) == sd(t - 10)
    assert s.horizon == 10.0


def test_warmup_overlap_hands_global_time_and_peaks_at_schedule_of_steps() -> None:
    s = Warmup(SD, steps=15, overlap=True)
    peak = sd(15)  # 0.05
    assert both(s, 0) == 0.0
    assert both(s, 6) == pytest.approx(peak * 6 / 15, rel=1e-15)
    for t in (15, 19, 20, 35, 10**6):
        assert both(s, t) == sd(t)
    # continuous at the end of the warmup: the ramp heads for schedule(15)
    assert s(15 - 1e-9) == pytest.approx(s(15), rel=1e-9)


def test_warmup_cosine_shape() -> None:
    s = Warmup(Constant(0.1), steps=8, start=0.01, shape="cosine")
    assert both(s, 0) == 0.01
    for t in (1, 2, 4, 6, 7.5):
        want = 0.01 + (0.1 - 0.01) * (1 - math.cos(math.pi * t / 8)) / 2
        assert both(s, t) == pytest.approx(want, rel=1e-14)
    assert both(s, 4) == pytest.approx(0.055, rel=1e-14)
    assert both(s, 8) == 0.1


def test_warmup_exponential_shape() -> None:
    s = Warmup(Constant(0.1), steps=4, start=1e-3, shape="exponential")
    assert both(s, 0) == 1e-3
    assert both(s, 1) == pytest.approx(1e-3 * 100**0.25, rel=1e-14)
    assert both(s, 2) == pytest.approx(0.01, rel=1e-14)
    assert both(s, 4) == 0.1


def test_warmup_explicit_peak_and_fractional_steps() -> None:
    s = Warmup(Constant(0.1), steps=2.5, peak=0.5)
    assert both(s, 2) == pytest.approx(0.5 * 2 / 2.5, rel=1e-15)
    assert both(s, 2.4) == pytest.approx(0.5 * 2.4 / 2.5, rel=1e-15)
    assert both(s, 2.5) == 0.1  # a deliberate jump down to the schedule
    # decreasing ramp (start above peak)
    d = Warmup(Constant(0.1), steps=4, start=0.3)
    assert [both(d, t) for t in (0, 2)] == [0.3, pytest.approx(0.2, rel=1e-15)]


def test_warmup_of_cosine_like_keras_warmup() -> None:
    # Keras CosineDecay(initial, decay_steps=D, warmup_target=p, warmup_steps=W):
    # t < W: initial + (p - initial) * t / W; then p * cos-decay over min(t - W, D) / D.
    w, d, p, init = 100, 900, 0.1, 0.001
    s = Warmup(lrlab.Cosine(p, steps=d), steps=w, start=init)
    assert both(s, 50) == pytest.approx(init + (p - init) * 50 / w, rel=1e-14)
    for t in (100, 550, 1000, 5000):
        tau = min(t - w, d)
        assert both(s, t) == pytest.approx(
            p * 0.5 * (1 + math.cos(math.pi * tau / d)), rel=1e-14, abs=1e-18
        )
    assert s.horizon == 1000.0


# -- join -------------------------------------------------------------------------------------

PW = PiecewiseConstant([3], [0.3, 0.2])


def test_join_boundaries_belong_to_the_next_piece_with_local_time() -> None:
    s = Join([Constant(0.01), SD, PW], boundaries=[5, 50])
    assert both(s, 0) == 0.01
    assert both(s, 4) == 0.01
    assert both(s, 4.999) == 0.01
    assert both(s, 5) == sd(0)
    assert both(s, 14) == sd(9)
    assert both(s, 15) == sd(10)
    assert both(s, 49) == sd(44)
    assert both(s, 50) == 0.3  # PW at local 0
    assert both(s, 52.5) == 0.3
    assert both(s, 53) == 0.2  # PW at local 3
    assert both(s, 10**9) == 0.2
    assert s.horizon == 50.0
    assert s.phases() == (5.0, 50.0, 53.0)  # boundaries and PW's own boundary, shifted


def test_join_fractional_boundaries_and_single_piece() -> None:
    s = Join([PW, SD], boundaries=[2.5])
    assert both(s, 2.4) == 0.3
    assert both(s, 2.5) == sd(0)
    assert both(s, 12.5) == sd(10)
    assert both(s, 12.4) == sd(9.9)
    one = Join([SD], boundaries=[])
    assert [both(one, t) for t in (0, 10, 25)] == [sd(0), sd(10), sd(25)]
    assert one.horizon is None


def test_join_array_path_on_unsorted_and_multi_dim_steps() -> None:
    s = Join([Constant(0.01), SD, PW], boundaries=[5, 50])
    t = np.array([[60, 0, 5], [49, 4, 50]], dtype=np.int64)
    want = [[0.2, 0.01, sd(0)], [sd(44), 0.01, 0.3]]
    assert s(t).tolist() == want


def test_join_matches_optax_join_schedules() -> None:
    optax = pytest.importorskip("optax")
    jnp = pytest.importorskip("jax.numpy")
    ref = optax.join_schedules(
        [
            optax.constant_schedule(0.01),
            optax.linear_schedule(0.1, 0.02, transition_steps=20),
            optax.constant_schedule(0.005),
        ],
        boundaries=[5, 50],
    )
    s = Join([Constant(0.01), lrlab.Linear(0.1, 0.02, 20), Constant(0.005)], boundaries=[5, 50])
    t = np.arange(0, 80)
    got = s(t)
    want = np.asarray(ref(jnp.asarray(t)), dtype=np.float64)  # float32 in JAX
    # JAX computes in float32: a few float32 ulps (eps = 1.2e-7); a piece off by one step or
    # seeing the global instead of the local step would be off by >= 4e-3
    np.testing.assert_allclose(got, want, rtol=4e-7, atol=0)
    assert got[5] == 0.1 and got[50] == 0.005 and got[4] == 0.01


# -- clamp ------------------------------------------------------------------------------------


def test_clamp_bounds() -> None:
    s = Clamp(StepDecay(0.1, step_size=10, gamma=0.1), min=0.005)
    assert both(s, 0) == 0.1
    assert both(s, 10) == pytest.approx(0.01, rel=1e-15)
    assert both(s, 20) == 0.005
    assert both(s, 10**9) == 0.005
    c = Clamp(SD, min=0.02, max=0.07)
    assert [both(c, t) for t in (0, 10, 20, 30, 40)] == [0.07, 0.05, 0.025, 0.02, 0.02]
    top = Clamp(SD, max=0.03)
    assert [both(top, t) for t in (0, 15, 25)] == [0.03, 0.03, 0.025]


def test_clamp_max_bounds_a_schedule_that_overflows() -> None:
    grow = StepDecay(0.1, step_size=1, gamma=2.0)
    with pytest.raises(lrlab.ScheduleError, match="no finite value"):
        grow(5000)
    s = Clamp(grow, max=1.0)
    assert both(s, 3) == 0.8
    assert both(s, 4) == 1.0
    assert both(s, 5000) == 1.0
    assert s(np.array([3, 5000, 10**12])).tolist() == [0.8, 1.0, 1.0]
    lo = Clamp(grow, min=0.5)  # only a floor: still no finite value
    with pytest.raises(lrlab.ScheduleError, match="no finite value"):
        lo(5000)
    with pytest.raises(lrlab.ScheduleError, match="no finite value"):
        lo(np.array([0, 5000]))


# -- shift ------------------------------------------------------------------------------------


def test_shift_holds_then_runs_on_local_time() -> None:
    s = Shift(SD, steps=10)
    assert both(s, 0) == sd(0)
    assert both(s, 9.5) == sd(0)
    assert both(s, 10) == sd(0)
    assert both(s, 19) == sd(9)
    assert both(s, 20) == sd(10)
    assert both(s, 10**9) == sd(10**9 - 10)
    assert s.horizon == 10.0 and s.phases() == (10.0,)
    z = Shift(SD, steps=2.5, before=0.0)
    assert [both(z, t) for t in (0, 2.4, 2.5, 12.5)] == [0.0, 0.0, sd(0), sd(10)]


# -- repeat -----------------------------------------------------------------------------------


def test_repeat_restarts_with_decay() -> None:
    child = StepDecay(0.1, step_size=5, gamma=0.5)
    s = Repeat(child, period=10, decay=0.5)
    assert both(s, 0) == 0.1
    assert both(s, 9) == 0.05
    for i in range(60):
        a = 10 * i
        assert both(s, a) == 0.5**i * 0.1, i  # each restart: decay**i * child(0)
        assert both(s, a + 5) == 0.5**i * 0.05
        if i:
            assert both(s, a - 1) == 0.5 ** (i - 1) * 0.05
    assert both(s, 10**6) == 0.0  # 0.5 ** 100000 underflows to 0
    assert s.horizon is None
    assert s.phases()[:3] == (10.0, 20.0, 30.0)
    assert Repeat(PW, period=10).phases()[:4] == (3.0, 10.0, 13.0, 20.0)


def test_repeat_growing_periods() -> None:
    child = StepDecay(1.0, step_size=1, gamma=0.5)  # 0.5 ** floor(local)
    s = Repeat(child, period=4, period_mul=1.5, decay=0.9)
    starts = [0.0]
    length = 4.0
    for _ in range(12):
        starts.append(starts[-1] + length)
        length *= 1.5
    assert starts[:6] == [0, 4, 10, 19, 32.5, 52.75]
    for i, a in enumerate(starts[:-1]):
        assert both(s, a) == pytest.approx(0.9**i, rel=1e-15), i
        assert both(s, a + 1) == pytest.approx(0.9**i * 0.5, rel=1e-15), i
        nxt = starts[i + 1]
        local = (nxt - 0.25) - a
        assert both(s, nxt - 0.25) == pytest.approx(0.9**i * 0.5 ** math.floor(local), rel=1e-15)


@pytest.mark.parametrize("q", [2, 3, 10])
def test_repeat_exact_restart_steps_despite_log_rounding(q: int) -> None:
    # T_i = (q**i - 1) / (q - 1) are integers; log1p(T_i (q - 1)) / log(q) rounds to just
    # below i for some i when q = 3 or 10, which a bare floor would put in the previous cycle.
    s = Repeat(StepDecay(1.0, step_size=1, gamma=0.5), period=1, period_mul=q, decay=0.5)
    glitches = 0
    for i in range(1, 25 if q < 10 else 15):
        a = (q**i - 1) // (q - 1)
        prev = (q ** (i - 1) - 1) // (q - 1)
        glitches += math.floor(math.log1p(a * (q - 1)) / math.log(q)) != i
        assert both(s, a) == 0.5**i, (q, i)  # the restart itself: decay**i * child(0)
        assert both(s, a - 1) == 0.5 ** (i - 1) * 0.5 ** (a - 1 - prev), (q, i)
    assert glitches > 0 or q == 2  # the hazard is really exercised


def test_repeat_decay_above_one_grows_then_raises() -> None:
    s = Repeat(Constant(0.1), period=1, decay=2.0)
    assert both(s, 3) == 0.8
    with pytest.raises(lrlab.ScheduleError, match="no finite value"):
        s(2000)
    with pytest.raises(lrlab.ScheduleError, match="no finite value"):
        s(np.array([0, 2000]))
    assert Clamp(s, max=1.0)(2000) == 1.0


def test_repeat_fractional_period_never_gives_negative_local_time() -> None:
    # the probe answers 9.0 for a negative local time (never a legal value)
    probe = PiecewiseConstant([0, 0.05], [9.0, 1.0, 2.0])
    for q in (1.0, 1.1):
        s = Repeat(probe, period=0.1, period_mul=q)
        t = np.array([k * 0.05 for k in range(400)] + [k / 10 for k in range(200)])
        vals = s(t)
        assert set(vals.tolist()) == {1.0, 2.0}
        assert [s(float(x)) for x in t] == vals.tolist()
    assert both(Repeat(probe, period=0.1), 0.3) in (1.0, 2.0)


# -- per_epoch --------------------------------------------------------------------------------


def test_per_epoch_stepwise_and_fractional() -> None:
    child = Warmup(Constant(1.0), steps=4)  # epoch e in [0, 4): e / 4
    s = PerEpoch(child, steps_per_epoch=100)
    f = PerEpoch(child, steps_per_epoch=100, mode="fractional")
    assert both(s, 0) == 0.0
    assert both(s, 99) == 0.0
    assert both(s, 100) == 0.25
    assert both(s, 150) == 0.25
    assert both(f, 150) == 0.375
    assert both(s, 399.5) == 0.75
    assert both(f, 399.5) == pytest.approx(3.995 / 4, rel=1e-15)
    assert both(s, 400) == both(f, 400) == 1.0
    assert s.horizon == 400.0 and s.phases() == (400.0,)
    m = PerEpoch(MultiStep(0.1, milestones=[30, 60]), steps_per_epoch=2.5)
    assert both(m, 74.9) == 0.1 and both(m, 75) == pytest.approx(0.01, rel=1e-15)
    assert m.phases() == (75.0, 150.0)


# -- nesting, arithmetic, serialisation -------------------------------------------------------


def test_nested_warmup_of_join_inside_product() -> None:
    s = Product([Warmup(Join([SD, Constant(0.01)], boundaries=[20]), steps=5), Constant(0.5)])
    assert both(s, 0) == 0.0
    assert both(s, 2) == pytest.approx(0.5 * 0.1 * 2 / 5, rel=1e-15)
    assert both(s, 5) == 0.5 * sd(0)
    assert both(s, 24) == 0.5 * sd(19)
    assert both(s, 25) == 0.5 * 0.01
    assert both(s, 10**9) == 0.5 * 0.01
    assert s.horizon == 25.0


def test_nested_repeat_of_join_per_epoch_and_scale_of_clamp_of_shift() -> None:
    cycle = Join([Warmup(Constant(0.2), steps=2), PW], boundaries=[6])
    s = PerEpoch(Repeat(cycle, period=9, decay=0.5), steps_per_epoch=10)
    # step 125 -> epoch 12 -> cycle 1 (starts at epoch 9), local epoch 3 -> warmup done: 0.2
    assert both(s, 125) == 0.5 * 0.2
    # step 155 -> epoch 15 -> cycle 1, local 6 -> PW(0) = 0.3
    assert both(s, 155) == 0.5 * 0.3
    # step 185 -> epoch 18 -> cycle 2 at local 0 -> warmup start 0.0
    assert both(s, 185) == 0.0
    assert both(s, 195) == 0.25 * 0.1  # epoch 19: cycle 2, local 1: 0.2 * 1 / 2
    c = Scale(Clamp(Shift(SD, steps=4), max=0.06), factor=0.5)
    assert [both(c, t) for t in (0, 14, 24)] == [0.03, 0.025, 0.0125]
    assert 2 * Shift(SD, steps=4) == Scale(Shift(SD, steps=4), 2)


def test_repr_and_config_of_a_nested_composite() -> None:
    s = Warmup(Join([SD, Constant(0.01)], boundaries=[20]), steps=5, shape="cosine")
    text = repr(s)
    assert text == (
        "warmup(schedule=join(schedules=[step_decay(init=0.1, step_size=10, gamma=0.5), "
        "constant(value=0.01)], boundaries=[20]), steps=5, shape='cosine')"
    )
    assert lrlab.parse(text) == s
    cfg = s.to_config()
    assert cfg["type"] == "warmup" and cfg["schedule"]["type"] == "join"
    assert cfg["schedule"]["schedules"][1] == {"type": "constant", "value": 0.01}
    assert lrlab.from_config(cfg) == s


# -- validation -------------------------------------------------------------------------------

BAD = [
    (lambda: Warmup(SD, steps=0), "`steps` must be a number > 0. Received: steps=0"),
    (lambda: Warmup(SD, steps=-5), "steps=-5"),
    (lambda: Warmup(SD, steps=10, start=-0.1), "`start` must be a number >= 0.*start=-0.1"),
    (lambda: Warmup(SD, steps=10, shape="quadratic"), "`shape` must be one of.*'quadratic'"),
    (lambda: Warmup(SD, steps=10, peak=-1), "`peak`.*>= 0.*peak=-1"),
    (lambda: Warmup(SD, steps=10, overlap="yes"), "`overlap` must be True or False"),
    (lambda: Warmup(0.1, steps=10), "`schedule` must be an lrlab schedule.*schedule=0.1"),
    (
        lambda: Warmup(SD, steps=10, shape="exponential"),
        "`start` must be > 0 when shape='exponential'. Received: start=0.0",
    ),
    (
        lambda: Warmup(Constant(0), steps=10, start=0.1, shape="exponential"),
        "`peak` must be > 0 when shape='exponential' \\(the default peak, S\\(0\\), is 0.0",
    ),
    (
        lambda: Warmup(SD, steps=10, start=0.1, shape="exponential", peak=0),
        "`peak` must be > 0 when shape='exponential'. Received: peak=0",
    ),
    (lambda: Join([SD, SD], boundaries=[]), "`boundaries` must be one fewer boundary"),
    (lambda: Join([SD, SD], boundaries=[5, 6]), "2 schedules\\). Received: boundaries=\\[5, 6\\]"),
    (lambda: Join([SD, SD, SD], boundaries=[5, 5]), "`boundaries` must be strictly increasing"),
    (lambda: Join([SD, SD], boundaries=[0]), "`boundaries\\[0\\]` must be a number > 0"),
    (lambda: Join([SD, SD], boundaries=[-3]), "boundaries\\[0\\]=-3"),
    (lambda: Join([], boundaries=[]), "`schedules` must be a list of at least 1 schedules"),
    (lambda: Join([SD, "nope("], boundaries=[3]), "nope"),
    (lambda: Join([SD, 3], boundaries=[3]), "`schedules\\[1\\]` must be an lrlab schedule"),
    (lambda: Clamp(SD), "`min` must be a number when `max` is None.*min=None"),
    (lambda: Clamp(SD, min=0.1, max=0.01), "`max` must be >= min \\(min=0.1\\).*max=0.01"),
    (lambda: Clamp(SD, min=-0.1), "`min` must be a number >= 0.*min=-0.1"),
    (lambda: Clamp(SD, max=-1), "`max` must be a number >= 0.*max=-1"),
    (lambda: Shift(SD, steps=0), "shift: argument `steps` must be a number > 0.*steps=0"),
    (lambda: Shift(SD, steps=3, before=-1), "`before` must be a number >= 0.*before=-1"),
    (lambda: Repeat(SD, period=0), "repeat: argument `period` must be a number > 0.*period=0"),
    (lambda: Repeat(SD, period=10, decay=0), "`decay` must be a number > 0.*decay=0"),
    (lambda: Repeat(SD, period=10, decay=-1), "decay=-1"),
    (lambda: Repeat(SD, period=10, period_mul=0.5), "`period_mul` must be a number >= 1"),
    (lambda: Repeat(SD, period=math.inf), "`period` must be a finite number"),
    (lambda: PerEpoch(SD, steps_per_epoch=0), "`steps_per_epoch` must be a number > 0"),
    (lambda: PerEpoch(SD, 10, mode="epochwise"), "`mode` must be one of.*'epochwise'"),
]


@pytest.mark.parametrize("make, msg", BAD, ids=[str(i) for i in range(len(BAD))])
def test_validation_errors_name_parameter_rule_and_value(make: object, msg: str) -> None:
    with pytest.raises(lrlab.ScheduleError, match=msg):
        make()  # type: ignore[operator]


def test_validation_via_spec_text() -> None:
    with pytest.raises(lrlab.ScheduleError, match="warmup: argument `steps`"):
        lrlab.parse("warmup(constant(0.1), steps=0)")
    with pytest.raises(lrlab.ScheduleError, match="join: argument `boundaries`"):
        lrlab.parse("join([constant(0.1), constant(0.2)], boundaries=[1, 2])")
