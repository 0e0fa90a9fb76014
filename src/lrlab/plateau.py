r"""ReduceLROnPlateau as a framework-free controller that composes with any schedule.

A schedule is a pure function of the step; "reduce the LR when the validation loss stops
improving" is not, because it depends on metrics seen during training.  lrlab keeps the two
apart: :class:`ReduceLROnPlateau` is a small state machine fed with metrics, and its output is
a **multiplier** :math:`m` (1, then ``factor``, ``factor``\ :sup:`2`, ...) that an adapter
applies on top of the schedule's closed-form value :math:`s(t)`:

.. math::

    \eta(t) = \max\bigl(s(t) \cdot m,\ \min(\text{min\_lr},\ s(t))\bigr)

so warmup -> cosine x plateau just works: the schedule keeps its shape and the controller
scales it down.  ``min_lr`` is a floor for the *reduction*: the controller never pushes the LR
below ``min_lr``, but it never raises it above the schedule either (where the schedule itself
is below ``min_lr``, e.g. during warmup from 0, the schedule's value is used).  With a
constant schedule this is exactly PyTorch's and Keras's ``max(lr * factor, min_lr)``.

**One counting rule, two compatibility switches** (``rule=``):

``'lrlab'`` (default)
    An evaluation is *bad* unless the metric improves on the best so far by more than the
    threshold.  The multiplier is reduced on the ``patience``-th consecutive bad evaluation
    (``num_bad >= patience``; ``patience >= 1``).  After a reduction the next ``cooldown``
    evaluations are not counted as bad (improvements still update the best).  A reduction is
    skipped when it would change no LR by more than ``eps`` (the floor has been reached); the
    counters restart either way.  This is optax's ``reduce_on_plateau`` counting.

``'torch'``
    ``torch.optim.lr_scheduler.ReduceLROnPlateau`` exactly: the same as ``'lrlab'`` except
    that it reduces when ``num_bad > patience`` (one more bad evaluation; ``patience=0``
    reduces on every bad evaluation).

``'keras'``
    ``keras.callbacks.ReduceLROnPlateau`` exactly: the threshold (``min_delta``) is
    absolute; the comparison is made in float32, as Keras does (``ops.less`` on float32
    tensors); the first metric is always an improvement; the cooldown counter is decremented
    *before* the metric is judged, so ``cooldown=c`` ignores ``c - 1`` evaluations; it reduces
    when ``wait >= patience`` and only if the current LR is above ``float32(min_lr)`` (no
    ``eps``), and when it cannot reduce, ``wait`` keeps growing.

The decisions (which evaluations reduce) are those of the framework, bit for bit; the LR
values agree to the rounding of the product (PyTorch multiplies the current LR by ``factor``
each time, lrlab multiplies the multiplier, which can differ in the last ulp; Keras then stores
the LR in float32).  ``tests/test_plateau.py`` drives the real PyTorch and Keras classes with
the same metric sequences and compares.

**Threshold** (``threshold_mode``, as PyTorch): in ``'min'`` mode the metric :math:`a`
improves on the best :math:`b` iff :math:`a < b(1 - \theta)` (``'rel'``) or
:math:`a < b - \theta` (``'abs'``); in ``'max'`` mode iff :math:`a > b(1 + \theta)` or
:math:`a > b + \theta`.  ``'keras'`` takes only ``'abs'``.

**Smoothing** (``window=k``): the metric judged is the mean of the last ``k`` finite metrics
(fewer at the start), so a noisy per-batch loss can drive the controller.

**NaN and inf.**  A non-finite metric counts as a bad evaluation (never as an improvement,
never stored as the best or in the window) and emits an :class:`~lrlab.errors.LrlabWarning`;
``nonfinite='raise'`` raises a :class:`~lrlab.errors.ScheduleError` instead (and leaves the
state unchanged).  This differs from the frameworks only where they misbehave: PyTorch takes
``-inf`` as the new best forever; Keras takes a NaN first metric as the best forever.

**Distributed training.** The controller only sees the metric it is given; to make every
rank take the same decision, average the metric across ranks first (``lrlab.torch.Scheduler``
does this with ``torch.distributed`` when a process group is initialized).

>>> from lrlab.plateau import ReduceLROnPlateau
>>> p = ReduceLROnPlateau(factor=0.5, patience=2)
>>> [p.update(loss) for loss in [1.0, 0.9, 0.95, 0.91, 0.92, 0.93]]
[1.0, 1.0, 1.0, 0.5, 0.5, 0.25]
>>> p.num_reductions, p.best
(2, 0.9)

Composed with a schedule (the LR to use at step ``t`` is ``p.lr(s(t))``):

>>> import lrlab
>>> s = lrlab.parse("warmup(cosine(0.1, steps=1000), steps=100, start=0.0)")
>>> round(p.lr(s(500)), 12), round(s(500) * 0.25, 12)
(0.01636271243, 0.01636271243)
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab.errors import LrlabWarning, ScheduleError

__all__ = ["RULES", "ReduceLROnPlateau", "apply"]

#: The counting rules ``ReduceLROnPlateau(rule=...)`` accepts.
RULES = ("lrlab", "torch", "keras")

_NAME = "ReduceLROnPlateau"
_STATE_VERSION = 1


def _f32(x: float) -> np.float32:
    with np.errstate(over="ignore"):
        return np.float32(x)


class ReduceLROnPlateau:
    """Reduce a multiplier when a metric stops improving (see the module docstring).

    Parameters:

    * ``mode``: ``'min'`` (a lower metric is better, e.g. a loss) or ``'max'`` (accuracy).
    * ``factor``: the multiplier is multiplied by ``factor`` (in [0, 1)) at each reduction.
    * ``patience``: bad evaluations tolerated; when a reduction happens depends on ``rule``.
    * ``threshold``, ``threshold_mode``: how much better than the best a metric must be to
      count as an improvement; ``threshold_mode`` is ``'rel'`` or ``'abs'`` (default:
      ``'rel'``, or ``'abs'`` with ``rule='keras'``).  ``threshold >= 0``, and < 1 when
      relative.
    * ``cooldown``: evaluations after a reduction during which bad evaluations are not counted.
    * ``min_lr``: floor of the reduced LR (>= 0), one number or one per parameter group.
    * ``eps``: a reduction that changes no LR by more than ``eps`` is skipped (default 1e-8,
      PyTorch's); not used by ``rule='keras'``.
    * ``rule``: ``'lrlab'``, ``'torch'`` or ``'keras'`` (the counting rule).
    * ``window``: judge the mean of the last ``window`` finite metrics (default 1).
    * ``nonfinite``: ``'warn'`` (a NaN/inf metric is a bad evaluation, with a warning) or
      ``'raise'``.

    State (read-only properties): ``multiplier``, ``best`` (``None`` before the first finite
    metric), ``num_bad``, ``cooldown_counter``, ``in_cooldown``, ``num_reductions``,
    ``num_updates``.  ``state_dict()`` / ``load_state_dict()`` save and restore all of it as
    plain JSON-able data; ``config()`` gives the constructor arguments.

    >>> p = ReduceLROnPlateau(patience=0, factor=0.5, rule="torch", min_lr=0.02)
    >>> p.update(1.0, base_lr=0.1), p.update(1.0, base_lr=0.1), p.lr(0.1)
    (1.0, 0.5, 0.05)
    >>> p.update(1.0, base_lr=0.1), p.lr(0.1)
    (0.25, 0.025)
    >>> p.update(1.0, base_lr=0.1), p.lr(0.1)      # floored at min_lr
    (0.125, 0.02)
    >>> p.update(1.0, base_lr=0.1), p.lr(0.1)      # no further reduction: 0.02 - 0.02 <= eps
    (0.125, 0.02)
    >>> ReduceLROnPlateau(factor=1.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lrlab.errors.ScheduleError: ReduceLROnPlateau: argument `factor` must be ... factor=1.5
    """

    __slots__ = (
        "_abs", "_best", "_cooldown_counter", "_max", "_min_lrs", "_multiplier", "_num_bad",
        "_num_reductions", "_num_updates", "_recent", "cooldown", "eps", "factor", "min_lr",
        "mode", "nonfinite", "patience", "rule", "threshold", "threshold_mode", "window",
    )

    def __init__(
        self,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str | None = None,
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        eps: float | None = None,
        rule: str = "lrlab",
        window: int = 1,
        nonfinite: str = "warn",
    ) -> None:
        self.rule = v.choice(_NAME, "rule", rule, RULES)
        self.mode = v.choice(_NAME, "mode", mode, ("min", "max"))
        self.factor = v.real(_NAME, "factor", factor, lo=0, hi=1, hi_open=True)
        self.patience = v.integer(_NAME, "patience", patience, lo=1 if rule == "lrlab" else 0)
        if threshold_mode is None:
            threshold_mode = "abs" if rule == "keras" else "rel"
        if rule == "keras":
            self.threshold_mode = v.choice(_NAME, "threshold_mode", threshold_mode, ("abs",))
        else:
            self.threshold_mode = v.choice(
                _NAME, "threshold_mode", threshold_mode, ("rel", "abs")
            )
        rel = self.threshold_mode == "rel"
        self.threshold = v.real(_NAME, "threshold", threshold, lo=0, hi=1 if rel else None,
                                hi_open=rel)
        self.cooldown = v.integer(_NAME, "cooldown", cooldown, lo=0)
        if isinstance(min_lr, (str, bytes)) or not isinstance(min_lr, (numbers.Real, Sequence)):
            raise v.fail(_NAME, "min_lr", "a number >= 0 or a list of them", min_lr)
        if isinstance(min_lr, Sequence):
            if not min_lr:
                raise v.fail(_NAME, "min_lr", "a number >= 0 or a non-empty list of them",
                             min_lr)
            lrs = tuple(v.real(_NAME, "min_lr", x, lo=0) for x in min_lr)
            self.min_lr: float | tuple[float, ...] = lrs
        else:
            lrs = (v.real(_NAME, "min_lr", min_lr, lo=0),)
            self.min_lr = lrs[0]
        self._min_lrs = lrs
        if rule == "keras":
            if eps is not None:
                raise v.fail(_NAME, "eps", "None with rule='keras' (Keras has no eps)", eps)
            self.eps: float | None = None
        else:
            self.eps = v.real(_NAME, "eps", 1e-8 if eps is None else eps, lo=0)
        self.window = v.integer(_NAME, "window", window, lo=1)
        self.nonfinite = v.choice(_NAME, "nonfinite", nonfinite, ("warn", "raise"))
        self._max = self.mode == "max"
        self._abs = not rel
        self.reset()

    # -- state ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything seen: multiplier 1, no best, counters 0."""
        self._multiplier = 1.0
        self._best: float | None = None
        self._num_bad = 0
        self._cooldown_counter = 0
        self._num_reductions = 0
        self._num_updates = 0
        self._recent: list[float] = []

    @property
    def multiplier(self) -> float:
        """The factor applied on top of the schedule (1.0 until the first reduction)."""
        return self._multiplier

    @property
    def best(self) -> float | None:
        """The best (smoothed) metric so far, or ``None`` before the first finite metric."""
        return self._best

    @property
    def num_bad(self) -> int:
        """Consecutive bad evaluations counted (``wait`` in Keras, ``num_bad_epochs`` in torch)."""
        return self._num_bad

    @property
    def cooldown_counter(self) -> int:
        """Evaluations of cooldown left."""
        return self._cooldown_counter

    @property
    def in_cooldown(self) -> bool:
        """Whether the controller is cooling down after a reduction."""
        return self._cooldown_counter > 0

    @property
    def num_reductions(self) -> int:
        """How many reductions have been applied (``multiplier == factor ** num_reductions``
        up to rounding)."""
        return self._num_reductions

    @property
    def num_updates(self) -> int:
        """How many metrics :meth:`update` has received."""
        return self._num_updates

    def config(self) -> dict[str, Any]:
        """The constructor arguments (``ReduceLROnPlateau(**p.config())`` is an equal
        controller, reset)."""
        return {
            "mode": self.mode, "factor": self.factor, "patience": self.patience,
            "threshold": self.threshold, "threshold_mode": self.threshold_mode,
            "cooldown": self.cooldown,
            "min_lr": list(self.min_lr) if isinstance(self.min_lr, tuple) else self.min_lr,
            "eps": self.eps, "rule": self.rule, "window": self.window,
            "nonfinite": self.nonfinite,
        }

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly: plain JSON-able data.

        >>> p = ReduceLROnPlateau(patience=1)
        >>> _ = p.update(1.0), p.update(2.0)
        >>> q = ReduceLROnPlateau(patience=1)
        >>> q.load_state_dict(p.state_dict())
        >>> (q.multiplier, q.best, q.num_updates) == (p.multiplier, p.best, p.num_updates)
        True
        """
        return {
            "version": _STATE_VERSION,
            "multiplier": self._multiplier,
            "best": self._best,
            "num_bad": self._num_bad,
            "cooldown_counter": self._cooldown_counter,
            "num_reductions": self._num_reductions,
            "num_updates": self._num_updates,
            "recent": list(self._recent),
            "config": self.config(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output.  The settings stay this object's own; if they
        differ from the saved ones an :class:`~lrlab.errors.LrlabWarning` says so."""
        if not isinstance(state, dict) or state.get("version") != _STATE_VERSION:
            raise v.fail(_NAME, "state", f"a state_dict() of version {_STATE_VERSION}",
                         state)
        try:
            multiplier = v.real(_NAME, "state['multiplier']", state["multiplier"], lo=0)
            best = state["best"]
            if best is not None:
                best = v.real(_NAME, "state['best']", best)
            num_bad = v.integer(_NAME, "state['num_bad']", state["num_bad"], lo=0)
            cool = v.integer(_NAME, "state['cooldown_counter']", state["cooldown_counter"],
                             lo=0)
            reds = v.integer(_NAME, "state['num_reductions']", state["num_reductions"], lo=0)
            ups = v.integer(_NAME, "state['num_updates']", state["num_updates"], lo=0)
            recent = [v.real(_NAME, "state['recent']", x) for x in state["recent"]]
        except KeyError as e:
            raise v.fail(_NAME, "state", f"a state_dict() with the key {e.args[0]!r}",
                         sorted(state)) from None
        saved = state.get("config")
        if saved is not None and saved != self.config():
            warnings.warn(
                f"{_NAME}.load_state_dict: the checkpoint was saved with settings {saved}; "
                f"this controller has {self.config()} and keeps them",
                LrlabWarning, stacklevel=2,
            )
        self._multiplier = multiplier
        self._best = best
        self._num_bad = num_bad
        self._cooldown_counter = cool
        self._num_reductions = reds
        self._num_updates = ups
        self._recent = recent[-self.window:]

    # -- the LR ---------------------------------------------------------------------------
    def _floor(self, group: int) -> float:
        lrs = self._min_lrs
        return lrs[group] if len(lrs) > 1 else lrs[0]

    def lr(self, base_lr: float, group: int = 0) -> float:
        """The LR to use when the schedule's value is ``base_lr``:
        ``max(base_lr * multiplier, min(min_lr, base_lr))`` (``min_lr`` of group ``group``).

        >>> p = ReduceLROnPlateau(min_lr=0.01)
        >>> p.lr(0.1), p.lr(0.001)
        (0.1, 0.001)
        """
        m = self._multiplier
        if m == 1.0:
            return base_lr
        return max(base_lr * m, min(self._floor(group), base_lr))

    def __repr__(self) -> str:
        default = ReduceLROnPlateau(rule=self.rule).config()
        args = ", ".join(f"{k}={val!r}" for k, val in self.config().items()
                         if val != default[k] or k == "rule")
        return f"{_NAME}({args})"

    # -- the decision ---------------------------------------------------------------------
    def _better(self, a: float, best: float | None) -> bool:
        if best is None:
            return True
        th = self.threshold
        if self.rule == "keras":  # keras: monitor_op(a -/+ min_delta, best) in float32
            if self._max:
                return bool(_f32(a - th) > _f32(best))
            return bool(_f32(a + th) < _f32(best))
        if self._max:
            return a > (best + th if self._abs else best * (th + 1.0))
        return a < (best - th if self._abs else best * (1.0 - th))

    def _bases(self, base_lr: float | Sequence[float]) -> tuple[float, ...]:
        if isinstance(base_lr, Sequence):
            bases = tuple(float(b) for b in base_lr)
        else:
            bases = (float(base_lr),)
        if not bases or not all(b >= 0 and math.isfinite(b) for b in bases):
            raise v.fail(_NAME, "base_lr", "finite numbers >= 0 (one or one per group)", base_lr)
        if len(self._min_lrs) > 1 and len(bases) != len(self._min_lrs):
            raise v.fail(_NAME, "base_lr", f"{len(self._min_lrs)} values, one per min_lr",
                         base_lr)
        return bases

    def _reduce(self, bases: tuple[float, ...]) -> bool:
        old_m = self._multiplier
        new_m = old_m * self.factor
        if self.rule == "keras":  # reduce iff the current LR > float32(min_lr)
            ok = any(_f32(self._eff(b, old_m, i)) > _f32(self._floor(i))
                     for i, b in enumerate(bases))
        else:  # reduce iff some LR drops by more than eps
            eps = self.eps if self.eps is not None else 0.0
            ok = any(self._eff(b, old_m, i) - self._eff(b, new_m, i) > eps
                     for i, b in enumerate(bases))
        if ok:
            self._multiplier = new_m
            self._num_reductions += 1
        return ok

    def _eff(self, base: float, m: float, group: int) -> float:
        return max(base * m, min(self._floor(group), base))

    def update(self, metric: Any, base_lr: float | Sequence[float] = 1.0) -> float:
        """Feed one metric (a float, or anything ``float()`` accepts such as a 0-d tensor);
        return the multiplier to apply from now on.

        ``base_lr`` is the schedule's value now (the LR before this controller), one number
        or one per parameter group; ``min_lr`` and ``eps`` are compared with LRs, so they only
        matter when the base is given (the default 1.0 applies them to the multiplier
        itself).

        >>> p = ReduceLROnPlateau(patience=1, factor=0.5, rule="keras")
        >>> [p.update(x) for x in [3.0, 3.0, 2.0, 2.0]]
        [1.0, 0.5, 0.5, 0.25]
        """
        try:
            a = float(metric)
        except (TypeError, ValueError):
            raise v.fail(_NAME, "metric", "a number", metric) from None
        bases = self._bases(base_lr)
        finite = math.isfinite(a)
        if not finite:
            if self.nonfinite == "raise":
                raise ScheduleError(
                    f"{_NAME}: argument `metric` must be finite (nonfinite='raise'). "
                    f"Received: metric={a!r}"
                )
            warnings.warn(
                f"{_NAME}: metric={a!r} is not finite; counted as no improvement "
                "(pass nonfinite='raise' to stop instead)",
                LrlabWarning, stacklevel=2,
            )
        self._num_updates += 1
        if finite:
            recent = self._recent
            recent.append(a)
            if len(recent) > self.window:
                del recent[0]
            if self.window > 1:
                a = sum(recent) / len(recent)
        improved = finite and self._better(a, self._best)

        if self.rule == "keras":
            if self._cooldown_counter > 0:
                self._cooldown_counter -= 1
                self._num_bad = 0
            if improved:
                self._best = a
                self._num_bad = 0
            elif self._cooldown_counter <= 0:
                self._num_bad += 1
                if self._num_bad >= self.patience and self._reduce(bases):
                    self._cooldown_counter = self.cooldown
                    self._num_bad = 0
            return self._multiplier

        if improved:
            self._best = a
            self._num_bad = 0
        else:
            self._num_bad += 1
        if self._cooldown_counter > 0:
            self._cooldown_counter -= 1
            self._num_bad = 0
        if (self._num_bad > self.patience if self.rule == "torch"
                else self._num_bad >= self.patience):
            self._reduce(bases)
            self._cooldown_counter = self.cooldown
            self._num_bad = 0
        return self._multiplier


def apply(schedule: Any, controller: ReduceLROnPlateau, t: Any, group: int = 0) -> float:
    """The LR at step ``t`` of ``schedule`` under ``controller``: ``controller.lr(schedule(t))``.

    >>> import lrlab
    >>> p = ReduceLROnPlateau(patience=1, factor=0.5)
    >>> _ = p.update(1.0), p.update(1.0)
    >>> apply(lrlab.Constant(0.1), p, 10)
    0.05
    """
    return controller.lr(schedule(t), group)
