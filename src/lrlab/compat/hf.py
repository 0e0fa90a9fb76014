"""Hugging Face transformers' learning-rate schedulers (``transformers/optimization.py``).

Every Hugging Face scheduler is a ``torch.optim.lr_scheduler.LambdaLR``: the learning rate
after ``t`` calls of ``scheduler.step()`` is ``base_lr * lr_lambda(t)``.  lrlab takes the base
learning rate as ``lr=`` where Hugging Face takes an optimizer, drops ``last_epoch`` (the
training loop owns the step count: evaluate the schedule at the step you resume from), and
otherwise keeps the names, defaults and order of the arguments:

* :func:`get_scheduler` (``hf.get_scheduler``) dispatches on the ``SchedulerType`` name as
  ``transformers.get_scheduler`` does, including which arguments each type requires;
* one constructor per ``get_*_schedule*`` function, registered under its Hugging Face name
  (``hf.get_cosine_schedule_with_warmup`` ...).

Each multiplier is computed with the operations of the Hugging Face lambda (same order, same
``max(1, ...)`` guards), so values agree with transformers to the last bit or two.  Quirks
reproduced (verified against transformers 5.23 ``optimization.py``):

* warmup starts from 0 at step 0: ``t / max(1, W)`` (except ``cosine_warmup_with_min_lr``,
  whose warmup is ``(t + 1) / max(1, W)`` and whose cosine starts one step early);
* ``cosine`` and the ``*_with_min_lr`` cosines are periodic past ``num_training_steps``: the
  learning rate rises again (like PyTorch's ``CosineAnnealingLR``); ``linear`` stays at 0,
  ``cosine_with_restarts`` is 0 once its progress reaches 1, ``polynomial`` stays at
  ``lr_end``;
* ``polynomial`` returns ``lr * ((lr_init - lr_end) * pct**power + lr_end) / lr_init``, not
  ``lr_end`` exactly; ``min_lr`` is turned into ``min_lr_rate = min_lr / lr`` the same way;
* ``get_scheduler('constant', ...)`` ignores ``num_warmup_steps`` (lrlab warns);
  ``constant_with_warmup`` ignores ``scheduler_specific_kwargs``;
* ``warmup_stable_decay`` with both ``num_training_steps`` and ``num_stable_steps`` uses
  ``num_stable_steps`` (warning); a derived negative stable phase starts the decay part-way.

``reduce_lr_on_plateau`` and ``greedy`` follow a metric, not the step: they are not schedules
and are refused with a pointer to lrlab's plateau controller.  Step counts are integers, as
Hugging Face declares them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, fields
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.compose.join import bounded_phases
from lrlab.compose.warmup import Warmup
from lrlab.errors import LrlabWarning, ScheduleError
from lrlab.families.constant import Constant
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = [
    "SCHEDULER_TYPES",
    "CosineScheduleWithWarmup",
    "CosineWithHardRestartsScheduleWithWarmup",
    "CosineWithMinLrScheduleWithWarmup",
    "CosineWithMinLrScheduleWithWarmupLrRate",
    "InverseSqrtSchedule",
    "LinearScheduleWithWarmup",
    "PolynomialDecayScheduleWithWarmup",
    "WsdSchedule",
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_greedy_schedule",
    "get_reduce_on_plateau_schedule",
    "get_scheduler",
]

#: The values of ``transformers.trainer_utils.SchedulerType`` (transformers 5.23).
SCHEDULER_TYPES = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "reduce_lr_on_plateau",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
    "warmup_stable_decay",
    "greedy",
)

_SHAPES = ("linear", "cosine", "1-sqrt")
_PI = math.pi


def _steps(owner: object, name: str, value: object) -> int:
    return v.integer(owner, name, value, lo=0)


def _cycle_phases(w: int, span: float, cycles: float) -> list[float]:
    """Steps ``w + i * span / cycles`` where a cosine of ``cycles`` waves starts a new wave."""
    if cycles <= 0:
        return []
    n = min(math.ceil(cycles * 2), 200)  # half waves: minima and maxima
    return [w + i * span / (2 * cycles) for i in range(1, n)]


class _Lambda(Schedule):
    """Base of the LambdaLR-style schedules: ``lr * multiplier(t)``, as LambdaLR computes it."""

    __slots__ = ()
    lr: float
    num_warmup_steps: int

    def _mult(self, t: Any, m: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _eval(self, t: Any, m: Backend) -> Any:
        return self.lr * self._mult(t, m)

    def _check_lr_and_warmup(self) -> int:
        """Validate and store ``lr`` (>= 0) and ``num_warmup_steps`` W; return W."""
        self._set("lr", v.real(self, "lr", self.lr, lo=0))
        w = _steps(self, "num_warmup_steps", self.num_warmup_steps)
        self._set("num_warmup_steps", w)
        return w


class _WarmupToTraining(_Lambda):
    """A ``_Lambda`` whose warmup of W steps is followed by a decay ending at step T.

    ``horizon`` is ``max(T, W)`` and ``phases`` the positive ones of W and T; the cosines
    override ``phases`` with their half waves.
    """

    __slots__ = ()
    num_training_steps: int

    def _check_steps(self) -> tuple[int, int]:
        """Validate and store ``lr``, W and T (integers >= 0); return (W, T)."""
        w = self._check_lr_and_warmup()
        n = _steps(self, "num_training_steps", self.num_training_steps)
        self._set("num_training_steps", n)
        return w, n

    @property
    def horizon(self) -> float | None:
        return float(max(self.num_training_steps, self.num_warmup_steps))

    def phases(self) -> tuple[float, ...]:
        return bounded_phases(
            p for p in (self.num_warmup_steps, self.num_training_steps) if p > 0
        )


@register("hf.get_linear_schedule_with_warmup")
@dataclass(frozen=True, repr=False)
class LinearScheduleWithWarmup(_WarmupToTraining):
    """Hugging Face's ``get_linear_schedule_with_warmup``: linear warmup from 0, linear decay to 0.

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            t / \\max(1, W) & t < W \\\\
            \\max\\bigl(0,\\ (T - t) / \\max(1, T - W)\\bigr) & t \\ge W
        \\end{cases}

    ``lr`` (η0, >= 0): the optimizer's base learning rate; ``num_warmup_steps`` (W, steps,
    integer >= 0); ``num_training_steps`` (T, steps, integer >= 0; the decay reaches 0 at T
    and stays there; ``T <= W`` drops to 0 right after warmup, as Hugging Face does).

    >>> from lrlab.compat.hf import LinearScheduleWithWarmup
    >>> s = LinearScheduleWithWarmup(lr=0.1, num_warmup_steps=10, num_training_steps=110)
    >>> s(0), s(5), s(10), s(60), s(110), s(500)
    (0.0, 0.05, 0.1, 0.05, 0.0, 0.0)
    """

    lr: float
    num_warmup_steps: int
    num_training_steps: int
    _wd: float = field(init=False, repr=False, compare=False, default=1.0)
    _dd: float = field(init=False, repr=False, compare=False, default=1.0)

    def __post_init__(self) -> None:
        w, n = self._check_steps()
        self._set("_wd", float(max(1, w)))
        self._set("_dd", float(max(1, n - w)))

    def _mult(self, t: Any, m: Any) -> Any:
        decay = m.maximum(0.0, (self.num_training_steps - t) / self._dd)
        return m.where(t < self.num_warmup_steps, t / self._wd, decay)

@register("hf.get_cosine_schedule_with_warmup")
@dataclass(frozen=True, repr=False)
class CosineScheduleWithWarmup(_WarmupToTraining):
    """Hugging Face's ``get_cosine_schedule_with_warmup``: linear warmup from 0, then cosine.

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            t / \\max(1, W) & t < W \\\\
            \\max\\bigl(0,\\ \\tfrac12 (1 + \\cos(2 \\pi c\\, p))\\bigr),\\quad
            p = (t - W) / \\max(1, T - W) & t \\ge W
        \\end{cases}

    ``lr`` (η0, >= 0); ``num_warmup_steps`` (W) and ``num_training_steps`` (T): integer
    steps >= 0; ``num_cycles`` (c, >= 0, default 0.5: a half wave from η0 down to 0 at T).
    Past T the cosine goes on: with c = 0.5 the learning rate rises again after T (Hugging
    Face does not clamp the progress), reaching η0 at ``2T - W``.  The cosine floor is 0; use
    ``get_cosine_with_min_lr_schedule_with_warmup`` for a floor.

    >>> from lrlab.compat.hf import CosineScheduleWithWarmup
    >>> s = CosineScheduleWithWarmup(lr=0.1, num_warmup_steps=10, num_training_steps=110)
    >>> s(0), s(10), round(s(60), 12), s(110), round(s(160), 12)
    (0.0, 0.1, 0.05, 0.0, 0.05)
    """

    lr: float
    num_warmup_steps: int
    num_training_steps: int
    num_cycles: float = 0.5
    _wd: float = field(init=False, repr=False, compare=False, default=1.0)
    _dd: float = field(init=False, repr=False, compare=False, default=1.0)
    _k: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        w, n = self._check_steps()
        self._set("_wd", float(max(1, w)))
        self._set("num_cycles", v.real(self, "num_cycles", self.num_cycles, lo=0))
        self._set("_dd", float(max(1, n - w)))
        self._set("_k", _PI * float(self.num_cycles) * 2.0)  # math.pi * num_cycles * 2.0

    def _mult(self, t: Any, m: Any) -> Any:
        progress = (t - self.num_warmup_steps) / self._dd
        decay = m.maximum(0.0, 0.5 * (1.0 + m.cos(self._k * progress)))
        return m.where(t < self.num_warmup_steps, t / self._wd, decay)

    def phases(self) -> tuple[float, ...]:
        w = self.num_warmup_steps
        return bounded_phases([w, *_cycle_phases(w, self._dd, self.num_cycles)])


@register("hf.get_cosine_with_hard_restarts_schedule_with_warmup")
@dataclass(frozen=True, repr=False)
class CosineWithHardRestartsScheduleWithWarmup(_WarmupToTraining):
    """Hugging Face's ``get_cosine_with_hard_restarts_schedule_with_warmup``.

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            t / \\max(1, W) & t < W \\\\
            0 & p \\ge 1 \\\\
            \\max\\bigl(0,\\ \\tfrac12 (1 + \\cos(\\pi\\, ((c\\,p) \\bmod 1)))\\bigr) & \\text{else}
        \\end{cases}
        \\qquad p = (t - W) / \\max(1, T - W)

    ``num_cycles`` (c, >= 0, default 1): the number of cosine waves between W and T, each
    starting again from η0 (no peak decay); the learning rate is 0 from T on.

    >>> from lrlab.compat.hf import CosineWithHardRestartsScheduleWithWarmup as R
    >>> s = R(lr=0.1, num_warmup_steps=0, num_training_steps=100, num_cycles=2)
    >>> s(0), round(s(25), 12), s(50), s(100)
    (0.1, 0.05, 0.1, 0.0)
    """

    lr: float
    num_warmup_steps: int
    num_training_steps: int
    num_cycles: float = 1
    _wd: float = field(init=False, repr=False, compare=False, default=1.0)
    _dd: float = field(init=False, repr=False, compare=False, default=1.0)

    def __post_init__(self) -> None:
        w, n = self._check_steps()
        self._set("_wd", float(max(1, w)))
        self._set("num_cycles", v.real(self, "num_cycles", self.num_cycles, lo=0))
        self._set("_dd", float(max(1, n - w)))

    def _mult(self, t: Any, m: Any) -> Any:
        progress = (t - self.num_warmup_steps) / self._dd
        x = self.num_cycles * progress
        frac = x - m.floor(x)  # == x % 1.0 exactly (fmod by 1 is exact)
        wave = m.maximum(0.0, 0.5 * (1.0 + m.cos(_PI * frac)))
        decay = m.where(progress >= 1.0, 0.0, wave)
        return m.where(t < self.num_warmup_steps, t / self._wd, decay)

    @property
    def horizon(self) -> float | None:
        return self.num_warmup_steps + self._dd

    def phases(self) -> tuple[float, ...]:
        w = self.num_warmup_steps
        c = self.num_cycles
        restarts = [w + i * self._dd / c for i in range(1, min(math.ceil(c), 200))] if c else []
        return bounded_phases([w, *restarts, w + self._dd])


@register("hf.get_polynomial_decay_schedule_with_warmup")
@dataclass(frozen=True, repr=False)
class PolynomialDecayScheduleWithWarmup(_WarmupToTraining):
    """Hugging Face's ``get_polynomial_decay_schedule_with_warmup``.

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            t / \\max(1, W) & t < W \\\\
            \\eta_e / \\eta_0 & t > T \\\\
            \\bigl((\\eta_0 - \\eta_e)(1 - (t - W)/(T - W))^{P} + \\eta_e\\bigr) / \\eta_0
            & \\text{else}
        \\end{cases}

    ``lr`` (η0 > ``lr_end``); ``lr_end`` (η_e, >= 0, default 1e-7): the final learning rate;
    ``power`` (P, >= 0, default 1.0); ``num_warmup_steps`` (W) and ``num_training_steps``
    (T): integer steps, ``T != W`` (Hugging Face divides by ``T - W`` at step W); ``T < W``
    jumps to η_e right after warmup, as Hugging Face does.  The value is computed as LambdaLR
    does, ``η0 * (decay / η0)``, which can differ from ``decay`` in the last bit.

    >>> from lrlab.compat.hf import PolynomialDecayScheduleWithWarmup as P
    >>> s = P(lr=0.1, num_warmup_steps=10, num_training_steps=110, lr_end=0.0, power=2.0)
    >>> s(0), s(10), round(s(60), 12), s(110), s(1000)
    (0.0, 0.1, 0.025, 0.0, 0.0)
    """

    lr: float
    num_warmup_steps: int
    num_training_steps: int
    lr_end: float = 1e-7
    power: float = 1.0
    _wd: float = field(init=False, repr=False, compare=False, default=1.0)
    _ds: float = field(init=False, repr=False, compare=False, default=1.0)

    def __post_init__(self) -> None:
        w, n = self._check_steps()
        lr = self.lr
        end = v.real(self, "lr_end", self.lr_end, lo=0)
        if not lr > end:
            raise v.fail(self, "lr_end", f"smaller than the initial lr ({lr!r})", self.lr_end)
        self._set("lr_end", end)
        self._set("power", v.real(self, "power", self.power, lo=0))
        if n == w:
            raise v.fail(
                self,
                "num_training_steps",
                f"different from num_warmup_steps ({w}): Hugging Face divides by "
                "num_training_steps - num_warmup_steps",
                self.num_training_steps,
            )
        self._set("_wd", float(max(1, w)))
        self._set("_ds", float(n - w))

    def _mult(self, t: Any, m: Any) -> Any:
        lr_init = self.lr
        lr_range = lr_init - self.lr_end
        pct_remaining = m.clip(1 - (t - self.num_warmup_steps) / self._ds, 0.0, 1.0)
        decay = lr_range * pct_remaining**self.power + self.lr_end
        tail = m.where(t > self.num_training_steps, self.lr_end / lr_init, decay / lr_init)
        return m.where(t < self.num_warmup_steps, t / self._wd, tail)

@register("hf.get_inverse_sqrt_schedule")
@dataclass(frozen=True, repr=False)
class InverseSqrtSchedule(_Lambda):
    """Hugging Face's ``get_inverse_sqrt_schedule``: linear warmup from 0, then 1/sqrt decay.

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            t / \\max(1, W) & t < W \\\\
            1 / \\sqrt{(t + \\tau - W) / \\tau} & t \\ge W
        \\end{cases}

    ``num_warmup_steps`` (W, integer >= 0); ``timescale`` (τ, integer >= 1, or None: W, or
    10 000 when W = 0, as Hugging Face chooses).  The value is η0 at t = W and halves by
    ``t = W + 3τ``.

    >>> from lrlab.compat.hf import InverseSqrtSchedule
    >>> s = InverseSqrtSchedule(lr=0.1, num_warmup_steps=100)
    >>> s(0), s(50), s(100), s(400)
    (0.0, 0.05, 0.1, 0.05)
    """

    lr: float
    num_warmup_steps: int
    timescale: int | None = None
    _wd: float = field(init=False, repr=False, compare=False, default=1.0)
    _ts: int = field(init=False, repr=False, compare=False, default=1)

    def __post_init__(self) -> None:
        w = self._check_lr_and_warmup()
        if self.timescale is not None:
            self._set("timescale", v.integer(self, "timescale", self.timescale, lo=1))
        self._set("_ts", self.timescale if self.timescale is not None else (w or 10_000))
        self._set("_wd", float(max(1, w)))

    def _mult(self, t: Any, m: Any) -> Any:
        w = self.num_warmup_steps
        shift = self._ts - w
        decay = 1.0 / m.sqrt((m.maximum(t, w) + shift) / self._ts)
        return m.where(t < w, t / self._wd, decay)

    @property
    def horizon(self) -> float | None:
        return float(self.num_warmup_steps) if self.num_warmup_steps else None

    def phases(self) -> tuple[float, ...]:
        return bounded_phases([self.num_warmup_steps] if self.num_warmup_steps else [])


def _min_lr_rate(owner: Any) -> float:
    """Hugging Face's choice between ``min_lr`` (absolute) and ``min_lr_rate`` (fraction)."""
    if owner.min_lr is not None and owner.min_lr_rate is not None:
        raise v.fail(owner, "min_lr_rate", "None when min_lr is given (only one of them)",
                     owner.min_lr_rate)
    if owner.min_lr is not None:
        min_lr = v.real(owner, "min_lr", owner.min_lr, lo=0)
        owner._set("min_lr", min_lr)
        if owner.lr == 0:
            raise v.fail(owner, "lr", "> 0 when min_lr is given (min_lr_rate = min_lr / lr)",
                         owner.lr)
        return min_lr / owner.lr
    if owner.min_lr_rate is None:
        raise v.fail(owner, "min_lr", "given, or min_lr_rate given (one of them is required)",
                     owner.min_lr)
    rate = v.real(owner, "min_lr_rate", owner.min_lr_rate, lo=0)
    owner._set("min_lr_rate", rate)
    return rate


