"""Warmup-stable-decay (WSD, "trapezoidal"): warm up, hold a plateau, then decay quickly."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["WarmupStableDecay"]

_SHAPES = ("linear", "cosine", "1-sqrt")


def _rise(shape: str, q: Any, m: Backend) -> Any:
    """Warmup fraction h(q) in [0, 1] for progress q in [0, 1] (Hugging Face's formulas)."""
    if shape == "linear":
        return q
    if shape == "cosine":
        return 0.5 * (1.0 - m.cos(math.pi * q))
    return 1.0 - m.sqrt(1.0 - q)


def _fall(shape: str, p: Any, m: Backend) -> Any:
    """Fraction g(p) in [0, 1] of the way from peak to end, for progress p in [0, 1]."""
    if shape == "linear":
        return p
    if shape == "cosine":
        return 0.5 * (1.0 - m.cos(math.pi * p))
    return m.sqrt(p)


@register("wsd")
@dataclass(frozen=True, repr=False)
class WarmupStableDecay(Schedule):
    r"""Warmup, a constant plateau at the peak, then a short decay to ``end``.

    With :math:`b_1 = W`, :math:`b_2 = W + S`, :math:`b_3 = W + S + D`:

    .. math::

        \eta(t) = \begin{cases}
        \eta_s + (\eta_p - \eta_s)\, h(t / W) & t < b_1 \\
        \eta_p & b_1 \le t < b_2 \\
        \eta_p - (\eta_p - \eta_e)\, g((t - b_2) / D) & b_2 \le t < b_3 \\
        \eta_e & t \ge b_3
        \end{cases}

    Warmup shapes h(q) (``warmup``): linear q, cosine :math:`(1 - \cos \pi q)/2`,
    1-sqrt :math:`1 - \sqrt{1 - q}`.  Decay shapes (``decay``), as the fraction of the drop
    done, g(p): linear p, cosine :math:`(1 - \cos \pi p)/2` (a half cosine), 1-sqrt
    :math:`\sqrt{p}` (the value falls as :math:`1 - \sqrt{p}`).  References: S. Hu et al.,
    "MiniCPM" (2024), arXiv:2404.06395; A. Hägele et al., "Scaling Laws and Compute-Optimal
    Training Beyond Fixed Training Durations" (2024), arXiv:2405.18392.

    * ``peak`` (:math:`\eta_p`), ``start`` (:math:`\eta_s`), ``end`` (:math:`\eta_e`):
      learning rates >= 0 (in any order).
    * ``warmup_steps`` (W), ``stable_steps`` (S), ``decay_steps`` (D): steps >= 0; a zero
      length skips that phase.  ``horizon`` is :math:`b_3`; the value is ``end`` after it.

    Semantics: ``transformers.get_wsd_schedule`` with absolute values: Hugging Face's
    ``min_lr_ratio`` r gives ``start = end = r * lr`` (its warmup starts at r, not 0), and
    its default ``decay_type`` is ``'cosine'`` (lrlab's default is ``'linear'``).  Hugging
    Face multiplies the base LR by ``factor * (1 - r) + r``; lrlab interpolates between the
    absolute values, so results agree to a few ulps, not bit for bit.  Not covered: HF's
    ``num_cycles`` other than 0.5 (a cosine decay that turns back up), and its
    ``max(1, W)`` / ``max(1, D)`` divisors, which only matter for fractional W or D < 1.

    >>> from lrlab import WarmupStableDecay
    >>> s = WarmupStableDecay(0.1, warmup_steps=10, stable_steps=80, decay_steps=10)
    >>> s(0), s(5), s(10), s(89), s(90), s(95), s(100), s(1000)
    (0.0, 0.05, 0.1, 0.1, 0.1, 0.05, 0.0, 0.0)
    >>> s.phases()
    (10.0, 90.0, 100.0)
    """

    peak: float
    warmup_steps: float
    stable_steps: float
    decay_steps: float
    start: float = 0.0
    end: float = 0.0
    decay: str = "linear"
    warmup: str = "linear"
    _b2: float = field(init=False, repr=False, compare=False)
    _b3: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set("peak", v.real(self, "peak", self.peak, lo=0))
        w = v.real(self, "warmup_steps", self.warmup_steps, lo=0)
        s = v.real(self, "stable_steps", self.stable_steps, lo=0)
        d = v.real(self, "decay_steps", self.decay_steps, lo=0)
        self._set("warmup_steps", w)
        self._set("stable_steps", s)
        self._set("decay_steps", d)
        self._set("start", v.real(self, "start", self.start, lo=0))
        self._set("end", v.real(self, "end", self.end, lo=0))
        self._set("decay", v.choice(self, "decay", self.decay, _SHAPES))
        self._set("warmup", v.choice(self, "warmup", self.warmup, _SHAPES))
        b3 = w + s + d
        if not math.isfinite(b3):
            raise v.fail(self, "decay_steps", "such that the total length is finite", d)
        self._set("_b2", w + s)
        self._set("_b3", b3)

    def _eval(self, t: Any, m: Backend) -> Any:
        peak: Any = self.peak
        end: Any = self.end
        out: Any
        if self.decay_steps > 0:
            # progress clipped to [0, 1]: the same inside the phase; keeps sqrt real outside
            p = m.clip((t - self._b2) / self.decay_steps, 0.0, 1.0)
            out = m.where(t < self._b3, peak - (peak - end) * _fall(self.decay, p, m), end)
        else:
            out = m.where(t < self._b3, peak, end)
        out = m.where(t < self._b2, peak, out)
        w = self.warmup_steps
        if w > 0:
            q = m.minimum(t / w, 1.0)
            out = m.where(t < w, self.start + (peak - self.start) * _rise(self.warmup, q, m), out)
        return out

    @property
    def horizon(self) -> float | None:
        """The end of the decay, W + S + D."""
        return self._b3

    def phases(self) -> tuple[float, ...]:
        """The positive phase boundaries W, W + S and W + S + D."""
        return tuple(sorted({b for b in (self.warmup_steps, self._b2, self._b3) if b > 0}))
