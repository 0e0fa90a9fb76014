"""Benchmark: cost of evaluating lrlab schedules, against bare Python and the frameworks.

Measures, in one run on one machine (so the ratios are meaningful on a noisy shared box):

* scalar call time of each core family and of a warmup+cosine composite;
* a simple family (exponential) against a bare Python function computing the same formula;
* lrlab's scalar call against torch's ``scheduler.step()`` for the same curve;
* optax's schedule (eager and jitted) and Keras 3's schedule call on the same curve;
* vectorized evaluation of 10M steps (cosine) against ``np.cos`` over the same array.

Every figure is the median of ``--repeats`` runs (each run times a loop of many calls).
Run:  python benchmarks/bench_core.py [--repeats 7] [--markdown docs/benchmarks-core.md]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import lrlab

FAMILIES = {
    "constant": "constant(0.1)",
    "piecewise": "piecewise(boundaries=[3000, 6000], values=[0.1, 0.01, 0.001])",
    "step_decay": "step_decay(0.1, step_size=3000, gamma=0.1)",
    "multistep": "multistep(0.1, milestones=[3000, 6000], gamma=0.1)",
    "exponential": "exponential(0.1, decay_rate=0.96, decay_steps=1000)",
    "natural_exp": "natural_exp(0.1, decay_rate=0.5, decay_steps=1000)",
    "inverse_time": "inverse_time(0.1, decay_rate=0.5, decay_steps=1000)",
    "legacy_decay": "legacy_decay(0.1, decay=1e-4)",
    "polynomial": "polynomial(0.1, steps=10000, end=0.001, power=2.0)",
    "linear": "linear(0.1, 0.001, steps=10000)",
    "cosine": "cosine(0.1, steps=10000, alpha=0.01)",
    "cosine_restarts": "cosine_restarts(0.1, first_steps=1000, t_mul=2.0, m_mul=0.9)",
    "linear_cosine": "linear_cosine(0.1, steps=10000)",
    "noisy_linear_cosine": "noisy_linear_cosine(0.1, steps=10000, initial_variance=1e-4, seed=1)",
    "cyclic": "cyclic(0.001, 0.1, step_size_up=2000, mode='triangular2')",
    "one_cycle": "one_cycle(0.1, total_steps=10000)",
    "inverse_sqrt": "inverse_sqrt(0.1, warmup_steps=1000)",
    "noam": "noam(512, warmup_steps=4000)",
    "wsd": "wsd(0.1, warmup_steps=1000, stable_steps=7000, decay_steps=2000)",
    "warmup+cosine": "warmup(cosine(0.1, steps=9000, alpha=0.01), steps=1000, start=0.0)",
}

STEPS = list(range(0, 10_000, 7))  # a fixed walk through the schedule


def per_call(fn: Callable[[Any], Any], args: list[Any], repeats: int) -> float:
    """Median over repeats of the mean seconds per call of fn over args."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for a in args:
            fn(a)
        times.append((time.perf_counter() - t0) / len(args))
    return statistics.median(times)


def per_step(step: Callable[[], Any], n: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        times.append((time.perf_counter() - t0) / n)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, {platform.system()} {platform.machine()}"
    )


def bench_scalar(repeats: int) -> list[tuple[str, float]]:
    rows = []
    for name, spec in FAMILIES.items():
        s = lrlab.parse(spec)
        rows.append((name, per_call(s, STEPS, repeats)))
    return rows


def bench_bare(repeats: int) -> dict[str, float]:
    def bare_exponential(t: int) -> float:
        return 0.1 * 0.96 ** (t / 1000)

    def bare_cosine(t: int) -> float:
        tau = min(t, 10000)
        return 0.1 * (0.99 * 0.5 * (1 + math.cos(math.pi * tau / 10000)) + 0.01)

    return {
        "exponential": per_call(bare_exponential, STEPS, repeats),
        "cosine": per_call(bare_cosine, STEPS, repeats),
    }