@register("hf.get_cosine_with_min_lr_schedule_with_warmup")
@dataclass(frozen=True, repr=False)
class CosineWithMinLrScheduleWithWarmup(_WarmupToTraining):
    """Hugging Face's ``get_cosine_with_min_lr_schedule_with_warmup`` (``cosine_with_min_lr``).

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            t / \\max(1, W) & t < W \\\\
            \\max\\bigl(0,\\ f (1 - r) + r\\bigr),\\quad
            f = \\tfrac12 (1 + \\cos(2 \\pi c\\, p)),\\ p = (t - W) / \\max(1, T - W) & t \\ge W
        \\end{cases}

    The floor is a fraction r of η0: ``min_lr_rate`` (r >= 0), or ``min_lr`` (absolute,
    turned into ``r = min_lr / lr`` as Hugging Face does); give exactly one.  ``num_cycles``
    (c, >= 0, default 0.5).  Periodic past T, like ``get_cosine_schedule_with_warmup``.

    >>> from lrlab.compat.hf import CosineWithMinLrScheduleWithWarmup as C
    >>> s = C(lr=0.1, num_warmup_steps=10, num_training_steps=110, min_lr_rate=0.1)
    >>> s(0), s(10), round(s(110), 12)
    (0.0, 0.1, 0.01)
    """

    lr: float
    num_warmup_steps: int
    num_training_steps: int
    num_cycles: float = 0.5
    min_lr: float | None = None
    min_lr_rate: float | None = None
    _wd: float = field(init=False, repr=False, compare=False, default=1.0)
    _dd: float = field(init=False, repr=False, compare=False, default=1.0)
    _k: float = field(init=False, repr=False, compare=False, default=0.0)
    _r: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        w, n = self._check_steps()
        self._set("_wd", float(max(1, w)))
        self._set("num_cycles", v.real(self, "num_cycles", self.num_cycles, lo=0))
        self._set("_r", _min_lr_rate(self))
        self._set("_dd", float(max(1, n - w)))
        self._set("_k", _PI * float(self.num_cycles) * 2.0)

    def _mult(self, t: Any, m: Any) -> Any:
        progress = (t - self.num_warmup_steps) / self._dd
        factor = 0.5 * (1.0 + m.cos(self._k * progress))
        factor = factor * (1 - self._r) + self._r
        return m.where(t < self.num_warmup_steps, t / self._wd, m.maximum(0.0, factor))

    def phases(self) -> tuple[float, ...]:
        w = self.num_warmup_steps
        return bounded_phases([w, *_cycle_phases(w, self._dd, self.num_cycles)])


