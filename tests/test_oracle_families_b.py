"""Oracle tests for cyclic, one-cycle, inverse-sqrt / Noam and warmup-stable-decay.

The expected values are written here in plain Python with ``math``, from the formulas in the
frameworks' sources (torch/optim/lr_scheduler.py ``CyclicLR.get_lr`` and ``OneCycleLR.get_lr``;
transformers/optimization.py ``_get_inverse_sqrt_schedule_lr_lambda`` and
``_get_wsd_scheduler_lambda``; Vaswani et al. 2017 eq. 3), never by calling lrlab.  They are
checked at step 0, at every phase boundary, at the horizon and past it.  A last section checks
the same schedules against the real frameworks when they are installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlab
from lrlab import Cyclic, InverseSqrt, Noam, OneCycle, ScheduleError, WarmupStableDecay

REL = 1e-12


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


# ---------------------------------------------------------------------------------------------
# Cyclic (torch CyclicLR.get_lr)
# ---------------------------------------------------------------------------------------------


def clr(t, base, top, up, down=None, mode="triangular", gamma=1.0, fn=None, fn_mode="cycle"):
    down = up if down is None else down
    total = up + down
    ratio = up / total
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    frac = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    if fn is None:
        g = {"triangular": 1.0, "triangular2": 1 / 2.0 ** (cycle - 1)}.get(mode, gamma**t)
    else:
        g = fn(cycle if fn_mode == "cycle" else t)
    return base + (top - base) * frac * g


@pytest.mark.parametrize(
    ("t", "want"),
    [(0, 0.001), (5, 0.0505), (10, 0.1), (15, 0.0505), (20, 0.001), (30, 0.1), (10**6, 0.001),
     (10**6 + 10, 0.1), (2.5, 0.001 + 0.099 * 0.25)],
)
def test_cyclic_triangular_literals(t: float, want: float) -> None:
    assert close(Cyclic(0.001, 0.1, step_size_up=10)(t), want)


def test_cyclic_asymmetric() -> None:
    s = Cyclic(0.0, 1.0, step_size_up=2, step_size_down=6)
    for t, want in [(0, 0.0), (1, 0.5), (2, 1.0), (5, 0.5), (8, 0.0), (10, 1.0), (16, 0.0)]:
        assert close(s(t), want), t
    for t in np.linspace(0, 50, 201):
        assert close(s(float(t)), clr(float(t), 0.0, 1.0, 2, 6), 1e-12)


def test_cyclic_triangular2_halves() -> None:
    s = Cyclic(0.01, 0.11, step_size_up=3, step_size_down=5, mode="triangular2")
    peaks = [s(3 + 8 * k) for k in range(6)]
    assert all(close(p, 0.01 + 0.1 / 2**k) for k, p in enumerate(peaks))
    assert s(8) == 0.01 and s(16) == 0.01
    for t in range(200):
        assert close(s(t), clr(t, 0.01, 0.11, 3, 5, "triangular2"))
    assert s(10**12) == 0.01  # 2**-(cycle - 1) underflows to 0 instead of overflowing


def test_cyclic_exp_range_uses_global_step() -> None:
    s = Cyclic(0.01, 0.3, step_size_up=5, mode="exp_range", gamma=0.9)
    assert s(0) == 0.01
    assert close(s(5), 0.01 + 0.29 * 0.9**5)
    assert close(s(15), 0.01 + 0.29 * 0.9**15)  # second peak: gamma ** t, not ** (t - 10)
    for t in range(100):
        assert close(s(t), clr(t, 0.01, 0.3, 5, None, "exp_range", 0.9))
    assert s(10**9) == 0.01


def test_cyclic_inverted_bounds() -> None:
    s = Cyclic(0.2, 0.05, step_size_up=3.5, step_size_down=1.5)
    assert s(0) == 0.2 and close(s(3.5), 0.05) and close(s(5), 0.2)
    vals = s(np.linspace(0, 40, 801))
    assert vals.min() >= 0.05 - 1e-15 and vals.max() <= 0.2


def test_cyclic_scale_schedule_cycle_and_iterations() -> None:
    halve = lrlab.StepDecay(1.0, step_size=1, gamma=0.5)  # 0.5 ** c at cycle c
    s = Cyclic(0.0, 1.0, step_size_up=2, scale=halve)
    for t in range(40):
        assert close(s(t), clr(t, 0.0, 1.0, 2, fn=lambda c: 0.5**c)), t
    assert close(s(2), 0.5) and close(s(6), 0.25)
    it = Cyclic(0.0, 1.0, step_size_up=2, scale=lrlab.StepDecay(1.0, 4, 0.5), scale_mode="iterations")
    for t in range(40):
        assert close(it(t), clr(t, 0.0, 1.0, 2, fn=lambda x: 0.5 ** (x // 4), fn_mode="iterations"))
    spec = Cyclic(0.0, 1.0, step_size_up=2, scale="constant(0.5)")
    assert spec.scale == lrlab.Constant(0.5) and spec(2) == 0.5


def test_cyclic_scale_callable() -> None:
    calls: list[object] = []

    def inv(c: int) -> float:
        calls.append(c)
        return 1.0 / c

    s = Cyclic(0.0, 1.0, step_size_up=2, scale=inv)
    assert close(s(2), 1.0) and close(s(6), 0.5) and close(s(10), 1 / 3)
    assert calls == [1, 2, 3] and all(type(c) is int for c in calls)  # 1-based ints, as torch
    calls.clear()
    out = s(np.arange(40))
    assert sorted(calls) == list(range(1, 11))  # once per distinct cycle
    assert np.allclose(out, [clr(t, 0.0, 1.0, 2, fn=lambda c: 1.0 / c) for t in range(40)])
    got: list[object] = []
    it = Cyclic(0.0, 1.0, step_size_up=2, scale=lambda x: got.append(x) or 1.0,
                scale_mode="iterations")
    it(3), it(2.5)
    assert got == [3, 2.5] and type(got[0]) is int
    with pytest.raises(ScheduleError, match="`scale`.*no config form"):
        s.to_config()
    assert "not expressible as spec text" in repr(s)


@pytest.mark.parametrize("bad", [-0.5, math.nan, math.inf, "x", None])
def test_cyclic_callable_bad_output_raises_at_call(bad: object) -> None:
    s = Cyclic(0.0, 1.0, step_size_up=2, scale=lambda c: bad)
    with pytest.raises(ScheduleError, match="`scale`.*finite number >= 0"):
        s(1)
    with pytest.raises(ScheduleError, match="`scale`"):
        s(np.arange(5))


def test_cyclic_refuses_negative_result() -> None:
    s = Cyclic(0.3, 0.1, step_size_up=6, scale=lrlab.Constant(5.0))
    assert s(0) == 0.3
    with pytest.raises(ScheduleError, match="negative"):
        s(6)
    with pytest.raises(ScheduleError, match="negative"):
        s(np.arange(20))


def test_cyclic_phases() -> None:
    s = Cyclic(0.0, 1.0, step_size_up=2, step_size_down=6)
    ph = s.phases()
    assert ph[:5] == (2.0, 8.0, 10.0, 16.0, 18.0)
    assert len(ph) <= 200 and s.horizon is None


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"base_lr": -0.1}, "base_lr"),
        ({"max_lr": -1}, "max_lr"),
        ({"max_lr": math.nan}, "max_lr"),
        ({"step_size_up": 0}, "step_size_up"),
        ({"step_size_up": -3}, "step_size_up"),
        ({"step_size_down": 0}, "step_size_down"),
        ({"step_size_up": 1e20, "step_size_down": 1e-5}, "step_size_down"),
        ({"mode": "triangle"}, "mode"),
        ({"mode": "exp_range", "gamma": 0}, "gamma"),
        ({"mode": "exp_range", "gamma": 1.01}, "gamma"),
        ({"gamma": 0.9}, "gamma"),
        ({"scale_mode": "iterations"}, "scale_mode"),
        ({"scale": lambda c: 1.0, "scale_mode": "epoch"}, "scale_mode"),
        ({"scale": lambda c: 1.0, "mode": "triangular2"}, "mode"),
        ({"scale": 3.0}, "scale"),
        ({"step_size_up": True}, "step_size_up"),
    ],
)
def test_cyclic_validation(kwargs: dict, param: str) -> None:
    args = {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10, **kwargs}
    with pytest.raises(ScheduleError, match=f"cyclic: argument `{param}` must be"):
        Cyclic(**args)


# ---------------------------------------------------------------------------------------------
# OneCycle (torch OneCycleLR.get_lr)
# ---------------------------------------------------------------------------------------------


def onecycle(t, top, total, pct=0.3, anneal="cos", div=25.0, fdiv=1e4, three=False):
    initial = top / div
    low = initial / fdiv
    if three:
        phases = [(pct * total - 1, initial, top), (2 * pct * total - 2, top, initial),
                  (total - 1, initial, low)]
    else:
        phases = [(pct * total - 1, initial, top), (total - 1, top, low)]
    t = min(t, total - 1)  # lrlab holds the value of step T - 1 afterwards
    start = 0.0
    for i, (end, a, b) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            p = (t - start) / (end - start) if end != start else 1.0
            if anneal == "cos":
                return b + (a - b) / 2 * (math.cos(math.pi * p) + 1)
            return (b - a) * p + a
        start = end
    raise AssertionError


def test_one_cycle_two_phase_edges() -> None:
    s = OneCycle(0.1, total_steps=100)
    assert close(s(0), 0.004)
    assert s(29) == 0.1  # the peak, at pct_start * T - 1
    assert close(s(14.5), (0.004 + 0.1) / 2)  # halfway up
    assert close(s(64), 4e-7 + (0.1 - 4e-7) / 2)  # halfway down: (29 + 99) / 2
    assert close(s(99), 4e-7) and close(s(100), 4e-7) and close(s(10**9), 4e-7)
    for t in range(0, 130):
        assert close(s(t), onecycle(t, 0.1, 100)), t
    assert s.horizon == 99 and s.phases() == (29.0, 99.0)


def test_one_cycle_three_phase_linear() -> None:
    s = OneCycle(1.0, total_steps=1000, pct_start=0.25, anneal="linear", three_phase=True,
                 div_factor=10, final_div_factor=100)
    assert close(s(0), 0.1) and s(249) == 1.0 and close(s(498), 0.1) and close(s(999), 1e-3)
    assert close(s(124.5), 0.55) and close(s(373.5), 0.55)
    for t in [*range(0, 1100, 7), 249, 498, 999]:
        assert close(s(t), onecycle(t, 1.0, 1000, 0.25, "linear", 10, 100, True)), t
    assert s.phases() == (249.0, 498.0, 999.0)


def test_one_cycle_degenerate_phases() -> None:
    # pct_start * total_steps == 1: torch divides 0 by 0 at step 0; lrlab gives the peak.
    s = OneCycle(0.5, total_steps=10, pct_start=0.1)
    assert s(0) == 0.5 and close(s(9), 0.5 / 25 / 1e4)
    # pct_start = 0: the rise ends at step -1, so step 0 is already 1/T into the decay.
    z = OneCycle(0.5, total_steps=7, pct_start=0.0)
    assert close(z(0), onecycle(0, 0.5, 7, 0.0)) and close(z(0), 0.02e-4 + (0.5 - 0.02e-4)
                                                           / 2 * (1 + math.cos(math.pi / 7)))
    # one step only: the end value
    assert close(OneCycle(0.5, total_steps=1)(0), 0.5 / 25 / 1e4)
    # pct_start = 1: rise over the whole run, then held
    one = OneCycle(0.5, total_steps=7, pct_start=1.0, anneal="linear", three_phase=True)
    assert close(one(3), 0.02 + 0.48 * 0.5) and one(6) == 0.5 and one(60) == 0.5


def test_one_cycle_momentum() -> None:
    mom = OneCycle.momentum(100)
    for t in (0, 10, 29, 50, 99, 150):
        want = onecycle(t, 0.85, 100, div=0.85 / 0.95, fdiv=1.0)
        assert close(mom(t), want)
    assert close(mom(0), 0.95) and mom(29) == 0.85 and close(mom(99), 0.95)
    three = OneCycle.momentum(100, three_phase=True, base_momentum=0.8, max_momentum=0.9)
    assert close(three(29), 0.8) and close(three(58), 0.9) and close(three(80), 0.9)
    with pytest.raises(ScheduleError, match="base_momentum"):
        OneCycle.momentum(100, base_momentum=0)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"max_lr": -1}, "max_lr"),
        ({"total_steps": 0.5}, "total_steps"),
        ({"total_steps": 0}, "total_steps"),
        ({"pct_start": -0.1}, "pct_start"),
        ({"pct_start": 1.1}, "pct_start"),
        ({"anneal": "cosine"}, "anneal"),
        ({"div_factor": 0}, "div_factor"),
        ({"final_div_factor": -1}, "final_div_factor"),
        ({"three_phase": 1}, "three_phase"),
        ({"max_lr": 1e300, "div_factor": 1e-10}, "div_factor"),
        ({"max_lr": 1e300, "div_factor": 1, "final_div_factor": 1e-10}, "final_div_factor"),
    ],
)
def test_one_cycle_validation(kwargs: dict, param: str) -> None:
    args = {"max_lr": 0.1, "total_steps": 100, **kwargs}
    with pytest.raises(ScheduleError, match=f"one_cycle: argument `{param}` must be"):
        OneCycle(**args)


# ---------------------------------------------------------------------------------------------
# InverseSqrt (HF get_inverse_sqrt_schedule) and Noam
# ---------------------------------------------------------------------------------------------


def hf_inverse_sqrt(t, lr, warmup, timescale=None):
    if timescale is None:
        timescale = warmup or 10_000
    if t < warmup:
        return lr * (float(t) / float(max(1, warmup)))
    return lr * (1.0 / math.sqrt((t + timescale - warmup) / timescale))


def test_inverse_sqrt_edges() -> None:
    s = InverseSqrt(0.01, warmup_steps=100)
    assert s(0) == 0.0 and s(50) == 0.005 and s(99) == 0.0099 and s(100) == 0.01
    assert close(s(400), 0.005) and close(s(10**8), 0.01 / math.sqrt(10**6))
    for t in [*range(0, 500, 3), 10**6]:
        assert close(s(t), hf_inverse_sqrt(t, 0.01, 100)), t
    assert s.horizon == 100 and s.phases() == (100.0,)


def test_inverse_sqrt_default_timescale_without_warmup() -> None:
    s = InverseSqrt(2.0)
    assert s(0) == 2.0 and close(s(30_000), 1.0) and s.horizon is None and s.phases() == ()
    for t in (1, 100, 12345, 10**9):
        assert close(s(t), hf_inverse_sqrt(t, 2.0, 0)), t


def test_inverse_sqrt_explicit_timescale() -> None:
    s = InverseSqrt(0.01, warmup_steps=10, timescale=3)
    assert s(10) == 0.01 and close(s(13), 0.01 / math.sqrt(2)) and close(s(19), 0.005)
    for t in range(0, 60):
        assert close(s(t), hf_inverse_sqrt(t, 0.01, 10, 3)), t


def noam(t, d, warmup, factor=1.0):
    step = t + 1
    return factor * d**-0.5 * min(step**-0.5, step * warmup**-1.5)


def test_noam_edges() -> None:
    s = Noam(512, warmup_steps=4000)
    peak = 512**-0.5 * 4000**-0.5
    assert close(s(0), 512**-0.5 * 4000**-1.5) and close(s(3999), peak)
    assert close(s(15999), peak / 2) and s(3998) < s(3999) and s(4000) < s(3999)
    for t in [*range(0, 10000, 97), 3999, 4000, 10**9]:
        assert close(s(t), noam(t, 512, 4000)), t
    f = Noam(64, warmup_steps=10, factor=2)
    for t in range(40):
        assert close(f(t), noam(t, 64, 10, 2.0)), t
    assert s.horizon == 3999 and s.phases() == (3999.0,)
    assert Noam(1, 0.5).phases() == () and close(Noam(1, 0.5)(3), 0.5)


@pytest.mark.parametrize(
    ("cls", "kwargs", "param"),
    [
        (InverseSqrt, {"init": -1}, "init"),
        (InverseSqrt, {"init": 1, "warmup_steps": -1}, "warmup_steps"),
        (InverseSqrt, {"init": 1, "timescale": 0}, "timescale"),
        (InverseSqrt, {"init": 1, "timescale": -5}, "timescale"),
        (InverseSqrt, {"init": 1, "timescale": math.inf}, "timescale"),
        (Noam, {"d_model": 0, "warmup_steps": 10}, "d_model"),
        (Noam, {"d_model": 512, "warmup_steps": 0}, "warmup_steps"),
        (Noam, {"d_model": 512, "warmup_steps": 5e-324}, "warmup_steps"),
        (Noam, {"d_model": 512, "warmup_steps": 10, "factor": -1}, "factor"),
        (Noam, {"d_model": 1e-300, "warmup_steps": 10, "factor": 1e300}, "factor"),
    ],
)
def test_inverse_sqrt_noam_validation(cls: type, kwargs: dict, param: str) -> None:
    with pytest.raises(ScheduleError, match=f"{cls.name}: argument `{param}` must be"):
        cls(**kwargs)


# ---------------------------------------------------------------------------------------------
# WarmupStableDecay (HF get_wsd_schedule, absolute values)
# ---------------------------------------------------------------------------------------------


def wsd(t, peak, w, s, d, start=0.0, end=0.0, decay="linear", warmup="linear"):
    if t < w:
        q = t / w
        h = {"linear": q, "cosine": 0.5 * (1 - math.cos(math.pi * q)),
             "1-sqrt": 1 - math.sqrt(1 - q)}[warmup]
        return start + (peak - start) * h
    if t < w + s:
        return peak
    if t < w + s + d:
        p = (t - w - s) / d
        f = {"linear": 1 - p, "cosine": 0.5 * (1 + math.cos(math.pi * p)),
             "1-sqrt": 1 - math.sqrt(p)}[decay]
        return end + (peak - end) * f
    return end


def test_wsd_linear_edges() -> None:
    s = WarmupStableDecay(0.1, warmup_steps=10, stable_steps=80, decay_steps=10)
    want = {0: 0.0, 5: 0.05, 9.5: 0.095, 10: 0.1, 50: 0.1, 89.9: 0.1, 90: 0.1, 95: 0.05,
            99: 0.01, 100: 0.0, 10**9: 0.0}
    for t, w in want.items():
        assert close(s(t), w, 1e-12) or abs(s(t) - w) < 1e-17, t
    assert s.horizon == 100 and s.phases() == (10.0, 90.0, 100.0)


@pytest.mark.parametrize("decay", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("warmup", ["linear", "cosine", "1-sqrt"])
def test_wsd_shapes(decay: str, warmup: str) -> None:
    s = WarmupStableDecay(0.1, 8, 12, 20, start=0.01, end=0.002, decay=decay, warmup=warmup)
    for t in np.linspace(0, 50, 401):
        assert close(s(float(t)), wsd(float(t), 0.1, 8, 12, 20, 0.01, 0.002, decay, warmup),
                     1e-12), (t, decay, warmup)
    assert s(0) == 0.01 and s(8) == 0.1 and s(20) == 0.1 and s(40) == 0.002


def test_wsd_shape_midpoints() -> None:
    assert close(WarmupStableDecay(1.0, 4, 0, 4, decay="cosine")(6), 0.5)
    assert close(WarmupStableDecay(1.0, 4, 0, 4, decay="1-sqrt")(5), 0.5)  # 1 - sqrt(1/4)
    assert close(WarmupStableDecay(1.0, 4, 0, 4, warmup="cosine")(2), 0.5)
    assert close(WarmupStableDecay(1.0, 4, 0, 4, warmup="1-sqrt")(3), 0.5)  # 1 - sqrt(1/4)


def test_wsd_matches_hf_min_lr_ratio_form() -> None:
    # HF: lr * (factor * (1 - r) + r), warmup starting at r (not 0); start = end = r * lr.
    lr, r = 3e-4, 0.1
    s = WarmupStableDecay(lr, 100, 300, 100, start=r * lr, end=r * lr, decay="cosine")
    for t in [0, 1, 50, 99, 100, 250, 399, 400, 450, 499, 500, 800]:
        if t < 100:
            f = t / 100
        elif t < 400:
            f = 1.0
        elif t < 500:
            f = 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * (t - 400) / 100))
        else:
            f = 0.0
        assert close(s(t), lr * (f * (1 - r) + r), 1e-13), t


def test_wsd_zero_length_phases() -> None:
    s = WarmupStableDecay(0.1, warmup_steps=0, stable_steps=20, decay_steps=0, end=0.05)
    assert s(0) == 0.1 and s(19.99) == 0.1 and s(20) == 0.05 and s.phases() == (20.0,)
    z = WarmupStableDecay(0.1, 0, 0, 0, end=0.02)
    assert z(0) == 0.02 and z.horizon == 0 and z.phases() == ()


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"peak": -0.1}, "peak"),
        ({"warmup_steps": -1}, "warmup_steps"),
        ({"stable_steps": -1}, "stable_steps"),
        ({"decay_steps": math.nan}, "decay_steps"),
        ({"start": -1}, "start"),
        ({"end": math.inf}, "end"),
        ({"decay": "exp"}, "decay"),
        ({"warmup": "sqrt"}, "warmup"),
        ({"warmup_steps": 1e308, "stable_steps": 1e308}, "decay_steps"),
    ],
)
def test_wsd_validation(kwargs: dict, param: str) -> None:
    args = {"peak": 0.1, "warmup_steps": 10, "stable_steps": 10, "decay_steps": 10, **kwargs}
    with pytest.raises(ScheduleError, match=f"wsd: argument `{param}` must be"):
        WarmupStableDecay(**args)


# ---------------------------------------------------------------------------------------------
# Against the real frameworks (skipped where a framework is not installed)
# ---------------------------------------------------------------------------------------------


def _torch_lrs(make, n):  # type: ignore[no-untyped-def]
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    sched = make(torch.optim.lr_scheduler, opt)
    lrs, moms = [opt.param_groups[0]["lr"]], [opt.param_groups[0]["momentum"]]
    for _ in range(n):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
    return np.array(lrs), np.array(moms)


@pytest.mark.parity
@pytest.mark.parametrize(
    "kw",
    [
        {"step_size_up": 7},
        {"step_size_up": 3, "step_size_down": 11, "mode": "triangular2"},
        {"step_size_up": 5, "step_size_down": 2, "mode": "exp_range", "gamma": 0.995},
    ],
)
def test_cyclic_parity_torch(kw: dict) -> None:
    ref, _ = _torch_lrs(lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.3, **kw), 1500)
    ours = Cyclic(0.01, 0.3, **kw)(np.arange(1501))
    assert np.array_equal(ours, ref)  # same operations in the same order


@pytest.mark.parity
@pytest.mark.parametrize(
    "kw",
    [
        {"total_steps": 1000},
        {"total_steps": 997, "pct_start": 0.25, "anneal_strategy": "linear"},
        {"total_steps": 500, "three_phase": True, "div_factor": 10.0, "final_div_factor": 1e3},
        {"total_steps": 37, "pct_start": 0.0},
    ],
)
def test_one_cycle_parity_torch(kw: dict) -> None:
    total = kw["total_steps"]
    ref, mom = _torch_lrs(lambda m, o: m.OneCycleLR(o, max_lr=0.2, **kw), total - 1)
    args = {k: v for k, v in kw.items() if k != "anneal_strategy"}
    s = OneCycle(0.2, anneal=kw.get("anneal_strategy", "cos"), **args)
    assert np.array_equal(s(np.arange(total)), ref)
    m = OneCycle.momentum(total, pct_start=kw.get("pct_start", 0.3),
                          anneal=kw.get("anneal_strategy", "cos"),
                          three_phase=kw.get("three_phase", False))
    np.testing.assert_allclose(m(np.arange(total)), mom, rtol=1e-15)


def _hf_lrs(name, n, **kw):  # type: ignore[no-untyped-def]
    pytest.importorskip("torch")
    opt_mod = pytest.importorskip("transformers.optimization")
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.01)
    sched = getattr(opt_mod, name)(opt, **kw)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(n):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return np.array(lrs)


@pytest.mark.parity
@pytest.mark.parametrize(("warmup", "timescale"), [(100, None), (0, None), (10, 3)])
def test_inverse_sqrt_parity_hf(warmup: int, timescale: int | None) -> None:
    ref = _hf_lrs("get_inverse_sqrt_schedule", 3000, num_warmup_steps=warmup,
                  timescale=timescale)
    ours = InverseSqrt(0.01, warmup, timescale)(np.arange(3001))
    assert np.array_equal(ours, ref)  # init * multiplier, as LambdaLR computes it


@pytest.mark.parity
@pytest.mark.parametrize("decay", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("warmup", ["linear", "cosine", "1-sqrt"])
def test_wsd_parity_hf(decay: str, warmup: str) -> None:
    r = 0.05
    ref = _hf_lrs("get_wsd_schedule", 400, num_warmup_steps=50, num_stable_steps=200,
                  num_decay_steps=100, warmup_type=warmup, decay_type=decay, min_lr_ratio=r)
    s = WarmupStableDecay(0.01, 50, 200, 100, start=r * 0.01, end=r * 0.01, decay=decay,
                          warmup=warmup)
    np.testing.assert_allclose(s(np.arange(401)), ref, rtol=1e-14, atol=0)
