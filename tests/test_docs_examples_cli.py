"""Every example in docs/cli.md, docs/plotting.md and docs/lr_finder.md runs, and prints what
the page says.

* ``console`` blocks: each ``$ lrlab ...`` line runs in-process (``lrlab.cli.main``) in a
  temporary directory; its stdout + stderr must match the lines after it (``...`` matches
  any text); an output with ``error:`` must come with a non-zero exit code, others with 0.
* ``python`` blocks: each must be a verbatim excerpt of a script in docs/examples/.
* the scripts of these pages (``EXAMPLES``) that need no deep-learning framework run here
  (the torch and Keras ones in tests/test_docs_examples_finder.py), writing into a temporary
  directory.
"""

from __future__ import annotations

import re
import runpy
import shlex
import sys
from pathlib import Path

import pytest

from lrlab.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = ["cli.md", "plotting.md", "lr_finder.md"]
# the scripts these pages use (other pages' scripts are tested with those pages)
EXAMPLES = ["export_values.py", "gallery.py", "lr_finder_keras.py", "lr_finder_numpy.py",
            "lr_finder_torch.py", "plot_composite.py", "tensorboard_export.py"]
FRAMEWORK_EXAMPLES = {"lr_finder_torch.py", "lr_finder_keras.py"}


def _blocks(page: str, lang: str) -> list[str]:
    text = (DOCS / page).read_text()
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def _console_cases():
    cases = []
    for page in PAGES:
        for block in _blocks(page, "console"):
            cmd, out = None, []
            for line in block.splitlines():
                if line.startswith("$ "):
                    if cmd is not None:
                        cases.append(pytest.param(cmd, "\n".join(out), id=f"{page}:{cmd[:60]}"))
                    cmd, out = line[2:], []
                elif cmd is not None:
                    out.append(line)
            if cmd is not None:
                cases.append(pytest.param(cmd, "\n".join(out), id=f"{page}:{cmd[:60]}"))
    return cases


def _matches(expected: str, got: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, got, flags=re.S) is not None


def test_the_pages_have_console_examples():
    assert len(_console_cases()) >= 10


@pytest.mark.parametrize(("command", "expected"), _console_cases())
def test_console_example(command, expected, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps usage lines to the terminal width
    argv = shlex.split(command)
    assert argv[0] == "lrlab"
    torch, threads = None, 0
    if argv[1] == "find":  # trains a small PyTorch model
        torch = pytest.importorskip("torch")
        pytest.importorskip("lrlab.study.presets")
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # two shared cores: one thread is much faster here
    try:
        code = main(argv[1:])
    except SystemExit as e:
        code = e.code
    finally:
        if torch is not None:
            torch.set_num_threads(threads)
    out, err = capsys.readouterr()
    got = (out + err).rstrip("\n")
    assert _matches(expected.rstrip("\n"), got), f"\n--- expected\n{expected}\n--- got\n{got}"
    if "error:" in expected:
        assert code == 2
    else:
        assert code == 0


def _python_cases():
    return [
        pytest.param(page, i, block, id=f"{page}:{i}")
        for page in PAGES
        for i, block in enumerate(_blocks(page, "python"))
    ]


@pytest.mark.parametrize(("page", "index", "block"), _python_cases())
def test_python_blocks_are_excerpts_of_example_scripts(page, index, block):
    scripts = {name: (DOCS / "examples" / name).read_text() for name in EXAMPLES}
    assert any(block in text for text in scripts.values()), (
        f"{page} python block {index} is not verbatim in any docs/examples/*.py:\n{block}"
    )


def test_example_scripts_are_linked_from_the_pages():
    text = "".join((DOCS / page).read_text() for page in PAGES)
    for name in EXAMPLES:
        assert (DOCS / "examples" / name).exists(), name
        assert f"examples/{name}" in text, name


@pytest.mark.parametrize(
    "script",
    [name for name in EXAMPLES if name not in FRAMEWORK_EXAMPLES],
)
def test_example_script_runs(script, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [script, str(tmp_path)])
    runpy.run_path(str(DOCS / "examples" / script), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip()
    if script == "plot_composite.py":
        assert (tmp_path / "composite.png").read_bytes()[:4] == b"\x89PNG"
    if script == "gallery.py":
        assert (tmp_path / "gallery" / "overview.png").exists()
    if script == "tensorboard_export.py":
        assert sorted(p.name for p in (tmp_path / "tb").iterdir()) == ["one_cycle",
                                                                       "warmup_cosine"]


def test_readme_images_exist():
    for name in ["gallery/overview.png", "composite.png", "lr_finder.png"]:
        assert (DOCS / "images" / name).read_bytes()[:4] == b"\x89PNG", name