@register("hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate")
@dataclass(frozen=True, repr=False)
class CosineWithMinLrScheduleWithWarmupLrRate(_WarmupToTraining):
    """Hugging Face's ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate``.

    This is ``SchedulerType.COSINE_WARMUP_WITH_MIN_LR``.  Unlike the other Hugging Face
    warmups it does not start at 0, and its cosine starts one step early:

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            (t + 1) / \\max(1, W) & t < W,\\ \\text{warmup\\_lr\\_rate} = \\text{None} \\\\
            w + (1 - w)\\, t / \\max(1, W - 1) & t < W,\\ \\text{warmup\\_lr\\_rate} = w \\\\
            \\max\\bigl(0,\\ f (1 - r) + r\\bigr),\\quad
            f = \\tfrac12 (1 + \\cos(2 \\pi c\\, p)),\\ p = (t - W + 1) / \\max(1, T - W)
            & t \\ge W
        \\end{cases}

    ``min_lr`` / ``min_lr_rate``: as in ``get_cosine_with_min_lr_schedule_with_warmup``
    (exactly one); ``warmup_lr_rate`` (w, >= 0 or None): the warmup's starting fraction.

    >>> from lrlab.compat.hf import CosineWithMinLrScheduleWithWarmupLrRate as C
    >>> s = C(lr=0.1, num_warmup_steps=10, num_training_steps=110, min_lr_rate=0.0)
    >>> round(s(0), 12), s(9), round(s(59), 12)
    (0.01, 0.1, 0.05)
    """

    lr: float
    num_warmup_steps: int
    num_training_steps: int
    num_cycles: float = 0.5
    min_lr: float | None = None
    min_lr_rate: float | None = None
    warmup_lr_rate: float | None = None
    _r: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        self._check_steps()
        self._set("num_cycles", v.real(self, "num_cycles", self.num_cycles, lo=0))
        self._set("_r", _min_lr_rate(self))
        if self.warmup_lr_rate is not None:
            self._set(
                "warmup_lr_rate", v.real(self, "warmup_lr_rate", self.warmup_lr_rate, lo=0)
            )

    def _mult(self, t: Any, m: Any) -> Any:
        w = float(self.num_warmup_steps)
        n = float(self.num_training_steps)
        wr = self.warmup_lr_rate
        if wr is None:
            warm = (t + 1.0) / max(1.0, w)
        else:
            warm = wr + (1.0 - wr) * t / max(1, w - 1)
        progress = (t - w + 1.0) / max(1.0, n - w)
        factor = 0.5 * (1.0 + m.cos(_PI * self.num_cycles * 2.0 * progress))
        factor = factor * (1 - self._r) + self._r
        return m.where(t < w, warm, m.maximum(0.0, factor))

    def phases(self) -> tuple[float, ...]:
        w = self.num_warmup_steps
        span = float(max(1, self.num_training_steps - w))
        return bounded_phases([w, *_cycle_phases(w - 1, span, self.num_cycles)])


