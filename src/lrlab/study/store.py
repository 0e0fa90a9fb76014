"""The study's results database: one SQLite file (``study.sqlite``) in the study directory.

The store is what makes a study resumable and nothing lost:

* the database runs in WAL mode with ``synchronous=NORMAL`` and every write is its own
  transaction, so a study killed with SIGKILL leaves a consistent file;
* ``meta`` holds the study's configuration (JSON) and its hash: re-running a study in the same
  directory with a different configuration is refused with a clear error;
* ``trials`` holds one row per grid cell (task x schedule x seed) with its status
  (``pending`` -> ``running`` -> ``done`` | ``failed``), how many times it was started
  (``attempts``), timestamps and the final result (JSON);
* ``epochs`` holds one row per trial and epoch (``PRIMARY KEY (trial_id, epoch)``), written as
  each epoch ends.  A trial resumed from a checkpoint re-writes the epochs after the
  checkpoint with ``INSERT OR REPLACE``, so no epoch is ever duplicated;
* ``lr`` holds the learning rate actually used at each optimizer step (for the LR plots; a
  plateau-controlled LR depends on the metrics and cannot be recomputed from the spec).

Only the study's driver process writes (workers send their records to it), so there is one
writer; readers (``lrlab study --status``) may open the file at any time.

>>> import tempfile, os
>>> s = Store(os.path.join(tempfile.mkdtemp(), "study.sqlite"))
>>> s.init_study({"name": "demo"}, [{"trial_id": "t0", "task": "a", "schedule": "c",
...                                   "seed": 0, "spec": {}}])
>>> s.mark_running("t0"); s.add_epoch("t0", 1, {"test_acc": 0.5})
>>> s.mark_done("t0", {"final_test_acc": 0.5}, wall_time=1.0)
>>> s.counts()
{'pending': 0, 'running': 0, 'done': 1, 'failed': 0}
>>> s.close()
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lrlab.errors import LrlabError

__all__ = ["DB_NAME", "STATUSES", "Store", "StoreError", "config_hash"]

#: the database file's name inside a study directory.
DB_NAME = "study.sqlite"
#: trial statuses, in order.
STATUSES = ("pending", "running", "done", "failed")
_SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    trial_id    TEXT PRIMARY KEY,
    idx         INTEGER NOT NULL,
    task        TEXT NOT NULL,
    schedule    TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    started_at  REAL,
    finished_at REAL,
    wall_time   REAL,
    result      TEXT,
    error       TEXT
);
CREATE TABLE IF NOT EXISTS epochs (
    trial_id   TEXT NOT NULL,
    epoch      INTEGER NOT NULL,
    metrics    TEXT NOT NULL,
    written_at REAL NOT NULL,
    PRIMARY KEY (trial_id, epoch)
);
CREATE TABLE IF NOT EXISTS lr (
    trial_id TEXT NOT NULL,
    step     INTEGER NOT NULL,
    lr       REAL NOT NULL,
    PRIMARY KEY (trial_id, step)
);
"""


class StoreError(LrlabError):
    """The study database is missing, belongs to another study, or is not a study database."""


