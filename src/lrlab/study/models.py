"""The models of ``lrlab study``'s experiments (PyTorch).

:func:`build_model` returns a fresh ``torch.nn.Module`` whose parameters are drawn from
PyTorch's global generator, so ``torch.manual_seed(s)`` before the call makes it
deterministic.  Inputs are ``float32`` images ``[N, C, H, W]`` in ``[0, 1]``
(:mod:`lrlab.study.data`); outputs are ``[N, num_classes]`` logits (train with
``cross_entropy``).

``'softmax'``
    Softmax regression (a single linear layer on the flattened image), as in TensorFlow's
    MNIST tutorial used for ``tf.train.exponential_decay``: weights **and** bias initialised
    :math:`\\mathcal{N}(0, 1)` (``tf.Variable(tf.random_normal(...))``), not PyTorch's
    default uniform init.
``'lenet5'``
    LeCun's LeNet-5 in its usual modern form: conv 6 5x5, ReLU, max-pool 2, conv 16 5x5,
    ReLU, max-pool 2, dense 120, ReLU, dense 84, ReLU, dense ``num_classes`` (PyTorch's
    default init).  On 3x32x32 (CIFAR-10) the flattened features are 16x5x5 as in the
    original; other sizes are computed from ``in_shape``.
``'fashion-cnn'``
    The Keras CLR tutorial's CNN: conv 16 5x5 + ReLU, max-pool 2, conv 32 5x5 + ReLU,
    max-pool 2, spatial dropout 0.2 (``Dropout2d``), global average pooling, dense 128 + ReLU,
    dense ``num_classes``.  Convolutions are ``'valid'`` (no padding), as Keras' default.
``'mlp'``
    A small fast baseline: flatten, dense 64 + ReLU, dense ``num_classes``.

>>> import torch
>>> _ = torch.manual_seed(0)
>>> m = build_model("fashion-cnn", (1, 28, 28), 10)
>>> m(torch.zeros(2, 1, 28, 28)).shape
torch.Size([2, 10])
>>> sum(p.numel() for p in build_model("mlp", (1, 28, 28), 10).parameters())
50890
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MODELS", "ModelError", "build_model"]

from lrlab.errors import LrlabError

#: The model names :func:`build_model` knows.
MODELS = ("softmax", "lenet5", "fashion-cnn", "mlp")


class ModelError(LrlabError):
    """An unknown model name or an input shape the model cannot take."""


def _softmax(in_shape: tuple[int, int, int], k: int) -> nn.Module:
    c, h, w = in_shape
    lin = nn.Linear(c * h * w, k)
    with torch.no_grad():
        lin.weight.normal_(0.0, 1.0)
        lin.bias.normal_(0.0, 1.0)
    return nn.Sequential(nn.Flatten(), lin)


def _conv_out(size: int, name: str, in_shape: tuple[int, int, int]) -> int:
    # conv 5x5 valid then max-pool 2, twice
    for _ in range(2):
        size = (size - 4) // 2
    if size < 1:
        raise ModelError(f"build_model: model {name!r} needs images of at least 16x16. "
                         f"Received: in_shape={in_shape}")
    return size


def _lenet5(in_shape: tuple[int, int, int], k: int) -> nn.Module:
    c, h, w = in_shape
    oh, ow = _conv_out(h, "lenet5", in_shape), _conv_out(w, "lenet5", in_shape)
    return nn.Sequential(
        nn.Conv2d(c, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * oh * ow, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, k),
    )


def _fashion_cnn(in_shape: tuple[int, int, int], k: int) -> nn.Module:
    c, h, w = in_shape
    _conv_out(h, "fashion-cnn", in_shape)
    _conv_out(w, "fashion-cnn", in_shape)
    return nn.Sequential(
        nn.Conv2d(c, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout2d(0.2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(32, 128), nn.ReLU(),
        nn.Linear(128, k),
    )


def _mlp(in_shape: tuple[int, int, int], k: int) -> nn.Module:
    c, h, w = in_shape
    return nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, 64), nn.ReLU(), nn.Linear(64, k))


_BUILDERS = {"softmax": _softmax, "lenet5": _lenet5, "fashion-cnn": _fashion_cnn, "mlp": _mlp}


def build_model(name: str, in_shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """A fresh model ``name`` (one of :data:`MODELS`) for images of shape ``in_shape``
    ``(C, H, W)`` and ``num_classes`` classes; see the module docstring.

    >>> build_model("resnet", (1, 28, 28), 10)
    Traceback (most recent call last):
    ...
    lrlab.study.models.ModelError: build_model: argument `name` must be one of 'softmax', \
'lenet5', 'fashion-cnn', 'mlp'. Received: name='resnet'
    """
    if name not in _BUILDERS:
        raise ModelError(f"build_model: argument `name` must be one of "
                         f"{', '.join(map(repr, MODELS))}. Received: name={name!r}")
    shape = tuple(in_shape)
    if len(shape) != 3 or not all(isinstance(d, int) and d >= 1 for d in shape):
        raise ModelError("build_model: argument `in_shape` must be (C, H, W) of ints >= 1. "
                         f"Received: in_shape={in_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ModelError("build_model: argument `num_classes` must be an int >= 2. "
                         f"Received: num_classes={num_classes!r}")
    return _BUILDERS[name]((shape[0], shape[1], shape[2]), num_classes)