@register("hf.get_wsd_schedule")
@dataclass(frozen=True, repr=False)
class WsdSchedule(_Lambda):
    """Hugging Face's ``get_wsd_schedule`` (``warmup_stable_decay``): warmup, plateau, decay.

    With r = ``min_lr_ratio``, S = ``num_stable_steps`` (or ``T - W - D`` when only
    ``num_training_steps`` T is given) and D = ``num_decay_steps``:

    .. math::
        \\eta(t) = \\eta_0 \\cdot \\begin{cases}
            \\max(0,\\ g_w(t / \\max(1, W)) (1 - r) + r) & t < W \\\\
            1 & t < W + S \\\\
            \\max(0,\\ g_d((t - W - S) / \\max(1, D)) (1 - r) + r) & t < W + S + D \\\\
            r & \\text{after}
        \\end{cases}

    Warmup shapes g_w (``warmup_type``): linear p, cosine (1 - cos πp)/2, 1-sqrt
    1 - sqrt(1 - p).  Decay shapes g_d (``decay_type``, default cosine): linear 1 - p, cosine
    (1 + cos 2πcp)/2 with c = ``num_cycles``, 1-sqrt 1 - sqrt(p).  The warmup starts at
    r·η0 (0 by default).  If both T and S are given, S is used (Hugging Face warns; so does
    lrlab).  A negative derived S (T < W + D) is kept, as Hugging Face keeps it: the decay
    then starts part-way, right after warmup.

    >>> from lrlab.compat.hf import WsdSchedule
    >>> s = WsdSchedule(lr=0.1, num_warmup_steps=10, num_decay_steps=20, num_stable_steps=70,
    ...                 decay_type="linear")
    >>> s(0), s(10), s(79), s(80), s(90), s(100), s(10**6)
    (0.0, 0.1, 0.1, 0.1, 0.05, 0.0, 0.0)
    """

    lr: float
    num_warmup_steps: int
    num_decay_steps: int
    num_training_steps: int | None = None
    num_stable_steps: int | None = None
    warmup_type: str = "linear"
    decay_type: str = "cosine"
    min_lr_ratio: float = 0
    num_cycles: float = 0.5
    _s: int = field(init=False, repr=False, compare=False, default=0)
    _wd: float = field(init=False, repr=False, compare=False, default=1.0)
    _dd: float = field(init=False, repr=False, compare=False, default=1.0)

    def __post_init__(self) -> None:
        w = self._check_lr_and_warmup()
        d = _steps(self, "num_decay_steps", self.num_decay_steps)
        self._set("num_decay_steps", d)
        n, s = self.num_training_steps, self.num_stable_steps
        if n is None and s is None:
            raise v.fail(
                self, "num_training_steps", "given, or num_stable_steps given (one is required)",
                n,
            )
        if n is not None:
            n = _steps(self, "num_training_steps", n)
            self._set("num_training_steps", n)
        if s is not None:
            s = _steps(self, "num_stable_steps", s)
            self._set("num_stable_steps", s)
            if n is not None:
                warnings.warn(
                    "hf.get_wsd_schedule: both num_training_steps and num_stable_steps are "
                    "given; num_stable_steps is used (as in Hugging Face)",
                    LrlabWarning,
                    stacklevel=3,
                )
        else:
            assert n is not None
            s = n - w - d
        self._set("_s", s)
        self._set("warmup_type", v.choice(self, "warmup_type", self.warmup_type, _SHAPES))
        self._set("decay_type", v.choice(self, "decay_type", self.decay_type, _SHAPES))
        self._set("min_lr_ratio", v.real(self, "min_lr_ratio", self.min_lr_ratio, lo=0))
        self._set("num_cycles", v.real(self, "num_cycles", self.num_cycles, lo=0))
        self._set("_wd", float(max(1, w)))
        self._set("_dd", float(max(1, d)))

    def _mult(self, t: Any, m: Any) -> Any:
        w, s, d, r = self.num_warmup_steps, self._s, self.num_decay_steps, self.min_lr_ratio
        p = m.minimum(t / self._wd, 1.0)  # no-op where used (t < W)
        if self.warmup_type == "linear":
            g = p
        elif self.warmup_type == "cosine":
            g = 0.5 * (1.0 - m.cos(_PI * p))
        else:
            g = 1.0 - m.sqrt(1.0 - p)
        warm = m.maximum(0.0, g * (1.0 - r) + r)
        q = m.maximum((t - w - s) / self._dd, 0.0)  # no-op where used (t >= W + S)
        if self.decay_type == "linear":
            h = 1.0 - q
        elif self.decay_type == "cosine":
            h = 0.5 * (1.0 + m.cos(_PI * float(self.num_cycles) * 2.0 * q))
        else:
            h = 1.0 - m.sqrt(q)
        decay = m.maximum(0.0, h * (1.0 - r) + r)
        after = m.where(t < w + s + d, decay, r)
        return m.where(t < w, warm, m.where(t < w + s, 1.0, after))

    @property
    def horizon(self) -> float | None:
        return float(max(self.num_warmup_steps, self.num_warmup_steps + self._s
                         + self.num_decay_steps))

    def phases(self) -> tuple[float, ...]:
        w, s, d = self.num_warmup_steps, self._s, self.num_decay_steps
        return bounded_phases(p for p in (w, w + s, w + s + d) if p > 0)


