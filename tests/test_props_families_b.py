"""Property tests (hypothesis) for cyclic, one-cycle, inverse-sqrt / Noam and WSD schedules."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab import Cyclic, InverseSqrt, Noam, OneCycle, WarmupStableDecay

FAST = settings(max_examples=40, deadline=None)

lr = st.floats(0.0, 10.0, allow_nan=False)
pos_lr = st.floats(1e-6, 10.0)
length = st.integers(1, 60)
steps = st.floats(0.0, 1e4, allow_nan=False)


def _grid(top: float, n: int = 400) -> np.ndarray:
    return np.linspace(0.0, top, n)


# -- cyclic -----------------------------------------------------------------------------------


@FAST
@given(lr, lr, st.floats(0.5, 50), st.floats(0.5, 50),
       st.sampled_from(["triangular", "triangular2", "exp_range"]), st.floats(0.5, 1.0))
def test_cyclic_within_bounds(base: float, top: float, up: float, down: float, mode: str,
                              gamma: float) -> None:
    s = Cyclic(base, top, up, down, mode=mode, gamma=gamma if mode == "exp_range" else 1.0)
    vals = s(_grid(5 * (up + down), 1000))
    assert vals.min() >= min(base, top) and vals.max() <= max(base, top)
    assert s(0) == base


@FAST
@given(lr, lr, length, length, st.integers(0, 10**6), st.integers(1, 50))
def test_cyclic_triangular_is_periodic(base: float, top: float, up: int, down: int, t: int,
                                       k: int) -> None:
    s = Cyclic(base, top, up, down)
    total = up + down
    # x = 1 + t/T - cycle carries the rounding of 1 + t/T (~ (t/T) ulp), magnified by T/up
    tol = 4 * (t / total + k + 2) * 2.2e-16 * total / min(up, down) * abs(top - base)
    assert math.isclose(s(t), s(t + k * total), rel_tol=0, abs_tol=tol + 1e-300)
    assert math.isclose(s(k * total + up), top, rel_tol=0, abs_tol=tol + 1e-300)


@FAST
@given(lr, pos_lr, length, length, st.integers(1, 12))
def test_cyclic_triangular2_peak_halves_each_cycle(base: float, amp: float, up: int, down: int,
                                                   k: int) -> None:
    s = Cyclic(base, base + amp, up, down, mode="triangular2")
    total = up + down
    first, later = s(up) - base, s(up + k * total) - base
    assert math.isclose(later, first / 2**k, rel_tol=1e-9, abs_tol=1e-12)


@FAST
@given(lr, pos_lr, length, length)
def test_cyclic_rises_then_falls_within_a_cycle(base: float, amp: float, up: int,
                                                down: int) -> None:
    s = Cyclic(base, base + amp, up, down)
    rise = s(np.arange(0, up + 1))
    fall = s(np.arange(up, up + down + 1))
    assert np.all(np.diff(rise) >= 0) and np.all(np.diff(fall) <= 0)


@FAST
@given(lr, pos_lr, st.floats(0.5, 30), st.floats(0.5, 30), st.floats(0.5, 0.9999))
def test_cyclic_exp_range_envelope_decays(base: float, amp: float, up: float, down: float,
                                          gamma: float) -> None:
    s = Cyclic(base, base + amp, up, down, mode="exp_range", gamma=gamma)
    t = _grid(6 * (up + down), 600)
    assert np.all(s(t) - base <= amp * gamma**t * (1 + 1e-12) + 1e-15)


# -- one-cycle --------------------------------------------------------------------------------


@FAST
@given(pos_lr, st.integers(10, 3000), st.floats(0.05, 0.95), st.sampled_from(["cos", "linear"]),
       st.floats(1.5, 100), st.floats(1.5, 1e4))
def test_one_cycle_up_then_down(top: float, total: int, pct: float, anneal: str, div: float,
                                fdiv: float) -> None:
    s = OneCycle(top, total, pct_start=pct, anneal=anneal, div_factor=div, final_div_factor=fdiv)
    vals = s(np.arange(total + 20))
    peak = int(np.argmax(vals))
    e1 = pct * total - 1  # the peak step, where it is a whole number
    assert vals[peak] <= top * (1 + 1e-15)  # torch's linear rise may end an ulp high
    if e1 >= 0:
        assert peak in (math.floor(e1), math.ceil(e1))
    if e1 >= 0 and e1 == math.floor(e1):
        assert math.isclose(vals[int(e1)], top, rel_tol=1e-15)  # linear: (b - a) + a
    assert np.all(np.diff(vals[: peak + 1]) >= 0)
    assert np.all(np.diff(vals[peak:]) <= 1e-15 * top)
    assert np.all(vals[total - 1:] == vals[total - 1])  # held after T - 1
    # torch's arithmetic ends within an ulp of the peak of the final value
    assert math.isclose(vals[total - 1], top / div / fdiv, rel_tol=1e-12, abs_tol=1e-15 * top)


@FAST
@given(pos_lr, st.integers(20, 3000), st.floats(0.05, 0.5), st.sampled_from(["cos", "linear"]))
def test_one_cycle_three_phase_returns_to_start(top: float, total: int, pct: float,
                                                anneal: str) -> None:
    s = OneCycle(top, total, pct_start=pct, anneal=anneal, three_phase=True)
    e2 = 2 * pct * total - 2
    if e2 == math.floor(e2) and e2 >= 1:
        assert math.isclose(s(e2), top / 25, rel_tol=1e-12)
    vals = s(np.arange(total))
    assert vals.max() <= top * (1 + 1e-15) and vals.min() >= top / 25 / 1e4 * (1 - 1e-9)
    e1 = pct * total - 1
    if e1 == math.floor(e1):
        assert math.isclose(s(e1), top, rel_tol=1e-15)


# -- inverse sqrt / Noam ----------------------------------------------------------------------


@FAST
@given(pos_lr, st.integers(0, 500), st.one_of(st.none(), st.floats(0.5, 1e4)), steps)
def test_inverse_sqrt_peak_and_decay(init: float, warmup: int, timescale: float | None,
                                     t: float) -> None:
    s = InverseSqrt(init, warmup, timescale)
    # HF's (t + (tau - W)) / tau rounds at t = W when tau is small next to W
    assert math.isclose(s(warmup), init, rel_tol=1e-13)
    assert 0 <= s(t) <= init * (1 + 1e-13)
    tt = max(t, float(warmup))
    assert s(tt + 1) <= s(tt)  # non-increasing after warmup
    if warmup:
        assert s(0) == 0 and s(warmup / 2) <= s(warmup)


@FAST
@given(st.floats(1, 4096), st.floats(1, 10**5), st.floats(0.1, 10))
def test_noam_peaks_at_warmup(d: float, warmup: float, factor: float) -> None:
    s = Noam(d, warmup, factor)
    peak = factor * (d * warmup) ** -0.5
    t = _grid(4 * warmup, 400)
    assert s(t).max() <= peak * (1 + 1e-12)
    assert math.isclose(s(warmup - 1), peak, rel_tol=1e-12)
    # 1/sqrt decay after the peak: quadrupling t + 1 halves the value
    assert math.isclose(s(4 * warmup - 1), peak / 2, rel_tol=1e-12)


# -- warmup-stable-decay ----------------------------------------------------------------------


shapes = st.sampled_from(["linear", "cosine", "1-sqrt"])


@FAST
@given(pos_lr, st.floats(0, 100), st.floats(0.5, 100), st.floats(0, 100), lr, lr, shapes, shapes)
def test_wsd_plateau_and_monotone_phases(peak: float, w: float, stable: float, d: float,
                                         start: float, end: float, decay: str,
                                         warmup: str) -> None:
    s = WarmupStableDecay(peak, w, stable, d, start=start, end=end, decay=decay, warmup=warmup)
    plateau = s(np.linspace(w, w + stable, 50, endpoint=False))
    assert np.all(plateau == peak)
    up = s(np.linspace(0, w, 60, endpoint=False))
    sign = 1 if peak >= start else -1
    assert np.all(sign * np.diff(up) >= -1e-15 * peak)
    down = s(np.linspace(w + stable, w + stable + d, 60))
    sign = 1 if peak >= end else -1
    assert np.all(sign * np.diff(down) <= 1e-15 * peak)
    assert s(w + stable + d) == end and s(10 * (w + stable + d) + 1) == end
    lo, hi = min(start, peak, end), max(start, peak, end)
    vals = s(_grid(1.2 * (w + stable + d) + 1))
    assert vals.min() >= lo and vals.max() <= hi


@FAST
@given(pos_lr, st.floats(1, 100), st.floats(0, 100), st.floats(1, 100), lr, lr, shapes, shapes)
def test_wsd_continuous_at_joins(peak: float, w: float, stable: float, d: float, start: float,
                                 end: float, decay: str, warmup: str) -> None:
    s = WarmupStableDecay(peak, w, stable, d, start=start, end=end, decay=decay, warmup=warmup)
    eps = 1e-10 * max(w, stable, d)
    scale = max(peak, start, end)
    for b in (w, w + stable, w + stable + d):
        # 1-sqrt has an infinite slope at the end of the warmup / start of the decay
        tol = 1e-4 * scale if "1-sqrt" in (decay, warmup) else 1e-7 * scale
        assert abs(s(b) - s(max(b - eps, 0.0))) <= tol + 1e-300
