"""The study report: ``summary.md``, a self-contained ``index.html``, PNG plots, TensorBoard.

:func:`write_report` reads the study database and writes into the study directory::

    index.html            the whole report, plots embedded as base64 PNG (no server needed)
    summary.md            one table per task (below)
    plots/<task>-lr.png        LR actually used at each step (seed of the first trial)
    plots/<task>-loss.png      training and validation loss per epoch (mean over seeds)
    plots/<task>-accuracy.png  test accuracy per epoch (mean over seeds)
    tensorboard/<task>/<schedule>/seed<k>/events.out.tfevents...  per trial

The table has, per schedule: final and best test accuracy as mean ± sample std over seeds,
epochs to reach the target accuracy (mean over the seeds that reached it, and how many did),
and the wall time per trial (mean seconds); with a preset's reported numbers, a column for them.
Unfinished trials are left out (and counted in a note).
"""

from __future__ import annotations

import base64
import html
import math
import os
import socket
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrlab.study.store import DB_NAME, Store

__all__ = ["Row", "summarize", "format_table", "write_report", "write_tensorboard_logs"]


@dataclass(frozen=True)
class Row:
    """One schedule of one task, aggregated over seeds."""

    task: str
    schedule: str
    spec: str
    n: int
    final: list[float]
    best: list[float]
    to_target: list[int]
    wall: list[float]
    reported: float | None = None


def _ms(xs: Sequence[float]) -> str:
    if not xs:
        return "–"
    m = statistics.fmean(xs)
    if len(xs) == 1:
        return f"{m:.4f}"
    return f"{m:.4f} ± {statistics.stdev(xs):.4f}"


