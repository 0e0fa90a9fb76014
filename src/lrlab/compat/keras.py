"""Keras's ``keras.optimizers.schedules`` (Keras 3), as lrlab schedules.

Each constructor takes the Keras class's name and arguments (same names, defaults and
positional order); ``s(t)`` equals ``schedule(t)`` in Keras, i.e. the learning rate of
update ``t + 1`` (the optimizer reads the schedule at ``iterations`` before incrementing
it).  Keras's ``name`` is accepted and ignored; it is not part of the schedule's config.

============================== ============================================================
``keras.<Class>``              lrlab schedule
============================== ============================================================
``ExponentialDecay``           :class:`~lrlab.Exponential`
``PiecewiseConstantDecay``     :class:`~lrlab.PiecewiseConstant` with ``side='left'``
``PolynomialDecay``            :class:`~lrlab.Polynomial` (``end`` default 0.0001)
``InverseTimeDecay``           :class:`~lrlab.InverseTime`
``CosineDecay``                :class:`~lrlab.Cosine`, wrapped in :class:`~lrlab.Warmup`
                               when ``warmup_target`` and ``warmup_steps`` are given
``CosineDecayRestarts``        :class:`~lrlab.CosineRestarts`
``legacy_decay``               :class:`~lrlab.LegacyDecay` (Keras 2 optimizer ``decay``)
============================== ============================================================

Framework source: ``keras/src/optimizers/schedules/learning_rate_schedule.py`` (Keras 3.15).
Keras computes in the dtype of ``initial_learning_rate`` (float32 for a Python number, even
with ``keras.config.set_floatx('float64')``, and Python-number parameters such as
``decay_rate`` or ``alpha`` are rounded to float32 first); lrlab computes in float64.  See
``docs/compat-tf.md`` for every quirk and the parity tolerances.

>>> import lrlab
>>> s = lrlab.parse("keras.CosineDecay(0.0, decay_steps=900, warmup_target=0.1, warmup_steps=100)")
>>> s(0), s(50), s(100), s(1000)
(0.0, 0.05, 0.1, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence

from lrlab import _validate as v
from lrlab.compat import _common as c
from lrlab.compose.warmup import Warmup
from lrlab.families.constant import PiecewiseConstant
from lrlab.families.cosine import Cosine, CosineRestarts
from lrlab.families.exponential import Exponential, InverseTime, LegacyDecay
from lrlab.families.polynomial import Polynomial
from lrlab.registry import register

__all__ = [
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "legacy_decay",
]


_LR = "initial_learning_rate"


@register("keras.ExponentialDecay")
def ExponentialDecay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = "ExponentialDecay",
) -> Exponential:
    """``keras.optimizers.schedules.ExponentialDecay``.

    .. math:: \\eta(t) = \\eta_0 \\, r^{t / T} \\quad (r^{\\lfloor t / T \\rfloor}
              \\text{ if staircase})

    ``initial_learning_rate`` (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``decay_rate``
    (r, > 0); ``staircase``; ``name``: ignored.  Returns :class:`~lrlab.Exponential`.

    >>> from lrlab.compat import keras
    >>> s = keras.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    >>> s(0), s(100), s(200)
    (0.1, 0.05, 0.025)
    """
    return c.tf_rate_decay(
        Exponential, "keras.ExponentialDecay", _LR, initial_learning_rate, decay_steps,
        decay_rate, staircase, name,
    )


@register("keras.PiecewiseConstantDecay")
def PiecewiseConstantDecay(
    boundaries: Sequence[float], values: Sequence[float], name: str | None = "PiecewiseConstant"
) -> PiecewiseConstant:
    """``keras.optimizers.schedules.PiecewiseConstantDecay``.

    .. math:: \\eta(t) = v_0 \\ (t \\le b_0), \\quad v_i \\ (b_{i-1} < t \\le b_i), \\quad
              v_n \\ (t > b_{n-1})

    The boundary step keeps the earlier value (``side='left'``).  ``boundaries``: strictly
    increasing steps; ``values``: one more than boundaries, each >= 0; ``name``: ignored.
    (Keras casts the boundaries to the step's dtype, truncating fractional boundaries for
    integer steps; at integer steps ``t <= floor(b)`` and ``t <= b`` agree.)  Returns
    :class:`~lrlab.PiecewiseConstant`.

    >>> from lrlab.compat import keras
    >>> s = keras.PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001])
    >>> s(100), s(101), s(200), s(201)
    (0.1, 0.01, 0.01, 0.001)
    """
    return c.tf_piecewise_constant("keras.PiecewiseConstantDecay", boundaries, values, name)


@register("keras.PolynomialDecay")
def PolynomialDecay(
    initial_learning_rate: float,
    decay_steps: float,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
    name: str | None = "PolynomialDecay",
) -> Polynomial:
    """``keras.optimizers.schedules.PolynomialDecay``.

    .. math:: \\eta(t) = (\\eta_0 - \\eta_e)\\,(1 - \\min(t, T) / T)^{p} + \\eta_e

    With ``cycle=True``: :math:`T' = T \\max(1, \\lceil t / T \\rceil)`, t not clamped (the
    value is ``end_learning_rate`` exactly at t = kT, then jumps up).  ``initial_learning_rate``
    (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``end_learning_rate`` (η_e, >= 0);
    ``power`` (p, > 0); ``cycle``; ``name``: ignored.  Returns :class:`~lrlab.Polynomial`.

    >>> from lrlab.compat import keras
    >>> s = keras.PolynomialDecay(0.1, 100, end_learning_rate=0.0, cycle=True)
    >>> s(0), s(100), round(s(150), 12)
    (0.1, 0.0, 0.025)
    """
    return c.tf_polynomial(
        "keras.PolynomialDecay", _LR, initial_learning_rate, decay_steps, end_learning_rate,
        power, cycle, name,
    )


@register("keras.InverseTimeDecay")
def InverseTimeDecay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = "InverseTimeDecay",
) -> InverseTime:
    """``keras.optimizers.schedules.InverseTimeDecay``.

    .. math:: \\eta(t) = \\frac{\\eta_0}{1 + k \\, t / T}
              \\quad (\\lfloor t / T \\rfloor \\text{ if staircase})

    ``initial_learning_rate`` (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``decay_rate``
    (k, >= 0); ``staircase``; ``name``: ignored.  Returns :class:`~lrlab.InverseTime`.

    >>> from lrlab.compat import keras
    >>> keras.InverseTimeDecay(0.1, 10, 0.5)(20)
    0.05
    """
    return c.tf_rate_decay(
        InverseTime, "keras.InverseTimeDecay", _LR, initial_learning_rate, decay_steps,
        decay_rate, staircase, name,
    )


@register("keras.CosineDecay")
def CosineDecay(
    initial_learning_rate: float,
    decay_steps: float,
    alpha: float = 0.0,
    name: str | None = "CosineDecay",
    warmup_target: float | None = None,
    warmup_steps: float = 0,
) -> Cosine | Warmup:
    """``keras.optimizers.schedules.CosineDecay``, with its optional linear warmup.

    Without ``warmup_target`` (W = 0, peak P = η0):
    :math:`\\eta(t) = P ((1 - \\alpha) \\tfrac12 (1 + \\cos(\\pi \\min(t, D) / D)) + \\alpha)`.
    With ``warmup_target`` (P) and ``warmup_steps`` (W):

    .. math::
        t < W:\\ \\eta(t) = \\eta_0 + (P - \\eta_0)\\, t / W, \\qquad
        t \\ge W:\\ \\eta(t) = P \\left((1 - \\alpha)\\,
        \\tfrac12 \\left(1 + \\cos \\frac{\\pi \\min(t - W, D)}{D}\\right) + \\alpha\\right)

    ``initial_learning_rate`` (η0, >= 0): the value at step 0 (the warmup's start);
    ``decay_steps`` (D, steps, > 0): the length of the cosine, **excluding** warmup (it
    ends at step W + D); ``alpha`` (α, in [0, 1]): the floor as a fraction of the peak P
    (``warmup_target`` when given); ``warmup_target`` (P, >= 0 or None); ``warmup_steps``
    (W, steps, >= 0); ``name``: ignored.

    As in Keras, ``warmup_steps`` is ignored when ``warmup_target`` is None, and with
    ``warmup_target`` but ``warmup_steps=0`` the cosine starts at ``warmup_target``
    (``initial_learning_rate`` is then unused).  Returns :class:`~lrlab.Cosine`, or
    :class:`~lrlab.Warmup` (``start=η0``, ``peak=P``, ``overlap=False``) around it.

    >>> from lrlab.compat import keras
    >>> s = keras.CosineDecay(0.01, decay_steps=1000, alpha=0.1, warmup_target=0.1,
    ...                       warmup_steps=100)
    >>> s(0), s(100), round(s(1100), 12), round(s(5000), 12)
    (0.01, 0.1, 0.01, 0.01)
    """
    owner = "keras.CosineDecay"
    c.check_name(owner, name)
    init = c.tf_lr(owner, _LR, initial_learning_rate)
    steps = c.tf_steps(owner, "decay_steps", decay_steps)
    if warmup_target is None:
        v.real(owner, "warmup_steps", warmup_steps, lo=0)
        return Cosine(init, steps, alpha=alpha)
    peak = v.real(owner, "warmup_target", warmup_target, lo=0)
    w = v.real(owner, "warmup_steps", warmup_steps, lo=0)
    cosine = Cosine(peak, steps, alpha=alpha)
    if w == 0.0:
        return cosine
    return Warmup(cosine, steps=w, start=init, peak=peak)


@register("keras.CosineDecayRestarts")
def CosineDecayRestarts(
    initial_learning_rate: float,
    first_decay_steps: float,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
    name: str | None = "SGDRDecay",
) -> CosineRestarts:
    """``keras.optimizers.schedules.CosineDecayRestarts`` (SGDR).

    Cycle i starts at :math:`S_i = T_0 (t_{mul}^i - 1) / (t_{mul} - 1)` and lasts
    :math:`T_0 t_{mul}^i` steps; with f the fraction of the cycle done,
    :math:`\\eta = \\eta_0 ((1 - \\alpha) m_{mul}^i \\tfrac12 (1 + \\cos \\pi f) + \\alpha)`
    (the floor α·η0 is not scaled by m_mul).

    ``initial_learning_rate`` (η0, >= 0); ``first_decay_steps`` (T0, steps, > 0); ``t_mul``
    (>= 1); ``m_mul`` (> 0); ``alpha`` (α, in [0, 1]); ``name``: ignored.  Keras finds the
    cycle with ``floor(log(1 - f (1 - t_mul)) / log(t_mul))``, which at some exact restart
    steps rounds into the previous cycle (Keras then returns α·η0 there instead of the new
    peak); lrlab always starts the new cycle at the restart step.  Returns
    :class:`~lrlab.CosineRestarts`.

    >>> from lrlab.compat import keras
    >>> s = keras.CosineDecayRestarts(0.1, 10, t_mul=1.0, m_mul=0.5)
    >>> s(0), s(10), s(20)
    (0.1, 0.05, 0.025)
    """
    return c.tf_cosine_restarts(
        "keras.CosineDecayRestarts", _LR, initial_learning_rate, first_decay_steps, t_mul,
        m_mul, alpha, name,
    )


@register("keras.legacy_decay")
def legacy_decay(learning_rate: float, decay: float) -> LegacyDecay:
    """The Keras 2 optimizer ``decay`` argument (removed in Keras 3).

    .. math:: \\eta(t) = \\eta_0 \\cdot \\frac{1}{1 + d \\, t}

    ``learning_rate`` (η0, >= 0): the optimizer's learning rate; ``decay`` (d, >= 0, per
    update).  Keras 2's ``OptimizerV2._decayed_lr`` computed ``lr / (1 + decay * t)``
    (``tensorflow/python/keras/optimizer_v2/optimizer_v2.py``), Keras 1/2's old optimizers
    ``lr * (1 / (1 + decay * t))``; they differ by rounding only.  Returns
    :class:`~lrlab.LegacyDecay`.

    >>> from lrlab.compat import keras
    >>> keras.legacy_decay(0.1, decay=0.01)(100)
    0.05
    """
    owner = "keras.legacy_decay"
    return LegacyDecay(
        c.tf_lr(owner, "learning_rate", learning_rate), v.real(owner, "decay", decay, lo=0)
    )
