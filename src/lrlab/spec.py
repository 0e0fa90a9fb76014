"""Spec text: schedules written as expressions, parsed without evaluating any code.

Grammar (whitespace is free between tokens)::

    spec   := call
    call   := NAME "(" [arg ("," arg)* [","]] ")"      NAME is dotted: cosine, torch.OneCycleLR
    arg    := [IDENT "="] value
    value  := call | NUMBER | STRING | true | false | none | list | dict
    list   := "[" [value ("," value)* [","]] "]"
    dict   := "{" [key ":" value ("," key ":" value)* [","]] "}"       key: STRING or IDENT

``true``/``True``, ``false``/``False`` and ``none``/``None``/``null`` are literals.  A NAME is
looked up in :mod:`lrlab.registry` and nowhere else: no ``eval``, no attribute access, no
imports, so nothing outside lrlab's own table of schedule constructors is reachable.

>>> import lrlab
>>> s = lrlab.parse("warmup(cosine(0.1, steps=9000, alpha=0.01), steps=1000, start=0.0)")
>>> round(s(1000), 6), round(s(500), 6)
(0.1, 0.05)
"""

from __future__ import annotations

import math
import re
from typing import Any

from lrlab.errors import ScheduleError, SpecError

__all__ = ["parse", "format_value"]

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<punct>[()\[\]{},=:])
    """,
    re.VERBOSE,
)

_LITERALS = {
    "true": True, "True": True,
    "false": False, "False": False,
    "none": None, "None": None, "null": None,
}
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}
_MAX_DEPTH = 64
_MAX_LEN = 100_000


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise SpecError(f"unexpected character {text[pos]!r}", text, pos)
            kind = m.lastgroup or ""
            if kind != "ws":
                self.tokens.append((kind, m.group(), pos))
            pos = m.end()
        self.tokens.append(("end", "", len(text)))
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def next(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value: str) -> int:
        kind, val, pos = self.next()
        if val != value or kind != "punct":
            found = "end of text" if kind == "end" else repr(val)
            raise SpecError(f"expected {value!r}, found {found}", self.text, pos)
        return pos

    def error(self, message: str, pos: int) -> SpecError:
        return SpecError(message, self.text, pos)

    # -- grammar ---------------------------------------------------------------------------
    def spec(self) -> Any:
        kind, val, pos = self.peek()
        if kind != "name" or val in _LITERALS:
            raise self.error("a spec must start with a schedule name, such as cosine(...)", pos)
        result = self.value()
        kind, val, pos = self.peek()
        if kind != "end":
            raise self.error(f"unexpected {val!r} after the end of the schedule", pos)
        return result

    def value(self) -> Any:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"nesting deeper than {_MAX_DEPTH} levels", self.peek()[2])
        try:
            return self._value()
        finally:
            self.depth -= 1

    def _value(self) -> Any:
        kind, val, pos = self.next()
        if kind == "number":
            if re.fullmatch(r"[+-]?\d+", val):
                return int(val)
            f = float(val)
            if not math.isfinite(f):
                raise self.error(f"number {val} is out of range", pos)
            return f
        if kind == "string":
            return self.unquote(val, pos)
        if kind == "name":
            if val in _LITERALS:
                return _LITERALS[val]
            if self.peek()[1] != "(":
                raise self.error(
                    f"{val!r} is not a value: write strings in quotes, or call a schedule "
                    f"as {val}(...)",
                    pos,
                )
            return self.call(val, pos)
        if val == "[":
            return self.sequence("]", pos)
        if val == "{":
            return self.mapping(pos)
        found = "end of text" if kind == "end" else repr(val)
        raise self.error(f"expected a value, found {found}", pos)

    def unquote(self, raw: str, pos: int) -> str:
        body = raw[1:-1]
        out = []
        i = 0
        while i < len(body):
            c = body[i]
            if c == "\\":
                nxt = body[i + 1]
                if nxt not in _ESCAPES:
                    raise self.error(f"unknown escape \\{nxt} in string", pos + i + 1)
                out.append(_ESCAPES[nxt])
                i += 2
            else:
                out.append(c)
                i += 1
        return "".join(out)

    def sequence(self, close: str, pos: int) -> list[Any]:
        items: list[Any] = []
        while True:
            if self.peek()[1] == close and self.peek()[0] == "punct":
                self.next()
                return items
            items.append(self.value())
            kind, val, p = self.next()
            if val == close and kind == "punct":
                return items
            if val != "," or kind != "punct":
                found = "end of text" if kind == "end" else repr(val)
                raise self.error(f"expected ',' or {close!r}, found {found}", p)

    def mapping(self, pos: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while True:
            kind, val, p = self.next()
            if val == "}" and kind == "punct":
                return out
            if kind == "string":
                key = self.unquote(val, p)
            elif kind == "name" and "." not in val:
                key = val
            else:
                raise self.error("expected a dict key (a name or a quoted string)", p)
            if key in out:
                raise self.error(f"duplicate dict key {key!r}", p)
            self.expect(":")
            out[key] = self.value()
            kind, val, p = self.next()
            if val == "}" and kind == "punct":
                return out
            if val != "," or kind != "punct":
                raise self.error("expected ',' or '}'", p)

    def call(self, name: str, pos: int) -> Any:
        from lrlab.registry import lookup

        try:
            ctor = lookup(name)
        except ScheduleError as e:
            raise self.error(str(e), pos) from None
        self.expect("(")
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        kwpos: dict[str, int] = {}
        while True:
            kind, val, p = self.peek()
            if val == ")" and kind == "punct":
                self.next()
                break
            nxt = self.tokens[min(self.i + 1, len(self.tokens) - 1)]
            if kind == "name" and nxt[1] == "=" and nxt[0] == "punct":
                self.i += 2
                if "." in val:
                    raise self.error(f"keyword {val!r} is not a plain name", p)
                if val in kwargs:
                    raise self.error(f"{name}: argument {val!r} given twice", p)
                kwargs[val] = self.value()
                kwpos[val] = p
            else:
                if kwargs:
                    raise self.error(f"{name}: positional argument after keyword arguments", p)
                args.append(self.value())
            kind, val, p = self.next()
            if val == ")" and kind == "punct":
                break
            if val != "," or kind != "punct":
                found = "end of text" if kind == "end" else repr(val)
                raise self.error(
                    f"expected ',' or ')' in the arguments of {name}, found {found}", p
                )
        try:
            return ctor(*args, **kwargs)
        except SpecError:
            raise
        except ScheduleError as e:
            m = re.search(r"argument `([A-Za-z_][A-Za-z0-9_]*)", str(e))
            at = kwpos.get(m.group(1), pos) if m else pos
            raise self.error(str(e), at) from None
        except TypeError as e:
            m = re.search(r"keyword argument '([A-Za-z_][A-Za-z0-9_]*)'", str(e))
            at = kwpos.get(m.group(1), pos) if m else pos
            raise self.error(f"{name}: {e}", at) from None


def parse(text: str) -> Any:
    """Parse spec text into a schedule.

    >>> import lrlab
    >>> lrlab.parse("constant(0.1)")
    constant(value=0.1)
    """
    if not isinstance(text, str):
        raise ScheduleError(f"argument `text` must be a string. Received: text={text!r}")
    if len(text) > _MAX_LEN:
        raise ScheduleError(
            f"argument `text` must be at most {_MAX_LEN} characters. Received: {len(text)}"
        )
    return _Parser(text).spec()


def format_value(v: Any) -> str:
    """Spec text for a parameter value (the inverse of the parser's ``value``)."""
    from lrlab.schedule import Schedule

    if isinstance(v, Schedule):
        return repr(v)
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))  # reads back as an int, which the constructor turns into a float
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {format_value(x)}" for k, x in v.items()) + "}"
    name = getattr(v, "__qualname__", type(v).__name__)
    return f"<{name}: not expressible as spec text>"
