"""Contract tests, run over every example schedule in tests/cases/.

For each: the scalar and vectorized paths agree bit for bit; config and repr round-trip to an
equal schedule; values are finite, non-negative Python floats; bad steps raise ScheduleError.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import lrlab
from tests.cases import all_cases

CASES = all_cases()


def _steps(s: lrlab.Schedule) -> np.ndarray:
    """Steps covering the start, every phase boundary (and its neighbours), the horizon and past it."""
    pts = set(range(0, 50))
    marks = list(s.phases())
    if s.horizon is not None:
        marks.append(s.horizon)
    for p in marks:
        for d in (-1.5, -1, -0.5, 0, 0.5, 1, 2):
            if p + d >= 0:
                pts.add(p + d)
    top = max([100.0, *marks]) * 2.5
    pts.update(np.linspace(0, top, 2001).tolist())
    pts.update([1e6, 1e9, 1e12])
    return np.array(sorted(pts), dtype=np.float64)


@pytest.fixture(params=CASES, ids=CASES)
def sched(request: pytest.FixtureRequest) -> lrlab.Schedule:
    return lrlab.parse(request.param)


def test_scalar_equals_vectorized(sched: lrlab.Schedule) -> None:
    t = _steps(sched)
    vec = sched(t)
    assert vec.dtype == np.float64 and vec.shape == t.shape
    scal = np.array([sched(float(x)) for x in t])
    mism = np.flatnonzero(scal != vec)
    assert mism.size == 0, f"scalar != vectorized at t={t[mism[:5]]}: {scal[mism[:5]]} vs {vec[mism[:5]]}"
    ints = [int(x) for x in t if float(x).is_integer()]
    assert [sched(i) for i in ints] == sched(np.array(ints, dtype=np.int64)).tolist()


def test_shape_is_kept(sched: lrlab.Schedule) -> None:
    t = np.arange(12).reshape(3, 4)
    out = sched(t)
    assert out.shape == (3, 4)
    assert sched(np.array(5)).shape == ()
    assert sched([0, 1]).shape == (2,)


def test_values_are_finite_non_negative_floats(sched: lrlab.Schedule) -> None:
    t = _steps(sched)
    vec = sched(t)
    assert np.all(np.isfinite(vec)), t[~np.isfinite(vec)][:5]
    assert np.all(vec >= 0), t[vec < 0][:5]
    for x in (0, 1, 10**12, 0.5):
        assert type(sched(x)) is float


def test_config_round_trip(sched: lrlab.Schedule) -> None:
    cfg = sched.to_config()
    cfg2 = json.loads(json.dumps(cfg))
    again = lrlab.from_config(cfg2)
    assert again == sched
    assert hash(again) == hash(sched)
    t = _steps(sched)
    assert np.array_equal(again(t), sched(t))


def test_repr_round_trip(sched: lrlab.Schedule) -> None:
    again = lrlab.parse(repr(sched))
    assert again == sched
    assert repr(again) == repr(sched)


def test_immutable(sched: lrlab.Schedule) -> None:
    name = next(iter(sched.params()))
    with pytest.raises(AttributeError):
        setattr(sched, name, 1.0)


@pytest.mark.parametrize("bad", [-1, -0.5, math.nan, math.inf, -math.inf])
def test_bad_steps_raise(sched: lrlab.Schedule, bad: float) -> None:
    with pytest.raises(lrlab.ScheduleError, match="`t`"):
        sched(bad)
    with pytest.raises(lrlab.ScheduleError, match="`t`"):
        sched(np.array([0.0, bad]))
