"""The LR range test on a task of ``lrlab study`` (PyTorch; behind ``lrlab find``).

:func:`find_lr_task` builds the task's model, optimizer and training data exactly as the
study does (:mod:`lrlab.study.models`, :mod:`lrlab.study.data`) and runs
:func:`lrlab.finder.torch.find_lr_torch` on them.  :func:`task_by_name` picks a task of a
preset.  torch and the study modules are imported on call.
"""

from __future__ import annotations

import math
from typing import Any

from lrlab.errors import ScheduleError
from lrlab.finder.core import LRFinderResult

__all__ = ["find_lr_task", "steps_per_epoch", "task_by_name"]


def task_by_name(preset: str, task: str | None = None, *, data: str | None = None) -> Any:
    """The ``TaskConfig`` named ``task`` of ``preset`` (default: its first task)."""
    from lrlab.study.presets import get_preset

    cfg = get_preset(preset, data=data)
    if task is None:
        return cfg.tasks[0]
    for t in cfg.tasks:
        if t.name == task:
            return t
    raise ScheduleError(
        f"argument `task` must be a task of preset {preset!r} "
        f"({', '.join(t.name for t in cfg.tasks)}). Received: task={task!r}"
    )


def steps_per_epoch(task: Any, n_train: int) -> int:
    """Optimizer steps in one epoch of ``task`` over ``n_train`` images (last batch kept)."""
    return max(1, math.ceil(n_train / task.batch_size))


def find_lr_task(
    task: Any,
    *,
    data_dir: str | None = None,
    seed: int = 0,
    start_lr: float = 1e-6,
    end_lr: float = 10.0,
    num_steps: int = 100,
    **options: Any,
) -> tuple[LRFinderResult, int]:
    """Run the LR range test on ``task`` (a study ``TaskConfig``).

    Returns the result and the number of optimizer steps of the task's full training run
    (``epochs x steps per epoch``), the ``total_steps`` a proposed schedule should span.
    ``options`` go to :func:`lrlab.finder.find_lr`.
    """
    import torch

    from lrlab.finder.torch import find_lr_torch
    from lrlab.study.data import load_dataset
    from lrlab.study.models import build_model

    data = load_dataset(task.dataset, data_dir, limit_train=task.limit_train, limit_test=1)
    n_train = len(data.train_y) - round(task.val_fraction * len(data.train_y))
    x = torch.from_numpy(data.train_x[:n_train])
    y = torch.from_numpy(data.train_y[:n_train].astype("int64"))
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, y), batch_size=task.batch_size, shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(task.model, data.in_shape, data.num_classes)
    if task.optimizer == "adam":
        opt: Any = torch.optim.Adam(model.parameters(), lr=start_lr,
                                    weight_decay=task.weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=start_lr, momentum=task.momentum,
                              weight_decay=task.weight_decay)
    result = find_lr_torch(
        model, opt, torch.nn.functional.cross_entropy, loader, start_lr=start_lr,
        end_lr=end_lr, num_steps=num_steps, seed=seed, **options,
    )
    return result, task.epochs * steps_per_epoch(task, n_train)
