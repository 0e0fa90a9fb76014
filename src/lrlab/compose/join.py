"""Join: schedules run one after another, each on its own local clock (optax semantics).

Also holds the small helpers the other combinators share: masked piecewise evaluation of
arrays (each piece only sees its own steps) and a bounded, sorted list of phase points.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lrlab import _validate as v
from lrlab._math import ARRAY, Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Join"]

#: the most phase points a combinator reports (``phases()`` must stay short).
MAX_PHASES = 256


def bounded_phases(points: Iterable[float]) -> tuple[float, ...]:
    """The finite, non-negative points, sorted, de-duplicated, at most :data:`MAX_PHASES`."""
    pts = sorted({float(p) for p in points if math.isfinite(p) and p >= 0})
    return tuple(pts[:MAX_PHASES])


def piecewise(
    t: NDArray[np.float64],
    cuts: Sequence[float],
    pieces: Sequence[Callable[[NDArray[np.float64]], Any]],
) -> NDArray[np.float64]:
    """Evaluate ``pieces[j]`` on exactly the steps with ``cuts[j-1] <= t < cuts[j]``.

    ``len(pieces) == len(cuts) + 1`` and ``cuts`` is increasing.  A boundary step belongs to
    the piece on its right (``bisect_right``), which is what the scalar paths use too, so both
    paths select the same piece.  Pieces never see steps outside their own interval.
    """
    arr = np.asarray(t, dtype=np.float64)
    flat = arr.ravel()
    n = flat.size
    c = np.asarray(cuts, dtype=np.float64)
    out = np.empty(flat.shape, dtype=np.float64)

    def put(where: Any, piece: Callable[[NDArray[np.float64]], Any]) -> None:
        sub = flat[where]
        out[where] = np.broadcast_to(np.asarray(piece(sub), dtype=np.float64), sub.shape)

    if n > 1 and bool((flat[1:] >= flat[:-1]).all()):  # sorted steps: contiguous slices
        edges = [0, *np.searchsorted(flat, c, side="left").tolist(), n]
        for j, piece in enumerate(pieces):
            if edges[j] < edges[j + 1]:
                put(slice(edges[j], edges[j + 1]), piece)
        return out.reshape(arr.shape)
    idx = np.searchsorted(c, flat, side="right")
    counts = np.bincount(idx, minlength=len(pieces))
    for j, piece in enumerate(pieces):
        if counts[j] == n:
            put(slice(None), piece)
        elif counts[j]:
            put(idx == j, piece)
    return out.reshape(arr.shape)


def _local(s: Schedule, b: float) -> Callable[[NDArray[np.float64]], Any]:
    if b == 0.0:
        return lambda x: s._at(x, ARRAY)
    return lambda x: s._at(x - b, ARRAY)


@register("join")
@dataclass(frozen=True, repr=False)
class Join(Schedule):
    """Schedules one after another, each seeing the steps since its own start.

    .. math:: \\eta(t) = s_j(t - b_{j-1}) \\quad \\text{for } b_{j-1} \\le t < b_j,
              \\qquad b_{-1} = 0,\\ b_{n-1} = \\infty

    ``schedules`` (s_0 ... s_{n-1}): the pieces, in order; ``boundaries`` (b_0 ... b_{n-2}):
    the global steps where the next piece takes over, strictly increasing and > 0, one fewer
    than the pieces.  A boundary step belongs to the next piece, which sees it as its local
    step 0.  This is optax's ``join_schedules`` (``where(step < boundary, previous,
    next(step - boundary))``, optax/schedules/_join.py); the first piece sees the global step.

    >>> from lrlab import Constant, StepDecay, Join
    >>> s = Join([Constant(0.01), StepDecay(0.1, step_size=10, gamma=0.5)], boundaries=[5])
    >>> s(4), s(5), s(14), s(15)
    (0.01, 0.1, 0.1, 0.05)
    """

    schedules: tuple[Schedule, ...]
    boundaries: tuple[float, ...]

    def __post_init__(self) -> None:
        scheds = v.schedules(self, "schedules", self.schedules, min_len=1)
        b = v.reals(self, "boundaries", self.boundaries, lo=0, lo_open=True, increasing=True)
        if len(b) != len(scheds) - 1:
            raise v.fail(
                self,
                "boundaries",
                f"one fewer boundary than schedules ({len(scheds) - 1} for "
                f"{len(scheds)} schedules)",
                self.boundaries,
            )
        self._set("schedules", scheds)
        self._set("boundaries", b)

    def _eval(self, t: Any, m: Backend) -> Any:
        if not m.is_array:
            j = bisect.bisect_right(self.boundaries, t)
            if j == 0:
                return self.schedules[0]._at(t, m)
            return self.schedules[j]._at(t - self.boundaries[j - 1], m)
        starts = (0.0, *self.boundaries)
        return piecewise(t, self.boundaries, [_local(s, b) for s, b in zip(self.schedules, starts)])

    @property
    def horizon(self) -> float | None:
        last = self.boundaries[-1] if self.boundaries else 0.0
        h = self.schedules[-1].horizon
        if h is not None:
            return last + h
        return last if self.boundaries else None

    def phases(self) -> tuple[float, ...]:
        starts = (0.0, *self.boundaries)
        ends = (*self.boundaries, math.inf)
        pts: list[float] = list(self.boundaries)
        for s, a, e in zip(self.schedules, starts, ends):
            pts.extend(a + p for p in s.phases() if a + p < e)
        return bounded_phases(pts)