def summarize(store: Store, reported: Mapping[str, float] | None = None) -> list[Row]:
    """Aggregate the finished trials per (task, schedule), in grid order."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    specs: dict[tuple[str, str], str] = {}
    for t in store.trials():
        key = (t["task"], t["schedule"])
        groups.setdefault(key, [])
        sp = t["spec"]
        specs[key] = sp["schedule_spec"] + (
            "" if not sp.get("plateau") else " with ReduceLROnPlateau("
            + ", ".join(f"{k}={v!r}" for k, v in sp["plateau"].items()) + ")")
        if t["status"] == "done":
            groups[key].append(t)
    rows = []
    for (task, sched), ts in groups.items():
        res = [t["result"] for t in ts]
        rows.append(Row(
            task, sched, specs[(task, sched)], len(ts),
            [r["final_test_accuracy"] for r in res], [r["best_test_accuracy"] for r in res],
            [r["epochs_to_target"] for r in res if r.get("epochs_to_target") is not None],
            [float(t["wall_time"]) for t in ts],
            None if reported is None else reported.get(sched)))
    return rows


def format_table(rows: Sequence[Row], target: float | None, *, markdown: bool = True
                 ) -> list[list[str]]:
    """The summary table as a header row plus one row per :class:`Row` (strings)."""
    head = ["task", "schedule", "final test acc", "best test acc",
            f"epochs to {target:g}" if target is not None else "epochs to target",
            "wall time / trial (s)", "seeds"]
    with_reported = any(r.reported is not None for r in rows)
    if with_reported:
        head.insert(4, "reported")
    out = [head]
    for r in rows:
        reach = "–"
        if target is not None:
            reach = (f"{statistics.fmean(r.to_target):.1f} ({len(r.to_target)}/{r.n})"
                     if r.to_target else f"not reached (0/{r.n})")
        wall = f"{statistics.fmean(r.wall):.1f}" if r.wall else "–"
        cells = [r.task, r.schedule, _ms(r.final), _ms(r.best), reach, wall, str(r.n)]
        if with_reported:
            cells.insert(4, "–" if r.reported is None else f"{r.reported:.4f}")
        out.append(cells)
    return out


def _md_table(table: list[list[str]]) -> str:
    lines = ["| " + " | ".join(table[0]) + " |",
             "|" + "|".join("---" for _ in table[0]) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"
              for row in table[1:]]
    return "\n".join(lines)


# -- plots ------------------------------------------------------------------------------------
def _mean_curves(store: Store, trials: list[dict[str, Any]], key: str
                 ) -> tuple[list[int], list[float]] | None:
    per_epoch: dict[int, list[float]] = {}
    for t in trials:
        for rec in store.epochs(t["trial_id"]):
            v = rec.get(key)
            if v is not None and math.isfinite(v):
                per_epoch.setdefault(rec["epoch"], []).append(float(v))
    if not per_epoch:
        return None
    ep = sorted(per_epoch)
    return ep, [statistics.fmean(per_epoch[e]) for e in ep]


def _plots(store: Store, outdir: Path) -> dict[str, list[tuple[str, Path]]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    by_task: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for t in store.trials():
        by_task.setdefault(t["task"], {}).setdefault(t["schedule"], []).append(t)
    outdir.mkdir(parents=True, exist_ok=True)
    made: dict[str, list[tuple[str, Path]]] = {}
    for task, scheds in by_task.items():
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in task)
        figs: list[tuple[str, Path]] = []
        # LR curves: first trial of each schedule that has a logged LR
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        for sched, ts in scheds.items():
            for t in ts:
                pairs = store.lrs(t["trial_id"])
                if pairs:
                    ax.plot([p[0] for p in pairs], [p[1] for p in pairs], label=sched, lw=1.2)
                    break
        ax.set(xlabel="optimizer step", ylabel="learning rate", title=f"{task}: LR used")
        if ax.lines:
            ax.legend(fontsize="small")
        path = outdir / f"{safe}-lr.png"
        fig.savefig(path, dpi=96)
        plt.close(fig)
        figs.append(("Learning rate", path))
        # losses
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
        for i, (sched, ts) in enumerate(scheds.items()):
            color = f"C{i % 10}"
            for ax_, key in ((a1, "train_loss"), (a2, "val_loss")):
                c = _mean_curves(store, ts, key)
                if c is not None:
                    ax_.plot(c[0], c[1], marker="o", ms=3, color=color, label=sched)
        if not a2.lines:   # no validation split: show the test loss instead
            for i, (sched, ts) in enumerate(scheds.items()):
                c = _mean_curves(store, ts, "test_loss")
                if c is not None:
                    a2.plot(c[0], c[1], marker="o", ms=3, color=f"C{i % 10}", label=sched)
            right = "test loss (no validation split; mean over seeds)"
        else:
            right = "validation loss (mean over seeds)"
        a1.set(xlabel="epoch", ylabel="loss", title=f"{task}: training loss (mean over seeds)")
        a2.set(xlabel="epoch", ylabel="loss", title=right)
        for ax_ in (a1, a2):
            if ax_.lines:
                ax_.legend(fontsize="small")
        path = outdir / f"{safe}-loss.png"
        fig.savefig(path, dpi=96)
        plt.close(fig)
        figs.append(("Training and validation loss", path))
        # accuracy
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        for sched, ts in scheds.items():
            c = _mean_curves(store, ts, "test_accuracy")
            if c is not None:
                ax.plot(c[0], c[1], marker="o", ms=3, label=sched)
        ax.set(xlabel="epoch", ylabel="test accuracy",
               title=f"{task}: test accuracy (mean over seeds)")
        if ax.lines:
            ax.legend(fontsize="small")
        path = outdir / f"{safe}-accuracy.png"
        fig.savefig(path, dpi=96)
        plt.close(fig)
        figs.append(("Test accuracy", path))
        made[task] = figs
    return made


# -- TensorBoard ------------------------------------------------------------------------------
def write_tensorboard_logs(store: Store, logdir: Path) -> list[Path]:
    """One event file per trial with its per-epoch metrics and per-step LR."""
    from lrlab.tensorboard import _event, _field_bytes, _record, _run_name, encode_scalar_event

    host = socket.gethostname() or "localhost"
    paths = []
    for t in store.trials():
        recs = store.epochs(t["trial_id"])
        if not recs:
            continue
        run = logdir / _run_name(t["task"]) / _run_name(t["schedule"]) / f"seed{t['seed']}"
        run.mkdir(parents=True, exist_ok=True)
        for old in run.glob("events.out.tfevents.*"):
            old.unlink()
        now = time.time()
        chunks = [_record(_event(now, None, _field_bytes(3, b"brain.Event:2")))]
        for rec in recs:
            for key in ("train_loss", "val_loss", "val_accuracy", "test_loss",
                        "test_accuracy", "lr_last"):
                v = rec.get(key)
                if v is not None:
                    chunks.append(_record(encode_scalar_event(f"epoch/{key}", float(v),
                                                              int(rec["epoch"]), now)))
        for step, lr in store.lrs(t["trial_id"]):
            chunks.append(_record(encode_scalar_event("step/learning_rate", lr, step, now)))
        path = run / f"events.out.tfevents.{int(now)}.{host}.{os.getpid()}.lrlab"
        path.write_bytes(b"".join(chunks))
        paths.append(path)
    return paths


def _task_lines(trials: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, str] = {}
    for t in trials:
        if t["task"] in seen:
            continue
        k = t["spec"].get("task", {})
        bits = [f"{k.get('model', '?')} on {k.get('dataset', '?')}"]
        if k.get("limit_train"):
            bits.append(f"first {k['limit_train']} training images")
        if k.get("limit_test"):
            bits.append(f"first {k['limit_test']} test images")
        if k.get("val_fraction"):
            bits.append(f"{k['val_fraction']:g} of them held out for validation")
        opt = str(k.get("optimizer", "?"))
        if k.get("momentum"):
            opt += f" (momentum {k['momentum']:g})"
        if k.get("weight_decay"):
            opt += f" (weight decay {k['weight_decay']:g})"
        bits += [opt, f"batch {k.get('batch_size', '?')}", f"{k.get('epochs', '?')} epochs"]
        seen[t["task"]] = f"{t['task']}: " + ", ".join(bits)
    return list(seen.values())


# -- the report -------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:left}th{background:#f3f3f3}code{background:#f6f6f6;padding:0 .2em}
img{max-width:100%;height:auto;display:block;margin:.5em 0 1.5em}.note{color:#555}
"""


