"""PyTorch-compatible constructors: ``torch.optim.lr_scheduler``'s classes as pure schedules.

Each class takes the original's name and keyword arguments (same names, same defaults), with
``lr=`` (the optimizer's ``param_groups[0]["lr"]`` when the scheduler is built) in place of the
optimizer.  ``s(t)`` is ``optimizer.param_groups[0]["lr"]`` after ``t`` calls of
``scheduler.step()`` (torch 2.13 semantics, verified by ``tests/parity/test_torch.py`` against
the real library).  This module never imports torch.

* ``last_epoch`` is accepted only at its default ``-1``: an lrlab schedule is a function of
  the step, so resuming means evaluating it at the resumed step, not restoring a counter.
  ``verbose`` no longer exists in torch 2.13 and is not accepted either.
* One parameter group: per-group lists (``max_lr=[...]``, a list of ``lr_lambda``) are refused.
* ``step()`` in torch mostly runs a recursive "chainable" form (multiply the current LR);
  lrlab evaluates a closed form that reproduces it to within rounding, and replays torch's
  recursion where a closed form would be off by more than 1e-12 (``CosineAnnealingLR`` past
  ``T_max``) or does not exist (``MultiplicativeLR``).  ``docs/compat-torch.md`` lists the
  measured differences and the quirks reproduced, e.g. ``ConstantLR`` restoring
  ``lr * factor * (1 / factor)``, ``CosineAnnealingLR`` rising again past ``T_max``.
* Each constructor is its own registered class (``torch.StepLR`` ...), delegating to a core
  family where that family performs torch's arithmetic, so that :class:`SequentialLR` and
  :class:`ChainedScheduler` know how each member behaves inside torch's stateful composition.
* Between whole steps (fractional ``t``) the single schedulers follow their closed form;
  the two composites, whose torch definition only exists at whole steps, use ``floor(t)``.

>>> import lrlab
>>> s = lrlab.parse("torch.OneCycleLR(lr=0.01, max_lr=0.1, total_steps=1000)")
>>> round(s(0), 12), s(299)
(0.004, 0.1)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, InitVar, dataclass, field
from typing import Any, ClassVar

import numpy as np

from lrlab import _validate as v
from lrlab.errors import ScheduleError
from lrlab.families.constant import MultiStep, StepDecay
from lrlab.families.cyclic import Cyclic
from lrlab.families.exponential import Exponential
from lrlab.families.one_cycle import OneCycle
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
]

_PI = math.pi
#: the most steps MultiplicativeLR will multiply out (its value has no closed form).
MULTIPLICATIVE_MAX_STEPS = 10_000_000
#: CosineAnnealingLR runs torch's recursion for at most this many steps of each cycle.
COSINE_EXACT_STEPS = 200_000
#: ... and memoizes at most this many values in all.
_COSINE_CACHE = 2_000_000
#: phases() lists at most this many points.
_MAX_PHASES = 100


def _check_last_epoch(owner: object, last_epoch: object) -> None:
    if last_epoch != -1 or isinstance(last_epoch, bool):
        raise v.fail(
            owner,
            "last_epoch",
            "-1 (its default): an lrlab schedule is a pure function of the step t, so to "
            "resume, evaluate the schedule at the resumed step instead of restoring a "
            "scheduler's counter",
            last_epoch,
        )


def _lr(owner: object, value: object) -> float:
    return v.real(owner, "lr", value, lo=0)


def _not_a_list(owner: object, name: str, value: object) -> None:
    if isinstance(value, (list, tuple)):
        raise v.fail(
            owner, name, "a single value (lrlab schedules describe one parameter group)", value
        )


def _user_value(owner: object, name: str, fn: Callable[[Any], Any], x: float) -> float:
    """Call a user's Python function of the epoch (an ``int`` for whole steps)."""
    arg: Any = int(x) if float(x).is_integer() else x
    r = float(fn(arg))
    if not 0.0 <= r < math.inf:
        raise ScheduleError(
            f"{getattr(owner, 'name', owner)}: argument `{name}` returned {r!r} for epoch "
            f"{arg!r}; it must return a finite number >= 0"
        )
    return r


def _user_array(owner: object, name: str, fn: Callable[[Any], Any], t: Any, m: Any) -> Any:
    if not m.is_array:
        return _user_value(owner, name, fn, t)
    arr = np.asarray(t, dtype=np.float64)
    uniq, inv = np.unique(arr.ravel(), return_inverse=True)
    vals = np.array([_user_value(owner, name, fn, float(u)) for u in uniq], dtype=np.float64)
    return vals[inv].reshape(arr.shape)


def _safe_div(num: Any, den: Any, m: Any) -> Any:
    """num / den, and 0 where den == 0 (used where torch's product is already 0)."""
    zero = den == 0
    return m.where(zero, 0.0 * num, num / m.where(zero, 1.0, den))


class _TorchLR(Schedule):
    """What a torch scheduler does to the param group's LR (used by the composites).

    ``_kind``: ``'overwrite'`` (sets the LR from its base every step), ``'mult'`` (multiplies
    the current LR by ``_ratio(t)``; ``_ratio0()`` at construction) or ``'cosine'``
    (CosineAnnealingLR's affine chainable update).
    """

    __slots__ = ()
    _kind: ClassVar[str] = "mult"
    #: may follow a milestone of SequentialLR (torch computes a reset value for it)
    lr: Any

    def _check_lr(self, last_epoch: int) -> None:
        """Check ``last_epoch`` (only -1) and store the validated base ``lr`` (>= 0)."""
        _check_last_epoch(self, last_epoch)
        self._set("lr", _lr(self, self.lr))

    def _ratio(self, t: Any, m: Any) -> Any:  # pragma: no cover - abstract for 'mult'
        raise NotImplementedError

    def _ratio0(self) -> float:
        return 1.0

    def _base(self) -> float | None:
        return self.lr  # type: ignore[no-any-return,unused-ignore]

    def _init_map(self, y: float, group: float) -> float:
        """The group LR after this scheduler's constructor ran on LR ``y``.

        ``group`` is the param group's ``initial_lr`` (set by the first scheduler built).
        """
        if self._kind == "overwrite":
            return self._scalar(0)
        if self._kind == "mult":
            return y * self._ratio0()
        return y

    def _step_map(self, y: Any, t: Any, m: Any) -> Any:
        """The group LR after this scheduler's ``step()`` to step ``t >= 1`` on LR ``y``."""
        if self._kind == "overwrite":
            return self._at(t, m)
        return y * self._ratio(t, m)

    def _span(self, t: Any, ref: Any, m: Any) -> Any:
        """The product of torch's one-step factors over steps ``ref + 1 .. t`` ('mult')."""
        return _safe_div(self._at(t, m), self._at(ref, m), m)

    def _seq_check(self, owner: object, index: int) -> None:
        """Raise if torch cannot start this scheduler at a SequentialLR milestone."""

    def _seq(self, u: Any, m: Any) -> Any:
        """The value ``u`` steps after a SequentialLR milestone reset this scheduler."""
        return self._at(u, m)


