"""Arithmetic on schedules: the product of schedules and a schedule scaled by a constant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Product", "Scale"]


@register("product")
@dataclass(frozen=True, repr=False)
class Product(Schedule):
    """The pointwise product of schedules (``a * b`` builds one).

    .. math:: \\eta(t) = \\prod_i s_i(t)

    Every factor sees the same (global) step.

    >>> from lrlab import Constant, StepDecay, Product
    >>> s = Product([Constant(0.5), StepDecay(0.2, step_size=10, gamma=0.5)])
    >>> s(0), s(10)
    (0.1, 0.05)
    """

    schedules: tuple[Schedule, ...]

    def __post_init__(self) -> None:
        self._set("schedules", v.schedules(self, "schedules", self.schedules, min_len=1))

    def _eval(self, t: Any, m: Backend) -> Any:
        out = self.schedules[0]._at(t, m)
        for s in self.schedules[1:]:
            out = out * s._at(t, m)
        return out

    @property
    def horizon(self) -> float | None:
        hs = [h for h in (s.horizon for s in self.schedules) if h is not None]
        return max(hs) if hs else None

    def phases(self) -> tuple[float, ...]:
        return tuple(sorted({p for s in self.schedules for p in s.phases()}))


@register("scale")
@dataclass(frozen=True, repr=False)
class Scale(Schedule):
    """A schedule multiplied by a constant factor (``0.5 * s`` builds one).

    .. math:: \\eta(t) = c \\, s(t)

    >>> from lrlab import Constant, Scale
    >>> Scale(Constant(0.2), 0.5)(7)
    0.1
    """

    schedule: Schedule
    factor: float

    def __post_init__(self) -> None:
        self._set("schedule", v.schedule(self, "schedule", self.schedule))
        self._set("factor", v.real(self, "factor", self.factor, lo=0))

    def _eval(self, t: Any, m: Backend) -> Any:
        return self.factor * self.schedule._at(t, m)

    @property
    def horizon(self) -> float | None:
        return self.schedule.horizon

    def phases(self) -> tuple[float, ...]:
        return self.schedule.phases()