def write_report(directory: str | os.PathLike[str], *, tensorboard: bool = True
                 ) -> dict[str, Path]:
    """Write the report of the study in ``directory``; returns the paths written
    (``index.html``, ``summary.md``, and the plots)."""
    d = Path(directory)
    store = Store(d / DB_NAME, create=False)
    try:
        config = store.config() or {}
        notes = config.get("notes") or {}
        meta_notes = store.meta().get("notes")
        if meta_notes:
            import json

            notes = json.loads(meta_notes)
        reported = notes.get("reported") or None
        rows = summarize(store, reported)
        target = config.get("target_accuracy")
        table = format_table(rows, target)
        counts = store.counts()
        figs = _plots(store, d / "plots")
        if tensorboard:
            write_tensorboard_logs(store, d / "tensorboard")
        trials = store.trials()
        tasks = _task_lines(trials)
    finally:
        store.close()
    name = config.get("name", d.name)
    unfinished = counts["pending"] + counts["running"] + counts["failed"]
    status = (f"{counts['done']} of {len(trials)} trials finished"
              + (f"; {unfinished} not finished (left out of the table)" if unfinished else ""))
    md = [f"# lrlab study: {name}", ""]
    if config.get("description"):
        md += [config["description"], ""]
    md += [status + ".", "", _md_table(table), ""]
    if notes.get("differences"):
        md += [f"Reported numbers: {notes.get('original', '')}", "",
               f"Differences: {notes['differences']}", ""]
    md += ["Tasks (as run):", ""] + [f"* {line}" for line in tasks] + [""]
    md += ["Schedules (lrlab spec text, as run):", ""]
    md += [f"* `{r.schedule}`: `{r.spec}`" for r in rows]
    md += ["", "Plots: " + ", ".join(f"`{p.relative_to(d)}`" for fs in figs.values()
                                     for _, p in fs),
           "", "TensorBoard: `tensorboard --logdir " + str(d / "tensorboard") + "`", ""]
    (d / "summary.md").write_text("\n".join(md), encoding="utf-8")

    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>lrlab study: {e(name)}</title><style>{_CSS}</style></head><body>",
             f"<h1>lrlab study: {e(name)}</h1>"]
    if config.get("description"):
        parts.append(f"<p>{e(config['description'])}</p>")
    parts.append(f"<p class='note'>{e(status)}.</p><table><thead><tr>"
                 + "".join(f"<th>{e(h)}</th>" for h in table[0]) + "</tr></thead><tbody>")
    for row in table[1:]:
        parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    if notes.get("differences"):
        parts.append(f"<p class='note'>Reported numbers: {e(notes.get('original', ''))}</p>"
                     f"<p class='note'>Differences: {e(notes['differences'])}</p>")
    parts.append("<h2>Tasks</h2><ul>" + "".join(f"<li>{e(t)}</li>" for t in tasks) + "</ul>")
    parts.append("<h2>Schedules</h2><ul>" + "".join(
        f"<li><b>{e(r.schedule)}</b>: <code>{e(r.spec)}</code></li>" for r in rows) + "</ul>")
    for task, fs in figs.items():
        parts.append(f"<h2>{e(task)}</h2>")
        for title, p in fs:
            b64 = base64.b64encode(p.read_bytes()).decode("ascii")
            parts.append(f"<h3>{e(title)}</h3><img alt='{e(task)}: {e(title)}' "
                         f"src='data:image/png;base64,{b64}'>")
    parts.append("<p class='note'>TensorBoard logs: <code>tensorboard --logdir "
                 f"{e(str(d / 'tensorboard'))}</code></p></body></html>")
    (d / "index.html").write_text("\n".join(parts), encoding="utf-8")
    out = {"index.html": d / "index.html", "summary.md": d / "summary.md"}
    for fs in figs.values():
        for _, p in fs:
            out[str(p.relative_to(d))] = p
    return out
