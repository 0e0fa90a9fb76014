"""Parity of ``lrlab.compat.tfa`` with the real TensorFlow Addons cyclical learning rates.

TensorFlow Addons (end of life) installs (``pip install --no-deps tensorflow-addons``) but
``import tensorflow_addons`` fails under Keras 3 (``tensorflow_addons/utils/types.py``
imports ``keras.src.engine``, which Keras 3 no longer has).  The schedules live in one file,
``tensorflow_addons/optimizers/cyclical_learning_rate.py``, that needs only ``tensorflow``,
``typing``, ``typeguard.typechecked`` and the type alias
``tensorflow_addons.utils.types.FloatTensorLike``.  :func:`_load_tfa_clr` executes that
installed, unmodified file with importlib, with two stubs in ``sys.modules`` only while it
runs: ``typeguard`` (``typechecked`` = identity; typeguard is not a dependency we install)
and ``tensorflow_addons.utils.types`` (``FloatTensorLike`` = ``float``, used in annotations
only).  Its classes subclass ``tf.keras.optimizers.schedules.LearningRateSchedule``, which
is Keras 3's; ``__call__`` is TFA's own code running on TensorFlow 2.x.

Every real parameter is passed as a float64 tensor and the steps as a float64 tensor (Keras
2 optimizers cast ``iterations`` to the variable dtype before calling a schedule; TFA's
``'iterations'`` scale mode fails on an int64 step, see docs/compat-tf.md), so TFA computes
in float64 and lrlab must agree to ``F64``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrlab.compat import tfa
from tests.parity._compare import F64, assert_parity

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.parity

_CACHE: dict[str, Any] = {}


def _load_tfa_clr() -> Any:
    if "mod" in _CACHE:
        return _CACHE["mod"]
    spec = importlib.util.find_spec("tensorflow_addons")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("tensorflow-addons is not installed (pip install --no-deps tensorflow-addons)")
    path = Path(next(iter(spec.submodule_search_locations))) / "optimizers"
    path = path / "cyclical_learning_rate.py"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    stubs: dict[str, types.ModuleType] = {}
    for name in ("tensorflow_addons", "tensorflow_addons.utils"):
        stubs[name] = types.ModuleType(name)
        stubs[name].__path__ = []  # type: ignore[attr-defined]
    stubs["tensorflow_addons.utils.types"] = types.ModuleType("tensorflow_addons.utils.types")
    stubs["tensorflow_addons.utils.types"].FloatTensorLike = float  # type: ignore[attr-defined]
    stubs["typeguard"] = types.ModuleType("typeguard")
    stubs["typeguard"].typechecked = lambda f: f  # type: ignore[attr-defined]
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        mspec = importlib.util.spec_from_file_location("_real_tfa_cyclical_lr", path)
        assert mspec is not None and mspec.loader is not None
        mod = importlib.util.module_from_spec(mspec)
        mspec.loader.exec_module(mod)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    _CACHE["mod"] = mod
    return mod


@pytest.fixture(scope="module")
def real() -> Any:
    return _load_tfa_clr()


def _d(x: float) -> Any:
    return tf.constant(x, tf.float64)


def _steps(step_size: float, cycles: int = 8) -> np.ndarray:
    """Integer steps over several cycles, each half-cycle boundary and its neighbours,
    fractional steps, and large steps."""
    period = 2 * step_size
    pts = set(np.arange(0, int(cycles * period) + 3).tolist())
    for k in range(2 * cycles + 1):
        b = k * step_size
        pts.update([b, b - 0.5, b + 0.5, b + 0.25])
    pts.update(np.linspace(0, 40 * period, 1500).tolist())
    pts.update([1e6, 1e6 + step_size / 3, 1e9, 1e12 + 1])
    return np.array(sorted(p for p in pts if p >= 0), dtype=np.float64)


def _run(sched: Any, t: np.ndarray) -> np.ndarray:
    out = sched(tf.constant(t, tf.float64))
    assert out.dtype == tf.float64
    return out.numpy()


SIZES = [2.0, 7.5, 100.0]
BOUNDS = [(0.001, 0.01), (0.1, 0.0), (0.0, 1.0)]  # (initial, maximal): also inverted


@pytest.mark.parametrize("step_size", SIZES)
@pytest.mark.parametrize("bounds", BOUNDS)
@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_triangular(real: Any, step_size: float, bounds: tuple, scale_mode: str) -> None:
    lo, hi = bounds
    t = _steps(step_size)
    ref = _run(
        real.TriangularCyclicalLearningRate(_d(lo), _d(hi), _d(step_size), scale_mode), t
    )
    ours = tfa.TriangularCyclicalLearningRate(lo, hi, step_size, scale_mode)(t)
    assert_parity(ours, ref, F64, f"Triangular {bounds} {step_size} {scale_mode}")


@pytest.mark.parametrize("step_size", SIZES)
@pytest.mark.parametrize("bounds", BOUNDS)
def test_triangular2(real: Any, step_size: float, bounds: tuple) -> None:
    lo, hi = bounds
    t = _steps(step_size)
    ref = _run(real.Triangular2CyclicalLearningRate(_d(lo), _d(hi), _d(step_size)), t)
    ours = tfa.Triangular2CyclicalLearningRate(lo, hi, step_size)(t)
    assert_parity(ours, ref, F64, f"Triangular2 {bounds} {step_size}")


def test_triangular2_iterations(real: Any) -> None:
    # TFA evaluates 1 / 2 ** (x - 1) at the step itself in 'iterations' mode
    t = _steps(5.0)
    ref = _run(
        real.Triangular2CyclicalLearningRate(_d(0.01), _d(0.1), _d(5.0), "iterations"), t
    )
    ours = tfa.Triangular2CyclicalLearningRate(0.01, 0.1, 5.0, "iterations")(t)
    assert_parity(ours, ref, F64, "Triangular2 iterations")


@pytest.mark.parametrize(
    "scale_mode, gamma",
    [("iterations", 0.999), ("iterations", 1.0), ("iterations", 0.9), ("cycle", 0.8),
     ("cycle", 1.0)],
)
@pytest.mark.parametrize("step_size", [4.0, 50.0])
def test_exponential(real: Any, scale_mode: str, gamma: float, step_size: float) -> None:
    t = _steps(step_size)
    ref = _run(
        real.ExponentialCyclicalLearningRate(
            _d(0.001), _d(0.1), _d(step_size), scale_mode, gamma=_d(gamma)
        ),
        t,
    )
    ours = tfa.ExponentialCyclicalLearningRate(0.001, 0.1, step_size, scale_mode, gamma)(t)
    assert_parity(ours, ref, F64, f"Exponential {scale_mode} {gamma} {step_size}")


def test_exponential_growing_gamma(real: Any) -> None:
    # gamma > 1 grows; compared where it stays finite
    t = np.arange(0, 400, dtype=np.float64)
    ref = _run(
        real.ExponentialCyclicalLearningRate(_d(0.001), _d(0.01), _d(10.0), "cycle", _d(1.1)),
        t,
    )
    ours = tfa.ExponentialCyclicalLearningRate(0.001, 0.01, 10.0, "cycle", 1.1)(t)
    assert_parity(ours, ref, F64, "Exponential gamma > 1")


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_generic_with_callable(real: Any, scale_mode: str) -> None:
    # the same Python callable on both sides (TFA calls it with a tensor, lrlab with numbers)
    def fn(x: Any) -> Any:
        return 1.0 / (1.0 + 0.25 * x)

    t = _steps(6.0)
    ref = _run(real.CyclicalLearningRate(_d(0.01), _d(0.2), _d(6.0), fn, scale_mode), t)
    ours = tfa.CyclicalLearningRate(0.01, 0.2, 6.0, fn, scale_mode)(t)
    assert_parity(ours, ref, F64, f"CyclicalLearningRate callable {scale_mode}")


def test_int64_step_fails_in_tfa_iterations_mode(real: Any) -> None:
    # documented TFA quirk: gamma ** step with an int64 step (Keras 3's `iterations`) fails
    sched = real.ExponentialCyclicalLearningRate(0.001, 0.1, 10.0, gamma=0.99)
    with pytest.raises((TypeError, ValueError)):
        sched(tf.constant(3, tf.int64))
    assert tfa.ExponentialCyclicalLearningRate(0.001, 0.1, 10.0, gamma=0.99)(3) > 0.001


@pytest.mark.parametrize("name", tfa.__all__)
def test_signature_matches_tfa(real: Any, name: str) -> None:
    import inspect

    def params(f: object) -> list[tuple[str, object]]:
        sig = inspect.signature(f)  # type: ignore[arg-type]
        return [(p.name, p.default) for p in sig.parameters.values() if p.name != "self"]

    assert params(getattr(tfa, name)) == params(getattr(real, name).__init__)
