"""``lrlab study``: train real models under different LR schedules and compare them.

This package holds the layers a study is built from:

* :mod:`lrlab.study.data`: dataset loaders (MNIST, Fashion-MNIST, CIFAR-10, and an embedded
  Fashion-MNIST subset); NumPy only.
* :mod:`lrlab.study.models`: the models of the classic experiments (PyTorch).
* :mod:`lrlab.study.trial`: one trial (task x schedule x seed): deterministic training with
  per-epoch checkpoints and exact resume (PyTorch).

Importing :mod:`lrlab.study` does not import PyTorch; :mod:`~lrlab.study.models` and
:mod:`~lrlab.study.trial` import it when they are imported.
"""

from __future__ import annotations

from lrlab.study.data import DATASETS, Dataset, DatasetError, available_datasets, load_dataset

__all__ = ["DATASETS", "Dataset", "DatasetError", "available_datasets", "load_dataset"]
