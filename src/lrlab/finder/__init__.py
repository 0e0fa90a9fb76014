"""The LR range test: a framework-free core, named suggestions, and torch / Keras wrappers.

>>> from lrlab.finder import find_lr
>>> r = find_lr(lambda lr: (lr - 0.1) ** 2 + 1, start_lr=1e-3, end_lr=1, num_steps=31)
>>> sorted(r.suggestions)
['minimum', 'steepest', 'valley']

The wrappers import their framework only when called: :func:`lrlab.finder.torch.find_lr_torch`
and :func:`lrlab.finder.keras.find_lr_keras`.
"""

from __future__ import annotations

from lrlab.finder.core import LRFinderResult, find_lr, sweep_lrs
from lrlab.finder.suggestions import SUGGESTIONS

__all__ = ["SUGGESTIONS", "LRFinderResult", "find_lr", "sweep_lrs"]
