"""The Keras and JAX/optax examples in docs/ run, and the docs show them verbatim.

Each example is a script with its own assertions, run in a fresh process (Keras's backend is
fixed once per process; the Keras ones use the PyTorch backend)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
SCRIPTS = {
    "keras_schedule.py": ("keras", "torch"),
    "keras_pitfalls.py": ("keras", "torch"),
    "jax_optax.py": ("optax", None),
}
DOCS = {"keras.md": "keras_schedule.py", "keras_pitfalls.md": "keras_pitfalls.py",
        "jax.md": "jax_optax.py"}


def _have(*modules: str | None) -> bool:
    import importlib.util

    return all(m is None or importlib.util.find_spec(m) is not None for m in modules)


@pytest.fixture(scope="module")
def runs():
    procs = {}
    for name, (needs, backend) in SCRIPTS.items():
        if not _have(needs, backend):
            continue
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2",
               "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        if backend:
            env["KERAS_BACKEND"] = backend
        procs[name] = subprocess.Popen([sys.executable, str(EXAMPLES / name)], cwd=ROOT, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True)
    yield procs
    for p in procs.values():
        if p.poll() is None:
            p.kill()


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_example_runs(name, runs):
    if name not in runs:
        pytest.skip(f"{name} needs {SCRIPTS[name]}")
    out, _ = runs[name].communicate(timeout=300)
    assert runs[name].returncode == 0, f"{name}:\n{out[-6000:]}"
    assert "Traceback" not in out


@pytest.mark.parametrize("doc", list(DOCS))
def test_docs_show_the_tested_code(doc):
    text = (ROOT / "docs" / doc).read_text()
    example = (EXAMPLES / DOCS[doc]).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, doc
    for block in blocks:
        assert block.strip() in example, f"{doc}: this block is not in {DOCS[doc]}:\n{block}"
    assert f"docs/examples/{DOCS[doc]}" in text
