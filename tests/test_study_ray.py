"""``--backend ray`` on a local Ray instance gives the same results as the local backend."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
ray = pytest.importorskip("ray")

from lrlab.study.config import StudyConfig  # noqa: E402
from lrlab.study.runner import run_study  # noqa: E402
from tests._study_helpers import TINY, db_rows, metrics  # noqa: E402


def test_ray_backend_matches_local(tmp_path: Path) -> None:
    cfg = StudyConfig.from_dict(TINY)
    local = run_study(cfg, tmp_path / "local", jobs=1, handle_signals=False)
    assert local.ran == 3 and local.failed == 0
    assert not ray.is_initialized()
    remote = run_study(cfg, tmp_path / "ray", jobs=2, backend="ray", handle_signals=False)
    assert not ray.is_initialized()          # the local instance it started is shut down
    assert remote.ran == 3 and remote.failed == 0
    assert metrics(tmp_path / "ray") == metrics(tmp_path / "local")
    assert len(metrics(tmp_path / "ray")) == 3
    lr_local = db_rows(tmp_path / "local", "SELECT trial_id, step, lr FROM lr ORDER BY 1, 2")
    assert len(lr_local) == 3 * 10
    assert db_rows(tmp_path / "ray", "SELECT trial_id, step, lr FROM lr ORDER BY 1, 2") == lr_local
    # a second run skips everything (resume works the same way)
    again = run_study(cfg, tmp_path / "ray", jobs=2, backend="ray", handle_signals=False)
    assert (again.ran, again.skipped) == (0, 3)
