"""Plots of schedules (matplotlib, imported only when a plot is drawn).

:func:`plot` draws one or more schedules on a matplotlib Axes, with the phase boundaries
marked.  Long schedules are downsampled so that a 10-million-step plot costs about as much as
a 10,000-point line, while every discontinuity stays visible:

1. :func:`lrlab.export.sample` evaluates at most ~200,000 steps (every integer step up to
   that; beyond, one random step out of every k, plus both sides of every phase boundary);
2. :func:`downsample` keeps, per horizontal bucket (about one per pixel column), the first,
   the lowest, the highest and the last point (the "M4" rule: the drawn line covers exactly
   the pixels the full line would), plus the exact points on both sides of each phase.

>>> import lrlab
>>> from lrlab.plot import plot
>>> ax = plot(["piecewise([100], [0.1, 0.01])", "constant(0.05)"], steps=200)
>>> [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
['piecewise(boundaries=[100], values=[0.1, 0.01])', 'constant(value=0.05)']
>>> ax.get_xlabel(), ax.get_ylabel()
('step', 'learning rate')
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from lrlab.errors import LrlabError, ScheduleError
from lrlab.export import Schedules, as_schedules, sample
from lrlab.schedule import Schedule

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "GALLERY",
    "MissingDependency",
    "default_steps",
    "downsample",
    "last_phase",
    "gallery",
    "plot",
    "plot_to_file",
]

#: file formats a plot can be saved as, by extension.
FORMATS = ("png", "svg", "pdf")
#: horizontal buckets of the downsampled line (about one per pixel column of a wide figure).
BUCKETS = 2000
#: at most this many phase boundaries of one schedule are marked with vertical lines.
MAX_PHASE_MARKS = 60
_DEFAULT_STEPS = 1000
_LABEL_LEN = 60


class MissingDependency(LrlabError, ImportError):
    """An optional dependency (matplotlib) is not installed."""


def _mpl() -> Any:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - exercised with matplotlib hidden
        raise MissingDependency(
            "plotting needs matplotlib, which is not installed: "
            "pip install 'lrlab[plot]' (or 'lrlab[cli]' for the command line)"
        ) from None
    return matplotlib


def default_steps(schedules: Sequence[Schedule]) -> int:
    """The x range used when none is given: 10% past the latest horizon (or last phase
    boundary when there is no horizon), else 1000 steps.

    >>> import lrlab
    >>> default_steps([lrlab.parse("piecewise([500], [1.0, 0.5])")])
    550
    >>> default_steps([lrlab.Constant(0.1)])
    1000
    """
    end = last_phase(schedules)
    return _DEFAULT_STEPS if end is None else max(1, math.ceil(end * 1.1))


def last_phase(schedules: Sequence[Schedule]) -> float | None:
    """The latest horizon (or, for a schedule without one, its last phase boundary), or None.

    >>> import lrlab
    >>> last_phase([lrlab.parse("cosine(0.1, steps=200)"), lrlab.Constant(0.1)])
    200.0
    """
    hs = []
    for s in schedules:
        h = s.horizon if s.horizon is not None else max(s.phases(), default=None)
        if h is not None and h > 0:
            hs.append(float(h))
    return max(hs) if hs else None


def downsample(
    t: NDArray[np.float64],
    y: NDArray[np.float64],
    buckets: int = BUCKETS,
    keep: Sequence[float] = (),
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Reduce a sorted line to at most ``4 * buckets`` points (+ ``keep``) that draw the same.

    Per bucket of equal width in ``t`` it keeps the first, the minimum, the maximum and the
    last point, in their original order; points whose ``t`` is in ``keep`` (phase steps) are
    always kept.

    >>> t = np.arange(1_000_001, dtype=float)
    >>> y = np.where(t < 500_000, 1.0, 0.5) + 0.001 * np.sin(t)
    >>> tt, yy = downsample(t, y, buckets=100, keep=[499_999, 500_000])
    >>> len(tt) <= 402, 499_999.0 in tt, 500_000.0 in tt
    (True, True, True)
    >>> bool(yy.max() == y.max()) and bool(yy.min() == y.min())
    True
    """
    n = len(t)
    if n <= 4 * buckets:
        return t, y
    span = t[-1] - t[0]
    edges = t[0] + span * np.arange(1, buckets) / buckets
    starts = np.concatenate(([0], np.searchsorted(t, edges, side="left")))
    starts = np.unique(starts)
    starts = starts[starts < n]
    ends = np.append(starts[1:], n) - 1
    seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    seg_min = np.minimum.reduceat(y, starts)
    seg_max = np.maximum.reduceat(y, starts)
    kept = [starts, ends]
    for extreme in (seg_min, seg_max):
        idx = np.flatnonzero(y == extreme[seg])  # sorted; >= 1 per segment
        s_of = seg[idx]
        first = np.empty(len(idx), dtype=bool)
        first[0] = True
        np.not_equal(s_of[1:], s_of[:-1], out=first[1:])
        kept.append(idx[first])  # the first extreme point of each segment
    if len(keep):
        kv = np.asarray(keep, dtype=np.float64)
        k = np.searchsorted(t, kv)
        ok = k < n
        k, kv = k[ok], kv[ok]
        kept.append(k[t[k] == kv])
    idx = np.unique(np.concatenate(kept))
    return t[idx], y[idx]


