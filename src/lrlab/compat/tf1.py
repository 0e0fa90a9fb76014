"""TensorFlow 1's ``tf.compat.v1.train`` learning-rate decays, as lrlab schedules.

Each function takes the TensorFlow function's name and arguments (same names, defaults and
positional order) **without** ``global_step`` (``x`` for ``piecewise_constant``): lrlab
schedules are functions of the step, so the step is what you call the result with.
``s(t)`` equals TensorFlow's decayed learning rate at ``global_step = t``.  TensorFlow's
``name`` (the op name) is accepted and ignored; it is not part of the schedule's config.

=============================== ===========================================================
``tf1.<function>``              lrlab schedule
=============================== ===========================================================
``exponential_decay``           :class:`~lrlab.Exponential`
``natural_exp_decay``           :class:`~lrlab.Exponential` with ``decay_rate = exp(-k)``
``inverse_time_decay``          :class:`~lrlab.InverseTime`
``polynomial_decay``            :class:`~lrlab.Polynomial` (``end`` default 0.0001)
``cosine_decay``                :class:`~lrlab.Cosine` (``alpha``: fraction of the init)
``cosine_decay_restarts``       :class:`~lrlab.CosineRestarts`
``linear_cosine_decay``         :class:`~lrlab.LinearCosine`
``noisy_linear_cosine_decay``   :class:`~lrlab.NoisyLinearCosine` (seeded noise)
``piecewise_constant``          :class:`~lrlab.PiecewiseConstant` with ``side='left'``
=============================== ===========================================================

Framework source: ``tensorflow/python/keras/optimizer_v2/legacy_learning_rate_decay.py``
(the functions) and ``.../optimizer_v2/learning_rate_schedule.py`` (the arithmetic), TF 2.21.
TensorFlow computes in the dtype of ``learning_rate`` (float32 for a Python number); lrlab
computes in float64.  See ``docs/compat-tf.md`` for every quirk and the parity tolerances.

>>> import lrlab
>>> s = lrlab.parse("tf1.exponential_decay(0.1, decay_steps=1000, decay_rate=0.96)")
>>> s
exponential(init=0.1, decay_rate=0.96, decay_steps=1000)
>>> s(0), round(s(1000), 12)
(0.1, 0.096)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lrlab import _validate as v
from lrlab.compat import _common as c
from lrlab.families.constant import PiecewiseConstant
from lrlab.families.cosine import Cosine, CosineRestarts
from lrlab.families.exponential import Exponential, InverseTime
from lrlab.families.linear_cosine import LinearCosine, NoisyLinearCosine
from lrlab.families.polynomial import Polynomial
from lrlab.registry import register

__all__ = [
    "exponential_decay",
    "natural_exp_decay",
    "inverse_time_decay",
    "polynomial_decay",
    "cosine_decay",
    "cosine_decay_restarts",
    "linear_cosine_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
]


_LR = "learning_rate"


@register("tf1.exponential_decay")
def exponential_decay(
    learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> Exponential:
    """``tf.compat.v1.train.exponential_decay`` without ``global_step``.

    .. math:: \\eta(t) = \\eta_0 \\, r^{t / T} \\quad (r^{\\lfloor t / T \\rfloor}
              \\text{ if staircase})

    ``learning_rate`` (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``decay_rate`` (r, > 0;
    r > 1 grows); ``staircase``; ``name``: ignored.  Returns :class:`~lrlab.Exponential`.

    >>> from lrlab.compat import tf1
    >>> s = tf1.exponential_decay(0.1, 100, 0.5, staircase=True)
    >>> s(99), s(100)
    (0.1, 0.05)
    """
    return c.tf_rate_decay(
        Exponential, "tf1.exponential_decay", _LR, learning_rate, decay_steps, decay_rate,
        staircase, name,
    )


@register("tf1.natural_exp_decay")
def natural_exp_decay(
    learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> Exponential:
    """``tf.compat.v1.train.natural_exp_decay`` without ``global_step``.

    .. math:: \\eta(t) = \\eta_0 \\, \\left(e^{-k}\\right)^{t / T}
              \\quad (\\lfloor t / T \\rfloor \\text{ if staircase})

    ``learning_rate`` (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``decay_rate`` (k, >= 0,
    per T steps; ``exp(-k)`` must be a positive float64, k < 745); ``staircase``; ``name``:
    ignored.

    TensorFlow computes ``exp(-k)`` first and hands it to ``ExponentialDecay``
    (``legacy_learning_rate_decay.py``, ``natural_exp_decay``:
    ``natural_exp_rate = math_ops.exp(math_ops.negative(decay_rate))``), so this returns
    :class:`~lrlab.Exponential` with ``decay_rate = exp(-k)`` (same operations as TF).
    For a Python ``decay_rate`` TF evaluates that ``exp`` in float32 even when the learning
    rate is float64; lrlab uses the float64 ``exp(-k)``.

    >>> from lrlab.compat import tf1
    >>> s = tf1.natural_exp_decay(0.1, decay_steps=10, decay_rate=0.5)
    >>> s
    exponential(init=0.1, decay_rate=0.6065306597126334, decay_steps=10)
    >>> round(s(20), 12) == round(0.1 * 2.718281828459045 ** -1, 12)
    True
    """
    owner = "tf1.natural_exp_decay"
    c.check_name(owner, name)
    k = v.real(owner, "decay_rate", decay_rate, lo=0)
    rate = math.exp(-k)
    if rate <= 0.0:
        raise v.fail(owner, "decay_rate", "< 745 (exp(-decay_rate) underflows to 0)", decay_rate)
    return c.tf_rate_decay(
        Exponential, owner, _LR, learning_rate, decay_steps, rate, staircase, name
    )


@register("tf1.inverse_time_decay")
def inverse_time_decay(
    learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str | None = None,
) -> InverseTime:
    """``tf.compat.v1.train.inverse_time_decay`` without ``global_step``.

    .. math:: \\eta(t) = \\frac{\\eta_0}{1 + k \\, t / T}
              \\quad (\\lfloor t / T \\rfloor \\text{ if staircase})

    ``learning_rate`` (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``decay_rate`` (k, >= 0);
    ``staircase``; ``name``: ignored.  Returns :class:`~lrlab.InverseTime`.

    >>> from lrlab.compat import tf1
    >>> tf1.inverse_time_decay(0.1, 10, 0.5)(20)
    0.05
    """
    return c.tf_rate_decay(
        InverseTime, "tf1.inverse_time_decay", _LR, learning_rate, decay_steps, decay_rate,
        staircase, name,
    )


@register("tf1.polynomial_decay")
def polynomial_decay(
    learning_rate: float,
    decay_steps: float,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
    name: str | None = None,
) -> Polynomial:
    """``tf.compat.v1.train.polynomial_decay`` without ``global_step``.

    .. math:: \\eta(t) = (\\eta_0 - \\eta_e)\\,(1 - \\min(t, T) / T)^{p} + \\eta_e

    With ``cycle=True``: :math:`T' = T \\max(1, \\lceil t / T \\rceil)` and t not clamped
    (TF sets the multiplier to 1 at t = 0).  ``learning_rate`` (η0, >= 0); ``decay_steps``
    (T, steps, > 0); ``end_learning_rate`` (η_e, >= 0, default 0.0001 as in TF);
    ``power`` (p, > 0); ``cycle``; ``name``: ignored.  Returns :class:`~lrlab.Polynomial`.

    >>> from lrlab.compat import tf1
    >>> s = tf1.polynomial_decay(0.1, 100)
    >>> s
    polynomial(init=0.1, steps=100, end=0.0001)
    >>> s(100), s(1000)
    (0.0001, 0.0001)
    """
    return c.tf_polynomial(
        "tf1.polynomial_decay", _LR, learning_rate, decay_steps,
        end_learning_rate, power, cycle, name,
    )


@register("tf1.cosine_decay")
def cosine_decay(
    learning_rate: float,
    decay_steps: float,
    alpha: float = 0.0,
    name: str | None = None,
) -> Cosine:
    """``tf.compat.v1.train.cosine_decay`` without ``global_step``.

    .. math:: \\eta(t) = \\eta_0 \\left((1 - \\alpha)\\,
              \\tfrac12 (1 + \\cos(\\pi \\min(t, T) / T)) + \\alpha\\right)

    ``learning_rate`` (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``alpha`` (α, in [0, 1]):
    the floor as a *fraction* of η0, kept past T; ``name``: ignored.  Returns
    :class:`~lrlab.Cosine`.  (TF evaluates it only in float32: a float64 ``learning_rate``
    fails on TF's float32 ``constant(math.pi)``.)

    >>> from lrlab.compat import tf1
    >>> s = tf1.cosine_decay(0.1, 100, alpha=0.1)
    >>> s(0), round(s(100), 12), round(s(500), 12)
    (0.1, 0.01, 0.01)
    """
    owner = "tf1.cosine_decay"
    c.check_name(owner, name)
    return Cosine(
        c.tf_lr(owner, _LR, learning_rate),
        c.tf_steps(owner, "decay_steps", decay_steps),
        alpha=alpha,
    )


@register("tf1.cosine_decay_restarts")
def cosine_decay_restarts(
    learning_rate: float,
    first_decay_steps: float,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
    name: str | None = None,
) -> CosineRestarts:
    """``tf.compat.v1.train.cosine_decay_restarts`` (SGDR) without ``global_step``.

    Cycle i starts at :math:`S_i = T_0 (t_{mul}^i - 1) / (t_{mul} - 1)`, lasts
    :math:`T_0 t_{mul}^i` steps; with f the fraction of the cycle done,
    :math:`\\eta = \\eta_0 ((1 - \\alpha) m_{mul}^i \\tfrac12 (1 + \\cos \\pi f) + \\alpha)`
    (the floor α·η0 is not scaled by m_mul).

    ``learning_rate`` (η0, >= 0); ``first_decay_steps`` (T0, steps, > 0); ``t_mul`` (>= 1);
    ``m_mul`` (> 0); ``alpha`` (α, in [0, 1]); ``name``: ignored.  Returns
    :class:`~lrlab.CosineRestarts`.  TF finds the cycle with ``floor(log(...) / log(t_mul))``,
    which at some exact restart steps rounds into the previous cycle (TF then returns the
    floor α·η0 there instead of the new peak); lrlab always starts the new cycle at the
    restart step.

    >>> from lrlab.compat import tf1
    >>> s = tf1.cosine_decay_restarts(0.1, 10, t_mul=2.0, m_mul=0.5)
    >>> s(0), s(10), s(30)
    (0.1, 0.05, 0.025)
    """
    return c.tf_cosine_restarts(
        "tf1.cosine_decay_restarts", _LR, learning_rate, first_decay_steps,
        t_mul, m_mul, alpha, name,
    )


@register("tf1.linear_cosine_decay")
def linear_cosine_decay(
    learning_rate: float,
    decay_steps: float,
    num_periods: float = 0.5,
    alpha: float = 0.0,
    beta: float = 0.001,
    name: str | None = None,
) -> LinearCosine:
    """``tf.compat.v1.train.linear_cosine_decay`` without ``global_step``.

    .. math:: \\tau = \\min(t, T), \\quad
              \\eta = \\eta_0 \\left((\\alpha + \\tfrac{T - \\tau}{T})\\,
              \\tfrac12 (1 + \\cos(2 \\pi n \\tau / T)) + \\beta\\right)

    ``learning_rate`` (η0, >= 0); ``decay_steps`` (T, steps, > 0); ``num_periods`` (n,
    >= 0); ``alpha``, ``beta`` (>= 0); ``name``: ignored.  Returns
    :class:`~lrlab.LinearCosine`.

    >>> from lrlab.compat import tf1
    >>> round(tf1.linear_cosine_decay(0.1, 100)(100), 12)
    0.0001
    """
    owner = "tf1.linear_cosine_decay"
    c.check_name(owner, name)
    return LinearCosine(
        c.tf_lr(owner, _LR, learning_rate),
        c.tf_steps(owner, "decay_steps", decay_steps),
        num_periods=num_periods,
        alpha=alpha,
        beta=beta,
    )


@register("tf1.noisy_linear_cosine_decay")
def noisy_linear_cosine_decay(
    learning_rate: float,
    decay_steps: float,
    initial_variance: float = 1.0,
    variance_decay: float = 0.55,
    num_periods: float = 0.5,
    alpha: float = 0.0,
    beta: float = 0.001,
    name: str | None = None,
    *,
    seed: int = 0,
    negative: str = "clip",
) -> NoisyLinearCosine:
    """``tf.compat.v1.train.noisy_linear_cosine_decay`` without ``global_step``.

    :func:`linear_cosine_decay` with :math:`\\varepsilon \\sim N(0, v_0 / (1 + \\tau)^d)`
    added to the linear part.  ``learning_rate`` (η0, >= 0); ``decay_steps`` (T, > 0);
    ``initial_variance`` (v0, >= 0); ``variance_decay`` (d, >= 0); ``num_periods``,
    ``alpha``, ``beta`` as in :func:`linear_cosine_decay`; ``name``: ignored.

    TF draws unseeded noise at every call; lrlab's noise is a pure function of
    ``(seed, step)`` (keyword-only ``seed``, an lrlab addition), so only the distribution
    matches TF, not the draws.  TF can return negative rates; lrlab clips them to 0 with a
    warning (``negative='clip'``) or raises (``negative='raise'``).  Returns
    :class:`~lrlab.NoisyLinearCosine`.

    >>> from lrlab.compat import tf1
    >>> s = tf1.noisy_linear_cosine_decay(0.1, 1000, initial_variance=1e-4, seed=3)
    >>> s(10) == s(10)
    True
    """
    owner = "tf1.noisy_linear_cosine_decay"
    c.check_name(owner, name)
    return NoisyLinearCosine(
        c.tf_lr(owner, _LR, learning_rate),
        c.tf_steps(owner, "decay_steps", decay_steps),
        initial_variance=initial_variance,
        variance_decay=variance_decay,
        num_periods=num_periods,
        alpha=alpha,
        beta=beta,
        seed=seed,
        negative=negative,
    )


@register("tf1.piecewise_constant")
@register("tf1.piecewise_constant_decay")
def piecewise_constant(
    boundaries: Sequence[float], values: Sequence[float], name: str | None = None
) -> PiecewiseConstant:
    """``tf.compat.v1.train.piecewise_constant`` (alias ``piecewise_constant_decay``) without ``x``.

    .. math:: \\eta(t) = v_0 \\ (t \\le b_0), \\quad v_i \\ (b_{i-1} < t \\le b_i), \\quad
              v_n \\ (t > b_{n-1})

    A boundary step still gets the value *before* it (``side='left'``, unlike PyTorch and
    optax).  ``boundaries``: strictly increasing steps; ``values``: one more than
    boundaries, each >= 0; ``name``: ignored.  Returns :class:`~lrlab.PiecewiseConstant`.

    >>> from lrlab.compat import tf1
    >>> s = tf1.piecewise_constant([100, 200], [0.1, 0.01, 0.001])
    >>> s(100), s(101), s(201)
    (0.1, 0.01, 0.001)
    """
    return c.tf_piecewise_constant("tf1.piecewise_constant", boundaries, values, name)
