"""lrlab.jax: every schedule as an optax schedule under jit, and plateau on optax states."""

from __future__ import annotations

import json

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
import jax.numpy as jnp  # noqa: E402

import lrlab  # noqa: E402
from lrlab._jnp import TRACEABLE, traceable  # noqa: E402
from lrlab.jax import ReduceLROnPlateau, set_hyperparam, to_optax  # noqa: E402
from lrlab.plateau import ReduceLROnPlateau as Controller  # noqa: E402
from tests.cases import all_cases  # noqa: E402

CASES = all_cases()
TRACED = [c for c in CASES if traceable(lrlab.parse(c))]
HOSTED = [c for c in CASES if c not in TRACED]


def _steps(s: lrlab.Schedule, n: int = 2304) -> np.ndarray:
    """``n`` steps: 0..1999, up to 2**24, and around the phase changes.  One fixed length
    so that eager jnp reuses its compiled kernels from case to case."""
    ph = np.asarray([p for p in s.phases() if p < 1e5][:40], dtype=np.float64)
    t = np.concatenate([np.arange(0, 2000.0), np.geomspace(2000, 2**24, 50).round(), ph,
                        ph + 1, ph - 1, np.floor(ph), np.ceil(ph)])
    # float32 steps (what the traced path computes with), compared at exactly those steps
    t = np.unique(t[t >= 0].astype(np.float32)).astype(np.float64)
    return np.concatenate([t, np.full(n - len(t), t[-1])])


def _f32(x):
    """float32 rounding as XLA on CPU does it: subnormals are flushed to zero."""
    x = np.asarray(x, np.float32)
    return np.where(np.abs(x) < np.finfo(np.float32).tiny, np.float32(0), x)


def test_the_split_is_not_trivial():
    assert len(TRACED) > 40 and len(HOSTED) > 40
    assert all(type(lrlab.parse(c)).name in TRACEABLE for c in TRACED)
    really = [c for c in TRACED if to_optax(c).mode == "trace"]
    assert len(really) > 30, sorted({type(lrlab.parse(c)).name for c in TRACED} - {
        type(lrlab.parse(c)).name for c in really})


@pytest.mark.parametrize("spec", TRACED)
def test_traced_schedules_match_numpy(spec):
    s = lrlab.parse(spec)
    f = to_optax(s)
    t = _steps(s)
    # eager jnp runs the traced formula op by op (jit is checked on a sample below: fast)
    got = np.asarray(f(jnp.asarray(t, jnp.float32)))
    if f.mode == "callback":  # the family's array path became NumPy-only: exact fallback
        np.testing.assert_array_equal(got, _f32(s(t)))
        return
    ref = s(t)
    assert got.dtype == np.float32 and got.shape == ref.shape
    peak = np.abs(ref).max()
    # float32 arithmetic: within 1e-5 of the peak (in practice a few ulps)
    np.testing.assert_allclose(got, ref, rtol=2e-6, atol=1e-5 * peak)


@pytest.mark.parametrize("spec", TRACED[::8])
def test_traced_schedules_under_jit(spec):
    s = lrlab.parse(spec)
    f = to_optax(s)
    t = jnp.arange(0, 3000, 3)
    got = np.asarray(jax.jit(f)(t))
    np.testing.assert_allclose(got, np.asarray(f(t)), rtol=1e-6, atol=1e-7 * got.max())
    assert float(jax.jit(f)(jnp.int32(9))) == pytest.approx(s(9), rel=1e-6)


def test_auto_falls_back_to_the_host_when_tracing_fails(monkeypatch):
    import lrlab._jnp as ljnp

    monkeypatch.setitem(ljnp.TRACEABLE, "warmup", None)
    s = lrlab.parse("warmup(constant(0.1), steps=10)")
    f = to_optax(s)
    assert f.mode == "callback"
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(jnp.arange(20))),
                                  _f32(s(np.arange(20))))


@pytest.mark.parametrize("spec", HOSTED)
def test_other_schedules_are_exact_through_the_host_callback(spec):
    s = lrlab.parse(spec)
    f = to_optax(s)
    assert f.mode == "callback"
    t = _steps(s)
    got = np.asarray(f(jnp.asarray(t, jnp.float32)))  # pure_callback, eager
    np.testing.assert_array_equal(got, _f32(s(t)))


@pytest.mark.parametrize("spec", [
    "warmup(cosine(0.1, steps=900), steps=100)",
    "piecewise(boundaries=[10, 20], values=[0.1, 0.01, 0.001])",
    "noisy_linear_cosine(0.1, steps=100, initial_variance=1e-4, seed=3)",
    "torch.OneCycleLR(0.1, total_steps=100)",
])
def test_host_callback_under_jit_and_vmap(spec):
    s = lrlab.parse(spec)
    f = to_optax(s)
    t = jnp.arange(100)
    ref = _f32(s(np.arange(100)))
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(t)), ref)
    np.testing.assert_array_equal(np.asarray(jax.jit(jax.vmap(f))(t)), ref)
    assert float(jax.jit(f)(7)) == np.float32(s(7))


def test_forced_modes():
    s = lrlab.parse("cosine(0.1, steps=100)")
    c = to_optax(s, mode="callback")
    np.testing.assert_array_equal(np.asarray(jax.jit(c)(jnp.arange(200))),
                                  _f32(s(np.arange(200))))
    w = lrlab.parse("warmup(constant(0.1), steps=10)")
    with pytest.raises(lrlab.ScheduleError, match=r"warmup.*cannot be traced.*mode='callback'"):
        to_optax(w, mode="trace")
    with pytest.raises(lrlab.ScheduleError, match="`mode`.*Received: mode='x'"):
        to_optax(s, mode="x")
    with pytest.raises(lrlab.ScheduleError, match="`schedule`.*Received: schedule=0.1"):
        to_optax(0.1)  # type: ignore[arg-type]
    assert to_optax("constant(0.1)").schedule == lrlab.Constant(0.1)
    f64 = to_optax(s, dtype=jnp.float16)
    assert f64(3).dtype == jnp.float16


