"""The LR range test without any framework: softmax regression written in NumPy.

`find_lr` only needs a function `train_step(lr) -> loss` that performs one update.

Run: python docs/examples/lr_finder_numpy.py
"""

import numpy as np

import lrlab
from lrlab.finder import find_lr

rng = np.random.default_rng(0)
x = rng.normal(size=(4096, 20))
y = (x @ rng.normal(size=(20, 5))).argmax(1)  # 5 linearly separable classes
w = np.zeros((20, 5))


def train_step(lr: float) -> float:
    """One SGD step on a random batch of 64; returns the batch's cross-entropy."""
    global w
    idx = rng.integers(0, len(x), 64)
    xb, yb = x[idx], y[idx]
    z = xb @ w
    z -= z.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    loss = -np.log(p[np.arange(len(yb)), yb] + 1e-12).mean()
    p[np.arange(len(yb)), yb] -= 1
    w = w - lr * xb.T @ p / len(yb)
    return float(loss)


result = find_lr(train_step, start_lr=1e-4, end_lr=1e3, num_steps=150)
print(result.stop_reason)
print({name: f"{lr:.3g}" for name, lr in result.suggestions.items()})

spec = result.propose(total_steps=5000)  # one-cycle peaking at the suggested LR
print(spec)
schedule = lrlab.parse(spec)
