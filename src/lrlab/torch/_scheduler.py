"""``lrlab.torch.Scheduler``: set optimizer hyperparameters to ``schedule(count)``."""

from __future__ import annotations

import numbers
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

from lrlab import _validate as v
from lrlab.errors import ScheduleError
from lrlab.plateau import ReduceLROnPlateau
from lrlab.schedule import Schedule

__all__ = ["Scheduler", "mean_across_ranks"]

_NAME = "lrlab.torch.Scheduler"
# A subclass of torch's LRScheduler, so trainers that check isinstance accept it; every method
# is lrlab's own (LRScheduler.__init__ is not called: it would wrap optimizer.step).
_Base: Any = LRScheduler
_STATE_VERSION = 1
_COUNTS = ("updates", "steps")


def mean_across_ranks(metric: Any, group: Any = None) -> float:
    """The mean of ``metric`` over all ranks of the default (or given) process group.

    Every rank receives the same float, so every rank takes the same plateau decision.  The sum
    is reduced in float64 (on the current CUDA device with NCCL, on the CPU otherwise) and
    divided by the world size.  Without an initialized process group it returns
    ``float(metric)``.

    >>> mean_across_ranks(0.25)   # no process group: the metric itself
    0.25
    """
    value = float(metric)
    dist = torch.distributed
    if not (dist.is_available() and dist.is_initialized()):
        return value
    size = dist.get_world_size(group)
    if size == 1:
        return value
    if dist.get_backend(group) == "nccl":
        device = torch.device("cuda", torch.cuda.current_device())
    else:
        device = torch.device("cpu")
    buf = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(buf, op=dist.ReduceOp.SUM, group=group)
    return float(buf.item()) / size


def _as_schedule(name: str, value: object) -> Schedule:
    try:
        return v.schedule(_NAME, name, value)
    except ScheduleError as e:
        if isinstance(value, str):
            raise
        raise v.fail(_NAME, name, "an lrlab Schedule or spec text", value) from e


def _per_group(name: str, value: object, n: int) -> list[Schedule]:
    if isinstance(value, (Schedule, str)):
        return [_as_schedule(name, value)] * n
    if not isinstance(value, Sequence):
        raise v.fail(_NAME, name, "an lrlab Schedule, spec text, or a list of them", value)
    if len(value) != n:
        raise v.fail(_NAME, name, f"one schedule or one per param group ({n})", value)
    return [_as_schedule(f"{name}[{i}]", s) for i, s in enumerate(value)]


def _multipliers(value: object, n: int) -> list[float]:
    if value is None:
        return [1.0] * n
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return [v.real(_NAME, "multipliers", value, lo=0)] * n
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise v.fail(_NAME, "multipliers", "a number >= 0 or one per param group", value)
    if len(value) != n:
        raise v.fail(_NAME, "multipliers", f"one number or one per param group ({n})", value)
    return [v.real(_NAME, f"multipliers[{i}]", x, lo=0) for i, x in enumerate(value)]


def _write(group: dict[str, Any], key: str, value: float) -> None:
    cur = group[key]
    if isinstance(cur, torch.Tensor):
        cur.fill_(value)
    else:
        group[key] = value


def _write_beta1(group: dict[str, Any], key: str, value: float) -> None:
    b1, b2 = group["betas"]
    if isinstance(b1, torch.Tensor):
        b1.fill_(value)
    else:
        group["betas"] = (value, b2)


