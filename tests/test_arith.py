"""Product and Scale (lrlab/compose/arith.py) and the ``*`` operator on schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlab
from lrlab import Constant, MultiStep, PiecewiseConstant, Product, Scale, StepDecay, Warmup

SD = StepDecay(0.2, step_size=10, gamma=0.5)  # 0.2 * 0.5 ** floor(t / 10)
PW = PiecewiseConstant([5], [1.0, 0.5])


def sd(t: float) -> float:
    return 0.2 * 0.5 ** math.floor(t / 10)


def test_product_values_every_factor_at_the_global_step() -> None:
    s = Product([Constant(0.5), SD, PW])
    for t in (0, 4, 5, 9.5, 10, 25, 10**9):
        want = 0.5 * sd(t) * (1.0 if t < 5 else 0.5)
        assert s(t) == pytest.approx(want, rel=1e-15)
    steps = np.array([0, 5, 10, 25])
    assert s(steps).tolist() == [s(int(x)) for x in steps]
    assert Product([SD])(15) == sd(15)


def test_product_horizon_and_phases() -> None:
    s = Product([MultiStep(0.1, [30, 80]), PW, Warmup(Constant(1.0), steps=20)])
    assert s.phases() == (5.0, 20.0, 30.0, 80.0)
    assert s.horizon == 20.0  # the only factor with a horizon
    assert Product([SD, PW]).horizon is None


def test_scale_values() -> None:
    s = Scale(SD, 3)
    assert s.factor == 3.0 and type(s.factor) is float
    assert [s(t) for t in (0, 10, 20)] == [pytest.approx(3 * sd(t), rel=1e-15) for t in (0, 10, 20)]
    assert Scale(SD, 0)(7) == 0.0
    assert Scale(PW, 2).phases() == (5.0,)
    assert Scale(Warmup(Constant(1.0), steps=20), 2).horizon == 20.0


def test_mul_operator_builds_product_and_scale() -> None:
    a, b = Constant(0.5), SD
    assert a * b == Product((a, b))
    assert (a * b)(10) == 0.5 * sd(10)
    assert 0.5 * b == Scale(b, 0.5)
    assert b * 2 == Scale(b, 2.0)
    assert (b * 2)(10) == 2 * sd(10)
    assert (0.5 * b)(25) == 0.5 * sd(25)
    assert np.float64(0.5) * b == Scale(b, 0.5)  # NumPy scalars defer to Schedule.__rmul__
    assert b * np.int64(3) == Scale(b, 3.0)


def test_mul_operator_refuses_non_numbers() -> None:
    with pytest.raises(TypeError):
        SD * "2"
    with pytest.raises(TypeError):
        SD * True
    with pytest.raises(TypeError):
        [1] * SD


def test_nesting_and_round_trips() -> None:
    s = 0.5 * (Warmup(SD, steps=5) * PW)
    assert isinstance(s, Scale) and isinstance(s.schedule, Product)
    assert s(0) == 0.0
    assert s(5) == pytest.approx(0.5 * sd(0) * 0.5, rel=1e-15)
    assert s(17) == pytest.approx(0.5 * sd(12) * 0.5, rel=1e-15)
    assert repr(s) == (
        "scale(schedule=product(schedules=[warmup(schedule=step_decay(init=0.2, step_size=10, "
        "gamma=0.5), steps=5), piecewise(boundaries=[5], values=[1, 0.5])]), factor=0.5)"
    )
    assert lrlab.parse(repr(s)) == s
    assert lrlab.from_config(s.to_config()) == s
    assert hash(lrlab.parse(repr(s))) == hash(s)


@pytest.mark.parametrize(
    "make, msg",
    [
        (lambda: Scale(SD, -0.5), "scale: argument `factor` must be a number >= 0.*factor=-0.5"),
        (lambda: Scale(SD, math.nan), "`factor` must be a finite number.*factor=nan"),
        (lambda: Scale(SD, "2"), "`factor` must be a real number.*factor='2'"),
        (lambda: Scale(0.1, 2), "`schedule` must be an lrlab schedule.*schedule=0.1"),
        (lambda: Product([]), "`schedules` must be a list of at least 1 schedules"),
        (lambda: Product(SD), "`schedules` must be a list of lrlab schedules"),
        (lambda: Product([SD, 0.5]), "`schedules\\[1\\]` must be an lrlab schedule"),
    ],
)
def test_validation(make: object, msg: str) -> None:
    with pytest.raises(lrlab.ScheduleError, match=msg):
        make()  # type: ignore[operator]


def test_negative_factor_via_operator_raises() -> None:
    with pytest.raises(lrlab.ScheduleError, match="factor=-1"):
        SD * -1
