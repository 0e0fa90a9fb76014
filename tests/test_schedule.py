"""The schedule model: the step convention, call paths, errors, equality and immutability."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlab
from lrlab import Constant, MultiStep, PiecewiseConstant, ScheduleError, StepDecay


def test_scalar_call_returns_python_float() -> None:
    s = StepDecay(0.1, step_size=10, gamma=0.5)
    for t in (0, 5, 10.0, np.int64(10), np.float32(10.0), np.uint8(3)):
        assert type(s(t)) is float
    assert s(np.int64(10)) == s(10) == 0.05


def test_array_call_returns_float64_of_same_shape() -> None:
    s = StepDecay(0.1, step_size=10, gamma=0.5)
    for t in (np.arange(6, dtype=np.int32), np.arange(6.0).reshape(2, 3), [0, 10, 20], (1, 2)):
        out = s(t)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64
        assert out.shape == np.shape(t)
    zero_d = s(np.array(10))
    assert zero_d.shape == () and float(zero_d) == 0.05
    assert s(np.array([], dtype=np.int64)).shape == (0,)


def test_step_convention_update_one_uses_step_zero() -> None:
    # A piecewise schedule with side='right' switches exactly at the boundary step: the
    # update numbered b + 1 (the first after b updates) uses the new value.
    s = PiecewiseConstant([3], [1.0, 2.0])
    lrs_used_by_updates = [s(t) for t in range(5)]  # update 1..5 use s(0)..s(4)
    assert lrs_used_by_updates == [1.0, 1.0, 1.0, 2.0, 2.0]


def test_very_large_steps_work() -> None:
    s = MultiStep(0.1, milestones=[10, 100], gamma=0.1)
    assert s(10**12) == s(1e12) == pytest.approx(0.001)
    assert s(np.array([1e12]))[0] == s(10**12)


@pytest.mark.parametrize("bad", [-1, -1e-9, math.nan, math.inf, -math.inf, np.float64("nan")])
def test_bad_scalar_steps(bad: float) -> None:
    with pytest.raises(ScheduleError, match=r"argument `t` .* must be a finite number >= 0"):
        Constant(0.1)(bad)


def test_bad_array_steps_name_the_position() -> None:
    with pytest.raises(ScheduleError, match=r"t\[1, 0\]=.*-3"):
        Constant(0.1)(np.array([[0, 1], [-3, 4]]))


@pytest.mark.parametrize("bad", [True, "3", None, np.array(["a"]), np.array([True, False])])
def test_non_numeric_steps_are_refused(bad: object) -> None:
    with pytest.raises(ScheduleError, match="`t`"):
        Constant(0.1)(bad)


def test_overflowing_growth_raises_a_clear_error() -> None:
    s = StepDecay(1.0, step_size=1, gamma=10.0)  # grows: legal, but not forever
    assert s(3) == 1000.0
    with pytest.raises(ScheduleError, match="no finite value at step"):
        s(10**6)
    with pytest.raises(ScheduleError, match="no finite value at step"):
        s(np.array([0, 10**6]))


def test_equality_and_hash_by_value() -> None:
    a = PiecewiseConstant([10, 20], [0.1, 0.01, 0.001])
    b = PiecewiseConstant((10.0, 20.0), [0.1, 0.01, 0.001])
    assert a == b and hash(a) == hash(b)
    assert a != PiecewiseConstant([10, 20], [0.1, 0.01, 0.001], side="left")
    assert Constant(1) == Constant(1.0)
    assert Constant(0.1) != StepDecay(0.1, step_size=1, gamma=1.0)
    assert len({a, b, Constant(0.1)}) == 2


def test_schedules_are_immutable() -> None:
    s = Constant(0.1)
    with pytest.raises(AttributeError):
        s.value = 0.2  # type: ignore[misc]
    assert s(0) == 0.1


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Constant(-0.1), r"constant: argument `value` must be a number >= 0. Received: value=-0.1"),
        (lambda: Constant(math.nan), r"`value` must be a finite number"),
        (lambda: Constant("0.1"), r"`value` must be a real number. Received: value='0.1'"),
        (lambda: Constant(True), r"`value` must be a real number"),
        (lambda: StepDecay(0.1, step_size=0), r"step_decay: argument `step_size` must be a number > 0. Received: step_size=0"),
        (lambda: PiecewiseConstant([20, 10], [1, 2, 3]), r"`boundaries` must be strictly increasing"),
        (lambda: PiecewiseConstant([10], [1]), r"`values` must be one more value than boundaries \(2\)"),
        (lambda: PiecewiseConstant([10], [1, 2], side="middle"), r"`side` must be one of 'left', 'right'. Received: side='middle'"),
        (lambda: MultiStep(0.1, milestones=[5, 3]), r"`milestones` must be in non-decreasing order"),
    ],
)
def test_errors_name_parameter_rule_and_value(build: object, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        build()  # type: ignore[operator]


def test_schedule_error_is_a_value_error() -> None:
    assert issubclass(lrlab.ScheduleError, ValueError)
    assert issubclass(lrlab.SpecError, lrlab.ScheduleError)


def test_scaling_operators_build_composites() -> None:
    a = StepDecay(0.2, step_size=10, gamma=0.5)
    assert (0.5 * a)(10) == 0.05 == (a * 0.5)(10)
    assert (a * Constant(2.0))(10) == 0.2
    with pytest.raises(TypeError):
        a * "x"  # type: ignore[operator]