def config_hash(config: Mapping[str, Any]) -> str:
    """A stable hash of a JSON-able configuration (sorted keys)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, allow_nan=True)


class Store:
    """A study database at ``path`` (created when missing unless ``create=False``)."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 readonly: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists() and (not create or readonly):
            raise StoreError(f"no study database at {self.path} (is this a study directory? "
                             f"`lrlab study --out DIR` creates one)")
        try:
            if readonly:
                uri = f"file:{self.path.resolve()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, timeout=30.0)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, timeout=30.0)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.conn.executescript(_SCHEMA)
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} is not a usable study database: {e}") from None
        self.conn.row_factory = sqlite3.Row

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (checkpointing the WAL into the main file)."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode (``'wal'``)."""
        return str(self.conn.execute("PRAGMA journal_mode").fetchone()[0])

    # -- study -----------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        """The ``meta`` table as a dict."""
        return {r["key"]: r["value"] for r in self.conn.execute("SELECT key, value FROM meta")}

    def config(self) -> dict[str, Any] | None:
        """The configuration the study was created with, or None for an empty database."""
        text = self.meta().get("config")
        return None if text is None else dict(json.loads(text))

    def init_study(self, config: Mapping[str, Any], trials: Sequence[Mapping[str, Any]]) -> None:
        """Record a new study, or check that an existing one has the same configuration.

        ``trials``: dicts with ``trial_id``, ``task``, ``schedule``, ``seed`` and ``spec``
        (JSON-able).  Trials already present keep their status and epochs.
        """
        h = config_hash(config)
        meta = self.meta()
        if "config_hash" in meta and meta["config_hash"] != h:
            old = json.loads(meta.get("config", "{}")).get("name", "?")
            new = config.get("name", "?")
            raise StoreError(
                f"{self.path} holds a different study (study {old!r}, config hash "
                f"{meta['config_hash']}); this run's configuration (study {new!r}, hash {h}) "
                f"differs. Use another --out directory, or delete this one to start over.")
        with self.conn:
            if "config_hash" not in meta:
                rows = [("config", _dumps(config)), ("config_hash", h),
                        ("schema_version", _SCHEMA_VERSION), ("created_at", repr(time.time()))]
                self.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", rows)
            self.conn.executemany(
                "INSERT OR IGNORE INTO trials(trial_id, idx, task, schedule, seed, spec) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(t["trial_id"], i, t["task"], t["schedule"], int(t["seed"]), _dumps(t["spec"]))
                 for i, t in enumerate(trials)])

    def set_meta(self, key: str, value: str) -> None:
        """Set one ``meta`` entry (not part of the configuration hash)."""
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                              (key, value))

    # -- trials ----------------------------------------------------------------------------
    def trials(self, status: str | None = None) -> list[dict[str, Any]]:
        """All trials in grid order (optionally only those with ``status``), as dicts with the
        ``spec`` and ``result`` JSON decoded."""
        q = "SELECT * FROM trials"
        args: tuple[Any, ...] = ()
        if status is not None:
            q += " WHERE status = ?"
            args = (status,)
        out = []
        for r in self.conn.execute(q + " ORDER BY idx", args):
            d = dict(r)
            d["spec"] = json.loads(d["spec"])
            d["result"] = None if d["result"] is None else json.loads(d["result"])
            out.append(d)
        return out

    def trial(self, trial_id: str) -> dict[str, Any]:
        """One trial's row (see :meth:`trials`)."""
        for t in self.trials():
            if t["trial_id"] == trial_id:
                return t
        raise StoreError(f"no trial {trial_id!r} in {self.path}")

    def counts(self) -> dict[str, int]:
        """Number of trials per status."""
        c = dict.fromkeys(STATUSES, 0)
        for r in self.conn.execute("SELECT status, count(*) AS n FROM trials GROUP BY status"):
            c[r["status"]] = r["n"]
        return c

    def mark_running(self, trial_id: str) -> None:
        """A trial (re)starts: status ``running``, ``attempts`` + 1."""
        with self.conn:
            self.conn.execute(
                "UPDATE trials SET status='running', attempts=attempts+1, started_at=?, "
                "error=NULL WHERE trial_id=?", (time.time(), trial_id))

    def mark_done(self, trial_id: str, result: Mapping[str, Any], wall_time: float) -> None:
        """A trial finished: status ``done`` with its result."""
        with self.conn:
            self.conn.execute(
                "UPDATE trials SET status='done', finished_at=?, wall_time=?, result=?, "
                "error=NULL WHERE trial_id=?",
                (time.time(), float(wall_time), _dumps(dict(result)), trial_id))

    def mark_failed(self, trial_id: str, error: str) -> None:
        """A trial raised: status ``failed`` with the error text (it is retried on resume)."""
        with self.conn:
            self.conn.execute(
                "UPDATE trials SET status='failed', finished_at=?, error=? WHERE trial_id=?",
                (time.time(), error, trial_id))

    def mark_stopped(self, trial_id: str) -> None:
        """A trial was stopped (Ctrl-C) before finishing: back to ``pending``."""
        with self.conn:
            self.conn.execute("UPDATE trials SET status='pending' WHERE trial_id=?",
                              (trial_id,))

    def reset_interrupted(self) -> int:
        """Trials left ``running`` or ``failed`` by an earlier run become ``pending`` again
        (their checkpoints and epochs are kept).  Returns how many."""
        with self.conn:
            cur = self.conn.execute(
                "UPDATE trials SET status='pending' WHERE status IN ('running', 'failed')")
        return int(cur.rowcount)

    # -- epochs and LR ---------------------------------------------------------------------
    def add_epoch(self, trial_id: str, epoch: int, metrics: Mapping[str, Any]) -> None:
        """Write (or re-write, on resume) one epoch's metrics."""
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO epochs(trial_id, epoch, metrics, written_at) "
                "VALUES (?, ?, ?, ?)", (trial_id, int(epoch), _dumps(dict(metrics)), time.time()))

    def add_lrs(self, trial_id: str, pairs: Iterable[tuple[int, float]]) -> None:
        """Write (or re-write) the LR used at each of some optimizer steps."""
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO lr(trial_id, step, lr) VALUES (?, ?, ?)",
                [(trial_id, int(s), float(v)) for s, v in pairs])

    def epochs(self, trial_id: str) -> list[dict[str, Any]]:
        """A trial's epoch metrics in order, each a dict with ``epoch`` added."""
        rows = self.conn.execute(
            "SELECT epoch, metrics FROM epochs WHERE trial_id=? ORDER BY epoch", (trial_id,))
        return [{**json.loads(r["metrics"]), "epoch": r["epoch"]} for r in rows]

    def epoch_count(self, trial_id: str | None = None) -> int:
        """Number of epoch rows (of one trial, or all)."""
        if trial_id is None:
            return int(self.conn.execute("SELECT count(*) FROM epochs").fetchone()[0])
        return int(self.conn.execute(
            "SELECT count(*) FROM epochs WHERE trial_id=?", (trial_id,)).fetchone()[0])

    def lrs(self, trial_id: str) -> list[tuple[int, float]]:
        """A trial's ``(step, lr)`` pairs in step order."""
        rows = self.conn.execute(
            "SELECT step, lr FROM lr WHERE trial_id=? ORDER BY step", (trial_id,))
        return [(int(r["step"]), float(r["lr"])) for r in rows]
