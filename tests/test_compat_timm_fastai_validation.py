"""Argument validation and spec parsing of lrlab.compat.timm and lrlab.compat.fastai.

Independent values at the edges are written here from timm's and fastai's source formulas
(timm/scheduler/*.py, fastai/callback/schedule.py), not by calling lrlab's formula code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlab
from lrlab import ScheduleError
from lrlab.compat import fastai, timm

# -- spec text parses ---------------------------------------------------------------------


def test_spec_text_parses() -> None:
    s = lrlab.parse("timm.CosineLRScheduler(lr=0.1, t_initial=100, warmup_t=5, warmup_lr_init=1e-4)")
    assert isinstance(s, timm.CosineLRScheduler)
    assert s(0) == 1e-4
    assert s(3) == 1e-4 + 3 * ((0.1 - 1e-4) / 5)
    # warmup_prefix=False: at t = 5 the cosine is already 5 steps in
    assert s(5) == 0.5 * 0.1 * (1 + math.cos(math.pi * 5 / 100))
    f = lrlab.parse("fastai.fit_one_cycle(lr_max=0.01, total_steps=1000)")
    assert isinstance(f, fastai.combine_scheds)
    assert f(0) == 0.01 / 25 and f(250) == 0.01
    assert lrlab.parse(repr(f)) == f


def test_positional_order_follows_the_originals() -> None:
    # timm: (optimizer, t_initial, lr_min, cycle_mul, ...) with lr in the optimizer's place
    a = timm.CosineLRScheduler(0.1, 100, 1e-5, 2.0, 0.5, 3)
    assert (a.t_initial, a.lr_min, a.cycle_mul, a.cycle_decay, a.cycle_limit) == (100, 1e-5, 2, 0.5, 3)
    p = timm.PolyLRScheduler(0.1, 100, 2.0)
    assert p.power == 2.0
    tanh = timm.TanhLRScheduler(0.1, 100, -6.0, 4.0)
    assert (tanh.lb, tanh.ub) == (-6.0, 4.0)
    st = timm.StepLRScheduler(0.1, 30, 0.5)
    assert (st.decay_t, st.decay_rate, st.warmup_prefix) == (30, 0.5, True)
    ms = timm.MultiStepLRScheduler(0.1, [10, 20], 0.5)
    assert ms.decay_t == (10.0, 20.0)
    # fastai: fit_one_cycle(lr_max, total_steps, div, div_final, pct_start)
    assert fastai.fit_one_cycle(0.01, 100, 10.0, 1e3, 0.5) == lrlab.parse(
        "fastai.combined_cos(0.5, 0.001, 0.01, 1e-05, total_steps=100)"
    )


# -- independent edge values ---------------------------------------------------------------


def test_timm_cosine_cycles_from_the_source_formula() -> None:
    s = timm.CosineLRScheduler(lr=0.1, t_initial=10, cycle_mul=2.0, cycle_limit=3, cycle_decay=0.5, lr_min=0.001)
    # cycles [0, 10), [10, 30), [30, 70), then lr_min
    assert s(0) == 0.1
    assert s(10) == pytest.approx(0.05)
    assert s(30) == pytest.approx(0.025)
    assert s(20) == pytest.approx(0.001 + 0.5 * (0.05 - 0.001) * (1 + math.cos(math.pi * 10 / 20)))
    assert s(70) == 0.001 and s(10**9) == 0.001
    assert s.horizon == 70 and s.phases() == (10, 30, 70)


def test_timm_k_decay() -> None:
    s = timm.CosineLRScheduler(lr=1.0, t_initial=100, k_decay=2.0)
    assert s(50) == pytest.approx(0.5 * (1 + math.cos(math.pi * 50**2 / 100**2)))


def test_timm_tanh_warmup_aims_at_the_main_value() -> None:
    s = timm.TanhLRScheduler(lr=0.1, t_initial=100, warmup_t=10)
    main_10 = 0.5 * 0.1 * (1 - math.tanh(-7 * (1 - 0.1) + 3 * 0.1))
    assert s(9) == pytest.approx(9 * main_10 / 10)
    assert s(10) == pytest.approx(main_10)
    c = timm.CosineLRScheduler(lr=0.1, t_initial=100, warmup_t=10)
    assert c(9) == pytest.approx(0.09)  # cosine: aims at lr, then jumps down to cos(10)


def test_timm_step_and_multistep_boundaries() -> None:
    s = timm.StepLRScheduler(lr=0.1, decay_t=30, decay_rate=0.5, warmup_t=5, warmup_lr_init=0.0)
    assert s(4) == pytest.approx(0.08) and s(5) == 0.1 and s(34) == 0.1 and s(35) == 0.05
    m = timm.MultiStepLRScheduler(lr=0.1, decay_t=[30, 60], decay_rate=0.5)
    assert m(28) == 0.1 and m(29) == 0.05 and m(59) == 0.025
    assert m.phases() == (29, 59)


def test_fastai_annealers_from_the_source_formula() -> None:
    assert fastai.SchedExp(1e-7, 10.0, total_steps=100)(50) == pytest.approx(1e-7 * (1e8) ** 0.5)
    assert fastai.SchedPoly(0.1, 0.0, 3.0, total_steps=10)(5) == pytest.approx(0.1 - 0.1 * 0.125)
    assert fastai.SchedNo(0.1, 0.9, total_steps=10)(7) == 0.1
    assert fastai.SchedCos(0.0, 0.1, total_steps=4)(1) == pytest.approx(0.05 * (1 + math.cos(math.pi * 0.75)))
    assert fastai.SchedLin(0.1, 0.0, total_steps=10)(10**6) == 0.0  # past the end: pos held at 1


def test_fastai_final_lr_differs_from_torch() -> None:
    s = fastai.fit_one_cycle(lr_max=0.01, total_steps=100)
    assert s(100) == pytest.approx(0.01 / 1e5)  # torch OneCycleLR would end at 0.01 / 25 / 1e4


def test_combine_scheds_zero_width_last_phase_holds_the_limit() -> None:
    s = fastai.fit_one_cycle(lr_max=0.1, total_steps=10, pct_start=1.0)
    assert s(10) == pytest.approx(0.1) and np.isfinite(s(np.arange(20.0))).all()


# -- bad arguments name the parameter --------------------------------------------------------

BAD = [
    ("timm.CosineLRScheduler(lr=-0.1, t_initial=100)", "lr"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=0)", "t_initial"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, lr_min=-1)", "lr_min"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, cycle_mul=0)", "cycle_mul"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, cycle_decay=-0.5)", "cycle_decay"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, cycle_limit=1.5)", "cycle_limit"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, cycle_limit=-1)", "cycle_limit"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, warmup_t=-1)", "warmup_t"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, warmup_lr_init=-1e-3)", "warmup_lr_init"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, warmup_prefix=1)", "warmup_prefix"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, t_in_epochs='yes')", "t_in_epochs"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, k_decay=0)", "k_decay"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_range_t=[10])", "noise_range_t"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_range_t=[10, -50])", "noise_range_t[1]"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_range_t=-10)", "noise_range_t"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_range_t='all')", "noise_range_t"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_pct=0)", "noise_pct"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_pct=1.5)", "noise_pct"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_std=-1)", "noise_std"),
    ("timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_seed=1.5)", "noise_seed"),
    ("timm.PolyLRScheduler(lr=0.1, t_initial=100, power=-1)", "power"),
    ("timm.TanhLRScheduler(lr=0.1, t_initial=100, lb=3.0, ub=3.0)", "ub"),
    ("timm.StepLRScheduler(lr=0.1, decay_t=0)", "decay_t"),
    ("timm.StepLRScheduler(lr=0.1, decay_t=10, decay_rate=-0.1)", "decay_rate"),
    ("timm.MultiStepLRScheduler(lr=0.1, decay_t=[20, 10])", "decay_t"),
    ("timm.MultiStepLRScheduler(lr=0.1, decay_t=[10, -5])", "decay_t[1]"),
    ("timm.WSDLRScheduler(lr=0.1, t_initial=100, decay_t=200)", "decay_t"),
    ("timm.WSDLRScheduler(lr=0.1, t_initial=100, decay_t=20, decay_fn='sqrt')", "decay_fn"),
    ("timm.WSDLRScheduler(lr=0.1, t_initial=100, decay_t=20, stable_fn='rsqrt')", "stable_timescale"),
    ("timm.WSDLRScheduler(lr=0.1, t_initial=100, decay_t=20, decay_ratio=1.0)", "decay_ratio"),
    ("fastai.SchedLin(-0.1, 0.0)", "start"),
    ("fastai.SchedCos(0.1, -1.0)", "end"),
    ("fastai.SchedCos(0.1, 0.0, total_steps=0)", "total_steps"),
    ("fastai.SchedExp(0.0, 1.0)", "start"),
    ("fastai.SchedPoly(0.1, 0.0, -2.0)", "power"),
    ("fastai.combine_scheds([0.5, 0.6], [fastai.SchedNo(0.1, 0.1), fastai.SchedNo(0.1, 0.1)])", "pcts"),
    ("fastai.combine_scheds([1.5, -0.5], [fastai.SchedNo(0.1, 0.1), fastai.SchedNo(0.1, 0.1)])", "pcts[1]"),
    ("fastai.combine_scheds([0.5, 0.5], [fastai.SchedNo(0.1, 0.1)])", "scheds"),
    ("fastai.combine_scheds([1.0], [constant(0.1)])", "scheds[0]"),
    ("fastai.combine_scheds([1.0], [fastai.SchedCos(0.1, 0.0, total_steps=10)])", "scheds[0].total_steps"),
    ("fastai.fit_one_cycle(lr_max=-0.01, total_steps=100)", "lr_max"),
    ("fastai.fit_one_cycle(lr_max=0.01, total_steps=0)", "total_steps"),
    ("fastai.fit_one_cycle(lr_max=0.01, total_steps=100, div=0)", "div"),
    ("fastai.fit_one_cycle(lr_max=0.01, total_steps=100, div_final=-1)", "div_final"),
    ("fastai.fit_one_cycle(lr_max=0.01, total_steps=100, pct_start=1.5)", "pct_start"),
    ("fastai.fit_flat_cos(lr=0.01, total_steps=100, pct_start=-0.1)", "pct_start"),
]


@pytest.mark.parametrize("spec,param", BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_name_the_parameter(spec: str, param: str) -> None:
    with pytest.raises(ScheduleError) as exc:
        lrlab.parse(spec)
    assert f"`{param}`" in str(exc.value), str(exc.value)


def test_direct_construction_raises_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="`t_initial`"):
        timm.CosineLRScheduler(lr=0.1, t_initial=-5)
    with pytest.raises(ScheduleError, match="`noise_range_t`"):
        timm.CosineLRScheduler(lr=0.1, t_initial=5, noise_range_t=(1, 3, 5))
    with pytest.raises(ScheduleError, match="`pcts`"):
        fastai.combine_scheds([0.2], [fastai.SchedNo(0.1, 0.1)])


def test_noise_is_a_function_of_seed_and_step() -> None:
    s = timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_range_t=[10, 50], noise_pct=0.5)
    clean = timm.CosineLRScheduler(lr=0.1, t_initial=100)
    t = np.arange(60.0)
    noisy, base = s(t), clean(t)
    assert np.array_equal(noisy[:10], base[:10]) and np.array_equal(noisy[50:], base[50:])
    ratio = noisy[10:50] / base[10:50] - 1
    assert np.all(np.abs(ratio) < 0.5) and np.count_nonzero(ratio) == 40
    assert s(20) == noisy[20]
    # a fractional step uses the noise of floor(t)
    assert s(20.7) / clean(20.7) == pytest.approx(s(20) / clean(20), rel=1e-12)
    other = timm.CosineLRScheduler(lr=0.1, t_initial=100, noise_range_t=[10, 50], noise_pct=0.5, noise_seed=43)
    assert np.all(other(t[10:50]) != noisy[10:50])


def test_plateau_is_refused() -> None:
    with pytest.raises(ScheduleError, match="not a pure schedule"):
        timm.PlateauLRScheduler(lr=0.1, decay_rate=0.5, patience_t=3)
    with pytest.raises(ScheduleError, match="not a pure schedule"):
        lrlab.parse("timm.PlateauLRScheduler(lr=0.1)")


def test_registered_names() -> None:
    names = set(lrlab.names())
    for n in ("CosineLRScheduler", "PolyLRScheduler", "StepLRScheduler", "MultiStepLRScheduler",
              "TanhLRScheduler", "WSDLRScheduler", "PlateauLRScheduler", "create_scheduler_v2"):
        assert f"timm.{n}" in names
    for n in ("SchedLin", "SchedCos", "SchedNo", "SchedExp", "SchedPoly", "combine_scheds",
              "combined_cos", "fit_one_cycle", "fit_flat_cos", "LRFinder"):
        assert f"fastai.{n}" in names
