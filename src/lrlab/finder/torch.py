"""LR range test for a PyTorch model, optimizer and data loader (torch imported on call).

:func:`find_lr_torch` builds the ``train_step`` of :func:`lrlab.finder.find_lr` from a model,
an optimizer, a loss function and an iterable of ``(inputs, targets)`` batches, and puts
everything back afterwards: the model's ``state_dict`` (parameters and buffers), each
parameter's ``.grad``, the ``train``/``eval`` mode, the optimizer's ``state_dict`` (its
state and every param group's ``lr``) and torch's global RNG state are identical before and
after, even when the sweep raises.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from lrlab.finder.core import LRFinderResult, cycle_batches, find_lr

__all__ = ["find_lr_torch"]


def _to(obj: Any, device: Any) -> Any:
    if device is None:
        return obj
    if hasattr(obj, "to"):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to(v, device) for k, v in obj.items()}
    return obj


def find_lr_torch(
    model: Any,
    optimizer: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: Iterable[Any],
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    mode: str = "exp",
    smoothing: float = 0.98,
    diverge: float | None = 4.0,
    suggestion: str = "steepest",
    seed: int | None = 0,
    device: Any = None,
) -> LRFinderResult:
    """Run the LR range test on a torch model and restore model and optimizer afterwards.

    ``data``: an iterable of ``(inputs, targets)`` batches (a ``DataLoader``), restarted
    when exhausted.  Each step sets ``lr`` in every param group, runs
    ``loss_fn(model(inputs), targets)``, ``backward()`` and ``optimizer.step()``.
    ``seed``: torch's RNG is seeded with it inside :func:`torch.random.fork_rng` (so shuffling
    and dropout are reproducible and the caller's RNG state is untouched); ``None`` leaves
    the RNG as it is.  ``device``: where batches are moved (``tensor.to(device)``).
    The other arguments are :func:`lrlab.finder.find_lr`'s.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> model = torch.nn.Linear(2, 1)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.5)
    >>> x = torch.randn(64, 2); y = x @ torch.tensor([[1.0], [-2.0]])
    >>> before = {k: v.clone() for k, v in model.state_dict().items()}
    >>> r = find_lr_torch(model, opt, torch.nn.functional.mse_loss, [(x, y)],
    ...                   start_lr=1e-4, end_lr=10, num_steps=40)
    >>> all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    True
    >>> opt.param_groups[0]["lr"], r.diverged
    (0.5, True)
    """
    import torch

    model_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    opt_state = copy.deepcopy(optimizer.state_dict())
    params = [p for g in optimizer.param_groups for p in g["params"]]
    grads = [None if p.grad is None else p.grad.detach().clone() for p in params]
    was_training = model.training

    it = cycle_batches(data, "find_lr_torch: argument `data`")

    def train_step(lr: float) -> float:
        for g in optimizer.param_groups:
            g["lr"] = lr
        inputs, targets = next(it)
        inputs, targets = _to(inputs, device), _to(targets, device)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    try:
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            model.train()
            return find_lr(
                train_step,
                start_lr=start_lr,
                end_lr=end_lr,
                num_steps=num_steps,
                mode=mode,
                smoothing=smoothing,
                diverge=diverge,
                suggestion=suggestion,
            )
    finally:
        with torch.no_grad():
            model.load_state_dict(model_state)
        optimizer.load_state_dict(opt_state)
        for p, g in zip(params, grads):
            p.grad = g
        model.train(was_training)
