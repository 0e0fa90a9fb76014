"""LR range test for a compiled Keras 3 model (keras imported on call; any backend).

:func:`find_lr_keras` builds the ``train_step`` of :func:`lrlab.finder.find_lr` from
``model.train_on_batch`` and puts everything back afterwards: every model variable
(weights and non-trainable state), every optimizer variable (iteration count, moments, the
learning rate) and the compiled metrics' variables hold the same values before and after,
even when the sweep raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from lrlab.errors import ScheduleError
from lrlab.finder.core import LRFinderResult, cycle_batches, find_lr

__all__ = ["find_lr_keras"]


def _variables(model: Any) -> list[Any]:
    opt = model.optimizer
    seen: set[int] = set()
    out = []
    for v in [*model.variables, *opt.variables, *getattr(model, "metrics_variables", [])]:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def find_lr_keras(
    model: Any,
    x: Any,
    y: Any = None,
    *,
    batch_size: int = 32,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    mode: str = "exp",
    smoothing: float = 0.98,
    diverge: float | None = 4.0,
    suggestion: str = "steepest",
    seed: int | None = 0,
) -> LRFinderResult:
    """Run the LR range test on a compiled Keras model and restore it afterwards.

    ``x``, ``y``: arrays, batched by ``batch_size`` in an order shuffled with ``seed``
    (``None``: in order) and restarted when exhausted; or ``x`` an iterable of ``(x, y)``
    batches and ``y=None``.  Each step assigns ``lr`` to the optimizer's learning rate and runs
    ``model.train_on_batch``.  The model must be compiled with an optimizer whose learning
    rate is a number (not a LearningRateSchedule).  Randomness inside layers (dropout)
    follows Keras's global seed (``keras.utils.set_random_seed``).  The other arguments are
    :func:`lrlab.finder.find_lr`'s.
    """
    import keras

    opt = getattr(model, "optimizer", None)
    if opt is None:
        raise ScheduleError(
            "find_lr_keras: argument `model` must be compiled with an optimizer "
            "(model.compile(optimizer=..., loss=...)). Received: an uncompiled model"
        )
    schedule_cls = keras.optimizers.schedules.LearningRateSchedule
    if isinstance(getattr(opt, "_learning_rate", None), schedule_cls):
        raise ScheduleError(
            "find_lr_keras: the model's optimizer must have a numeric learning rate, not a "
            "LearningRateSchedule: compile a copy with a number for the range test"
        )
    if not opt.built:
        opt.build(model.trainable_variables)
    variables = _variables(model)
    saved = [np.array(keras.ops.convert_to_numpy(v), copy=True) for v in variables]

    if y is None:
        source: Iterable[Any] = x
    else:
        xs, ys = np.asarray(x), np.asarray(y)
        if len(xs) != len(ys):
            raise ScheduleError(
                f"find_lr_keras: arguments `x` and `y` must have the same length. "
                f"Received: {len(xs)} and {len(ys)}"
            )
        rng = np.random.default_rng(seed)

        def array_batches() -> Iterable[Any]:
            while True:
                order = rng.permutation(len(xs)) if seed is not None else np.arange(len(xs))
                for a in range(0, len(xs), batch_size):
                    idx = order[a : a + batch_size]
                    yield xs[idx], ys[idx]

        source = array_batches()

    it = cycle_batches(source, "find_lr_keras: argument `x`")

    def train_step(lr: float) -> float:
        opt.learning_rate.assign(lr)
        xb, yb = next(it)
        out = model.train_on_batch(xb, yb, return_dict=True)
        return float(out["loss"])

    try:
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
        for v, value in zip(variables, saved):
            v.assign(value)
