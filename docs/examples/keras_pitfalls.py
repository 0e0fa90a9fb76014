"""The classic Keras learning-rate pitfalls, each next to the lrlab way (docs/keras_pitfalls.md).

Run: KERAS_BACKEND=torch python docs/examples/keras_pitfalls.py
"""

import math

import keras
import numpy as np

import lrlab
from lrlab.keras import ScheduleCallback

rng = np.random.default_rng(0)
x = rng.normal(size=(64, 4)).astype("float32")
y = x.sum(1, keepdims=True)


def make_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def lr_of(model):
    return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))


class RecordLR(keras.callbacks.Callback):
    """The LR in the optimizer at the start of every update."""

    def __init__(self):
        super().__init__()
        self.lrs = []

    def on_train_batch_begin(self, batch, logs=None):
        self.lrs.append(lr_of(self.model))


# -- Pitfall 1: step decay with LearningRateScheduler, fit(epochs=1) in an outer loop --------
def step_decay(epoch, lr):
    return 0.1 * 0.5 ** math.floor(epoch / 2)  # halve every 2 epochs


model = make_model()
keras_lrs = []
for _ in range(6):  # e.g. to evaluate or checkpoint between epochs
    model.fit(x, y, batch_size=16, epochs=1, verbose=0,
              callbacks=[keras.callbacks.LearningRateScheduler(step_decay)])
    keras_lrs.append(lr_of(model))
print("LearningRateScheduler, outer loop:", keras_lrs)
assert keras_lrs == [np.float32(0.1)] * 6  # never decays: every fit() restarts at epoch 0

# The lrlab way: the callback reads the global step (optimizer.iterations), not fit's epoch.
model = make_model()
decay = ScheduleCallback("step_decay(0.1, step_size=2, gamma=0.5)", unit="epoch")
lrlab_lrs = []
for _ in range(6):
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[decay])
    lrlab_lrs.append(lr_of(model))
print("lrlab ScheduleCallback, outer loop:", lrlab_lrs)
assert lrlab_lrs == [np.float32(v) for v in [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]]


# -- Pitfall 2: a per-batch decay callback that multiplies the current LR ---------------------
class CompoundingDecay(keras.callbacks.Callback):
    """Meant: lr = 0.1 * 0.5 ** (step / 100).  Written: lr *= 0.5 ** (1 / 100) each batch."""

    def on_train_batch_begin(self, batch, logs=None):
        lr = lr_of(self.model)
        self.model.optimizer.learning_rate = lr * 0.5 ** (1 / 100)


model = make_model()
rec = RecordLR()
model.fit(x, y, batch_size=16, epochs=50, verbose=0, callbacks=[CompoundingDecay(), rec])
meant = lrlab.parse("exponential(0.1, decay_rate=0.5, decay_steps=100)")
steps = np.arange(len(rec.lrs))
print("compounding: lr at step 199 =", rec.lrs[-1], "meant", meant(199))
assert rec.lrs[0] != meant(0)  # off by one update from the start (it decays before update 1)
# ... rounded to float32 and multiplied again at every batch: the error accumulates, and after
# a restart (or a resumed run that reloads a rounded LR) it cannot be undone
assert abs(rec.lrs[-1] - meant(199)) > 1e-7

model = make_model()
rec = RecordLR()
model.fit(x, y, batch_size=16, epochs=50, verbose=0, callbacks=[ScheduleCallback(meant), rec])
np.testing.assert_array_equal(np.float32(rec.lrs), np.float32(meant(steps)))  # closed form
print("lrlab: every update uses float32(s(t)) exactly; s(199) =", rec.lrs[-1])


# -- Pitfall 3: ^ is XOR in Python, not power ------------------------------------------------
def xor_decay(epoch, lr):
    return 0.1 / (2 ^ (epoch // 10))  # meant 0.1 / 2 ** (epoch // 10)


print("with ^:", [xor_decay(e, None) for e in (0, 10)], "meant", [0.1, 0.05])
assert xor_decay(0, None) == 0.05  # 2 ^ 0 == 2: the LR starts at half its value
assert xor_decay(10, None) == 0.1 / 3  # 2 ^ 1 == 3
try:
    xor_decay(20, None)  # 2 ^ 2 == 0
except ZeroDivisionError:
    print("with ^: epoch 20 divides by zero")
# The lrlab way: the formula is the library's, and a spec has no operators to get wrong.
s = lrlab.parse("step_decay(0.1, step_size=10, gamma=0.5)")
assert [s(e) for e in (0, 10, 20)] == [0.1, 0.05, 0.025]
