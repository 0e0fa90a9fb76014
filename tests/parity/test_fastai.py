"""Parity of lrlab.compat.fastai with the REAL fastai annealers (fastai/callback/schedule.py).

The reference is fastai's own source (extracted from the installed files, see
``_load_real.py``), evaluated at the position ``pos`` that lrlab maps step ``t`` to
(``t / total_steps``) and, for whole fits, at the position fastai's ``TrainEvalCallback``
actually accumulates (``learn.pct_train``).  fastai's annealers compute in Python float64 and
``combine_scheds`` in float32 positions that lrlab reproduces: tolerance F64.
"""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab.compat import fastai as lr_fastai
from tests.parity._compare import F64, assert_parity
from tests.parity._load_real import fastai_positions, fastai_schedule

pytestmark = pytest.mark.parity

fa = fastai_schedule()


def _ref(f, pos: np.ndarray) -> np.ndarray:
    return np.array([float(f(float(p))) for p in pos], dtype=np.float64)


def _grid(n: int) -> np.ndarray:
    """Steps 0..n plus fractional and past-the-end steps."""
    return np.concatenate([np.arange(n + 1.0), np.linspace(0, n, 997), [n + 1.0, 2.0 * n, 1e9]])


ANNEALERS = [
    ("SchedLin", (0.1, 0.001), ""),
    ("SchedLin", (1e-4, 0.3), ""),
    ("SchedCos", (0.1, 0.0), ""),
    ("SchedCos", (0.004, 0.1), ""),
    ("SchedNo", (0.1, 0.5), ""),
    ("SchedExp", (1e-7, 10.0), ""),
    ("SchedExp", (0.1, 0.0), ""),
    ("SchedPoly", (0.1, 0.0, 2.0), ""),
    ("SchedPoly", (0.01, 0.2, 0.5), ""),
]


@pytest.mark.parametrize("name,args,_", ANNEALERS, ids=[f"{n}{a}" for n, a, _ in ANNEALERS])
@pytest.mark.parametrize("total", [1, 37, 1000])
def test_annealers(name: str, args: tuple, _: str, total: int) -> None:
    ours = lrlab.parse(f"fastai.{name}({', '.join(map(repr, args))}, total_steps={total})")
    t = _grid(total)
    ref = _ref(getattr(fa, name)(*args), np.minimum(t / total, 1.0))
    assert_parity(ours(t), ref, F64, repr(ours))


def test_annealer_default_total_steps_is_the_position() -> None:
    pos = np.linspace(0, 1, 1001)
    for name, args, _ in ANNEALERS:
        ours = getattr(lrlab.compat.fastai, name)(*args)
        assert_parity(ours(pos), _ref(getattr(fa, name)(*args), pos), F64, name)


COMBOS = [
    "fastai.combine_scheds([0.3, 0.7], [fastai.SchedCos(0.004, 0.1), fastai.SchedCos(0.1, 1e-6)], total_steps=997)",
    "fastai.combine_scheds([0.1, 0.2, 0.7], [fastai.SchedLin(0.0, 0.1), fastai.SchedNo(0.1, 0.1), fastai.SchedExp(0.1, 1e-4)], total_steps=1234)",
    "fastai.combine_scheds([0.0, 1.0], [fastai.SchedLin(0.0, 0.1), fastai.SchedCos(0.1, 0.0)], total_steps=500)",
    "fastai.combine_scheds([1.0], [fastai.SchedPoly(0.1, 0.0, 1.5)], total_steps=300)",
    "fastai.combine_scheds([0.25, 0.75], [fastai.SchedCos(0.01, 0.1), fastai.combine_scheds([0.5, 0.5], [fastai.SchedLin(0.1, 0.05), fastai.SchedCos(0.05, 0.0)])], total_steps=2000)",
]


def _real(spec_obj: lrlab.Schedule):
    """Build the real fastai callable equivalent to an lrlab fastai schedule (by its params)."""
    name = type(spec_obj).name.split(".", 1)[1]
    p = spec_obj.params()
    if name == "combine_scheds":
        return fa.combine_scheds(list(p["pcts"]), [_real(s) for s in p["scheds"]])
    args = [p["start"], p["end"]] + ([p["power"]] if name == "SchedPoly" else [])
    return getattr(fa, name)(*args)


