"""Example schedules, as spec text, that the contract tests run over.

Each module here defines ``CASES: list[str]``: spec strings covering its families or compat
constructors with typical and edge-case parameters.  ``tests/test_contract.py`` collects them
all and checks, for each: scalar == vectorized (bit for bit), ``to_config``/``from_config``
and ``repr``/``parse`` round trips, finite and non-negative values, float return type.
"""

from __future__ import annotations

import importlib
import pkgutil


def all_cases() -> list[str]:
    out: list[str] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        out.extend(getattr(mod, "CASES", []))
    return out
