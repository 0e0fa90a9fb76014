"""Parity of lrlab.compat.timm with the REAL timm schedulers (timm/scheduler/*.py).

The reference value at step ``t`` is ``optimizer.param_groups[0]['lr']`` after
``scheduler.step(t)`` (``t_in_epochs=True``) or ``scheduler.step_update(t)`` (otherwise),
driven on a real torch SGD optimizer.  timm computes in Python float64: tolerance F64.
The real timm scheduler package is loaded without torchvision, see ``_load_real.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import lrlab
from lrlab.compat import timm as lr_timm
from tests.parity._compare import F64, assert_parity
from tests.parity._load_real import timm_optimizer, timm_scheduler, timm_values

pytestmark = pytest.mark.parity

ts = timm_scheduler()


def _check(cls: str, lr: float, kwargs: dict[str, Any], steps: np.ndarray) -> None:
    ref_sched = getattr(ts, cls)(timm_optimizer(lr), **kwargs)
    ref = timm_values(ref_sched, steps)
    args = ", ".join(f"{k}={list(v) if isinstance(v, tuple) else v!r}" for k, v in kwargs.items())
    spec = f"timm.{cls}(lr={lr!r}, {args})"
    ours = lrlab.parse(spec)
    got_vec = ours(steps.astype(np.float64))
    assert_parity(got_vec, ref, F64, spec)
    # the scalar path too, at a sample of the steps (it must equal the vectorized path)
    sample = steps[:: max(1, len(steps) // 200)]
    assert [ours(int(t)) for t in sample] == ours(sample).tolist()


def _steps(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


COSINE = [
    (0.1, dict(t_initial=100), 300),
    (0.1, dict(t_initial=100, warmup_t=5, warmup_lr_init=1e-4), 300),
    (0.05, dict(t_initial=100, warmup_t=7, warmup_lr_init=1e-3, warmup_prefix=True, lr_min=1e-5), 300),
    (0.1, dict(t_initial=50, cycle_limit=3, cycle_decay=0.5, lr_min=1e-4), 400),
    (0.1, dict(t_initial=10, cycle_mul=2.0, cycle_limit=6, warmup_t=3, warmup_prefix=True), 700),
    (0.1, dict(t_initial=12, cycle_mul=1.5, cycle_limit=8, cycle_decay=0.7, k_decay=2.0), 600),
    (0.1, dict(t_initial=7, cycle_mul=3.0, cycle_limit=6, warmup_t=4, warmup_lr_init=0.01), 2700),
    # cycle_mul < 1: timm raises (math domain error) at or past t_initial / (1 - cycle_mul)
    (0.1, dict(t_initial=64, cycle_mul=0.5, cycle_limit=5, lr_min=1e-3), 127),
    (0.3, dict(t_initial=1000, k_decay=0.5, t_in_epochs=False, warmup_t=100, warmup_lr_init=1e-6), 2500),
    (0.01, dict(t_initial=30, lr_min=0.02), 60),  # lr_min above the base LR: timm allows it
    (0.1, dict(t_initial=25, cycle_limit=1000, cycle_decay=0.9), 3000),
]


@pytest.mark.parametrize("lr,kwargs,n", COSINE, ids=[str(k) for _, k, _ in COSINE])
def test_cosine(lr: float, kwargs: dict[str, Any], n: int) -> None:
    _check("CosineLRScheduler", lr, kwargs, _steps(n))


POLY = [
    (0.1, dict(t_initial=100), 250),
    (0.1, dict(t_initial=100, power=2.0, warmup_t=10, warmup_lr_init=1e-5), 250),
    (0.1, dict(t_initial=40, power=1.0, cycle_limit=4, cycle_decay=0.5, lr_min=1e-4, warmup_t=5, warmup_prefix=True), 300),
    (0.1, dict(t_initial=10, power=0.9, cycle_mul=2.0, cycle_limit=5, k_decay=1.5), 400),
    (0.2, dict(t_initial=500, power=3.0, k_decay=0.7, t_in_epochs=False), 1200),
]


@pytest.mark.parametrize("lr,kwargs,n", POLY, ids=[str(k) for _, k, _ in POLY])
def test_poly(lr: float, kwargs: dict[str, Any], n: int) -> None:
    _check("PolyLRScheduler", lr, kwargs, _steps(n))


TANH = [
    (0.1, dict(t_initial=100), 250),
    # warmup_prefix=False: the warmup aims at the main schedule's value at warmup_t
    (0.1, dict(t_initial=100, warmup_t=10, warmup_lr_init=1e-4), 250),
    (0.1, dict(t_initial=100, warmup_t=10, warmup_lr_init=1e-4, warmup_prefix=True), 250),
    (0.1, dict(t_initial=20, lb=-5.0, ub=5.0, cycle_mul=2.0, cycle_limit=4, cycle_decay=0.8, lr_min=1e-5), 400),
    (0.1, dict(t_initial=30, cycle_limit=3), 120),
]


@pytest.mark.parametrize("lr,kwargs,n", TANH, ids=[str(k) for _, k, _ in TANH])
def test_tanh(lr: float, kwargs: dict[str, Any], n: int) -> None:
    _check("TanhLRScheduler", lr, kwargs, _steps(n))


STEP = [
    (0.1, dict(decay_t=30, decay_rate=0.1), 200),
    (0.1, dict(decay_t=30, decay_rate=0.5, warmup_t=5, warmup_lr_init=1e-3), 200),
    (0.1, dict(decay_t=30, decay_rate=0.5, warmup_t=5, warmup_lr_init=1e-3, warmup_prefix=False), 200),
    (0.1, dict(decay_t=2.5, decay_rate=0.9), 400),  # fractional decay_t: Python's // semantics
    (0.1, dict(decay_t=7), 50),  # decay_rate defaults to 1: never decays
]


@pytest.mark.parametrize("lr,kwargs,n", STEP, ids=[str(k) for _, k, _ in STEP])
def test_step(lr: float, kwargs: dict[str, Any], n: int) -> None:
    _check("StepLRScheduler", lr, kwargs, _steps(n))


MULTISTEP = [
    (0.1, dict(decay_t=[30, 60, 90], decay_rate=0.1), 150),
    (0.1, dict(decay_t=[30, 60, 90], decay_rate=0.5, warmup_t=5, warmup_lr_init=1e-3), 150),
    (0.1, dict(decay_t=[30, 60], decay_rate=0.5, warmup_t=5, warmup_prefix=False), 150),
    (0.1, dict(decay_t=[0, 1, 10, 10, 20], decay_rate=0.5), 40),
]


@pytest.mark.parametrize("lr,kwargs,n", MULTISTEP, ids=[str(k) for _, k, _ in MULTISTEP])
def test_multistep(lr: float, kwargs: dict[str, Any], n: int) -> None:
    _check("MultiStepLRScheduler", lr, kwargs, _steps(n))


def test_multistep_is_one_step_early() -> None:
    """The documented timm quirk: milestone m applies at t = m - 1 (torch: at t = m)."""
    ref = timm_values(
        ts.MultiStepLRScheduler(timm_optimizer(0.1), decay_t=[10], decay_rate=0.1),
        np.array([8, 9, 10]),
    )
    assert ref[0] == 0.1 and ref[1] < 0.1 and ref[1] == ref[2]
    ours = lrlab.parse("timm.MultiStepLRScheduler(lr=0.1, decay_t=[10], decay_rate=0.1)")
    assert ours(8) == 0.1 and ours(9) == ref[1]


WSD = [
    (0.1, dict(t_initial=100, decay_t=20), 150),
    (0.1, dict(t_initial=100, decay_t=20, decay_fn="linear", warmup_t=10, warmup_lr_init=1e-4), 150),
    (0.1, dict(t_initial=100, decay_t=30, decay_fn="cosine", lr_min=1e-3), 150),
    (0.1, dict(t_initial=100, decay_t=30, decay_fn="power", decay_power=2.0), 150),
    (0.1, dict(t_initial=100, decay_t=30, decay_fn="exp", decay_ratio=0.05), 150),
    (0.1, dict(t_initial=200, decay_t=50, stable_fn="rsqrt", decay_fn="linear", warmup_t=20), 300),
    (0.1, dict(t_initial=200, decay_t=200, stable_fn="power", stable_timescale=15.0, stable_power=0.3, lr_min=0.02), 300),
]


@pytest.mark.skipif(not hasattr(ts, "WSDLRScheduler"), reason="timm without WSDLRScheduler")
@pytest.mark.parametrize("lr,kwargs,n", WSD, ids=[str(k) for _, k, _ in WSD])
def test_wsd(lr: float, kwargs: dict[str, Any], n: int) -> None:
    _check("WSDLRScheduler", lr, kwargs, _steps(n))


NOISE = [
    ("CosineLRScheduler", 0.1, dict(t_initial=300, noise_range_t=[30, 250]), 320),
    ("CosineLRScheduler", 0.1, dict(t_initial=300, warmup_t=10, noise_range_t=0, noise_pct=0.1, noise_std=0.5, noise_seed=7), 320),
    ("PolyLRScheduler", 0.1, dict(t_initial=200, noise_range_t=50, noise_seed=2**32 + 3, t_in_epochs=False), 250),
    ("TanhLRScheduler", 0.1, dict(t_initial=200, noise_range_t=(0, 100), noise_pct=0.01), 250),
    ("StepLRScheduler", 0.1, dict(decay_t=30, decay_rate=0.5, noise_range_t=[0, 90], noise_std=2.0), 120),
    ("MultiStepLRScheduler", 0.1, dict(decay_t=[40, 80], decay_rate=0.5, noise_range_t=20, noise_pct=1.0), 120),
    ("WSDLRScheduler", 0.1, dict(t_initial=100, decay_t=20, noise_range_t=[5, 95], noise_seed=0), 120),
]


@pytest.mark.parametrize("cls,lr,kwargs,n", NOISE, ids=[f"{c}{k}" for c, _, k, _ in NOISE])
def test_noise(cls: str, lr: float, kwargs: dict[str, Any], n: int) -> None:
    """timm's LR noise (torch.Generator seeded with noise_seed + t) reproduced bit for bit."""
    if not hasattr(ts, cls):
        pytest.skip(f"timm without {cls}")
    _check(cls, lr, kwargs, _steps(n))


