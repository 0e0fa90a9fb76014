"""Parity of lrlab.compat.torch with the real torch.optim.lr_scheduler (torch 2.13).

The reference value at step t is ``optimizer.param_groups[0]["lr"]`` after ``t`` calls of
``scheduler.step()`` (one ``optimizer.step()`` before each, as in training), for an SGD
optimizer built with ``lr=lr`` (``momentum=0.9`` so that the momentum-cycling schedulers
accept it).  Every case runs thousands of steps: step 0, every milestone, ``T_max`` and well
past it.  Tolerance: ``F64`` (1e-12 relative, with the 1e-9 * peak floor of ``_compare``).
Torch's ``step()`` uses recursive "chainable" updates, whose float values drift from the
closed form by rounding; the worst drift measured over these cases is 7.7e-13 (LinearLR
decaying to 0 from ``start_factor=0.001`` over 5000 steps: each step's rounding adds up near
the zero end value, about N * 5e-17); everything else stays below 2e-14.  CosineAnnealingLR
past T_max replays torch's recursion (bit for bit; the textbook formula would be off by up to
1e-10, see docs/compat-torch.md and the ``cosine-eta`` cases).  Torch values that are
negative (LinearLR's end residue) are checked to be that case and skipped in the random
search; the other known torch-only behaviours have their own tests at the end.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import lrlab
from lrlab.compat import torch as lt
from tests.parity._compare import F64, assert_parity

torch = pytest.importorskip("torch")
L = torch.optim.lr_scheduler


def torch_lrs(make: Callable[[Any], Any], lr: float, n: int) -> np.ndarray:
    """The LR torch's optimizer holds after 0 .. n calls of ``scheduler.step()``."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    with warnings.catch_warnings():
        # torch warns about the epoch argument that SequentialLR passes internally, about
        # step order, etc.; none of that changes the values.
        warnings.simplefilter("ignore")
        sched = make(opt)
        out = [opt.param_groups[0]["lr"]]
        for _ in range(n):
            opt.step()
            sched.step()
            out.append(opt.param_groups[0]["lr"])
    return np.asarray(out, dtype=np.float64)


def _f(e: int) -> float:
    return 0.5 + 0.5 * math.cos(e / 50.0) ** 2


def _m(e: int) -> float:
    return 0.9995 if e % 7 else 1.002


_LAMBDA = lrlab.parse("torch.LambdaLR(0.1, lr_lambda=cyclic(0.1, 1.0, step_size_up=100))")

