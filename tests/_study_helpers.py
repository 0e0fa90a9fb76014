"""Shared helpers of the ``lrlab study`` tests: tiny configs and DB readers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

TINY: dict[str, Any] = {
    "name": "tiny",
    "seeds": [0],
    "target_accuracy": 0.5,
    "tasks": [{"name": "mini-mlp", "dataset": "fashion-mnist-mini", "model": "mlp",
               "batch_size": 50, "epochs": 2, "limit_train": 300, "limit_test": 100,
               "val_fraction": 0.2, "momentum": 0.9}],
    "schedules": [
        {"name": "constant", "spec": "constant(0.05)"},
        {"name": "cosine", "spec": "cosine(0.05, steps={total_steps})"},
        {"name": "plateau", "spec": "constant(0.05)", "plateau": {"patience": 1}},
    ],
}


def write_config(path: Path, **task_changes: Any) -> Path:
    import yaml

    cfg = {**TINY, "tasks": [{**TINY["tasks"][0], **task_changes}]}
    path.write_text(yaml.safe_dump(cfg))
    return path


def db_rows(directory: Path, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a read-only query on the study database (usable while a study runs)."""
    db = directory / "study.sqlite"
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(query, args).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def metrics(directory: Path) -> dict[tuple[str, str, int], list[tuple[float, ...]]]:
    """Per (task, schedule, seed): each epoch's deterministic metrics (no wall times)."""
    import json

    out: dict[tuple[str, str, int], list[tuple[float, ...]]] = {}
    rows = db_rows(directory, "SELECT t.task, t.schedule, t.seed, e.epoch, e.metrics FROM "
                              "trials t JOIN epochs e USING (trial_id) ORDER BY t.idx, e.epoch")
    for task, sched, seed, _, m in rows:
        d = json.loads(m)
        out.setdefault((task, sched, seed), []).append(
            (d["epoch"], d["step"], d["train_loss"], d["val_loss"], d["test_loss"],
             d["test_accuracy"], d["lr_last"], d["lr_mean"]))
    return out