class Scheduler(_Base):
    r"""Set each param group's LR (and other hyperparameters) to ``schedule(count)``.

    ``count`` is the number of optimizer updates already applied (lrlab's step convention):
    the scheduler registers an optimizer *step post-hook* that counts every
    ``optimizer.step()`` that actually ran, so an AMP ``GradScaler`` that skips a step (inf or
    NaN gradients) or gradient accumulation (``optimizer.step()`` every k batches, while
    ``scheduler.step()`` is called every batch) cannot desynchronize it.  ``step()`` then sets

    .. math:: \text{lr}_g = p\bigl(m_g \cdot s_g(\text{count})\bigr)

    for every param group g, from the schedule's closed form: :math:`s_g` the group's schedule,
    :math:`m_g` its multiplier and :math:`p` the plateau controller's
    :meth:`~lrlab.plateau.ReduceLROnPlateau.lr` (identity without one).  Nothing is ever
    multiplied into the current LR, so there is nothing to drift, and resuming is setting the
    count: ``load_state_dict`` restores it.

    Parameters:

    * ``optimizer``: any ``torch.optim.Optimizer`` (SGD, Adam, AdamW, a custom subclass).
    * ``schedule``: an lrlab schedule or spec text, or one per param group.
    * ``multipliers``: a number or one per group: group g gets ``schedule * multipliers[g]``.
    * ``momentum``: schedule(s) for the momentum: ``group['momentum']`` (SGD, RMSprop) or
      beta1 in ``group['betas']`` (Adam, AdamW, ...), e.g. :meth:`lrlab.OneCycle.momentum`.
    * ``weight_decay``: schedule(s) for ``group['weight_decay']``.
    * ``hparams``: ``{key: schedule(s)}`` for any other group key.
    * ``plateau``: a :class:`~lrlab.plateau.ReduceLROnPlateau` whose multiplier applies on top
      of the LR schedule; feed it with ``step(metric)`` or :meth:`observe`.
    * ``count``: ``'updates'`` (default: count real optimizer updates) or ``'steps'`` (count
      ``scheduler.step()`` calls, as torch's schedulers do, e.g. to step per epoch).
    * ``start``: the count to begin at (the number of updates already applied).
    * ``tensor_lr``: store each group's LR as a 0-d float64 tensor that is updated in place, so
      a ``torch.compile``'d optimizer step does not recompile when the LR changes.  A group
      value that already is a tensor (``lr=torch.tensor(0.1)``) is always updated in place.
    * ``sync``: ``'auto'`` (default) averages plateau metrics over the ranks of
      ``torch.distributed`` when a process group is initialized (:func:`mean_across_ranks`),
      so every rank takes the same decision; ``False`` never does; ``True`` requires it.

    >>> import torch, lrlab
    >>> model = torch.nn.Linear(2, 1)
    >>> opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    >>> sched = Scheduler(opt, "warmup(cosine(0.1, steps=90), steps=10, start=0.0)")
    >>> for _ in range(10):
    ...     model(torch.ones(1, 2)).sum().backward()
    ...     opt.step(); opt.zero_grad(); sched.step()
    >>> sched.count, sched.get_last_lr()
    (10, [0.1])
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedule: Schedule | str | Sequence[Schedule | str],
        *,
        multipliers: float | Sequence[float] | None = None,
        momentum: Schedule | str | Sequence[Schedule | str] | None = None,
        weight_decay: Schedule | str | Sequence[Schedule | str] | None = None,
        hparams: Mapping[str, Schedule | str | Sequence[Schedule | str]] | None = None,
        plateau: ReduceLROnPlateau | None = None,
        count: str = "updates",
        start: int = 0,
        tensor_lr: bool = False,
        sync: bool | str = "auto",
    ) -> None:
        groups = getattr(optimizer, "param_groups", None)
        if not isinstance(groups, list) or not groups:
            raise v.fail(_NAME, "optimizer", "a torch optimizer with param groups", optimizer)
        n = len(groups)
        self.optimizer = optimizer
        self.counting = v.choice(_NAME, "count", count, _COUNTS)
        self._count = v.integer(_NAME, "start", start, lo=0)
        self._steps = 0
        if plateau is not None and not isinstance(plateau, ReduceLROnPlateau):
            raise v.fail(_NAME, "plateau", "an lrlab.plateau.ReduceLROnPlateau", plateau)
        self.plateau = plateau
        if sync not in (True, False, "auto"):
            raise v.fail(_NAME, "sync", "True, False or 'auto'", sync)
        self.sync = sync
        self.tensor_lr = v.boolean(_NAME, "tensor_lr", tensor_lr)

        mults = _multipliers(multipliers, n)
        self.schedules: tuple[Schedule, ...] = tuple(
            s if m == 1.0 else s * m
            for s, m in zip(_per_group("schedule", schedule, n), mults)
        )
        # (group index, key, schedule, writer) for the hyperparameters other than the LR; groups
        # are looked up at each step (optimizer.load_state_dict replaces the group dicts).
        others: list[tuple[int, str, Schedule, Any]] = []
        if momentum is not None:
            for i, (g, s) in enumerate(zip(groups, _per_group("momentum", momentum, n))):
                if "betas" in g:
                    others.append((i, "betas", s, _write_beta1))
                elif "momentum" in g:
                    others.append((i, "momentum", s, _write))
                else:
                    raise v.fail(_NAME, "momentum",
                                 f"used with an optimizer whose param groups have 'momentum' "
                                 f"or 'betas' (group {i} has {sorted(g)})", momentum)
        extra = dict(hparams or {})
        if weight_decay is not None:
            if "weight_decay" in extra:
                raise v.fail(_NAME, "weight_decay", "given once (it is also in hparams)",
                             weight_decay)
            extra["weight_decay"] = weight_decay
        for key, spec in extra.items():
            for i, (g, s) in enumerate(zip(groups, _per_group(key, spec, n))):
                if key not in g:
                    raise v.fail(_NAME, key, f"a key of the param groups (group {i} has "
                                 f"{sorted(g)})", spec)
                others.append((i, key, s, _write))
        self._others = [(i, key, sch._scalar, write) for i, key, sch, write in others]
        self._evals = [sch._scalar for sch in self.schedules]
        self._count_steps = self.counting == "steps"
        self._single = n == 1

        if self.tensor_lr:
            for g in groups:
                if not isinstance(g["lr"], torch.Tensor):
                    g["lr"] = torch.tensor(float(g["lr"]), dtype=torch.float64)

        self._hook: Any = None
        if self.counting == "updates":
            register = getattr(optimizer, "register_step_post_hook", None)
            if register is None:
                raise v.fail(_NAME, "count", "'steps' for an optimizer without "
                             "register_step_post_hook (not a torch.optim.Optimizer)", count)
            self._hook = register(_counter(self))
        self._last_lr: list[float] = []
        self._apply()

    # -- the count ------------------------------------------------------------------------
    @property
    def count(self) -> int:
        """The step of the schedules now: optimizer updates applied (or ``step()`` calls with
        ``count='steps'``), plus ``start``."""
        return self._count

    @count.setter
    def count(self, value: int) -> None:
        self._count = v.integer(_NAME, "count", value, lo=0)
        self._apply()

    @property
    def last_epoch(self) -> int:
        """torch's name for :attr:`count` (assigning it sets the count)."""
        return self._count

    @last_epoch.setter
    def last_epoch(self, value: int) -> None:
        self.count = value

    @property
    def base_lrs(self) -> list[float]:
        """Each group's LR at step 0 (torch's attribute; read-only)."""
        return [s(0) for s in self.schedules]

    # -- setting values -------------------------------------------------------------------
    def _apply(self) -> None:
        # The count is a validated int >= 0, so the schedules' scalar path is called directly
        # (what Schedule.__call__ does after checking the step).
        t = self._count
        p = self.plateau
        groups = self.optimizer.param_groups
        if self._single and p is None and len(groups) == 1:  # the common case, kept short
            x = self._evals[0](t)
            g = groups[0]
            cur = g["lr"]
            if cur.__class__ is float or not isinstance(cur, torch.Tensor):
                g["lr"] = x
            else:
                cur.fill_(x)
            self._last_lr = [x]
            if self._others:
                for i, key, f, write in self._others:
                    write(groups[i], key, f(t))
            return
        if len(groups) != len(self._evals):
            raise v.fail(_NAME, "optimizer.param_groups",
                         f"the {len(self._evals)} groups the scheduler was built for (a group "
                         "was added or removed; build a new Scheduler)", f"{len(groups)} groups")
        if p is None:
            lrs = [f(t) for f in self._evals]
        else:
            lrs = [p.lr(f(t), i) for i, f in enumerate(self._evals)]
        for g, x in zip(groups, lrs):
            cur = g["lr"]
            if cur.__class__ is float or not isinstance(cur, torch.Tensor):
                g["lr"] = x
            else:
                cur.fill_(x)
        self._last_lr = lrs
        if self._others:
            for i, key, f, write in self._others:
                write(groups[i], key, f(t))

    def step(self, metrics: Any = None) -> None:
        """Set the values for the current count (``count='steps'``: count this call first).

        ``step(metric)`` also feeds the plateau controller first (torch's
        ``ReduceLROnPlateau.step(metric)`` style, and what Lightning calls with ``monitor``).
        """
        if metrics is not None:
            self._update_plateau(metrics)
        if self._count_steps:
            self._count += 1
        self._steps += 1
        self._apply()

    def observe(self, metric: Any) -> float:
        """Feed a metric (e.g. the validation loss) to the plateau controller and apply the
        new LRs at once; returns the controller's multiplier.  With ``sync`` the metric is
        first averaged over the ranks (:func:`mean_across_ranks`)."""
        m = self._update_plateau(metric)
        self._apply()
        return m

    def _update_plateau(self, metric: Any) -> float:
        p = self.plateau
        if p is None:
            raise v.fail(_NAME, "metrics", "None when the scheduler has no plateau controller "
                         "(pass plateau=ReduceLROnPlateau(...))", metric)
        if isinstance(metric, torch.Tensor):
            metric = metric.detach()
        if self.sync is not False:
            dist = torch.distributed
            ready = dist.is_available() and dist.is_initialized()
            if self.sync is True and not ready:
                raise v.fail(_NAME, "sync", "'auto' or False when torch.distributed has no "
                             "initialized process group", True)
            if ready:
                metric = mean_across_ranks(metric)
        t = self._count
        bases = [s(t) for s in self.schedules]
        return p.update(metric, base_lr=bases)

    def get_last_lr(self) -> list[float]:
        """The LRs set last, one Python float per param group."""
        return list(self._last_lr)

    def get_lr(self) -> list[float]:
        """The LRs for the current count (same as :meth:`get_last_lr` after a step)."""
        p = self.plateau
        t = self._count
        return [p.lr(s(t), i) if p is not None else s(t) for i, s in enumerate(self.schedules)]

    # -- state ----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The count, the number of ``step()`` calls and the plateau state (plain data).

        The schedules are not saved: they are code/config you construct again (their
        ``repr`` is stored under ``'schedules'`` for reference only).
        """
        return {
            "version": _STATE_VERSION,
            "count": self._count,
            "steps": self._steps,
            "plateau": None if self.plateau is None else self.plateau.state_dict(),
            "schedules": [repr(s) for s in self.schedules],
            "last_lr": list(self._last_lr),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output and set the values for the restored count."""
        if not isinstance(state_dict, dict) or state_dict.get("version") != _STATE_VERSION:
            raise v.fail(_NAME, "state_dict", f"a Scheduler.state_dict() of version "
                         f"{_STATE_VERSION}", state_dict)
        count = v.integer(_NAME, "state_dict['count']", state_dict.get("count"), lo=0)
        steps = v.integer(_NAME, "state_dict['steps']", state_dict.get("steps", 0), lo=0)
        saved = state_dict.get("plateau")
        if (saved is None) != (self.plateau is None):
            raise v.fail(_NAME, "state_dict['plateau']",
                         "present exactly when the scheduler has a plateau controller",
                         "a plateau state" if saved is not None else None)
        if self.plateau is not None and saved is not None:
            self.plateau.load_state_dict(saved)
        self._count = count
        self._steps = steps
        self._apply()

    def remove(self) -> None:
        """Detach the update counter from the optimizer (the scheduler stops counting)."""
        if self._hook is not None:
            self._hook.remove()
            self._hook = None

    def __repr__(self) -> str:
        scheds = ", ".join(repr(s) for s in self.schedules[:1])
        more = f" (+{len(self.schedules) - 1} groups)" if len(self.schedules) > 1 else ""
        return f"{_NAME}({scheds}{more}, count={self._count})"


def _counter(sched: Scheduler) -> Any:
    """The optimizer step post-hook: count one applied update.  Holds the scheduler weakly.

    It is plain Python on purpose: a ``torch.compiler.disable`` wrapper would cost more than
    the increment, and a compiled optimizer step does not recompile because of it
    (``tests/test_torch_adapter.py`` counts compiled frames)."""
    ref = weakref.ref(sched)

    def hook(optimizer: Any, args: Any, kwargs: Any) -> None:
        s = ref()
        if s is not None:
            s._count += 1

    return hook
