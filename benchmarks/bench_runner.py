"""Training throughput of ``lrlab.study.trial.run_trial`` vs a minimal hand-written PyTorch loop.

Both train the same model on the same in-memory tensors with the same batch size, in the same
process, alternately (hand, runner, runner, hand, hand, ...) so that load on the machine affects
both alike.  Throughput is training images per second of the training loop only (evaluation
and checkpointing excluded: the runner reports it as ``EpochRecord.samples_per_s``; the hand
loop is timed the same way, from the first batch to a synchronised end of the epoch).  The
runner does everything a study trial does per step: an lrlab schedule through
``lrlab.torch.Scheduler`` (with a plateau controller), ``should_stop`` / ``on_step`` /
``lr_log`` callbacks, per-epoch checkpoints.  The ratio of the medians must be >= 0.95.

Usage::

    python benchmarks/bench_runner.py                      # fashion-cnn, the CLR preset's model
    python benchmarks/bench_runner.py --model mlp --batch-size 100 --repeats 9
    python benchmarks/bench_runner.py --check              # exit 1 if the ratio is < 0.95
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from lrlab.study.data import load_dataset
from lrlab.study.models import build_model
from lrlab.study.trial import TaskSpec, TrialSpec, run_trial

TARGET = 0.95


def _machine(threads: int) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f}"
    return (f"{cpu}, {os.cpu_count()} logical CPUs{load}; Python {platform.python_version()}, "
            f"torch {torch.__version__}, {threads} torch thread(s), {platform.system()}")


def hand_loop(x: torch.Tensor, y: torch.Tensor, model_name: str, in_shape: tuple[int, int, int],
              lr: float, batch_size: int, seed: int) -> float:
    """One epoch of the minimal loop; returns training images per second."""
    torch.manual_seed(seed)
    model = build_model(model_name, in_shape, 10)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    gen = torch.Generator()
    gen.manual_seed(seed)
    n = len(y)
    model.train()
    perm = torch.randperm(n, generator=gen)
    t0 = time.perf_counter()
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        loss = F.cross_entropy(model(x.index_select(0, idx)), y.index_select(0, idx))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    loss.item()          # wait for the last step (a no-op on the CPU)
    return n / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="fashion-cnn")
    ap.add_argument("--dataset", default="fashion-mnist-mini")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--limit-train", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if the ratio < {TARGET}")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    data = load_dataset(args.dataset, limit_train=args.limit_train, limit_test=500)
    # the runner trains on the training images left after its validation split: give the
    # hand loop exactly those
    task = TaskSpec(args.dataset, args.model, lr=0.01, batch_size=args.batch_size, epochs=1,
                    val_fraction=0.1, limit_train=args.limit_train, limit_test=500,
                    device="cpu")
    n = len(data.train_y)
    perm = np.random.default_rng(0).permutation(n)
    keep = perm[round(0.1 * n):]
    x = torch.from_numpy(np.ascontiguousarray(data.train_x[keep]))
    y = torch.from_numpy(np.ascontiguousarray(data.train_y[keep]))
    spec = TrialSpec(task, "triangular2", "cyclic(0.001, 0.01, step_size_up=200, "
                     "mode='triangular2')", plateau={"patience": 5}, seed=0)

    hand_tp: list[float] = []
    runner_tp: list[float] = []
    lrs: list[float] = []
    steps = [0]
    hand_loop(x, y, args.model, data.in_shape, 0.01, args.batch_size, 0)     # warm-up

    def runner() -> float:
        with tempfile.TemporaryDirectory() as ck:
            res = run_trial(spec, data=data, checkpoint_dir=ck,
                            lr_log=lambda t, lr: lrs.append(lr),
                            on_step=lambda s, total: steps.__setitem__(0, s),
                            should_stop=lambda: False)
        lrs.clear()
        return res.records[0].samples_per_s

    for r in range(args.repeats):
        # ABBA order, so that neither side always runs first
        gc.collect()
        if r % 2 == 0:
            hand_tp.append(hand_loop(x, y, args.model, data.in_shape, 0.01, args.batch_size, r))
            gc.collect()
            runner_tp.append(runner())
        else:
            runner_tp.append(runner())
            gc.collect()
            hand_tp.append(hand_loop(x, y, args.model, data.in_shape, 0.01, args.batch_size, r))
    h, rn = statistics.median(hand_tp), statistics.median(runner_tp)
    ratio = rn / h
    out = {
        "machine": _machine(args.threads), "model": args.model, "dataset": args.dataset,
        "train_images": len(y), "batch_size": args.batch_size, "repeats": args.repeats,
        "hand_samples_per_s": hand_tp, "runner_samples_per_s": runner_tp,
        "hand_median": h, "runner_median": rn, "ratio": ratio, "target": TARGET,
    }
    print(f"machine: {out['machine']}")
    print(f"{args.model} on {args.dataset}: {len(y)} training images, batch {args.batch_size}, "
          f"{args.repeats} alternating runs of one epoch")
    print(f"  hand-written loop : median {h:10.1f} samples/s  "
          f"(min {min(hand_tp):.1f}, max {max(hand_tp):.1f})")
    print(f"  run_trial         : median {rn:10.1f} samples/s  "
          f"(min {min(runner_tp):.1f}, max {max(runner_tp):.1f})")
    print(f"  ratio runner/hand : {ratio:.3f}  (target >= {TARGET})")
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2))
    return 1 if args.check and ratio < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