# (id, lrlab schedule (spec text or object), torch constructor on the optimizer, lr, steps)
CASES: list[tuple[str, Any, Callable[[Any], Any], float, int]] = [
    ("step", "torch.StepLR(0.1, step_size=30)", lambda o: L.StepLR(o, 30), 0.1, 3000),
    ("step-1", "torch.StepLR(0.1, step_size=1, gamma=0.999)",
     lambda o: L.StepLR(o, 1, 0.999), 0.1, 5000),
    ("step-grow", "torch.StepLR(0.01, step_size=100, gamma=1.01)",
     lambda o: L.StepLR(o, 100, 1.01), 0.01, 3000),
    ("multistep", "torch.MultiStepLR(0.1, milestones=[30, 80])",
     lambda o: L.MultiStepLR(o, [30, 80]), 0.1, 2000),
    ("multistep-unsorted", "torch.MultiStepLR(0.1, milestones=[800, 30, 30, 0], gamma=0.5)",
     lambda o: L.MultiStepLR(o, [800, 30, 30, 0], 0.5), 0.1, 2000),
    ("constant", "torch.ConstantLR(0.1)", lambda o: L.ConstantLR(o), 0.1, 2000),
    ("constant-n0", "torch.ConstantLR(0.1, factor=0.25, total_iters=0)",
     lambda o: L.ConstantLR(o, 0.25, 0), 0.1, 100),
    ("constant-long", "torch.ConstantLR(0.3, factor=0.1, total_iters=1000)",
     lambda o: L.ConstantLR(o, 0.1, 1000), 0.3, 2000),
    ("constant-1", "torch.ConstantLR(0.3, factor=1.0, total_iters=3)",
     lambda o: L.ConstantLR(o, 1.0, 3), 0.3, 100),
    ("linear", "torch.LinearLR(0.1)", lambda o: L.LinearLR(o), 0.1, 1000),
    ("linear-warmup", "torch.LinearLR(0.1, start_factor=0.01, total_iters=1000)",
     lambda o: L.LinearLR(o, 0.01, 1.0, 1000), 0.1, 3000),
    ("linear-to-zero", "torch.LinearLR(0.1, start_factor=1.0, end_factor=0.0, total_iters=3000)",
     lambda o: L.LinearLR(o, 1.0, 0.0, 3000), 0.1, 4000),
    ("linear-down", "torch.LinearLR(0.1, start_factor=0.5, end_factor=0.1, total_iters=4000)",
     lambda o: L.LinearLR(o, 0.5, 0.1, 4000), 0.1, 5000),
    ("linear-n0", "torch.LinearLR(0.1, start_factor=0.5, total_iters=0)",
     lambda o: L.LinearLR(o, 0.5, 1.0, 0), 0.1, 100),
    ("exponential", "torch.ExponentialLR(0.1, gamma=0.999)",
     lambda o: L.ExponentialLR(o, 0.999), 0.1, 5000),
    ("exponential-fast", "torch.ExponentialLR(1.0, gamma=0.5)",
     lambda o: L.ExponentialLR(o, 0.5), 1.0, 3000),
    ("exponential-grow", "torch.ExponentialLR(1e-4, gamma=1.001)",
     lambda o: L.ExponentialLR(o, 1.001), 1e-4, 3000),
    ("polynomial", "torch.PolynomialLR(0.1)", lambda o: L.PolynomialLR(o), 0.1, 100),
    ("polynomial-2", "torch.PolynomialLR(0.1, total_iters=3000, power=2.0)",
     lambda o: L.PolynomialLR(o, 3000, 2.0), 0.1, 4000),
    ("polynomial-sqrt", "torch.PolynomialLR(0.1, total_iters=4000, power=0.5)",
     lambda o: L.PolynomialLR(o, 4000, 0.5), 0.1, 5000),
    ("polynomial-n0", "torch.PolynomialLR(0.1, total_iters=0)",
     lambda o: L.PolynomialLR(o, 0), 0.1, 100),
    ("polynomial-p0", "torch.PolynomialLR(0.1, total_iters=10, power=0)",
     lambda o: L.PolynomialLR(o, 10, 0.0), 0.1, 100),
    ("cosine-1", "torch.CosineAnnealingLR(0.1, T_max=1)",
     lambda o: L.CosineAnnealingLR(o, 1), 0.1, 200),
    ("cosine-2", "torch.CosineAnnealingLR(0.1, T_max=2, eta_min=0.01)",
     lambda o: L.CosineAnnealingLR(o, 2, 0.01), 0.1, 200),
    ("cosine-10", "torch.CosineAnnealingLR(0.1, T_max=10)",
     lambda o: L.CosineAnnealingLR(o, 10), 0.1, 5000),
    ("cosine-37", "torch.CosineAnnealingLR(0.1, T_max=37, eta_min=0.01)",
     lambda o: L.CosineAnnealingLR(o, 37, 0.01), 0.1, 5000),
    ("cosine-100", "torch.CosineAnnealingLR(0.1, T_max=100)",
     lambda o: L.CosineAnnealingLR(o, 100), 0.1, 5000),
    ("cosine-1000", "torch.CosineAnnealingLR(0.1, T_max=1000, eta_min=0.001)",
     lambda o: L.CosineAnnealingLR(o, 1000, 0.001), 0.1, 5000),
    ("cosine-3000", "torch.CosineAnnealingLR(0.1, T_max=3000)",
     lambda o: L.CosineAnnealingLR(o, 3000), 0.1, 7000),
    ("sgdr", "torch.CosineAnnealingWarmRestarts(0.1, T_0=10)",
     lambda o: L.CosineAnnealingWarmRestarts(o, 10), 0.1, 3000),
    ("sgdr-2", "torch.CosineAnnealingWarmRestarts(0.1, T_0=10, T_mult=2, eta_min=0.001)",
     lambda o: L.CosineAnnealingWarmRestarts(o, 10, 2, 0.001), 0.1, 5000),
    ("sgdr-3", "torch.CosineAnnealingWarmRestarts(0.1, T_0=7, T_mult=3)",
     lambda o: L.CosineAnnealingWarmRestarts(o, 7, 3), 0.1, 5000),
    ("sgdr-1", "torch.CosineAnnealingWarmRestarts(0.1, T_0=1, T_mult=2)",
     lambda o: L.CosineAnnealingWarmRestarts(o, 1, 2), 0.1, 3000),
    ("cyclic", "torch.CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=200)",
     lambda o: L.CyclicLR(o, 0.001, 0.1, 200), 0.5, 3000),
    ("cyclic-2", "torch.CyclicLR(0.001, 0.1, step_size_up=150, step_size_down=350,"
     " mode='triangular2', gamma=0.5)",
     lambda o: L.CyclicLR(o, 0.001, 0.1, 150, 350, "triangular2", 0.5), 0.5, 3000),
    ("cyclic-exp", "torch.CyclicLR(0.001, 0.1, step_size_up=100, mode='exp_range',"
     " gamma=0.9995)",
     lambda o: L.CyclicLR(o, 0.001, 0.1, 100, mode="exp_range", gamma=0.9995), 0.5, 3000),
    ("cyclic-frac", "torch.CyclicLR(0.01, 0.1, step_size_up=12.5, step_size_down=7.25)",
     lambda o: L.CyclicLR(o, 0.01, 0.1, 12.5, 7.25), 0.5, 3000),
    ("cyclic-scale-iter", lt.CyclicLR(0.001, 0.1, 100, scale_fn=lambda x: 1 / (1 + x / 1000),
                                      scale_mode="iterations"),
     lambda o: L.CyclicLR(o, 0.001, 0.1, 100, scale_fn=lambda x: 1 / (1 + x / 1000),
                          scale_mode="iterations"), 0.5, 3000),
    ("cyclic-scale-schedule",
     "torch.CyclicLR(0.001, 0.1, step_size_up=100, scale_fn=exponential(1.0, 0.5, 1))",
     lambda o: L.CyclicLR(o, 0.001, 0.1, 100, scale_fn=lambda c: 0.5**c), 0.5, 3000),
    ("onecycle", "torch.OneCycleLR(lr=0.01, max_lr=0.1, total_steps=3000)",
     lambda o: L.OneCycleLR(o, 0.1, 3000), 0.01, 2999),
    ("onecycle-linear", "torch.OneCycleLR(max_lr=1.0, epochs=30, steps_per_epoch=100,"
     " anneal_strategy='linear', pct_start=0.25)",
     lambda o: L.OneCycleLR(o, 1.0, epochs=30, steps_per_epoch=100, anneal_strategy="linear",
                            pct_start=0.25), 0.01, 2999),
    ("onecycle-3", "torch.OneCycleLR(max_lr=0.1, total_steps=2000, three_phase=True,"
     " div_factor=10.0, final_div_factor=100.0)",
     lambda o: L.OneCycleLR(o, 0.1, 2000, three_phase=True, div_factor=10.0,
                            final_div_factor=100.0), 0.01, 1999),
    ("onecycle-small", "torch.OneCycleLR(max_lr=0.1, total_steps=7, pct_start=0.5)",
     lambda o: L.OneCycleLR(o, 0.1, 7, pct_start=0.5), 0.01, 6),
    ("linear-to-zero-small-start",
     "torch.LinearLR(0.1, start_factor=0.001, end_factor=0.0, total_iters=5000)",
     lambda o: L.LinearLR(o, 0.001, 0.0, 5000), 0.1, 6000),
    ("cosine-5000", "torch.CosineAnnealingLR(0.1, T_max=5000, eta_min=1e-4)",
     lambda o: L.CosineAnnealingLR(o, 5000, 1e-4), 0.1, 16000),
    ("cosine-eta-large", "torch.CosineAnnealingLR(0.1, T_max=2000, eta_min=0.09)",
     lambda o: L.CosineAnnealingLR(o, 2000, 0.09), 0.1, 6000),
    ("cosine-inverted", "torch.CosineAnnealingLR(0.01, T_max=50, eta_min=0.1)",
     lambda o: L.CosineAnnealingLR(o, 50, 0.1), 0.01, 5000),
    ("lambda-schedule", _LAMBDA,
     lambda o: L.LambdaLR(o, lambda e: _LAMBDA.lr_lambda(e)), 0.1, 3000),
    ("lambda-callable", lt.LambdaLR(0.1, _f), lambda o: L.LambdaLR(o, _f), 0.1, 3000),
    ("multiplicative", lt.MultiplicativeLR(0.1, _m),
     lambda o: L.MultiplicativeLR(o, _m), 0.1, 3000),
]


