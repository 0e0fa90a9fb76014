"""Write docs/schedules.md from the registered schedule classes' docstrings.

Run:  python tools/gen_schedules_doc.py          (rewrites docs/schedules.md)
      python tools/gen_schedules_doc.py --check  (exit 1 if the file is out of date)
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
from pathlib import Path

import lrlab
from lrlab.registry import _CLASSES

OUT = Path(__file__).resolve().parents[1] / "docs" / "schedules.md"

HEADER = """\
# Schedule families and combinators

Generated from the docstrings by `tools/gen_schedules_doc.py` (a test keeps it current).

**The step convention.** A step `t` is the 0-based count of optimizer updates already
applied: update number `t + 1` uses `s(t)`. Every schedule takes an `int`/`float` step and
returns a Python `float`, or a NumPy array of steps and returns a float64 array of the same
shape, with identical values on both paths.

Python class names are CamelCase (`lrlab.Cosine`); spec-text names are snake_case (`cosine`).
Framework-compatible constructors are in [compat.md](compat.md).

"""


def _signature(cls: type) -> str:
    parts = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is dataclasses.MISSING:
            parts.append(f.name)
        else:
            parts.append(f"{f.name}={f.default!r}")
    return ", ".join(parts)


def render() -> str:
    lrlab.names()
    groups: dict[str, list[type]] = {}
    for name, cls in sorted(_CLASSES.items()):
        if "." in name:
            continue
        module = cls.__module__.split(".")[1]  # families / compose
        groups.setdefault(module, []).append(cls)
    lines = [HEADER]
    titles = {"families": "Families", "compose": "Combinators"}
    for group in ("families", "compose"):
        lines.append(f"## {titles[group]}\n")
        lines.append("| spec name | Python class | parameters |")
        lines.append("|---|---|---|")
        for cls in groups.get(group, []):
            lines.append(f"| `{cls.name}` | `lrlab.{cls.__name__}` | `{_signature(cls)}` |")
        lines.append("")
        for cls in groups.get(group, []):
            doc = inspect.getdoc(cls) or ""
            lines.append(f"### `{cls.name}` — `lrlab.{cls.__name__}({_signature(cls)})`\n")
            summary, _, rest = doc.partition("\n")
            lines.append(summary.strip() + "\n")
            if rest.strip():
                lines.append("```text\n" + rest.strip("\n") + "\n```\n")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        return 0 if OUT.exists() and OUT.read_text() == text else 1
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
