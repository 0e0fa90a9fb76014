"""Config dicts and schedule files (JSON, YAML, TOML)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lrlab
from lrlab import ScheduleError

NESTED = "product([constant(0.5), piecewise(boundaries=[10, 20], values=[1, 0.1, 0.01])])"


def test_config_is_plain_json_data() -> None:
    s = lrlab.parse(NESTED)
    cfg = s.to_config()
    assert json.loads(json.dumps(cfg)) == cfg
    assert cfg["type"] == "product"
    assert cfg["schedules"][1] == {
        "type": "piecewise", "boundaries": [10.0, 20.0], "values": [1.0, 0.1, 0.01],
        "side": "right",
    }
    assert lrlab.from_config(cfg) == s


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ([], "must be a dict"),
        ({"value": 1}, "no 'type' key"),
        ({"type": 3}, "'type'] must be a string"),
        ({"type": "nope"}, "unknown schedule type 'nope'"),
        ({"type": "constant"}, "missing 1 required positional argument: 'value'"),
        ({"type": "constant", "value": 1, "x": 2}, "unexpected keyword argument 'x'"),
        ({"type": "constant", "value": -1}, "`value` must be a number >= 0"),
        ({"type": "product", "schedules": [{"type": "bogus"}]}, "unknown schedule type 'bogus'"),
    ],
)
def test_bad_configs_raise_clear_errors(cfg: object, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        lrlab.from_config(cfg)  # type: ignore[arg-type]


def test_compat_constructor_names_are_not_config_types() -> None:
    # config "type" names are schedule classes only; a spec can call more (compat functions)
    with pytest.raises(ScheduleError, match="unknown schedule type"):
        lrlab.from_config({"type": "__builtins__"})


@pytest.mark.parametrize("ext", ["json", "yaml", "yml", "toml"])
def test_dump_and_load_files(tmp_path: Path, ext: str) -> None:
    s = lrlab.parse(NESTED)
    path = tmp_path / f"sched.{ext}"
    lrlab.dump(s, path)
    assert lrlab.load(path) == s


def test_files_may_hold_spec_text_or_a_schedule_key(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps("constant(0.1)"))
    (tmp_path / "b.yaml").write_text("schedule: step_decay(0.1, step_size=30)\n")
    (tmp_path / "c.toml").write_text('[schedule]\ntype = "constant"\nvalue = 0.25\n')
    (tmp_path / "d.toml").write_text('schedule = "constant(0.5)"\n')
    (tmp_path / "e.yaml").write_text("type: multistep\ninit: 0.1\nmilestones: [30, 80]\n")
    assert lrlab.load(tmp_path / "a.json") == lrlab.Constant(0.1)
    assert lrlab.load(tmp_path / "b.yaml") == lrlab.StepDecay(0.1, step_size=30)
    assert lrlab.load(tmp_path / "c.toml") == lrlab.Constant(0.25)
    assert lrlab.load(tmp_path / "d.toml") == lrlab.Constant(0.5)
    assert lrlab.load(tmp_path / "e.yaml") == lrlab.MultiStep(0.1, milestones=[30, 80])


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="cannot read schedule file .*missing.json"):
        lrlab.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ScheduleError, match="bad.json: json text is not valid json"):
        lrlab.load(bad)
    worse = tmp_path / "worse.yaml"
    worse.write_text("schedule: constant(0.1\n")
    with pytest.raises(ScheduleError, match=r"worse.yaml: .*expected ',' or '\)'"):
        lrlab.load(worse)
    with pytest.raises(ScheduleError, match="argument `format` must be one of"):
        lrlab.load(tmp_path / "x.ini")
    lst = tmp_path / "list.json"
    lst.write_text("[1, 2]")
    with pytest.raises(ScheduleError, match="must hold a schedule config"):
        lrlab.load(lst)


def test_yaml_loading_is_safe(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ScheduleError, match="not valid yaml"):
        lrlab.load(evil)


def test_callables_have_no_config_form() -> None:
    from lrlab.config import value_to_config

    with pytest.raises(ScheduleError, match="has no config form"):
        value_to_config(lrlab.Constant(1.0), "scale", lambda x: x)
