"""lrlab.compat.torch: argument checking, spec text, serialization (no torch needed)."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest

import lrlab
from lrlab.compat import torch as lt

# (constructor, kwargs, the parameter the error must name)
BAD: list[tuple[Any, dict[str, Any], str]] = [
    (lt.StepLR, {"lr": -0.1, "step_size": 3}, "lr"),
    (lt.StepLR, {"lr": 0.1, "step_size": 0}, "step_size"),
    (lt.StepLR, {"lr": 0.1, "step_size": 2.5}, "step_size"),
    (lt.StepLR, {"lr": 0.1, "step_size": 3, "gamma": 0}, "gamma"),
    (lt.StepLR, {"lr": 0.1, "step_size": 3, "last_epoch": 5}, "last_epoch"),
    (lt.MultiStepLR, {"lr": 0.1, "milestones": [1.5]}, "milestones[0]"),
    (lt.MultiStepLR, {"lr": 0.1, "milestones": [3, -1]}, "milestones[1]"),
    (lt.MultiStepLR, {"lr": 0.1, "milestones": "30"}, "milestones"),
    (lt.MultiStepLR, {"lr": 0.1, "milestones": [3], "gamma": -0.5}, "gamma"),
    (lt.ConstantLR, {"lr": 0.1, "factor": 0}, "factor"),
    (lt.ConstantLR, {"lr": 0.1, "factor": 1.5}, "factor"),
    (lt.ConstantLR, {"lr": 0.1, "total_iters": -1}, "total_iters"),
    (lt.ConstantLR, {"lr": 0.1, "total_iters": 2.5}, "total_iters"),
    (lt.LinearLR, {"lr": 0.1, "start_factor": 0}, "start_factor"),
    (lt.LinearLR, {"lr": 0.1, "start_factor": 1.5}, "start_factor"),
    (lt.LinearLR, {"lr": 0.1, "end_factor": -0.1}, "end_factor"),
    (lt.LinearLR, {"lr": 0.1, "total_iters": -3}, "total_iters"),
    (lt.ExponentialLR, {"lr": 0.1, "gamma": 0}, "gamma"),
    (lt.ExponentialLR, {"lr": float("nan"), "gamma": 0.5}, "lr"),
    (lt.PolynomialLR, {"lr": 0.1, "power": -1.0}, "power"),
    (lt.PolynomialLR, {"lr": 0.1, "total_iters": -1}, "total_iters"),
    (lt.CosineAnnealingLR, {"lr": 0.1, "T_max": 0}, "T_max"),
    (lt.CosineAnnealingLR, {"lr": 0.1, "T_max": 10.5}, "T_max"),
    (lt.CosineAnnealingLR, {"lr": 0.1, "T_max": 10, "eta_min": -0.1}, "eta_min"),
    (lt.CosineAnnealingWarmRestarts, {"lr": 0.1, "T_0": 0}, "T_0"),
    (lt.CosineAnnealingWarmRestarts, {"lr": 0.1, "T_0": 10, "T_mult": 0}, "T_mult"),
    (lt.CosineAnnealingWarmRestarts, {"lr": 0.1, "T_0": 10, "T_mult": 1.5}, "T_mult"),
    (lt.CosineAnnealingWarmRestarts, {"lr": 0.1, "T_0": 10, "eta_min": -1}, "eta_min"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "mode": "sine"}, "mode"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "scale_mode": "epochs"}, "scale_mode"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": 0}, "step_size_up"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "step_size_down": -1}, "step_size_down"),
    (lt.CyclicLR, {"base_lr": [0.1, 0.2], "max_lr": 1.0}, "base_lr"),
    (lt.CyclicLR, {"base_lr": -0.1, "max_lr": 1.0}, "base_lr"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "mode": "exp_range", "gamma": 1.5}, "gamma"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "scale_fn": 3}, "scale_fn"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "cycle_momentum": 1}, "cycle_momentum"),
    (lt.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0, "lr": -1}, "lr"),
    (lt.OneCycleLR, {"max_lr": 0.1}, "total_steps"),
    (lt.OneCycleLR, {"max_lr": 0.1, "epochs": 3}, "total_steps"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 0}, "total_steps"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 10.5}, "total_steps"),
    (lt.OneCycleLR, {"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 3}, "epochs"),
    (lt.OneCycleLR, {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": 0}, "steps_per_epoch"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 7, "epochs": 2, "steps_per_epoch": 3},
     "total_steps"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}, "pct_start"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"},
     "anneal_strategy"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 10, "div_factor": 0}, "div_factor"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 10, "final_div_factor": -1},
     "final_div_factor"),
    (lt.OneCycleLR, {"max_lr": [0.1, 0.2], "total_steps": 10}, "max_lr"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 10, "three_phase": "yes"}, "three_phase"),
    (lt.OneCycleLR, {"max_lr": 0.1, "total_steps": 10, "last_epoch": 0}, "last_epoch"),
    (lt.LambdaLR, {"lr": 0.1, "lr_lambda": 3}, "lr_lambda"),
    (lt.LambdaLR, {"lr": 0.1, "lr_lambda": [lambda e: 1.0]}, "lr_lambda"),
    (lt.MultiplicativeLR, {"lr": 0.1, "lr_lambda": lrlab.Constant(0.9)}, "lr_lambda"),
    (lt.MultiplicativeLR, {"lr": 0.1, "lr_lambda": None}, "lr_lambda"),
]


@pytest.mark.parametrize("ctor, kwargs, param", BAD, ids=[f"{c.__name__}-{p}" for c, _, p in BAD])
def test_bad_argument_names_the_parameter(ctor: Any, kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(lrlab.ScheduleError, match="`" + re.escape(param) + "`"):
        ctor(**kwargs)


def _lin(lr: float = 0.1, **kw: Any) -> lt.LinearLR:
    return lt.LinearLR(lr, **kw)


BAD_COMPOSITES: list[tuple[Any, dict[str, Any], str]] = [
    (lt.SequentialLR, {"schedulers": [], "milestones": []}, "schedulers"),
    (lt.SequentialLR, {"schedulers": [_lin(), _lin()], "milestones": []}, "milestones"),
    (lt.SequentialLR, {"schedulers": [_lin(), _lin(), _lin()], "milestones": [5, 5]},
     "milestones"),
    (lt.SequentialLR, {"schedulers": [_lin(), _lin()], "milestones": [-1]}, "milestones[0]"),
    (lt.SequentialLR, {"schedulers": [_lin(), lrlab.Constant(0.1)], "milestones": [5]},
     "schedulers[1]"),
    (lt.SequentialLR, {"schedulers": [_lin(), _lin(0.2)], "milestones": [5]}, "schedulers[1]"),
    (lt.SequentialLR, {"schedulers": [_lin()], "milestones": [], "lr": 0.3}, "lr"),
    (lt.SequentialLR, {"schedulers": [_lin(), _lin(total_iters=0)], "milestones": [5]},
     "schedulers[1]"),
    (lt.SequentialLR,
     {"schedulers": [_lin(), lt.PolynomialLR(0.1, total_iters=0)], "milestones": [5]},
     "schedulers[1]"),
    (lt.SequentialLR,
     {"schedulers": [_lin(), lt.MultiplicativeLR(0.1, lambda e: 0.9)], "milestones": [5]},
     "schedulers[1]"),
    (lt.SequentialLR,
     {"schedulers": [_lin(), lt.OneCycleLR(lr=0.1, max_lr=1.0, total_steps=100)],
      "milestones": [5]}, "schedulers[1]"),
    (lt.SequentialLR,
     {"schedulers": [_lin(), lt.ChainedScheduler([_lin()])], "milestones": [5]},
     "schedulers[1]"),
    (lt.SequentialLR, {"schedulers": [_lin()], "milestones": [], "last_epoch": 3},
     "last_epoch"),
    (lt.ChainedScheduler, {"schedulers": "torch.LinearLR(0.1)"}, "schedulers"),
    (lt.ChainedScheduler,
     {"schedulers": [_lin(), lt.CosineAnnealingLR(0.1, T_max=10, eta_min=0.01)]},
     "schedulers[1]"),
    (lt.ChainedScheduler,
     {"schedulers": [lt.CosineAnnealingLR(0.1, 10), lt.CosineAnnealingLR(0.1, 20), _lin()]},
     "schedulers[1]"),
    (lt.ChainedScheduler, {"schedulers": [_lin(), lt.StepLR(0.5, 3)]}, "schedulers[1]"),
    (lt.ChainedScheduler, {"schedulers": [_lin()], "lr": 0.2}, "lr"),
]


@pytest.mark.parametrize(
    "ctor, kwargs, param", BAD_COMPOSITES,
    ids=[f"{c.__name__}-{i}-{p}" for i, (c, _, p) in enumerate(BAD_COMPOSITES)],
)
def test_bad_composite_names_the_parameter(ctor: Any, kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(lrlab.ScheduleError, match="`" + re.escape(param) + "`"):
        ctor(**kwargs)


def test_last_epoch_error_explains_why() -> None:
    with pytest.raises(lrlab.ScheduleError, match="pure function of the step"):
        lt.ExponentialLR(0.1, gamma=0.9, last_epoch=10)
    # the default is accepted and leaves no trace in the parameters
    s = lt.ExponentialLR(0.1, gamma=0.9, last_epoch=-1)
    assert "last_epoch" not in s.params() and "last_epoch" not in repr(s)


def test_verbose_is_not_an_argument() -> None:
    # torch 2.13 removed `verbose`; a spec that passes it is an error, not silently ignored
    with pytest.raises(lrlab.ScheduleError, match="verbose"):
        lrlab.parse("torch.StepLR(0.1, step_size=3, verbose=True)")


def test_spec_text_from_the_issue() -> None:
    s = lrlab.parse("torch.OneCycleLR(lr=0.01, max_lr=0.1, total_steps=20000)")
    out = s(np.arange(3))
    assert out.shape == (3,) and out.dtype == np.float64
    assert out[0] == pytest.approx(0.1 / 25, rel=1e-15)
    assert out[1] > out[0]
    assert s == lt.OneCycleLR(lr=0.01, max_lr=0.1, total_steps=20000)


def test_spec_errors_point_at_the_argument() -> None:
    text = "torch.CosineAnnealingLR(0.1, T_max=0)"
    with pytest.raises(lrlab.SpecError) as e:
        lrlab.parse(text)
    assert e.value.position == text.index("T_max")


@pytest.mark.parametrize(
    "text",
    [
        "torch.StepLR(0.1, step_size=30, gamma=0.5)",
        "torch.MultiStepLR(0.1, milestones=[80, 30])",
        "torch.CyclicLR(0.01, 0.1, step_size_up=5, scale_fn=constant(0.5), lr=0.3)",
        "torch.OneCycleLR(max_lr=1.0, epochs=3, steps_per_epoch=10)",
        "torch.SequentialLR(schedulers=[torch.LinearLR(0.1), torch.CosineAnnealingLR(0.1,"
        " T_max=20)], milestones=[5], lr=0.1)",
        "torch.ChainedScheduler([torch.LambdaLR(0.1, lr_lambda=linear(0, 1, 10)),"
        " torch.ExponentialLR(0.1, gamma=0.9)])",
    ],
)
def test_round_trips(text: str) -> None:
    s = lrlab.parse(text)
    assert lrlab.parse(repr(s)) == s
    cfg = json.loads(json.dumps(s.to_config()))
    assert cfg["type"].startswith("torch.")
    again = lrlab.from_config(cfg)
    assert again == s
    t = np.arange(200)
    assert np.array_equal(again(t), s(t))


def test_multistep_milestones_are_stored_sorted() -> None:
    s = lt.MultiStepLR(0.1, milestones=[80, 30, 30])
    assert s.milestones == (30, 30, 80)
    assert s == lt.MultiStepLR(0.1, milestones=[30, 80, 30])
    assert s(30) == pytest.approx(0.1 * 0.1 * 0.1, rel=1e-15)  # a repeated milestone counts twice


def test_callables_have_no_config() -> None:
    s = lt.LambdaLR(0.1, lr_lambda=lambda e: 0.5)
    assert s(3) == 0.05
    assert s(np.arange(3)).tolist() == [0.05, 0.05, 0.05]
    with pytest.raises(lrlab.ScheduleError, match="lr_lambda"):
        s.to_config()
    m = lt.MultiplicativeLR(0.1, lr_lambda=lambda e: 0.5)
    with pytest.raises(lrlab.ScheduleError, match="lr_lambda"):
        m.to_config()


def test_callable_gets_int_epochs_and_bad_values_raise() -> None:
    seen: list[Any] = []

    def f(e: Any) -> float:
        seen.append(e)
        return [1.0, 0.5, 0.25][e]

    s = lt.LambdaLR(1.0, lr_lambda=f)
    assert s(np.array([0.0, 2.0, 1.0])).tolist() == [1.0, 0.25, 0.5]
    assert all(type(e) is int for e in seen)
    neg = lt.LambdaLR(1.0, lr_lambda=lambda e: -1.0)
    with pytest.raises(lrlab.ScheduleError, match="lr_lambda"):
        neg(3)
    bad = lt.MultiplicativeLR(1.0, lr_lambda=lambda e: float("nan"))
    with pytest.raises(lrlab.ScheduleError, match="lr_lambda"):
        bad(2)


def test_multiplicative_is_a_running_product_with_a_step_limit() -> None:
    calls: list[int] = []

    def f(e: int) -> float:
        calls.append(e)
        return 1.0 - 1.0 / (e + 10)

    s = lt.MultiplicativeLR(2.0, lr_lambda=f)
    x = 2.0
    expect = [x]
    for k in range(1, 51):
        x = x * f(k)
        expect.append(x)
    calls.clear()
    assert s(np.arange(51)).tolist() == expect
    assert s(50) == expect[50] and s(10.7) == expect[10]
    assert calls == list(range(1, 51))  # each factor computed once (memoized)
    with pytest.raises(lrlab.ScheduleError, match="beyond"):
        s(lt.MULTIPLICATIVE_MAX_STEPS + 1)


def test_lr_is_optional_for_cyclic_and_onecycle() -> None:
    a = lt.CyclicLR(0.01, 0.1, step_size_up=10)
    b = lt.CyclicLR(0.01, 0.1, step_size_up=10, lr=123.0)
    t = np.arange(100)
    assert np.array_equal(a(t), b(t))  # torch overwrites the optimizer's LR with base_lr
    c = lt.OneCycleLR(max_lr=0.1, total_steps=50)
    d = lt.OneCycleLR(max_lr=0.1, total_steps=50, lr=7.0)
    assert np.array_equal(c(t), d(t))


def test_onecycle_holds_its_end_value() -> None:
    s = lt.OneCycleLR(max_lr=0.1, total_steps=100)
    assert s(99) == s(100) == s(10**9) == pytest.approx(0.1 / 25 / 1e4, rel=1e-15)