def _train(lr, steps=60):
    """A tiny linear regression trained with adam under jit; returns (losses, lrs used)."""
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(64, 3)), jnp.float32)
    y = x @ jnp.asarray([1.0, -2.0, 0.5]) + 0.3
    params = {"w": jnp.zeros(3), "b": jnp.zeros(())}
    opt = optax.inject_hyperparams(optax.adam)(learning_rate=lr)
    state = opt.init(params)

    def loss_fn(p):
        return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

    @jax.jit
    def step(p, st):
        loss, g = jax.value_and_grad(loss_fn)(p)
        upd, st = opt.update(g, st, p)
        return optax.apply_updates(p, upd), st, loss

    losses, lrs = [], []
    for _ in range(steps):
        params, state, loss = step(params, state)
        losses.append(float(loss))
        lrs.append(float(state.hyperparams["learning_rate"]))  # the LR this update used
    return losses, lrs


@pytest.mark.parametrize("spec", [
    "warmup(cosine(0.2, steps=50, alpha=0.1), steps=10)",  # callback
    "one_cycle(0.3, total_steps=60)",  # traced
])
def test_real_training_with_inject_hyperparams(spec):
    s = lrlab.parse(spec)
    losses, lrs = _train(to_optax(s))
    ref = _f32(s(np.arange(60)))
    np.testing.assert_allclose(lrs, ref, rtol=0, atol=1e-5 * ref.max())
    if to_optax(s).mode == "callback":
        np.testing.assert_array_equal(np.asarray(lrs, np.float32), ref)
    assert losses[-1] < 0.1 * losses[0]


def test_plateau_on_an_optax_state_follows_the_controller():
    s = lrlab.parse("cosine(0.1, steps=40)")
    plateau = ReduceLROnPlateau(s, factor=0.5, patience=2, min_lr=0.01)
    twin = Controller(factor=0.5, patience=2, min_lr=0.01)
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0)
    params = {"w": jnp.ones(2)}
    state = opt.init(params)
    metrics = [1.0, 0.8, 0.8, 0.8, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7]
    used = []
    for epoch, metric in enumerate(metrics):
        for _ in range(4):
            state = plateau.inject(state)
            _, state = jax.jit(opt.update)({"w": jnp.ones(2)}, state, params)
            used.append(float(state.hyperparams["learning_rate"]))
        plateau.update(metric, state)
        twin.update(metric, base_lr=s(4 * (epoch + 1)))
        assert plateau.controller.multiplier == twin.multiplier
    expect = []
    twin2 = Controller(factor=0.5, patience=2, min_lr=0.01)
    for epoch, metric in enumerate(metrics):
        expect += [np.float32(twin2.lr(s(4 * epoch + k))) for k in range(4)]
        twin2.update(metric, base_lr=s(4 * (epoch + 1)))
    np.testing.assert_array_equal(np.asarray(used, np.float32), expect)
    # reductions due after epochs 4 and 8; the second is skipped: at step 32 the cosine
    # (0.0095) is already below min_lr, so reducing would change nothing
    assert plateau.controller.num_reductions == 1 and plateau.controller.num_updates == 10
    # resume: a fresh adapter with the saved state continues identically
    saved = json.loads(json.dumps(plateau.state_dict()))
    again = ReduceLROnPlateau(s, factor=0.5, patience=2, min_lr=0.01)
    again.load_state_dict(saved)
    assert again.lr(40) == plateau.lr(40) and again.controller.multiplier == 0.5
    with pytest.raises(lrlab.ScheduleError, match="same schedule"):
        ReduceLROnPlateau("constant(0.1)").load_state_dict(saved)


def test_plateau_errors_and_nested_states():
    with pytest.raises(lrlab.ScheduleError, match="either `controller` or"):
        ReduceLROnPlateau(controller=Controller(), factor=0.5)
    with pytest.raises(lrlab.ScheduleError, match="`controller`.*Received: controller=1"):
        ReduceLROnPlateau(controller=1)  # type: ignore[arg-type]
    with pytest.raises(lrlab.ScheduleError, match="inject_hyperparams.*'learning_rate'"):
        ReduceLROnPlateau().inject(optax.sgd(0.1).init({"w": jnp.zeros(1)}))
    opt = optax.chain(optax.clip_by_global_norm(1.0),
                      optax.inject_hyperparams(optax.adam)(learning_rate=0.5))
    st = opt.init({"w": jnp.zeros(1)})
    st = set_hyperparam(st, 0.125)
    assert float(st[1].hyperparams["learning_rate"]) == 0.125
    assert st[1].hyperparams["learning_rate"].dtype == jnp.float32


def test_float64_with_x64_enabled():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = (
        "import jax, numpy as np, lrlab\n"
        "from lrlab.jax import to_optax\n"
        "for spec in ['one_cycle(0.1, total_steps=1000)', 'warmup(constant(0.1), steps=10)']:\n"
        "    s = lrlab.parse(spec); f = to_optax(s); t = np.arange(1200)\n"
        "    got = np.asarray(jax.jit(f)(t))\n"
        "    assert got.dtype == np.float64, got.dtype\n"
        "    assert np.abs(got - s(t)).max() <= 1e-15 * s(t).max(), spec\n"
        "print('ok')\n"
    )
    env = {**os.environ, "JAX_ENABLE_X64": "1",
           "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-3000:]
