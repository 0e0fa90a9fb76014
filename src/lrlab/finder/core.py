"""The LR range test (Smith 2015, "Cyclical Learning Rates for Training Neural Networks"),
framework-free.

:func:`find_lr` calls ``train_step(lr) -> loss`` once per step while the learning rate grows
exponentially (or linearly) from ``start_lr`` to ``end_lr``, smooths the loss with a
bias-corrected exponential moving average, stops when the smoothed loss diverges, and
returns an :class:`LRFinderResult` with the curve and named suggestions
(:mod:`lrlab.finder.suggestions`).  It keeps no state and draws no random numbers: given a
deterministic ``train_step`` the result is deterministic.  The torch and Keras wrappers
(:mod:`lrlab.finder.torch`, :mod:`lrlab.finder.keras`) build ``train_step`` from a model
and restore the model and optimizer afterwards.

>>> import math
>>> def train_step(lr):          # a toy: the loss falls with lr, and blows up past lr = 1
...     return 1 / (1 + 100 * lr) + (lr > 1) * 100 * lr
>>> r = find_lr(train_step, start_lr=1e-4, end_lr=100, num_steps=61)
>>> r.diverged, len(r.lrs) < 61
(True, True)
>>> {name: round(lr, 3) for name, lr in r.suggestions.items()}
{'valley': 0.013, 'steepest': 0.032, 'minimum': 0.04}
>>> r.propose(total_steps=1000)  # doctest: +ELLIPSIS
'one_cycle(..., total_steps=1000)'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lrlab.errors import ScheduleError
from lrlab.finder.suggestions import SUGGESTIONS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["LRFinderResult", "find_lr", "sweep_lrs"]

_MODES = ("exp", "linear")


def _fail(name: str, rule: str, value: object) -> ScheduleError:
    return ScheduleError(f"find_lr: argument `{name}` must be {rule}. Received: {name}={value!r}")


def cycle_batches(source: Iterable[Any], where: str) -> Iterator[Any]:
    """Yield the batches of a re-iterable ``source`` over and over (one pass per epoch).

    ``where`` names the caller and argument in the error raised when a pass yields nothing,
    e.g. ``"find_lr_torch: argument `data`"``.

    >>> it = cycle_batches([1, 2], "f: argument `x`")
    >>> [next(it) for _ in range(5)]
    [1, 2, 1, 2, 1]
    """
    while True:
        empty = True
        for batch in source:
            empty = False
            yield batch
        if empty:
            raise ValueError(f"{where} yielded no batches")


def sweep_lrs(start_lr: float, end_lr: float, num_steps: int, mode: str = "exp") -> np.ndarray:
    """The learning rates of the sweep: ``num_steps`` values from ``start_lr`` to ``end_lr``.

    >>> sweep_lrs(1e-3, 1e-1, 3).tolist()
    [0.001, 0.01, 0.1]
    >>> sweep_lrs(0.0, 1.0, 3, mode="linear").tolist()
    [0.0, 0.5, 1.0]
    """
    if mode not in _MODES:
        raise _fail("mode", "one of 'exp', 'linear'", mode)
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 2:
        raise _fail("num_steps", "an integer >= 2", num_steps)
    for name, v in (("start_lr", start_lr), ("end_lr", end_lr)):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise _fail(name, "a finite number", v)
        if mode == "exp" and v <= 0:
            raise _fail(name, "> 0 for an exponential sweep", v)
        if v < 0:
            raise _fail(name, ">= 0", v)
    if not end_lr > start_lr:
        raise _fail("end_lr", f"> start_lr ({start_lr!r})", end_lr)
    i = np.arange(num_steps, dtype=np.float64) / (num_steps - 1)
    if mode == "exp":
        out = start_lr * (end_lr / start_lr) ** i
    else:
        out = start_lr + (end_lr - start_lr) * i
    out[0], out[-1] = start_lr, end_lr
    return out


@dataclass(frozen=True)
class LRFinderResult:
    """The outcome of an LR range test.

    ``lrs``: the learning rates tried (up to where the sweep stopped); ``losses``: the raw
    losses ``train_step`` returned; ``smoothed``: their bias-corrected moving average;
    ``diverged``: whether the sweep stopped early; ``stop_reason``: why it stopped;
    ``suggestions``: ``{name: lr or None}`` from :data:`~lrlab.finder.suggestions.SUGGESTIONS`
    computed on the smoothed curve; ``default``: the name :attr:`suggestion` returns.

    The default suggestion is ``steepest`` (the LR where the loss falls fastest): in lrlab's
    test on MNIST it trains better than 10x below or above it, while ``valley`` and
    ``minimum`` (fastai's choices, meant as the peak of a one-cycle schedule) land lower.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    diverged: bool
    stop_reason: str
    mode: str = "exp"
    default: str = "steepest"
    suggestions: dict[str, float | None] = field(default_factory=dict)

    @property
    def suggestion(self) -> float | None:
        """The default suggestion (``steepest`` unless ``find_lr(..., suggestion=...)``)."""
        return self.suggestions.get(self.default)

    def suggest(self, name: str | Callable[..., float | None]) -> float | None:
        """A suggestion by name, or computed by a function of ``(lrs, smoothed_losses)``.

        >>> r = find_lr(lambda lr: (lr - 0.1) ** 2 + 1, start_lr=1e-3, end_lr=1, num_steps=31)
        >>> r.suggest("minimum") == r.suggestions["minimum"]
        True
        >>> r.suggest(lambda lrs, losses: float(lrs[0]))
        0.001
        """
        if callable(name):
            return name(self.lrs, self.smoothed)
        if name not in self.suggestions:
            raise _fail("name", f"one of {sorted(self.suggestions)}", name)
        return self.suggestions[name]

    def propose(
        self,
        total_steps: int,
        kind: str = "one_cycle",
        *,
        suggestion: str | None = None,
        cycles: int = 4,
    ) -> str:
        """A ready schedule spec (accepted by :func:`lrlab.parse`) built on a suggestion.

        ``kind="one_cycle"``: ``one_cycle(max_lr, total_steps=...)`` with ``max_lr`` the
        suggestion (Smith's 1cycle).  ``kind="cyclic"``: a triangular cyclical LR between
        ``max_lr / 4`` and ``max_lr`` (Smith's rule of thumb: the lower bound a third to a
        quarter of the upper) with ``cycles`` full cycles over ``total_steps``.  The LR is
        rounded to 3 significant digits.

        >>> r = find_lr(lambda lr: (lr - 0.1) ** 2 + 1, start_lr=1e-3, end_lr=1, num_steps=31)
        >>> import lrlab
        >>> spec = r.propose(8000, "cyclic", suggestion="minimum")
        >>> spec
        'cyclic(0.00395, 0.0158, step_size_up=1000)'
        >>> lrlab.parse(spec)(1000)
        0.0158
        """
        name = suggestion or self.default
        lr = self.suggest(name)
        if lr is None or not lr > 0:
            raise ScheduleError(
                f"the LR range test gave no usable `{name}` suggestion (got {lr!r}); "
                "sweep more steps or a wider LR range"
            )
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 2:
            raise _fail("total_steps", "an integer >= 2", total_steps)
        max_lr = float(f"{lr:.3g}")
        if kind == "one_cycle":
            spec = f"one_cycle({max_lr!r}, total_steps={total_steps})"
        elif kind == "cyclic":
            if isinstance(cycles, bool) or not isinstance(cycles, int) or cycles < 1:
                raise _fail("cycles", "an integer >= 1", cycles)
            up = max(1, total_steps // (2 * cycles))
            base = float(f"{max_lr / 4:.3g}")
            spec = f"cyclic({base!r}, {max_lr!r}, step_size_up={up})"
        else:
            raise _fail("kind", "one of 'one_cycle', 'cyclic'", kind)
        from lrlab.spec import parse

        parse(spec)  # always hand out text that parses
        return spec

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of the curve and the suggestions."""
        return {
            "lrs": self.lrs.tolist(),
            "losses": self.losses.tolist(),
            "smoothed": self.smoothed.tolist(),
            "diverged": self.diverged,
            "stop_reason": self.stop_reason,
            "mode": self.mode,
            "suggestions": dict(self.suggestions),
            "default": self.default,
        }

    def plot(self, ax: Axes | None = None, *, raw: bool = True, suggestions: bool = True) -> Axes:
        """Plot the loss against the LR (log axis for an exponential sweep) with the
        suggestions marked; returns the matplotlib Axes.

        >>> from matplotlib.figure import Figure
        >>> r = find_lr(lambda lr: (lr - 0.1) ** 2 + 1, start_lr=1e-3, end_lr=1, num_steps=31)
        >>> ax = r.plot(Figure().add_subplot())
        >>> ax.get_xscale(), ax.get_xlabel()
        ('log', 'learning rate')
        """
        from lrlab.plot import _mpl

        _mpl()
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
        if raw:
            ax.plot(self.lrs, self.losses, color="0.7", linewidth=0.8, label="loss")
        ax.plot(self.lrs, self.smoothed, color="C0", linewidth=1.6, label="smoothed loss")
        if suggestions:
            markers = {"valley": "o", "steepest": "v", "minimum": "s"}
            for i, (name, lr) in enumerate(self.suggestions.items()):
                if lr is None:
                    continue
                y = float(np.interp(np.log(lr), np.log(self.lrs), self.smoothed)) if (
                    self.mode == "exp"
                ) else float(np.interp(lr, self.lrs, self.smoothed))
                ax.plot([lr], [y], linestyle="none", marker=markers.get(name, "D"),
                        color=f"C{i + 1}", markersize=8, label=f"{name}: {lr:.3g}")
        if self.mode == "exp":
            ax.set_xscale("log")
        finite = self.smoothed[np.isfinite(self.smoothed)]
        if len(finite):
            lo, first = float(finite.min()), float(finite[0])
            span = max(first - lo, abs(lo) * 0.05, 1e-12)
            top = min(float(finite.max()), first + 0.5 * span)
            ax.set_ylim(lo - 0.05 * span, top + 0.05 * span)
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.grid(True, alpha=0.3, which="both")
        ax.legend(fontsize="small")
        return ax


def find_lr(
    train_step: Callable[[float], Any],
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    mode: str = "exp",
    smoothing: float = 0.98,
    diverge: float | None = 4.0,
    suggestion: str = "steepest",
    skip_start: int | None = None,
    skip_end: int = 5,
) -> LRFinderResult:
    """Run the LR range test on ``train_step(lr) -> loss``.

    ``train_step`` performs one optimizer update at learning rate ``lr`` and returns the
    training loss of that batch (anything ``float()`` accepts).  The LR goes from
    ``start_lr`` to ``end_lr`` in ``num_steps`` steps, geometrically (``mode="exp"``,
    the usual choice) or arithmetically (``"linear"``).

    Smoothing: ``avg_i = smoothing * avg_{i-1} + (1 - smoothing) * loss_i`` and
    ``smoothed_i = avg_i / (1 - smoothing ** (i + 1))`` (bias-corrected, so the first points
    are not dragged towards 0).  ``smoothing=0`` disables it.

    Divergence: the sweep stops as soon as a loss is NaN or infinite, or
    ``smoothed_i - best > (diverge - 1) * |best|`` (for positive losses: ``smoothed_i >
    diverge * best``), ``best`` being the lowest smoothed loss so far; ``diverge=None``
    sweeps to the end.  The point that diverged is kept in the curve.

    Suggestions are computed on the smoothed curve without its first ``skip_start`` points
    (default ``num_steps // 10``: the start of a moving average is its least reliable part)
    and last ``skip_end`` points (the run-up to divergence), as fastai does; when fewer than
    3 points would remain, on the whole curve.  ``suggestion`` names the default one.

    >>> r = find_lr(lambda lr: 1.0, start_lr=0.1, end_lr=1.0, num_steps=5, diverge=None)
    >>> r.lrs.round(4).tolist(), r.smoothed.round(12).tolist(), r.stop_reason
    ([0.1, 0.1778, 0.3162, 0.5623, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0], 'end of sweep')
    """
    lrs = sweep_lrs(start_lr, end_lr, num_steps, mode)
    if not isinstance(smoothing, (int, float)) or isinstance(smoothing, bool) or not (
        0 <= smoothing < 1
    ):
        raise _fail("smoothing", "a number in [0, 1)", smoothing)
    if diverge is not None and (
        not isinstance(diverge, (int, float)) or isinstance(diverge, bool) or not diverge > 1
    ):
        raise _fail("diverge", "a number > 1 or None", diverge)
    if suggestion not in SUGGESTIONS:
        raise _fail("suggestion", f"one of {list(SUGGESTIONS)}", suggestion)
    a = num_steps // 10 if skip_start is None else skip_start
    if isinstance(a, bool) or not isinstance(a, int) or a < 0:
        raise _fail("skip_start", "an integer >= 0 or None", skip_start)
    if isinstance(skip_end, bool) or not isinstance(skip_end, int) or skip_end < 0:
        raise _fail("skip_end", "an integer >= 0", skip_end)
    if not callable(train_step):
        raise _fail("train_step", "a callable train_step(lr) -> loss", train_step)
    losses: list[float] = []
    smoothed: list[float] = []
    avg = 0.0
    best = math.inf
    diverged = False
    reason = "end of sweep"
    for i, lr in enumerate(lrs.tolist()):
        loss = float(train_step(lr))
        losses.append(loss)
        if not math.isfinite(loss):
            smoothed.append(loss)
            diverged, reason = True, f"loss {loss} at lr={lr:.4g}"
            break
        avg = smoothing * avg + (1 - smoothing) * loss
        sm = avg / (1 - smoothing ** (i + 1))
        smoothed.append(sm)
        best = min(best, sm)
        if diverge is not None and sm - best > (diverge - 1) * abs(best):
            diverged = True
            reason = f"smoothed loss {sm:.4g} > {diverge:g} x best {best:.4g} at lr={lr:.4g}"
            break
    n = len(losses)
    x, sm_arr = lrs[:n].copy(), np.asarray(smoothed, dtype=np.float64)
    b = n - skip_end
    if b - a < 3:
        a, b = 0, n
    sugg = {name: f(x[a:b], sm_arr[a:b]) for name, f in SUGGESTIONS.items()}
    return LRFinderResult(
        lrs=x,
        losses=np.asarray(losses, dtype=np.float64),
        smoothed=sm_arr,
        diverged=diverged,
        stop_reason=reason,
        mode=mode,
        default=suggestion,
        suggestions=sugg,
    )