def _phase_steps(s: Schedule, stop: float) -> list[float]:
    out = []
    for p in s.phases():
        if 0 <= p <= stop:
            out += [math.ceil(p) - 1.0, float(p), float(math.ceil(p))]
    return [x for x in out if 0 <= x <= stop]


def _short(text: str, n: int = _LABEL_LEN) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _line(s: Schedule, stop: float, buckets: int) -> tuple[NDArray[Any], NDArray[Any]]:
    t, y = sample(s, stop)
    return downsample(t, y, buckets, keep=_phase_steps(s, stop))


def plot(
    schedules: Schedules,
    steps: float | None = None,
    ax: Axes | None = None,
    *,
    labels: Sequence[str] | None = None,
    log: bool = False,
    phases: bool = True,
    title: str | None = None,
    buckets: int = BUCKETS,
) -> Axes:
    """Draw schedules on a matplotlib Axes and return it.

    ``schedules``: a :class:`~lrlab.Schedule`, spec text, a sequence of them, or a mapping
    ``label -> schedule``.  ``steps``: the x range ``[0, steps]`` (default: 10% past the
    latest horizon, else 1000).  ``ax``: the Axes to draw on (default: a new pyplot figure).
    ``labels``: legend labels (default: the mapping's keys, else the spec text).  ``log``: a
    logarithmic LR axis.  ``phases``: mark each schedule's phase boundaries with dotted
    vertical lines.  ``buckets``: horizontal resolution of the downsampling (see
    :func:`downsample`).

    >>> import lrlab
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> _ = plot({"step": lrlab.parse("step_decay(0.1, step_size=1e6)")}, 10**7, ax, log=True)
    >>> x = ax.get_lines()[0].get_xdata()
    >>> len(x) < 20_000, float(x[-1]), ax.get_yscale()
    (True, 10000000.0, 'log')
    """
    _mpl()
    pairs = as_schedules(schedules, labels)
    if labels is None and not isinstance(schedules, dict):
        pairs = [(_short(repr(s)), s) for _, s in pairs]
    stop = float(steps) if steps is not None else float(default_steps([s for _, s in pairs]))
    if not (stop > 0 and math.isfinite(stop)):
        raise ScheduleError(f"argument `steps` must be a finite number > 0. Received: {steps!r}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for label, s in pairs:
        t, y = _line(s, stop, buckets)
        (line,) = ax.plot(t, y, label=label, linewidth=1.4)
        if phases:
            ps = [p for p in s.phases() if 0 < p <= stop]
            if 0 < len(ps) <= MAX_PHASE_MARKS:
                for p in ps:
                    ax.axvline(p, color=line.get_color(), linestyle=":", linewidth=0.8,
                               alpha=0.6)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_xlim(0, stop)
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def _check_format(path: str | os.PathLike[str]) -> str:
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise ScheduleError(
            f"argument `path` must end in .png, .svg or .pdf. Received: path={os.fspath(path)!r}"
        )
    return ext


def _figure(figsize: tuple[float, float] = (8, 4.5), layout: Any = "constrained") -> Figure:
    _mpl()
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout=layout)


def plot_to_file(
    schedules: Schedules,
    path: str | os.PathLike[str],
    steps: float | None = None,
    *,
    labels: Sequence[str] | None = None,
    log: bool = False,
    title: str | None = None,
    dpi: int = 120,
) -> str:
    """Plot schedules into a PNG, SVG or PDF file (format from the extension); returns the path.

    Uses a bare :class:`matplotlib.figure.Figure` (Agg canvas, no pyplot state).

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> p = plot_to_file("constant(0.1)", os.path.join(d, "lr.svg"), steps=10)
    >>> open(p).read(5)
    '<?xml'
    """
    _check_format(path)
    fig = _figure()
    ax = fig.add_subplot()
    plot(schedules, steps, ax, labels=labels, log=log, title=title)
    fig.savefig(path, dpi=dpi)
    return os.fspath(path)


