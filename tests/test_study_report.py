"""The study report: summary table, summary.md, index.html, PNGs and TensorBoard logs, from a
study database filled by hand (no training)."""

from __future__ import annotations

import math
import re
import struct
from pathlib import Path

import pytest

from lrlab.study.store import DB_NAME, Store

pytest.importorskip("matplotlib")


def _spec(task: str, sched: str, seed: int, plateau: dict | None = None) -> dict:
    return {"task": {"dataset": "fashion-mnist-mini", "model": "mlp", "epochs": 3},
            "schedule_name": sched, "schedule_spec": f"constant(0.{seed + 1})",
            "plateau": plateau, "seed": seed}


def fake_study(d: Path) -> Path:
    """A finished study of 2 tasks x (2 schedules, one with plateau) x 2 seeds, plus one
    unfinished trial."""
    with Store(d / DB_NAME) as s:
        trials = []
        for task in ("task-a", "task-b"):
            for sched in ("const", "plat"):
                for seed in (0, 1):
                    trials.append({"trial_id": f"{task}-{sched}-{seed}", "task": task,
                                   "schedule": sched, "seed": seed,
                                   "spec": _spec(task, sched, seed,
                                                 {"patience": 1} if sched == "plat" else None)})
        trials.append({"trial_id": "unfinished", "task": "task-a", "schedule": "const",
                       "seed": 2, "spec": _spec("task-a", "const", 2)})
        s.init_study({"name": "fake", "target_accuracy": 0.6, "description": "a <fake> study"},
                     trials)
        for t in trials[:-1]:
            tid = t["trial_id"]
            bonus = 0.1 if t["schedule"] == "plat" else 0.0
            accs = [0.5 + bonus + 0.05 * e + 0.01 * t["seed"] for e in range(3)]
            s.mark_running(tid)
            for e, acc in enumerate(accs, 1):
                s.add_epoch(tid, e, {"epoch": e, "step": 10 * e, "train_loss": 1.0 / e,
                                     "val_loss": 1.1 / e, "test_loss": 1.2 / e,
                                     "test_accuracy": acc, "lr_last": 0.1})
            s.add_lrs(tid, [(i, 0.1 * 0.9 ** i) for i in range(30)])
            reach = next((e for e, a in enumerate(accs, 1) if a >= 0.6), None)
            s.mark_done(tid, {"final_test_accuracy": accs[-1], "best_test_accuracy": max(accs),
                              "epochs_to_target": reach, "resumed_from": 0}, wall_time=2.0)
        s.set_meta("notes", '{"reported": {"const": 0.55}, "original": "orig setup", '
                            '"differences": "ours differ"}')
    return d


def test_summary_table_values(tmp_path: Path) -> None:
    from lrlab.study.report import format_table, summarize

    with Store(fake_study(tmp_path) / DB_NAME) as s:
        rows = summarize(s, {"const": 0.55})
    assert [(r.task, r.schedule, r.n) for r in rows] == [
        ("task-a", "const", 2), ("task-a", "plat", 2), ("task-b", "const", 2),
        ("task-b", "plat", 2)]
    table = format_table(rows, 0.6)
    assert table[0][:5] == ["task", "schedule", "final test acc", "best test acc", "reported"]
    # task-a const: finals 0.60, 0.61 -> mean 0.605, std 0.00707
    assert table[1][2] == f"0.6050 ± {math.sqrt(0.00005):.4f}"
    assert table[1][4] == "0.5500" and table[2][4] == "–"
    # epochs to 0.6: const seed0 reaches at epoch 3, seed1 (0.61 at 3; 0.56 at 2) at 3
    assert table[1][5] == "3.0 (2/2)"
    assert table[2][5] == "1.0 (2/2)"      # plateau curves start at 0.6
    assert table[1][6] == "2.0"


def test_write_report_files(tmp_path: Path) -> None:
    from lrlab.study.report import write_report

    d = fake_study(tmp_path)
    paths = write_report(d)
    md = (d / "summary.md").read_text()
    assert "8 of 9 trials finished; 1 not finished" in md
    assert "| task-a | const | 0.6050 ±" in md
    assert "Differences: ours differ" in md
    assert "with ReduceLROnPlateau(patience=1)" in md
    assert "* task-a: mlp on fashion-mnist-mini, ?, batch ?, 3 epochs" in md
    html = (d / "index.html").read_text()
    assert "a &lt;fake&gt; study" in html                      # escaped
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(imgs) == 6
    assert "src='http" not in html and "<script" not in html  # self-contained
    pngs = sorted(p.name for p in (d / "plots").glob("*.png"))
    assert pngs == ["task-a-accuracy.png", "task-a-loss.png", "task-a-lr.png",
                    "task-b-accuracy.png", "task-b-loss.png", "task-b-lr.png"]
    for p in (d / "plots").glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths["index.html"] == d / "index.html"
    events = sorted((d / "tensorboard").rglob("events.out.tfevents.*"))
    assert len(events) == 8
    assert events[0].parent.relative_to(d / "tensorboard").parts == ("task-a", "const", "seed0")


def _read_records(path: Path) -> list[bytes]:
    data = path.read_bytes()
    out, i = [], 0
    while i < len(data):
        (n,) = struct.unpack_from("<Q", data, i)
        out.append(data[i + 12:i + 12 + n])
        i += 12 + n + 4
    return out


def test_tensorboard_scalars_readable(tmp_path: Path) -> None:
    from lrlab.study.report import write_tensorboard_logs

    d = fake_study(tmp_path)
    with Store(d / DB_NAME) as s:
        paths = write_tensorboard_logs(s, d / "tb")
    recs = _read_records(paths[0])
    # 1 version event + 3 epochs x 5 tags (no val_accuracy in the fake) + 30 LR steps
    assert len(recs) == 1 + 3 * 5 + 30
    assert sum(b"epoch/test_accuracy" in r for r in recs) == 3
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    acc = ea.EventAccumulator(str(paths[0].parent))
    acc.Reload()
    vals = [e.value for e in acc.Scalars("epoch/test_accuracy")]
    assert vals == pytest.approx([0.5, 0.55, 0.6], abs=1e-6)
    assert len(acc.Scalars("step/learning_rate")) == 30


def test_report_of_missing_study(tmp_path: Path) -> None:
    from lrlab.study.report import write_report
    from lrlab.study.store import StoreError

    with pytest.raises(StoreError, match="no study database"):
        write_report(tmp_path)
