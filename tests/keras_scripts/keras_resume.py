"""Train small Keras models with lrlab LR control; save mid-run; continue in a fresh process.

Usage (KERAS_BACKEND set in the environment; run by tests/test_keras_resume.py)::

    python keras_resume.py first  DIR SAVE_STEP SAVE_EPOCH   # uninterrupted runs + first halves
    python keras_resume.py second DIR SAVE_STEP SAVE_EPOCH   # load, continue (fresh process)

Modes: ``schedule`` (lrlab.keras.LearningRateSchedule inside the optimizer, saved with the
model), ``step`` / ``epoch`` (ScheduleCallback by the global step; the epoch one with
``steps_per_epoch``), ``plateau`` (ReduceLROnPlateau over a schedule, its state in a JSON file).
The step-driven modes are interrupted at step SAVE_STEP (mid-epoch); the plateau mode, whose
decisions happen at epoch ends, after epoch SAVE_EPOCH.  Each writes ``DIR/<mode>-<run>.json``:
the LR of every update and a digest of the final weights and optimizer variables.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import keras
import numpy as np

import lrlab
from lrlab.keras import LearningRateSchedule, ReduceLROnPlateau, ScheduleCallback

if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()

BATCH, PER_EPOCH, EPOCHS = 8, 4, 6  # 24 updates
SCHEDULE = "warmup(cosine(0.1, steps=20, alpha=0.05), steps=4, start=0.0)"
rng = np.random.default_rng(0)
X = rng.normal(size=(BATCH * PER_EPOCH, 5)).astype("float32")
Y = (X @ rng.normal(size=(5, 1)) + 0.1 * rng.normal(size=(BATCH * PER_EPOCH, 1))).astype(
    "float32")
XV, YV = X[:8] + 0.5, Y[:8]


class Record(keras.callbacks.Callback):
    """The LR in the optimizer when each update starts (runs after the lrlab callback)."""

    def __init__(self) -> None:
        super().__init__()
        self.lrs: list[float] = []

    def on_train_batch_begin(self, batch, logs=None):
        self.lrs.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


def build(mode: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1)])
    lr = LearningRateSchedule(SCHEDULE) if mode == "schedule" else 0.01
    model.compile(optimizer=keras.optimizers.SGD(lr, momentum=0.9), loss="mse")
    return model


def callbacks(mode: str) -> list[keras.callbacks.Callback]:
    if mode == "step":
        return [ScheduleCallback(SCHEDULE)]
    if mode == "epoch":
        return [ScheduleCallback("step_decay(0.05, step_size=2, gamma=0.5)", unit="epoch",
                                 steps_per_epoch=PER_EPOCH)]
    if mode == "plateau":
        return [ReduceLROnPlateau(SCHEDULE, monitor="val_loss", factor=0.5, patience=1,
                                  threshold=0.05, threshold_mode="abs")]
    return []


def digest(model: keras.Model) -> str:
    h = hashlib.sha256()
    for v in [*model.weights, *model.optimizer.variables]:
        h.update(np.ascontiguousarray(keras.ops.convert_to_numpy(v)).tobytes())
    return h.hexdigest()


def train(model, cbs, rec, start: int, stop: int, mode: str) -> None:
    """Updates start..stop-1, one fit() per (part of an) epoch, as an outer loop would."""
    t = start
    while t < stop:
        e, b = divmod(t, PER_EPOCH)
        n = min(PER_EPOCH - b, stop - t)
        val = (XV, YV) if mode == "plateau" else None
        model.fit(X[b * BATCH:(b + n) * BATCH], Y[b * BATCH:(b + n) * BATCH], batch_size=BATCH,
                  epochs=e + 1, initial_epoch=e, shuffle=False, verbose=0,
                  validation_data=val, callbacks=[*cbs, rec])
        t += n


def save(d: str, name: str, rec: Record, model: keras.Model) -> None:
    with open(os.path.join(d, f"{name}.json"), "w") as f:
        json.dump({"lrs": rec.lrs, "digest": digest(model),
                   "iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations))}, f)


def main() -> None:
    phase, d, save_step, save_epoch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    total = PER_EPOCH * EPOCHS
    for mode in ("schedule", "step", "epoch", "plateau"):
        cut = save_epoch * PER_EPOCH if mode == "plateau" else save_step
        if phase == "first":
            model, cbs, rec = build(mode), callbacks(mode), Record()
            train(model, cbs, rec, 0, total, mode)
            save(d, f"{mode}-full", rec, model)

            model, cbs, rec = build(mode), callbacks(mode), Record()
            train(model, cbs, rec, 0, cut, mode)
            model.save(os.path.join(d, f"{mode}.keras"))
            if mode == "plateau":
                with open(os.path.join(d, "plateau-state.json"), "w") as f:
                    json.dump(cbs[0].state_dict(), f)
            save(d, f"{mode}-first", rec, model)
        else:
            model = keras.models.load_model(os.path.join(d, f"{mode}.keras"))
            cbs, rec = callbacks(mode), Record()
            if mode == "plateau":
                with open(os.path.join(d, "plateau-state.json")) as f:
                    cbs[0].load_state_dict(json.load(f))
            assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == cut
            if mode == "schedule":
                assert model.optimizer._learning_rate.schedule == lrlab.parse(SCHEDULE)
            train(model, cbs, rec, cut, total, mode)
            save(d, f"{mode}-second", rec, model)


if __name__ == "__main__":
    main()
