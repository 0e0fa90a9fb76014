"""Parity of ``lrlab.compat.keras`` with the real ``keras.optimizers.schedules`` (Keras 3).

Keras runs on its TensorFlow back end here (``KERAS_BACKEND`` defaults to ``tensorflow``
before Keras is imported).  Keras computes in the dtype of ``initial_learning_rate``, and
it converts every Python-number parameter to a float32 tensor *before* casting it (even
with ``keras.config.set_floatx('float64')``), so the float64 comparisons pass every real
parameter as a float64 tensor and the steps as an int64 tensor (the optimizer's
``iterations``); lrlab must then agree to ``F64`` (1e-12 relative).  A second test runs
each schedule as users write it (Python numbers, float32) with a float32 criterion.

The Keras 2 optimizer ``decay`` argument is gone from Keras 3; ``keras.legacy_decay`` is
compared against TensorFlow's bundled Keras 2 optimizer
(``tensorflow.python.keras.optimizer_v2.gradient_descent.SGD``, ``_decayed_lr``).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from lrlab.compat import keras as ck
from tests.parity._compare import F64, assert_parity, assert_parity_f32, steps_near

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "tensorflow":  # pragma: no cover - depends on the environment
    pytest.skip("these parity tests use Keras's tensorflow back end", allow_module_level=True)
S = keras.optimizers.schedules

pytestmark = pytest.mark.parity

def _d(x: float) -> object:
    return tf.constant(x, tf.float64)


def _f64(kw: dict) -> dict:
    """Real parameters as float64 tensors (ints, bools, strings, None stay as they are)."""
    return {k: _d(x) if isinstance(x, float) else x for k, x in kw.items()}


def _run(sched: object, t: np.ndarray, dtype: object = None) -> np.ndarray:
    out = sched(tf.constant(t, tf.int64))
    if dtype is not None:
        assert out.dtype == dtype
    return np.asarray(out, dtype=np.float64)


def _run_scalar_cond(sched: object, t: np.ndarray) -> np.ndarray:
    """CosineDecay with warmup uses ops.cond on the step: map it over the steps in a graph."""
    fn = tf.function(
        lambda x: tf.map_fn(sched, x, fn_output_signature=tf.float64)  # type: ignore[arg-type]
    )
    return fn(tf.constant(t, tf.int64)).numpy()


# -- float64 ------------------------------------------------------------------------------------


def _check_rate_decay(name: str, kw: dict, top: int) -> None:
    """``S.<name>(**kw)`` with float64 parameters against ``ck.<name>(**kw)``, at the first
    five multiples of decay_steps and up to ``top * decay_steps``."""
    T = kw["decay_steps"]
    t = steps_near(*(T * k for k in range(1, 6)), top=top * T)
    ref = _run(getattr(S, name)(**_f64(kw)), t, tf.float64)
    assert_parity(getattr(ck, name)(**kw)(t), ref, F64, f"{name} {kw}")


EXP = [
    dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96),
    dict(initial_learning_rate=0.1, decay_steps=100, decay_rate=0.5, staircase=True),
    dict(initial_learning_rate=0.3, decay_steps=7, decay_rate=0.999),
]


@pytest.mark.parametrize("kw", EXP, ids=str)
def test_exponential_decay(kw: dict) -> None:
    _check_rate_decay("ExponentialDecay", kw, top=40)


INV = [
    dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.5),
    dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=2.0, staircase=True),
]


@pytest.mark.parametrize("kw", INV, ids=str)
def test_inverse_time_decay(kw: dict) -> None:
    _check_rate_decay("InverseTimeDecay", kw, top=50)


POLY = [
    dict(initial_learning_rate=0.1, decay_steps=1000),
    dict(initial_learning_rate=0.1, decay_steps=1000, end_learning_rate=0.001, power=2.0),
    dict(initial_learning_rate=0.1, decay_steps=250, end_learning_rate=0.01, power=0.5,
         cycle=True),
    dict(initial_learning_rate=0.001, decay_steps=500, end_learning_rate=0.1, power=1.5),
]


@pytest.mark.parametrize("kw", POLY, ids=str)
def test_polynomial_decay(kw: dict) -> None:
    T = kw["decay_steps"]
    kw64 = _f64({"end_learning_rate": 0.0001, "power": 1.0, **kw})
    t = steps_near(*(T * k for k in range(1, 8)), top=10 * T)
    ref = _run(S.PolynomialDecay(**kw64), t, tf.float64)
    assert_parity(ck.PolynomialDecay(**kw)(t), ref, F64, f"PolynomialDecay {kw}")


@pytest.mark.parametrize(
    "boundaries, values",
    [([100, 200, 1000], [0.1, 0.05, 0.01, 0.001]), ([0, 1, 2], [1.0, 0.5, 0.25, 0.125])],
)
def test_piecewise_constant_decay(boundaries: list, values: list) -> None:
    t = steps_near(*boundaries, top=2 * boundaries[-1] + 10)
    ref = _run(S.PiecewiseConstantDecay(boundaries, [_d(v) for v in values]), t, tf.float64)
    assert np.array_equal(ck.PiecewiseConstantDecay(boundaries, values)(t), ref)


def test_piecewise_constant_decay_fractional_boundaries() -> None:
    # float boundaries with float steps: t <= b keeps the earlier value
    t = np.array([0.0, 9.5, 10.0, 10.25, 10.5, 10.75, 20.0, 30.5, 31.0, 1e9])
    ref = np.asarray(
        S.PiecewiseConstantDecay([10.25, 30.5], [_d(1.0), _d(0.5), _d(0.25)])(_d(t))
    )
    assert np.array_equal(ck.PiecewiseConstantDecay([10.25, 30.5], [1.0, 0.5, 0.25])(t), ref)


COS = [
    dict(initial_learning_rate=0.1, decay_steps=1000),
    dict(initial_learning_rate=0.1, decay_steps=1000, alpha=0.1),
    # warmup_steps without warmup_target: Keras ignores it
    dict(initial_learning_rate=0.1, decay_steps=500, alpha=0.2, warmup_steps=100),
]


@pytest.mark.parametrize("kw", COS, ids=str)
def test_cosine_decay(kw: dict) -> None:
    T = kw["decay_steps"]
    t = steps_near(T, top=3 * T)
    ref = _run(S.CosineDecay(**_f64(kw)), t, tf.float64)
    assert_parity(ck.CosineDecay(**kw)(t), ref, F64, f"CosineDecay {kw}")


WARM = [
    dict(initial_learning_rate=0.0, decay_steps=900, warmup_target=0.1, warmup_steps=100),
    dict(initial_learning_rate=0.01, decay_steps=1000, alpha=0.1, warmup_target=0.5,
         warmup_steps=250),
    dict(initial_learning_rate=0.2, decay_steps=300, alpha=0.05, warmup_target=0.1,
         warmup_steps=30),  # warmup *down* to the target
    dict(initial_learning_rate=0.3, decay_steps=300, warmup_target=0.1, warmup_steps=0),
]


@pytest.mark.parametrize("kw", WARM, ids=str)
def test_cosine_decay_warmup(kw: dict) -> None:
    # decay_steps EXCLUDES warmup (the cosine ends at W + D); alpha is relative to the target
    W, D = kw["warmup_steps"], kw["decay_steps"]
    pts = {0, 1, 2, W - 1, W, W + 1, W + D // 2, W + D - 1, W + D, W + D + 1, 10**6, 10**12}
    pts.update(np.linspace(0, 2 * (W + D), 600).astype(np.int64).tolist())
    t = np.array(sorted(p for p in pts if p >= 0), dtype=np.int64)
    ref = _run_scalar_cond(S.CosineDecay(**_f64(kw)), t)
    s = ck.CosineDecay(**kw)
    assert_parity(s(t), ref, F64, f"CosineDecay {kw}")
    alpha = kw.get("alpha", 0.0)
    assert abs(s(W + D) - kw["warmup_target"] * alpha) <= 1e-15


RESTARTS = [
    dict(initial_learning_rate=0.1, first_decay_steps=100),
    dict(initial_learning_rate=0.1, first_decay_steps=100, t_mul=1.0, m_mul=0.5, alpha=0.1),
    dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=3.0, m_mul=0.7),
    dict(initial_learning_rate=1.0, first_decay_steps=8, t_mul=1.5, m_mul=0.9, alpha=0.05),
    dict(initial_learning_rate=1.0, first_decay_steps=2.5, t_mul=2.0, m_mul=1.0, alpha=0.0),
]


@pytest.mark.parametrize("kw", RESTARTS, ids=str)
def test_cosine_decay_restarts(kw: dict) -> None:
    s = ck.CosineDecayRestarts(**kw)
    starts = np.array([p for p in s.phases() if p <= 10**7])
    t = steps_near(*starts, top=starts[min(len(starts) - 1, 8)])
    ref = _run(S.CosineDecayRestarts(**_f64(kw)), t, tf.float64)
    ours = s(t)
    # At an exact restart step S Keras's cycle index floor(log(1 - f (1 - t_mul)) / log t_mul)
    # can round into the previous cycle, where it returns that cycle's end, the floor
    # alpha * lr (exactly: cos(pi) = -1).  lrlab starts the new cycle at S.  Anywhere else
    # both must agree to F64.
    exact = np.isin(t.astype(np.float64), starts)
    lr = kw["initial_learning_rate"]
    floor = lr * kw.get("alpha", 0.0)
    glitch = exact & (np.abs(ref - floor) <= 1e-15 * lr) & (np.abs(ours - floor) > 1e-9 * lr)
    assert_parity(ours[~glitch], ref[~glitch], F64, f"CosineDecayRestarts {kw}")


def test_cosine_decay_restarts_at_restart_step() -> None:
    # At the first restart step of t_mul=3 Keras returns the floor (0 here) or the new peak,
    # depending on how its log rounds (on this TF build: 0 for a vector of steps, 0.7 for a
    # single step); lrlab always returns the new peak m_mul * lr.
    sched = S.CosineDecayRestarts(_d(1.0), 10, t_mul=_d(3.0), m_mul=_d(0.7))
    vec = _run(sched, np.array([0, 10, 40, 130, 400]))
    one = _run(sched, np.array([10]))
    assert vec[1] in (0.0, 0.7) and one[0] in (0.0, 0.7)
    assert ck.CosineDecayRestarts(1.0, 10, t_mul=3.0, m_mul=0.7)(10) == 0.7


@pytest.mark.parametrize("lr, decay", [(0.125, 2.0**-10), (1.0, 0.5), (0.75, 2.0**-20)])
def test_legacy_decay(lr: float, decay: float) -> None:
    # lr and decay exactly representable in float32: the Keras 2 optimizer stores them as
    # float32 hyperparameters before casting to float64
    from tensorflow.python.keras.optimizer_v2 import gradient_descent

    opt = gradient_descent.SGD(learning_rate=lr, decay=decay)
    t = np.array([0, 1, 2, 3, 10, 100, 1000, 12345, 10**6, 10**9], dtype=np.int64)
    ref = []
    for x in t:
        opt.iterations.assign(int(x))
        ref.append(float(opt._decayed_lr(tf.float64).numpy()))
    assert_parity(ck.legacy_decay(lr, decay)(t), np.array(ref), F64, "legacy_decay")


# -- float32, as users call Keras (Python numbers) ---------------------------------------------


@pytest.mark.parametrize(
    "name, kw",
    [("ExponentialDecay", k) for k in EXP]
    + [("InverseTimeDecay", k) for k in INV]
    + [("PolynomialDecay", k) for k in POLY]
    + [("CosineDecay", k) for k in COS]
    + [("CosineDecayRestarts", RESTARTS[1])],
    ids=str,
)
def test_float32_python_numbers(name: str, kw: dict) -> None:
    t = np.unique(np.concatenate([np.arange(0, 3000, 3), [10**6]])).astype(np.int64)
    ref = _run(getattr(S, name)(**kw), t, tf.float32)
    # Keras rounds every Python-number parameter to float32 first; compare with lrlab given
    # those same float32 values (float32 rounding of decay_rate alone, amplified by the
    # exponent t / T, would exceed F32 at large t)
    kw32 = {k: float(np.float32(x)) if isinstance(x, float) else x for k, x in kw.items()}
    assert_parity_f32(getattr(ck, name)(**kw32)(t), ref, f"{name} {kw} (float32)", "keras")


@pytest.mark.parametrize("name", [n for n in ck.__all__ if n != "legacy_decay"])
def test_signature_matches_keras(name: str) -> None:
    import inspect

    def params(f: object) -> list[tuple[str, object]]:
        sig = inspect.signature(f)  # type: ignore[arg-type]
        return [(p.name, p.default) for p in sig.parameters.values() if p.name != "self"]

    assert params(getattr(ck, name)) == params(getattr(S, name).__init__)
