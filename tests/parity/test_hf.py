"""Parity of lrlab.compat.hf with transformers' get_scheduler on a real torch optimizer.

The reference value at step t is ``optimizer.param_groups[0]["lr"]`` after t calls of
``scheduler.step()`` (every step from 0 to past the horizon), and, for far steps that would
take too long to step to, ``base_lr * scheduler.lr_lambdas[0](t)``: the formula LambdaLR's
``get_lr`` applies.  Hugging Face computes in Python floats (float64), so the tolerance is F64.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import lrlab  # noqa: E402
from lrlab.compat import hf  # noqa: E402
from tests.parity._compare import F64, assert_parity  # noqa: E402

pytestmark = pytest.mark.parity

_FAR = (10**4, 10**5, 10**6, 10**9)


def _hf(name: str, lr: float, w: Any, n: Any, kw: Any, steps: int) -> tuple[np.ndarray, Any]:
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scheduler.step() before optimizer.step(); wsd's note
        sched = transformers.get_scheduler(
            name, opt, num_warmup_steps=w, num_training_steps=n, scheduler_specific_kwargs=kw
        )
        out = [opt.param_groups[0]["lr"]]
        for _ in range(steps - 1):
            sched.step()
            out.append(opt.param_groups[0]["lr"])
    return np.array(out, dtype=np.float64), sched


def _horizon(s: lrlab.Schedule) -> float:
    return s.horizon or 0.0


CASES: list[tuple[str, float, Any, Any, Any]] = [
    ("linear", 0.01, 100, 1000, None),
    ("linear", 0.01, 0, 500, None),
    ("linear", 0.01, 100, 50, None),
    ("linear", 0.01, 100, 100, None),
    ("cosine", 0.01, 100, 1000, None),
    ("cosine", 0.01, 0, 1000, {"num_cycles": 2.5}),
    ("cosine", 0.01, 30, 700, {"num_cycles": 1}),
    ("cosine", 0.01, 10, 5, None),
    ("cosine_with_restarts", 0.01, 50, 1000, {"num_cycles": 3}),
    ("cosine_with_restarts", 0.01, 0, 500, None),
    ("cosine_with_restarts", 0.01, 0, 100, {"num_cycles": 0}),
    ("cosine_with_restarts", 0.01, 10, 300, {"num_cycles": 2.5}),
    ("polynomial", 0.01, 100, 1000, None),
    ("polynomial", 0.01, 100, 1000, {"lr_end": 1e-4, "power": 0.5}),
    ("polynomial", 0.01, 0, 700, {"lr_end": 0.0, "power": 2.0}),
    ("polynomial", 0.01, 100, 50, {"power": 3.0}),
    ("polynomial", 0.01, 10, 200, {"power": 0.0}),
    ("constant", 0.01, None, None, None),
    ("constant_with_warmup", 0.01, 100, None, None),
    ("constant_with_warmup", 0.01, 0, None, None),
    ("constant_with_warmup", 0.01, 1, 1000, {"ignored": True}),
    ("inverse_sqrt", 0.01, 100, None, None),
    ("inverse_sqrt", 0.01, 0, None, None),
    ("inverse_sqrt", 0.01, 200, 1000, {"timescale": 50}),
    ("inverse_sqrt", 0.01, 10, None, {"timescale": 1000}),
    ("cosine_with_min_lr", 0.01, 100, 1000, {"min_lr_rate": 0.1}),
    ("cosine_with_min_lr", 0.01, 100, 1000, {"min_lr": 1e-4, "num_cycles": 1}),
    ("cosine_with_min_lr", 0.003, 0, 300, {"min_lr": 3e-4}),
    ("cosine_warmup_with_min_lr", 0.01, 100, 1000, {"min_lr_rate": 0.1}),
    ("cosine_warmup_with_min_lr", 0.01, 100, 1000, {"min_lr": 1e-3, "warmup_lr_rate": 0.1}),
    ("cosine_warmup_with_min_lr", 0.01, 0, 400, {"min_lr_rate": 0.0}),
    ("cosine_warmup_with_min_lr", 0.01, 1, 10, {"min_lr_rate": 0.0, "warmup_lr_rate": 0.5}),
    ("cosine_warmup_with_min_lr", 0.01, 37, 500, {"min_lr_rate": 0.05, "num_cycles": 1.5}),
    ("warmup_stable_decay", 0.01, 100, 1000, {"num_decay_steps": 200}),
    ("warmup_stable_decay", 0.01, 100, None,
     {"num_decay_steps": 200, "num_stable_steps": 300, "warmup_type": "cosine",
      "decay_type": "1-sqrt", "min_lr_ratio": 0.1}),
    ("warmup_stable_decay", 0.01, 50, 100,
     {"num_decay_steps": 100, "warmup_type": "1-sqrt", "decay_type": "linear"}),
    ("warmup_stable_decay", 0.01, 0, 500,
     {"num_decay_steps": 250, "decay_type": "cosine", "num_cycles": 1.0, "min_lr_ratio": 0.2}),
    ("warmup_stable_decay", 0.01, 10, None, {"num_decay_steps": 0, "num_stable_steps": 20}),
]


def _ours(name: str, lr: float, w: Any, n: Any, kw: Any) -> lrlab.Schedule:
    # (constant_with_warmup ignores scheduler_specific_kwargs in both)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lrlab.LrlabWarning)
        return hf.get_scheduler(name, lr=lr, num_warmup_steps=w, num_training_steps=n,
                                scheduler_specific_kwargs=kw)


@pytest.mark.parametrize(("name", "lr", "w", "n", "kw"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_parity(name: str, lr: float, w: Any, n: Any, kw: Any) -> None:
    ours = _ours(name, lr, w, n, kw)
    steps = int(max(2.5 * _horizon(ours), 300)) + 5
    ref, sched = _hf(name, lr, w, n, kw, steps)
    t = np.arange(steps)
    what = f"hf.get_scheduler({name!r}, lr={lr}, {w}, {n}, {kw})"
    assert_parity(ours(t), ref, F64, what)
    # the scalar path too, at every tenth step
    assert_parity(np.array([ours(int(x)) for x in t[::10]]), ref[::10], F64, what + " scalar")
    far = np.array(_FAR)
    base = sched.base_lrs[0]
    far_ref = np.array([base * sched.lr_lambdas[0](int(x)) for x in far], dtype=np.float64)
    assert_parity(ours(far), far_ref, F64, what + " far steps")


def test_scheduler_types_match_transformers() -> None:
    from transformers.trainer_utils import SchedulerType

    assert tuple(s.value for s in SchedulerType) == hf.SCHEDULER_TYPES


def test_every_pure_scheduler_type_is_covered() -> None:
    covered = {c[0] for c in CASES}
    assert covered == set(hf.SCHEDULER_TYPES) - {"reduce_lr_on_plateau", "greedy"}


def test_get_functions_match_transformers_names() -> None:
    # lrlab registers each get_* function under Hugging Face's own name
    import transformers.optimization as opt

    for fn in opt.TYPE_TO_SCHEDULER_FUNCTION.values():
        assert f"hf.{fn.__name__}" in lrlab.names(), fn.__name__


def test_individual_constructors_match_hf_functions() -> None:
    import transformers.optimization as opt

    lr, n = 0.02, 400
    pairs = [
        (hf.LinearScheduleWithWarmup(lr, 40, n), opt.get_linear_schedule_with_warmup, (40, n)),
        (hf.CosineScheduleWithWarmup(lr, 40, n, 0.75),
         opt.get_cosine_schedule_with_warmup, (40, n, 0.75)),
        (hf.PolynomialDecayScheduleWithWarmup(lr, 40, n, 1e-3, 2.0),
         opt.get_polynomial_decay_schedule_with_warmup, (40, n, 1e-3, 2.0)),
        (hf.get_constant_schedule_with_warmup(lr, 40),
         opt.get_constant_schedule_with_warmup, (40,)),
        (hf.get_constant_schedule(lr), opt.get_constant_schedule, ()),
    ]
    for ours, fn, args in pairs:
        param = torch.nn.Parameter(torch.zeros(1))
        o = torch.optim.SGD([param], lr=lr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = fn(o, *args)
            ref = [o.param_groups[0]["lr"]]
            for _ in range(2 * n):
                sched.step()
                ref.append(o.param_groups[0]["lr"])
        assert_parity(ours(np.arange(2 * n + 1)), np.array(ref), F64, fn.__name__)


def test_wsd_both_lengths_uses_stable_steps_like_hf() -> None:
    kw = {"num_decay_steps": 100, "num_stable_steps": 50}
    with pytest.warns(lrlab.LrlabWarning, match="num_stable_steps is used"):
        ours = hf.get_scheduler("warmup_stable_decay", lr=0.01, num_warmup_steps=10,
                                num_training_steps=1000, scheduler_specific_kwargs=kw)
    ref, _ = _hf("warmup_stable_decay", 0.01, 10, 1000, kw, 400)
    assert_parity(ours(np.arange(400)), ref, F64, "wsd with both lengths")


def test_constant_ignores_warmup_like_hf() -> None:
    with pytest.warns(lrlab.LrlabWarning, match="ignores num_warmup_steps"):
        ours = hf.get_scheduler("constant", lr=0.01, num_warmup_steps=100)
    ref, _ = _hf("constant", 0.01, 100, None, None, 300)
    assert_parity(ours(np.arange(300)), ref, F64, "constant with warmup ignored")
    assert ref[0] == 0.01


def test_signatures_match_hf() -> None:
    # optimizer -> lr (same position), last_epoch dropped; otherwise names, order, defaults
    import dataclasses
    import inspect

    import transformers.optimization as opt

    def hf_params(fn: Any) -> list[tuple[str, Any]]:
        ps = inspect.signature(fn).parameters.values()
        return [("lr" if p.name == "optimizer" else p.name, p.default) for p in ps
                if p.name != "last_epoch"]

    def ours(obj: Any) -> list[tuple[str, Any]]:
        if isinstance(obj, type):
            return [(f.name, f.default) for f in dataclasses.fields(obj) if f.init]
        return [(p.name, p.default) for p in inspect.signature(obj).parameters.values()]

    for fn in opt.TYPE_TO_SCHEDULER_FUNCTION.values():
        if fn.__name__ in ("get_reduce_on_plateau_schedule", "get_greedy_schedule"):
            continue
        mine = lrlab.registry.lookup(f"hf.{fn.__name__}")
        theirs = hf_params(fn)
        got = ours(mine)
        assert [n for n, _ in got] == [n for n, _ in theirs], fn.__name__
        for (n, d1), (_, d2) in zip(got, theirs):
            if d2 is not inspect.Parameter.empty:
                assert d1 == d2, (fn.__name__, n)
    assert [n for n, _ in ours(hf.get_scheduler)] == [n for n, _ in hf_params(opt.get_scheduler)]
