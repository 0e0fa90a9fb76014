"""``lrlab study``: run a grid of task x schedule x seed and write a report.

::

    lrlab study                          # preset 'tour' on the embedded data, into ./lrlab-study
    lrlab study fashion-clr --out runs/clr --jobs 2
    lrlab study my-study.yaml --backend ray --address auto
    lrlab study tf-mnist-expdecay --data fashion-mnist --epochs 5
    lrlab study --status runs/clr
    lrlab study --list-presets

Re-running the same command resumes: finished trials are skipped, an interrupted one continues
from its last checkpoint.  Exit status: 0 done, 1 error, 2 bad usage, 3 some trials failed,
130 stopped by Ctrl-C (resumable).

:func:`add_parser` adds the subcommand to ``lrlab``'s parser; :func:`run` executes parsed
arguments; :func:`main` is the standalone entry point (``python -m lrlab.study.cli``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "main", "run"]

DEFAULT_OUT = "lrlab-study"


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", nargs="?", default=None, metavar="PRESET|CONFIG.yaml",
                   help="a preset name (default: tour) or a YAML study config")
    p.add_argument("--out", "-o", default=DEFAULT_OUT, metavar="DIR",
                   help=f"study directory (default: ./{DEFAULT_OUT})")
    p.add_argument("--data", default=None, metavar="DATASET",
                   help="run every task on this dataset instead (fashion-mnist, "
                        "fashion-mnist-mini, mnist, cifar10)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help="where the dataset files are (default: $LRLAB_DATA_DIR)")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="trials run in parallel (default: the number of CPUs)")
    p.add_argument("--backend", choices=("local", "ray"), default="local",
                   help="local processes (default) or Ray tasks")
    p.add_argument("--address", default=None,
                   help="with --backend ray: the cluster to join (default: start a local one)")
    p.add_argument("--epochs", type=int, default=None, metavar="N",
                   help="override every task's epochs (a different study: use another --out)")
    p.add_argument("--limit-train", type=int, default=None, metavar="N",
                   help="override every task's training-set limit")
    p.add_argument("--limit-test", type=int, default=None, metavar="N",
                   help="override every task's test-set limit")
    p.add_argument("--seeds", default=None, metavar="S,S,...",
                   help="override the seeds, e.g. 0,1,2")
    p.add_argument("--no-tensorboard", action="store_true",
                   help="do not write TensorBoard logs")
    p.add_argument("--no-report", action="store_true",
                   help="only run the trials (write the report later by re-running)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    p.add_argument("--status", metavar="DIR", default=None,
                   help="show a study's progress and exit")
    p.add_argument("--list-presets", action="store_true", help="list the presets and exit")


def add_parser(subparsers: Any) -> None:
    """Add ``study`` to ``lrlab``'s subparsers (``parser.add_subparsers()``); the parsed
    namespace's ``func`` is :func:`run`."""
    p = subparsers.add_parser(
        "study", help="train models under several LR schedules and report",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _configure(p)
    p.set_defaults(func=run)


def _err(msg: str) -> int:
    print(f"lrlab study: error: {msg}", file=sys.stderr)
    return 1


def _list_presets() -> int:
    from lrlab.study.presets import DEFAULT_PRESET, PRESETS

    for name, p in PRESETS.items():
        mark = " (default)" if name == DEFAULT_PRESET else ""
        print(f"{name}{mark}\n    {p.summary}")
        if p.reported:
            print("    reported: " + ", ".join(f"{k} {v}" for k, v in p.reported.items()))
    return 0


def _status(directory: str) -> int:
    from lrlab.study.store import DB_NAME, Store, StoreError

    try:
        store = Store(Path(directory) / DB_NAME, readonly=True)
    except StoreError as e:
        return _err(str(e))
    try:
        cfg = store.config() or {}
        counts = store.counts()
        total = sum(counts.values())
        print(f"study {cfg.get('name', '?')!r} in {directory}: {counts['done']}/{total} done, "
              f"{counts['running']} running, {counts['pending']} pending, "
              f"{counts['failed']} failed")
        for t in store.trials():
            epochs = store.epoch_count(t["trial_id"])
            total_ep = t["spec"]["task"]["epochs"]
            acc = ""
            if t["result"]:
                acc = f"  test acc {t['result']['final_test_accuracy']:.4f}"
            print(f"  {t['status']:<8} {t['task']} / {t['schedule']} / seed {t['seed']}: "
                  f"epoch {epochs}/{total_ep}, started {t['attempts']}x{acc}")
    finally:
        store.close()
    return 0


def _final_table(directory: Path) -> None:
    from lrlab.study.report import format_table, summarize
    from lrlab.study.store import DB_NAME, Store

    store = Store(directory / DB_NAME, create=False)
    try:
        cfg = store.config() or {}
        table = format_table(summarize(store), cfg.get("target_accuracy"))
    finally:
        store.close()
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for j, row in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def run(args: argparse.Namespace) -> int:
    """Execute a parsed ``lrlab study`` command line; returns the exit status."""
    try:
        return _run(args)
    except KeyboardInterrupt:
        print(f"lrlab study: interrupted; re-run the same command to resume ({args.out})",
              file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    if args.list_presets:
        return _list_presets()
    if args.status is not None:
        return _status(args.status)
    from lrlab.errors import LrlabError
    from lrlab.study.config import ConfigError, load_config
    from lrlab.study.data import DatasetError
    from lrlab.study.presets import DEFAULT_PRESET, PRESETS, get_preset

    target = args.target or DEFAULT_PRESET
    try:
        if target in PRESETS:
            cfg = get_preset(target, data=args.data)
        elif target.endswith((".yaml", ".yml", ".json")) or os.path.exists(target):
            cfg = load_config(target).replace_tasks(dataset=args.data)
        else:
            raise ConfigError(f"{target!r} is neither a preset ("
                              + ", ".join(PRESETS) + ") nor a config file")
        cfg = cfg.replace_tasks(epochs=args.epochs, limit_train=args.limit_train,
                                limit_test=args.limit_test)
        if args.seeds is not None:
            import dataclasses

            try:
                seeds = tuple(int(s) for s in args.seeds.split(","))
            except ValueError:
                raise ConfigError(f"--seeds must be integers separated by commas. "
                                  f"Received: {args.seeds!r}") from None
            cfg = dataclasses.replace(cfg, seeds=seeds)
    except ConfigError as e:
        return _err(str(e))
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        return _err(f"--jobs must be >= 1. Received: {jobs}")
    if args.backend != "ray" and args.address is not None:
        return _err("--address needs --backend ray")

    from lrlab.study.progress import Progress, QuietProgress
    from lrlab.study.report import write_report
    from lrlab.study.runner import plan, run_study

    out = Path(args.out)
    try:
        trials = plan(cfg, args.data_dir)
    except DatasetError as e:
        msg = str(e).rstrip()
        if not msg.endswith("."):
            msg += "."
        if not args.data:
            msg += ("\nOr run this study on another dataset: --data fashion-mnist (or "
                    "fashion-mnist-mini, always available).")
        return _err(msg)
    except LrlabError as e:
        return _err(str(e))
    jobs = min(jobs, len(trials))
    progress = QuietProgress() if args.quiet else Progress()
    if not args.quiet:
        print(f"lrlab study {cfg.name!r}: {len(trials)} trials "
              f"({len(cfg.tasks)} task(s) x {len(cfg.schedules)} schedules x "
              f"{len(cfg.seeds)} seed(s)) into {out}, backend {args.backend}, jobs {jobs}",
              file=sys.stderr)
    try:
        outcome = run_study(cfg, out, jobs=jobs, backend=args.backend, address=args.address,
                            data_dir=args.data_dir, progress=progress, trials=trials)
    except LrlabError as e:
        return _err(str(e))
    index = out / "index.html"
    if not args.no_report:
        index = write_report(out, tensorboard=not args.no_tensorboard)["index.html"]
    if not args.quiet:
        _final_table(out)
    if outcome.stopped:
        print("stopped: re-run the same command to resume."
              + ("" if args.no_report else f" Partial report: {index}"))
        return 130
    if not args.no_report:
        print(f"report: {index}")
    if outcome.failed:
        print(f"{outcome.failed} trial(s) failed (see `lrlab study --status {out}`); re-run "
              f"the same command to retry them", file=sys.stderr)
        return 3
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point: ``python -m lrlab.study.cli [args]``."""
    p = argparse.ArgumentParser(prog="lrlab study", description=__doc__.split("\n\n")[0]
                                if __doc__ else None)
    _configure(p)
    args = p.parse_args(None if argv is None else list(argv))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