@register("hf.get_constant_schedule")
def get_constant_schedule(lr: float) -> Schedule:
    """Hugging Face's ``get_constant_schedule``: the base learning rate at every step.

    >>> from lrlab.compat.hf import get_constant_schedule
    >>> get_constant_schedule(lr=0.01)
    constant(value=0.01)
    """
    return Constant(v.real("hf.get_constant_schedule", "lr", lr, lo=0))


@register("hf.get_constant_schedule_with_warmup")
def get_constant_schedule_with_warmup(lr: float, num_warmup_steps: int) -> Schedule:
    """Hugging Face's ``get_constant_schedule_with_warmup``: ``lr * t / max(1, W)``, then ``lr``.

    Returns lrlab's ``warmup(constant(lr), steps=W)`` (the same operations: ``lr * (t / W)``).

    >>> from lrlab.compat.hf import get_constant_schedule_with_warmup
    >>> s = get_constant_schedule_with_warmup(lr=0.1, num_warmup_steps=10)
    >>> s
    warmup(schedule=constant(value=0.1), steps=10)
    >>> s(0), s(5), s(10)
    (0.0, 0.05, 0.1)
    """
    name = "hf.get_constant_schedule_with_warmup"
    base = Constant(v.real(name, "lr", lr, lo=0))
    w = _steps(name, "num_warmup_steps", num_warmup_steps)
    return Warmup(base, steps=w) if w > 0 else base


