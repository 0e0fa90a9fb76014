"""lrlab in Keras 3: a schedule inside the optimizer, saved with the model; a callback driven by
the global step; ReduceLROnPlateau on top of a schedule.  Any backend (set KERAS_BACKEND).

Run: KERAS_BACKEND=torch python docs/examples/keras_schedule.py
"""

import os
import tempfile

import keras
import numpy as np

import lrlab
from lrlab.keras import LearningRateSchedule, ReduceLROnPlateau, ScheduleCallback

rng = np.random.default_rng(0)
x = rng.normal(size=(256, 8)).astype("float32")
y = (x[:, :2].sum(1) > 0).astype("int32")


def make_model(learning_rate):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


# 1. The schedule inside the optimizer: 8 batches per epoch, 10 epochs = 80 updates.
schedule = lrlab.parse("warmup(cosine(1e-2, steps=70, alpha=0.01), steps=10, start=0.0)")
model = make_model(LearningRateSchedule(schedule))
model.fit(x, y, batch_size=32, epochs=5, verbose=0)
step = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
print("after 5 epochs: step", step, "lr", float(model.optimizer.learning_rate))

# ... saved with the model, and restored by load_model (the schedule and the step):
path = os.path.join(tempfile.mkdtemp(), "model.keras")
model.save(path)
restored = keras.models.load_model(path)
assert restored.optimizer._learning_rate.schedule == schedule
assert int(keras.ops.convert_to_numpy(restored.optimizer.iterations)) == step == 40
restored.fit(x, y, batch_size=32, epochs=5, verbose=0)  # continues at s(40), s(41), ...
print("restored and continued: lr", float(restored.optimizer.learning_rate))

# 2. A callback driven by the global step (optimizer.iterations): works with fit(epochs=1)
# in an outer loop, where keras.callbacks.LearningRateScheduler sees epoch 0 every time.
model = make_model(1e-3)
per_epoch = ScheduleCallback("step_decay(1e-2, step_size=2, gamma=0.5)", unit="epoch")
for epoch in range(6):
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[per_epoch])
    print("epoch", epoch, "lr", float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
assert np.isclose(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)), 2.5e-3)

# 3. ReduceLROnPlateau over a schedule: LR = multiplier * s(t).  Here fit(epochs=1) runs in
# an outer loop; unlike Keras's own callback, the controller is not reset by each fit().
model = make_model(1e-3)
plateau = ReduceLROnPlateau("cosine(5e-2, steps=160)", monitor="val_loss", factor=0.5,
                            patience=2, threshold=0.01)
for _ in range(20):
    model.fit(x[:192], y[:192], batch_size=32, epochs=1, verbose=0,
              validation_data=(x[192:], y[192:]), callbacks=[plateau])
print("plateau:", plateau.controller.num_reductions, "reductions; multiplier",
      plateau.controller.multiplier)
assert plateau.controller.num_reductions >= 1
step = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
lr = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
assert lr == np.float32(plateau.controller.lr(plateau.schedule(step)))
state = plateau.state_dict()  # JSON-able: save it next to the model to resume exactly
