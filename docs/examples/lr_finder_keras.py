"""The LR range test on a compiled Keras model (any Keras 3 backend).

Weights, optimizer variables and metric state are restored after the sweep.

Run: python docs/examples/lr_finder_keras.py
"""

import keras
import numpy as np

from lrlab.finder.keras import find_lr_keras

rng = np.random.default_rng(0)
x = rng.normal(size=(2048, 16)).astype("float32")
y = (x[:, :4].sum(1) > 0).astype("int32")

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(2)])
model.compile(optimizer=keras.optimizers.SGD(0.01),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))

result = find_lr_keras(model, x, y, batch_size=64, start_lr=1e-4, end_lr=100, num_steps=80)
print({name: f"{lr:.3g}" for name, lr in result.suggestions.items()})
print(result.propose(total_steps=1000))
