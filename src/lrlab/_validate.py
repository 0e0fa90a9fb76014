"""Parameter checks shared by every schedule constructor.

Each check takes the owner (a schedule instance or a name), the parameter's name and the
value received, and returns the normalised value or raises :class:`ScheduleError` whose
message names the parameter, the rule and the value.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from lrlab.errors import ScheduleError

_UNSET: Any = object()


def _owner_name(owner: object) -> str:
    if isinstance(owner, str):
        return owner
    return getattr(type(owner), "name", type(owner).__name__)


def fail(owner: object, name: str, rule: str, value: object) -> ScheduleError:
    """The house-style error: ``owner: argument `name` must be RULE. Received: name=VALUE``."""
    return ScheduleError(
        f"{_owner_name(owner)}: argument `{name}` must be {rule}. Received: {name}={value!r}"
    )


def _bound_rule(lo: float | None, hi: float | None, lo_open: bool, hi_open: bool) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi:g}")
    return " and ".join(parts)


def real(
    owner: object,
    name: str,
    value: object,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """A finite real number within the optional bounds, returned as a Python float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail(owner, name, "a real number", value)
    v = float(value)
    if not math.isfinite(v):
        raise fail(owner, name, "a finite number", value)
    if (
        (lo is not None and (v < lo or (lo_open and v == lo)))
        or (hi is not None and (v > hi or (hi_open and v == hi)))
    ):
        raise fail(owner, name, "a number " + _bound_rule(lo, hi, lo_open, hi_open), value)
    return v


def integer(
    owner: object, name: str, value: object, *, lo: int | None = None, hi: int | None = None
) -> int:
    """An integer (an integral float such as ``1000.0`` from YAML is accepted) within bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail(owner, name, "an integer", value)
    if isinstance(value, numbers.Integral):
        v = int(value)
    else:
        f = float(value)
        if not math.isfinite(f) or f != math.floor(f):
            raise fail(owner, name, "an integer", value)
        v = int(f)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise fail(owner, name, "an integer " + _bound_rule(lo, hi, False, False), value)
    return v


def boolean(owner: object, name: str, value: object) -> bool:
    """A real bool (``0``/``1`` and strings are refused so that typos are not hidden)."""
    if not isinstance(value, bool):
        raise fail(owner, name, "True or False", value)
    return value


def choice(owner: object, name: str, value: object, options: Iterable[str]) -> str:
    """One of a fixed set of strings."""
    opts = tuple(options)
    if not isinstance(value, str) or value not in opts:
        raise fail(owner, name, "one of " + ", ".join(repr(o) for o in opts), value)
    return value


def reals(
    owner: object,
    name: str,
    value: object,
    *,
    lo: float | None = None,
    lo_open: bool = False,
    increasing: bool = False,
    min_len: int = 0,
) -> tuple[float, ...]:
    """A sequence of finite reals, returned as a tuple of floats."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise fail(owner, name, "a list of numbers", value)
    items = tuple(value)
    if len(items) < min_len:
        raise fail(owner, name, f"a list of at least {min_len} numbers", value)
    out = []
    for i, item in enumerate(items):
        out.append(real(owner, f"{name}[{i}]", item, lo=lo, lo_open=lo_open))
    if increasing:
        for i in range(1, len(out)):
            if out[i] <= out[i - 1]:
                raise fail(owner, name, "strictly increasing", value)
    return tuple(out)


def schedule(owner: object, name: str, value: object) -> Any:
    """An lrlab schedule (or spec text, which is parsed)."""
    from lrlab.schedule import Schedule

    if isinstance(value, str):
        from lrlab.spec import parse

        value = parse(value)
    if not isinstance(value, Schedule):
        raise fail(owner, name, "an lrlab schedule", value)
    return value


def schedules(owner: object, name: str, value: object, *, min_len: int = 1) -> tuple[Any, ...]:
    """A non-empty sequence of schedules, returned as a tuple."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise fail(owner, name, "a list of lrlab schedules", value)
    items = tuple(value)
    if len(items) < min_len:
        raise fail(owner, name, f"a list of at least {min_len} schedules", value)
    return tuple(schedule(owner, f"{name}[{i}]", s) for i, s in enumerate(items))


def function(owner: object, name: str, value: object) -> Callable[..., Any]:
    """A callable (a schedule is one too)."""
    if not callable(value):
        raise fail(owner, name, "callable", value)
    return value
