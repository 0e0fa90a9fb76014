"""TensorFlow Addons' cyclical learning rates (``tfa.optimizers``), as lrlab schedules.

TensorFlow Addons reached end of life and does not import under Keras 3; these constructors
keep its CLR schedules usable (and serializable) with the same names and arguments.  Each
returns :class:`~lrlab.Cyclic` with ``step_size_up = step_size_down = step_size``; ``s(t)``
equals the TFA schedule called with step ``t``.  TFA's ``name`` is accepted and ignored.

TFA's formula (``tensorflow_addons/optimizers/cyclical_learning_rate.py``, 0.23.0,
``CyclicalLearningRate.__call__``)::

    cycle = floor(1 + t / (2 s));  x = |t / s - 2 cycle + 1|
    lr = init + (max - init) * max(0, 1 - x) * scale_fn(cycle if scale_mode == "cycle" else t)

which is PyTorch's ``CyclicLR`` triangle with equal halves (lrlab's :class:`~lrlab.Cyclic`;
the two agree to rounding).

======================================= ===================================================
``tfa.<Class>``                          lrlab schedule
======================================= ===================================================
``CyclicalLearningRate``                 ``cyclic(..., scale=scale_fn, scale_mode=...)``
``TriangularCyclicalLearningRate``       ``cyclic(..., mode='triangular')``
``Triangular2CyclicalLearningRate``      ``cyclic(..., mode='triangular2')`` (cycle mode)
``ExponentialCyclicalLearningRate``      ``cyclic(..., mode='exp_range', gamma=...)``
                                         (iterations mode, the default)
======================================= ===================================================

>>> import lrlab
>>> s = lrlab.parse("tfa.TriangularCyclicalLearningRate(0.001, 0.01, step_size=100)")
>>> s
cyclic(base_lr=0.001, max_lr=0.01, step_size_up=100)
>>> s(0), round(s(100), 12), s(200)
(0.001, 0.01, 0.001)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lrlab import _validate as v
from lrlab.families.cyclic import Cyclic
from lrlab.families.exponential import Exponential
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = [
    "CyclicalLearningRate",
    "TriangularCyclicalLearningRate",
    "Triangular2CyclicalLearningRate",
    "ExponentialCyclicalLearningRate",
]

_SCALE_MODES = ("cycle", "iterations")


def _common(
    owner: str, initial: object, maximal: object, step_size: object, scale_mode: object,
    name: object,
) -> tuple[float, float, float, str]:
    if name is not None and not isinstance(name, str):
        raise v.fail(owner, "name", "a string or None (it is ignored)", name)
    return (
        v.real(owner, "initial_learning_rate", initial, lo=0),
        v.real(owner, "maximal_learning_rate", maximal, lo=0),
        v.real(owner, "step_size", step_size, lo=0, lo_open=True),
        v.choice(owner, "scale_mode", scale_mode, _SCALE_MODES),
    )


@register("tfa.CyclicalLearningRate")
def CyclicalLearningRate(
    initial_learning_rate: float,
    maximal_learning_rate: float,
    step_size: float,
    scale_fn: Schedule | Callable[[Any], Any],
    scale_mode: str = "cycle",
    name: str | None = "CyclicalLearningRate",
) -> Cyclic:
    """``tfa.optimizers.CyclicalLearningRate`` with a custom amplitude ``scale_fn``.

    .. math:: c = \\lfloor 1 + t / 2s \\rfloor, \\quad x = |t / s - 2c + 1|, \\quad
              \\eta(t) = \\eta_0 + (\\eta_m - \\eta_0) \\max(0, 1 - x) \\, g(u)

    with :math:`g` = ``scale_fn`` evaluated at :math:`u = c` (``scale_mode='cycle'``, the
    1-based cycle number) or :math:`u = t` (``'iterations'``).  ``initial_learning_rate``
    (η0, >= 0): the bottom of the wave; ``maximal_learning_rate`` (η_m, >= 0): its top;
    ``step_size`` (s, steps, > 0): half a cycle; ``scale_fn``: an lrlab schedule (or spec
    text; serializable) or a Python callable such as ``lambda x: 1.0`` (then the schedule
    has no config), returning a finite number >= 0; ``name``: ignored.  Returns
    ``Cyclic(η0, η_m, s, scale=scale_fn, scale_mode=scale_mode)``.

    >>> from lrlab.compat import tfa
    >>> s = tfa.CyclicalLearningRate(0.0, 1.0, 10, scale_fn=lambda c: 1 / c)
    >>> s(10), s(30), s(50)
    (1.0, 0.5, 0.3333333333333333)
    """
    owner = "tfa.CyclicalLearningRate"
    init, peak, size, mode = _common(
        owner, initial_learning_rate, maximal_learning_rate, step_size, scale_mode, name
    )
    if not isinstance(scale_fn, (str, Schedule)) and not callable(scale_fn):
        raise v.fail(owner, "scale_fn", "an lrlab schedule or a callable", scale_fn)
    return Cyclic(init, peak, size, scale=scale_fn, scale_mode=mode)


@register("tfa.TriangularCyclicalLearningRate")
def TriangularCyclicalLearningRate(
    initial_learning_rate: float,
    maximal_learning_rate: float,
    step_size: float,
    scale_mode: str = "cycle",
    name: str | None = "TriangularCyclicalLearningRate",
) -> Cyclic:
    """``tfa.optimizers.TriangularCyclicalLearningRate``: ``scale_fn = lambda x: 1.0``.

    The same triangle every cycle between ``initial_learning_rate`` and
    ``maximal_learning_rate`` (``scale_mode`` makes no difference for a constant scale).
    ``step_size`` (steps, > 0): half a cycle; ``name``: ignored.  Returns
    ``Cyclic(η0, η_m, step_size)``.

    >>> from lrlab.compat import tfa
    >>> s = tfa.TriangularCyclicalLearningRate(0.0, 1.0, 10)
    >>> s(5), s(10), s(25)
    (0.5, 1.0, 0.5)
    """
    owner = "tfa.TriangularCyclicalLearningRate"
    init, peak, size, _ = _common(
        owner, initial_learning_rate, maximal_learning_rate, step_size, scale_mode, name
    )
    return Cyclic(init, peak, size)


@register("tfa.Triangular2CyclicalLearningRate")
def Triangular2CyclicalLearningRate(
    initial_learning_rate: float,
    maximal_learning_rate: float,
    step_size: float,
    scale_mode: str = "cycle",
    name: str | None = "Triangular2CyclicalLearningRate",
) -> Cyclic:
    """``tfa.optimizers.Triangular2CyclicalLearningRate``: ``scale_fn = 1 / 2 ** (x - 1)``.

    ``scale_mode='cycle'`` (default): the amplitude halves every cycle
    (``Cyclic(mode='triangular2')``).  ``'iterations'``: TFA evaluates the same function at
    the step, :math:`g = 2^{1 - t}` (the wave is flat after a few steps), reproduced as
    ``Cyclic(scale=exponential(2.0, 0.5, 1), scale_mode='iterations')``.  ``step_size``
    (steps, > 0): half a cycle; ``name``: ignored.

    >>> from lrlab.compat import tfa
    >>> s = tfa.Triangular2CyclicalLearningRate(0.0, 1.0, 10)
    >>> s(10), s(30), s(50)
    (1.0, 0.5, 0.25)
    """
    owner = "tfa.Triangular2CyclicalLearningRate"
    init, peak, size, mode = _common(
        owner, initial_learning_rate, maximal_learning_rate, step_size, scale_mode, name
    )
    if mode == "cycle":
        return Cyclic(init, peak, size, mode="triangular2")
    return Cyclic(init, peak, size, scale=Exponential(2.0, 0.5, 1.0), scale_mode="iterations")


@register("tfa.ExponentialCyclicalLearningRate")
def ExponentialCyclicalLearningRate(
    initial_learning_rate: float,
    maximal_learning_rate: float,
    step_size: float,
    scale_mode: str = "iterations",
    gamma: float = 1.0,
    name: str | None = "ExponentialCyclicalLearningRate",
) -> Cyclic:
    """``tfa.optimizers.ExponentialCyclicalLearningRate``: ``scale_fn = gamma ** x``.

    ``scale_mode='iterations'`` (TFA's default here): :math:`g = \\gamma^t`
    (``Cyclic(mode='exp_range', gamma=γ)``, PyTorch's ``exp_range``); ``'cycle'``:
    :math:`g = \\gamma^c` with c the 1-based cycle number
    (``Cyclic(scale=exponential(1.0, γ, 1))``).  ``gamma`` (γ, > 0; note its position
    *after* ``scale_mode``, as in TFA; γ > 1 grows without bound and the call raises where
    it leaves the float64 range); ``step_size`` (steps, > 0): half a cycle; ``name``:
    ignored.  TFA fails on an integer step tensor in ``'iterations'`` mode (``gamma ** step``
    with an int64 step); lrlab takes any step.

    >>> from lrlab.compat import tfa
    >>> s = tfa.ExponentialCyclicalLearningRate(0.0, 1.0, 10, gamma=0.5)
    >>> round(s(1), 12), round(s(2), 12)
    (0.05, 0.05)
    """
    owner = "tfa.ExponentialCyclicalLearningRate"
    init, peak, size, mode = _common(
        owner, initial_learning_rate, maximal_learning_rate, step_size, scale_mode, name
    )
    g = v.real(owner, "gamma", gamma, lo=0, lo_open=True)
    if mode == "iterations" and g <= 1.0:
        return Cyclic(init, peak, size, mode="exp_range", gamma=g)
    return Cyclic(init, peak, size, scale=Exponential(1.0, g, 1.0), scale_mode=mode)
