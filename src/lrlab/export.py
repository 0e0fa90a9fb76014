"""Values of schedules as data: CSV and JSON export, step grids and a summary (``describe``).

Everything here is NumPy only; the plotting and the command line are built on it.

>>> import lrlab
>>> from lrlab.export import export_json, export_csv
>>> s = lrlab.parse("step_decay(0.1, step_size=10, gamma=0.5)")
>>> export_json(s, [0, 10, 20])
'[0.1, 0.05, 0.025]'
>>> print(export_csv(s, [0, 10]), end="")
step,step_decay
0,0.1
10,0.05
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lrlab.errors import ScheduleError
from lrlab.schedule import Schedule

__all__ = [
    "as_schedules",
    "describe",
    "export_csv",
    "export_json",
    "sample",
    "step_range",
]

#: how many steps a sampled grid evaluates at most (besides the exact phase steps).
SAMPLE_BUDGET = 200_000
#: schedules with at most this many steps are summed exactly in ``describe``.
EXACT_SUM_LIMIT = 50_000_000
_CHUNK = 1 << 20

Schedules = Any  # a Schedule, spec text, a sequence of them, or a mapping label -> one


def _to_schedule(obj: Any, where: str) -> Schedule:
    if isinstance(obj, Schedule):
        return obj
    if isinstance(obj, str):
        from lrlab.spec import parse

        return parse(obj)
    raise ScheduleError(
        f"argument `{where}` must be a Schedule or spec text. Received: {where}={obj!r}"
    )


def as_schedules(schedules: Schedules, labels: Sequence[str] | None = None) -> list[
    tuple[str, Schedule]
]:
    """Normalise one schedule, spec text, a sequence of them or a mapping to ``(label, s)`` pairs.

    Labels default to the mapping keys, else to the family name, numbered when two share one.

    >>> import lrlab
    >>> [label for label, _ in as_schedules(["constant(0.1)", "constant(0.2)"])]
    ['constant', 'constant #2']
    >>> as_schedules({"base": lrlab.Constant(0.1)})
    [('base', constant(value=0.1))]
    """
    if isinstance(schedules, (Schedule, str)):
        items: list[tuple[str | None, Any]] = [(None, schedules)]
    elif isinstance(schedules, Mapping):
        items = [(str(k), v) for k, v in schedules.items()]
    elif isinstance(schedules, Iterable):
        items = [(None, v) for v in schedules]
    else:
        raise ScheduleError(
            "argument `schedules` must be a Schedule, spec text, a sequence or a mapping of "
            f"them. Received: schedules={schedules!r}"
        )
    if not items:
        raise ScheduleError("argument `schedules` must not be empty. Received: schedules=[]")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(items):
            raise ScheduleError(
                f"argument `labels` must have one label per schedule ({len(items)}). "
                f"Received: labels={labels!r}"
            )
        items = [(str(lab), v) for lab, (_, v) in zip(labels, items)]
    out: list[tuple[str, Schedule]] = []
    seen: dict[str, int] = {}
    for i, (label, obj) in enumerate(items):
        s = _to_schedule(obj, f"schedules[{i}]" if len(items) > 1 else "schedules")
        if label is None:
            base = type(s).name or type(s).__name__
            seen[base] = seen.get(base, 0) + 1
            label = base if seen[base] == 1 else f"{base} #{seen[base]}"
        out.append((label, s))
    return out


def step_range(start: float, stop: float, step: float = 1) -> NDArray[np.float64]:
    """Steps ``start, start + step, ...`` below ``stop`` (Python ``range`` semantics).

    >>> step_range(0, 10, 5).tolist()
    [0.0, 5.0]
    """
    if not step > 0 or not math.isfinite(step):
        raise ScheduleError(f"argument `step` must be > 0. Received: step={step!r}")
    if not (math.isfinite(start) and math.isfinite(stop)) or start < 0:
        raise ScheduleError(
            "arguments `start` and `stop` must be finite and start >= 0. "
            f"Received: start={start!r}, stop={stop!r}"
        )
    n = max(0, math.ceil((stop - start) / step))
    if n > 10_000_000:
        raise ScheduleError(
            f"a range of at most 10,000,000 steps is allowed. Received: {n} steps"
        )
    return start + step * np.arange(n, dtype=np.float64)


def sample(
    schedule: Schedule, stop: float, budget: int = SAMPLE_BUDGET
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Steps in ``[0, stop]`` and the schedule's values there, at most ``budget`` of them plus
    the phase steps.

    Up to ``budget`` steps every integer step is evaluated.  Beyond that the steps are cut
    into runs of ``k`` and one integer step is drawn from each run (a stratified sample with
    a fixed seed: deterministic, and a periodic schedule whose period divides ``k`` cannot
    alias into a flat line), plus step 0, ``stop``, and, for every phase boundary ``p`` in
    range, the steps just before and at ``p``, so that every jump is kept exactly.

    >>> import lrlab
    >>> t, y = sample(lrlab.parse("piecewise([5], [1.0, 0.5])"), 10)
    >>> len(t), y[4:6].tolist()
    (11, [1.0, 0.5])
    >>> t, y = sample(lrlab.parse("piecewise([5001], [1.0, 0.5])"), 10**7, budget=1000)
    >>> len(t) < 1100, 5000.0 in t, 5001.0 in t
    (True, True, True)
    """
    stop = float(stop)
    if not (stop >= 0 and math.isfinite(stop)):
        raise ScheduleError(f"argument `stop` must be a finite number >= 0. Received: {stop!r}")
    last = math.floor(stop)
    if last + 1 <= budget:
        t = np.arange(last + 1, dtype=np.float64)
        if stop != last:
            t = np.append(t, stop)
    else:
        stride = math.ceil((last + 1) / budget)
        starts = np.arange(0, last + 1, stride, dtype=np.float64)
        offsets = np.random.default_rng(0).integers(0, stride, size=len(starts))
        t = np.minimum(starts + offsets, float(last))
        extra = [0.0, stop]
        for p in schedule.phases():
            if 0 <= p <= stop:
                extra += [p, math.ceil(p) - 1.0, float(math.ceil(p)), math.floor(p) + 1.0]
        ex = np.asarray(extra, dtype=np.float64)
        ex = ex[(ex >= 0) & (ex <= stop)]
        t = np.union1d(t, ex)
    return t, np.asarray(schedule(t), dtype=np.float64)


