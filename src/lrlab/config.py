"""Schedules as plain data: ``to_config`` / ``from_config`` and JSON, YAML and TOML files.

A config is a dict with a ``type`` key naming a registered schedule class and its parameters;
nested schedules are nested configs.  A file holds either such a mapping, or a mapping with a
single key ``schedule`` whose value is a config or spec text.

>>> import lrlab
>>> cfg = lrlab.parse("warmup(cosine(0.1, steps=900), steps=100)").to_config()
>>> lrlab.from_config(cfg) == lrlab.parse("warmup(cosine(0.1, steps=900), steps=100)")
True
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from lrlab.errors import ScheduleError

__all__ = ["from_config", "load", "loads", "dump", "dumps", "value_to_config"]


def value_to_config(owner: Any, key: str, v: Any) -> Any:
    """Turn one parameter value into plain data (schedules become nested configs)."""
    from lrlab.schedule import Schedule

    if isinstance(v, Schedule):
        return v.to_config()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [value_to_config(owner, f"{key}[{i}]", x) for i, x in enumerate(v)]
    if isinstance(v, dict):
        return {str(k): value_to_config(owner, f"{key}.{k}", x) for k, x in v.items()}
    raise ScheduleError(
        f"{getattr(owner, 'name', type(owner).__name__)}: argument `{key}` holds {v!r}, "
        "which has no config form (a Python callable or object); pass an lrlab schedule "
        "instead to make it serializable"
    )


def _value_from_config(v: Any, where: str) -> Any:
    if isinstance(v, dict):
        if "type" in v:
            return from_config(v, _where=where)
        return {k: _value_from_config(x, f"{where}.{k}") for k, x in v.items()}
    if isinstance(v, list):
        return [_value_from_config(x, f"{where}[{i}]") for i, x in enumerate(v)]
    return v


def from_config(config: dict[str, Any], *, _where: str = "config") -> Any:
    """Rebuild a schedule from :meth:`Schedule.to_config` output.

    >>> import lrlab
    >>> lrlab.from_config({"type": "constant", "value": 0.1})
    constant(value=0.1)
    """
    from lrlab.registry import schedule_class

    if not isinstance(config, dict):
        raise ScheduleError(f"{_where} must be a dict with a 'type' key. Received: {config!r}")
    if "type" not in config:
        raise ScheduleError(f"{_where} has no 'type' key. Received keys: {sorted(config)}")
    name = config["type"]
    if not isinstance(name, str):
        raise ScheduleError(f"{_where}['type'] must be a string. Received: {name!r}")
    cls = schedule_class(name)
    kwargs = {
        k: _value_from_config(v, f"{_where}.{k}") for k, v in config.items() if k != "type"
    }
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ScheduleError(f"{_where} ({name}): {e}") from None


def _from_document(doc: Any, source: str) -> Any:
    from lrlab.spec import parse

    if isinstance(doc, str):
        return parse(doc)
    if isinstance(doc, dict) and set(doc) == {"schedule"}:
        return _from_document(doc["schedule"], source)
    if isinstance(doc, dict):
        return from_config(doc, _where=source)
    raise ScheduleError(
        f"{source} must hold a schedule config (a mapping with 'type'), spec text, or "
        f"a mapping {{'schedule': ...}}. Received: {type(doc).__name__}"
    )


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        f = fmt.lower()
    else:
        f = path.suffix.lower().lstrip(".")
    f = {"yml": "yaml"}.get(f, f)
    if f not in ("json", "yaml", "toml"):
        raise ScheduleError(
            f"argument `format` must be one of 'json', 'yaml', 'toml' (or a file ending in "
            f".json, .yaml, .yml, .toml). Received: {fmt or path.name!r}"
        )
    return f


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:
        raise ScheduleError(
            "YAML files need PyYAML: pip install 'lrlab[yaml]'"
        ) from None
    return yaml


def loads(text: str, format: str) -> Any:
    """Parse a schedule from JSON, YAML or TOML text."""
    fmt = _format_of(Path("x"), format)
    source = f"{fmt} text"
    try:
        if fmt == "json":
            doc = json.loads(text)
        elif fmt == "yaml":
            doc = _yaml().safe_load(text)
        else:
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover - Python 3.10
                import tomli as tomllib
            doc = tomllib.loads(text)
    except ScheduleError:
        raise
    except Exception as e:
        raise ScheduleError(f"{source} is not valid {fmt}: {e}") from None
    return _from_document(doc, source)


def load(path: str | os.PathLike[str], format: str | None = None) -> Any:
    """Load a schedule from a ``.json``, ``.yaml``/``.yml`` or ``.toml`` file."""
    p = Path(path)
    fmt = _format_of(p, format)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ScheduleError(f"cannot read schedule file {str(p)!r}: {e.strerror}") from None
    try:
        return loads(text, fmt)
    except ScheduleError as e:
        raise ScheduleError(f"{p}: {e}") from None


def dumps(schedule: Any, format: str = "json") -> str:
    """A schedule's config as JSON, YAML or TOML text."""
    fmt = _format_of(Path("x"), format)
    cfg = schedule.to_config()
    if fmt == "json":
        return json.dumps(cfg, indent=2) + "\n"
    if fmt == "yaml":
        return str(_yaml().safe_dump(cfg, sort_keys=False))
    return _toml(cfg)


def dump(schedule: Any, path: str | os.PathLike[str], format: str | None = None) -> None:
    """Write a schedule's config to a file; the format follows the extension."""
    p = Path(path)
    p.write_text(dumps(schedule, _format_of(p, format)), encoding="utf-8")


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise ScheduleError(f"TOML cannot hold the value {v!r} (TOML has no null)")


def _toml(cfg: dict[str, Any]) -> str:
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in cfg.items() if v is not None]
    return "\n".join(lines) + "\n"