def _seq(o: Any, *members: Any, milestones: list[int]) -> Any:
    return L.SequentialLR(o, [m(o) for m in members], milestones)


def _chain(o: Any, *members: Any) -> Any:
    return L.ChainedScheduler([m(o) for m in members])


COMPOSITES: list[tuple[str, Any, Callable[[Any], Any], float, int]] = [
    ("seq-warmup-cosine",
     "torch.SequentialLR(schedulers=[torch.LinearLR(0.1, start_factor=0.01, total_iters=500),"
     " torch.CosineAnnealingLR(0.1, T_max=1000)], milestones=[500])",
     lambda o: _seq(o, lambda o: L.LinearLR(o, 0.01, 1.0, 500),
                    lambda o: L.CosineAnnealingLR(o, 1000), milestones=[500]), 0.1, 4000),
    ("seq-three",
     "torch.SequentialLR(schedulers=[torch.ConstantLR(0.1, factor=0.1, total_iters=50),"
     " torch.ExponentialLR(0.1, gamma=0.999), torch.MultiStepLR(0.1, milestones=[0, 100, 900])],"
     " milestones=[10, 1000])",
     lambda o: _seq(o, lambda o: L.ConstantLR(o, 0.1, 50), lambda o: L.ExponentialLR(o, 0.999),
                    lambda o: L.MultiStepLR(o, [0, 100, 900]), milestones=[10, 1000]),
     0.1, 3000),
    ("seq-milestone-0",
     "torch.SequentialLR(schedulers=[torch.ExponentialLR(0.1, gamma=0.5),"
     " torch.StepLR(0.1, step_size=10), torch.LinearLR(0.1, end_factor=0.5)],"
     " milestones=[0, 100])",
     lambda o: _seq(o, lambda o: L.ExponentialLR(o, 0.5), lambda o: L.StepLR(o, 10),
                    lambda o: L.LinearLR(o, end_factor=0.5), milestones=[0, 100]), 0.1, 1000),
    ("seq-constant-n0",
     "torch.SequentialLR(schedulers=[torch.LinearLR(0.3), torch.ConstantLR(0.3, factor=0.3,"
     " total_iters=0), torch.PolynomialLR(0.3, total_iters=100, power=2.0)],"
     " milestones=[20, 40])",
     lambda o: _seq(o, lambda o: L.LinearLR(o), lambda o: L.ConstantLR(o, 0.3, 0),
                    lambda o: L.PolynomialLR(o, 100, 2.0), milestones=[20, 40]), 0.3, 1000),
    ("seq-lambda-sgdr",
     "torch.SequentialLR(schedulers=[torch.LambdaLR(0.1, lr_lambda=linear(0.0, 1.0, 100)),"
     " torch.CosineAnnealingWarmRestarts(0.1, T_0=50, T_mult=2)], milestones=[100])",
     lambda o: _seq(o, lambda o: L.LambdaLR(o, lambda e: min(e, 100) / 100),
                    lambda o: L.CosineAnnealingWarmRestarts(o, 50, 2), milestones=[100]),
     0.1, 3000),
    ("seq-cyclic-first",
     "torch.SequentialLR(schedulers=[torch.CyclicLR(0.01, 0.1, step_size_up=50),"
     " torch.CosineAnnealingLR(0.01, T_max=300, eta_min=0.001)], milestones=[400])",
     lambda o: _seq(o, lambda o: L.CyclicLR(o, 0.01, 0.1, 50),
                    lambda o: L.CosineAnnealingLR(o, 300, 0.001), milestones=[400]), 0.5, 2000),
    ("seq-cyclic-later",
     "torch.SequentialLR(schedulers=[torch.LinearLR(0.5, total_iters=20),"
     " torch.CyclicLR(0.01, 0.1, step_size_up=50)], milestones=[100])",
     lambda o: _seq(o, lambda o: L.LinearLR(o, total_iters=20),
                    lambda o: L.CyclicLR(o, 0.01, 0.1, 50), milestones=[100]), 0.5, 2000),
    ("seq-cosine-cosine",
     "torch.SequentialLR(schedulers=[torch.CosineAnnealingLR(0.1, T_max=40, eta_min=0.01),"
     " torch.CosineAnnealingLR(0.1, T_max=400, eta_min=0.05)], milestones=[123])",
     lambda o: _seq(o, lambda o: L.CosineAnnealingLR(o, 40, 0.01),
                    lambda o: L.CosineAnnealingLR(o, 400, 0.05), milestones=[123]), 0.1, 5000),
    ("chain-constant-exp",
     "torch.ChainedScheduler([torch.ConstantLR(1.0, factor=0.1, total_iters=20),"
     " torch.ExponentialLR(1.0, gamma=0.999)])",
     lambda o: _chain(o, lambda o: L.ConstantLR(o, 0.1, 20), lambda o: L.ExponentialLR(o, 0.999)),
     1.0, 3000),
    ("chain-mult-three",
     "torch.ChainedScheduler([torch.StepLR(0.1, step_size=100, gamma=0.5),"
     " torch.MultiStepLR(0.1, milestones=[0, 500, 500]), torch.LinearLR(0.1,"
     " start_factor=0.25, total_iters=300), torch.PolynomialLR(0.1, total_iters=2000)])",
     lambda o: _chain(o, lambda o: L.StepLR(o, 100, 0.5),
                      lambda o: L.MultiStepLR(o, [0, 500, 500]),
                      lambda o: L.LinearLR(o, 0.25, 1.0, 300),
                      lambda o: L.PolynomialLR(o, 2000)), 0.1, 3000),
    ("chain-warmup-cosine",
     "torch.ChainedScheduler([torch.LinearLR(0.1, start_factor=0.1, total_iters=50),"
     " torch.CosineAnnealingLR(0.1, T_max=100), torch.ExponentialLR(0.1, gamma=0.9995)])",
     lambda o: _chain(o, lambda o: L.LinearLR(o, 0.1, 1.0, 50),
                      lambda o: L.CosineAnnealingLR(o, 100),
                      lambda o: L.ExponentialLR(o, 0.9995)), 0.1, 3000),
    ("chain-poly-cosine-step",
     "torch.ChainedScheduler([torch.PolynomialLR(0.1, total_iters=250),"
     " torch.CosineAnnealingLR(0.1, T_max=100), torch.StepLR(0.1, step_size=30, gamma=0.5)])",
     lambda o: _chain(o, lambda o: L.PolynomialLR(o, 250), lambda o: L.CosineAnnealingLR(o, 100),
                      lambda o: L.StepLR(o, 30, 0.5)), 0.1, 3000),
    ("chain-cosine-first",
     "torch.ChainedScheduler([torch.CosineAnnealingLR(0.1, T_max=40),"
     " torch.ExponentialLR(0.1, gamma=0.99), torch.LinearLR(0.1, total_iters=100)])",
     lambda o: _chain(o, lambda o: L.CosineAnnealingLR(o, 40), lambda o: L.ExponentialLR(o, 0.99),
                      lambda o: L.LinearLR(o, total_iters=100)), 0.1, 3000),
    ("chain-lambda-cosine",
     "torch.ChainedScheduler([torch.LambdaLR(0.1, lr_lambda=constant(0.5)),"
     " torch.CosineAnnealingLR(0.1, T_max=40)])",
     lambda o: _chain(o, lambda o: L.LambdaLR(o, lambda e: 0.5),
                      lambda o: L.CosineAnnealingLR(o, 40)), 0.1, 3000),
    ("chain-cosine-alone-eta",
     "torch.ChainedScheduler([torch.CosineAnnealingLR(0.1, T_max=30, eta_min=0.01)])",
     lambda o: _chain(o, lambda o: L.CosineAnnealingLR(o, 30, 0.01)), 0.1, 1000),
    ("chain-lambda-exp",
     "torch.ChainedScheduler([torch.LambdaLR(0.1, lr_lambda=linear(1.0, 0.0, 1000)),"
     " torch.ExponentialLR(0.1, gamma=0.9), torch.StepLR(0.1, step_size=7)])",
     lambda o: _chain(o, lambda o: L.LambdaLR(o, lambda e: 1 - min(e, 1000) / 1000),
                      lambda o: L.ExponentialLR(o, 0.9), lambda o: L.StepLR(o, 7)), 0.1, 2000),
    ("chain-exp-then-sgdr",
     "torch.ChainedScheduler([torch.ExponentialLR(0.1, gamma=0.9),"
     " torch.CosineAnnealingWarmRestarts(0.1, T_0=20),"
     " torch.CosineAnnealingLR(0.1, T_max=15), torch.ConstantLR(0.1)])",
     lambda o: _chain(o, lambda o: L.ExponentialLR(o, 0.9),
                      lambda o: L.CosineAnnealingWarmRestarts(o, 20),
                      lambda o: L.CosineAnnealingLR(o, 15),
                      lambda o: L.ConstantLR(o)), 0.1, 2000),
    ("chain-cyclic-mult",
     "torch.ChainedScheduler([torch.CyclicLR(0.01, 0.1, step_size_up=30),"
     " torch.MultiStepLR(0.01, milestones=[100, 200])])",
     lambda o: _chain(o, lambda o: L.CyclicLR(o, 0.01, 0.1, 30),
                      lambda o: L.MultiStepLR(o, [100, 200])), 0.5, 1000),
]


