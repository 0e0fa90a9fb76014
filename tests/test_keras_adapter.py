"""lrlab.keras on real Keras backends: tests/keras_scripts/keras_checks.py in one process per
backend (Keras fixes its backend once per process), started together to share the wait."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("keras") is None:  # (not imported here: it fixes a backend)
    pytest.skip("keras is not installed", allow_module_level=True)
ROOT = Path(__file__).resolve().parents[1]
CHECKS = "tests/keras_scripts/keras_checks.py"
#: backend -> the module it needs.  The JAX backend passes too; it is left out of the default
#: run to keep this file fast: LRLAB_KERAS_BACKENDS=torch,tensorflow,jax adds it.
ALL = {"torch": "torch", "tensorflow": "tensorflow", "jax": "jax"}
BACKENDS = {b: ALL[b] for b in
            os.environ.get("LRLAB_KERAS_BACKENDS", "torch,tensorflow").split(",") if b in ALL}


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.Popen[str]]:
    procs = {}
    for backend, module in BACKENDS.items():
        if not _available(module):
            continue
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2",
               "LRLAB_KERAS_SUBPROCESS": "1",
               "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        procs[backend] = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
             "-p", "no:randomly", CHECKS],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    yield procs
    for p in procs.values():
        if p.poll() is None:
            p.kill()


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_keras_adapter_on_backend(backend, runs):
    if backend not in runs:
        pytest.skip(f"{BACKENDS[backend]} is not installed")
    out, _ = runs[backend].communicate(timeout=300)
    assert runs[backend].returncode == 0, f"KERAS_BACKEND={backend}:\n{out[-6000:]}"
    assert " passed" in out and " failed" not in out