def test_cycle_mul_below_one_past_the_limit_holds_lr_min() -> None:
    """timm raises past t_initial / (1 - cycle_mul); lrlab holds lr_min there."""
    s = lrlab.parse("timm.CosineLRScheduler(lr=0.1, t_initial=64, cycle_mul=0.5, cycle_limit=1000, lr_min=1e-3)")
    ref_sched = ts.CosineLRScheduler(timm_optimizer(0.1), t_initial=64, cycle_mul=0.5, cycle_limit=1000, lr_min=1e-3)
    with pytest.raises(ValueError):
        ref_sched._get_lr(128)
    assert s(128) == 1e-3 and s(10**6) == 1e-3


FACTORY = [
    dict(sched="cosine", num_epochs=100, warmup_epochs=5),
    dict(sched="cosine", num_epochs=20, warmup_epochs=2, warmup_prefix=True, cycle_limit=3, cycle_mul=2.0, cycle_decay=0.5, min_lr=1e-5, step_on_epochs=False, updates_per_epoch=13),
    dict(sched="cosine", num_epochs=50, noise=[0.2, 0.8], noise_pct=0.3, k_decay=1.5),
    dict(sched="tanh", num_epochs=60, warmup_epochs=3, noise=0.5),
    dict(sched="poly", num_epochs=80, decay_rate=2.0, warmup_epochs=4, step_on_epochs=False, updates_per_epoch=7),
    dict(sched="step", num_epochs=100, decay_epochs=30, decay_rate=0.5, warmup_epochs=3),
    dict(sched="step", num_epochs=100, decay_epochs=2.4, decay_rate=0.97, step_on_epochs=False, updates_per_epoch=5, noise=[0.5]),
    dict(sched="constant", num_epochs=100, warmup_epochs=10),
    dict(sched="multistep", num_epochs=100, decay_milestones=[30, 60, 90], decay_rate=0.1, warmup_epochs=5),
    dict(sched="multistep", num_epochs=10, decay_milestones=[3, 6], decay_rate=0.5, step_on_epochs=False, updates_per_epoch=11),
    dict(sched="wsd", num_epochs=100, warmup_epochs=10),
    dict(sched="wsd", num_epochs=30, warmup_epochs=3, decay_epochs=0.3, decay_fn="cosine", step_on_epochs=False, updates_per_epoch=9),
    dict(sched="rsqrt", num_epochs=100, warmup_epochs=10, warmup_prefix=True),
]