class _TotalItersLR(_TorchLR):
    """A torch scheduler that changes the LR up to step ``total_iters`` and no more.

    ConstantLR, LinearLR and PolynomialLR: the horizon and only phase is ``total_iters``.
    """

    __slots__ = ()
    total_iters: int

    @property
    def horizon(self) -> float | None:
        return float(self.total_iters)

    def phases(self) -> tuple[float, ...]:
        return (float(self.total_iters),)


class _DivTotalItersLR(_TotalItersLR):
    """LinearLR and PolynomialLR: torch's closed form divides by ``total_iters``.

    Their one-step factors are 1 from ``total_iters`` on, and with ``total_iters=0`` torch
    cannot restart them at a SequentialLR milestone (ZeroDivisionError).
    """

    __slots__ = ()

    def _span(self, t: Any, ref: Any, m: Any) -> Any:
        return m.where(ref >= self.total_iters, 1.0, super()._span(t, ref, m))

    def _seq_check(self, owner: object, index: int) -> None:
        if self.total_iters == 0:
            raise v.fail(
                owner, f"schedulers[{index}]",
                f"a scheduler torch can restart at a milestone ({type(self).__name__} with "
                "total_iters=0 raises ZeroDivisionError in torch's closed form there)", self,
            )


class _OverwriteLR(_TorchLR):
    """CyclicLR and OneCycleLR: torch sets the LR itself at every step, from the scheduler's
    own ``base_lr`` / ``max_lr``, so ``lr`` is optional and is no base LR for the group.

    The curve is the core schedule ``_core``, built in ``__post_init__``.
    """

    __slots__ = ()
    _kind: ClassVar[str] = "overwrite"
    _core: Schedule

    def _check_start(self, last_epoch: int, per_group: tuple[str, ...]) -> None:
        """Check ``last_epoch``, the optional ``lr``, and that ``per_group`` are not lists."""
        _check_last_epoch(self, last_epoch)
        if self.lr is not None:
            self._set("lr", _lr(self, self.lr))
        for name in per_group:
            _not_a_list(self, name, getattr(self, name))

    def _base(self) -> float | None:
        return None

    def _eval(self, t: Any, m: Any) -> Any:
        return self._core._at(t, m)

    def phases(self) -> tuple[float, ...]:
        return self._core.phases()


_CALLABLE_NOTE = (
    "an lrlab schedule (or spec text) or a Python callable of the epoch"
)


@register("torch.LambdaLR")
@dataclass(frozen=True, repr=False)
class LambdaLR(_TorchLR):
    """PyTorch's ``LambdaLR``: the base LR times a multiplier of the step.

    .. math:: \\eta(t) = \\eta_0 \\, f(t)

    ``lr`` (η0, >= 0): the optimizer's LR at construction; ``lr_lambda`` (f): the multiplier,
    an lrlab schedule (serializable) or a Python callable of the epoch (called with an ``int``
    at whole steps; must return a finite number >= 0; such a schedule has no config form).
    Torch computes ``base_lr * lr_lambda(last_epoch)`` at every step (no recursion), so the
    values are torch's bit for bit.

    >>> import lrlab
    >>> from lrlab.compat.torch import LambdaLR
    >>> LambdaLR(0.1, lr_lambda=lambda e: 0.5 ** e)(3)
    0.0125
    >>> s = LambdaLR(lr=0.1, lr_lambda=lrlab.Linear(0.0, 1.0, 10))
    >>> s(5)
    0.05
    """

    lr: float
    lr_lambda: Schedule | Callable[[Any], Any]
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _kind: ClassVar[str] = "overwrite"

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        f = self.lr_lambda
        _not_a_list(self, "lr_lambda", f)
        if isinstance(f, (str, Schedule)):
            f = v.schedule(self, "lr_lambda", f)
        elif not callable(f):
            raise v.fail(self, "lr_lambda", _CALLABLE_NOTE, f)
        self._set("lr_lambda", f)

    def _eval(self, t: Any, m: Any) -> Any:
        f = self.lr_lambda
        if isinstance(f, Schedule):
            return self.lr * f._at(t, m)
        return self.lr * _user_array(self, "lr_lambda", f, t, m)

    @property
    def horizon(self) -> float | None:
        f = self.lr_lambda
        return f.horizon if isinstance(f, Schedule) else None

    def phases(self) -> tuple[float, ...]:
        f = self.lr_lambda
        return f.phases() if isinstance(f, Schedule) else ()


@register("torch.MultiplicativeLR")
@dataclass(frozen=True, repr=False)
class MultiplicativeLR(_TorchLR):
    """PyTorch's ``MultiplicativeLR``: the LR multiplied by ``lr_lambda(epoch)`` every step.

    .. math:: \\eta(t) = \\eta_0 \\prod_{k=1}^{\\lfloor t \\rfloor} f(k)

    ``lr`` (η0, >= 0); ``lr_lambda`` (f): a Python callable of the epoch (an ``int``) that
    returns a finite factor >= 0.  The product has no closed form, so the value is computed
    step by step in torch's order (``((η0 f(1)) f(2)) ...``, bit for bit): O(t) work, with
    the products computed so far memoized (``lr_lambda`` must be a pure function of the
    epoch), and at most :data:`MULTIPLICATIVE_MAX_STEPS` steps.  An lrlab schedule is refused
    as ``lr_lambda``: a constant factor is :class:`ExponentialLR`, a closed-form multiplier
    is :class:`LambdaLR`.  Not serializable (a callable has no config).

    >>> from lrlab.compat.torch import MultiplicativeLR
    >>> s = MultiplicativeLR(1.0, lr_lambda=lambda e: 0.5)
    >>> s(0), s(3), s(3.5)
    (1.0, 0.125, 0.125)
    """

    lr: float
    lr_lambda: Callable[[Any], Any]
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _cache: list[float] = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        f = self.lr_lambda
        _not_a_list(self, "lr_lambda", f)
        if isinstance(f, (str, Schedule)):
            raise v.fail(
                self,
                "lr_lambda",
                "a Python callable (the running product of a schedule has no closed form; "
                "use torch.ExponentialLR for a constant factor or torch.LambdaLR with a "
                "closed-form multiplier)",
                f,
            )
        self._set("lr_lambda", v.function(self, "lr_lambda", f))
        self._set("_cache", [self.lr])

    def _value(self, n: int) -> float:
        cache = self._cache
        if n < len(cache):
            return cache[n]
        if n > MULTIPLICATIVE_MAX_STEPS:
            raise ScheduleError(
                f"{self.name}: step t={n} is beyond the {MULTIPLICATIVE_MAX_STEPS} steps this "
                "schedule multiplies out (its value is a running product with no closed form)"
            )
        new = list(cache)
        x = new[-1]
        for k in range(len(new), n + 1):
            x = x * _user_value(self, "lr_lambda", self.lr_lambda, k)
            new.append(x)
        self._set("_cache", new)
        return x

    def _scalar(self, t: float) -> float:
        return self._value(int(t))

    def _eval(self, t: Any, m: Any) -> Any:
        if not m.is_array:
            return self._value(int(t))
        n = np.floor(t).astype(np.int64)
        if n.size:
            self._value(int(n.max()))
        return np.asarray(self._cache, dtype=np.float64)[n]

    def _ratio(self, t: Any, m: Any) -> Any:
        return _user_array(self, "lr_lambda", self.lr_lambda, t, m)

    def _seq_check(self, owner: object, index: int) -> None:
        raise v.fail(
            owner,
            f"schedulers[{index}]",
            "a scheduler torch can restart at a milestone (torch has no closed form for "
            "MultiplicativeLR and multiplies the previous scheduler's LR by lr_lambda(0) "
            "there; lrlab does not reproduce that)",
            self,
        )


