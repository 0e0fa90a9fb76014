"""The Keras wrapper of the LR range test restores weights and optimizer state exactly."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

if "keras" not in sys.modules:  # the torch backend imports faster than TensorFlow
    os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # keras torch backend

import lrlab  # noqa: E402
from lrlab.finder.keras import find_lr_keras  # noqa: E402


def _data(n=256):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x[:, :2].sum(1) > 0).astype("int32")
    return x, y


def _model(optimizer):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    m.compile(optimizer=optimizer,
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    return m


def _state(m):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in
            [*m.variables, *m.optimizer.variables, *m.metrics_variables]]


def test_keras_wrapper_restores_weights_and_optimizer_state_exactly():
    x, y = _data()
    m = _model(keras.optimizers.Adam(1e-3))
    m.fit(x, y, batch_size=64, epochs=1, verbose=0)  # optimizer state: moments, iterations
    before = _state(m)
    r = find_lr_keras(m, x, y, batch_size=32, start_lr=1e-5, end_lr=10, num_steps=25)
    after = _state(m)
    assert len(r.lrs) >= 5 and r.suggestion is not None
    assert len(before) == len(after)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert float(keras.ops.convert_to_numpy(m.optimizer.learning_rate)) == pytest.approx(1e-3)
    assert int(keras.ops.convert_to_numpy(m.optimizer.iterations)) == 4
    lrlab.parse(r.propose(1000))


def test_keras_wrapper_is_deterministic_and_rejects_schedules():
    x, y = _data()
    a = find_lr_keras(_model(keras.optimizers.SGD(0.1)), x, y, num_steps=10, start_lr=1e-3,
                      end_lr=1.0)
    b = find_lr_keras(_model(keras.optimizers.SGD(0.1)), x, y, num_steps=10, start_lr=1e-3,
                      end_lr=1.0)
    np.testing.assert_array_equal(a.losses, b.losses)
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    with pytest.raises(lrlab.ScheduleError, match="not a LearningRateSchedule"):
        find_lr_keras(_model(keras.optimizers.SGD(sched)), x, y, num_steps=5)
