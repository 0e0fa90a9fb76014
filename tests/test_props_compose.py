"""Property tests of the combinators (hypothesis): monotone warmups, bounds, local time,
periodicity, epoch steps."""

from __future__ import annotations

import bisect
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lrlab
from lrlab import (
    Clamp,
    Constant,
    Join,
    MultiStep,
    PerEpoch,
    PiecewiseConstant,
    Repeat,
    Shift,
    StepDecay,
    Warmup,
)

FAST = settings(max_examples=60, deadline=None)

lrs = st.floats(min_value=1e-6, max_value=10.0, allow_nan=False, allow_infinity=False)
lengths = st.floats(min_value=0.5, max_value=1e5, allow_nan=False, allow_infinity=False)
fractions = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


@st.composite
def children(draw: st.DrawFn) -> lrlab.Schedule:
    """Schedules from the finished constant families, with random parameters."""
    kind = draw(st.sampled_from(["constant", "step", "multi", "piecewise"]))
    init = draw(lrs)
    if kind == "constant":
        return Constant(init)
    if kind == "step":
        return StepDecay(init, draw(lengths), draw(st.floats(0.05, 0.99)))
    bs = sorted(set(draw(st.lists(st.floats(0.5, 1e4), min_size=1, max_size=4))))
    if kind == "multi":
        return MultiStep(init, bs, draw(st.floats(0.05, 0.99)))
    vals = draw(st.lists(lrs, min_size=len(bs) + 1, max_size=len(bs) + 1))
    return PiecewiseConstant(bs, vals)


# -- warmup -----------------------------------------------------------------------------------


@FAST
@given(
    peak=lrs,
    start=st.floats(0.0, 10.0),
    steps=lengths,
    shape=st.sampled_from(["linear", "cosine"]),
    fs=st.lists(fractions, min_size=2, max_size=30),
)
def test_warmup_is_monotone_from_start_to_peak(
    peak: float, start: float, steps: float, shape: str, fs: list[float]
) -> None:
    s = Warmup(Constant(peak), steps=steps, start=start, shape=shape)
    t = np.array(sorted(f * steps for f in fs))
    vals = s(t)
    lo, hi = min(start, peak), max(start, peak)
    tol = 4 * np.finfo(float).eps * hi
    assert np.all(vals >= lo - tol) and np.all(vals <= hi + tol)
    d = np.diff(vals)
    if peak >= start:
        assert np.all(d >= -tol)
    else:
        assert np.all(d <= tol)
    assert s(0) == start
    # continuous at the end: the ramp heads for schedule(0) and reaches it at `steps`
    near = steps * (1 - 1e-9)
    assert abs(s(near) - s(steps)) <= 1e-8 * hi + tol
    assert s(steps) == peak


@FAST
@given(peak=lrs, start=lrs, steps=lengths, fs=st.lists(fractions, min_size=2, max_size=30))
def test_exponential_warmup_is_monotone_and_geometric(
    peak: float, start: float, steps: float, fs: list[float]
) -> None:
    s = Warmup(Constant(peak), steps=steps, start=start, shape="exponential")
    t = np.array(sorted(f * steps for f in fs))
    vals = s(t)
    d = np.diff(vals)
    tol = 8 * np.finfo(float).eps * max(start, peak)
    assert np.all(d >= -tol) if peak >= start else np.all(d <= tol)
    # the geometric mean of the two ends is reached half way
    assert math.isclose(s(steps / 2), math.sqrt(start * peak), rel_tol=1e-12)


@FAST
@given(child=children(), steps=lengths, t=st.floats(0, 1e6))
def test_warmup_after_the_ramp_is_the_child_at_local_or_global_time(
    child: lrlab.Schedule, steps: float, t: float
) -> None:
    s = Warmup(child, steps=steps)
    o = Warmup(child, steps=steps, overlap=True)
    if t >= steps:
        assert s(t) == child(t - steps)
        assert o(t) == child(t)


# -- clamp ------------------------------------------------------------------------------------


