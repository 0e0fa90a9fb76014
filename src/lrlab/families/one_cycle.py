"""The one-cycle policy: warm up to a peak, then anneal far below the start (PyTorch OneCycleLR)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["OneCycle"]

_ANNEALS = ("cos", "linear")


@register("one_cycle")
@dataclass(frozen=True, repr=False)
class OneCycle(Schedule):
    r"""Smith's one-cycle policy, with PyTorch ``OneCycleLR``'s exact arithmetic.

    Three learning rates: :math:`\eta_0 = \eta_{max} / \text{div\_factor}` (the start),
    :math:`\eta_{max}` (the peak) and :math:`\eta_{min} = \eta_0 / \text{final\_div\_factor}`
    (the end).  Phases, with :math:`p` = ``pct_start`` and :math:`T` = ``total_steps``:

    * two-phase (default): :math:`\eta_0 \to \eta_{max}` over :math:`[0, e_1]`, then
      :math:`\eta_{max} \to \eta_{min}` over :math:`[e_1, T - 1]`, with :math:`e_1 = pT - 1`;
    * ``three_phase=True``: :math:`\eta_0 \to \eta_{max}` over :math:`[0, e_1]`,
      :math:`\eta_{max} \to \eta_0` over :math:`[e_1, e_2]`, :math:`\eta_0 \to \eta_{min}`
      over :math:`[e_2, T - 1]`, with :math:`e_2 = 2pT - 2`.

    Step t belongs to the first phase whose end :math:`e_k \ge t` (else the last); with
    :math:`s_k` the previous phase's end (0 for the first) the progress is
    :math:`u = (t - s_k) / (e_k - s_k)` and, from start value a to end value b,

    .. math::

        \text{cos:}\quad b + \tfrac{a - b}{2} \, (1 + \cos \pi u), \qquad
        \text{linear:}\quad (b - a) \, u + a

    * ``max_lr`` (:math:`\eta_{max}`, >= 0): the peak, reached at step :math:`e_1 = pT - 1`.
    * ``total_steps`` (T, a number of steps >= 1): the schedule ends at step T - 1.
    * ``pct_start`` (p, in [0, 1]): the fraction of the run spent rising.
    * ``anneal``: ``'cos'`` or ``'linear'`` (PyTorch's ``anneal_strategy``).
    * ``div_factor``, ``final_div_factor`` (> 0): as above (defaults 25 and 1e4).

    **Past the end.**  PyTorch raises once ``step()`` is called more than T times, and at
    exactly t = T it extrapolates the last phase (its cosine turns back up; its linear
    anneal can go *negative*).  lrlab is a pure function of the step, so it **holds the value
    of step T - 1** for every t >= T - 1; ``horizon`` is T - 1.  That value is
    :math:`\eta_{min}` (up to an ulp of :math:`\eta_{max}` with the linear anneal), except
    with ``three_phase`` and ``pct_start > 0.5``, where PyTorch's third phase would begin
    after T - 1 and is never reached.
    At steps 0 .. T - 1 the values are PyTorch's, bit for bit.  Where PyTorch divides by
    zero (``pct_start * total_steps == 1``: a rise that is one step long, so ``e_1 = 0``),
    lrlab gives that step the phase's end value :math:`\eta_{max}`.

    Reference: L. N. Smith and N. Topin, "Super-Convergence" (2018), arXiv:1708.07120.

    Momentum: PyTorch also cycles momentum inversely; that curve is
    :meth:`OneCycle.momentum`.  fastai's ``fit_one_cycle`` differs (cosine warmup, final
    LR max_lr / 1e5): see ``lrlab.compat.fastai``.

    >>> from lrlab import OneCycle
    >>> s = OneCycle(0.1, total_steps=100)
    >>> round(s(0), 12), s(29), s(99), s(1000)
    (0.004, 0.1, 4e-07, 4e-07)
    >>> OneCycle(1.0, 10, pct_start=0.5, anneal="linear", div_factor=2)(2)
    0.75
    """

    max_lr: float
    total_steps: float
    pct_start: float = 0.3
    anneal: str = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    _phases: tuple[tuple[float, float, float, float, float, bool], ...] = field(
        init=False, repr=False, compare=False
    )
    _end: float = field(init=False, repr=False, compare=False)
    _cos: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set("max_lr", v.real(self, "max_lr", self.max_lr, lo=0))
        total = v.real(self, "total_steps", self.total_steps, lo=1)
        self._set("total_steps", total)
        pct = v.real(self, "pct_start", self.pct_start, lo=0, hi=1)
        self._set("pct_start", pct)
        self._set("anneal", v.choice(self, "anneal", self.anneal, _ANNEALS))
        div = v.real(self, "div_factor", self.div_factor, lo=0, lo_open=True)
        self._set("div_factor", div)
        fdiv = v.real(self, "final_div_factor", self.final_div_factor, lo=0, lo_open=True)
        self._set("final_div_factor", fdiv)
        self._set("three_phase", v.boolean(self, "three_phase", self.three_phase))

        initial = self.max_lr / div
        if not math.isfinite(initial):
            raise v.fail(self, "div_factor", "large enough that max_lr / div_factor is finite", div)
        low = initial / fdiv
        if not math.isfinite(low):
            raise v.fail(
                self, "final_div_factor",
                "large enough that max_lr / div_factor / final_div_factor is finite", fdiv,
            )
        peak = self.max_lr
        # (end step, start value, end value) per phase, in PyTorch's arithmetic.
        e1 = float(pct * total) - 1
        last = total - 1
        if self.three_phase:
            spec = [(e1, initial, peak), (float(2 * pct * total) - 2, peak, initial),
                    (last, initial, low)]
        else:
            spec = [(e1, initial, peak), (last, peak, low)]
        phases = []
        start = 0.0
        for end, a, b in spec:
            length = end - start
            # (start, end, a, b, (a - b) / 2, zero-length?)
            phases.append((start, end, a, b, (a - b) / 2.0, length == 0))
            start = end
        self._set("_phases", tuple(phases))
        self._set("_end", last)
        self._set("_cos", self.anneal == "cos")

    @classmethod
    def momentum(
        cls,
        total_steps: float,
        pct_start: float = 0.3,
        anneal: str = "cos",
        base_momentum: float = 0.85,
        max_momentum: float = 0.95,
        three_phase: bool = False,
    ) -> OneCycle:
        r"""The momentum curve PyTorch's ``OneCycleLR`` pairs with the LR (``cycle_momentum``).

        It falls from ``max_momentum`` to ``base_momentum`` while the LR rises, and climbs
        back while it falls: a one-cycle schedule with ``max_lr=base_momentum``,
        ``div_factor=base_momentum / max_momentum`` and ``final_div_factor=1``.  Values match
        PyTorch's to within a few ulps (the start value is computed as
        ``base / (base / max)``).  ``base_momentum`` must be > 0.

        >>> from lrlab import OneCycle
        >>> mom = OneCycle.momentum(100)
        >>> round(mom(0), 12), mom(29), round(mom(99), 12)
        (0.95, 0.85, 0.95)
        """
        base = v.real("one_cycle.momentum", "base_momentum", base_momentum, lo=0, lo_open=True)
        top = v.real("one_cycle.momentum", "max_momentum", max_momentum, lo=0, lo_open=True)
        return cls(
            base, total_steps, pct_start=pct_start, anneal=anneal, div_factor=base / top,
            final_div_factor=1.0, three_phase=three_phase,
        )

    # -- evaluation -------------------------------------------------------------------------
    def _piece(self, tau: Any, phase: tuple[Any, ...], m: Backend) -> Any:
        start, end, a, b, half, empty = phase
        pct = m.full(tau, 1.0) if empty else (tau - start) / (end - start)
        if self._cos:
            return b + half * (m.cos(math.pi * pct) + 1)
        return (b - a) * pct + a

    def _scalar(self, t: float) -> float:
        tau = t if t < self._end else self._end
        phases = self._phases
        for phase in phases[:-1]:
            if tau <= phase[1]:
                return float(self._piece(tau, phase, _SCALAR))
        return float(self._piece(tau, phases[-1], _SCALAR))

    def _eval(self, t: Any, m: Backend) -> Any:
        if not m.is_array:
            return self._scalar(t)
        tau = m.minimum(t, self._end)
        phases = self._phases
        out = self._piece(tau, phases[-1], m)
        for phase in reversed(phases[:-1]):
            out = m.where(tau <= phase[1], self._piece(tau, phase, m), out)
        return out

    # -- description ------------------------------------------------------------------------
    @property
    def horizon(self) -> float | None:
        """Step T - 1: the end of the last phase (the value is held from there on)."""
        return self._end

    def phases(self) -> tuple[float, ...]:
        """The ends of the phases that lie within [0, T - 1]."""
        return tuple(sorted({p[1] for p in self._phases if 0 <= p[1] <= self._end}))


from lrlab._math import SCALAR as _SCALAR  # noqa: E402
