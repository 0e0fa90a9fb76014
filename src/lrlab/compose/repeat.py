"""Repeat: restart a schedule periodically (warm restarts), optionally with growing periods
and decaying peaks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.compose.join import MAX_PHASES, bounded_phases
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["Repeat"]

_TABLE = 1024  # cycles whose d**i and T_i are tabulated (same values as the formula, faster)
_MAX_FIX = 64  # correction rounds for the cycle index (the estimate is off by at most one)
_MAX_PHASE_CYCLES = 100  # restarts listed by phases() ...
_MAX_PHASE_STEP = 2.0**53  # ... and only those before the last exactly representable step


class _Table:
    """``f(k)`` for k = 0, 1, ... tabulated while finite: a lookup gives the same float as the
    formula (the table holds the formula's own results), on both back ends."""

    __slots__ = ("_arr", "_list")

    def __init__(self, f: Callable[[float], float]) -> None:
        vals: list[float] = []
        for k in range(_TABLE):
            try:
                x = float(f(float(k)))
            except OverflowError:
                break
            if not math.isfinite(x):
                break
            vals.append(x)
        self._list = vals
        self._arr = np.asarray(vals, dtype=np.float64)

    def __call__(self, i: Any, f: Callable[[Any], Any]) -> Any:
        n = len(self._list)
        if isinstance(i, np.ndarray):
            if i.size and float(i.max()) < n:
                return self._arr[i.astype(np.intp)]
            return f(i)
        return self._list[int(i)] if i < n else f(i)


@register("repeat")
@dataclass(frozen=True, repr=False)
class Repeat(Schedule):
    """Restart ``schedule`` every ``period`` steps (periods growing by ``period_mul``),
    scaling cycle ``i`` by ``decay**i``.

    .. math::
        \\eta(t) = d^{\\,i}\\, S(t - T_i), \\qquad T_i \\le t < T_{i+1}, \\\\
        T_i = P\\,(1 + q + \\dots + q^{i-1}) = P\\,\\frac{q^i - 1}{q - 1}
        \\quad (T_i = iP \\text{ if } q = 1)

    ``schedule`` (S): one cycle, seen on its local clock (``t - T_i``, 0 at each restart);
    it is not stretched: in a cycle longer than S's horizon, S runs on past its horizon;
    ``period`` (P, > 0): length of the first cycle in steps; ``decay`` (d, > 0): factor per
    restart on the whole cycle (timm's ``cycle_decay``; ``m_mul`` of TF's SGDR when the floor
    is 0); ``period_mul`` (q, >= 1): growth of each cycle's length (``t_mul`` / ``T_mult`` /
    ``cycle_mul``).  With ``d > 1`` the values grow without bound; at steps where they leave
    the float64 range the call raises :class:`~lrlab.ScheduleError` (bound them with
    :class:`~lrlab.Clamp`).

    The cycle index ``i`` is estimated (``floor(t / P)``, or ``floor(log1p(t (q - 1) / P) /
    log q)``) and then corrected exactly against the ``T_i`` above, so a step that is exactly
    a restart always starts the new cycle (no log-rounding glitch), on both evaluation paths.
    For cosine restarts with a stretched cosine in every cycle, see ``cosine_restarts``.

    >>> from lrlab import Repeat, StepDecay
    >>> s = Repeat(StepDecay(0.1, step_size=5, gamma=0.5), period=10, decay=0.5)
    >>> s(0), s(5), s(9), s(10), s(15), s(20)
    (0.1, 0.05, 0.05, 0.05, 0.025, 0.025)
    >>> g = Repeat(StepDecay(0.1, step_size=5, gamma=0.5), period=10, period_mul=2)
    >>> g(10), g(29), g(30)
    (0.1, 0.0125, 0.1)
    """

    schedule: Schedule
    period: float
    decay: float = 1.0
    period_mul: float = 1.0
    _c: float = field(init=False, repr=False, compare=False)
    _lq: float = field(init=False, repr=False, compare=False)
    _dpow: Any = field(init=False, repr=False, compare=False)
    _starts: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set("schedule", v.schedule(self, "schedule", self.schedule))
        self._set("period", v.real(self, "period", self.period, lo=0, lo_open=True))
        self._set("decay", v.real(self, "decay", self.decay, lo=0, lo_open=True))
        self._set("period_mul", v.real(self, "period_mul", self.period_mul, lo=1))
        q = self.period_mul
        self._set("_c", (q - 1.0) / self.period)
        self._set("_lq", math.log(q))
        d = self.decay
        self._set("_dpow", _Table(lambda k: d**k))
        self._set("_starts", _Table(self._start_formula))

    def _start_formula(self, i: Any) -> Any:
        q = self.period_mul
        if q == 1.0:
            return i * self.period
        return self.period * ((q**i - 1.0) / (q - 1.0))

    def _start(self, i: Any) -> Any:
        """T_i for a float i or an array of integral floats i >= 0."""
        if self.period_mul == 1.0:
            return i * self.period
        return self._starts(i, self._start_formula)

    def _cycle(self, t: Any, m: Backend) -> Any:
        if not m.is_array:
            if self.period_mul == 1.0:
                i = float(math.floor(t / self.period))
            else:
                i = float(math.floor(math.log1p(t * self._c) / self._lq))
            for _ in range(_MAX_FIX):
                if i > 0 and self._start(i) > t:
                    i -= 1.0
                elif self._start(i + 1.0) <= t:
                    i += 1.0
                else:
                    break
            return i
        if self.period_mul == 1.0:
            ia = np.floor(t / self.period)
        else:
            ia = np.floor(np.log1p(t * self._c) / self._lq)
        for _ in range(_MAX_FIX):
            down = (ia > 0) & (self._start(ia) > t)
            up = ~down & (self._start(ia + 1.0) <= t)
            if not (down.any() or up.any()):
                break
            ia = ia - down + up
        return ia

    def _eval(self, t: Any, m: Backend) -> Any:
        i = self._cycle(t, m)
        x = self.schedule._at(t - self._start(i), m)
        if self.decay == 1.0:
            return x
        return self._dpow(i, lambda k: self.decay**k) * x

    def phases(self) -> tuple[float, ...]:
        """Restarts (and the child's phases inside each cycle) of the first 100 cycles that
        end before step 2**53, at most 256 points."""
        child = self.schedule.phases()
        pts: list[float] = []
        i = 0.0
        try:
            while len(pts) < MAX_PHASES and i < _MAX_PHASE_CYCLES:
                a, b = self._start(i), self._start(i + 1.0)
                if not b < _MAX_PHASE_STEP:
                    break
                if i > 0:
                    pts.append(a)
                pts.extend(a + p for p in child if 0 < p and a + p < b)
                i += 1.0
        except OverflowError:  # pragma: no cover - q**i past float64
            pass
        return bounded_phases(pts)
