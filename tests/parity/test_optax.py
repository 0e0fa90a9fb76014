"""Parity of lrlab.compat.optax with the real optax schedules, computed by JAX in float64.

optax evaluates a schedule in JAX's default dtype; ``jax_enable_x64`` is switched on for this
module only (fixture below, restored afterwards) so that the comparison is float64 against
float64, at ``F64`` = 1e-12 relative.  Steps: every integer step from 0 to past the horizon
(boundaries included), fractional steps, and far steps; the reference is ``jax.vmap(fn)``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
jnp = pytest.importorskip("jax.numpy")

import lrlab  # noqa: E402
from lrlab.compat import optax as lo  # noqa: E402
from tests.parity._compare import F32, F64, assert_parity  # noqa: E402

pytestmark = pytest.mark.parity


@pytest.fixture(scope="module", autouse=True)
def _x64() -> Any:
    old = bool(jax.config.read("jax_enable_x64"))
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", old)


#: every step array has this length, so that JAX's per-shape op cache is shared by all cases
_N = 4096


def _steps(ours: lrlab.Schedule) -> np.ndarray:
    """Integer steps: 0 .. past the horizon, each phase boundary and its neighbours, far steps."""
    h = ours.horizon or 0.0
    top = int(max(2.5 * h, 200)) + 10
    pts = set(range(0, min(top, 3000)))
    for p in (*ours.phases(), h):
        pts.update(int(p) + d for d in (-1, 0, 1) if int(p) + d >= 0)
    pts.update([10**5, 10**6, 2**31 - 1])
    pts.update(np.linspace(0, top, 600).astype(np.int64).tolist())
    fill = iter(range(3000, 10**9, 7))
    while len(pts) < _N:
        pts.add(next(fill))
    return np.array(sorted(pts)[:_N], dtype=np.int64)


def _ref(fn: Any, t: np.ndarray) -> np.ndarray:
    # eager (not jitted): the schedule function evaluated at t, op by op.  Under jax.jit XLA
    # may turn a division by a constant into a multiplication by its reciprocal (see the docs).
    out = np.asarray(jax.vmap(fn)(jnp.asarray(t)), dtype=np.float64)
    assert out.dtype == np.float64
    return np.broadcast_to(out, t.shape)


def _check(ours: lrlab.Schedule, ref_fn: Any, what: str) -> None:
    t = _steps(ours)
    ref = _ref(ref_fn, t)
    assert_parity(ours(t), ref, F64, what)
    # fractional steps (lrlab is defined on real steps; optax accepts float counts too)
    tf = t.astype(np.float64) + 0.375
    assert_parity(ours(tf), _ref(ref_fn, tf), F64, what + " (fractional steps)")
    # the scalar path gives the same values
    idx = np.arange(0, len(t), max(1, len(t) // 50))
    assert_parity(np.array([ours(int(x)) for x in t[idx]]), ref[idx], F64, what + " (scalar)")


CASES: list[tuple[str, dict[str, Any]]] = [
    ("constant_schedule", dict(value=0.1)),
    ("polynomial_schedule", dict(init_value=1.0, end_value=0.01, power=2, transition_steps=1000)),
    ("polynomial_schedule", dict(init_value=0.0, end_value=0.1, power=1, transition_steps=500,
                                 transition_begin=100)),
    ("polynomial_schedule", dict(init_value=0.1, end_value=0.001, power=0.5,
                                 transition_steps=333.3, transition_begin=7)),
    ("polynomial_schedule", dict(init_value=0.1, end_value=0.01, power=0, transition_steps=100)),
    ("polynomial_schedule", dict(init_value=0.1, end_value=0.01, power=3, transition_steps=0)),
    ("polynomial_schedule", dict(init_value=0.1, end_value=0.0, power=3, transition_steps=100,
                                 transition_begin=-5)),
    ("linear_schedule", dict(init_value=0.1, end_value=0.0, transition_steps=1000)),
    ("linear_schedule", dict(init_value=0.0, end_value=0.1, transition_steps=3000,
                             transition_begin=50)),
    ("piecewise_constant_schedule", dict(init_value=0.1,
                                         boundaries_and_scales={100: 0.1, 500: 0.5, 1000: 0.1})),
    ("piecewise_constant_schedule", dict(init_value=0.1,
                                         boundaries_and_scales={0: 0.5, -3: 2.0, 30: 0.0})),
    ("piecewise_constant_schedule", dict(init_value=0.1,
                                         boundaries_and_scales={10.5: 2.0, 20: 0.25, 21: 3.0})),
    ("piecewise_constant_schedule", dict(init_value=0.3)),
    ("piecewise_constant_schedule", dict(init_value=0.3, boundaries_and_scales={})),
    ("exponential_decay", dict(init_value=0.1, transition_steps=100, decay_rate=0.5)),
    ("exponential_decay", dict(init_value=0.1, transition_steps=100, decay_rate=0.5,
                               transition_begin=200, staircase=True, end_value=0.01)),
    ("exponential_decay", dict(init_value=0.001, transition_steps=10, decay_rate=1.5,
                               end_value=1.0)),
    ("exponential_decay", dict(init_value=0.1, transition_steps=10, decay_rate=1.0,
                               end_value=0.05)),
    ("exponential_decay", dict(init_value=0.1, transition_steps=10, decay_rate=0.9,
                               end_value=0.5)),
    ("exponential_decay", dict(init_value=0.1, transition_steps=0, decay_rate=0.5)),
    ("exponential_decay", dict(init_value=0.1, transition_steps=100, decay_rate=0.0)),
    ("exponential_decay", dict(init_value=0.1, transition_steps=37, decay_rate=0.3,
                               transition_begin=-10)),
    ("cosine_decay_schedule", dict(init_value=0.1, decay_steps=1000)),
    ("cosine_decay_schedule", dict(init_value=0.1, decay_steps=2000, alpha=0.1, exponent=2.0)),
    ("cosine_decay_schedule", dict(init_value=0.1, decay_steps=999.5, alpha=1.5)),
    ("cosine_decay_schedule", dict(init_value=0.1, decay_steps=100, alpha=0.2, exponent=0.0)),
    ("cosine_decay_schedule", dict(init_value=0.1, decay_steps=100, alpha=1.0, exponent=0.5)),
    ("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=0.1, warmup_steps=100,
                                          decay_steps=1000)),
    ("warmup_cosine_decay_schedule", dict(init_value=0.01, peak_value=0.1, warmup_steps=50,
                                          decay_steps=3000, end_value=0.001, exponent=1.5)),
    ("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=0.1, warmup_steps=0,
                                          decay_steps=500)),
    ("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=0.0, warmup_steps=10,
                                          decay_steps=100, end_value=0.01)),
    ("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=0.01, warmup_steps=10,
                                          decay_steps=100, end_value=0.02)),
    ("warmup_exponential_decay_schedule", dict(init_value=0.0, peak_value=0.1, warmup_steps=100,
                                               transition_steps=200, decay_rate=0.5)),
    ("warmup_exponential_decay_schedule", dict(init_value=0.01, peak_value=0.1, warmup_steps=10,
                                               transition_steps=20, decay_rate=0.5,
                                               transition_begin=5, staircase=True,
                                               end_value=0.001)),
    ("warmup_exponential_decay_schedule", dict(init_value=0.0, peak_value=0.1, warmup_steps=0,
                                               transition_steps=20, decay_rate=0.5)),
    ("warmup_constant_schedule", dict(init_value=0.0, peak_value=0.1, warmup_steps=100)),
    ("piecewise_interpolate_schedule", dict(interpolate_type="linear", init_value=1.0,
                                            boundaries_and_scales={4: 0.1, 8: 0.01})),
    ("piecewise_interpolate_schedule", dict(interpolate_type="cosine", init_value=0.01,
                                            boundaries_and_scales={100: 10, 500: 0.1,
                                                                   1000: 0.01})),
    ("piecewise_interpolate_schedule", dict(interpolate_type="linear", init_value=0.1,
                                            boundaries_and_scales={0.5: 2.0, -5: 3.0, 40: 0.5})),
    ("piecewise_interpolate_schedule", dict(interpolate_type="cosine", init_value=0.1,
                                            boundaries_and_scales={0: 2.0, 30: 0.5})),
    ("piecewise_interpolate_schedule", dict(interpolate_type="cosine", init_value=0.1,
                                            boundaries_and_scales={-9: 2.0, -2: 0.5})),
    ("piecewise_interpolate_schedule", dict(interpolate_type="linear", init_value=0.1)),
    ("linear_onecycle_schedule", dict(transition_steps=1000, peak_value=0.1)),
    ("linear_onecycle_schedule", dict(transition_steps=100, peak_value=1.0, pct_start=0.29,
                                      pct_final=0.29)),
    ("linear_onecycle_schedule", dict(transition_steps=10, peak_value=1.0, pct_start=0.25,
                                      pct_final=0.95, div_factor=5.0, final_div_factor=50.0)),
    ("cosine_onecycle_schedule", dict(transition_steps=1000, peak_value=0.1)),
    ("cosine_onecycle_schedule", dict(transition_steps=100, peak_value=1.0, pct_start=0.29)),
    ("cosine_onecycle_schedule", dict(transition_steps=7, peak_value=0.1, pct_start=0.5,
                                      div_factor=10.0, final_div_factor=100.0)),
    ("sgdr_schedule", dict(cosine_kwargs=[
        dict(init_value=0.0, peak_value=0.1, warmup_steps=10, decay_steps=100),
        dict(init_value=0.01, peak_value=0.05, warmup_steps=0, decay_steps=200,
             end_value=0.001),
        dict(init_value=0.0, peak_value=0.02, warmup_steps=30, decay_steps=400, exponent=2.0),
    ])),
    ("sgdr_schedule", dict(cosine_kwargs=[
        dict(init_value=0.0, peak_value=0.1, warmup_steps=5, decay_steps=50)])),
]


@pytest.mark.parametrize(("fn", "kwargs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_parity(fn: str, kwargs: dict[str, Any]) -> None:
    ours = getattr(lo, fn)(**kwargs)
    _check(ours, getattr(optax, fn)(**kwargs), f"optax.{fn}({kwargs})")


def test_every_optax_schedule_function_is_covered() -> None:
    import optax.schedules as sch

    public = {
        n for n in dir(sch)
        if (n.endswith("_schedule") or n in ("exponential_decay", "join_schedules"))
        and callable(getattr(sch, n))
    }
    covered = {fn for fn, _ in CASES} | {"join_schedules"}
    assert public <= covered, public - covered
    assert all(lrlab.registry.lookup(f"optax.{n}") is getattr(lo, n) for n in public)


def test_join_schedules() -> None:
    ours = lo.join_schedules(
        [lo.linear_schedule(0.0, 0.1, 10), lo.cosine_decay_schedule(0.1, 90),
         lo.exponential_decay(0.05, 7, 0.5)],
        [10, 100],
    )
    ref = optax.join_schedules(
        [optax.linear_schedule(0.0, 0.1, 10), optax.cosine_decay_schedule(0.1, 90),
         optax.exponential_decay(0.05, 7, 0.5)],
        [10, 100],
    )
    _check(ours, ref, "join_schedules")
    # a boundary at 0: optax never uses the first piece
    ours0 = lo.join_schedules([lo.constant_schedule(1.0), lo.cosine_decay_schedule(0.1, 90)], [0])
    ref0 = optax.join_schedules(
        [optax.constant_schedule(1.0), optax.cosine_decay_schedule(0.1, 90)], [0]
    )
    _check(ours0, ref0, "join_schedules at 0")


def test_warmup_constant_zero_steps_quirk() -> None:
    with pytest.warns(lrlab.LrlabWarning, match="init_value"):
        ours = lo.warmup_constant_schedule(0.0, 0.1, 0)
    _check(ours, optax.warmup_constant_schedule(0.0, 0.1, 0), "warmup_constant W=0")
    assert ours(10) == 0.0


def test_long_cosine_within_tolerance() -> None:
    # lrlab's cosine computes pi * (t / T) (TensorFlow's order), optax (pi * t) / T; the last
    # ulp of the angle is amplified near the end of the decay, where 1 + cos is tiny.  Up to
    # T = 1e4 this stays under 1e-12 (measured 6.5e-13).
    ours = lo.warmup_cosine_decay_schedule(0.0, 0.1, 100, 10_100)
    ref = optax.warmup_cosine_decay_schedule(0.0, 0.1, 100, 10_100)
    t = np.arange(0, 10_300, dtype=np.int64)
    assert_parity(ours(t), _ref(ref, t), F64, "long cosine")


def test_float32_optax_is_within_float32_rounding() -> None:
    # Without jax_enable_x64 (optax's default) optax computes in float32, with float32's
    # cancellations (the warmup's (I - P)(1 - t/W) + P near t = 0, 1 + cos near the cosine's
    # end), so its relative error can exceed F32 there; measured against the peak, lrlab's
    # float64 values are within a few float32 epsilons (1.4e-7 * peak measured).
    jax.config.update("jax_enable_x64", False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref_fn = optax.warmup_cosine_decay_schedule(0.0, 0.1, 100, 1000, end_value=1e-3)
            t = np.arange(0, 1500, dtype=np.int32)
            ref = np.asarray(jax.vmap(ref_fn)(jnp.asarray(t)))
        assert ref.dtype == np.float32
    finally:
        jax.config.update("jax_enable_x64", True)
    ours = lo.warmup_cosine_decay_schedule(0.0, 0.1, 100, 1000, end_value=1e-3)
    eps32 = float(np.finfo(np.float32).eps)
    assert np.max(np.abs(ours(t) - ref.astype(np.float64))) <= 4 * eps32 * 0.1
    mid = (t >= 100) & (t < 900)
    assert_parity(ours(t[mid]), ref[mid].astype(np.float64), F32, "float32 optax, mid-decay")


def test_int32_counts_compute_in_float32_even_with_x64() -> None:
    # optax optimizers keep their step count as int32 (optax/_src/transform.py); JAX promotes
    # int32 / Python number to float32, so polynomial/linear/exponential schedules give float32
    # values inside an optimizer even with jax_enable_x64 on.  lrlab matches them to float32
    # rounding (relative to the peak).
    ref_fn = optax.linear_schedule(0.1, 0.0, 1000)
    t = np.arange(0, 1200, dtype=np.int32)
    ref = np.asarray(jax.vmap(ref_fn)(jnp.asarray(t)))
    assert ref.dtype == np.float32
    ours = lo.linear_schedule(0.1, 0.0, 1000)(t)
    assert np.max(np.abs(ours - ref.astype(np.float64))) <= 2 * float(np.finfo(np.float32).eps) * 0.1
    # cosine_decay_schedule converts to float first: float64 with an int32 count
    cos = np.asarray(jax.vmap(optax.cosine_decay_schedule(0.1, 1000))(jnp.asarray(t)))
    assert cos.dtype == np.float64
    assert_parity(lo.cosine_decay_schedule(0.1, 1000)(t), cos, F64, "cosine, int32 count")


def test_signatures_match_optax() -> None:
    import inspect

    names = [n for n in lo.__all__ if n != "PiecewiseInterpolate"]
    for n in names:
        theirs = inspect.signature(getattr(optax, n)).parameters
        ours = inspect.signature(getattr(lo, n)).parameters
        assert list(ours) == list(theirs), n
        for p in theirs:
            assert ours[p].default == theirs[p].default, (n, p)