@pytest.mark.parametrize("spec", COMBOS)
def test_combine_scheds(spec: str) -> None:
    ours = lrlab.parse(spec)
    n = ours.total_steps
    t = _grid(int(n))
    ref = _ref(_real(ours), np.minimum(t / n, 1.0))
    assert_parity(ours(t), ref, F64, spec)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr_max=0.01),
        dict(lr_max=3e-3, div=10.0, div_final=1e4, pct_start=0.3),
        dict(lr_max=0.1, pct_start=0.9),
        dict(lr_max=1.0, div=5.0, pct_start=0.05),
    ],
    ids=str,
)
@pytest.mark.parametrize("n_epoch,n_iter", [(1, 1000), (5, 391), (16, 97)])
def test_fit_one_cycle_as_fastai_runs_it(kwargs: dict, n_epoch: int, n_iter: int) -> None:
    """fit_one_cycle's LR at each batch, with fastai's own accumulated ``pct_train``."""
    full = dict(div=25.0, div_final=1e5, pct_start=0.25) | kwargs
    lr_max = np.array([full["lr_max"]])  # fastai: lr_max = np.array([h['lr'] for h in hypers])
    real = fa.combined_cos(full["pct_start"], lr_max / full["div"], lr_max, lr_max / full["div_final"])
    pos = fastai_positions(n_epoch, n_iter)
    ref = np.array([float(real(float(p))[0]) for p in pos])
    total = n_epoch * n_iter
    ours = lr_fastai.fit_one_cycle(total_steps=total, **kwargs)
    assert_parity(ours(np.arange(total)), ref, F64, repr(ours))
    # the positions fastai accumulates are t / total up to a few ulps
    assert np.max(np.abs(pos - np.arange(total) / total)) < 1e-13


def test_fit_one_cycle_final_lr_is_lr_max_over_div_final() -> None:
    s = lr_fastai.fit_one_cycle(lr_max=0.01, total_steps=1000)
    real = fa.combined_cos(0.25, 0.01 / 25.0, 0.01, 0.01 / 1e5)
    assert s(1000) == real(1.0)
    assert s(1000) == pytest.approx(1e-7, rel=1e-9)  # torch OneCycleLR: 0.01 / (25 * 1e4) = 4e-8


def test_fit_flat_cos() -> None:
    ours = lrlab.parse("fastai.fit_flat_cos(lr=0.02, total_steps=800)")
    t = _grid(800)
    ref = _ref(fa.combined_cos(0.75, 0.02, 0.02, 0.02 / 1e5), np.minimum(t / 800, 1.0))
    assert_parity(ours(t), ref, F64, repr(ours))


def test_combine_scheds_rounds_positions_to_float32() -> None:
    """The quirk reproduced: at a position just below a phase boundary fastai already
    switches phase, because the position is rounded to float32 first."""
    pct = 0.3
    boundary = float(np.float32(pct))  # 0.30000001192092896
    pos = boundary - 1e-9  # float64 says phase 0, float32 says phase 1
    real = fa.combine_scheds([pct, 1 - pct], [fa.SchedLin(0.0, 0.1), fa.SchedLin(0.05, 0.0)])
    assert real(pos) == 0.05  # phase 1 at local position 0
    ours = lrlab.parse(
        "fastai.combine_scheds([0.3, 0.7], [fastai.SchedLin(0.0, 0.1), fastai.SchedLin(0.05, 0.0)])"
    )
    assert ours(pos) == 0.05


@pytest.mark.parametrize("start,end,num_it", [(1e-7, 10.0, 100), (1e-5, 1.0, 3), (1e-6, 3.0, 250)])
def test_lr_finder(start: float, end: float, num_it: int) -> None:
    """fastai's LRFinder: SchedExp at pos = train_iter / num_it, num_it raised to 6."""
    ours = lr_fastai.LRFinder(start, end, num_it)
    n = max(num_it, 6)  # fastai: if num_it < 6: num_it = 6
    t = np.arange(n + 1)
    assert_parity(ours(t), _ref(fa.SchedExp(start, end), t / n), F64, repr(ours))


@pytest.mark.parametrize("name", ["SchedLin", "SchedCos", "SchedNo", "SchedExp", "SchedPoly", "combine_scheds", "combined_cos"])
def test_signatures_follow_fastai(name: str) -> None:
    """fastai's parameters, in fastai's order, then lrlab's total_steps=1."""
    import inspect

    theirs = list(inspect.signature(getattr(fa, name)).parameters)
    ours = inspect.signature(getattr(lr_fastai, name)).parameters
    assert list(ours) == [*theirs, "total_steps"]
    assert ours["total_steps"].default == 1.0