#: one classic example per core family: 20,000 steps and a base LR of 0.01, as in the
#: TensorFlow tutorials (noam's LR follows from d_model and warmup, as in the paper).
GALLERY: dict[str, str] = {
    "constant": "constant(0.01)",
    "piecewise": "piecewise([6000, 14000], [0.01, 0.005, 0.001])",
    "step_decay": "step_decay(0.01, step_size=5000, gamma=0.5)",
    "multistep": "multistep(0.01, milestones=[10000, 15000], gamma=0.1)",
    "exponential": "exponential(0.01, decay_rate=0.5, decay_steps=5000)",
    "natural_exp": "natural_exp(0.01, decay_rate=0.5, decay_steps=5000)",
    "inverse_time": "inverse_time(0.01, decay_rate=1.0, decay_steps=2000)",
    "polynomial": "polynomial(0.01, steps=20000, end=0.0001, power=2.0)",
    "linear": "linear(0.01, 0.0, steps=20000)",
    "cosine": "cosine(0.01, steps=20000)",
    "cosine_restarts": "cosine_restarts(0.01, first_steps=2000, t_mul=2.0, m_mul=0.8)",
    "linear_cosine": "linear_cosine(0.01, steps=20000, num_periods=4.0)",
    "noisy_linear_cosine": "noisy_linear_cosine(0.01, steps=20000, num_periods=4.0, alpha=0.1, "
    "initial_variance=0.01)",
    "cyclic": "cyclic(0.001, 0.01, step_size_up=2000, mode='triangular2')",
    "one_cycle": "one_cycle(0.01, total_steps=20000)",
    "inverse_sqrt": "inverse_sqrt(0.01, warmup_steps=2000)",
    "noam": "noam(512, warmup_steps=4000)",
    "wsd": "wsd(0.01, warmup_steps=1000, stable_steps=15000, decay_steps=4000)",
    "warmup": "warmup(cosine(0.01, steps=18000), steps=2000)",
    "join": "join([constant(0.01), exponential(0.01, decay_rate=0.1, decay_steps=10000)], "
    "boundaries=[10000])",
    "product": "product([cosine(0.01, steps=20000), cyclic(0.5, 1.0, step_size_up=1000)])",
    "scale": "scale(cosine(1.0, steps=20000), 0.01)",
    "clamp": "clamp(exponential(0.01, decay_rate=0.5, decay_steps=2000), min=0.001)",
    "shift": "shift(cosine(0.01, steps=15000), steps=5000)",
    "repeat": "repeat(cosine(0.01, steps=5000), period=5000, decay=0.7)",
    "per_epoch": "per_epoch(cosine(0.01, steps=20), steps_per_epoch=1000)",
}
GALLERY_STEPS = 20_000


def gallery(
    directory: str | os.PathLike[str],
    fmt: str = "png",
    *,
    dpi: int = 100,
    only: Sequence[str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Write one image per family of :data:`GALLERY` and ``overview.<fmt>`` into ``directory``.

    ``only``: draw just these families.  Returns ``(paths written, {family: reason})``, the
    latter for the families that could not be drawn (e.g. not available in this version).
    """
    if fmt not in FORMATS:
        raise ScheduleError(f"argument `fmt` must be one of {FORMATS}. Received: fmt={fmt!r}")
    if only is not None:
        unknown = [n for n in only if n not in GALLERY]
        if unknown:
            raise ScheduleError(
                f"argument `only` must name gallery families ({', '.join(GALLERY)}). "
                f"Received: {', '.join(unknown)}"
            )
    from lrlab.spec import parse

    os.makedirs(directory, exist_ok=True)
    written: list[str] = []
    skipped: dict[str, str] = {}
    ok: list[tuple[str, Schedule]] = []
    for name, spec in GALLERY.items():
        if only is not None and name not in only:
            continue
        try:
            ok.append((name, parse(spec)))
        except ScheduleError as e:
            skipped[name] = str(e).splitlines()[0]
    for name, s in ok:
        path = os.path.join(directory, f"{name}.{fmt}")
        fig = _figure((6.4, 3.6), None)  # fixed margins: constrained layout costs 2x here
        fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.9)
        ax = fig.add_subplot()
        plot({repr(s) if len(repr(s)) <= 70 else name: s}, GALLERY_STEPS, ax, title=name)
        fig.savefig(path, dpi=dpi)
        written.append(path)
    if ok:
        cols = 4
        rows = math.ceil(len(ok) / cols)
        fig = _figure((4 * cols, 2.4 * rows), None)
        fig.subplots_adjust(left=0.04, right=0.99, bottom=0.03, top=0.97, wspace=0.25,
                            hspace=0.45)
        for i, (name, s) in enumerate(ok):
            ax = fig.add_subplot(rows, cols, i + 1)
            t, y = _line(s, GALLERY_STEPS, 300)
            ax.plot(t, y, linewidth=1.2)
            ax.set_title(name, fontsize="medium")
            ax.set_xlim(0, GALLERY_STEPS)
            ax.set_ylim(bottom=0)
            ax.tick_params(labelsize="x-small")
            ax.grid(True, alpha=0.3)
        path = os.path.join(directory, f"overview.{fmt}")
        fig.savefig(path, dpi=dpi)
        written.append(path)
    return written, skipped
