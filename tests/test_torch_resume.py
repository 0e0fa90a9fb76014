"""Exact resume with lrlab.torch.Scheduler, for every schedule in tests/cases and for plateau.

For each case a small model is trained in one process, which records the LR (and momentum)
of every update and checkpoints model + optimizer + scheduler (``torch.save``) at a random
update; a *fresh* process rebuilds everything from scratch, loads the checkpoint and
continues.  The LR / momentum sequences and the final weights must equal the uninterrupted
run's bit for bit.  Runs start at a random offset near one of the schedule's phase changes, so
warmup ends, milestones, restarts and horizons are crossed.

All cases run in two subprocesses (one per half), so the file stays well under a minute.
Run as a script (``python tests/test_torch_resume.py full|resume DIR``) it is the worker.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

UPDATES = 24


def _jobs() -> list[dict[str, Any]]:
    import numpy as np

    import lrlab
    from tests.cases import all_cases

    rng = random.Random(20260121)
    jobs: list[dict[str, Any]] = []

    def add(spec: str, **kw: Any) -> None:
        s = lrlab.parse(spec)
        marks = [0.0, *(p for p in s.phases() if p < 1e6)]
        if s.horizon is not None and s.horizon < 1e6:
            marks.append(s.horizon)
        start = max(0, int(rng.choice(marks)) - rng.randrange(0, UPDATES))
        try:  # only steps where the schedule is defined (growing ones overflow far out)
            np.asarray(s(np.arange(start, start + UPDATES + 1)))
        except lrlab.ScheduleError:
            start = 0
        k = len(jobs)
        jobs.append({
            "id": k, "spec": spec, "start": start, "cut": rng.randrange(1, UPDATES),
            "opt": ("SGD", "Adam")[k % 2], "groups": 1 + (k % 3 == 0), "tensor": k % 5 == 0,
            "load_order": ("optimizer_first", "scheduler_first")[k % 2 if k % 4 < 2 else 0],
            "momentum": None, "plateau": None, "mult": [0.1, 1.0] if k % 3 == 0 else None,
            **kw,
        })

    for spec in all_cases():
        add(spec)
    mom = repr(lrlab.OneCycle.momentum(40))
    for spec in ["one_cycle(0.1, total_steps=40)", "torch.OneCycleLR(max_lr=0.1, total_steps=40,"
                 " three_phase=True)"]:
        add(spec, momentum=mom, opt="SGD")
        add(spec, momentum=mom, opt="Adam", tensor=True)
    warm_cos = "warmup(cosine(0.05, steps=200, alpha=0.01), steps=10, start=0.0)"
    for rule in ("lrlab", "torch", "keras"):
        for window in (1, 3):
            add(warm_cos, plateau={"rule": rule, "patience": 1, "factor": 0.5,
                                   "threshold": 0.05,
                                   "window": window, "cooldown": 1, "min_lr": 1e-4})
    add("constant(0.05)", plateau={"patience": 1, "factor": 0.7, "threshold": 0.2})
    return jobs


# -- the worker (runs in a fresh process) ------------------------------------------------------

def _build(job: dict[str, Any]) -> tuple[Any, Any, Any]:
    import torch

    from lrlab.plateau import ReduceLROnPlateau
    from lrlab.torch import Scheduler

    torch.manual_seed(job["id"])
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    params: Any = model.parameters()
    if job["groups"] == 2:
        params = [{"params": model[0].parameters()}, {"params": model[2].parameters()}]
    if job["opt"] == "SGD":
        opt: Any = torch.optim.SGD(params, lr=1.0, momentum=0.9)
    else:
        opt = torch.optim.Adam(params, lr=1.0, betas=(0.9, 0.99))
    plateau = ReduceLROnPlateau(**job["plateau"]) if job["plateau"] else None
    mult = job["mult"] if job["groups"] == 2 else None
    sched = Scheduler(opt, job["spec"], momentum=job["momentum"], plateau=plateau,
                      start=job["start"], tensor_lr=job["tensor"], multipliers=mult)
    return model, opt, sched


def _train(job: dict[str, Any], model: Any, opt: Any, sched: Any, begin: int,
           ckpt: Path | None) -> dict[str, Any]:
    import torch

    g = torch.Generator().manual_seed(7)
    x = torch.randn(64, 4, generator=g)
    y = torch.sin(x.sum(dim=1, keepdim=True))
    seq = []
    for k in range(begin, UPDATES):
        if ckpt is not None and k == job["cut"]:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict()}, ckpt)
        row = []
        for grp in opt.param_groups:
            row.append(float(grp["lr"]))
            if job["momentum"]:
                row.append(float(grp["momentum"] if "momentum" in grp else grp["betas"][0]))
        seq.append(row)
        lo = (k * 8) % 64
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x[lo:lo + 8]), y[lo:lo + 8]).backward()
        opt.step()
        sched.step()
        if job["plateau"] and (k + 1) % 3 == 0:
            with torch.no_grad():
                sched.step(torch.nn.functional.mse_loss(model(x), y))
    return {"seq": seq, "weights": [p.detach().flatten().tolist() for p in model.parameters()],
            "count": sched.count}


def _worker(phase: str, folder: Path) -> None:
    import torch

    torch.set_num_threads(1)
    jobs = json.loads((folder / "jobs.json").read_text())
    out = {}
    for job in jobs:
        model, opt, sched = _build(job)
        if phase == "full":
            res = _train(job, model, opt, sched, 0, folder / f"{job['id']}.pt")
        else:
            state = torch.load(folder / f"{job['id']}.pt", weights_only=True)
            model.load_state_dict(state["model"])
            if job["load_order"] == "optimizer_first":
                opt.load_state_dict(state["opt"])
                sched.load_state_dict(state["sched"])
            else:
                sched.load_state_dict(state["sched"])
                opt.load_state_dict(state["opt"])
            res = _train(job, model, opt, sched, job["cut"], None)
        out[str(job["id"])] = res
    (folder / f"{phase}.json").write_text(json.dumps(out))


if __name__ == "__main__":
    _worker(sys.argv[1], Path(sys.argv[2]))


# -- the test ----------------------------------------------------------------------------------

def test_resume_in_a_fresh_process_is_bit_for_bit(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("torch")
    jobs = _jobs()
    assert len(jobs) > 300
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    root = Path(__file__).resolve().parents[1]
    for phase in ("full", "resume"):
        proc = subprocess.run([sys.executable, __file__, phase, str(tmp_path)], cwd=root,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    full = json.loads((tmp_path / "full.json").read_text())
    resumed = json.loads((tmp_path / "resume.json").read_text())
    moved = 0
    for job in jobs:
        a, b = full[str(job["id"])], resumed[str(job["id"])]
        cut = job["cut"]
        where = f"{job['spec']} (start={job['start']}, checkpoint after {cut} updates)"
        assert len(b["seq"]) == UPDATES - cut, where
        assert a["seq"][cut:] == b["seq"], where
        assert a["weights"] == b["weights"], where
        assert a["count"] == b["count"] == job["start"] + UPDATES, where
        moved += len({tuple(r) for r in a["seq"]}) > 1
    assert moved > len(jobs) // 2  # most runs do see the LR change


def test_plateau_jobs_reduce() -> None:
    """The plateau cases above must actually reduce, or they would prove nothing."""
    import pytest

    pytest.importorskip("torch")
    jobs = [j for j in _jobs() if j["plateau"]]
    reduced = 0
    for job in jobs:
        model, opt, sched = _build(job)
        _train(job, model, opt, sched, 0, None)
        reduced += sched.plateau.num_reductions > 0
    assert reduced == len(jobs)
