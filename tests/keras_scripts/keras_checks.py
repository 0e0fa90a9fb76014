"""Checks of lrlab.keras on one real Keras backend (run by tests/test_keras_adapter.py).

Run in its own process: ``LRLAB_KERAS_SUBPROCESS=1 KERAS_BACKEND=torch python -m pytest
tests/keras_scripts/keras_checks.py``.  The main test run does not collect it (see conftest.py
here: the Keras backend is fixed once per process).
"""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest

import lrlab
from lrlab.keras import LearningRateSchedule, ReduceLROnPlateau, ScheduleCallback

BACKEND = keras.backend.backend()
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _one_weight_model(lr, w0=1.0):
    """y = w * x (one weight, no bias), loss (w x - y)^2 with x = 1, y = 0: grad = 2w."""
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(
        1, use_bias=False, kernel_initializer=keras.initializers.Constant(w0))])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return m


class _Weights(keras.callbacks.Callback):
    """Records the weight before and after every update (self.model syncs JAX state)."""

    def __init__(self):
        super().__init__()
        self.before, self.after = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.before.append(float(_np(self.model.layers[0].kernel)[0, 0]))

    def on_train_batch_end(self, batch, logs=None):
        self.after.append(float(_np(self.model.layers[0].kernel)[0, 0]))

    def lrs(self):
        """The LR each update used: w1 = w0 - lr * 2 w0."""
        b, a = np.asarray(self.before), np.asarray(self.after)
        return (b - a) / (2 * b)


X1, Y1 = np.ones((4, 1), "float32"), np.zeros((4, 1), "float32")  # 4 batches of 1


def test_schedule_drives_the_optimizer_in_its_own_loop():
    s = lrlab.parse("warmup(cosine(0.05, steps=20), steps=4, start=0.0)")
    m = _one_weight_model(LearningRateSchedule(s))
    rec = _Weights()
    for _ in range(3):  # fit(epochs=1) in an outer loop: the global step continues
        m.fit(X1, Y1, batch_size=1, epochs=1, verbose=0, shuffle=False, callbacks=[rec])
    assert int(_np(m.optimizer.iterations)) == 12
    lrs = rec.lrs()
    assert lrs[0] == 0.0  # update 1 uses s(0) = 0: the weight does not move
    np.testing.assert_allclose(lrs, s(np.arange(12)), rtol=2e-5, atol=1e-9)