@register("torch.StepLR")
@dataclass(frozen=True, repr=False)
class StepLR(_TorchLR):
    """PyTorch's ``StepLR``: multiply by ``gamma`` every ``step_size`` steps.

    .. math:: \\eta(t) = \\eta_0 \\, \\gamma^{\\lfloor t / s \\rfloor}

    ``lr`` (η0, >= 0); ``step_size`` (s, an integer >= 1, steps); ``gamma`` (γ, > 0).
    Computed by the core :class:`~lrlab.StepDecay` (torch's closed form); torch's ``step()``
    multiplies ``γ`` in one step at a time (a rounding difference of a few ulps).

    >>> from lrlab.compat.torch import StepLR
    >>> s = StepLR(0.1, step_size=30)
    >>> s(29), round(s(30), 12)
    (0.1, 0.01)
    """

    lr: float
    step_size: int
    gamma: float = 0.1
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _core: Schedule = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        self._set("step_size", v.integer(self, "step_size", self.step_size, lo=1))
        self._set("gamma", v.real(self, "gamma", self.gamma, lo=0, lo_open=True))
        self._set("_core", StepDecay(self.lr, self.step_size, self.gamma))

    def _eval(self, t: Any, m: Any) -> Any:
        return self._core._at(t, m)

    def _ratio(self, t: Any, m: Any) -> Any:
        return m.where(t % self.step_size == 0, self.gamma, 1.0)

    def _span(self, t: Any, ref: Any, m: Any) -> Any:
        k = self.step_size
        return self.gamma ** (m.floor(t / k) - m.floor(ref / k))


@register("torch.MultiStepLR")
@dataclass(frozen=True, repr=False)
class MultiStepLR(_TorchLR):
    """PyTorch's ``MultiStepLR``: multiply by ``gamma`` at each milestone.

    .. math:: \\eta(t) = \\eta_0 \\, \\gamma^{\\#\\{m_j \\le t\\}}

    ``lr`` (η0, >= 0); ``milestones`` (integers >= 0, in any order; a repeated milestone
    applies γ twice, as torch's ``Counter`` does; stored sorted); ``gamma`` (γ, > 0).  The
    milestone step itself already has the decayed value (the boundary belongs to the
    **right** interval, unlike TF/Keras's piecewise constant).  Computed by the core
    :class:`~lrlab.MultiStep` with ``side='right'``.

    >>> from lrlab.compat.torch import MultiStepLR
    >>> s = MultiStepLR(0.1, milestones=[30, 80])
    >>> s(29), round(s(30), 12), round(s(80), 12)
    (0.1, 0.01, 0.001)
    """

    lr: float
    milestones: tuple[int, ...]
    gamma: float = 0.1
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _core: Schedule = field(init=False, repr=False, compare=False)
    _ms: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        ms = self.milestones
        if isinstance(ms, (str, bytes)) or not isinstance(ms, Sequence):
            raise v.fail(self, "milestones", "a list of integers >= 0", ms)
        out = sorted(v.integer(self, f"milestones[{i}]", x, lo=0) for i, x in enumerate(ms))
        self._set("milestones", tuple(out))
        self._set("gamma", v.real(self, "gamma", self.gamma, lo=0, lo_open=True))
        self._set("_core", MultiStep(self.lr, tuple(map(float, out)), self.gamma, "right"))
        self._set("_ms", np.asarray(out, dtype=np.float64))

    def _eval(self, t: Any, m: Any) -> Any:
        return self._core._at(t, m)

    def _count_at(self, t: Any, m: Any) -> Any:
        if m.is_array:
            return np.searchsorted(self._ms, t, "right") - np.searchsorted(self._ms, t, "left")
        return self.milestones.count(t) if float(t).is_integer() else 0

    def _ratio(self, t: Any, m: Any) -> Any:
        return self.gamma ** self._count_at(t, m)

    def _ratio0(self) -> float:
        return float(self.gamma ** self.milestones.count(0))

    def _span(self, t: Any, ref: Any, m: Any) -> Any:
        if m.is_array:
            n = np.searchsorted(self._ms, t, "right") - np.searchsorted(self._ms, ref, "right")
        else:
            n = sum(1 for x in self.milestones if ref < x <= t)
        return self.gamma**n

    @property
    def horizon(self) -> float | None:
        return float(self.milestones[-1]) if self.milestones else None

    def phases(self) -> tuple[float, ...]:
        return self._core.phases()


@register("torch.ConstantLR")
@dataclass(frozen=True, repr=False)
class ConstantLR(_TotalItersLR):
    """PyTorch's ``ConstantLR``: ``lr * factor`` for ``total_iters`` steps, then back.

    .. math:: \\eta(t) = \\eta_0 f \\ (t < N), \\qquad (\\eta_0 f) \\cdot (1 / f) \\ (t \\ge N)

    ``lr`` (η0, >= 0); ``factor`` (f, in (0, 1]); ``total_iters`` (N, an integer >= 0,
    steps).  Torch's ``step()`` restores the LR by multiplying with ``1.0 / factor``, which
    is not always exactly ``lr`` (e.g. ``0.1 * (1/3) * (1 / (1/3))``); lrlab reproduces that
    arithmetic.  ``total_iters=0``: torch applies the factor at step 0 and never undoes it
    (``lr * factor`` forever), reproduced.  ``factor=0`` is refused (torch raises
    ``ZeroDivisionError`` at step N).

    >>> from lrlab.compat.torch import ConstantLR
    >>> s = ConstantLR(0.1, factor=0.5, total_iters=4)
    >>> s(0), s(3), s(4)
    (0.05, 0.05, 0.1)
    """

    lr: float
    factor: float = 1.0 / 3
    total_iters: int = 5
    _: KW_ONLY
    last_epoch: InitVar[int] = -1

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        self._set(
            "factor", v.real(self, "factor", self.factor, lo=0, hi=1, lo_open=True)
        )
        self._set("total_iters", v.integer(self, "total_iters", self.total_iters, lo=0))

    def _eval(self, t: Any, m: Any) -> Any:
        low = self.lr * self.factor
        if self.total_iters == 0:
            return m.full(t, low)
        return m.where(t < self.total_iters, low, low * (1.0 / self.factor))

    def _ratio(self, t: Any, m: Any) -> Any:
        return m.where(t == self.total_iters, 1.0 / self.factor, 1.0)

    def _ratio0(self) -> float:
        return self.factor

    def _seq(self, u: Any, m: Any) -> Any:
        if self.total_iters == 0:  # torch's closed form at the milestone: lr * (f + (1 - f))
            return m.full(u, self.lr * (self.factor + (1 - self.factor)))
        return self._at(u, m)