def _not_a_schedule(kind: str) -> ScheduleError:
    return ScheduleError(
        f"hf.get_scheduler: {kind!r} is not a schedule: its learning rate follows a metric "
        "(a stateful controller, not a function of the step), so it has no value at step t. "
        "Use lrlab's plateau controller (the ReduceLROnPlateau counterpart) for a "
        "metric-driven learning rate, optionally on top of an lrlab schedule"
    )


@register("hf.get_reduce_on_plateau_schedule")
def get_reduce_on_plateau_schedule(lr: float = 0.0, **kwargs: Any) -> Schedule:
    """Refused: ``ReduceLROnPlateau`` is driven by a metric, not by the step.

    >>> from lrlab.compat.hf import get_reduce_on_plateau_schedule
    >>> get_reduce_on_plateau_schedule(lr=0.1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lrlab.errors.ScheduleError: hf.get_scheduler: 'reduce_lr_on_plateau' is not a schedule...
    """
    raise _not_a_schedule("reduce_lr_on_plateau")


@register("hf.get_greedy_schedule")
def get_greedy_schedule(lr: float = 0.0, **kwargs: Any) -> Schedule:
    """Refused: ``GreedyLR`` adapts the learning rate to a metric; it is not a function of the step.

    Hugging Face's ``get_greedy_schedule`` returns a ``GreedyLR``, which multiplies or divides
    the learning rate by a factor as a metric stalls or improves.

    >>> from lrlab.compat.hf import get_greedy_schedule
    >>> get_greedy_schedule(lr=0.1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lrlab.errors.ScheduleError: hf.get_scheduler: 'greedy' is not a schedule...
    """
    raise _not_a_schedule("greedy")


