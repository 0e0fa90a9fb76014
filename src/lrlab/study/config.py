"""A study's configuration: tasks x schedules x seeds, read from a preset or a YAML file.

A YAML config looks like this (every key but ``tasks`` and ``schedules`` is optional)::

    name: my-study
    seeds: [0, 1, 2]
    target_accuracy: 0.80          # "epochs to reach" column of the report
    tasks:
      - name: cnn
        dataset: fashion-mnist     # fashion-mnist-mini (default), fashion-mnist, mnist, cifar10
        model: fashion-cnn         # softmax, lenet5, fashion-cnn, mlp
        optimizer: sgd             # sgd or adam
        momentum: 0.9
        batch_size: 64
        epochs: 10
        limit_train: 10000         # optional: first N training images
        limit_test: 2000
        val_fraction: 0.1          # share of the training images held out for validation
    schedules:
      - name: constant
        spec: constant(0.01)
      - name: clr
        spec: cyclic(1e-4, 1e-2, step_size_up={2*steps_per_epoch}, mode='triangular2')
      - name: plateau
        spec: constant(1e-3)
        plateau: {patience: 5, factor: 0.1}   # ReduceLROnPlateau on the validation loss

Schedules are lrlab spec text, evaluated at the optimizer step.  Spec text may use the
placeholders ``{steps_per_epoch}``, ``{total_steps}`` and ``{epochs}``, optionally multiplied
by a number (``{2*steps_per_epoch}``, ``{0.1*total_steps}``); they are replaced, per task, by
integers before the text is parsed.  ``plateau`` adds a :class:`lrlab.plateau.ReduceLROnPlateau`
(its keyword arguments) that multiplies the schedule after each epoch's validation loss.

Errors (:class:`ConfigError`) name the file, the key path (``tasks[0].batch_size``), the rule
and the value.

>>> cfg = StudyConfig.from_dict({"tasks": [{"name": "t", "model": "mlp", "epochs": 2}],
...                              "schedules": [{"name": "c", "spec": "constant(0.1)"}]})
>>> [(t.task, t.schedule, t.seed) for t in cfg.grid()]
[('t', 'c', 0)]
>>> resolve_spec("cosine(0.1, steps={total_steps})", steps_per_epoch=10, epochs=3)
'cosine(0.1, steps=30)'
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from lrlab.errors import LrlabError

__all__ = [
    "ConfigError", "GridCell", "ScheduleConfig", "StudyConfig", "TaskConfig", "load_config",
    "resolve_spec",
]

DATASET_NAMES = ("fashion-mnist", "fashion-mnist-mini", "mnist", "cifar10")
MODEL_NAMES = ("softmax", "lenet5", "fashion-cnn", "mlp")
OPTIMIZERS = ("sgd", "adam")
PLACEHOLDERS = ("steps_per_epoch", "total_steps", "epochs")
PLATEAU_KEYS = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
                "min_lr", "eps", "rule", "window")

_PLACEHOLDER = re.compile(r"\{\s*(?:([0-9.eE+-]+)\s*\*\s*)?([A-Za-z_]+)\s*\}")


class ConfigError(LrlabError, ValueError):
    """A study configuration that cannot be used; the message names where and why."""


def _fail(where: str, rule: str, value: Any) -> ConfigError:
    return ConfigError(f"{where} must be {rule}. Received: {value!r}")


def _int(where: str, v: Any, lo: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise _fail(where, f"an integer >= {lo}", v)
    return int(v)


def _opt_int(where: str, v: Any, lo: int = 1) -> int | None:
    return None if v is None else _int(where, v, lo)


def _real(where: str, v: Any, lo: float = 0.0, hi: float | None = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
            or v < lo or (hi is not None and v > hi):
        rule = f"a number in [{lo}, {hi}]" if hi is not None else f"a number >= {lo}"
        raise _fail(where, rule, v)
    return float(v)


def _str(where: str, v: Any, choices: Sequence[str] | None = None) -> str:
    if not isinstance(v, str) or not v:
        raise _fail(where, "a non-empty string", v)
    if choices is not None and v not in choices:
        raise _fail(where, "one of " + ", ".join(map(repr, choices)), v)
    return v


def _check_keys(where: str, d: Any, allowed: Sequence[str]) -> dict[str, Any]:
    if not isinstance(d, Mapping):
        raise _fail(where, "a mapping", d)
    unknown = [k for k in d if k not in allowed]
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; the keys are "
                          + ", ".join(allowed))
    return dict(d)


def resolve_spec(spec: str, *, steps_per_epoch: int, epochs: int) -> str:
    """Replace ``{steps_per_epoch}``, ``{total_steps}``, ``{epochs}`` (optionally ``{k*name}``)
    in spec text by integers (rounded to nearest)."""
    values = {"steps_per_epoch": steps_per_epoch, "total_steps": steps_per_epoch * epochs,
              "epochs": epochs}

    def sub(m: re.Match[str]) -> str:
        k, name = m.group(1), m.group(2)
        if name not in values:
            raise ConfigError(f"schedule spec {spec!r}: unknown placeholder {{{name}}}; the "
                              f"placeholders are " + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
        x = values[name] * (float(k) if k else 1)
        return str(max(1, round(x)))

    return _PLACEHOLDER.sub(sub, spec)


@dataclass(frozen=True)
class TaskConfig:
    """What is trained: data, model, optimizer and training length."""

    name: str
    model: str = "mlp"
    dataset: str = "fashion-mnist-mini"
    optimizer: str = "sgd"
    momentum: float = 0.0
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 5
    limit_train: int | None = None
    limit_test: int | None = None
    val_fraction: float = 0.0

    @classmethod
    def from_dict(cls, d: Any, where: str) -> TaskConfig:
        """Validate a mapping (``where`` names it in errors)."""
        d = _check_keys(where, d, [f.name for f in fields(cls)])
        if "name" not in d:
            raise ConfigError(f"{where}: missing key 'name'")
        out = cls(
            name=_str(f"{where}.name", d["name"]),
            model=_str(f"{where}.model", d.get("model", "mlp"), MODEL_NAMES),
            dataset=_str(f"{where}.dataset", d.get("dataset", "fashion-mnist-mini"),
                         DATASET_NAMES),
            optimizer=_str(f"{where}.optimizer", d.get("optimizer", "sgd"), OPTIMIZERS),
            momentum=_real(f"{where}.momentum", d.get("momentum", 0.0), 0.0, 1.0),
            weight_decay=_real(f"{where}.weight_decay", d.get("weight_decay", 0.0)),
            batch_size=_int(f"{where}.batch_size", d.get("batch_size", 64)),
            epochs=_int(f"{where}.epochs", d.get("epochs", 5)),
            limit_train=_opt_int(f"{where}.limit_train", d.get("limit_train")),
            limit_test=_opt_int(f"{where}.limit_test", d.get("limit_test")),
            val_fraction=_real(f"{where}.val_fraction", d.get("val_fraction", 0.0), 0.0, 0.9),
        )
        if out.optimizer == "adam" and out.momentum:
            raise ConfigError(f"{where}.momentum applies to optimizer 'sgd' only (Adam has "
                              f"betas). Received: momentum={out.momentum!r}")
        return out


@dataclass(frozen=True)
class ScheduleConfig:
    """One schedule of the study: a label, lrlab spec text, and an optional plateau
    controller (keyword arguments of :class:`lrlab.plateau.ReduceLROnPlateau`)."""

    name: str
    spec: str
    plateau: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, d: Any, where: str) -> ScheduleConfig:
        """Validate a mapping (or a bare spec string) and check that the spec parses."""
        if isinstance(d, str):
            d = {"name": d, "spec": d}
        d = _check_keys(where, d, ["name", "spec", "plateau"])
        if "spec" not in d:
            raise ConfigError(f"{where}: missing key 'spec' (lrlab spec text, e.g. "
                              f"'cosine(0.1, steps={{total_steps}})')")
        spec = _str(f"{where}.spec", d["spec"])
        name = _str(f"{where}.name", d.get("name", spec))
        plateau = d.get("plateau")
        if plateau is not None:
            plateau = _check_keys(f"{where}.plateau", plateau, PLATEAU_KEYS)
        out = cls(name=name, spec=spec, plateau=plateau)
        out.check(where)
        return out

    def check(self, where: str) -> None:
        """Parse the spec (placeholders set to 1000) and build the plateau controller, so a
        bad schedule fails before any training."""
        import lrlab
        from lrlab.plateau import ReduceLROnPlateau

        try:
            lrlab.parse(resolve_spec(self.spec, steps_per_epoch=1000, epochs=10))
        except ConfigError:
            raise
        except Exception as e:
            raise ConfigError(f"{where}.spec: {self.spec!r} is not a valid lrlab schedule: {e}"
                              ) from None
        if self.plateau is not None:
            try:
                ReduceLROnPlateau(**self.plateau)
            except Exception as e:
                raise ConfigError(f"{where}.plateau: {e}") from None


@dataclass(frozen=True)
class GridCell:
    """One trial of the grid (names and seed; the runner turns it into a trial spec)."""

    task: str
    schedule: str
    seed: int


@dataclass(frozen=True)
class StudyConfig:
    """A whole study: tasks x schedules x seeds."""

    name: str
    tasks: tuple[TaskConfig, ...]
    schedules: tuple[ScheduleConfig, ...]
    seeds: tuple[int, ...] = (0,)
    target_accuracy: float | None = None
    description: str = ""
    source: str = "<dict>"
    notes: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, d: Any, source: str = "<dict>") -> StudyConfig:
        """Validate a mapping; ``source`` (a file name) prefixes every error."""
        where = source
        keys = ["name", "description", "seeds", "target_accuracy", "tasks", "schedules",
                "notes"]
        d = _check_keys(where, d, keys)
        for k in ("tasks", "schedules"):
            if k not in d:
                raise ConfigError(f"{where}: missing key {k!r}")
            if not isinstance(d[k], list) or not d[k]:
                raise _fail(f"{where}: {k}", "a non-empty list", d[k])
        tasks = tuple(TaskConfig.from_dict(t, f"{where}: tasks[{i}]")
                      for i, t in enumerate(d["tasks"]))
        scheds = tuple(ScheduleConfig.from_dict(s, f"{where}: schedules[{i}]")
                       for i, s in enumerate(d["schedules"]))
        if any(s.plateau is not None for s in scheds):
            for i, t in enumerate(tasks):
                if t.val_fraction <= 0:
                    raise ConfigError(f"{where}: tasks[{i}].val_fraction must be > 0 when a "
                                      f"schedule has a plateau controller (it monitors the "
                                      f"validation loss). Received: {t.val_fraction!r}")
        for what, items in (("tasks", tasks), ("schedules", scheds)):
            names = [x.name for x in items]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ConfigError(f"{where}: {what} names must be unique; {dup[0]!r} repeats")
        seeds = d.get("seeds", [0])
        if isinstance(seeds, int) and not isinstance(seeds, bool):
            seeds = [seeds]
        if not isinstance(seeds, list) or not seeds:
            raise _fail(f"{where}: seeds", "an integer or a non-empty list of integers", seeds)
        seeds_t = tuple(_int(f"{where}: seeds[{i}]", s, 0) for i, s in enumerate(seeds))
        if len(set(seeds_t)) != len(seeds_t):
            raise ConfigError(f"{where}: seeds must be unique. Received: {seeds!r}")
        ta = d.get("target_accuracy")
        return cls(
            name=_str(f"{where}: name", d.get("name", Path(source).stem or "study")),
            tasks=tasks, schedules=scheds, seeds=seeds_t,
            target_accuracy=None if ta is None else _real(f"{where}: target_accuracy", ta, 0, 1),
            description=str(d.get("description", "")), source=source,
            notes=dict(d.get("notes") or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (what the store records; ``source`` left out)."""
        return {
            "name": self.name, "description": self.description, "seeds": list(self.seeds),
            "target_accuracy": self.target_accuracy,
            "tasks": [asdict(t) for t in self.tasks],
            "schedules": [{k: v for k, v in asdict(s).items() if v is not None}
                          for s in self.schedules],
        }

    def task(self, name: str) -> TaskConfig:
        """The task called ``name``."""
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(name)

    def schedule(self, name: str) -> ScheduleConfig:
        """The schedule called ``name``."""
        for s in self.schedules:
            if s.name == name:
                return s
        raise KeyError(name)

    def grid(self) -> list[GridCell]:
        """Every (task, schedule, seed), tasks outermost, seeds innermost."""
        return [GridCell(t.name, s.name, seed) for t in self.tasks for s in self.schedules
                for seed in self.seeds]

    def replace_tasks(self, **changes: Any) -> StudyConfig:
        """A copy whose tasks all get ``changes`` (e.g. ``dataset=``, ``epochs=``); keys whose
        value is None are ignored."""
        import dataclasses

        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            return self
        d = self.to_dict()
        for t in d["tasks"]:
            t.update(changes)
        return dataclasses.replace(
            self, tasks=tuple(TaskConfig.from_dict(t, f"{self.source}: tasks[{i}] (overridden)")
                              for i, t in enumerate(d["tasks"])))


def load_config(path: str | os.PathLike[str]) -> StudyConfig:
    """Read a study config from a YAML (or JSON) file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file (or preset: `lrlab study "
                          f"--list-presets` lists the presets)") from None
    except OSError as e:
        raise ConfigError(f"{p}: cannot read the config file: {e}") from None
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is a dependency of the cli extra
        raise ConfigError(f"{p}: reading a YAML config needs PyYAML: pip install "
                          f"'lrlab[yaml]'") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: not valid YAML: {e}") from None
    return StudyConfig.from_dict(doc, str(p))
