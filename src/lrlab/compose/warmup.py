"""Warmup: a ramp from ``start`` to ``peak`` over the first steps, then the wrapped schedule."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lrlab import _validate as v
from lrlab._math import ARRAY, Backend
from lrlab.compose.join import bounded_phases, piecewise
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Warmup"]

_SHAPES = ("linear", "cosine", "exponential")


@register("warmup")
@dataclass(frozen=True, repr=False)
class Warmup(Schedule):
    """Ramp from ``start`` to ``peak`` over ``steps`` steps, then run ``schedule``.

    For :math:`t < W` (with :math:`f = t / W`, the fraction of warmup done):

    .. math::
        \\text{linear:}\\quad & \\eta(t) = s_0 + (p - s_0)\\, f \\\\
        \\text{cosine:}\\quad & \\eta(t) = s_0 + (p - s_0)\\,(1 - \\cos \\pi f) / 2 \\\\
        \\text{exponential:}\\quad & \\eta(t) = s_0\\,(p / s_0)^{f}

    and for :math:`t \\ge W`: :math:`\\eta(t) = S(t - W)` (``overlap=False``: the wrapped
    schedule starts its own clock when warmup ends) or :math:`S(t)` (``overlap=True``).

    ``schedule`` (S): the schedule after warmup; ``steps`` (W, > 0): warmup length in steps;
    ``start`` (s_0, >= 0): the LR at step 0, explicit (default 0.0); ``shape``: ``'linear'``,
    ``'cosine'`` or ``'exponential'`` (geometric ramp, needs ``start > 0`` and ``peak > 0``);
    ``peak`` (p, >= 0): the value the ramp heads for, by default ``S(0)`` (``S(W)`` with
    ``overlap=True``), which makes the schedule continuous at ``W``; ``overlap``: ``False``
    (default) hands the schedule its own clock, as Keras's ``CosineDecay(warmup_steps=...)``,
    optax's ``warmup_cosine_decay_schedule`` (a ``join_schedules``), Hugging Face's
    ``get_*_schedule_with_warmup`` (progress ``(t - W) / (T - W)``) and timm's
    ``warmup_prefix=True`` do (for optax and HF give S the length ``T - W``); ``True``
    evaluates S at the global step, its first ``W`` steps hidden by the ramp, as timm does by
    default (``warmup_prefix=False``; timm ramps to the base LR, i.e. ``peak=S(0)``, and then
    jumps to ``S(W)``: pass ``peak`` explicitly for that).

    The linear ramp is computed as ``start + (peak - start) * (t / W)``, the operations of
    Keras's ``CosineDecay`` warmup (and, with ``start = 0``, of HF's ``lr * t / W``).

    >>> from lrlab import Constant, StepDecay, Warmup
    >>> s = Warmup(Constant(0.1), steps=4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.025, 0.05, 0.07500000000000001, 0.1, 0.1]
    >>> d = Warmup(StepDecay(0.1, step_size=10, gamma=0.5), steps=10)
    >>> d(10), d(19), d(20)
    (0.1, 0.1, 0.05)
    >>> Warmup(StepDecay(0.1, step_size=10, gamma=0.5), steps=10, overlap=True)(10)
    0.05
    >>> round(Warmup(Constant(1.0), steps=2, start=0.01, shape="exponential")(1), 12)
    0.1
    """

    schedule: Schedule
    steps: float
    start: float = 0.0
    shape: str = "linear"
    peak: float | None = None
    overlap: bool = False
    _peak: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set("schedule", v.schedule(self, "schedule", self.schedule))
        self._set("steps", v.real(self, "steps", self.steps, lo=0, lo_open=True))
        self._set("start", v.real(self, "start", self.start, lo=0))
        self._set("shape", v.choice(self, "shape", self.shape, _SHAPES))
        if self.peak is not None:
            self._set("peak", v.real(self, "peak", self.peak, lo=0))
        self._set("overlap", v.boolean(self, "overlap", self.overlap))
        peak = self.peak
        if peak is None:
            peak = float(self.schedule(self.steps if self.overlap else 0))
        if self.shape == "exponential":
            if self.start <= 0:
                raise v.fail(self, "start", "> 0 when shape='exponential'", self.start)
            if peak <= 0:
                where = "S(steps)" if self.overlap else "S(0)"
                rule = "> 0 when shape='exponential'" + (
                    f" (the default peak, {where}, is {peak!r}: pass peak=...)"
                    if self.peak is None
                    else ""
                )
                raise v.fail(self, "peak", rule, self.peak)
        self._set("_peak", peak)

    def _ramp(self, t: Any, m: Backend) -> Any:
        f = t / self.steps
        if self.shape == "linear":
            return self.start + (self._peak - self.start) * f
        if self.shape == "cosine":
            return self.start + (self._peak - self.start) * ((1.0 - m.cos(math.pi * f)) / 2.0)
        return self.start * (self._peak / self.start) ** f

    def _main(self, t: Any, m: Backend) -> Any:
        return self.schedule._at(t if self.overlap else t - self.steps, m)

    def _eval(self, t: Any, m: Backend) -> Any:
        if not m.is_array:
            return self._ramp(t, m) if t < self.steps else self._main(t, m)
        return piecewise(
            t, (self.steps,), [lambda x: self._ramp(x, ARRAY), lambda x: self._main(x, ARRAY)]
        )

    @property
    def horizon(self) -> float | None:
        h = self.schedule.horizon
        if self.overlap:
            return self.steps if h is None else max(self.steps, h)
        return self.steps if h is None else self.steps + h

    def phases(self) -> tuple[float, ...]:
        if self.overlap:
            rest = [p for p in self.schedule.phases() if p > self.steps]
        else:
            rest = [self.steps + p for p in self.schedule.phases()]
        return bounded_phases([self.steps, *rest])