def _steps_array(steps: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(steps, dtype=np.float64).ravel()
    return arr


def _format_step(t: float) -> int | float:
    return int(t) if float(t).is_integer() else float(t)


def _write(text: str, file: str | os.PathLike[str] | IO[str] | None) -> None:
    if file is None:
        return
    if isinstance(file, (str, os.PathLike)):
        with open(file, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    else:
        file.write(text)


def export_json(
    schedules: Schedules,
    steps: ArrayLike,
    file: str | os.PathLike[str] | IO[str] | None = None,
    *,
    labels: Sequence[str] | None = None,
) -> str:
    """JSON text of the values at ``steps`` (and written to ``file`` when given).

    One schedule gives a JSON list of floats (each float printed so that it reads back
    exactly); several give ``{"steps": [...], "values": {label: [...]}}``.

    >>> import json, lrlab
    >>> json.loads(export_json(["constant(0.1)", "constant(0.2)"], [0, 1]))
    {'steps': [0, 1], 'values': {'constant': [0.1, 0.1], 'constant #2': [0.2, 0.2]}}
    """
    pairs = as_schedules(schedules, labels)
    t = _steps_array(steps)
    single = isinstance(schedules, (Schedule, str)) and labels is None
    if single:
        text = json.dumps([float(x) for x in pairs[0][1](t)])
    else:
        obj = {
            "steps": [_format_step(x) for x in t],
            "values": {label: [float(x) for x in s(t)] for label, s in pairs},
        }
        text = json.dumps(obj)
    _write(text, file)
    return text


def export_csv(
    schedules: Schedules,
    steps: ArrayLike,
    file: str | os.PathLike[str] | IO[str] | None = None,
    *,
    labels: Sequence[str] | None = None,
) -> str:
    """CSV text (``step`` column, then one column per schedule), written to ``file`` if given.

    Floats are written with ``repr`` so that they read back exactly.

    >>> print(export_csv({"a": "constant(0.5)"}, [0, 2.5]), end="")
    step,a
    0,0.5
    2.5,0.5
    """
    pairs = as_schedules(schedules, labels)
    t = _steps_array(steps)
    cols = [s(t) for _, s in pairs]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["step", *(label for label, _ in pairs)])
    for i, x in enumerate(t):
        w.writerow([_format_step(x), *(repr(float(c[i])) for c in cols)])
    text = buf.getvalue()
    _write(text, file)
    return text


def _sum_exact(schedule: Schedule, n: int) -> float:
    """Sum of ``schedule(t)`` for the integer steps ``0 .. n-1`` (chunked, Kahan-free fsum)."""
    parts = []
    for a in range(0, n, _CHUNK):
        t = np.arange(a, min(n, a + _CHUNK), dtype=np.float64)
        parts.append(float(np.sum(schedule(t))))
    return math.fsum(parts)


def describe(
    schedule: Schedule | str,
    steps: float | None = None,
    *,
    steps_per_epoch: float | None = None,
    epochs: float | None = None,
) -> dict[str, Any]:
    """A summary of a schedule, with warnings for likely mistakes.

    The analysed window is ``[0, end]``: ``end`` is ``steps`` if given, else the schedule's
    horizon, else ``steps_per_epoch * epochs``, else 10,000 steps.  Returns a dict with
    ``spec``, ``end``, ``horizon``, ``phases``, ``peak``/``peak_step``, ``min``/``min_step``,
    ``final`` (the value at ``end``), ``integral`` (the sum of the LR over the integer steps
    ``0 .. end-1``, i.e. the total step size a run of ``end`` updates applies; ``integral_exact``
    says whether every step was summed) and ``warnings`` (a list of strings).

    Warnings: the LR rises again after the horizon; the LR at step 0 is exactly 0 (the first
    update does nothing: a warmup that starts at 0); the horizon is not
    ``steps_per_epoch * epochs``.

    >>> d = describe("multistep(0.1, milestones=[100, 200], gamma=0.1)", steps=300)
    >>> d["peak"], d["phases"], round(d["integral"], 6), d["warnings"]
    (0.1, [100, 200], 11.1, [])
    >>> describe("piecewise([10], [0.0, 0.1])")["warnings"][0][:31]
    'the LR at step 0 is exactly 0.0'
    """
    s = _to_schedule(schedule, "schedule")
    horizon = s.horizon
    planned = None
    spe = ep = 0.0
    if steps_per_epoch is not None and epochs is not None:
        spe, ep = float(steps_per_epoch), float(epochs)
        planned = spe * ep
    if steps is not None:
        end = float(steps)
    elif horizon is not None and horizon > 0:
        end = float(horizon)
    elif planned is not None:
        end = planned
    else:
        end = 10_000.0
    if not (end > 0 and math.isfinite(end)):
        raise ScheduleError(f"argument `steps` must be > 0. Received: steps={steps!r}")
    t, y = sample(s, end)
    # the first step that reaches the peak / minimum up to rounding (1e-12 relative), so
    # that a periodic schedule reports its first peak whatever its last bits
    top, bottom = float(np.max(y)), float(np.min(y))
    i_max = int(np.argmax(y >= top - 1e-12 * abs(top)))
    i_min = int(np.argmax(y <= bottom + 1e-12 * abs(bottom)))
    n = math.ceil(end)
    if n <= EXACT_SUM_LIMIT:
        integral, exact = _sum_exact(s, n), True
    else:  # trapezoid over the sampled grid
        tt = np.append(t[t < n], n)
        yy = s(tt)
        integral, exact = float(np.sum((yy[1:] + yy[:-1]) / 2 * np.diff(tt))), False
    warnings: list[str] = []
    if horizon is not None:
        h = float(horizon)
        after = h + np.unique(np.linspace(1.0, max(h, 1000.0) * 2, 4000).round())
        ya, yh = s(after), s(h)
        rise = yh * (1 + 1e-9) + 1e-15
        if np.any(ya > rise):
            j = int(np.argmax(ya > rise))
            warnings.append(
                f"the LR rises again after the horizon (step {_format_step(h)}: {yh:.6g}; "
                f"step {_format_step(float(after[j]))}: {float(ya[j]):.6g}): a periodic "
                "schedule, or a run longer than the schedule?"
            )
    y0 = s(0)
    if y0 == 0.0 and float(np.max(y)) > 0.0:
        warnings.append(
            "the LR at step 0 is exactly 0.0, so the first update does nothing: "
            "a warmup that starts at 0 (start=0); consider a small start such as peak/100"
        )
    if planned is not None and horizon is not None and not math.isclose(
        float(horizon), planned, rel_tol=1e-9, abs_tol=1e-9
    ):
        warnings.append(
            f"the horizon ({_format_step(float(horizon))} steps) does not match "
            f"steps_per_epoch x epochs = {_format_step(spe)} x "
            f"{_format_step(ep)} = {_format_step(planned)} steps"
        )
    return {
        "spec": repr(s),
        "end": _format_step(end),
        "horizon": None if horizon is None else _format_step(float(horizon)),
        "phases": [_format_step(float(p)) for p in s.phases()],
        "peak": top,
        "peak_step": _format_step(float(t[i_max])),
        "min": bottom,
        "min_step": _format_step(float(t[i_min])),
        "final": float(s(end)),
        "integral": integral,
        "integral_exact": exact,
        "warnings": warnings,
    }
