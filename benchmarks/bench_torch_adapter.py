"""Benchmark: per-step overhead of ``lrlab.torch.Scheduler`` against torch's own schedulers.

For each curve (StepLR, CosineAnnealingLR, OneCycleLR with its momentum cycling, SequentialLR
warmup + cosine), in one run on one machine:

* ``step()``: the cost of one ``scheduler.step()`` call that advances the curve by one step
  (lrlab with ``count="steps"``, so both advance per call; no optimizer step in between);
* ``train step``: the extra cost a scheduler adds to a training step,
  ``(optimizer.step() + scheduler.step()) - optimizer.step()``, with lrlab counting real
  updates through its optimizer post-hook (so the hook's cost is included, as torch's
  ``optimizer.step`` wrapper is on its side).

Each figure is the median of ``--repeats`` runs of ``--steps`` calls; the two sides of a pair
are interleaved run by run, so machine noise hits both alike.  Ratios are lrlab / torch
(< 1: lrlab is faster).

Run:  python benchmarks/bench_torch_adapter.py [--repeats 7] [--steps 20000]
          [--markdown docs/benchmarks-torch.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import torch

import lrlab
from lrlab.torch import Scheduler

BIG = 10**8  # horizon of the one-cycle curve, so torch's OneCycleLR never runs out of steps


def _torch_step_lr(o: Any) -> Any:
    return torch.optim.lr_scheduler.StepLR(o, step_size=30, gamma=0.9)


def _torch_cosine(o: Any) -> Any:
    return torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=100_000, eta_min=0.001)


def _torch_one_cycle(o: Any) -> Any:
    return torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=BIG)


def _torch_sequential(o: Any) -> Any:
    lr = torch.optim.lr_scheduler
    return lr.SequentialLR(o, [lr.LinearLR(o, start_factor=0.01, total_iters=1000),
                               lr.CosineAnnealingLR(o, T_max=99_000)], milestones=[1000])


# name: (torch factory, lrlab schedule, lrlab keyword arguments)
CURVES: dict[str, tuple[Callable[[Any], Any], str, dict[str, Any]]] = {
    "StepLR": (_torch_step_lr, "torch.StepLR(0.1, step_size=30, gamma=0.9)", {}),
    "CosineAnnealingLR": (_torch_cosine,
                          "torch.CosineAnnealingLR(0.1, T_max=100000, eta_min=0.001)", {}),
    "OneCycleLR (+momentum)": (_torch_one_cycle, f"one_cycle(0.1, total_steps={BIG})",
                               {"momentum": lrlab.OneCycle.momentum(BIG)}),
    "SequentialLR warmup+cosine": (
        _torch_sequential,
        "torch.SequentialLR(schedulers=[torch.LinearLR(0.1, start_factor=0.01,"
        " total_iters=1000), torch.CosineAnnealingLR(0.1, T_max=99000)], milestones=[1000])",
        {},
    ),
}


class _NoOp(torch.optim.Optimizer):
    """An optimizer whose update does nothing: what is left of ``optimizer.step()`` is torch's
    step machinery (profiling wrapper, hooks), so a scheduler's overhead is not lost in noise."""

    def __init__(self) -> None:
        super().__init__([torch.zeros(4, requires_grad=True)], {"lr": 0.1, "momentum": 0.9})

    def step(self, closure: Any = None) -> None:
        return None


def _optimizer() -> torch.optim.Optimizer:
    return _NoOp()


def _time(loop: Callable[[int], None], n: int) -> float:
    t0 = time.perf_counter()
    loop(n)
    return (time.perf_counter() - t0) / n


def _step_loop(sched: Any) -> Callable[[int], None]:
    step = sched.step

    def loop(n: int) -> None:
        for _ in range(n):
            step()

    return loop


def _train_loop(opt: Any, sched: Any | None) -> Callable[[int], None]:
    ostep = opt.step
    if sched is None:
        def loop(n: int) -> None:
            for _ in range(n):
                ostep()
    else:
        sstep = sched.step

        def loop(n: int) -> None:
            for _ in range(n):
                ostep()
                sstep()
    return loop


