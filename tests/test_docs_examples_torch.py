"""Every PyTorch example under docs/examples (torch_*.py) runs and its assertions hold; the
code blocks of docs/torch.md and docs/plateau.md that are marked as complete also run."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")

DOCS = Path(__file__).resolve().parents[1] / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("torch_*.py"))


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Any:
    """Tiny models: one intra-op thread is faster, and steady on a busy 2-core CI box."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_there_are_examples() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"torch_train.py", "torch_plateau.py", "torch_one_cycle.py"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("doc", ["torch.md", "plateau.md"])
def test_python_blocks_in_docs_run(doc: str) -> None:
    text = (DOCS / doc).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, f"{doc} has no python block"
    for i, block in enumerate(blocks):
        if "# (fragment)" in block:
            continue
        try:
            exec(compile(block, f"{doc}[block {i}]", "exec"), {"__name__": f"doc_{i}"})
        except Exception as e:  # pragma: no cover - the message says which block
            raise AssertionError(f"{doc} block {i} failed: {e!r}\n{block}") from e