@register("torch.LinearLR")
@dataclass(frozen=True, repr=False)
class LinearLR(_DivTotalItersLR):
    """PyTorch's ``LinearLR``: the factor moves linearly from ``start_factor`` to ``end_factor``.

    .. math:: \\eta(t) = \\eta_0 \\left(s + (e - s) \\frac{\\min(t, N)}{N}\\right)

    ``lr`` (η0, >= 0); ``start_factor`` (s, in (0, 1]); ``end_factor`` (e, in [0, 1]);
    ``total_iters`` (N, an integer >= 0, steps; 0 keeps ``lr * start_factor`` forever, as
    torch's ``step()`` does).  Torch's ``step()`` multiplies N factors
    ``1 + (e - s) / (N s + (t - 1)(e - s))``; lrlab evaluates torch's closed form, which differs
    by rounding only (relative error about ``N * 6e-17`` at worst, near a zero end value).
    From step N on the value is torch's last product, the closed form at N - 1 times torch's
    last factor: with ``end_factor=0`` that is a rounding residue (about 1e-17 of ``lr``)
    rather than 0, as in torch (0 where torch's residue is negative).

    >>> from lrlab.compat.torch import LinearLR
    >>> s = LinearLR(0.1, start_factor=0.5, total_iters=4)
    >>> s(0), s(2), s(4), s(100)
    (0.05, 0.07500000000000001, 0.1, 0.1)
    """

    lr: float
    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_iters: int = 5
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _end: float = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        self._set(
            "start_factor",
            v.real(self, "start_factor", self.start_factor, lo=0, hi=1, lo_open=True),
        )
        self._set("end_factor", v.real(self, "end_factor", self.end_factor, lo=0, hi=1))
        self._set("total_iters", v.integer(self, "total_iters", self.total_iters, lo=0))
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        end = 0.0
        if n > 0:
            # torch's last step: the LR at N - 1 times its last factor (not exactly lr * e)
            before = self.lr * (s + (e - s) * min(n, n - 1) / n)
            end = max(before * (1.0 + (e - s) / (n * s + (n - 1) * (e - s))), 0.0)
        self._set("_end", end)

    def _eval(self, t: Any, m: Any) -> Any:
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        if n == 0:
            return m.full(t, self.lr * s)
        inside = self.lr * (s + (e - s) * m.minimum(n, t) / n)
        return m.where(t < n, inside, self._end)

    def _ratio(self, t: Any, m: Any) -> Any:
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        den = n * s + (t - 1) * (e - s)
        inside = (t <= n) & (den != 0) if m.is_array else (t <= n and den != 0)
        return m.where(inside, 1.0 + (e - s) / m.where(inside, den, 1.0), 1.0)

    def _ratio0(self) -> float:
        return self.start_factor


@register("torch.ExponentialLR")
@dataclass(frozen=True, repr=False)
class ExponentialLR(_TorchLR):
    """PyTorch's ``ExponentialLR``: multiply by ``gamma`` every step.

    .. math:: \\eta(t) = \\eta_0 \\, \\gamma^t

    ``lr`` (η0, >= 0); ``gamma`` (γ, > 0; > 1 grows, and raises a ScheduleError once the
    value leaves the float64 range).  Computed by the core :class:`~lrlab.Exponential`
    (``decay_steps=1``); torch multiplies γ in step by step (a few ulps of rounding).

    >>> from lrlab.compat.torch import ExponentialLR
    >>> ExponentialLR(0.1, gamma=0.5)(3)
    0.0125
    """

    lr: float
    gamma: float
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _core: Schedule = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        self._set("gamma", v.real(self, "gamma", self.gamma, lo=0, lo_open=True))
        self._set("_core", Exponential(self.lr, self.gamma, 1.0))

    def _eval(self, t: Any, m: Any) -> Any:
        return self._core._at(t, m)

    def _ratio(self, t: Any, m: Any) -> Any:
        return m.full(t, self.gamma)

    def _span(self, t: Any, ref: Any, m: Any) -> Any:
        return self.gamma ** (t - ref)


@register("torch.PolynomialLR")
@dataclass(frozen=True, repr=False)
class PolynomialLR(_DivTotalItersLR):
    """PyTorch's ``PolynomialLR``: polynomial decay to exactly 0 at ``total_iters``.

    .. math:: \\eta(t) = \\eta_0 \\left(1 - \\frac{\\min(t, N)}{N}\\right)^p

    ``lr`` (η0, >= 0); ``total_iters`` (N, an integer >= 0, steps; 0 keeps ``lr`` forever,
    as torch's ``step()`` does); ``power`` (p, >= 0).  There is no end value: torch always
    decays to 0 (use the core :class:`~lrlab.Polynomial` for a floor).  torch's ``step()``
    multiplies ratios of consecutive values; lrlab evaluates torch's closed form (a few ulps).

    >>> from lrlab.compat.torch import PolynomialLR
    >>> s = PolynomialLR(0.1, total_iters=4, power=2.0)
    >>> s(0), s(2), s(4), s(9)
    (0.1, 0.025, 0.0, 0.0)
    """

    lr: float
    total_iters: int = 5
    power: float = 1.0
    _: KW_ONLY
    last_epoch: InitVar[int] = -1

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        self._set("total_iters", v.integer(self, "total_iters", self.total_iters, lo=0))
        self._set("power", v.real(self, "power", self.power, lo=0))

    def _eval(self, t: Any, m: Any) -> Any:
        n = self.total_iters
        if n == 0:
            return m.full(t, self.lr)
        return self.lr * (1.0 - m.minimum(n, t) / n) ** self.power

    def _ratio(self, t: Any, m: Any) -> Any:
        n = self.total_iters
        inside = t <= n
        num = 1.0 - t / n
        den = 1.0 - (t - 1) / n
        q = num / m.where(inside, den, 1.0)
        return m.where(inside, m.maximum(q, 0.0) ** self.power, 1.0)


