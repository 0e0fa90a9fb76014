"""Distributed plateau: two ranks (gloo, loopback-free file:// rendezvous) see different metrics;
lrlab.torch.Scheduler averages them across ranks so both take the same decisions, equal to a
controller fed the mean.  Fed alone, the ranks would have decided differently."""

from __future__ import annotations

import json
import math
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
if not dist.is_available():  # pragma: no cover
    pytest.skip("torch.distributed is not available", allow_module_level=True)

from lrlab.plateau import ReduceLROnPlateau  # noqa: E402

SCHEDULE = "warmup(cosine(0.1, steps=200), steps=5, start=0.01)"
PLATEAU = {"patience": 2, "factor": 0.5, "cooldown": 1, "window": 2}
EPOCHS = 16
UPDATES_PER_EPOCH = 3
NAN_EPOCH = 9  # rank 1 reports NaN here: the mean is NaN, a bad epoch on both ranks


def rank_metric(rank: int, epoch: int) -> float:
    """Rank 0's metric keeps improving; rank 1's stalls and then worsens."""
    if rank == 1 and epoch == NAN_EPOCH:
        return math.nan
    if rank == 0:
        return 1.0 / (1 + epoch)
    return 1.0 if epoch < 3 else 1.0 + 0.3 * (epoch - 3)


def _worker(rank: int, world: int, folder: str) -> None:
    from lrlab.torch import Scheduler

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{folder}/rendezvous", rank=rank,
                            world_size=world)
    try:
        torch.manual_seed(0)  # same initial weights on both ranks
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        sched = Scheduler(opt, SCHEDULE, plateau=ReduceLROnPlateau(**PLATEAU))
        alone = ReduceLROnPlateau(**PLATEAU)  # what this rank would decide by itself
        g = torch.Generator().manual_seed(rank)
        out: dict[str, Any] = {"lr": [], "multiplier": [], "alone": [], "warnings": 0}
        caught: list[Any] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in range(EPOCHS):
                for _ in range(UPDATES_PER_EPOCH):
                    opt.zero_grad()
                    model(torch.randn(4, 3, generator=g)).pow(2).mean().backward()
                    for p in model.parameters():  # data-parallel: average the gradients
                        assert p.grad is not None
                        dist.all_reduce(p.grad)
                        p.grad /= world
                    opt.step()
                    sched.step()
                    out["lr"].append(opt.param_groups[0]["lr"])
                metric = torch.tensor(rank_metric(rank, epoch))
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    sched.step(metric)
                caught += seen
                alone.update(metric)
                out["multiplier"].append(sched.plateau.multiplier)
                out["alone"].append(alone.multiplier)
        out["warnings"] = sum("not finite" in str(w.message) for w in caught)
        out["weights"] = [p.detach().flatten().tolist() for p in model.parameters()]
        out["count"] = sched.count
        Path(folder, f"rank{rank}.json").write_text(json.dumps(out))
    finally:
        dist.destroy_process_group()


def test_ranks_take_the_same_plateau_decisions(tmp_path: Path) -> None:
    mp = pytest.importorskip("torch.multiprocessing")
    ctx = mp.spawn(_worker, args=(2, str(tmp_path)), nprocs=2, join=False)
    deadline = time.monotonic() + 120
    while not ctx.join(timeout=5):
        assert time.monotonic() < deadline, "the distributed workers did not finish"
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))

    # every rank: the same multipliers, the same LRs, the same weights, bit for bit
    assert r0["multiplier"] == r1["multiplier"]
    assert r0["lr"] == r1["lr"]
    assert r0["weights"] == r1["weights"]
    assert r0["count"] == r1["count"] == EPOCHS * UPDATES_PER_EPOCH

    # ... equal to one controller fed the mean metric
    ref = ReduceLROnPlateau(**PLATEAU)
    expected = []
    for epoch in range(EPOCHS):
        # the ranks send float32 tensors; the sum is taken in float64
        mean = sum(float(torch.tensor(rank_metric(r, epoch))) for r in (0, 1)) / 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected.append(ref.update(mean))
    assert r0["multiplier"] == expected
    assert ref.num_reductions >= 2

    # the NaN on rank 1 made the mean NaN: a warned bad epoch on both ranks
    assert r0["warnings"] == r1["warnings"] == 1

    # control: fed only their own metric, the ranks would have disagreed
    assert r0["alone"] != r1["alone"]
    assert r0["alone"][-1] == 1.0 and r1["alone"][-1] < 1.0