def same_curve(steps: int) -> dict[str, float]:
    """Largest relative difference between the LRs (and momenta) the two set, per curve."""
    out = {}
    for name, (make_torch, spec, kw) in CURVES.items():
        o1, o2 = _optimizer(), _optimizer()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref, ours = make_torch(o1), Scheduler(o2, spec, **kw)
        worst = 0.0
        for _ in range(steps):
            for key in ("lr", "momentum"):
                a, b = o1.param_groups[0][key], o2.param_groups[0][key]
                worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
            o1.step()
            o2.step()
            ref.step()
            ours.step()
        out[name] = worst
    return out


def bench(steps: int, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for name, (make_torch, spec, kw) in CURVES.items():
        t_step: list[float] = []
        l_step: list[float] = []
        t_train: list[float] = []
        l_train: list[float] = []
        base: list[float] = []
        for _ in range(repeats):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch's step-order warning in the step() loop
                o1, o2 = _optimizer(), _optimizer()
                t_step.append(_time(_step_loop(make_torch(o1)), steps))
                l_step.append(_time(_step_loop(Scheduler(o2, spec, count="steps", **kw)), steps))
                o0, o1, o2 = _optimizer(), _optimizer(), _optimizer()
                base.append(_time(_train_loop(o0, None), steps))
                t_train.append(_time(_train_loop(o1, make_torch(o1)), steps))
                l_train.append(_time(_train_loop(o2, Scheduler(o2, spec, **kw)), steps))
        b = statistics.median(base)
        tt = statistics.median(t_train) - b
        lt = statistics.median(l_train) - b
        rows.append({
            "curve": name,
            "torch_step": statistics.median(t_step), "lrlab_step": statistics.median(l_step),
            "torch_train": tt, "lrlab_train": lt, "optimizer_step": b,
        })
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    return (f"{cpu}, {os.cpu_count()} logical CPUs{load}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, torch {torch.__version__}"
            f", {torch.get_num_threads()} torch thread(s)")


def to_markdown(rows: list[dict[str, Any]], steps: int, repeats: int, where: str,
                diffs: dict[str, float]) -> str:
    us = 1e6
    lines = [
        "# Benchmark: lrlab.torch.Scheduler against torch's schedulers",
        "",
        "Generated by `python benchmarks/bench_torch_adapter.py "
        f"--repeats {repeats} --steps {steps} --markdown docs/benchmarks-torch.md`.",
        "",
        f"Machine: {where}.",
        "",
        f"Each figure is the median of {repeats} runs of {steps} calls (µs per call); ratio ="
        " lrlab / torch, lower is better (target <= 1.0). `step()`: one `scheduler.step()` that"
        " advances the curve (lrlab with `count='steps'`). `train step`: what the scheduler"
        " adds to `optimizer.step()` (an optimizer whose update is a no-op, so only torch's step"
        " machinery is left: "
        f"{statistics.median(r['optimizer_step'] for r in rows) * us:.1f} µs per call): "
        "torch's optimizer-step wrapper + `step()`, against lrlab's update-counting post-hook"
        " + `step()`. Same curve on both sides: the lrlab schedules are the `torch.*` compat"
        " constructors (one-cycle: `one_cycle` + `OneCycle.momentum`, as OneCycleLR also"
        " cycles momentum). Over those steps the two set the same values: largest relative"
        " difference of LR and momentum "
        + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()) + ".",
        "",
        "| curve | torch step() | lrlab step() | ratio | torch train step | "
        "lrlab train step | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['curve']} | {r['torch_step'] * us:.2f} | {r['lrlab_step'] * us:.2f} | "
            f"{r['lrlab_step'] / r['torch_step']:.2f} | {r['torch_train'] * us:.2f} | "
            f"{r['lrlab_train'] * us:.2f} | {r['lrlab_train'] / r['torch_train']:.2f} |"
        )
    lines += [
        "",
        "Why lrlab is cheaper: `step()` evaluates the closed form once per group and writes it;"
        " torch's `step()` goes through its `_enable_get_lr_call` context, the recursive"
        " (chainable) `get_lr()`, step-order bookkeeping and, for SequentialLR, a child"
        " scheduler's `step()` as well.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--markdown", help="write the results as Markdown to this file")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    where = machine()
    diffs = same_curve(args.steps)
    rows = bench(args.steps, args.repeats)
    text = to_markdown(rows, args.steps, args.repeats, where, diffs)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
