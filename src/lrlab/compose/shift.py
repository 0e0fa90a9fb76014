"""Shift: delay a schedule by a number of steps, holding a value until it starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrlab import _validate as v
from lrlab._math import ARRAY, Backend
from lrlab.compose.join import bounded_phases, piecewise
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Shift"]


@register("shift")
@dataclass(frozen=True, repr=False)
class Shift(Schedule):
    """Start ``schedule`` ``steps`` steps late, holding ``before`` until then.

    .. math:: \\eta(t) = \\begin{cases} b & t < D \\\\ S(t - D) & t \\ge D \\end{cases}

    ``schedule`` (S): the delayed schedule, which sees the steps since ``D`` (its local step
    0 is the global step ``D``); ``steps`` (D, > 0): the delay in steps; ``before`` (b, >= 0):
    the value held during the delay, by default ``S(0)`` (the schedule is then continuous and
    simply frozen for ``D`` steps, as a "hold" phase).

    >>> from lrlab import Shift, StepDecay
    >>> s = Shift(StepDecay(0.1, step_size=10, gamma=0.5), steps=5)
    >>> s(0), s(5), s(14), s(15)
    (0.1, 0.1, 0.1, 0.05)
    >>> Shift(StepDecay(0.1, step_size=10, gamma=0.5), steps=5, before=0.0)(4)
    0.0
    """

    schedule: Schedule
    steps: float
    before: float | None = None
    _before: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set("schedule", v.schedule(self, "schedule", self.schedule))
        self._set("steps", v.real(self, "steps", self.steps, lo=0, lo_open=True))
        if self.before is not None:
            self._set("before", v.real(self, "before", self.before, lo=0))
        b = self.before
        self._set("_before", float(self.schedule(0)) if b is None else b)

    def _late(self, t: Any, m: Backend) -> Any:
        return self.schedule._at(t - self.steps, m)

    def _eval(self, t: Any, m: Backend) -> Any:
        if not m.is_array:
            return self._before if t < self.steps else self._late(t, m)
        return piecewise(
            t,
            (self.steps,),
            [lambda x: m.full(x, self._before), lambda x: self._late(x, ARRAY)],
        )

    @property
    def horizon(self) -> float | None:
        h = self.schedule.horizon
        return self.steps if h is None else self.steps + h

    def phases(self) -> tuple[float, ...]:
        return bounded_phases([self.steps, *(self.steps + p for p in self.schedule.phases())])
