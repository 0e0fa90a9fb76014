"""CSV/JSON export, step grids, and ``describe`` (lrlab.export)."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

import lrlab
from lrlab.export import as_schedules, describe, export_csv, export_json, sample, step_range

WARMUP_COSINE = "warmup(cosine(0.1, steps=9000, alpha=0.01), steps=1000, start=0.0)"


def test_json_single_schedule_is_a_list_of_exact_floats():
    s = lrlab.parse(WARMUP_COSINE)
    steps = [0, 1, 500, 999, 1000, 1001, 5000, 10000, 12345.5]
    got = json.loads(export_json(s, steps))
    assert got == [s(t) for t in steps]  # repr round trip: bit-exact
    assert all(type(x) is float for x in got)


def test_json_several_schedules_has_steps_and_labels():
    got = json.loads(export_json({"a": "constant(0.1)", "b": "linear(1.0, 0.0, steps=10)"},
                                 [0, 5, 10]))
    assert got == {"steps": [0, 5, 10], "values": {"a": [0.1] * 3, "b": [1.0, 0.5, 0.0]}}


def test_csv_reads_back_exactly(tmp_path):
    s = lrlab.parse(WARMUP_COSINE)
    t = np.arange(0, 10001, 250.5)
    path = tmp_path / "v.csv"
    text = export_csv([s, "constant(0.3)"], t, path)
    assert path.read_text() == text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["step", "warmup", "constant"]
    assert [float(r[0]) for r in rows[1:]] == t.tolist()
    assert [float(r[1]) for r in rows[1:]] == s(t).tolist()
    assert {r[2] for r in rows[1:]} == {"0.3"}
    assert rows[1][0] == "0" and rows[2][0] == "250.5"  # integral steps print as ints


def test_export_to_open_file():
    buf = io.StringIO()
    export_json("constant(0.5)", [0, 1], buf)
    assert buf.getvalue() == "[0.5, 0.5]"


def test_labels_default_to_family_and_are_numbered():
    pairs = as_schedules(["constant(0.1)", lrlab.Constant(0.2), "cosine(0.1, steps=10)"])
    assert [label for label, _ in pairs] == ["constant", "constant #2", "cosine"]
    assert [label for label, _ in as_schedules("constant(1)", labels=["x"])] == ["x"]


@pytest.mark.parametrize(
    ("arg", "kwargs", "match"),
    [
        ([], {}, "must not be empty"),
        (42, {}, "must be a Schedule, spec text"),
        (["constant(1)", 3], {}, r"schedules\[1\]"),
        (["constant(1)"], {"labels": ["a", "b"]}, "one label per schedule"),
    ],
)
def test_as_schedules_errors_name_the_argument(arg, kwargs, match):
    with pytest.raises(lrlab.ScheduleError, match=match):
        as_schedules(arg, **kwargs)


def test_bad_spec_text_raises_spec_error_with_position():
    with pytest.raises(lrlab.SpecError) as e:
        export_json("cosine(0.1, steps=)", [0])
    assert e.value.position == 18


def test_step_range_is_python_range():
    assert step_range(0, 10, 3).tolist() == [0, 3, 6, 9]
    assert step_range(5, 5).tolist() == []
    assert step_range(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    with pytest.raises(lrlab.ScheduleError, match="`step` must be > 0"):
        step_range(0, 10, 0)
    with pytest.raises(lrlab.ScheduleError, match="start >= 0"):
        step_range(-1, 10)
    with pytest.raises(lrlab.ScheduleError, match="at most 10,000,000 steps"):
        step_range(0, 1e9)


def test_sample_is_exact_below_budget_and_keeps_jumps_above():
    s = lrlab.parse("piecewise([3333333], [1.0, 0.5])")
    t, y = sample(s, 20, budget=100)
    assert t.tolist() == list(range(21))
    t, y = sample(s, 10_000_000, budget=1000)
    assert len(t) < 1010
    i = int(np.searchsorted(t, 3333333))
    assert t[i - 1] == 3333332 and y[i - 1] == 1.0
    assert t[i] == 3333333 and y[i] == 0.5
    assert t[-1] == 10_000_000
    np.testing.assert_array_equal(y, s(t))


def test_describe_warmup_cosine():
    d = describe(WARMUP_COSINE)
    s = lrlab.parse(WARMUP_COSINE)
    assert d["horizon"] == 10000 and d["end"] == 10000
    assert d["phases"] == [1000, 10000]
    assert d["peak"] == pytest.approx(0.1) and d["peak_step"] == 1000
    assert d["min"] == 0.0 and d["min_step"] == 0
    assert d["final"] == s(10000) == pytest.approx(0.001)
    assert d["integral"] == pytest.approx(float(np.sum(s(np.arange(10000)))), rel=1e-12)
    assert d["integral_exact"] is True
    assert len(d["warnings"]) == 1 and "step 0 is exactly 0.0" in d["warnings"][0]
    json.dumps(d)  # JSON-able


def test_describe_clean_schedule_has_no_warnings():
    d = describe("warmup(cosine(0.1, steps=9000), steps=1000, start=0.001)",
                 steps_per_epoch=100, epochs=100)
    assert d["warnings"] == []


def test_describe_warns_when_the_lr_rises_after_the_horizon():
    d = describe("cosine(0.1, steps=100, periodic=True)")
    assert any("rises again after the horizon" in w for w in d["warnings"])


def test_describe_warns_on_epoch_mismatch():
    d = describe("cosine(0.1, steps=1000)", steps_per_epoch=30, epochs=30)
    (w,) = d["warnings"]
    assert "horizon (1000 steps)" in w and "30 x 30 = 900" in w


def test_describe_without_horizon_uses_steps_or_epochs():
    assert describe("exponential(0.1, decay_rate=0.5, decay_steps=100)")["end"] == 10000
    d = describe("exponential(0.1, decay_rate=0.5, decay_steps=100)", steps_per_epoch=10,
                 epochs=20)
    assert d["end"] == 200 and d["final"] == pytest.approx(0.025)
    d = describe("constant(0.1)", steps=7)
    assert d["integral"] == pytest.approx(0.7) and d["phases"] == []


def test_describe_long_schedule_is_fast_and_exact():
    d = describe("step_decay(0.1, step_size=1e6, gamma=0.5)", steps=10_000_000)
    expected = math.fsum(0.1 * 0.5**k * 1e6 for k in range(10))
    assert d["integral"] == pytest.approx(expected, rel=1e-12)
    assert d["min"] == d["final"] == pytest.approx(0.1 * 0.5**10)  # the window includes its end