def bench_torch(repeats: int) -> dict[str, float]:
    try:
        import torch
    except ImportError:
        return {}
    out = {}
    p = torch.nn.Parameter(torch.zeros(1))
    makers = {
        "step_decay": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3000, gamma=0.1),
        "exponential": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.99996),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10000),
        "one_cycle": lambda o: torch.optim.lr_scheduler.OneCycleLR(
            o, max_lr=0.1, total_steps=10**8
        ),
    }
    import warnings

    warnings.filterwarnings("ignore", module="torch")
    for name, make in makers.items():
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
        sched = make(opt)
        out[name] = per_step(sched.step, 2000, repeats)
    return out


def bench_optax(repeats: int) -> dict[str, float]:
    try:
        import jax
        import optax
    except ImportError:
        return {}
    s = optax.cosine_decay_schedule(0.1, decay_steps=10000, alpha=0.01)
    eager = per_call(lambda t: float(s(t)), STEPS[:300], repeats)
    jitted = jax.jit(s)
    jitted(0).block_until_ready()
    jit = per_call(lambda t: float(jitted(t)), STEPS[:300], repeats)
    return {"optax eager": eager, "optax jit": jit}


def bench_keras(repeats: int) -> dict[str, float]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        import keras
    except ImportError:
        return {}
    s = keras.optimizers.schedules.CosineDecay(0.1, decay_steps=10000, alpha=0.01)
    return {"keras": per_call(lambda t: float(s(t)), STEPS[:300], repeats)}


def bench_vector(repeats: int) -> dict[str, float]:
    t = np.arange(10_000_000, dtype=np.float64)
    s = lrlab.parse("cosine(0.1, steps=10000000, alpha=0.01)")
    x = t / 1e7

    def timed(fn: Callable[[], Any]) -> float:
        vals = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            vals.append(time.perf_counter() - t0)
        return statistics.median(vals)

    return {"lrlab cosine 10M": timed(lambda: s(t)), "np.cos 10M": timed(lambda: np.cos(x))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--markdown", help="write the results as markdown to this file")
    ap.add_argument("--skip-frameworks", action="store_true")
    args = ap.parse_args(argv)
    r = args.repeats

    scalar = bench_scalar(r)
    bare = bench_bare(r)
    torch_t = {} if args.skip_frameworks else bench_torch(r)
    optax_t = {} if args.skip_frameworks else bench_optax(r)
    keras_t = {} if args.skip_frameworks else bench_keras(r)
    vec = bench_vector(max(3, r // 2))
    ours = dict(scalar)

    lines = [
        f"Machine: {machine()}.",
        f"Each figure: median of {r} runs.",
        "",
        "### Scalar call, per family (ns per call)",
        "",
        "| family | lrlab ns/call |",
        "|---|---:|",
    ]
    lines += [f"| {n} | {v * 1e9:.0f} |" for n, v in scalar]
    lines += [
        "",
        "### Ratios (lower is better for lrlab)",
        "",
        "| comparison | lrlab | reference | ratio | target |",
        "|---|---:|---:|---:|---|",
    ]
    for name, ref in bare.items():
        lines.append(
            f"| {name}: lrlab scalar call / bare Python function | {ours[name] * 1e9:.0f} ns | "
            f"{ref * 1e9:.0f} ns | {ours[name] / ref:.2f} | <= 2 (simple family) |"
        )
    for name, ref in torch_t.items():
        lines.append(
            f"| {name}: lrlab scalar call / torch `scheduler.step()` | {ours[name] * 1e9:.0f} ns |"
            f" {ref * 1e9:.0f} ns | {ours[name] / ref:.3f} | <= 0.5 |"
        )
    for name, ref in {**optax_t, **keras_t}.items():
        lines.append(
            f"| cosine: lrlab scalar call / {name} schedule call | {ours['cosine'] * 1e9:.0f} ns |"
            f" {ref * 1e9:.0f} ns | {ours['cosine'] / ref:.4f} | (informative) |"
        )
    ratio = vec["lrlab cosine 10M"] / vec["np.cos 10M"]
    lines.append(
        f"| cosine over 10M steps: lrlab vectorized / `np.cos` of the same array | "
        f"{vec['lrlab cosine 10M'] * 1e3:.1f} ms | {vec['np.cos 10M'] * 1e3:.1f} ms | "
        f"{ratio:.2f} | <= 1.5 |"
    )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
