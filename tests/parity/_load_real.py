"""Load the REAL scheduler code of timm and fastai without torchvision.

timm and fastai both declare torchvision as a dependency, and importing their top-level
packages pulls it in (timm/__init__.py imports the model zoo; fastai's ``callback.schedule``
starts with ``from ..basics import *``, which needs torchvision, pandas, fasttransform, ...).
CI installs them with ``pip install --no-deps timm fastai fastcore fastprogress`` (pure-Python
wheels; no second torch).  The scheduler code itself needs only torch, so this module runs the
installed, unmodified source as follows:

**timm** (:func:`timm_scheduler`): a stub package module ``timm`` is put in ``sys.modules``
with ``__path__`` pointing at the installed ``timm`` directory, so ``timm/__init__.py`` is
never executed; then the real submodules ``timm.scheduler.cosine_lr`` etc. are imported
normally (``timm/scheduler/__init__.py`` runs too: it only imports the scheduler modules,
which need nothing but torch).  A stub is installed only while loading and removed
afterwards if it was not there before, so a real ``import timm`` elsewhere is not affected.

**fastai** (:func:`fastai_schedule`): the needed top-level functions and classes are
extracted with :mod:`ast` from the installed ``fastai/callback/schedule.py`` (``_Annealer``,
``sched_lin``/``cos``/``no``/``exp``, ``SchedLin``/``Cos``/``No``/``Exp``, ``SchedPoly``,
``combine_scheds``, ``combined_cos``), together with ``tensor`` and ``_array2tensor`` from
``fastai/torch_core.py`` and the two methods of ``TrainEvalCallback`` (``before_train``,
``after_batch`` in ``fastai/callback/core.py``) that compute ``learn.pct_train``, the
position every fastai ``ParamScheduler`` reads.  The extracted source is compiled with the
real file name and executed in a namespace holding what those lines use: ``math``,
``functools``, ``numbers``, ``sys``, ``numpy``, ``torch``, and fastcore's ``L``,
``store_attr`` and ``use_kwargs_dict`` (the real fastcore).  No line of fastai is
rewritten; only the module-level imports are skipped.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import math
import numbers
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed", allow_module_level=True)
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def timm_scheduler() -> types.ModuleType:
    """The real ``timm.scheduler`` package (timm/__init__.py is not executed)."""
    pytest.importorskip("torch")
    if "timm" in sys.modules and hasattr(sys.modules["timm"], "__file__"):
        return importlib.import_module("timm.scheduler")  # a real timm is already imported
    root = _package_dir("timm")
    stub_added = "timm" not in sys.modules
    if stub_added:
        stub = types.ModuleType("timm")
        stub.__path__ = [str(root)]
        stub.__package__ = "timm"
        sys.modules["timm"] = stub
    try:
        mod = importlib.import_module("timm.scheduler")
    finally:
        if stub_added:
            # keep the loaded submodules (they hold references to one another) but drop the
            # stub so that nothing else mistakes it for the real package
            del sys.modules["timm"]
    return mod


def timm_version() -> str:
    from importlib.metadata import version

    return version("timm")


def fastai_version() -> str:
    from importlib.metadata import version

    return version("fastai")


def _extract(path: Path, names: set[str], ns: dict[str, Any]) -> None:
    """Compile and execute the top-level definitions ``names`` of the file ``path`` in ``ns``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    body: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            body.append(node)
        elif isinstance(node, ast.Assign) and any(
            isinstance(tgt, ast.Attribute)
            and isinstance(tgt.value, ast.Name)
            and tgt.value.id in names
            for tgt in node.targets
        ):
            body.append(node)  # e.g. ``SchedLin.__doc__ = ...``
    found = {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    missing = names - found
    assert not missing, f"{path}: definitions not found: {sorted(missing)}"
    module = ast.Module(body=body, type_ignores=[])
    exec(compile(module, str(path), "exec"), ns)


def _extract_methods(path: Path, cls: str, methods: set[str], ns: dict[str, Any]) -> None:
    """Execute the methods ``methods`` of class ``cls`` in ``path`` as plain functions."""
    tree = ast.parse(path.read_text(), filename=str(path))
    body: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            body = [
                n for n in node.body if isinstance(n, ast.FunctionDef) and n.name in methods
            ]
    assert {n.name for n in body} == methods, f"{path}: {cls} methods not found"  # type: ignore[attr-defined]
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), ns)


