"""Helpers shared by the compat modules (not registered, not public).

The TensorFlow-family constructors (``tf1.*`` and ``keras.*``) take the same arguments under
the same checks and differ only in the owner named in errors and in the name of the
learning-rate argument (``learning_rate`` / ``initial_learning_rate``); the builders here
check those arguments once and return the core schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from lrlab import _validate as v
from lrlab.families.constant import PiecewiseConstant
from lrlab.families.cosine import CosineRestarts
from lrlab.families.exponential import Exponential, InverseTime
from lrlab.families.polynomial import Polynomial


def check_name(owner: str, name: object) -> None:
    """The framework's op / layer ``name``: a string or None, accepted and ignored."""
    if name is not None and not isinstance(name, str):
        raise v.fail(owner, "name", "a string or None (it is ignored)", name)


def tf_lr(owner: str, arg: str, value: object) -> float:
    """A learning rate (>= 0) passed as argument ``arg``."""
    return v.real(owner, arg, value, lo=0)


def tf_steps(owner: str, arg: str, value: object) -> float:
    """A decay length in steps (> 0) passed as argument ``arg``."""
    return v.real(owner, arg, value, lo=0, lo_open=True)


_RateDecay = TypeVar("_RateDecay", Exponential, InverseTime)


def tf_rate_decay(
    cls: type[_RateDecay], owner: str, lr_arg: str, lr: object, decay_steps: object,
    decay_rate: float, staircase: bool, name: object,
) -> _RateDecay:
    """TF's ``ExponentialDecay`` (``cls=Exponential``: ``lr * decay_rate ** (t / T)``) or
    ``InverseTimeDecay`` (``cls=InverseTime``: ``lr / (1 + decay_rate * t / T)``)."""
    check_name(owner, name)
    return cls(
        tf_lr(owner, lr_arg, lr),
        decay_rate,
        tf_steps(owner, "decay_steps", decay_steps),
        staircase=staircase,
    )


def tf_polynomial(
    owner: str, lr_arg: str, lr: object, decay_steps: object, end_learning_rate: object,
    power: float, cycle: bool, name: object,
) -> Polynomial:
    """TF's ``PolynomialDecay`` from ``lr`` to ``end_learning_rate`` over ``decay_steps``."""
    check_name(owner, name)
    return Polynomial(
        tf_lr(owner, lr_arg, lr),
        tf_steps(owner, "decay_steps", decay_steps),
        end=v.real(owner, "end_learning_rate", end_learning_rate, lo=0),
        power=power,
        cycle=cycle,
    )


def tf_cosine_restarts(
    owner: str, lr_arg: str, lr: object, first_decay_steps: object, t_mul: float,
    m_mul: float, alpha: float, name: object,
) -> CosineRestarts:
    """TF's ``CosineDecayRestarts`` (SGDR)."""
    check_name(owner, name)
    return CosineRestarts(
        tf_lr(owner, lr_arg, lr),
        tf_steps(owner, "first_decay_steps", first_decay_steps),
        t_mul=t_mul,
        m_mul=m_mul,
        alpha=alpha,
    )


def tf_piecewise_constant(
    owner: str, boundaries: Sequence[float], values: Sequence[float], name: object
) -> PiecewiseConstant:
    """TF's ``PiecewiseConstantDecay``: a boundary step keeps the earlier value."""
    check_name(owner, name)
    return PiecewiseConstant(
        v.reals(owner, "boundaries", boundaries, lo=0),
        v.reals(owner, "values", values, lo=0),
        side="left",
    )