@pytest.mark.skipif(BACKEND == "torch", reason="jit_compile on torch is torch.compile: slow")
def test_traced_schedule_under_xla():
    s = lrlab.parse("scale(one_cycle(0.1, total_steps=12), factor=0.5)")
    sched = LearningRateSchedule(s)
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(
        1, use_bias=False, kernel_initializer=keras.initializers.Constant(1.0))])
    m.compile(optimizer=keras.optimizers.SGD(sched), loss="mse", jit_compile=True)
    rec = _Weights()
    m.fit(X1, Y1, batch_size=1, epochs=3, verbose=0, shuffle=False, callbacks=[rec])
    assert m.jit_compile is True
    # the LR recovered from float32 weight deltas: good to ~1e-7 absolute
    np.testing.assert_allclose(rec.lrs(), s(np.arange(12)), rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("spec", ["cosine(0.1, steps=100, alpha=0.1)",
                                  "warmup(cosine(0.1, steps=90), steps=10)",
                                  "piecewise(boundaries=[10, 20], values=[0.1, 0.01, 0.001])",
                                  "one_cycle(0.1, total_steps=100)"])
def test_graph_evaluation_matches_numpy(spec):
    s = lrlab.parse(spec)
    sched = LearningRateSchedule(s)
    steps = np.arange(0, 130)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        f = tf.function(lambda t: sched(t))
        got = [float(f(tf.constant(int(t), tf.int64))) for t in steps[::7]]
    elif BACKEND == "jax":
        import jax

        f = jax.jit(sched)
        got = [float(f(int(t))) for t in steps[::7]]
    else:
        got = [float(_np(sched(keras.Variable(int(t), dtype="int64", trainable=False))))
               for t in steps[::7]]
    ref = s(steps[::7])
    np.testing.assert_allclose(got, ref, rtol=2e-6, atol=1e-6 * ref.max())
    eager = float(_np(sched(keras.ops.convert_to_tensor(7))))
    assert eager == np.float32(s(7))  # concrete step: float64 on the host, rounded once


@pytest.mark.parametrize("spec", [
    "warmup(cosine_restarts(0.1, first_steps=8, t_mul=2.0), steps=3)",
    # cyclical LR: died with TensorFlow Addons, whose saved models fail to load
    "tfa.CyclicalLearningRate(0.001, 0.01, 3, scale_fn=exponential(1.0, 0.9, 1))",
])
def test_saved_and_loaded_with_the_model(tmp_path, spec):
    s = lrlab.parse(spec)
    m = _one_weight_model(LearningRateSchedule(s))
    m.fit(X1, Y1, batch_size=1, epochs=2, verbose=0)
    path = str(tmp_path / "m.keras")
    m.save(path)
    m2 = keras.models.load_model(path)
    lr = m2.optimizer._learning_rate
    assert isinstance(lr, LearningRateSchedule) and lr.schedule == s and lr is not m.optimizer._learning_rate
    assert int(_np(m2.optimizer.iterations)) == 8
    assert json.loads(json.dumps(lr.get_config())) == {"schedule": s.to_config(), "mode": "auto"}
    assert keras.saving.get_registered_name(LearningRateSchedule) == "lrlab>LearningRateSchedule"
    rebuilt = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(lr))
    assert isinstance(rebuilt, LearningRateSchedule) and rebuilt.schedule == s


def test_keras_scheduler_is_stuck_in_an_outer_loop_and_lrlab_is_not():
    def step_decay(epoch, lr):
        return 0.1 * 0.5 ** epoch

    m = _one_weight_model(0.1)
    seen = []
    for _ in range(3):
        m.fit(X1, Y1, batch_size=1, epochs=1, verbose=0,
              callbacks=[keras.callbacks.LearningRateScheduler(step_decay)])
        seen.append(float(_np(m.optimizer.learning_rate)))
    assert seen == [np.float32(0.1)] * 3  # the pitfall: epoch is 0 at every fit()

    m = _one_weight_model(0.1)
    cb = ScheduleCallback("step_decay(0.1, step_size=1, gamma=0.5)", unit="epoch")
    rec = _Weights()
    seen = []
    for _ in range(3):
        m.fit(X1, Y1, batch_size=1, epochs=1, verbose=0, callbacks=[cb, rec])
        seen.append(float(_np(m.optimizer.learning_rate)))
    assert seen == [np.float32(0.1), np.float32(0.05), np.float32(0.025)]
    np.testing.assert_allclose(rec.lrs(), np.repeat([0.1, 0.05, 0.025], 4), rtol=2e-5)


def test_per_step_callback_sets_the_closed_form_every_batch():
    s = lrlab.parse("exponential(0.1, decay_rate=0.5, decay_steps=3)")
    m = _one_weight_model(0.3)
    cb = ScheduleCallback(s)
    rec = _Weights()
    m.fit(X1, Y1, batch_size=1, epochs=2, verbose=0, callbacks=[cb, rec])
    m.fit(X1, Y1, batch_size=1, epochs=3, initial_epoch=2, verbose=0, callbacks=[cb, rec])
    np.testing.assert_allclose(rec.lrs(), s(np.arange(12)), rtol=2e-5)
    assert float(_np(m.optimizer.learning_rate)) == np.float32(s(11))
    assert cb.lr_at(12) == s(12)


