"""PerEpoch: an epoch-based schedule driven by the step count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.compose.join import bounded_phases
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["PerEpoch"]

_MODES = ("stepwise", "fractional")


@register("per_epoch")
@dataclass(frozen=True, repr=False)
class PerEpoch(Schedule):
    """Run a schedule written in epochs on a step (update) clock.

    .. math:: \\eta(t) = S(\\lfloor t / E \\rfloor) \\ (\\text{stepwise}) \\quad\\text{or}\\quad
              S(t / E) \\ (\\text{fractional})

    ``schedule`` (S): a schedule whose step unit is the epoch (e.g. ``StepDecay(step_size=30)``
    meaning every 30 epochs); ``steps_per_epoch`` (E, > 0): updates per epoch (for gradient
    accumulation, the number of optimizer updates, not of batches); ``mode``:
    ``'stepwise'`` changes the LR only at epoch starts, like a PyTorch scheduler stepped once
    per epoch, a Keras ``LearningRateScheduler`` callback, or timm with ``t_in_epochs=True``;
    ``'fractional'`` evaluates S at the fractional epoch (a smooth per-update version of the
    same curve, as fastai's schedules, which run on the fraction of training done).

    ``horizon`` and ``phases()`` are the child's, multiplied by E.

    >>> from lrlab import PerEpoch, StepDecay
    >>> s = PerEpoch(StepDecay(0.1, step_size=2, gamma=0.5), steps_per_epoch=100)
    >>> s(199), s(200)
    (0.1, 0.05)
    >>> PerEpoch(StepDecay(0.1, step_size=2, gamma=0.5), 100, mode="fractional")(250)
    0.05
    """

    schedule: Schedule
    steps_per_epoch: float
    mode: str = "stepwise"

    def __post_init__(self) -> None:
        self._set("schedule", v.schedule(self, "schedule", self.schedule))
        self._set(
            "steps_per_epoch",
            v.real(self, "steps_per_epoch", self.steps_per_epoch, lo=0, lo_open=True),
        )
        self._set("mode", v.choice(self, "mode", self.mode, _MODES))

    def _eval(self, t: Any, m: Backend) -> Any:
        e = t / self.steps_per_epoch
        if self.mode == "stepwise":
            e = m.floor(e)
            if not m.is_array:
                e = float(e)
        return self.schedule._at(e, m)

    @property
    def horizon(self) -> float | None:
        h = self.schedule.horizon
        return None if h is None else h * self.steps_per_epoch

    def phases(self) -> tuple[float, ...]:
        return bounded_phases(p * self.steps_per_epoch for p in self.schedule.phases())