_BY_TYPE: dict[str, Any] = {
    "linear": LinearScheduleWithWarmup,
    "cosine": CosineScheduleWithWarmup,
    "cosine_with_restarts": CosineWithHardRestartsScheduleWithWarmup,
    "polynomial": PolynomialDecayScheduleWithWarmup,
    "inverse_sqrt": InverseSqrtSchedule,
    "cosine_with_min_lr": CosineWithMinLrScheduleWithWarmup,
    "cosine_warmup_with_min_lr": CosineWithMinLrScheduleWithWarmupLrRate,
    "warmup_stable_decay": WsdSchedule,
}

_COMMON = ("lr", "num_warmup_steps", "num_training_steps")


def _specific(name: str, cls: type, kwargs: Any) -> dict[str, Any]:
    """Check ``scheduler_specific_kwargs`` against the parameters of the chosen scheduler."""
    where = "hf.get_scheduler"
    if kwargs is None:
        return {}
    if not isinstance(kwargs, dict):
        raise v.fail(where, "scheduler_specific_kwargs", "a dict or None", kwargs)
    allowed = [f.name for f in fields(cls) if f.init and f.name not in _COMMON]
    for key in kwargs:
        if key not in allowed:
            rule = (
                f"keyword arguments of {name!r}: "
                + (", ".join(allowed) if allowed else "none")
                + (" (last_epoch is not needed: evaluate the schedule at the resumed step)"
                   if key == "last_epoch" else "")
            )
            raise v.fail(where, "scheduler_specific_kwargs", rule, kwargs)
    return dict(kwargs)


