"""PyTorch adapter: drive any ``torch.optim`` optimizer from lrlab schedules (extra ``torch``).

:class:`Scheduler` sets every parameter group's LR (and optionally momentum / Adam's beta1,
weight decay or any other group key) to ``schedule(count)`` from the closed form, where
``count`` is the number of optimizer updates really applied.  It is a drop-in replacement for
``torch.optim.lr_scheduler`` objects (``step()``, ``get_last_lr()``, ``state_dict()``,
``load_state_dict()``; it is an instance of ``torch.optim.lr_scheduler.LRScheduler``, so
Lightning's and Hugging Face's trainers accept it), and it composes with a
:class:`lrlab.plateau.ReduceLROnPlateau` controller.  See ``docs/torch.md``.

This subpackage is the only place in lrlab that imports torch; ``import lrlab`` does not
import it.
"""

from __future__ import annotations

from lrlab.torch._scheduler import Scheduler, mean_across_ranks

__all__ = ["Scheduler", "mean_across_ranks"]
