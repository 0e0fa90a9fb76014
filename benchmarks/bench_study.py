"""Benchmark: the default ``lrlab study`` (preset ``tour`` on the embedded Fashion-MNIST
subset) end to end, as a user runs it: a fresh process, a fresh study directory, imports,
training, report.  Also the same study with ``--jobs 1``, and a resumed run of a finished
study (which trains nothing and only rewrites the report).

    python benchmarks/bench_study.py [--runs 1] [--jobs 2] [--write docs/benchmarks-study.md]

The numbers depend on the CPU and on what else runs on it; the file records the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return dt


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--skip-jobs1", action="store_true", help="do not time --jobs 1")
    p.add_argument("--write", default=None, help="write the Markdown table to this file")
    args = p.parse_args(argv)
    base = [sys.executable, "-m", "lrlab.study.cli", "--quiet"]
    rows = []
    cases = [(f"lrlab study --jobs {args.jobs} (fresh)", ["--jobs", str(args.jobs)], True)]
    if not args.skip_jobs1:
        cases.append(("lrlab study --jobs 1 (fresh)", ["--jobs", "1"], True))
    cases.append(("lrlab study (resumed, all done: report only)",
                  ["--jobs", str(args.jobs)], False))
    keep = tempfile.mkdtemp(prefix="lrlab-bench-study-")
    try:
        for label, extra, fresh in cases:
            times = []
            for _ in range(args.runs):
                out = os.path.join(keep, "study")
                if fresh:
                    shutil.rmtree(out, ignore_errors=True)
                times.append(_time([*base, "--out", out, *extra]))
            rows.append((label, statistics.median(times), min(times), max(times)))
            print(f"{label}: median {rows[-1][1]:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(keep, ignore_errors=True)
    import torch

    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}, torch {torch.__version__}; "
        f"{args.runs} run(s) per case.", "",
        "| command | median wall time (s) | min | max |", "|---|---|---|---|"]
    lines += [f"| `{r[0]}` | {r[1]:.1f} | {r[2]:.1f} | {r[3]:.1f} |" for r in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        Path(args.write).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