@register("hf.get_scheduler")
def get_scheduler(
    name: str,
    lr: float,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    scheduler_specific_kwargs: dict[str, Any] | None = None,
) -> Schedule:
    """Hugging Face's ``transformers.get_scheduler``, with ``lr=`` in place of the optimizer.

    ``name``: a ``SchedulerType`` value (see :data:`SCHEDULER_TYPES`); ``lr``: the base
    learning rate (the optimizer's ``lr``); ``num_warmup_steps`` is required by every type
    but ``constant`` (which ignores it, as Hugging Face does, with a warning, and also
    ignores ``num_training_steps`` and ``scheduler_specific_kwargs``);
    ``num_training_steps`` by ``linear``, ``cosine``, ``cosine_with_restarts``,
    ``polynomial``, ``cosine_with_min_lr`` and ``cosine_warmup_with_min_lr`` (and by
    ``warmup_stable_decay`` unless ``num_stable_steps`` is given);
    ``scheduler_specific_kwargs``: the remaining arguments of the chosen ``get_*`` function
    (``num_cycles``, ``lr_end``, ``power``, ``timescale``, ``min_lr``, ``min_lr_rate``,
    ``warmup_lr_rate``, ``num_decay_steps``, ...).  ``reduce_lr_on_plateau`` and ``greedy``
    are refused: they follow a metric, not the step.

    The value at step t equals ``optimizer.param_groups[0]["lr"]`` after t calls of
    ``scheduler.step()``.

    >>> from lrlab.compat.hf import get_scheduler
    >>> s = get_scheduler("cosine", lr=0.01, num_warmup_steps=100, num_training_steps=1000)
    >>> s
    hf.get_cosine_schedule_with_warmup(lr=0.01, num_warmup_steps=100, num_training_steps=1000)
    >>> s(0), s(50), s(100), s(1000)
    (0.0, 0.005, 0.01, 0.0)
    """
    where = "hf.get_scheduler"
    kind = v.choice(where, "name", name, SCHEDULER_TYPES)
    if kind == "constant":
        if num_warmup_steps or scheduler_specific_kwargs:
            # (num_training_steps is ignored too, silently: the Trainer always passes it)
            warnings.warn(
                "hf.get_scheduler('constant', ...) ignores num_warmup_steps and "
                "scheduler_specific_kwargs, as Hugging Face does; use "
                "'constant_with_warmup' for a warmup",
                LrlabWarning,
                stacklevel=2,
            )
        return get_constant_schedule(lr)
    if kind in ("reduce_lr_on_plateau", "greedy"):
        raise _not_a_schedule(kind)
    if num_warmup_steps is None:
        raise v.fail(where, "num_warmup_steps", f"given for {kind!r} (an integer >= 0)", None)
    if kind == "constant_with_warmup":
        return get_constant_schedule_with_warmup(lr, num_warmup_steps)
    cls = _BY_TYPE[kind]
    extra = _specific(kind, cls, scheduler_specific_kwargs)
    if kind == "inverse_sqrt":
        return cls(lr=lr, num_warmup_steps=num_warmup_steps, **extra)
    if kind == "warmup_stable_decay":
        if "num_decay_steps" not in extra:
            raise v.fail(
                where,
                "scheduler_specific_kwargs",
                "a dict with num_decay_steps for 'warmup_stable_decay'",
                scheduler_specific_kwargs,
            )
        return cls(
            lr=lr,
            num_warmup_steps=num_warmup_steps,
            num_training_steps=num_training_steps,
            **extra,
        )
    if num_training_steps is None:
        raise v.fail(where, "num_training_steps", f"given for {kind!r} (an integer >= 0)", None)
    return cls(
        lr=lr,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        **extra,
    )
