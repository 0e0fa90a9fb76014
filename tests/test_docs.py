"""The generated reference docs are current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_schedules_reference_is_current() -> None:
    out = subprocess.run(
        [sys.executable, "tools/gen_schedules_doc.py", "--check"], cwd=ROOT, capture_output=True
    )
    assert out.returncode == 0, "docs/schedules.md is stale: run python tools/gen_schedules_doc.py"
