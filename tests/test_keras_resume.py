"""Exact resume with Keras save / load: train small models with lrlab LR control, save at a
random step, load in a fresh process, continue; the LR of every update and the final weights
and optimizer variables equal an uninterrupted run bit for bit.

The work is in tests/keras_scripts/keras_resume.py (one process per phase and backend)."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("keras") is None:  # (not imported here: it fixes a backend)
    pytest.skip("keras is not installed", allow_module_level=True)
ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "tests" / "keras_scripts" / "keras_resume.py")
BACKENDS = [b for b in ("torch", "tensorflow") if importlib.util.find_spec(b)]
MODES = ("schedule", "step", "epoch", "plateau")
TOTAL, PER_EPOCH = 24, 4  # as in the script


def _env(backend: str) -> dict[str, str]:
    return {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def _run_all(phase: str, dirs: dict[str, Path], cut: tuple[int, int]) -> None:
    procs = {b: subprocess.Popen([sys.executable, SCRIPT, phase, str(dirs[b]), *map(str, cut)],
                                 env=_env(b), cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True) for b in dirs}
    for b, p in procs.items():
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, f"{phase} on {b} (save at {cut}):\n{out[-6000:]}"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    cut = (random.randrange(1, TOTAL), random.randrange(1, TOTAL // PER_EPOCH))
    dirs = {b: tmp_path_factory.mktemp(b) for b in BACKENDS}
    _run_all("first", dirs, cut)
    _run_all("second", dirs, cut)  # fresh processes: load_model + the callbacks' state

    def load(b, name):
        return json.loads((dirs[b] / f"{name}.json").read_text())

    return cut, load


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("backend", ["torch", "tensorflow"])
def test_resume_is_bit_exact(backend, mode, results):
    if backend not in BACKENDS:
        pytest.skip(f"{backend} is not installed")
    cut, load = results
    full, first, second = (load(backend, f"{mode}-{r}") for r in ("full", "first", "second"))
    where = f"{backend}/{mode}, saved at step {cut[0]} / epoch {cut[1]}"
    assert len(full["lrs"]) == TOTAL and full["iterations"] == TOTAL, where
    assert first["lrs"] + second["lrs"] == full["lrs"], where
    assert second["digest"] == full["digest"], where  # weights + optimizer state, bitwise
    assert len(set(full["lrs"])) >= 3, where  # the LR really changes along the run


def test_the_plateau_run_reduces(results):
    _, load = results
    b = BACKENDS[0]
    plateau, plain = load(b, "plateau-full")["lrs"], load(b, "step-full")["lrs"]
    ratios = {round(p / s, 6) for p, s in zip(plateau, plain) if s}
    assert {1.0, 0.5} <= ratios  # at least one reduction, on top of the same schedule