@register("torch.CosineAnnealingLR")
@dataclass(frozen=True, repr=False)
class CosineAnnealingLR(_TorchLR):
    """PyTorch's ``CosineAnnealingLR``: a cosine from ``lr`` to ``eta_min`` and back, forever.

    .. math::
        c(t) = 1 + \\cos(\\pi t / T), \\qquad
        \\eta(t) = \\eta_{min} + (\\eta_0 - \\eta_{min}) \\, c(t) / 2 \\quad (t \\le T)

    ``lr`` (η0, >= 0); ``T_max`` (T, an integer >= 1, steps); ``eta_min`` (η_min, >= 0, an
    absolute floor, not a fraction).  Past ``T_max`` the value **rises again** (period 2T);
    it does not stay at ``eta_min`` as TF/Keras/optax cosines do.

    Torch's ``step()`` multiplies ratios ``c(t) / c(t - 1)`` and, one step after each trough
    (t = T + 1, 3T + 1, ...), adds ``(η0 - η_min)(1 - cos(π / T)) / 2`` instead; its update
    ``c(t) / c(t-1) * (lr - η_min) + η_min`` rounds ``lr - η_min`` while it is tiny, just
    after each trough, and that rounding stays in the whole next cycle (up to ~1e-10
    relative for large ``T_max`` and ``eta_min`` near ``lr``).  So lrlab uses the closed
    form up to ``T_max`` (within ~1e-14 of torch) and, past it, runs torch's own recursion
    from each trough (the first :data:`COSINE_EXACT_STEPS` steps of each cycle, memoized per
    cycle; the rest, if any, continues in closed form), which gives torch's values bit for
    bit at whole steps.  Between whole steps past ``T_max`` the cosine is continued from
    the previous whole step.

    >>> from lrlab.compat.torch import CosineAnnealingLR
    >>> s = CosineAnnealingLR(0.1, T_max=10)
    >>> s(0), s(10), round(s(5), 12), round(s(20), 12)
    (0.1, 0.0, 0.05, 0.1)
    """

    lr: float
    T_max: int
    eta_min: float = 0.0
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _kind: ClassVar[str] = "cosine"
    _add: float = field(init=False, repr=False, compare=False)
    _x0: float = field(init=False, repr=False, compare=False)
    _cycles: dict[int, list[float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        self._set("T_max", v.integer(self, "T_max", self.T_max, lo=1))
        self._set("eta_min", v.real(self, "eta_min", self.eta_min, lo=0))
        add = (self.lr - self.eta_min) * (1 - math.cos(_PI / self.T_max)) / 2
        self._set("_add", add)
        self._set("_x0", self.eta_min + add)  # torch's value one step after a trough
        self._set("_cycles", {})

    def _c(self, t: Any, m: Any) -> Any:
        return 1 + m.cos(_PI * t / self.T_max)

    def _cycle_values(self, k: int) -> list[float]:
        """Torch's LR at the first steps after trough k (from t_k = (2k + 1) T + 1 on)."""
        vals = self._cycles.get(k)
        if vals is not None:
            return vals
        T, em = self.T_max, self.eta_min
        t0 = T + 1 + 2 * T * k
        n = min(2 * T, COSINE_EXACT_STEPS)
        x = self._x0
        vals = [x]
        prev = 1 + math.cos(_PI * t0 / T)
        for t in range(t0 + 1, t0 + n):
            cur = 1 + math.cos(_PI * t / T)
            x = cur / prev * (x - em) + em  # torch's chainable update, same operations
            vals.append(x)
            prev = cur
        if sum(map(len, self._cycles.values())) + n > _COSINE_CACHE:
            self._cycles.clear()
        self._cycles[k] = vals
        return vals

    def _later(self, t: Any, m: Any) -> Any:
        """The value at steps t >= T + 1."""
        T, em = self.T_max, self.eta_min
        k = m.floor((t - 1 - T) / (2 * T))
        tk = T + 1 + 2 * T * k
        ja = m.minimum(m.floor(t - tk), min(2 * T, COSINE_EXACT_STEPS) - 1)
        xa: Any
        if m.is_array:
            ks = k.astype(np.int64)
            js = ja.astype(np.int64)
            xa = np.empty(np.shape(t), dtype=np.float64)
            for kv in np.unique(ks):
                sel = ks == kv
                xa[sel] = np.asarray(self._cycle_values(int(kv)))[js[sel]]
        else:
            xa = self._cycle_values(int(k))[int(ja)]
        a = tk + ja
        ca = self._c(a, m)
        ct = self._c(t, m)
        cont = em + (xa - em) * (ct / m.where(ca == 0, 1.0, ca))
        out = m.where(ca == 0, em + (self.lr - em) * ct / 2, cont)
        return m.maximum(m.where(t == a, xa, out), 0.0)

    def _eval(self, t: Any, m: Any) -> Any:
        T = self.T_max
        em = self.eta_min
        first = em + (self.lr - em) * self._c(t, m) / 2
        if not m.is_array:
            return first if t < T + 1 else self._later(t, m)
        later = t >= T + 1
        if later.any():
            first = np.asarray(first, dtype=np.float64)
            first[later] = self._later(t[later], m)
        return first

    def _step_map(self, y: Any, t: Any, m: Any) -> Any:
        T = self.T_max
        em = self.eta_min
        den = self._c(t - 1, m)
        ratio = self._c(t, m) / m.where(den == 0, 1.0, den)
        event = (t - 1 - T) % (2 * T) == 0
        return m.where(event, y + self._add, ratio * (y - em) + em)

    @property
    def horizon(self) -> float | None:
        return float(self.T_max)

    def phases(self) -> tuple[float, ...]:
        return tuple(float(self.T_max * k) for k in range(1, _MAX_PHASES + 1))


@register("torch.CosineAnnealingWarmRestarts")
@dataclass(frozen=True, repr=False)
class CosineAnnealingWarmRestarts(_TorchLR):
    """PyTorch's ``CosineAnnealingWarmRestarts`` (SGDR): cosine cycles that restart at ``lr``.

    .. math::
        \\eta(t) = \\eta_{min} + (\\eta_0 - \\eta_{min})
                   \\frac{1 + \\cos(\\pi T_{cur} / T_i)}{2}

    Cycle i lasts :math:`T_i = T_0 \\, T_{mult}^i` steps and starts at
    :math:`T_0 (T_{mult}^i - 1) / (T_{mult} - 1)` (:math:`i T_0` when ``T_mult=1``);
    :math:`T_{cur}` is the step within it.  ``lr`` (η0, >= 0); ``T_0`` (an integer >= 1,
    steps); ``T_mult`` (an integer >= 1); ``eta_min`` (η_min, >= 0, absolute floor).  Every
    cycle restarts at the full ``lr`` (no peak decay, unlike TF's ``m_mul`` or timm's
    ``cycle_decay``).  The cycle is found with exact integer arithmetic, as torch's
    ``step()`` does (torch's ``step(epoch)`` uses a logarithm that can misplace exact
    restart steps; lrlab does not reproduce that glitch); values are torch's bit for bit.

    >>> from lrlab.compat.torch import CosineAnnealingWarmRestarts
    >>> s = CosineAnnealingWarmRestarts(0.1, T_0=10, T_mult=2)
    >>> s(0), round(s(5), 12), s(10), round(s(20), 12), s(30)
    (0.1, 0.05, 0.1, 0.05, 0.1)
    """

    lr: float
    T_0: int
    T_mult: int = 1
    eta_min: float = 0.0
    _: KW_ONLY
    last_epoch: InitVar[int] = -1
    _kind: ClassVar[str] = "overwrite"

    def __post_init__(self, last_epoch: int) -> None:
        self._check_lr(last_epoch)
        self._set("T_0", v.integer(self, "T_0", self.T_0, lo=1))
        self._set("T_mult", v.integer(self, "T_mult", self.T_mult, lo=1))
        self._set("eta_min", v.real(self, "eta_min", self.eta_min, lo=0))

    def _cycle(self, t: Any, m: Any) -> tuple[Any, Any]:
        """(T_cur, T_i) at step t."""
        t0 = float(self.T_0)
        if self.T_mult == 1:
            n = m.floor(t / t0)
            return t - n * t0, m.full(t, t0)
        q = float(self.T_mult)

        def start(i: Any) -> Any:
            return t0 * (q**i - 1) / (q - 1)

        n = m.floor(m.log(t * (q - 1) / t0 + 1) / math.log(q))
        n = m.where(t < start(n), n - 1, n)
        n = m.where(t >= start(n + 1), n + 1, n)
        return t - start(n), t0 * q**n

    def _eval(self, t: Any, m: Any) -> Any:
        cur, ti = self._cycle(t, m)
        em = self.eta_min
        return em + (self.lr - em) * (1 + m.cos(_PI * cur / ti)) / 2

    def phases(self) -> tuple[float, ...]:
        out: list[float] = []
        start, length = 0, self.T_0
        while len(out) < _MAX_PHASES and start < 1e15:
            start += length
            length *= self.T_mult
            out.append(float(start))
        return tuple(out)


@register("torch.CyclicLR")
@dataclass(frozen=True, repr=False)
class CyclicLR(_OverwriteLR):
    """PyTorch's ``CyclicLR``: a triangular wave between ``base_lr`` and ``max_lr``.

    .. math::
        c = \\lfloor 1 + t / (u + d) \\rfloor,\\ x = 1 + t / (u + d) - c,\\
        \\sigma = x / r \\ (x \\le r) \\text{ else } (x - 1) / (r - 1),\\
        \\eta = \\eta_b + (\\eta_m - \\eta_b) \\, \\sigma \\, g

    with r = u / (u + d) and g = 1 (``'triangular'``), 2^-(c-1) (``'triangular2'``), γ^t
    (``'exp_range'``) or ``scale_fn`` evaluated at c (``scale_mode='cycle'``) or t
    (``'iterations'``).  ``base_lr``, ``max_lr`` (learning rates >= 0); ``step_size_up``
    (u), ``step_size_down`` (d, default u) in steps.  Computed by the core
    :class:`~lrlab.Cyclic` (torch's operations, bit for bit).

    Torch sets the optimizer's LR to ``base_lr`` when the scheduler is built, so ``lr`` does
    not affect the curve and is optional.  As in torch, ``gamma`` is only used by
    ``'exp_range'``, and with a ``scale_fn`` the ``mode`` is ignored and ``scale_mode`` is
    used; ``scale_fn`` may be an lrlab schedule (serializable) or a Python callable.
    ``cycle_momentum``, ``base_momentum`` and ``max_momentum`` are accepted (validated and
    kept) but only the LR curve is returned.

    >>> from lrlab.compat.torch import CyclicLR
    >>> s = CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10)
    >>> s(0), s(10), s(20)
    (0.01, 0.1, 0.01)
    """

    base_lr: float
    max_lr: float
    step_size_up: float = 2000
    step_size_down: float | None = None
    mode: str = "triangular"
    gamma: float = 1.0
    scale_fn: Schedule | Callable[[Any], Any] | None = None
    scale_mode: str = "cycle"
    cycle_momentum: bool = True
    base_momentum: float = 0.8
    max_momentum: float = 0.9
    _: KW_ONLY
    lr: float | None = None
    last_epoch: InitVar[int] = -1
    _core: Schedule = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_start(last_epoch, ("base_lr", "max_lr", "base_momentum", "max_momentum"))
        self._set("base_lr", v.real(self, "base_lr", self.base_lr, lo=0))
        self._set("max_lr", v.real(self, "max_lr", self.max_lr, lo=0))
        self._set(
            "step_size_up", v.real(self, "step_size_up", self.step_size_up, lo=0, lo_open=True)
        )
        if self.step_size_down is not None:
            self._set(
                "step_size_down",
                v.real(self, "step_size_down", self.step_size_down, lo=0, lo_open=True),
            )
        self._set(
            "mode", v.choice(self, "mode", self.mode, ("triangular", "triangular2", "exp_range"))
        )
        self._set("gamma", v.real(self, "gamma", self.gamma, lo=0, lo_open=True))
        self._set(
            "scale_mode",
            v.choice(self, "scale_mode", self.scale_mode, ("cycle", "iterations")),
        )
        self._set("cycle_momentum", v.boolean(self, "cycle_momentum", self.cycle_momentum))
        self._set("base_momentum", v.real(self, "base_momentum", self.base_momentum))
        self._set("max_momentum", v.real(self, "max_momentum", self.max_momentum))
        fn = self.scale_fn
        if fn is not None:
            if isinstance(fn, (str, Schedule)):
                fn = v.schedule(self, "scale_fn", fn)
            elif not callable(fn):
                raise v.fail(self, "scale_fn", _CALLABLE_NOTE + " or None", fn)
            self._set("scale_fn", fn)
            core = Cyclic(
                self.base_lr, self.max_lr, self.step_size_up, self.step_size_down,
                scale=fn, scale_mode=self.scale_mode,
            )
        else:
            exp = self.mode == "exp_range"
            if exp and self.gamma > 1:
                raise v.fail(self, "gamma", "<= 1 for mode='exp_range'", self.gamma)
            core = Cyclic(
                self.base_lr, self.max_lr, self.step_size_up, self.step_size_down,
                mode=self.mode, gamma=self.gamma if exp else 1.0,
            )
        self._set("_core", core)

    def _init_map(self, y: float, group: float) -> float:
        # torch's CyclicLR assigns self.base_lrs = base_lr only *after* its initial step, which
        # therefore runs with the param group's initial_lr as its base: the LR right after
        # construction is initial_lr, which differs from base_lr when another scheduler of
        # the same optimizer was built first (ChainedScheduler).
        return group + (self.max_lr - group) * 0.0


@register("torch.OneCycleLR")
@dataclass(frozen=True, repr=False)
class OneCycleLR(_OverwriteLR):
    """PyTorch's ``OneCycleLR``: warm up to ``max_lr``, then anneal far below the start.

    Start ``max_lr / div_factor``, peak ``max_lr`` at step ``pct_start * T - 1``, end
    ``max_lr / div_factor / final_div_factor`` at step ``T - 1`` (T = ``total_steps``, or
    ``epochs * steps_per_epoch``); ``anneal_strategy`` ``'cos'`` or ``'linear'``;
    ``three_phase`` goes back to the start value before the final anneal.  Computed by the
    core :class:`~lrlab.OneCycle` (torch's operations, bit for bit at steps 0 .. T - 1).

    **Past the end**: torch allows one more ``step()`` (t = T, an extrapolation of the last
    phase: slightly above the end value for ``'cos'``, possibly *negative* for
    ``'linear'``) and raises after that; lrlab holds the end value for every t >= T - 1.
    Torch sets the optimizer's LR itself, so ``lr`` does not affect the curve and is
    optional.  ``cycle_momentum``, ``base_momentum``, ``max_momentum`` are accepted (validated
    and kept) but only the LR curve is returned (the momentum curve is
    :meth:`lrlab.OneCycle.momentum`).  If both ``total_steps`` and ``epochs`` /
    ``steps_per_epoch`` are given they must agree (torch silently uses ``total_steps``).

    >>> from lrlab.compat.torch import OneCycleLR
    >>> s = OneCycleLR(lr=0.01, max_lr=0.1, total_steps=100)
    >>> round(s(0), 12), s(29), s(99), s(150)
    (0.004, 0.1, 4e-07, 4e-07)
    """

    max_lr: float
    total_steps: int | None = None
    epochs: int | None = None
    steps_per_epoch: int | None = None
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    cycle_momentum: bool = True
    base_momentum: float = 0.85
    max_momentum: float = 0.95
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    _: KW_ONLY
    lr: float | None = None
    last_epoch: InitVar[int] = -1
    _core: Schedule = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        self._check_start(last_epoch, ("max_lr", "base_momentum", "max_momentum"))
        self._set("max_lr", v.real(self, "max_lr", self.max_lr, lo=0))
        total = None
        if self.total_steps is not None:
            total = v.integer(self, "total_steps", self.total_steps, lo=1)
            self._set("total_steps", total)
        if self.epochs is not None:
            self._set("epochs", v.integer(self, "epochs", self.epochs, lo=1))
        if self.steps_per_epoch is not None:
            self._set(
                "steps_per_epoch", v.integer(self, "steps_per_epoch", self.steps_per_epoch, lo=1)
            )
        if self.epochs is not None and self.steps_per_epoch is not None:
            product = self.epochs * self.steps_per_epoch
            if total is not None and total != product:
                raise v.fail(
                    self, "total_steps",
                    f"equal to epochs * steps_per_epoch ({product}) when both are given",
                    total,
                )
            total = product
        if total is None:
            raise v.fail(
                self, "total_steps",
                "given (or both `epochs` and `steps_per_epoch`)", self.total_steps,
            )
        self._set("pct_start", v.real(self, "pct_start", self.pct_start, lo=0, hi=1))
        self._set(
            "anneal_strategy",
            v.choice(self, "anneal_strategy", self.anneal_strategy, ("cos", "linear")),
        )
        self._set("cycle_momentum", v.boolean(self, "cycle_momentum", self.cycle_momentum))
        self._set("base_momentum", v.real(self, "base_momentum", self.base_momentum))
        self._set("max_momentum", v.real(self, "max_momentum", self.max_momentum))
        self._set(
            "div_factor", v.real(self, "div_factor", self.div_factor, lo=0, lo_open=True)
        )
        self._set(
            "final_div_factor",
            v.real(self, "final_div_factor", self.final_div_factor, lo=0, lo_open=True),
        )
        self._set("three_phase", v.boolean(self, "three_phase", self.three_phase))
        self._set(
            "_core",
            OneCycle(
                self.max_lr, total, self.pct_start, self.anneal_strategy, self.div_factor,
                self.final_div_factor, self.three_phase,
            ),
        )

    @property
    def horizon(self) -> float | None:
        return self._core.horizon


def _members(owner: object, value: object) -> tuple[_TorchLR, ...]:
    items = v.schedules(owner, "schedulers", value, min_len=1)
    for i, s in enumerate(items):
        if isinstance(s, (SequentialLR, ChainedScheduler)):
            raise v.fail(
                owner, f"schedulers[{i}]",
                "a single torch scheduler (nested SequentialLR/ChainedScheduler are not "
                "supported; compose with lrlab's join/product instead)", s,
            )
        if isinstance(s, OneCycleLR):
            raise v.fail(
                owner, f"schedulers[{i}]",
                "a scheduler other than OneCycleLR (torch's OneCycleLR overwrites the param "
                "group's initial_lr, which changes the other schedulers' base LR; use it "
                "alone or lrlab's join)", s,
            )
        if not isinstance(s, _TorchLR):
            raise v.fail(
                owner, f"schedulers[{i}]",
                "a torch.* schedule (torch-compatible constructors such as torch.LinearLR; "
                "compose core schedules with join/product instead)", s,
            )
    return items  # type: ignore[return-value,unused-ignore]


def _group_lr(owner: object, items: tuple[_TorchLR, ...], lr: float | None) -> float:
    """The param group's ``initial_lr``, which torch gives every scheduler as its base LR."""
    first = items[0]
    base = first.base_lr if isinstance(first, CyclicLR) else first._base()
    assert base is not None
    for i, s in enumerate(items):
        b = s._base()
        if b is not None and b != base:
            raise v.fail(
                owner, f"schedulers[{i}]",
                f"built with lr={base!r} (torch gives every scheduler of one optimizer the "
                "param group's initial_lr as its base LR"
                + (", here the first CyclicLR's base_lr" if isinstance(first, CyclicLR) else "")
                + ")", s,
            )
    if lr is not None and lr != base and not isinstance(first, CyclicLR):
        raise v.fail(owner, "lr", f"the schedulers' lr ({base!r})", lr)
    return base


@register("torch.SequentialLR")
@dataclass(frozen=True, repr=False)
class SequentialLR(Schedule):
    """PyTorch's ``SequentialLR``: scheduler j runs from ``milestones[j-1]`` on.

    ``schedulers``: torch-compatible schedules (``torch.LinearLR(...)`` ...) built with the
    same ``lr`` (torch gives them all the param group's ``initial_lr``); ``milestones``:
    strictly increasing integers >= 0, one fewer than the schedulers; ``lr`` (optional):
    checked against the schedulers'.  At a milestone torch calls ``_update_lr(0)`` on the
    next scheduler, i.e. its closed form at epoch 0, which resets it to its own start; so
    scheduler j follows its own curve on local time ``t - milestones[j-1]`` (the first on
    global time).  Quirks reproduced: a ``ConstantLR(total_iters=0)`` after a milestone gives
    ``lr * (factor + (1 - factor))`` (not ``lr * factor``).  Refused, with the reason: a
    ``MultiplicativeLR``, ``LinearLR``/``PolynomialLR`` with ``total_iters=0`` after a
    milestone (torch has no or a failing closed form there), ``OneCycleLR`` and nested
    composites.  Evaluated at ``floor(t)``.

    >>> import lrlab
    >>> s = lrlab.parse("torch.SequentialLR(schedulers=[torch.LinearLR(0.1, start_factor=0.5,"
    ...                 " total_iters=2), torch.ExponentialLR(0.1, gamma=0.5)], milestones=[2])")
    >>> [s(t) for t in range(5)]
    [0.05, 0.07500000000000001, 0.1, 0.05, 0.025]
    """

    schedulers: tuple[Schedule, ...]
    milestones: tuple[int, ...]
    _: KW_ONLY
    lr: float | None = None
    last_epoch: InitVar[int] = -1
    _first: int = field(init=False, repr=False, compare=False)

    def __post_init__(self, last_epoch: int) -> None:
        _check_last_epoch(self, last_epoch)
        if self.lr is not None:
            self._set("lr", _lr(self, self.lr))
        items = _members(self, self.schedulers)
        self._set("schedulers", items)
        ms = self.milestones
        if isinstance(ms, (str, bytes)) or not isinstance(ms, Sequence):
            raise v.fail(self, "milestones", "a list of integers >= 0", ms)
        out = tuple(v.integer(self, f"milestones[{i}]", x, lo=0) for i, x in enumerate(ms))
        if len(out) != len(items) - 1:
            raise v.fail(
                self, "milestones",
                f"one fewer than the schedulers ({len(items) - 1} values)", self.milestones,
            )
        if any(b <= a for a, b in itertools.pairwise(out)):
            raise v.fail(self, "milestones", "strictly increasing", self.milestones)
        self._set("milestones", out)
        _group_lr(self, items, self.lr)
        first = sum(1 for x in out if x == 0)
        for j in range(first + 1, len(items)):
            items[j]._seq_check(self, j)
        self._set("_first", first)

    def _piece(self, j: int, t: Any, m: Any) -> Any:
        s: _TorchLR = self.schedulers[j]  # type: ignore[assignment]
        if j == self._first:
            return s._at(t, m)
        b = self.milestones[j - 1]
        return s._seq(m.maximum(t - b, 0.0), m)

    def _eval(self, t: Any, m: Any) -> Any:
        t = m.floor(t)
        if not m.is_array:
            j = sum(1 for b in self.milestones if b <= t)
            return self._piece(j, t, m)
        j = np.searchsorted(np.asarray(self.milestones, dtype=np.float64), t, "right")
        out = np.zeros(np.shape(t), dtype=np.float64)
        for k in range(self._first, len(self.schedulers)):
            mask = j == k
            if mask.any():
                out[mask] = self._piece(k, t[mask], m)
        return out

    @property
    def horizon(self) -> float | None:
        last = self.schedulers[-1].horizon
        b = self.milestones[-1] if self.milestones else 0
        return None if last is None else b + last

    def phases(self) -> tuple[float, ...]:
        pts = {float(b) for b in self.milestones}
        starts = [0, *self.milestones]
        ends = [*self.milestones, math.inf]
        for s, a, e in zip(self.schedulers, starts, ends):
            pts.update(a + p for p in s.phases() if a + p < e)
        return tuple(sorted(pts)[:_MAX_PHASES])


@register("torch.ChainedScheduler")
@dataclass(frozen=True, repr=False)
class ChainedScheduler(Schedule):
    """PyTorch's ``ChainedScheduler``: every scheduler's ``step()`` applied in turn each step.

    ``schedulers``: torch-compatible schedules built with the same ``lr``, in construction
    order; ``lr`` (optional) is checked against theirs.  Torch's members act on the shared
    param-group LR: chainable ones (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR,
    PolynomialLR, MultiplicativeLR) multiply it by their one-step ratio, CosineAnnealingLR
    applies its affine ratio, and LambdaLR, CosineAnnealingWarmRestarts and CyclicLR
    *overwrite* it from their base LR.  lrlab reproduces that exactly, including the
    surprising cases: after an overwriting member, a chainable member only contributes its
    ratio of *this* step (``[LambdaLR, ExponentialLR(gamma)]`` gives ``lr * f(t) * gamma``
    for t >= 1, not ``gamma ** t``).  With no overwriting member the result is the product
    of the members' factors (``lr * prod_i s_i(t) / lr``), and a CosineAnnealingLR member
    restarts the product one step after each of its troughs, as torch's additive step does.
    Refused (no closed form): a CosineAnnealingLR with ``eta_min > 0`` chained with other
    members (after the last overwriting one; torch's affine update can then even give a
    negative LR), two CosineAnnealingLR when no member overwrites; OneCycleLR; nested
    composites.  Evaluated at ``floor(t)``.

    >>> import lrlab
    >>> s = lrlab.parse("torch.ChainedScheduler([torch.ConstantLR(1.0, factor=0.5,"
    ...                 " total_iters=2), torch.ExponentialLR(1.0, gamma=0.5)])")
    >>> [s(t) for t in range(4)]
    [0.5, 0.25, 0.25, 0.125]
    """

    schedulers: tuple[Schedule, ...]
    _: KW_ONLY
    lr: float | None = None
    _w: int = field(init=False, repr=False, compare=False)
    _y0: float = field(init=False, repr=False, compare=False)
    _cos: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.lr is not None:
            self._set("lr", _lr(self, self.lr))
        items = _members(self, self.schedulers)
        self._set("schedulers", items)
        base = _group_lr(self, items, self.lr)
        kinds = [s._kind for s in items]
        w = max((i for i, k in enumerate(kinds) if k == "overwrite"), default=-1)
        cos = [i for i, k in enumerate(kinds) if k == "cosine"]
        j = -1
        for i in cos:
            if i > w and len(items) > 1 and items[i].eta_min != 0:  # type: ignore[attr-defined]
                raise v.fail(
                    self, f"schedulers[{i}]",
                    "a CosineAnnealingLR with eta_min=0 when chained with other schedulers "
                    "(torch's affine update (c(t) / c(t-1)) * (lr - eta_min) + eta_min then mixes "
                    "with the other members' LR: no closed form, and it can turn negative)",
                    items[i],
                )
        if w < 0 and cos and len(items) > 1:
            if len(cos) > 1:
                raise v.fail(
                    self, f"schedulers[{cos[1]}]",
                    "the only CosineAnnealingLR when no member overwrites the LR (two "
                    "interleaved additive restarts have no closed form)", items[cos[1]],
                )
            j = cos[0]
        # construction: each constructor's initial step acts on the group LR in turn
        y = base  # the first CyclicLR sets the LR to its base_lr, which _group_lr returned
        for s in items:
            y = s._init_map(y, base)
        self._set("_w", w)
        self._set("_y0", y)
        self._set("_cos", j)

    def _eval(self, t: Any, m: Any) -> Any:
        t = m.floor(t)
        items: tuple[_TorchLR, ...] = self.schedulers  # type: ignore[assignment]
        w = self._w
        if w >= 0:
            y = items[w]._at(t, m)
            for s in items[w + 1:]:
                y = s._step_map(y, m.maximum(t, 1.0), m)
        elif len(items) == 1:
            return items[0]._at(t, m)
        else:
            y = self._product(items, t, m)
        return m.maximum(m.where(t == 0, self._y0, y), 0.0)

    def _product(self, items: tuple[_TorchLR, ...], t: Any, m: Any) -> Any:
        base = items[0]._base()
        assert base is not None
        if base == 0:
            return m.full(t, 0.0)
        y = items[0]._at(t, m)
        for s in items[1:]:
            y = y * (s._at(t, m) / base)
        j = self._cos
        if j < 0:
            return y
        c: CosineAnnealingLR = items[j]  # type: ignore[assignment]
        T = c.T_max
        k = m.floor((t - 1 - T) / (2 * T))
        tk = T + 1 + 2 * T * m.maximum(k, 0.0)
        z = c._add * _safe_div(c._c(t, m), c._c(tk, m), m)
        for i, s in enumerate(items):
            if i != j:
                ref = tk if i < j else tk - 1
                z = z * s._span(t, ref, m)
        return m.where(t < T + 1, y, z)

    @property
    def horizon(self) -> float | None:
        hs = [h for h in (s.horizon for s in self.schedulers) if h is not None]
        return max(hs) if hs else None

    def phases(self) -> tuple[float, ...]:
        pts = {p for s in self.schedulers for p in s.phases()}
        return tuple(sorted(pts)[:_MAX_PHASES])

