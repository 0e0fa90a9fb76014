"""The study database: WAL mode, upserts, statuses, config check, read-only access."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lrlab.study.store import Store, StoreError, config_hash

TRIALS = [{"trial_id": f"t{i}", "task": "a", "schedule": "s", "seed": i, "spec": {"i": i}}
          for i in range(3)]


def test_wal_and_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as s:
        assert s.journal_mode == "wal"
        s.init_study({"name": "x"}, TRIALS)
        assert [t["trial_id"] for t in s.trials()] == ["t0", "t1", "t2"]
        assert s.trials()[1]["spec"] == {"i": 1}
        assert s.counts() == {"pending": 3, "running": 0, "done": 0, "failed": 0}


def test_epochs_upsert_never_duplicate(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as s:
        s.init_study({"name": "x"}, TRIALS)
        s.add_epoch("t0", 1, {"acc": 0.1})
        s.add_epoch("t0", 2, {"acc": 0.2})
        s.add_epoch("t0", 2, {"acc": 0.25})       # a resumed trial re-sends epoch 2
        s.add_lrs("t0", [(0, 0.1), (1, 0.09)])
        s.add_lrs("t0", [(1, 0.09), (2, 0.08)])
        assert s.epochs("t0") == [{"acc": 0.1, "epoch": 1}, {"acc": 0.25, "epoch": 2}]
        assert s.epoch_count() == 2 and s.epoch_count("t1") == 0
        assert s.lrs("t0") == [(0, 0.1), (1, 0.09), (2, 0.08)]


def test_status_lifecycle_and_reset(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as s:
        s.init_study({"name": "x"}, TRIALS)
        s.mark_running("t0")
        s.mark_done("t0", {"final": 0.9}, wall_time=1.5)
        s.mark_running("t1")                       # then the process dies
        s.mark_running("t2")
        s.mark_failed("t2", "ValueError: boom")
        assert s.counts() == {"pending": 0, "running": 1, "done": 1, "failed": 1}
        assert s.reset_interrupted() == 2
        t = {r["trial_id"]: r for r in s.trials()}
        assert t["t0"]["status"] == "done" and t["t0"]["result"] == {"final": 0.9}
        assert t["t0"]["attempts"] == 1 and t["t0"]["wall_time"] == 1.5
        assert t["t1"]["status"] == "pending" and t["t1"]["attempts"] == 1
        assert t["t2"]["error"] == "ValueError: boom"
        s.mark_running("t1")
        s.mark_stopped("t1")
        assert s.trial("t1")["status"] == "pending" and s.trial("t1")["attempts"] == 2
        with pytest.raises(StoreError, match="no trial 'zz'"):
            s.trial("zz")


def test_reopen_same_config_keeps_progress(tmp_path: Path) -> None:
    p = tmp_path / "s.sqlite"
    with Store(p) as s:
        s.init_study({"name": "x", "seeds": [0]}, TRIALS)
        s.mark_running("t0")
        s.mark_done("t0", {}, 1.0)
    with Store(p) as s:
        s.init_study({"seeds": [0], "name": "x"}, TRIALS)   # key order does not matter
        assert s.counts()["done"] == 1
        assert s.config() == {"name": "x", "seeds": [0]}
        with pytest.raises(StoreError, match=r"holds a different study \(study 'x'.*"
                                             r"Use another --out directory"):
            s.init_study({"name": "y"}, TRIALS)


def test_readonly_and_missing(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no study database"):
        Store(tmp_path / "nope.sqlite", readonly=True)
    p = tmp_path / "s.sqlite"
    with Store(p) as s:
        s.init_study({"name": "x"}, TRIALS)
    with Store(p, readonly=True) as r:
        assert len(r.trials()) == 3
        with pytest.raises(sqlite3.OperationalError):
            r.mark_running("t0")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a usable study database"):
        Store(tmp_path / "junk.sqlite")


def test_config_hash_stable() -> None:
    assert config_hash({"a": 1, "b": [1, 2]}) == config_hash({"b": [1, 2], "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})