def test_plateau_callback_matches_keras_within_one_fit_and_persists_across_fits():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    # min_delta = 10: no epoch after the first counts as an improvement: plateau every time

    def run(cb, fits):
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        lrs = []
        for _ in range(fits):
            h = m.fit(x, y, batch_size=32, epochs=12 // fits, verbose=0, callbacks=[cb],
                      shuffle=False)
            lrs += [float(_np(m.optimizer.learning_rate))]
        return lrs, h

    kw = {"factor": 0.5, "patience": 2, "min_delta": 10.0}
    ours = ReduceLROnPlateau(monitor="loss", rule="keras", factor=0.5, patience=2,
                             threshold=10.0)
    theirs = keras.callbacks.ReduceLROnPlateau(monitor="loss", **kw)
    assert run(ours, 1)[0] == run(theirs, 1)[0]  # same decisions, same float32 LR
    assert ours.controller.num_reductions >= 2
    # in an outer loop, Keras forgets its wait/best at every fit(); lrlab does not
    ours2 = ReduceLROnPlateau(monitor="loss", rule="keras", factor=0.5, patience=2,
                              threshold=10.0)
    lrs_ours, _ = run(ours2, 6)
    lrs_keras, _ = run(keras.callbacks.ReduceLROnPlateau(monitor="loss", **kw), 6)
    assert lrs_ours[-1] == run(ReduceLROnPlateau(monitor="loss", rule="keras", factor=0.5,
                                                 patience=2, threshold=10.0), 1)[0][-1]
    assert lrs_keras[-1] > lrs_ours[-1]  # patience 2 is never reached within a 2-epoch fit
    state = json.loads(json.dumps(ours2.state_dict()))
    again = ReduceLROnPlateau(monitor="loss", rule="keras", factor=0.5, patience=2,
                              threshold=10.0)
    again.load_state_dict(state)
    assert again.controller.multiplier == ours2.controller.multiplier
    assert again.schedule == lrlab.Constant(float(np.float32(0.05)))


def test_plateau_over_a_schedule_and_missing_metric_warns():
    s = lrlab.parse("cosine(0.1, steps=8)")
    cb = ReduceLROnPlateau(s, monitor="loss", factor=0.5, patience=1, threshold=1e6,
                           threshold_mode="abs")  # no epoch after the first improves
    m = _one_weight_model(0.3)
    m.fit(X1, Y1, batch_size=4, epochs=4, verbose=0, callbacks=[cb])
    assert cb.controller.num_reductions == 3 and cb.controller.multiplier == 0.125
    assert float(_np(m.optimizer.learning_rate)) == np.float32(cb.controller.lr(s(4)))
    nowhere = ReduceLROnPlateau(s, monitor="val_accuracy", patience=1)
    with pytest.warns(lrlab.LrlabWarning, match="val_accuracy"):
        m.fit(X1, Y1, batch_size=4, epochs=1, verbose=0, callbacks=[nowhere])


def test_errors_name_the_argument():
    with pytest.raises(lrlab.ScheduleError, match="`unit`.*Received: unit='batch'"):
        ScheduleCallback("constant(0.1)", unit="batch")
    with pytest.raises(lrlab.ScheduleError, match="`steps_per_epoch`.*Received: steps_per_epoch=0"):
        ScheduleCallback("constant(0.1)", unit="epoch", steps_per_epoch=0)
    with pytest.raises(lrlab.ScheduleError, match="`schedule`.*Received: schedule=0.1"):
        LearningRateSchedule(0.1)  # type: ignore[arg-type]
    with pytest.raises(lrlab.ScheduleError, match="`mode`"):
        LearningRateSchedule("constant(0.1)", mode="x")
    with pytest.raises(lrlab.ScheduleError, match="cannot be traced"):
        LearningRateSchedule("warmup(constant(0.1), steps=3)", mode="trace")
    m = _one_weight_model(LearningRateSchedule("constant(0.1)"))
    with pytest.raises(lrlab.ScheduleError, match="LearningRateSchedule; a callback"):
        m.fit(X1, Y1, verbose=0, callbacks=[ScheduleCallback("constant(0.1)")])
    with pytest.raises(lrlab.ScheduleError, match="either `controller`"):
        ReduceLROnPlateau(controller=lrlab.plateau.ReduceLROnPlateau(), factor=0.5)


def test_backend_is_the_requested_one():
    assert BACKEND == os.environ["KERAS_BACKEND"]
