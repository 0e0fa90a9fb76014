"""Inverse square-root decay: Hugging Face's inverse_sqrt schedule and the Transformer's Noam."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrlab import _validate as v
from lrlab._math import Backend
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = ["InverseSqrt", "Noam"]

#: Hugging Face's timescale when there is no warmup (``num_warmup_steps or 10_000``).
_HF_DEFAULT_TIMESCALE = 10_000.0


@register("inverse_sqrt")
@dataclass(frozen=True, repr=False)
class InverseSqrt(Schedule):
    r"""Linear warmup from 0, then decay proportional to :math:`1/\sqrt{t}`.

    .. math::

        \eta(t) = \eta_0 \, \frac{t}{W} \quad (t < W), \qquad
        \eta(t) = \eta_0 \, \frac{1}{\sqrt{(t + \tau - W) / \tau}} \quad (t \ge W)

    * ``init`` (:math:`\eta_0`, >= 0): the peak, reached at step W.
    * ``warmup_steps`` (W, steps >= 0): 0 means no warmup (the decay starts at
      :math:`\eta_0`).
    * ``timescale`` (τ, steps > 0): how fast the decay goes (the LR halves when
      :math:`t - W = 3\tau`).  Default: W, or 10 000 when W = 0, as in Hugging Face.

    Semantics: ``transformers.get_inverse_sqrt_schedule`` (adapted from big_vision), with
    the same operations (``init * multiplier``), so the values match bit for bit at integer
    steps.  The one difference: Hugging Face divides by ``max(1, W)`` during warmup, which
    only matters for a fractional W < 1 (lrlab divides by W).

    >>> from lrlab import InverseSqrt
    >>> s = InverseSqrt(0.01, warmup_steps=100)
    >>> s(0), s(50), s(100), s(400)
    (0.0, 0.005, 0.01, 0.005)
    >>> InverseSqrt(1.0).horizon is None, InverseSqrt(1.0)(30_000)
    (True, 0.5)
    """

    init: float
    warmup_steps: float = 0.0
    timescale: float | None = None
    _tau: float = field(init=False, repr=False, compare=False)
    _shift: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set("init", v.real(self, "init", self.init, lo=0))
        w = v.real(self, "warmup_steps", self.warmup_steps, lo=0)
        self._set("warmup_steps", w)
        if self.timescale is None:
            tau = w or _HF_DEFAULT_TIMESCALE
        else:
            tau = v.real(self, "timescale", self.timescale, lo=0, lo_open=True)
            self._set("timescale", tau)
        self._set("_tau", tau)
        self._set("_shift", tau - w)

    def _eval(self, t: Any, m: Backend) -> Any:
        w = self.warmup_steps
        tt = m.maximum(t, w)  # keeps the unused branch's square root real
        decay: Any = self.init * (1.0 / m.sqrt((tt + self._shift) / self._tau))
        if w == 0:
            return decay
        return m.where(t < w, self.init * (t / w), decay)

    @property
    def horizon(self) -> float | None:
        """The end of the warmup (``None`` without warmup)."""
        return self.warmup_steps or None

    def phases(self) -> tuple[float, ...]:
        return (self.warmup_steps,) if self.warmup_steps else ()


@register("noam")
@dataclass(frozen=True, repr=False)
class Noam(Schedule):
    r"""The Transformer's schedule ("Attention Is All You Need", Vaswani et al. 2017, eq. 3).

    .. math::

        \eta(t) = f \, d^{-1/2} \, \min\left((t + 1)^{-1/2},\ (t + 1)\, W^{-3/2}\right)

    * ``d_model`` (d, > 0): the model width; ``warmup_steps`` (W, steps > 0); ``factor``
      (f, >= 0): an overall multiplier (1 in the paper; often 2 in the Annotated
      Transformer).
    * The paper counts steps from 1; lrlab's t is the 0-based count of updates already
      applied, so update number t + 1 uses ``step_num = t + 1``.  The linear rise peaks at
      t = W - 1 with :math:`f \, (d \, W)^{-1/2}`, then the LR decays as
      :math:`(t + 1)^{-1/2}`.  (:math:`(t+1)^{-1/2}` is computed as ``1 / sqrt(t + 1)``.)

    >>> from lrlab import Noam
    >>> s = Noam(512, warmup_steps=4000)
    >>> round(s(3999), 10), round(s(0) * 4000, 10)
    (0.0006987712, 0.0006987712)
    >>> s(15999) == s(3999) / 2
    True
    """

    d_model: float
    warmup_steps: float
    factor: float = 1.0
    _scale: float = field(init=False, repr=False, compare=False)
    _slope: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        d = v.real(self, "d_model", self.d_model, lo=0, lo_open=True)
        self._set("d_model", d)
        w = v.real(self, "warmup_steps", self.warmup_steps, lo=0, lo_open=True)
        self._set("warmup_steps", w)
        self._set("factor", v.real(self, "factor", self.factor, lo=0))
        scale = self.factor * d**-0.5
        if scale == float("inf"):
            raise v.fail(
                self, "factor", f"small enough that factor * d_model ** -0.5 is finite "
                f"(d_model={d!r})", self.factor
            )
        try:
            slope = w**-1.5
        except OverflowError:
            raise v.fail(
                self, "warmup_steps", "large enough that warmup_steps ** -1.5 is finite", w
            ) from None
        self._set("_scale", scale)
        self._set("_slope", slope)

    def _eval(self, t: Any, m: Backend) -> Any:
        u = t + 1.0
        return self._scale * m.minimum(1.0 / m.sqrt(u), u * self._slope)

    @property
    def horizon(self) -> float | None:
        """The peak step W - 1 (0 if W < 1)."""
        return max(self.warmup_steps - 1.0, 0.0)

    def phases(self) -> tuple[float, ...]:
        return (max(self.warmup_steps - 1.0, 0.0),) if self.warmup_steps > 1 else ()
