"""The ``lrlab`` command: plot, tabulate, describe and export schedules from spec text.

A thin layer over :mod:`lrlab.plot`, :mod:`lrlab.export` and :mod:`lrlab.tensorboard`::

    lrlab plot SPEC [SPEC ...] -o FILE [--steps N] [--log]
    lrlab values SPEC (--steps 0,10,100 | --range START:STOP[:STEP]) [--format json|csv|table]
    lrlab describe SPEC [--steps N] [--steps-per-epoch N --epochs N] [--format text|json]
    lrlab tensorboard SPEC [SPEC ...] --logdir DIR [--steps N]
    lrlab gallery -o DIR [--format png|svg|pdf] [--only NAME,NAME]
    lrlab find [PRESET] [--task NAME] [-o PLOT] [--kind one_cycle|cyclic]   (PyTorch)

Exit codes: 0 success; 1 a run-time failure (a file that cannot be written, a missing
optional dependency); 2 bad usage or bad spec text (one line on stderr, no traceback).

>>> main(["values", "step_decay(0.1, step_size=10, gamma=0.5)", "--steps", "0,10,20"])
step  learning rate
   0            0.1
  10           0.05
  20          0.025
0
>>> main(["values", "cosine(0.1, stepz=10)", "--steps", "0"])  # the error goes to stderr
2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from lrlab.errors import LrlabError, ScheduleError, SpecError

__all__ = ["main", "build_parser"]

_PROG = "lrlab"
_CONTEXT = 40


class CliError(Exception):
    """A failure reported as one line on stderr, with an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# -- argument types -----------------------------------------------------------------------
