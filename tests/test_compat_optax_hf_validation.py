"""lrlab.compat.optax and lrlab.compat.hf: argument validation, spec text, edge values.

No framework needed: bad arguments raise ScheduleError naming the parameter; spec text parses
to the same schedule as the Python call; a few hand-computed values at the edges.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import lrlab
from lrlab.compat import hf
from lrlab.compat import optax as ox

A = lrlab.Constant(0.1)
B = lrlab.Constant(0.2)
C = lrlab.Constant(0.3)

OK_WCD = dict(init_value=0.0, peak_value=0.1, warmup_steps=10, decay_steps=100)

BAD: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
    # optax
    (ox.constant_schedule, dict(value=-1), "value"),
    (ox.constant_schedule, dict(value="0.1"), "value"),
    (ox.polynomial_schedule, dict(init_value=-0.1, end_value=0, power=1, transition_steps=10),
     "init_value"),
    (ox.polynomial_schedule, dict(init_value=0.1, end_value=0, power=-1, transition_steps=10),
     "power"),
    (ox.polynomial_schedule, dict(init_value=0.1, end_value=-1e-3, power=1, transition_steps=10),
     "end_value"),
    (ox.polynomial_schedule, dict(init_value=0.1, end_value=0, power=1,
                                  transition_steps=math.nan), "transition_steps"),
    (ox.linear_schedule, dict(init_value=0.1, end_value=0, transition_steps=10,
                              transition_begin=math.inf), "transition_begin"),
    (ox.piecewise_constant_schedule, dict(init_value=0.1, boundaries_and_scales={100: -0.1}),
     "boundaries_and_scales"),
    (ox.piecewise_constant_schedule, dict(init_value=0.1, boundaries_and_scales={"x": 0.1}),
     "boundaries_and_scales"),
    (ox.piecewise_constant_schedule, dict(init_value=0.1, boundaries_and_scales=[(1, 0.1)]),
     "boundaries_and_scales"),
    (ox.piecewise_constant_schedule,
     dict(init_value=0.1, boundaries_and_scales={"10": 0.1, 10: 0.2}), "boundaries_and_scales"),
    (ox.exponential_decay, dict(init_value=0.1, transition_steps=10, decay_rate=-0.5),
     "decay_rate"),
    (ox.exponential_decay, dict(init_value=0.1, transition_steps=10, decay_rate=0.5,
                                staircase=1), "staircase"),
    (ox.exponential_decay, dict(init_value=0.1, transition_steps=10, decay_rate=0.5,
                                end_value=-1), "end_value"),
    (ox.cosine_decay_schedule, dict(init_value=0.1, decay_steps=0), "decay_steps"),
    (ox.cosine_decay_schedule, dict(init_value=0.1, decay_steps=10, alpha=-0.1), "alpha"),
    (ox.cosine_decay_schedule, dict(init_value=0.1, decay_steps=10, exponent=-1), "exponent"),
    (ox.warmup_cosine_decay_schedule, {**OK_WCD, "decay_steps": 10}, "decay_steps"),
    (ox.warmup_cosine_decay_schedule, {**OK_WCD, "warmup_steps": -1}, "warmup_steps"),
    (ox.warmup_cosine_decay_schedule, {**OK_WCD, "peak_value": -1}, "peak_value"),
    (ox.warmup_cosine_decay_schedule, {**OK_WCD, "end_value": -1}, "end_value"),
    (ox.warmup_cosine_decay_schedule, {**OK_WCD, "exponent": -2}, "exponent"),
    (ox.warmup_exponential_decay_schedule,
     dict(init_value=0, peak_value=0.1, warmup_steps=10, transition_steps=10, decay_rate=-1),
     "decay_rate"),
    (ox.warmup_constant_schedule, dict(init_value=0, peak_value=0.1, warmup_steps=-5),
     "warmup_steps"),
    (ox.piecewise_interpolate_schedule, dict(interpolate_type="quadratic", init_value=0.1),
     "interpolate_type"),
    (ox.piecewise_interpolate_schedule,
     dict(interpolate_type="linear", init_value=0.1, boundaries_and_scales={5: -1}),
     "boundaries_and_scales"),
    (ox.linear_onecycle_schedule, dict(transition_steps=0, peak_value=0.1), "transition_steps"),
    (ox.linear_onecycle_schedule, dict(transition_steps=100, peak_value=0.1, div_factor=0),
     "div_factor"),
    (ox.linear_onecycle_schedule, dict(transition_steps=100, peak_value=0.1, pct_final=None),
     "pct_final"),
    (ox.cosine_onecycle_schedule, dict(transition_steps=100, peak_value=-0.1), "peak_value"),
    (ox.cosine_onecycle_schedule, dict(transition_steps=100, peak_value=0.1,
                                       final_div_factor=-1), "final_div_factor"),
    (ox.sgdr_schedule, dict(cosine_kwargs=[]), "cosine_kwargs"),
    (ox.sgdr_schedule, dict(cosine_kwargs=OK_WCD), "cosine_kwargs"),
    (ox.sgdr_schedule, dict(cosine_kwargs=[{"init_value": 0, "peak_value": 0.1,
                                            "warmup_steps": 1}]), "cosine_kwargs[0]"),
    (ox.sgdr_schedule, dict(cosine_kwargs=[OK_WCD, {**OK_WCD, "foo": 1}]), "cosine_kwargs[1]"),
    (ox.sgdr_schedule, dict(cosine_kwargs=[OK_WCD, {**OK_WCD, "decay_steps": 5}]),
     "decay_steps"),
    (ox.join_schedules, dict(schedules=[A, B, C], boundaries=[10, 5]), "boundaries"),
    (ox.join_schedules, dict(schedules=[A, B, C], boundaries=[10, 10]), "boundaries"),
    (ox.join_schedules, dict(schedules=[A, B], boundaries=[10, 20]), "boundaries"),
    (ox.join_schedules, dict(schedules=[A, B], boundaries=[-1]), "boundaries"),
    (ox.join_schedules, dict(schedules=[A, 3.5], boundaries=[5]), "schedules[1]"),
    (ox.PiecewiseInterpolate, dict(interpolate_type="linear", init_value=0.1,
                                   boundaries=[1, 2], scales=[0.5]), "scales"),
    (ox.PiecewiseInterpolate, dict(interpolate_type="linear", init_value=0.1,
                                   boundaries=[2, 1], scales=[0.5, 0.5]), "boundaries"),
    # hf
    (hf.get_scheduler, dict(name="cosinee", lr=0.1, num_warmup_steps=1, num_training_steps=9),
     "name"),
    (hf.get_scheduler, dict(name="linear", lr=0.1, num_training_steps=100), "num_warmup_steps"),
    (hf.get_scheduler, dict(name="linear", lr=0.1, num_warmup_steps=10), "num_training_steps"),
    (hf.get_scheduler, dict(name="cosine_with_min_lr", lr=0.1, num_warmup_steps=10,
                            scheduler_specific_kwargs={"min_lr_rate": 0.1}),
     "num_training_steps"),
    (hf.get_scheduler, dict(name="cosine", lr=0.1, num_warmup_steps=1, num_training_steps=9,
                            scheduler_specific_kwargs={"lr_end": 0.0}),
     "scheduler_specific_kwargs"),
    (hf.get_scheduler, dict(name="cosine", lr=0.1, num_warmup_steps=1, num_training_steps=9,
                            scheduler_specific_kwargs={"last_epoch": 5}),
     "scheduler_specific_kwargs"),
    (hf.get_scheduler, dict(name="cosine", lr=0.1, num_warmup_steps=1, num_training_steps=9,
                            scheduler_specific_kwargs=[("num_cycles", 1)]),
     "scheduler_specific_kwargs"),
    (hf.get_scheduler, dict(name="warmup_stable_decay", lr=0.1, num_warmup_steps=1,
                            num_training_steps=9), "scheduler_specific_kwargs"),
    (hf.get_scheduler, dict(name="warmup_stable_decay", lr=0.1, num_warmup_steps=1,
                            scheduler_specific_kwargs={"num_decay_steps": 5}),
     "num_training_steps"),
    (hf.get_scheduler, dict(name="polynomial", lr=0.1, num_warmup_steps=1, num_training_steps=9,
                            scheduler_specific_kwargs={"lr_end": 0.1}), "lr_end"),
    (hf.get_scheduler, dict(name="polynomial", lr=0.1, num_warmup_steps=9, num_training_steps=9),
     "num_training_steps"),
    (hf.get_scheduler, dict(name="polynomial", lr=0.1, num_warmup_steps=1, num_training_steps=9,
                            scheduler_specific_kwargs={"power": -1}), "power"),
    (hf.get_scheduler, dict(name="cosine_with_min_lr", lr=0.1, num_warmup_steps=1,
                            num_training_steps=9,
                            scheduler_specific_kwargs={"min_lr": 0.01, "min_lr_rate": 0.1}),
     "min_lr_rate"),
    (hf.get_scheduler, dict(name="cosine_with_min_lr", lr=0.1, num_warmup_steps=1,
                            num_training_steps=9), "min_lr"),
    (hf.get_scheduler, dict(name="cosine_warmup_with_min_lr", lr=0.0, num_warmup_steps=1,
                            num_training_steps=9, scheduler_specific_kwargs={"min_lr": 0.01}),
     "lr"),
    (hf.get_scheduler, dict(name="cosine_warmup_with_min_lr", lr=0.1, num_warmup_steps=1,
                            num_training_steps=9,
                            scheduler_specific_kwargs={"min_lr_rate": 0, "warmup_lr_rate": -1}),
     "warmup_lr_rate"),
    (hf.get_scheduler, dict(name="linear", lr=0.1, num_warmup_steps=1.5, num_training_steps=9),
     "num_warmup_steps"),
    (hf.get_scheduler, dict(name="linear", lr=0.1, num_warmup_steps=-1, num_training_steps=9),
     "num_warmup_steps"),
    (hf.get_scheduler, dict(name="linear", lr=-0.1, num_warmup_steps=1, num_training_steps=9),
     "lr"),
    (hf.get_scheduler, dict(name="constant", lr="0.1"), "lr"),
    (hf.get_scheduler, dict(name="cosine", lr=0.1, num_warmup_steps=1, num_training_steps=9,
                            scheduler_specific_kwargs={"num_cycles": -1}), "num_cycles"),
    (hf.get_scheduler, dict(name="inverse_sqrt", lr=0.1, num_warmup_steps=1,
                            scheduler_specific_kwargs={"timescale": 0}), "timescale"),
    (hf.get_scheduler, dict(name="warmup_stable_decay", lr=0.1, num_warmup_steps=1,
                            num_training_steps=9,
                            scheduler_specific_kwargs={"num_decay_steps": 5,
                                                       "warmup_type": "exp"}), "warmup_type"),
    (hf.get_scheduler, dict(name="warmup_stable_decay", lr=0.1, num_warmup_steps=1,
                            num_training_steps=9,
                            scheduler_specific_kwargs={"num_decay_steps": 5,
                                                       "decay_type": "step"}), "decay_type"),
    (hf.get_scheduler, dict(name="warmup_stable_decay", lr=0.1, num_warmup_steps=1,
                            num_training_steps=9,
                            scheduler_specific_kwargs={"num_decay_steps": 5,
                                                       "min_lr_ratio": -0.1}), "min_lr_ratio"),
    (hf.get_scheduler, dict(name="warmup_stable_decay", lr=0.1, num_warmup_steps=1,
                            scheduler_specific_kwargs={"num_decay_steps": 5,
                                                       "num_stable_steps": -3}),
     "num_stable_steps"),
    (hf.get_constant_schedule_with_warmup, dict(lr=0.1, num_warmup_steps=2.5),
     "num_warmup_steps"),
    (hf.InverseSqrtSchedule, dict(lr=0.1, num_warmup_steps=10, timescale=-1), "timescale"),
]


@pytest.mark.parametrize(("fn", "kwargs", "param"), BAD,
                         ids=[f"{b[0].__name__}-{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_bad_arguments_name_the_parameter(fn: Callable[..., Any], kwargs: dict[str, Any],
                                          param: str) -> None:
    with pytest.raises(lrlab.ScheduleError) as err:
        fn(**kwargs)
    msg = str(err.value)
    assert f"`{param}`" in msg or f"argument `{param}" in msg, msg
    assert "Received" in msg


@pytest.mark.parametrize("kind", ["reduce_lr_on_plateau", "greedy"])
def test_metric_driven_schedulers_are_refused(kind: str) -> None:
    with pytest.raises(lrlab.ScheduleError, match="not a schedule.*plateau controller"):
        hf.get_scheduler(kind, lr=0.1, num_warmup_steps=0, num_training_steps=10)
    with pytest.raises(lrlab.ScheduleError, match="not a schedule"):
        lrlab.parse(f"hf.get_scheduler('{kind}', lr=0.1)")


SPEC: list[tuple[str, Callable[[], lrlab.Schedule]]] = [
    ("hf.get_scheduler('cosine', lr=0.01, num_warmup_steps=100, num_training_steps=1000)",
     lambda: hf.get_scheduler("cosine", lr=0.01, num_warmup_steps=100, num_training_steps=1000,
                              scheduler_specific_kwargs={})),
    ("optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.1, warmup_steps=100, "
     "decay_steps=1000)",
     lambda: ox.warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.1, warmup_steps=100,
                                             decay_steps=1000)),
    ("optax.piecewise_constant_schedule(0.1, {'100': 0.1, '200': 0.5})",
     lambda: ox.piecewise_constant_schedule(0.1, {100: 0.1, 200: 0.5})),
    ("optax.piecewise_interpolate_schedule('cosine', 0.1, {'10.5': 2, '30': 0.1})",
     lambda: ox.piecewise_interpolate_schedule("cosine", 0.1, {10.5: 2, 30: 0.1})),
    ("optax.sgdr_schedule([{init_value: 0, peak_value: 0.1, warmup_steps: 5, decay_steps: 50},"
     " {'init_value': 0, 'peak_value': 0.05, 'warmup_steps': 0, 'decay_steps': 100}])",
     lambda: ox.sgdr_schedule([
         dict(init_value=0, peak_value=0.1, warmup_steps=5, decay_steps=50),
         dict(init_value=0, peak_value=0.05, warmup_steps=0, decay_steps=100)])),
    ("optax.join_schedules([constant(0.1), optax.exponential_decay(0.1, 10, 0.5)], [20])",
     lambda: ox.join_schedules([lrlab.Constant(0.1), ox.exponential_decay(0.1, 10, 0.5)], [20])),
    ("optax.linear_onecycle_schedule(1000, 0.1, pct_start=0.25)",
     lambda: ox.linear_onecycle_schedule(1000, 0.1, pct_start=0.25)),
    ("hf.get_scheduler('warmup_stable_decay', 0.01, 10, 100, {num_decay_steps: 20})",
     lambda: hf.get_scheduler("warmup_stable_decay", 0.01, 10, 100, {"num_decay_steps": 20})),
    ("hf.get_scheduler('polynomial', lr=0.1, num_warmup_steps=5, num_training_steps=50, "
     "scheduler_specific_kwargs={'lr_end': 0.001, 'power': 2})",
     lambda: hf.PolynomialDecayScheduleWithWarmup(0.1, 5, 50, lr_end=0.001, power=2)),
    ("hf.get_cosine_with_min_lr_schedule_with_warmup(0.1, 5, 50, min_lr=0.001)",
     lambda: hf.get_scheduler("cosine_with_min_lr", lr=0.1, num_warmup_steps=5,
                              num_training_steps=50,
                              scheduler_specific_kwargs={"min_lr": 0.001})),
    ("hf.get_constant_schedule_with_warmup(0.1, 10)",
     lambda: hf.get_scheduler("constant_with_warmup", lr=0.1, num_warmup_steps=10)),
]


@pytest.mark.parametrize(("text", "call"), SPEC, ids=[s[0][:40] for s in SPEC])
def test_spec_text_is_the_python_call(text: str, call: Callable[[], lrlab.Schedule]) -> None:
    parsed = lrlab.parse(text)
    built = call()
    assert parsed == built
    t = np.arange(0, 2000)
    assert np.array_equal(parsed(t), built(t))
    assert lrlab.parse(repr(parsed)) == parsed


def test_spec_errors_point_at_the_parameter() -> None:
    with pytest.raises(lrlab.SpecError, match="decay_steps") as err:
        lrlab.parse("optax.warmup_cosine_decay_schedule(0.0, 0.1, warmup_steps=100, "
                    "decay_steps=100)")
    assert err.value.position == err.value.text.index("decay_steps=")
    with pytest.raises(lrlab.SpecError, match="num_training_steps"):
        lrlab.parse("hf.get_scheduler('linear', lr=0.1, num_warmup_steps=10)")


def test_edge_values() -> None:
    # HF: warmup from 0 at step 0; linear reaches 0 at T; cosine rises again past T
    s = hf.get_scheduler("linear", lr=0.1, num_warmup_steps=10, num_training_steps=110)
    assert (s(0), s(10), s(110), s(10**9)) == (0.0, 0.1, 0.0, 0.0)
    c = hf.get_scheduler("cosine", lr=0.1, num_warmup_steps=10, num_training_steps=110)
    assert c(110) == 0.0 and c(210) == pytest.approx(0.1, rel=1e-15)
    # cosine_warmup_with_min_lr starts at lr / W, not 0
    m = hf.get_scheduler("cosine_warmup_with_min_lr", lr=0.1, num_warmup_steps=10,
                         num_training_steps=110, scheduler_specific_kwargs={"min_lr_rate": 0})
    assert m(0) == pytest.approx(0.01, rel=1e-15)
    # optax: a scale applies at its boundary step (right side)
    p = ox.piecewise_constant_schedule(0.1, {10: 0.5})
    assert (p(9), p(10)) == (0.1, 0.05)
    # optax: decay_steps includes the warmup; alpha is relative to the peak
    w = ox.warmup_cosine_decay_schedule(0.0, 0.2, 10, 110, end_value=0.02)
    assert w(10) == 0.2 and w(110) == pytest.approx(0.02, rel=1e-15) and w(10**6) == w(110)
    assert w(60) == pytest.approx(0.11, rel=1e-14)
    # optax: one-cycle keys are truncated: int(0.29 * 100) == 28
    o = ox.linear_onecycle_schedule(100, 1.0, pct_start=0.29)
    assert o(28) == pytest.approx(1.0, rel=1e-15) and o(29) < 1.0


def test_quirk_warnings() -> None:
    with pytest.warns(lrlab.LrlabWarning, match="ignores num_warmup_steps"):
        s = hf.get_scheduler("constant", lr=0.1, num_warmup_steps=10)
    assert s == lrlab.Constant(0.1)
    with pytest.warns(lrlab.LrlabWarning, match="forever"):
        z = ox.warmup_constant_schedule(0.0, 0.1, 0)
    assert z(10**6) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hf.get_scheduler("constant", lr=0.1)  # nothing to warn about
        hf.get_scheduler("constant", lr=0.1, num_warmup_steps=0, num_training_steps=100)
        ox.warmup_constant_schedule(0.1, 0.1, 0)


def test_registered_names() -> None:
    names = set(lrlab.names())
    for fn in ox.__all__:
        if fn != "PiecewiseInterpolate":
            assert f"optax.{fn}" in names
    assert "optax.PiecewiseInterpolate" in names
    assert "hf.get_scheduler" in names
    assert lrlab.registry.lookup("hf.get_scheduler") is hf.get_scheduler
