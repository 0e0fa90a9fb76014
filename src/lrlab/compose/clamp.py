"""Clamp: bound a schedule's values from below, above, or both."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.errors import ScheduleError
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Clamp"]


@register("clamp")
@dataclass(frozen=True, repr=False)
class Clamp(Schedule):
    """A schedule's values kept within ``[min, max]``.

    .. math:: \\eta(t) = \\min(\\max(S(t), \\eta_{lo}), \\eta_{hi})

    ``schedule`` (S); ``min`` (η_lo, >= 0) and ``max`` (η_hi, >= ``min``): learning-rate
    bounds, either may be ``None`` (no bound on that side) but not both.  A floor is how
    PyTorch's ``eta_min`` / Keras's ``min_lr`` style limits are added to any schedule; a
    ceiling keeps a growing schedule (``decay_rate > 1``, ``Repeat(decay > 1)``) finite:
    with ``max`` given, steps where ``S`` has no finite float64 value (it grew past the
    range) count as ``+inf`` and give ``max``.

    >>> from lrlab import Clamp, StepDecay
    >>> s = Clamp(StepDecay(0.1, step_size=10, gamma=0.1), min=0.005)
    >>> s(0), round(s(10), 12), s(20)
    (0.1, 0.01, 0.005)
    >>> Clamp(StepDecay(0.1, step_size=10, gamma=3.0), max=0.5)(30)
    0.5
    >>> Clamp(StepDecay(0.1, step_size=1, gamma=3.0), max=0.5)(10**6)
    0.5
    """

    schedule: Schedule
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        self._set("schedule", v.schedule(self, "schedule", self.schedule))
        if self.min is None and self.max is None:
            raise v.fail(self, "min", "a number when `max` is None (give at least one bound)", None)
        if self.min is not None:
            self._set("min", v.real(self, "min", self.min, lo=0))
        if self.max is not None:
            self._set("max", v.real(self, "max", self.max, lo=0))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise v.fail(self, "max", f">= min (min={self.min!r})", self.max)

    def _eval(self, t: Any, m: Backend) -> Any:
        if self.max is None:
            x = self.schedule._at(t, m)
        elif m.is_array:
            x = self.schedule._at(t, m)
            x = np.where(np.isnan(x), math.inf, x)
        else:
            try:
                x = self.schedule._at(t, m)
            except ScheduleError:  # the child left the float64 range: it counts as +inf
                x = math.inf
        if self.min is not None:
            x = m.maximum(x, self.min)
        if self.max is not None:
            x = m.minimum(x, self.max)
        return x

    @property
    def horizon(self) -> float | None:
        return self.schedule.horizon

    def phases(self) -> tuple[float, ...]:
        return self.schedule.phases()