def _number(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return v


def _positive(text: str) -> float:
    v = _number(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return v


def _count(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return v


def _step_list(text: str) -> list[float]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected steps separated by commas, such as 0,10,100")
    return [_number(x) for x in items]


def _step_range(text: str) -> tuple[float, float, float]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError(f"expected START:STOP or START:STOP:STEP, got {text!r}")
    start, stop = _number(parts[0]), _number(parts[1])
    step = _positive(parts[2]) if len(parts) == 3 else 1.0
    return start, stop, step


# -- output helpers -----------------------------------------------------------------------
def _fmt_step(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else repr(float(t))


def _spec_error_line(e: SpecError) -> str:
    """One line: position, reason, and the spec with ``>>`` at the position."""
    text, pos = e.text, e.position
    lo, hi = max(0, pos - _CONTEXT), min(len(text), pos + _CONTEXT)
    before = ("..." if lo > 0 else "") + text[lo:pos]
    after = text[pos:hi] + ("..." if hi < len(text) else "")
    reason = " ".join(str(e.reason).split())
    return f"invalid spec at position {pos}: {reason} -- in: {before}>>{after}"


def _parse(text: str) -> Any:
    from lrlab.spec import parse

    try:
        return parse(text)
    except ScheduleError:
        raise
    except Exception as e:  # a parser bug must still not end in a traceback
        raise CliError(f"could not parse the spec {text!r}: {type(e).__name__}: {e} "
                       "(this is a bug in lrlab; please report it)", 2) from None


def _parse_all(specs: Sequence[str]) -> list[Any]:
    return [_parse(s) for s in specs]


# -- commands -----------------------------------------------------------------------------
def _cmd_plot(args: argparse.Namespace, out: TextIO) -> int:
    from lrlab.plot import plot_to_file

    schedules = _parse_all(args.specs)
    labels = args.label
    if labels is not None and len(labels) != len(schedules):
        raise CliError(
            f"--label given {len(labels)} times for {len(schedules)} specs; give one per spec", 2
        )
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in (".png", ".svg", ".pdf"):
        raise CliError(f"-o/--output must end in .png, .svg or .pdf, got {args.output!r}", 2)
    try:
        path = plot_to_file(
            schedules, args.output, args.steps, labels=labels, log=args.log, title=args.title,
            dpi=args.dpi,
        )
    except OSError as e:
        raise CliError(f"cannot write {args.output!r}: {e.strerror or e}") from None
    print(f"wrote {path}", file=out)
    return 0


def _cmd_values(args: argparse.Namespace, out: TextIO) -> int:
    import numpy as np

    from lrlab.export import export_csv, export_json, step_range

    s = _parse(args.spec)
    steps = np.asarray(args.steps, dtype=float) if args.steps is not None else step_range(
        *args.range
    )
    if args.format == "json":
        print(export_json(s, steps), file=out)
    elif args.format == "csv":
        out.write(export_csv({"lr": s}, steps))
    else:
        ys = s(steps)
        rows = [(_fmt_step(t), repr(float(y))) for t, y in zip(steps.tolist(), ys.tolist())]
        w1 = max([4, *(len(a) for a, _ in rows)])
        w2 = max([13, *(len(b) for _, b in rows)])
        print(f"{'step':>{w1}}  {'learning rate':>{w2}}", file=out)
        for a, b in rows:
            print(f"{a:>{w1}}  {b:>{w2}}", file=out)
    return 0


def _cmd_describe(args: argparse.Namespace, out: TextIO) -> int:
    from lrlab.export import describe

    if (args.steps_per_epoch is None) != (args.epochs is None):
        raise CliError("--steps-per-epoch and --epochs go together; give both or neither", 2)
    d = describe(
        _parse(args.spec), args.steps, steps_per_epoch=args.steps_per_epoch, epochs=args.epochs
    )
    if args.format == "json":
        print(json.dumps(d, indent=2), file=out)
        return 0
    n = d["end"]
    integral = f"{d['integral']:.6g}" + ("" if d["integral_exact"] else " (approximate)")
    lines = [
        ("spec", d["spec"]),
        ("horizon", "none" if d["horizon"] is None else str(d["horizon"])),
        ("phases", _phase_list(d["phases"], n)),
        ("peak", f"{d['peak']:.6g} at step {d['peak_step']}"),
        ("minimum", f"{d['min']:.6g} at step {d['min_step']}"),
        ("final", f"{d['final']:.6g} at step {n}"),
        ("integral", f"{integral} (sum of the LR over steps 0..{_fmt_step(math.ceil(n) - 1)})"),
    ]
    for k, v in lines:
        print(f"{k:<9} {v}", file=out)
    for w in d["warnings"]:
        print(f"warning: {w}", file=out)
    return 0


def _phase_list(phases: list[float], end: float, show: int = 10) -> str:
    inside = [p for p in phases if p <= end]
    text = ", ".join(str(p) for p in inside[:show]) or "none"
    if len(inside) > show:
        text += f", ... ({len(inside)} up to step {end})"
    if len(phases) > len(inside):
        text += f" (+{len(phases) - len(inside)} after)"
    return text


def _cmd_tensorboard(args: argparse.Namespace, out: TextIO) -> int:
    from lrlab.tensorboard import write_tensorboard

    schedules = _parse_all(args.specs)
    if args.label is not None and len(args.label) != len(schedules):
        raise CliError(
            f"--label given {len(args.label)} times for {len(schedules)} specs; give one per spec",
            2,
        )
    try:
        paths = write_tensorboard(
            schedules, args.logdir, args.steps, labels=args.label, tag=args.tag, every=args.every
        )
    except OSError as e:
        raise CliError(f"cannot write into {args.logdir!r}: {e.strerror or e}") from None
    for p in paths:
        print(f"wrote {p}", file=out)
    return 0


def _cmd_gallery(args: argparse.Namespace, out: TextIO) -> int:
    from lrlab.plot import gallery

    try:
        written, skipped = gallery(args.output, args.format, only=args.only)
    except OSError as e:
        raise CliError(f"cannot write into {args.output!r}: {e.strerror or e}") from None
    print(f"wrote {len(written)} images into {args.output}", file=out)
    for name, why in skipped.items():
        print(f"skipped {name}: {why}", file=sys.stderr)
    return 0


def _cmd_find(args: argparse.Namespace, out: TextIO) -> int:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise CliError("lrlab find trains a PyTorch model: pip install torch") from None
    from lrlab.finder.study import find_lr_task, task_by_name
    from lrlab.study.presets import DEFAULT_PRESET

    preset = args.preset or DEFAULT_PRESET
    try:
        task = task_by_name(preset, args.task, data=args.data)
    except LrlabError as e:  # unknown preset, task or dataset: bad usage
        raise CliError(" ".join(str(e).split()), 2) from None
    try:
        result, total = find_lr_task(
            task, data_dir=args.data_dir, seed=args.seed, start_lr=args.start_lr,
            end_lr=args.end_lr, num_steps=args.num_steps,
        )
    except LrlabError as e:  # missing data files, ...: the study's own messages
        raise CliError(" ".join(str(e).split())) from None
    total_steps = args.total_steps or total
    try:
        spec: str | None = result.propose(total_steps, args.kind)
    except ScheduleError as e:
        spec, why = None, str(e)
    if args.output:
        from lrlab.plot import _figure

        fig = _figure((7, 4.2))
        ax = result.plot(fig.add_subplot())
        ax.set_title(f"LR range test: {task.name} ({task.model} on {task.dataset})")
        try:
            fig.savefig(args.output, dpi=110)
        except OSError as e:
            raise CliError(f"cannot write {args.output!r}: {e.strerror or e}") from None
    if args.format == "json":
        d = result.to_dict()
        d.update(preset=preset, task=task.name, total_steps=total_steps, spec=spec)
        print(json.dumps(d), file=out)
        return 0
    print(f"task      {task.name}: {task.model} on {task.dataset} ({task.optimizer}, batch "
          f"{task.batch_size}), preset {preset}", file=out)
    print(f"sweep     {len(result.lrs)} of {args.num_steps} steps, {args.start_lr:g} .. "
          f"{args.end_lr:g}; stopped: {result.stop_reason}", file=out)
    for name, lr in result.suggestions.items():
        mark = "  (default)" if name == result.default else ""
        print(f"{name:<9} {'none' if lr is None else f'{lr:.3g}'}{mark}", file=out)
    print(f"propose   {spec if spec else 'nothing: ' + why}", file=out)
    if args.output:
        print(f"wrote {args.output}", file=out)
    return 0


# -- parser -------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the ``lrlab`` command (one sub-parser per command)."""
    from lrlab import __version__

    p = argparse.ArgumentParser(
        prog=_PROG,
        description="Plot, tabulate, describe and export learning-rate schedules written as "
        "spec text, such as \"warmup(cosine(0.1, steps=9000), steps=1000)\".",
    )
    p.add_argument("--version", action="version", version=f"lrlab {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sp = sub.add_parser("plot", help="plot schedules into a PNG, SVG or PDF file",
                        description="Plot one or more schedules into one figure.")
    sp.add_argument("specs", nargs="+", metavar="SPEC", help="schedule spec text")
    sp.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="output file; .png, .svg or .pdf")
    sp.add_argument("--steps", type=_positive, metavar="N",
                    help="x range [0, N] (default: 10%% past the latest horizon)")
    sp.add_argument("--log", action="store_true", help="logarithmic LR axis")
    sp.add_argument("--label", action="append", metavar="TEXT",
                    help="legend label, once per spec (default: the spec text)")
    sp.add_argument("--title", help="figure title")
    sp.add_argument("--dpi", type=_count, default=120, help="raster resolution (default 120)")
    sp.set_defaults(func=_cmd_plot, parser=sp)

    sv = sub.add_parser("values", help="print the LR at given steps",
                        description="Print a schedule's values at the given steps.")
    sv.add_argument("spec", metavar="SPEC", help="schedule spec text")
    g = sv.add_mutually_exclusive_group(required=True)
    g.add_argument("--steps", type=_step_list, metavar="LIST", help="steps, such as 0,10,100")
    g.add_argument("--range", type=_step_range, metavar="START:STOP[:STEP]",
                   help="steps START, START+STEP, ... below STOP")
    sv.add_argument("--format", choices=("table", "json", "csv"), default="table",
                    help="output format (default: table)")
    sv.set_defaults(func=_cmd_values, parser=sv)

    sd = sub.add_parser("describe", help="summarize a schedule and warn about likely mistakes",
                        description="Peak, minimum, final value, phases and integral of a "
                        "schedule, with warnings for likely mistakes.")
    sd.add_argument("spec", metavar="SPEC", help="schedule spec text")
    sd.add_argument("--steps", type=_positive, metavar="N",
                    help="analyse [0, N] (default: the horizon)")
    sd.add_argument("--steps-per-epoch", type=_positive, metavar="N",
                    help="with --epochs: warn when the horizon is not N x epochs")
    sd.add_argument("--epochs", type=_positive, metavar="E")
    sd.add_argument("--format", choices=("text", "json"), default="text")
    sd.set_defaults(func=_cmd_describe, parser=sd)

    st = sub.add_parser("tensorboard", help="write TensorBoard scalar event files",
                        description="Write each schedule as a TensorBoard run (scalar tag).")
    st.add_argument("specs", nargs="+", metavar="SPEC", help="schedule spec text")
    st.add_argument("--logdir", required=True, metavar="DIR")
    st.add_argument("--steps", type=_count, metavar="N",
                    help="steps 0..N-1 (default: the latest horizon)")
    st.add_argument("--every", type=_count, metavar="K",
                    help="write every K-th step (default: at most ~10,000 points)")
    st.add_argument("--label", action="append", metavar="NAME",
                    help="run name, once per spec (default: <index>-<family>)")
    st.add_argument("--tag", default="learning_rate", help="scalar tag (default learning_rate)")
    st.set_defaults(func=_cmd_tensorboard, parser=st)

    sg = sub.add_parser("gallery", help="draw one image per schedule family",
                        description="One image per family (20,000 steps, base LR 0.01) and an "
                        "overview image.")
    sg.add_argument("-o", "--output", required=True, metavar="DIR")
    sg.add_argument("--format", choices=("png", "svg", "pdf"), default="png")
    sg.add_argument("--only", type=lambda x: [n.strip() for n in x.split(",") if n.strip()],
                    metavar="NAMES", help="only these families, such as cosine,wsd")
    sg.set_defaults(func=_cmd_gallery, parser=sg)

    sf = sub.add_parser("find", help="LR range test on a task of a study preset (PyTorch)",
                        description="Run the LR range test on a built-in study task and "
                        "propose a schedule.")
    sf.add_argument("preset", nargs="?", metavar="PRESET",
                    help="a study preset (default: the study's default preset)")
    sf.add_argument("--task", metavar="NAME", help="a task of the preset (default: its first)")
    sf.add_argument("--data", metavar="DATASET", help="run the task on this dataset instead")
    sf.add_argument("--data-dir", metavar="DIR", help="where the dataset files are")
    sf.add_argument("--num-steps", type=_count, default=100, metavar="N",
                    help="sweep steps (default 100)")
    sf.add_argument("--start-lr", type=_positive, default=1e-6, metavar="LR")
    sf.add_argument("--end-lr", type=_positive, default=10.0, metavar="LR")
    sf.add_argument("--seed", type=int, default=0)
    sf.add_argument("--total-steps", type=_count, metavar="N",
                    help="steps of the proposed schedule (default: the task's training run)")
    sf.add_argument("--kind", choices=("one_cycle", "cyclic"), default="one_cycle",
                    help="the proposed schedule (default one_cycle)")
    sf.add_argument("-o", "--output", metavar="FILE", help="save the loss-vs-LR plot here")
    sf.add_argument("--format", choices=("text", "json"), default="text")
    sf.set_defaults(func=_cmd_find, parser=sf)

    # commands defined elsewhere: `add_parser(sub)` sets `func(args) -> int` (no `parser`)
    try:
        from lrlab.study.cli import add_parser as add_study
    except ImportError:  # pragma: no cover - the study runner is optional
        pass
    else:
        add_study(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lrlab`` command; returns the exit code (argparse exits 2 on bad usage)."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # the reader went away (``lrlab values ... | head``): stop quietly, as Unix tools do;
        # point stdout at /dev/null so the interpreter's final flush cannot raise again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    own = getattr(args, "parser", None)
    if extra:  # report unknown options with the sub-command's own usage line
        (own or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if own is None:  # a command added by another module: it reports its own errors
        return int(args.func(args))
    prefix = f"{_PROG} {args.command}: error:"
    func: Callable[[argparse.Namespace, TextIO], int] = args.func
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = _run(func, args, prefix)
    shown = set()
    for w in caught:
        msg = " ".join(str(w.message).split())
        if msg not in shown:
            shown.add(msg)
            print(f"{_PROG} {args.command}: warning: {msg}", file=sys.stderr)
    return code


def _run(func: Callable[[argparse.Namespace, TextIO], int], args: argparse.Namespace,
         prefix: str) -> int:
    try:
        return func(args, sys.stdout)
    except SpecError as e:
        print(f"{prefix} {_spec_error_line(e)}", file=sys.stderr)
        return 2
    except ScheduleError as e:
        print(f"{prefix} {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except CliError as e:
        print(f"{prefix} {e}", file=sys.stderr)
        return e.code
    except (LrlabError, ImportError) as e:  # MissingDependency and friends
        print(f"{prefix} {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
