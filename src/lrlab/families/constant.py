"""Constant and step-wise schedules: constant, piecewise constant, step decay, multistep."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Constant", "PiecewiseConstant", "StepDecay", "MultiStep"]

_SIDES = ("left", "right")


@register("constant")
@dataclass(frozen=True, repr=False)
class Constant(Schedule):
    """The same value at every step.

    .. math:: \\eta(t) = v

    ``value`` (v): the learning rate, >= 0.

    >>> from lrlab import Constant
    >>> Constant(0.01)(123)
    0.01
    """

    value: float

    def __post_init__(self) -> None:
        self._set("value", v.real(self, "value", self.value, lo=0))

    def _scalar(self, t: float) -> float:
        return self.value

    def _eval(self, t: Any, m: Backend) -> Any:
        return m.full(t, self.value)


def _count(boundaries: tuple[float, ...], side: str, t: Any, m: Backend) -> Any:
    """How many boundaries lie behind step t (``side`` says where a boundary step belongs)."""
    if m.is_array:
        return np.searchsorted(boundaries, t, side="left" if side == "left" else "right")
    if side == "left":
        return bisect.bisect_left(boundaries, t)
    return bisect.bisect_right(boundaries, t)


@register("piecewise")
@dataclass(frozen=True, repr=False)
class PiecewiseConstant(Schedule):
    """Constant values between step boundaries.

    .. math:: \\eta(t) = v_i, \\quad i = \\#\\{j : b_j < t\\} \\ (\\text{side='left'})
              \\text{ or } \\#\\{j : b_j \\le t\\} \\ (\\text{side='right'})

    ``boundaries`` (b): strictly increasing steps; ``values`` (v): one more value than
    boundaries, each >= 0; ``side``: which interval a boundary step itself belongs to.
    ``'right'`` (default) switches to the next value *at* the boundary step, as PyTorch's
    MultiStepLR and optax do; ``'left'`` switches one step later, as TensorFlow and Keras's
    ``PiecewiseConstantDecay`` do (``t <= b_0`` still gives ``v_0``).

    >>> from lrlab import PiecewiseConstant
    >>> s = PiecewiseConstant([10, 20], [0.1, 0.01, 0.001])
    >>> s(9), s(10), s(20), s(21)
    (0.1, 0.01, 0.001, 0.001)
    >>> PiecewiseConstant([10, 20], [0.1, 0.01, 0.001], side="left")(10)
    0.1
    """

    boundaries: tuple[float, ...]
    values: tuple[float, ...]
    side: str = "right"
    _values: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        b = v.reals(self, "boundaries", self.boundaries, lo=0, increasing=True)
        vals = v.reals(self, "values", self.values, lo=0, min_len=1)
        if len(vals) != len(b) + 1:
            raise v.fail(
                self, "values", f"one more value than boundaries ({len(b) + 1})", self.values
            )
        self._set("boundaries", b)
        self._set("values", vals)
        self._set("side", v.choice(self, "side", self.side, _SIDES))
        self._set("_values", np.asarray(vals, dtype=np.float64))

    def _scalar(self, t: float) -> float:
        return self.values[_count(self.boundaries, self.side, t, _SCALAR)]

    def _eval(self, t: Any, m: Backend) -> Any:
        if m.is_array:
            return self._values[_count(self.boundaries, self.side, t, m)]
        return self._scalar(t)

    def phases(self) -> tuple[float, ...]:
        return self.boundaries


@register("step_decay")
@dataclass(frozen=True, repr=False)
class StepDecay(Schedule):
    """Multiply by ``gamma`` every ``step_size`` steps.

    .. math:: \\eta(t) = \\eta_0 \\, \\gamma^{\\lfloor t / s \\rfloor}

    ``init`` (η0): initial LR; ``step_size`` (s, steps, > 0); ``gamma`` (γ, > 0): the factor.

    >>> from lrlab import StepDecay
    >>> s = StepDecay(0.1, step_size=30, gamma=0.1)
    >>> s(29), round(s(30), 12), round(s(60), 12)
    (0.1, 0.01, 0.001)
    """

    init: float
    step_size: float
    gamma: float = 0.1

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        self._set("step_size", v.real(self, "step_size", self.step_size, lo=0, lo_open=True))
        self._set("gamma", v.real(self, "gamma", self.gamma, lo=0, lo_open=True))

    def _eval(self, t: Any, m: Backend) -> Any:
        return self.init * self.gamma ** m.floor(t / self.step_size)


@register("multistep")
@dataclass(frozen=True, repr=False)
class MultiStep(Schedule):
    """Multiply by ``gamma`` at each milestone.

    .. math:: \\eta(t) = \\eta_0 \\, \\gamma^{k(t)}, \\quad k(t) = \\#\\{m_j \\le t\\}

    ``milestones`` (m): increasing steps (a repeated milestone applies γ twice, as in
    PyTorch); ``side``: ``'right'`` (default, γ applies from the milestone step on) or
    ``'left'`` (one step later).

    >>> from lrlab import MultiStep
    >>> s = MultiStep(0.1, milestones=[30, 80], gamma=0.1)
    >>> s(29), round(s(30), 12), round(s(80), 12)
    (0.1, 0.01, 0.001)
    """

    init: float
    milestones: tuple[float, ...]
    gamma: float = 0.1
    side: str = "right"

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        ms = v.reals(self, "milestones", self.milestones, lo=0)
        if any(b < a for a, b in itertools.pairwise(ms)):
            raise v.fail(self, "milestones", "in non-decreasing order", self.milestones)
        self._set("milestones", ms)
        self._set("gamma", v.real(self, "gamma", self.gamma, lo=0, lo_open=True))
        self._set("side", v.choice(self, "side", self.side, _SIDES))

    def _eval(self, t: Any, m: Backend) -> Any:
        return self.init * self.gamma ** _count(self.milestones, self.side, t, m)

    def phases(self) -> tuple[float, ...]:
        return tuple(sorted(set(self.milestones)))


from lrlab._math import SCALAR as _SCALAR  # noqa: E402
