"""Kill-and-resume and Ctrl-C of ``lrlab study`` (real training, tiny config, subprocesses)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("yaml")

from tests._study_helpers import db_rows, metrics, write_config

EPOCHS = 12


def _cmd(config: Path, out: Path, jobs: int = 1) -> list[str]:
    return [sys.executable, "-m", "lrlab.study.cli", str(config), "--out", str(out), "--quiet",
            "--no-report", "--jobs", str(jobs)]


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _wait_for(pred, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        if proc.poll() is not None:
            pytest.fail(f"the study ended (rc {proc.returncode}) before the condition held")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("timed out waiting for the study")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An uninterrupted run of the config."""
    d = tmp_path_factory.mktemp("ref")
    config = write_config(d / "tiny.yaml", epochs=EPOCHS, limit_train=1000)
    out = d / "study"
    r = subprocess.run(_cmd(config, out), env=_env(), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return config, out


def _second_trial_mid_run(out: Path) -> bool:
    rows = db_rows(out, "SELECT t.idx, t.status, count(e.epoch) FROM trials t LEFT JOIN epochs e "
                        "USING (trial_id) GROUP BY t.trial_id ORDER BY t.idx")
    return (len(rows) == 3 and rows[0][1] == "done" and rows[1][1] == "running"
            and 3 <= rows[1][2] < EPOCHS - 1)


def test_sigkill_then_rerun_resumes(reference: tuple[Path, Path], tmp_path: Path) -> None:
    config, ref_out = reference
    out = tmp_path / "study"
    proc = subprocess.Popen(_cmd(config, out), env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _wait_for(lambda: _second_trial_mid_run(out), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    before = {r[0]: r[1:] for r in db_rows(out, "SELECT idx, status, attempts FROM trials")}
    assert before[0] == ("done", 1)
    assert before[1][0] == "running"         # the kill left it running
    killed_epochs = db_rows(out, "SELECT count(*) FROM epochs e JOIN trials t USING (trial_id) "
                                 "WHERE t.idx = 1")[0][0]
    assert 3 <= killed_epochs < EPOCHS

    # --status reads the database of a killed study
    st = subprocess.run([*_cmd(config, out)[:3], "--status", str(out)], env=_env(),
                        capture_output=True, text=True, timeout=60)
    assert st.returncode == 0 and "1/3 done" in st.stdout, st.stdout + st.stderr

    r = subprocess.run(_cmd(config, out), env=_env(), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    rows = db_rows(out, "SELECT idx, status, attempts, result FROM trials ORDER BY idx")
    assert [x[1] for x in rows] == ["done"] * 3
    assert [x[2] for x in rows] == [1, 2, 1]        # finished trial not rerun; killed one resumed
    import json

    assert json.loads(rows[1][3])["resumed_from"] >= 3   # from its checkpoint, not from scratch
    # nothing duplicated, nothing lost
    counts = db_rows(out, "SELECT trial_id, count(*), count(DISTINCT epoch), min(epoch), "
                          "max(epoch) FROM epochs GROUP BY trial_id")
    assert len(counts) == 3
    assert all(c[1:] == (EPOCHS, EPOCHS, 1, EPOCHS) for c in counts), counts
    dup_lr = db_rows(out, "SELECT count(*) - count(DISTINCT trial_id || ':' || step) FROM lr")
    assert dup_lr[0][0] == 0
    # identical to the uninterrupted run
    assert metrics(out) == metrics(ref_out)
    assert db_rows(out, "PRAGMA journal_mode")[0][0] == "wal"


def test_ctrl_c_stops_cleanly_and_resumes(reference: tuple[Path, Path], tmp_path: Path) -> None:
    config, ref_out = reference
    out = tmp_path / "study"
    proc = subprocess.Popen(_cmd(config, out), env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

    def some_epochs() -> bool:
        rows = db_rows(out, "SELECT count(*) FROM epochs")
        return bool(rows) and rows[0][0] >= 3

    _wait_for(some_epochs, proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "resume" in stdout + stderr
    statuses = [r[0] for r in db_rows(out, "SELECT status FROM trials")]
    assert "running" not in statuses and "failed" not in statuses
    assert statuses.count("done") < 3
    r = subprocess.run(_cmd(config, out, jobs=2), env=_env(), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert metrics(out) == metrics(ref_out)       # same numbers with --jobs 2 after a stop
