"""Suggestions of the LR range test: small pure functions of ``(lrs, losses)``.

Each takes the swept learning rates and the (smoothed) losses recorded at them, both 1-D
arrays of the same length, and returns a learning rate, or ``None`` when the curve is too
short to say.  :data:`SUGGESTIONS` maps their names to them; a result computes all of them
and a caller picks one by name (fastai's design).

>>> import numpy as np
>>> lrs = np.logspace(-4, 0, 41)
>>> losses = 1 + np.tanh(-4 * (np.log10(lrs) + 2)) + np.where(lrs > 0.2, 10 * lrs, 0)
>>> {name: round(f(lrs, losses), 4) for name, f in SUGGESTIONS.items()}
{'valley': 0.004, 'steepest': 0.01, 'minimum': 0.02}
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["SUGGESTIONS", "minimum", "steepest", "valley"]


def _arrays(lrs: ArrayLike, losses: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(lrs, dtype=np.float64)
    y = np.asarray(losses, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(
            "arguments `lrs` and `losses` must be 1-D arrays of the same length. "
            f"Received: shapes {x.shape} and {y.shape}"
        )
    ok = np.isfinite(y) & (x > 0)
    return x[ok], y[ok]


def minimum(lrs: ArrayLike, losses: ArrayLike) -> float | None:
    """The LR of the lowest loss divided by 10 (a safe distance below where it diverges).

    >>> minimum([0.1, 1.0, 10.0], [3.0, 1.0, 5.0])
    0.1
    """
    x, y = _arrays(lrs, losses)
    if len(x) == 0:
        return None
    return float(x[int(np.argmin(y))] / 10)


def steepest(lrs: ArrayLike, losses: ArrayLike) -> float | None:
    """The LR where the loss falls fastest per unit of log(LR), before the lowest loss.

    The slope is the centred difference ``d loss / d log(lr)`` (one-sided at the ends).

    >>> steepest([1e-3, 1e-2, 1e-1, 1.0], [2.0, 1.9, 1.0, 0.9])
    0.01
    """
    x, y = _arrays(lrs, losses)
    m = int(np.argmin(y)) + 1 if len(y) else 0
    if m < 3:
        return None
    g = np.gradient(y[:m], np.log(x[:m]))
    return float(x[int(np.argmin(g))])


def valley(lrs: ArrayLike, losses: ArrayLike) -> float | None:
    """The LR half-way along the longest descending stretch of the curve.

    The longest strictly decreasing subsequence of the losses is found; the suggestion is
    the point half-way (by index) between its first and last point: in the steep, stable
    part of the descent, away from both the flat start and the edge of divergence (the idea
    of fastai's "valley" suggestion).

    >>> valley([1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0], [2.0, 1.9, 1.5, 1.0, 0.8, 9.0])
    0.01
    """
    x, y = _arrays(lrs, losses)
    n = len(y)
    if n < 2:
        return None
    run = np.ones(n, dtype=np.int64)  # length of the longest decreasing subsequence ending at i
    best_end = 0
    for i in range(1, n):
        higher = y[:i] > y[i]
        if higher.any():
            run[i] = int(run[:i][higher].max()) + 1
        if run[i] > run[best_end]:
            best_end = i
    # walk the subsequence back to find where it starts
    start, length = best_end, int(run[best_end])
    for j in range(best_end - 1, -1, -1):
        if length == 1:
            break
        if y[j] > y[start] and run[j] == length - 1:
            start, length = j, length - 1
    return float(x[start + (best_end - start) // 2])


#: the suggestion functions by name, in the order results list them.
SUGGESTIONS: dict[str, Callable[[ArrayLike, ArrayLike], float | None]] = {
    "valley": valley,
    "steepest": steepest,
    "minimum": minimum,
}