@functools.cache
def fastai_schedule() -> types.SimpleNamespace:
    """The real fastai annealers, ``combine_scheds`` and the ``pct_train`` bookkeeping."""
    torch = pytest.importorskip("torch")
    fastcore_foundation = pytest.importorskip("fastcore.foundation")
    fastcore_basics = pytest.importorskip("fastcore.basics")
    fastcore_meta = pytest.importorskip("fastcore.meta")
    root = _package_dir("fastai")

    class _NoPandas:  # ``tensor`` tests isinstance(x, (pd.Series, pd.DataFrame))
        Series = type("Series", (), {})
        DataFrame = type("DataFrame", (), {})

    ns: dict[str, Any] = {
        "__name__": "fastai_real",
        "math": math,
        "functools": functools,
        "numbers": numbers,
        "sys": sys,
        "np": np,
        "ndarray": np.ndarray,
        "array": np.array,
        "torch": torch,
        "Tensor": torch.Tensor,
        "as_tensor": torch.as_tensor,
        "pd": _NoPandas,
        "L": fastcore_foundation.L,
        "store_attr": fastcore_basics.store_attr,
        "use_kwargs_dict": fastcore_meta.use_kwargs_dict,  # decorates ``tensor``
    }
    _extract(root / "torch_core.py", {"tensor", "_array2tensor"}, ns)
    _extract(
        root / "callback" / "schedule.py",
        {
            "_Annealer",
            "annealer",
            "sched_lin",
            "sched_cos",
            "sched_no",
            "sched_exp",
            "SchedLin",
            "SchedCos",
            "SchedNo",
            "SchedExp",
            "SchedPoly",
            "combine_scheds",
            "combined_cos",
        },
        ns,
    )
    _extract_methods(
        root / "callback" / "core.py", "TrainEvalCallback", {"before_train", "after_batch"}, ns
    )
    return types.SimpleNamespace(**{k: v for k, v in ns.items() if not k.startswith("__")})


def fastai_positions(n_epoch: int, n_iter: int) -> np.ndarray:
    """``learn.pct_train`` as fastai's ParamScheduler reads it before each training batch.

    Drives the real ``TrainEvalCallback.before_train`` / ``after_batch`` over ``n_epoch``
    epochs of ``n_iter`` batches: ``pct_train = epoch / n_epoch`` at each epoch start, then
    ``+= 1 / (n_iter * n_epoch)`` after each batch (an accumulated sum, not ``t / total``).
    """
    fa = fastai_schedule()

    class _Model:
        def train(self) -> None:
            pass

    learn = types.SimpleNamespace(pct_train=0.0, train_iter=0, training=False)
    cb = types.SimpleNamespace(learn=learn, n_iter=n_iter, n_epoch=n_epoch, model=_Model())
    out = []
    for epoch in range(n_epoch):
        cb.epoch = epoch
        fa.before_train(cb)
        for _ in range(n_iter):
            out.append(learn.pct_train)  # ParamScheduler.before_batch: f(self.pct_train)
            fa.after_batch(cb)
    return np.array(out, dtype=np.float64)


def timm_values(sched: Any, steps: np.ndarray) -> np.ndarray:
    """``param_groups[0]['lr']`` after ``step(t)`` (t_in_epochs) or ``step_update(t)``."""
    out = np.empty(len(steps), dtype=np.float64)
    for j, t in enumerate(steps.tolist()):
        if sched.t_in_epochs:
            sched.step(t)
        else:
            sched.step_update(t)
        out[j] = sched.optimizer.param_groups[0]["lr"]
    return out


def timm_optimizer(lr: float) -> Any:
    """A one-parameter SGD optimizer with base LR ``lr`` (what timm schedulers read)."""
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([p], lr=lr)
