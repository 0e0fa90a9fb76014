"""Named study configurations: the default ``tour`` and three classic experiments.

Each :class:`Preset` carries its configuration, the original experiment's setup and reported
numbers, and where lrlab's version differs (shown by ``lrlab study --list-presets`` and in
docs/presets.md).  ``get_preset(name, data=...)`` swaps the dataset (``--data``), e.g. to run
the MNIST or CIFAR-10 experiments on Fashion-MNIST when those files are not at hand.

>>> sorted(PRESETS)
['cifar-lenet-plateau', 'cifar-lenet-plateau-1e-4', 'fashion-clr', 'tf-mnist-expdecay', 'tour']
>>> cfg = get_preset("tour")
>>> len(cfg.schedules), cfg.tasks[0].dataset
(8, 'fashion-mnist-mini')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrlab.study.config import ConfigError, StudyConfig

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "get_preset"]

#: the preset ``lrlab study`` runs with no argument.
DEFAULT_PRESET = "tour"


@dataclass(frozen=True)
class Preset:
    """A named configuration with its provenance."""

    name: str
    summary: str
    config: dict[str, Any]
    original: str = ""
    reported: dict[str, float] = field(default_factory=dict)
    differences: str = ""

    def study_config(self) -> StudyConfig:
        """The validated :class:`StudyConfig`."""
        return StudyConfig.from_dict(self.config, f"preset {self.name!r}")


_TOUR_LR = 0.05

PRESETS: dict[str, Preset] = {}


def _add(p: Preset) -> None:
    PRESETS[p.name] = p


_add(Preset(
    name="tour",
    summary="The default: eight schedules on one small task (a tour of lrlab).",
    config={
        "name": "tour",
        "description": "constant, step, exponential, cosine, warmup+cosine, one-cycle, "
                       "triangular2 CLR and plateau, SGD with momentum 0.9, on the embedded "
                       "Fashion-MNIST subset (4 000 train, 1 000 validation, 1 000 test "
                       "images). Sized to finish in a few minutes on 2 CPU cores.",
        "seeds": [0, 1],
        "target_accuracy": 0.75,
        "tasks": [{
            "name": "fashion-mini-mlp", "dataset": "fashion-mnist-mini", "model": "mlp",
            "optimizer": "sgd", "momentum": 0.9, "batch_size": 64, "epochs": 8,
            "val_fraction": 0.2,
        }],
        "schedules": [
            {"name": "constant", "spec": f"constant({_TOUR_LR})"},
            {"name": "step", "spec": f"step_decay({_TOUR_LR}, step_size={{3*steps_per_epoch}}, "
                                     "gamma=0.3)"},
            {"name": "exponential", "spec": f"exponential({_TOUR_LR}, decay_rate=0.5, "
                                            "decay_steps={2*steps_per_epoch})"},
            {"name": "cosine", "spec": f"cosine({_TOUR_LR}, steps={{total_steps}})"},
            {"name": "warmup-cosine", "spec": f"warmup(cosine({_TOUR_LR}, "
                                              "steps={0.9*total_steps}), "
                                              "steps={0.1*total_steps})"},
            {"name": "one-cycle", "spec": "one_cycle(0.1, total_steps={total_steps})"},
            {"name": "clr-triangular2", "spec": "cyclic(0.005, 0.1, "
                                                "step_size_up={steps_per_epoch}, "
                                                "mode='triangular2')"},
            {"name": "plateau", "spec": f"constant({_TOUR_LR})",
             "plateau": {"patience": 1, "factor": 0.5}},
        ],
    },
))

_add(Preset(
    name="tf-mnist-expdecay",
    summary="TensorFlow's MNIST softmax regression: exponential decay vs a constant LR.",
    config={
        "name": "tf-mnist-expdecay",
        "description": "Softmax regression (weights and bias initialised N(0, 1)), plain SGD "
                       "lr 0.1, batch 100, 50 epochs; tf.train.exponential_decay(0.1, step, "
                       "1000, 0.9, staircase=True) vs constant 0.1.",
        "seeds": [0, 1, 2],
        "target_accuracy": 0.85,
        "tasks": [{
            "name": "softmax", "dataset": "mnist", "model": "softmax",
            "optimizer": "sgd", "batch_size": 100, "epochs": 50,
        }],
        "schedules": [
            {"name": "exponential-decay",
             "spec": "exponential(0.1, decay_rate=0.9, decay_steps=1000, staircase=True)"},
            {"name": "constant", "spec": "constant(0.1)"},
        ],
    },
    original="TensorFlow 1.x MNIST tutorial model (softmax regression, W and b drawn from "
             "tf.random_normal, i.e. N(0, 1)), GradientDescentOptimizer, batch 100, 50 epochs "
             "over the 55 000/60 000 MNIST training images, tested on the 10 000 test images.",
    reported={"exponential-decay": 0.8897, "constant": 0.8586},
    differences="PyTorch instead of TensorFlow 1.x (same formula: lrlab's exponential is "
                "tf.train.exponential_decay); staircase=True is our reading of 'decay 0.9 "
                "per 1000 steps'; mean of 3 seeds instead of one run. MNIST training images "
                "are needed: without them run it with --data fashion-mnist (a harder dataset, "
                "so absolute accuracies are lower).",
))

_LENET_NOTE = ("Keras LeNet-5 on CIFAR-10 (50 000 train / 10 000 test, 3x32x32), Adam, "
               "ReduceLROnPlateau(monitor='val_loss', patience=5) vs no callback.")

for _name, _lr, _epochs, _reported in (
    ("cifar-lenet-plateau", 1e-3, 50, {"plateau": 0.5617, "none": 0.5476}),
    ("cifar-lenet-plateau-1e-4", 1e-4, 120, {"plateau": 0.5636, "none": 0.5688}),
):
    _add(Preset(
        name=_name,
        summary=f"LeNet-5 on CIFAR-10, Adam {_lr:g}, ReduceLROnPlateau (patience 5) vs none, "
                f"{_epochs} epochs.",
        config={
            "name": _name,
            "description": f"LeNet-5, Adam lr {_lr:g}, batch 64, {_epochs} epochs, 5 000 "
                           "training images held out for validation; ReduceLROnPlateau "
                           "(Keras rule: factor 0.1, patience 5, on the validation loss) vs "
                           "a constant LR.",
            "seeds": [0, 1, 2],
            "target_accuracy": 0.5,
            "tasks": [{
                "name": "lenet5", "dataset": "cifar10", "model": "lenet5",
                "optimizer": "adam", "batch_size": 64, "epochs": _epochs, "val_fraction": 0.1,
            }],
            "schedules": [
                {"name": "plateau", "spec": f"constant({_lr:g})",
                 "plateau": {"patience": 5, "factor": 0.1, "rule": "keras"}},
                {"name": "none", "spec": f"constant({_lr:g})"},
            ],
        },
        original=_LENET_NOTE + f" Adam lr {_lr:g}, {_epochs} epochs.",
        reported=_reported,
        differences="PyTorch instead of Keras; batch size 64 and a 5 000-image validation "
                    "split are our choices where the original's are not recorded; mean of 3 "
                    "seeds. CIFAR-10 is needed: without it run with --data fashion-mnist "
                    "(1x28x28 images; LeNet-5's flattened size follows the input).",
    ))

_add(Preset(
    name="fashion-clr",
    summary="Keras CLR tutorial: the small CNN on Fashion-MNIST, SGD 0.01 vs triangular2 CLR.",
    config={
        "name": "fashion-clr",
        "description": "The tutorial CNN on Fashion-MNIST, batch 64, 10 epochs; SGD with a "
                       "constant 0.01 vs triangular2 cyclical LR between 1e-4 and 1e-2 with a "
                       "step size of 2 epochs.",
        "seeds": [0, 1, 2],
        "target_accuracy": 0.8,
        "tasks": [{
            "name": "fashion-cnn", "dataset": "fashion-mnist", "model": "fashion-cnn",
            "optimizer": "sgd", "batch_size": 64, "epochs": 10,
        }],
        "schedules": [
            {"name": "constant", "spec": "constant(0.01)"},
            {"name": "clr-triangular2",
             "spec": "cyclic(1e-4, 1e-2, step_size_up={2*steps_per_epoch}, "
                     "mode='triangular2')"},
        ],
    },
    original="Keras cyclical-learning-rate tutorial: a small CNN on Fashion-MNIST (60 000 / "
             "10 000), SGD lr 0.01 vs CLR triangular2 1e-4..1e-2, step size 2 epochs, batch "
             "64, 10 epochs.",
    reported={},
    differences="PyTorch instead of Keras; plain SGD (no momentum); no reported numbers to "
                "compare against, the table records ours.",
))


def get_preset(name: str, *, data: str | None = None) -> StudyConfig:
    """The :class:`StudyConfig` of preset ``name``; ``data`` replaces every task's dataset."""
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; the presets are "
                          + ", ".join(sorted(PRESETS)) + " (or give a YAML config file)")
    p = PRESETS[name]
    cfg = p.study_config()
    cfg.notes.update(preset=p.name, original=p.original, reported=dict(p.reported),
                     differences=p.differences)
    return cfg.replace_tasks(dataset=data)
