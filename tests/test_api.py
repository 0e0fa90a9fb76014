"""The public API: __all__ is complete, the core imports no framework, every family is documented."""

from __future__ import annotations

import doctest
import inspect
import subprocess
import sys

import lrlab
from lrlab.registry import _CLASSES, _CONSTRUCTORS


def test_all_is_complete_and_importable() -> None:
    public = {
        n for n, obj in vars(lrlab).items()
        if not n.startswith("_") and (inspect.isclass(obj) or inspect.isfunction(obj))
    }
    assert public <= set(lrlab.__all__), public - set(lrlab.__all__)
    for name in lrlab.__all__:
        assert hasattr(lrlab, name), name


def test_every_core_schedule_class_is_exported() -> None:
    lrlab.names()  # loads every module
    core = [c for n, c in _CLASSES.items() if "." not in n]
    assert core
    for cls in core:
        assert getattr(lrlab, cls.__name__, None) is cls, cls


def test_importing_lrlab_imports_no_framework() -> None:
    code = (
        "import sys, lrlab; lrlab.names(); lrlab.parse('constant(1)');"
        "bad = [m for m in ('torch', 'tensorflow', 'keras', 'jax', 'optax', 'transformers',"
        " 'matplotlib', 'timm', 'fastai') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_every_registered_constructor_has_a_docstring_with_a_formula_and_an_example() -> None:
    lrlab.names()
    finder = doctest.DocTestFinder()
    for name, obj in _CONSTRUCTORS.items():
        doc = inspect.getdoc(obj) or ""
        assert len(doc.splitlines()) >= 3, f"{name} has no real docstring"
        tests = [t for t in finder.find(obj) if t.examples and t.name.endswith(obj.__name__)]
        assert tests, f"{name} has no doctest example"