@FAST
@given(
    child=children(),
    a=st.floats(0, 5),
    b=st.floats(0, 5),
    which=st.sampled_from(["both", "min", "max"]),
    ts=st.lists(st.floats(0, 1e7), min_size=1, max_size=20),
)
def test_clamp_bounds_hold(
    child: lrlab.Schedule, a: float, b: float, which: str, ts: list[float]
) -> None:
    lo, hi = min(a, b), max(a, b)
    kw = {"both": {"min": lo, "max": hi}, "min": {"min": lo}, "max": {"max": hi}}[which]
    s = Clamp(child, **kw)
    t = np.array(ts)
    vals, raw = s(t), child(t)
    if "min" in kw:
        assert np.all(vals >= lo)
    if "max" in kw:
        assert np.all(vals <= hi)
    inside = (raw >= kw.get("min", -np.inf)) & (raw <= kw.get("max", np.inf))
    assert np.array_equal(vals[inside], raw[inside])  # untouched where already in bounds


# -- join -------------------------------------------------------------------------------------


@FAST
@given(
    pieces=st.lists(children(), min_size=1, max_size=5),
    gaps=st.lists(st.floats(0.25, 1e4), min_size=4, max_size=4),
    ts=st.lists(st.floats(0, 5e4), min_size=1, max_size=20),
    on_boundary=st.integers(0, 3),
)
def test_join_is_the_right_piece_at_local_time(
    pieces: list[lrlab.Schedule], gaps: list[float], ts: list[float], on_boundary: int
) -> None:
    bounds = list(np.cumsum(gaps[: len(pieces) - 1]))
    s = Join(pieces, bounds)
    if bounds:
        ts = [*ts, bounds[on_boundary % len(bounds)]]
    for t in ts:
        j = bisect.bisect_right(bounds, t)
        local = t if j == 0 else t - bounds[j - 1]
        assert s(t) == pieces[j](local)
    assert s(np.array(ts)).tolist() == [s(t) for t in ts]


# -- shift ------------------------------------------------------------------------------------


@FAST
@given(child=children(), d=st.integers(1, 10**5), t=st.integers(0, 10**7))
def test_shift_is_the_child_delayed(child: lrlab.Schedule, d: int, t: int) -> None:
    s = Shift(child, steps=d)
    assert s(t + d) == child(t)
    assert s(min(t, d - 1)) == child(0)


# -- repeat -----------------------------------------------------------------------------------


@FAST
@given(
    child=children(),
    period=st.integers(1, 1000),
    decay=st.floats(0.1, 1.0),
    i=st.integers(0, 200),
    tau=fractions,
)
def test_repeat_is_periodic_up_to_decay(
    child: lrlab.Schedule, period: int, decay: float, i: int, tau: float
) -> None:
    s = Repeat(child, period=period, decay=decay)
    local = math.floor(tau * period)  # integer steps: t - i * period is exact
    t = i * period + local
    assert s(t) == decay**i * child(local)
    assert math.isclose(s(t + period), decay * s(t), rel_tol=1e-12, abs_tol=1e-300)


@FAST
@given(
    ramp=st.floats(0.5, 200),
    period=st.floats(0.5, 100),
    mul=st.floats(1.0, 3.0),
    decay=st.floats(0.1, 1.0),
    i=st.integers(0, 12),
    tau=fractions,
)
def test_repeat_with_growing_periods_starts_each_cycle_at_its_sum(
    ramp: float, period: float, mul: float, decay: float, i: int, tau: float
) -> None:
    # a continuous child (a linear ramp 0 -> 1 over `ramp` steps, then 1), so that the
    # rounding of the restart step (a sum here, a closed form in lrlab) cannot flip a jump
    s = Repeat(Warmup(Constant(1.0), steps=ramp), period=period, decay=decay, period_mul=mul)
    start = sum(period * mul**k for k in range(i))
    length = period * mul**i
    local = tau * length
    if local < 1e-9 * (start + length) or length - local < 1e-9 * (start + length):
        return  # within rounding of a restart
    want = decay**i * min(local / ramp, 1.0)
    assert math.isclose(s(start + local), want, rel_tol=1e-9, abs_tol=1e-9)


# -- per_epoch --------------------------------------------------------------------------------


@FAST
@given(
    child=children(),
    spe=st.integers(1, 5000),
    e=st.integers(0, 10**4),
    offsets=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=10),
)
def test_per_epoch_stepwise_is_constant_within_an_epoch(
    child: lrlab.Schedule, spe: int, e: int, offsets: list[float]
) -> None:
    s = PerEpoch(child, steps_per_epoch=spe)
    f = PerEpoch(child, steps_per_epoch=spe, mode="fractional")
    ts = [e * spe + math.floor(o * spe) for o in offsets]  # integer steps of epoch e
    assert {s(t) for t in ts} == {child(e)}
    assert f(e * spe) == child(e)
