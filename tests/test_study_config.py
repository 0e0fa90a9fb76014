"""Study configs and presets: YAML loading, validation errors, placeholders, grid."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrlab.study.config import ConfigError, StudyConfig, load_config, resolve_spec
from lrlab.study.presets import DEFAULT_PRESET, PRESETS, get_preset

BASE = {"tasks": [{"name": "t", "model": "mlp", "epochs": 2}],
        "schedules": [{"name": "c", "spec": "constant(0.1)"}]}


def _cfg(**changes: object) -> dict:
    return {**BASE, **changes}


def test_grid_order_and_defaults() -> None:
    cfg = StudyConfig.from_dict(_cfg(
        tasks=[{"name": "a"}, {"name": "b", "model": "softmax"}],
        schedules=["constant(0.1)", {"name": "cos", "spec": "cosine(0.1, steps=100)"}],
        seeds=[3, 1]))
    assert [(c.task, c.schedule, c.seed) for c in cfg.grid()] == [
        ("a", "constant(0.1)", 3), ("a", "constant(0.1)", 1), ("a", "cos", 3), ("a", "cos", 1),
        ("b", "constant(0.1)", 3), ("b", "constant(0.1)", 1), ("b", "cos", 3), ("b", "cos", 1)]
    t = cfg.task("a")
    assert (t.dataset, t.model, t.optimizer, t.batch_size, t.val_fraction) == (
        "fashion-mnist-mini", "mlp", "sgd", 64, 0.0)
    assert cfg.to_dict()["seeds"] == [3, 1]


def test_resolve_spec_placeholders() -> None:
    text = "warmup(cosine(0.1, steps={0.9*total_steps}), steps={0.1*total_steps})"
    assert resolve_spec(text, steps_per_epoch=10, epochs=5) == \
        "warmup(cosine(0.1, steps=45), steps=5)"
    assert resolve_spec("x={2*steps_per_epoch}, e={epochs}", steps_per_epoch=7, epochs=3) == \
        "x=14, e=3"
    with pytest.raises(ConfigError, match=r"unknown placeholder \{batches\}"):
        resolve_spec("cosine(0.1, steps={batches})", steps_per_epoch=1, epochs=1)


@pytest.mark.parametrize(("changes", "message"), [
    ({"tasks": []}, r"tasks must be a non-empty list"),
    ({"tasks": [{"model": "mlp"}]}, r"tasks\[0\]: missing key 'name'"),
    ({"tasks": [{"name": "t", "batch_size": 0}]}, r"tasks\[0\].batch_size must be an integer >= 1. Received: 0"),
    ({"tasks": [{"name": "t", "model": "resnet"}]}, r"tasks\[0\].model must be one of .*'mlp'.* Received: 'resnet'"),
    ({"tasks": [{"name": "t", "dataset": "imagenet"}]}, r"dataset must be one of"),
    ({"tasks": [{"name": "t", "optimzer": "sgd"}]}, r"unknown key 'optimzer'"),
    ({"tasks": [{"name": "t", "optimizer": "adam", "momentum": 0.9}]}, r"momentum applies to optimizer 'sgd' only"),
    ({"tasks": [{"name": "t"}, {"name": "t"}]}, r"tasks names must be unique; 't' repeats"),
    ({"schedules": [{"name": "x", "spec": "cosine(0.1)"}]}, r"schedules\[0\].spec: 'cosine\(0.1\)' is not a valid lrlab schedule"),
    ({"schedules": [{"name": "x"}]}, r"schedules\[0\]: missing key 'spec'"),
    ({"schedules": [{"spec": "constant(0.1)", "plateau": {"patience": 1}}]}, r"val_fraction must be > 0 when a schedule has a plateau"),
    ({"tasks": [{"name": "t", "val_fraction": 0.1}], "schedules": [{"spec": "constant(0.1)", "plateau": {"factor": 2}}]}, r"schedules\[0\].plateau: .*factor"),
    ({"tasks": [{"name": "t", "val_fraction": 0.1}], "schedules": [{"spec": "constant(0.1)", "plateau": {"patiense": 2}}]}, r"unknown key 'patiense'"),
    ({"seeds": [0, 0]}, r"seeds must be unique"),
    ({"seeds": "0"}, r"seeds must be an integer or a non-empty list"),
    ({"target_accuracy": 2}, r"target_accuracy must be a number in \[0, 1\]"),
    ({"colour": 1}, r"unknown key 'colour'"),
])
def test_errors_name_the_place(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        StudyConfig.from_dict(_cfg(**changes), "my.yaml")
    assert str(info.value).startswith("my.yaml")


def test_load_yaml_file(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("name: demo\nseeds: 2\ntasks:\n  - name: t\n    epochs: 1\n"
                 "schedules:\n  - cosine(0.1, steps={total_steps})\n")
    cfg = load_config(p)
    assert cfg.name == "demo" and cfg.seeds == (2,) and cfg.schedules[0].name.startswith("cos")
    p.write_text("tasks: [unclosed\n")
    with pytest.raises(ConfigError, match=r"s.yaml: not valid YAML"):
        load_config(p)
    with pytest.raises(ConfigError, match=r"no such config file"):
        load_config(tmp_path / "missing.yaml")
    p.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match=r"s.yaml must be a mapping"):
        load_config(p)


def test_presets_are_valid_and_documented() -> None:
    assert DEFAULT_PRESET == "tour" and DEFAULT_PRESET in PRESETS
    for name, p in PRESETS.items():
        cfg = get_preset(name)
        assert cfg.name == name and cfg.notes["preset"] == name
        if name != "tour":
            assert p.original and p.differences
    tour = get_preset("tour")
    assert [s.name for s in tour.schedules] == [
        "constant", "step", "exponential", "cosine", "warmup-cosine", "one-cycle",
        "clr-triangular2", "plateau"]
    assert len(tour.seeds) >= 2      # mean ± std needs two seeds
    exp = get_preset("tf-mnist-expdecay")
    t = exp.tasks[0]
    assert (t.model, t.optimizer, t.batch_size, t.epochs, t.dataset) == (
        "softmax", "sgd", 100, 50, "mnist")
    assert PRESETS["tf-mnist-expdecay"].reported == {"exponential-decay": 0.8897,
                                                     "constant": 0.8586}
    assert PRESETS["cifar-lenet-plateau"].reported == {"plateau": 0.5617, "none": 0.5476}
    assert PRESETS["cifar-lenet-plateau-1e-4"].reported == {"plateau": 0.5636, "none": 0.5688}
    assert get_preset("cifar-lenet-plateau-1e-4").tasks[0].epochs == 120
    clr = get_preset("fashion-clr")
    assert clr.schedule("clr-triangular2").spec.startswith("cyclic(1e-4, 1e-2, "
                                                            "step_size_up={2*steps_per_epoch}")


def test_preset_with_other_dataset() -> None:
    cfg = get_preset("cifar-lenet-plateau", data="fashion-mnist")
    assert {t.dataset for t in cfg.tasks} == {"fashion-mnist"}
    with pytest.raises(ConfigError, match=r"dataset must be one of"):
        get_preset("cifar-lenet-plateau", data="svhn")
    with pytest.raises(ConfigError, match=r"unknown preset 'tuor'; the presets are"):
        get_preset("tuor")


def test_docs_example_config_loads() -> None:
    root = Path(__file__).resolve().parents[1]
    example = root / "docs" / "examples" / "study.yaml"
    cfg = load_config(example)
    assert cfg.name == "my-study" and cfg.seeds == (0, 1, 2)
    assert [s.name for s in cfg.schedules] == ["constant", "cosine", "clr", "plateau"]
    assert cfg.schedule("plateau").plateau == {"patience": 5, "factor": 0.1, "rule": "keras"}
    assert cfg.tasks[0].val_fraction == 0.1
    # the page shows the file as it is
    assert example.read_text() in (root / "docs" / "study.md").read_text()
