"""The two evaluation back ends a schedule formula is written against.

Each family writes its formula once, as ``_eval(self, t, m)``, using Python operators and the
functions of ``m``.  ``m`` is :data:`SCALAR` (``math`` on Python floats) when the schedule is
called with one step and :data:`ARRAY` (NumPy ufuncs on float64 arrays) when it is called with
an array.  Both back ends perform the same IEEE operations in the same order, so the scalar
and the vectorized path give identical values (the contract tests check this for every family).
Use ``m.power(x, e)`` rather than ``x ** e`` when ``x`` may be an array and ``e`` a scalar:
NumPy takes shortcuts for some scalar exponents.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _where(cond: Any, a: Any, b: Any) -> Any:
    return a if cond else b


def _clip(x: Any, lo: Any, hi: Any) -> Any:
    return lo if x < lo else hi if x > hi else x


def _scalar_power(x: Any, e: Any) -> Any:
    return x**e


def _array_power(x: Any, e: float) -> Any:
    """``x ** e`` through libm's ``pow``, as Python's ``**`` on floats computes it.

    NumPy evaluates ``array ** 2.0`` as ``x * x`` (likewise ``** 0.5`` as sqrt and ``** -1.0``
    as a reciprocal, also for 0-d arrays), which differs from ``pow`` in the last bit; an
    exponent array of the same shape keeps NumPy on ``pow``.
    """
    a = np.atleast_1d(x)
    return np.power(a, np.full(a.shape, e)).reshape(np.shape(x))


class _Scalar:
    """Scalar back end: the ``math`` module and Python built-ins."""

    is_array = False
    cos = staticmethod(math.cos)
    sin = staticmethod(math.sin)
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    tanh = staticmethod(math.tanh)
    floor = staticmethod(math.floor)
    ceil = staticmethod(math.ceil)
    fabs = staticmethod(abs)
    minimum = staticmethod(min)
    maximum = staticmethod(max)
    where = staticmethod(_where)
    clip = staticmethod(_clip)
    power = staticmethod(_scalar_power)

    @staticmethod
    def full(t: Any, value: float) -> float:
        return value

    @staticmethod
    def asfloat(x: Any) -> float:
        return float(x)


class _Array:
    """Array back end: NumPy ufuncs on float64 arrays."""

    is_array = True
    cos = staticmethod(np.cos)
    sin = staticmethod(np.sin)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    tanh = staticmethod(np.tanh)
    floor = staticmethod(np.floor)
    ceil = staticmethod(np.ceil)
    fabs = staticmethod(np.abs)
    minimum = staticmethod(np.minimum)
    maximum = staticmethod(np.maximum)
    where = staticmethod(np.where)
    clip = staticmethod(np.clip)
    power = staticmethod(_array_power)

    @staticmethod
    def full(t: Any, value: float) -> Any:
        return np.full(np.shape(t), value, dtype=np.float64)

    @staticmethod
    def asfloat(x: Any) -> Any:
        return np.asarray(x, dtype=np.float64)


def _agrees(np_f: Any, math_f: Any, xs: Any) -> bool:
    with np.errstate(all="ignore"):
        vec = np_f(xs)
    return all(math_f(float(x)) == v for x, v in zip(xs.tolist(), vec.tolist()))


def _calibrate() -> None:
    """Make the scalar back end agree bit for bit with NumPy on this machine.

    NumPy may evaluate float64 ``cos``/``exp``/``log``/``tanh`` with its own SIMD kernels (for
    instance on CPUs with AVX-512), which can differ from the C library's ``math`` functions
    in the last bit.  At import, each function is compared on a fixed probe set; where NumPy
    disagrees with ``math``, the scalar back end calls the NumPy ufunc instead (slower, but
    identical to the vectorized path).
    """
    rng = np.random.default_rng(20261121)
    wide = np.concatenate([rng.uniform(0.0, 700.0, 256), rng.uniform(-700.0, 0.0, 256)])
    positive = np.concatenate([rng.uniform(1e-300, 1.0, 256), rng.uniform(1.0, 1e12, 256)])
    probes = {
        "cos": (np.cos, math.cos, wide),
        "sin": (np.sin, math.sin, wide),
        "exp": (np.exp, math.exp, wide),
        "log": (np.log, math.log, positive),
        "sqrt": (np.sqrt, math.sqrt, positive),
        "tanh": (np.tanh, math.tanh, np.concatenate([wide / 100.0, rng.uniform(-3, 3, 256)])),
    }
    for name, (np_f, math_f, xs) in probes.items():
        if not _agrees(np_f, math_f, xs):
            setattr(_Scalar, name, staticmethod(lambda x, _f=np_f: float(_f(x))))
            NUMPY_SCALAR_FUNCTIONS.append(name)


#: the scalar functions that had to fall back to NumPy on this machine (see _calibrate)
NUMPY_SCALAR_FUNCTIONS: list[str] = []
_calibrate()

SCALAR = _Scalar()
ARRAY = _Array()
Backend = _Scalar | _Array
