"""The LR-finder example scripts that need a framework (docs/examples/lr_finder_*.py) run."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


def test_torch_example(tmp_path, monkeypatch, capsys):
    torch = pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    if not MNIST.exists():
        pytest.skip(f"MNIST not found at {MNIST}")
    monkeypatch.setenv("MNIST_DIR", str(MNIST))
    monkeypatch.setattr(sys, "argv", ["lr_finder_torch.py", str(tmp_path)])
    n = torch.get_num_threads()
    torch.set_num_threads(1)  # two shared cores: one thread is much faster here
    try:
        runpy.run_path(str(EXAMPLES / "lr_finder_torch.py"), run_name="__main__")
    finally:
        torch.set_num_threads(n)
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("one_cycle(") and out[2].startswith("cyclic(")
    assert (tmp_path / "lr_finder.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_example(monkeypatch, capsys):
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    runpy.run_path(str(EXAMPLES / "lr_finder_keras.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("one_cycle(")