@pytest.mark.parametrize("kwargs", FACTORY, ids=str)
def test_create_scheduler_v2(kwargs: dict[str, Any]) -> None:
    if kwargs["sched"] in ("wsd", "rsqrt") and not hasattr(ts, "WSDLRScheduler"):
        pytest.skip("timm without WSDLRScheduler")
    ref_sched, _ = ts.create_scheduler_v2(timm_optimizer(0.1), **kwargs)
    units = kwargs.get("updates_per_epoch", 1) if not kwargs.get("step_on_epochs", True) else 1
    steps = _steps(int(kwargs["num_epochs"] * units * 1.3) + 20)
    ref = timm_values(ref_sched, steps)
    ours = lr_timm.create_scheduler_v2(0.1, **kwargs)
    assert lrlab.parse(repr(ours)) == ours
    assert_parity(ours(steps.astype(np.float64)), ref, F64, repr(ours))


def test_create_scheduler_v2_none_and_plateau() -> None:
    assert lr_timm.create_scheduler_v2(0.1, sched="none") == lrlab.Constant(0.1)
    with pytest.raises(lrlab.ScheduleError, match="not a pure schedule"):
        lr_timm.create_scheduler_v2(0.1, sched="plateau")


def test_geometric_cycle_boundary_rounding_is_reproduced() -> None:
    """timm's cycle index floor(log(1 - t/T (1 - m)) / log(m)) rounds down at t = 847 for
    T = 7, m = 3 (log(81)/log(3) = 3.9999999999999996), so the restart comes one step late."""
    kwargs = dict(t_initial=7, cycle_mul=3.0, cycle_limit=6)
    ref = timm_values(ts.CosineLRScheduler(timm_optimizer(0.1), **kwargs), np.array([846, 847, 848]))
    assert ref[1] == 0.0 and ref[2] > 0.09  # the glitch: lr_min at the boundary step
    ours = lr_timm.CosineLRScheduler(0.1, **kwargs)
    assert ours(847) == ref[1] and ours(848) == ref[2]


def _params(obj: Any) -> list[tuple[str, Any]]:
    import inspect

    return [
        (p.name, p.default)
        for p in inspect.signature(obj).parameters.values()
        if p.name not in ("self", "optimizer", "initialize")
    ]


@pytest.mark.parametrize(
    "cls",
    ["CosineLRScheduler", "PolyLRScheduler", "TanhLRScheduler", "StepLRScheduler", "MultiStepLRScheduler", "WSDLRScheduler", "create_scheduler_v2"],
)
def test_signatures_follow_timm(cls: str) -> None:
    """Same names, order and defaults as timm's, with lr first in the optimizer's place."""
    if not hasattr(ts, cls):
        pytest.skip(f"timm without {cls}")
    ours = _params(getattr(lr_timm, cls))
    assert ours[0][0] == "lr"
    theirs = _params(getattr(ts, cls))
    assert [n for n, _ in ours[1:]] == [n for n, _ in theirs]
    for (n, d_ours), (_, d_theirs) in zip(ours[1:], theirs):
        if d_theirs is not inspect_empty():
            assert d_ours == d_theirs or (isinstance(d_theirs, tuple) and tuple(d_ours) == d_theirs), n


def inspect_empty() -> Any:
    import inspect

    return inspect.Parameter.empty