def _check(case: tuple[str, Any, Callable[[Any], Any], float, int]) -> None:
    name, ours, make, lr, n = case
    s = lrlab.parse(ours) if isinstance(ours, str) else ours
    ref = torch_lrs(make, lr, n)
    t = np.arange(n + 1)
    assert_parity(s(t), ref, F64, name)
    # the scalar path too, at a few steps (the contract tests check scalar == array)
    for k in {0, 1, n // 3, n // 2, n}:
        assert_parity(np.array([s(k)]), ref[k : k + 1], F64, f"{name} at t={k}")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_single(case: tuple[str, Any, Callable[[Any], Any], float, int]) -> None:
    _check(case)


@pytest.mark.parametrize("case", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite(case: tuple[str, Any, Callable[[Any], Any], float, int]) -> None:
    _check(case)


# -- torch quirks that lrlab reproduces (or deliberately does not), checked on real torch ------


def test_multistep_boundary_is_on_the_right() -> None:
    ref = torch_lrs(lambda o: L.MultiStepLR(o, [10]), 1.0, 12)
    s = lt.MultiStepLR(1.0, milestones=[10])
    assert ref[9] == 1.0 and ref[10] == pytest.approx(0.1, rel=1e-15)
    assert s(9) == ref[9] and s(10) == ref[10]


def test_constant_lr_restores_with_one_over_factor() -> None:
    ref = torch_lrs(lambda o: L.ConstantLR(o, 0.1, 5), 0.1, 10)
    assert ref[5] == 0.1 * 0.1 * (1.0 / 0.1) == 0.10000000000000002  # not exactly lr
    assert lt.ConstantLR(0.1, factor=0.1)(np.arange(11)).tolist() == ref.tolist()


def test_linear_lr_end_value_is_torch_last_product() -> None:
    ref = torch_lrs(lambda o: L.LinearLR(o, 0.001, 0.0, 5000), 0.1, 5003)
    assert ref[5000] != 0.0 and ref[5000] == ref[5003]  # torch never lands on exactly 0
    ours = lt.LinearLR(0.1, 0.001, 0.0, 5000)(5002)
    assert ours == pytest.approx(ref[5002], rel=1e-12)  # torch's 6.7e-21, to rounding


def test_cosine_rises_again_past_t_max() -> None:
    ref = torch_lrs(lambda o: L.CosineAnnealingLR(o, 100, 0.001), 0.1, 400)
    s = lt.CosineAnnealingLR(0.1, T_max=100, eta_min=0.001)
    assert ref[100] == 0.001 and ref[200] == pytest.approx(0.1, rel=1e-13)
    assert s(100) == 0.001 and s(200) == pytest.approx(0.1, rel=1e-13)
    assert ref[150] > ref[120] > ref[101]


def test_cosine_past_t_max_replays_torch_recursion() -> None:
    # torch's (c(t)/c(t-1)) * (lr - eta_min) + eta_min rounds lr - eta_min while it is tiny
    # after each trough; the textbook formula misses that by far more than 1e-12.
    T, em, n = 2000, 0.09, 6500
    ref = torch_lrs(lambda o: L.CosineAnnealingLR(o, T, em), 0.1, n)
    t = np.arange(n + 1)
    textbook = em + (0.1 - em) * (1 + np.cos(np.pi * t / T)) / 2
    assert np.max(np.abs(textbook - ref) / ref) > 1e-11
    ours = lt.CosineAnnealingLR(0.1, T_max=T, eta_min=em)
    assert ours(t[T + 1 :]).tolist() == ref[T + 1 :].tolist()  # bit for bit past T_max
    assert [ours(int(k)) for k in (T + 1, 2 * T, 3 * T + 1, n)] == [
        ref[T + 1], ref[2 * T], ref[3 * T + 1], ref[n]]


def test_warm_restarts_have_no_peak_decay() -> None:
    ref = torch_lrs(lambda o: L.CosineAnnealingWarmRestarts(o, 10, 2, 0.01), 0.1, 80)
    assert ref[0] == ref[10] == ref[30] == ref[70] == 0.1
    s = lt.CosineAnnealingWarmRestarts(0.1, T_0=10, T_mult=2, eta_min=0.01)
    assert [s(t) for t in (0, 10, 30, 70)] == [0.1] * 4


def test_onecycle_past_total_steps() -> None:
    # torch allows one extrapolated step at t = total_steps and raises after that;
    # lrlab holds the end value from t = total_steps - 1 on.
    ref = torch_lrs(lambda o: L.OneCycleLR(o, 0.1, 100, anneal_strategy="linear"), 0.01, 100)
    assert ref[100] < 0  # torch's linear anneal extrapolates below zero
    with pytest.raises(ValueError, match="Tried to step"):
        torch_lrs(lambda o: L.OneCycleLR(o, 0.1, 100), 0.01, 101)
    s = lt.OneCycleLR(max_lr=0.1, total_steps=100, anneal_strategy="linear")
    assert s(100) == s(10**6) == ref[99]


def test_chained_cosine_with_eta_min_can_go_negative_in_torch() -> None:
    # why lrlab refuses a CosineAnnealingLR with eta_min > 0 chained after other members
    ref = torch_lrs(
        lambda o: _chain(o, lambda o: L.CosineAnnealingWarmRestarts(o, 20),
                         lambda o: L.CosineAnnealingLR(o, 15, 0.01)), 0.1, 100)
    assert ref.min() < 0
    with pytest.raises(lrlab.ScheduleError, match="eta_min"):
        lt.ChainedScheduler([lt.CosineAnnealingWarmRestarts(0.1, T_0=20),
                             lt.CosineAnnealingLR(0.1, T_max=15, eta_min=0.01)])


def test_chained_after_overwrite_uses_one_step_ratio() -> None:
    # [LambdaLR, ExponentialLR]: the exponential contributes gamma once per step, not gamma**t
    ref = torch_lrs(lambda o: _chain(o, lambda o: L.LambdaLR(o, lambda e: 1.0),
                                     lambda o: L.ExponentialLR(o, 0.5)), 1.0, 5)
    assert ref.tolist() == [1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
    s = lt.ChainedScheduler([lt.LambdaLR(1.0, lrlab.Constant(1.0)), lt.ExponentialLR(1.0, 0.5)])
    assert s(np.arange(6)).tolist() == ref.tolist()


# -- signatures: same names, same defaults, same order as torch (optimizer -> lr) --------------

_NAMES = list(lt.__all__)


@pytest.mark.parametrize("name", _NAMES)
def test_signature_matches_torch(name: str) -> None:
    import inspect

    ours = inspect.signature(getattr(lt, name))
    theirs = inspect.signature(getattr(L, name).__init__)
    expect = [(p.name, p.default) for p in theirs.parameters.values() if p.name != "self"]
    expect = [("lr", inspect.Parameter.empty if d is inspect.Parameter.empty else None)
              if n == "optimizer" else (n, d) for n, d in expect]
    got = [(p.name, p.default) for p in ours.parameters.values()]
    # lr is optional (keyword-only, last) where torch overwrites the optimizer's LR itself
    if name in ("CyclicLR", "OneCycleLR", "SequentialLR"):
        expect = [(n, d) for n, d in expect if n != "lr"]
        got = [(n, d) for n, d in got if n != "lr"]
    if name == "ChainedScheduler":  # optimizer=None -> lr=None
        expect = [(n, None if n == "lr" else d) for n, d in expect]
    assert got == expect


# -- a seeded random search over SequentialLR / ChainedScheduler combinations ------------------


def _random_member(rng: random.Random, lr: float) -> tuple[Any, Callable[[Any], Any]]:
    k = rng.choice(["step", "multistep", "constant", "linear", "exp", "poly", "cos", "sgdr",
                    "lambda", "cyclic", "mult"])
    if k == "step":
        a, g = rng.randint(1, 50), rng.choice([0.1, 0.5, 0.9, 1.05])
        return lt.StepLR(lr, a, g), lambda o: L.StepLR(o, a, g)
    if k == "multistep":
        ms = [rng.randint(0, 300) for _ in range(rng.randint(0, 4))]
        g = rng.choice([0.1, 0.5, 0.9])
        return lt.MultiStepLR(lr, ms, g), lambda o: L.MultiStepLR(o, ms, g)
    if k == "constant":
        f, n = rng.choice([0.1, 0.5, 1 / 3, 1.0, 0.9]), rng.randint(0, 100)
        return lt.ConstantLR(lr, f, n), lambda o: L.ConstantLR(o, f, n)
    if k == "linear":
        s, e = rng.choice([0.01, 0.5, 1 / 3, 1.0]), rng.choice([0.0, 0.1, 1.0, 0.5])
        n = rng.randint(0, 300)
        return lt.LinearLR(lr, s, e, n), lambda o: L.LinearLR(o, s, e, n)
    if k == "exp":
        g = rng.choice([0.99, 0.999, 0.9, 1.001])
        return lt.ExponentialLR(lr, g), lambda o: L.ExponentialLR(o, g)
    if k == "poly":
        n, p = rng.randint(0, 400), rng.choice([0.5, 1.0, 2.0, 0.0])
        return lt.PolynomialLR(lr, n, p), lambda o: L.PolynomialLR(o, n, p)
    if k == "cos":
        T, em = rng.randint(1, 150), rng.choice([0.0, 0.0, lr * 0.1])
        return lt.CosineAnnealingLR(lr, T, em), lambda o: L.CosineAnnealingLR(o, T, em)
    if k == "sgdr":
        T, tm, em = rng.randint(1, 60), rng.randint(1, 3), rng.choice([0.0, lr * 0.01])
        return (lt.CosineAnnealingWarmRestarts(lr, T, tm, em),
                lambda o: L.CosineAnnealingWarmRestarts(o, T, tm, em))
    if k == "lambda":
        n = rng.randint(1, 200)
        return (lt.LambdaLR(lr, lrlab.Linear(0.0, 1.0, n)),
                lambda o: L.LambdaLR(o, lambda e: min(e, n) / n))
    if k == "cyclic":
        u = rng.randint(1, 50)
        return lt.CyclicLR(lr * 0.1, lr, u, lr=lr), lambda o: L.CyclicLR(o, lr * 0.1, lr, u)
    return (lt.MultiplicativeLR(lr, lambda e: 0.995),
            lambda o: L.MultiplicativeLR(o, lambda e: 0.995))


@pytest.mark.parametrize("seed", range(4))
def test_random_composites(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    while checked < 25:
        lr = rng.choice([0.1, 1.0, 0.03])
        members = [_random_member(rng, lr) for _ in range(rng.randint(1, 4))]
        ours_m = [m[0] for m in members]
        try:
            if rng.random() < 0.5:
                ms = sorted(rng.sample(range(400), len(members) - 1))
                ours = lt.SequentialLR(ours_m, ms)

                def make(o: Any, ms: list[int] = ms, members: list[Any] = members) -> Any:
                    return _seq(o, *(m[1] for m in members), milestones=ms)
            else:
                ours = lt.ChainedScheduler(ours_m)

                def make(o: Any, members: list[Any] = members) -> Any:
                    return _chain(o, *(m[1] for m in members))
        except lrlab.ScheduleError:
            continue  # a documented refusal (the validation tests check the messages)
        ref = torch_lrs(make, lr, 400)
        if ref.min() < 0:  # torch's LinearLR(end_factor=0) residue; lrlab gives 0
            assert any(isinstance(m, lt.LinearLR) and m.end_factor == 0 for m in ours_m)
            continue
        assert_parity(ours(np.arange(401)), ref, F64, repr(ours))
        checked += 1
