"""lrlab's registry of schedule constructors: the only names a spec or config can reach.

Core families register under a plain name (``cosine``); framework-compatible constructors
under their namespace and original name (``torch.OneCycleLR``, ``hf.get_scheduler``).  The
parser and :func:`lrlab.from_config` look names up here and nowhere else: nothing importable
or callable outside this table is reachable from spec text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from lrlab.errors import ScheduleError

__all__ = ["register", "lookup", "schedule_class", "names", "NAMESPACES"]

#: compat namespaces, each a module ``lrlab.compat.<ns>`` imported on first use.
NAMESPACES = ("tf1", "keras", "torch", "optax", "tfa", "hf", "timm", "fastai")

_CONSTRUCTORS: dict[str, Callable[..., Any]] = {}
_CLASSES: dict[str, type] = {}
_loaded = False

T = TypeVar("T")


def register(name: str, *, config: bool | None = None) -> Callable[[T], T]:
    """Register a constructor under ``name``.

    A :class:`~lrlab.schedule.Schedule` subclass is registered both as a constructor and as a
    config ``type`` (its ``name`` class attribute is set).  A plain function is a constructor
    only (compat functions that return other schedules).
    """

    def deco(obj: T) -> T:
        if name in _CONSTRUCTORS and _CONSTRUCTORS[name] is not obj:
            raise RuntimeError(f"lrlab registry: {name!r} registered twice")
        _CONSTRUCTORS[name] = obj  # type: ignore[assignment]
        is_class = isinstance(obj, type)
        if config if config is not None else is_class:
            obj.name = name  # type: ignore[attr-defined]
            _CLASSES[name] = obj  # type: ignore[assignment]
        return obj

    return deco


def _load_all() -> None:
    """Import every module that registers names (once; a failed import is retried next time)."""
    global _loaded
    if _loaded:
        return
    importlib.import_module("lrlab.families")
    importlib.import_module("lrlab.compose")
    for ns in NAMESPACES:
        importlib.import_module(f"lrlab.compat.{ns}")
    _loaded = True


def _unknown(kind: str, name: str, table: dict[str, Any]) -> ScheduleError:
    import difflib

    close = difflib.get_close_matches(name, sorted(table), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see lrlab.names()"
    return ScheduleError(f"unknown {kind} {name!r}{hint}")


def lookup(name: str) -> Callable[..., Any]:
    """The constructor registered under ``name`` (raises ScheduleError if there is none)."""
    _load_all()
    try:
        return _CONSTRUCTORS[name]
    except KeyError:
        raise _unknown("schedule", name, _CONSTRUCTORS) from None


def schedule_class(name: str) -> type:
    """The schedule class whose config ``type`` is ``name``."""
    _load_all()
    try:
        return _CLASSES[name]
    except KeyError:
        raise _unknown("schedule type", name, _CLASSES) from None


def names() -> list[str]:
    """Every name a spec can call, sorted."""
    _load_all()
    return sorted(_CONSTRUCTORS)
