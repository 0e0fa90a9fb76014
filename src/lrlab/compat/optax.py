"""optax's schedule functions (``optax/schedules/_schedule.py`` and ``_join.py``, optax 0.2.8).

Each function takes the optax name and keyword arguments (same names, defaults and order) and
returns an lrlab schedule whose value at step ``t`` equals ``optax_fn(...)(t)`` computed in
float64 (``jax_enable_x64``).  Most translate to lrlab's core families and combinators, so their
``repr`` is core spec text; ``piecewise_interpolate_schedule`` and the one-cycle schedules built
on it use :class:`PiecewiseInterpolate`, whose arithmetic and interval rules are optax's own.

Quirks reproduced (verified against optax 0.2.8 ``_schedule.py``):

* ``polynomial_schedule`` / ``linear_schedule`` with ``transition_steps <= 0`` and
  ``exponential_decay`` with ``transition_steps <= 0`` or ``decay_rate == 0`` are constant at
  ``init_value`` (``end_value`` ignored); a negative ``transition_begin`` counts as 0.
  Hence ``warmup_constant_schedule(init, peak, warmup_steps=0)`` stays at ``init_value``
  forever (lrlab warns).
* ``exponential_decay``'s ``end_value`` clips every step, including those before
  ``transition_begin``, and is an upper bound as soon as ``decay_rate >= 1``.
* ``piecewise_constant_schedule``: a scale applies from its boundary step on (``t >= b``,
  boundary on the right); keys ``<= 0`` apply from step 0.
* ``warmup_cosine_decay_schedule``: ``decay_steps`` INCLUDES the warmup (the cosine lasts
  ``decay_steps - warmup_steps``, which must be > 0); the floor is relative,
  ``alpha = end_value / peak_value`` (0 when ``peak_value == 0``, whatever ``end_value``).
* ``piecewise_interpolate_schedule``: intervals start at 0, each at least 1 step long when
  dividing; one-cycle keys are ``int(pct * transition_steps)`` (truncated, and a later key
  replaces an equal earlier one, as in a dict literal).
* ``join_schedules``: each piece sees ``t - boundary`` (``where(step < boundary, ...)``).

Differences: lrlab refuses what would give negative or non-finite values (negative values or
scales, negative ``power``/``exponent``, ``decay_rate < 0``) and ``join_schedules`` boundaries
that are not strictly increasing (optax silently never uses the shadowed pieces).
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab._math import SCALAR, Backend
from lrlab.compose.join import Join, bounded_phases
from lrlab.errors import LrlabWarning, ScheduleError
from lrlab.families.constant import Constant, PiecewiseConstant
from lrlab.families.cosine import Cosine
from lrlab.families.exponential import Exponential
from lrlab.families.polynomial import Polynomial
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = [
    "PiecewiseInterpolate",
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]

_PI = math.pi


def _lr(owner: str, name: str, value: object) -> float:
    return v.real(owner, name, value, lo=0)


def _key(owner: str, name: str, key: object) -> float:
    """A boundary key: a number, or (spec text and JSON have string keys) a numeric string."""
    if isinstance(key, str):
        try:
            k: object = int(key)
        except ValueError:
            try:
                k = float(key)
            except ValueError:
                raise v.fail(owner, name, "a dict whose keys are steps (numbers)", key) from None
    else:
        k = key
    return v.real(owner, f"{name} key", k)


def _boundaries_and_scales(
    owner: str, value: object
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """optax's ``{step: scale}`` dict as sorted (boundaries, scales); scales must be >= 0."""
    name = "boundaries_and_scales"
    if value is None:
        return (), ()
    if not isinstance(value, dict):
        raise v.fail(owner, name, "a dict {step: scale} or None", value)
    items: dict[float, float] = {}
    for key, scale in value.items():
        k = _key(owner, name, key)
        if k in items:
            raise v.fail(owner, name, f"a dict with distinct steps (step {k:g} twice)", value)
        items[k] = v.real(owner, f"{name}[{key!r}]", scale, lo=0)
    pairs = sorted(items.items())
    return tuple(b for b, _ in pairs), tuple(s for _, s in pairs)


def _steps(owner: str, name: str, value: object) -> float:
    return v.real(owner, name, value)


@register("optax.constant_schedule")
def constant_schedule(value: float) -> Schedule:
    """optax's ``constant_schedule``: ``value`` at every step.

    >>> from lrlab.compat.optax import constant_schedule
    >>> constant_schedule(0.1)
    constant(value=0.1)
    """
    return Constant(_lr("optax.constant_schedule", "value", value))


@register("optax.polynomial_schedule")
def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: float,
    transition_begin: float = 0,
) -> Schedule:
    """optax's ``polynomial_schedule``: ``(I - E) (1 - clip(t - B, 0, T) / T)^P + E``.

    ``init_value`` (I, >= 0), ``end_value`` (E, >= 0; above I the schedule rises),
    ``power`` (P, >= 0), ``transition_steps`` (T, steps; ``<= 0`` gives the constant I, as
    optax does), ``transition_begin`` (B, steps; negative counts as 0, as optax does).
    Returns lrlab's ``polynomial(...)`` (the same operations).

    >>> from lrlab.compat.optax import polynomial_schedule
    >>> s = polynomial_schedule(init_value=1.0, end_value=0.01, power=2, transition_steps=100,
    ...                         transition_begin=5)
    >>> s(0), s(5), round(s(6), 4), s(105), s(110)
    (1.0, 1.0, 0.9803, 0.01, 0.01)
    """
    owner = "optax.polynomial_schedule"
    init = _lr(owner, "init_value", init_value)
    end = _lr(owner, "end_value", end_value)
    p = v.real(owner, "power", power, lo=0)
    steps = _steps(owner, "transition_steps", transition_steps)
    begin = max(_steps(owner, "transition_begin", transition_begin), 0.0)
    if steps <= 0:
        return Constant(init)
    if p == 0:
        return Constant((init - end) * 1.0 + end)  # frac ** 0 == 1 at every step
    return Polynomial(init, steps, end=end, power=p, begin=begin)


@register("optax.linear_schedule")
def linear_schedule(
    init_value: float,
    end_value: float,
    transition_steps: float,
    transition_begin: float = 0,
) -> Schedule:
    """optax's ``linear_schedule``: ``polynomial_schedule`` with ``power=1``.

    >>> from lrlab.compat.optax import linear_schedule
    >>> s = linear_schedule(init_value=1.0, end_value=0.01, transition_steps=100)
    >>> s(0), s(100), s(1000)
    (1.0, 0.01, 0.01)
    """
    return polynomial_schedule(init_value, end_value, 1, transition_steps, transition_begin)


@register("optax.piecewise_constant_schedule")
def piecewise_constant_schedule(
    init_value: float, boundaries_and_scales: dict[Any, float] | None = None
) -> Schedule:
    """optax's ``piecewise_constant_schedule``: ``init_value`` times every scale with ``t >= b``.

    ``boundaries_and_scales``: ``{step: scale}`` (scales >= 0; in spec text the keys are
    quoted: ``{'100': 0.1}``).  A scale applies *at* its boundary step (boundary on the right,
    like PyTorch's MultiStepLR; TensorFlow and Keras switch one step later).  Returns lrlab's
    ``piecewise(..., side='right')`` with the running products optax computes.

    >>> from lrlab.compat.optax import piecewise_constant_schedule
    >>> s = piecewise_constant_schedule(1.0, {100: 0.1, 200: 0.1})
    >>> s(99), s(100), round(s(200), 12)
    (1.0, 0.1, 0.01)
    """
    owner = "optax.piecewise_constant_schedule"
    init = _lr(owner, "init_value", init_value)
    bounds, scales = _boundaries_and_scales(owner, boundaries_and_scales)
    value = init
    kept: list[float] = []
    values: list[float] = []
    for b, s in zip(bounds, scales):
        if b <= 0:  # applies from step 0 on
            value = s * value
            continue
        values.append(value)
        kept.append(b)
        value = s * value
    values.append(value)
    if not kept:
        return Constant(value)
    return PiecewiseConstant(tuple(kept), tuple(values), side="right")


@register("optax.exponential_decay")
def exponential_decay(
    init_value: float,
    transition_steps: float,
    decay_rate: float,
    transition_begin: float = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """optax's ``exponential_decay``: ``I * r ** ((t - B) / T)`` for ``t > B``, then clipped.

    ``init_value`` (I, >= 0); ``transition_steps`` (T; ``<= 0`` gives the constant I);
    ``decay_rate`` (r, >= 0; 0 gives the constant I; > 1 grows); ``transition_begin`` (B;
    negative counts as 0); ``staircase``: floor the exponent; ``end_value``: a lower bound
    if ``r < 1``, else an upper bound, applied at every step.  Returns lrlab's
    ``exponential(...)``.

    >>> from lrlab.compat.optax import exponential_decay
    >>> s = exponential_decay(0.1, transition_steps=10, decay_rate=0.5, end_value=0.02)
    >>> s(0), s(10), s(1000)
    (0.1, 0.05, 0.02)
    """
    owner = "optax.exponential_decay"
    init = _lr(owner, "init_value", init_value)
    steps = _steps(owner, "transition_steps", transition_steps)
    rate = v.real(owner, "decay_rate", decay_rate, lo=0)
    begin = max(_steps(owner, "transition_begin", transition_begin), 0.0)
    stair = v.boolean(owner, "staircase", staircase)
    end = None if end_value is None else _lr(owner, "end_value", end_value)
    if steps <= 0 or rate == 0:
        return Constant(init)
    return Exponential(init, rate, steps, staircase=stair, begin=begin, end=end)


@register("optax.cosine_decay_schedule")
def cosine_decay_schedule(
    init_value: float, decay_steps: float, alpha: float = 0.0, exponent: float = 1.0
) -> Schedule:
    """optax's ``cosine_decay_schedule``: ``I ((1 - α) c^e + α)``, ``c = (1 + cos(π τ / T)) / 2``.

    τ = min(t, T).

    ``init_value`` (I, >= 0); ``decay_steps`` (T, > 0); ``alpha`` (α, >= 0): the floor as a
    fraction of I (above 1 the cosine rises to ``α I``); ``exponent`` (e, >= 0).  Stays at
    ``α I`` past T.  Returns lrlab's ``cosine(...)``.

    >>> from lrlab.compat.optax import cosine_decay_schedule
    >>> s = cosine_decay_schedule(0.1, decay_steps=100, alpha=0.1)
    >>> s(0), round(s(100), 12), round(s(1000), 12)
    (0.1, 0.01, 0.01)
    """
    owner = "optax.cosine_decay_schedule"
    init = _lr(owner, "init_value", init_value)
    steps = v.real(owner, "decay_steps", decay_steps, lo=0, lo_open=True)
    a = v.real(owner, "alpha", alpha, lo=0)
    e = v.real(owner, "exponent", exponent, lo=0)
    if e == 0:
        return Constant(init * ((1 - a) * 1.0 + a))  # c ** 0 == 1 at every step
    if a <= 1:
        return Cosine(init, steps, alpha=a, exponent=e)
    return Cosine(init, steps, end=init * a, exponent=e)  # rising cosine: absolute form


def _warmup(
    owner: str, init_value: float, peak_value: float, warmup_steps: float
) -> tuple[float, float, float]:
    init = _lr(owner, "init_value", init_value)
    peak = _lr(owner, "peak_value", peak_value)
    w = v.real(owner, "warmup_steps", warmup_steps, lo=0)
    return init, peak, w


def _then(warm: tuple[float, float, float], main: Schedule) -> Schedule:
    """optax's ``join_schedules([linear_schedule(init, peak, W), main], [W])``."""
    init, peak, w = warm
    if w == 0:
        return main  # step < 0 never holds: main sees t - 0
    return Join((Polynomial(init, w, end=peak, power=1.0), main), (w,))


@register("optax.warmup_constant_schedule")
def warmup_constant_schedule(
    init_value: float, peak_value: float, warmup_steps: float
) -> Schedule:
    """optax's ``warmup_constant_schedule``: linear ``init_value`` -> ``peak_value``, then flat.

    It is optax's ``linear_schedule(init_value, peak_value, warmup_steps)``, so
    ``warmup_steps=0`` stays at ``init_value`` forever, as in optax (lrlab warns).

    >>> from lrlab.compat.optax import warmup_constant_schedule
    >>> s = warmup_constant_schedule(0.0, 0.1, warmup_steps=10)
    >>> s(0), s(5), s(10), s(99)
    (0.0, 0.05, 0.1, 0.1)
    """
    owner = "optax.warmup_constant_schedule"
    init, peak, w = _warmup(owner, init_value, peak_value, warmup_steps)
    if w == 0 and init != peak:
        warnings.warn(
            f"{owner}: warmup_steps=0 holds init_value={init!r} forever, never reaching "
            f"peak_value={peak!r} (optax's linear_schedule with transition_steps <= 0)",
            LrlabWarning,
            stacklevel=2,
        )
    return polynomial_schedule(init, peak, 1, w)


@register("optax.warmup_cosine_decay_schedule")
def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: float,
    decay_steps: float,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    """optax's ``warmup_cosine_decay_schedule``: linear warmup, then cosine to ``end_value``.

    ``init_value`` -> ``peak_value`` linearly over ``warmup_steps`` (W), then a cosine over
    ``decay_steps - W`` steps: ``decay_steps`` (D) is the total length, warmup INCLUDED
    (Keras's ``CosineDecay(warmup_steps=...)`` excludes it), and must exceed W.  The floor is
    ``alpha = end_value / peak_value`` of the peak (0 if ``peak_value`` is 0).  ``exponent``
    as in ``cosine_decay_schedule``.  Returns lrlab's
    ``join([polynomial(init, W, end=peak), cosine(peak, D - W, alpha=...)], [W])``.

    >>> from lrlab.compat.optax import warmup_cosine_decay_schedule
    >>> s = warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.1, warmup_steps=100,
    ...                                  decay_steps=1000)
    >>> s(0), s(50), s(100), round(s(550), 12), s(1000)
    (0.0, 0.05, 0.1, 0.05, 0.0)
    """
    owner = "optax.warmup_cosine_decay_schedule"
    warm = _warmup(owner, init_value, peak_value, warmup_steps)
    peak, w = warm[1], warm[2]
    end = _lr(owner, "end_value", end_value)
    v.real(owner, "exponent", exponent, lo=0)
    d = v.real(owner, "decay_steps", decay_steps)
    if not d - w > 0:
        raise v.fail(owner, "decay_steps", f"> warmup_steps ({w:g}; it includes the warmup)", d)
    alpha = 0.0 if peak == 0.0 else end / peak
    return _then(warm, cosine_decay_schedule(peak, d - w, alpha=alpha, exponent=exponent))


@register("optax.warmup_exponential_decay_schedule")
def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: float,
    transition_steps: float,
    decay_rate: float,
    transition_begin: float = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """optax's ``warmup_exponential_decay_schedule``: linear warmup, then ``exponential_decay``.

    The decay starts its own clock at ``warmup_steps`` (``transition_begin`` counts from
    there).  Returns ``join([polynomial(...), exponential(...)], [warmup_steps])``.

    >>> from lrlab.compat.optax import warmup_exponential_decay_schedule as wed
    >>> s = wed(0.0, 0.1, warmup_steps=10, transition_steps=10, decay_rate=0.5)
    >>> s(0), s(5), s(10), s(20)
    (0.0, 0.05, 0.1, 0.05)
    """
    owner = "optax.warmup_exponential_decay_schedule"
    warm = _warmup(owner, init_value, peak_value, warmup_steps)
    try:
        main = exponential_decay(
            warm[1], transition_steps, decay_rate, transition_begin, staircase, end_value
        )
    except ScheduleError as e:
        raise ScheduleError(str(e).replace("optax.exponential_decay:", f"{owner}:", 1)) from None
    return _then(warm, main)


_COSINE_KWARGS = (
    "init_value", "peak_value", "warmup_steps", "decay_steps", "end_value", "exponent"
)


@register("optax.sgdr_schedule")
def sgdr_schedule(cosine_kwargs: Iterable[dict[str, Any]]) -> Schedule:
    """optax's ``sgdr_schedule``: ``warmup_cosine_decay_schedule`` cycles joined end to end.

    ``cosine_kwargs``: one dict of ``warmup_cosine_decay_schedule`` arguments per cycle; each
    cycle lasts its ``decay_steps`` (warmup included) and sees its own local step.

    >>> from lrlab.compat.optax import sgdr_schedule
    >>> cyc = dict(init_value=0.0, peak_value=0.1, warmup_steps=10, decay_steps=100)
    >>> s = sgdr_schedule([cyc, cyc])
    >>> s(10), s(100), s(110)
    (0.1, 0.0, 0.1)
    """
    owner = "optax.sgdr_schedule"
    if isinstance(cosine_kwargs, (str, bytes, dict)) or not isinstance(cosine_kwargs, Iterable):
        raise v.fail(owner, "cosine_kwargs", "a list of dicts", cosine_kwargs)
    pieces: list[Schedule] = []
    bounds: list[float] = []
    step = 0.0
    for i, kw in enumerate(cosine_kwargs):
        name = f"cosine_kwargs[{i}]"
        if not isinstance(kw, dict):
            raise v.fail(owner, name, "a dict of warmup_cosine_decay_schedule arguments", kw)
        unknown = [k for k in kw if k not in _COSINE_KWARGS]
        if unknown:
            raise v.fail(owner, name, "a dict with keys among " + ", ".join(_COSINE_KWARGS), kw)
        missing = [k for k in _COSINE_KWARGS[:4] if k not in kw]
        if missing:
            raise v.fail(owner, name, "a dict with " + ", ".join(missing), kw)
        try:
            pieces.append(warmup_cosine_decay_schedule(**kw))
        except ScheduleError as e:
            raise ScheduleError(f"{owner}: {name}: {e}") from None
        step += float(kw["decay_steps"])
        bounds.append(step)
    if not pieces:
        raise v.fail(owner, "cosine_kwargs", "a list of at least one dict", cosine_kwargs)
    if len(pieces) == 1:
        return pieces[0]
    return Join(tuple(pieces), tuple(bounds[:-1]))


@register("optax.join_schedules")
def join_schedules(schedules: Iterable[Schedule], boundaries: Iterable[float]) -> Schedule:
    """optax's ``join_schedules``: piece j runs from ``boundaries[j-1]`` on, at ``t - b``.

    ``schedules``: lrlab schedules (or spec text); ``boundaries``: one fewer, strictly
    increasing steps >= 0 (a boundary at 0 means the first piece is never used, as in optax).
    Returns lrlab's ``join(...)``.

    >>> from lrlab import Constant
    >>> from lrlab.compat.optax import join_schedules, linear_schedule
    >>> s = join_schedules([linear_schedule(0.0, 0.1, 10), Constant(0.05)], [10])
    >>> s(5), s(10)
    (0.05, 0.05)
    """
    owner = "optax.join_schedules"
    scheds = v.schedules(owner, "schedules", schedules, min_len=1)
    bounds = v.reals(owner, "boundaries", boundaries, lo=0)
    if len(bounds) != len(scheds) - 1:
        raise v.fail(
            owner,
            "boundaries",
            f"one fewer boundary than schedules ({len(scheds) - 1} for {len(scheds)})",
            boundaries,
        )
    if any(b <= a for a, b in itertools.pairwise(bounds)):
        raise v.fail(
            owner,
            "boundaries",
            "strictly increasing (optax would silently never use a piece whose boundary is "
            "not below every later one)",
            boundaries,
        )
    if bounds and bounds[0] == 0:
        scheds, bounds = scheds[1:], bounds[1:]
    if not bounds:
        return scheds[0]
    return Join(scheds, bounds)


_INTERPOLATE = ("linear", "cosine")


@register("optax.PiecewiseInterpolate")
@dataclass(frozen=True, repr=False)
class PiecewiseInterpolate(Schedule):
    """optax's ``piecewise_interpolate_schedule`` (and the one-cycle schedules built on it).

    With bounds :math:`b_0 = 0, b_1 < \\dots < b_n` (the sorted keys) and values
    :math:`v_0 = I,\\ v_i = v_{i-1} s_i` (running products of the scales), on the interval
    :math:`b_i \\le t < b_{i+1}`:

    .. math::
        q = \\frac{t - b_i}{\\max(b_{i+1} - b_i, 1)}, \\qquad
        \\eta(t) = (v_{i+1} - v_i)\\, q + v_i \\ \\text{(linear)}
        \\quad\\text{or}\\quad v_{i+1} + \\frac{v_i - v_{i+1}}{2} (\\cos \\pi q + 1)
        \\ \\text{(cosine)}

    and :math:`\\eta(t) = v_n` for :math:`t \\ge b_n`.  ``interpolate_type``: ``'linear'``
    or ``'cosine'``; ``init_value`` (I, >= 0); ``boundaries`` (steps, strictly increasing;
    keys <= 0 are allowed, as in optax: the first interval then starts before step 0);
    ``scales`` (s_i >= 0, one per boundary).  The divisor is at least 1 step, as in optax,
    so an interval shorter than a step jumps at its end.  Operations are optax's.

    >>> from lrlab.compat.optax import PiecewiseInterpolate
    >>> s = PiecewiseInterpolate("linear", 1.0, boundaries=[4, 8], scales=[0.1, 0.01])
    >>> [round(s(t), 6) for t in (0, 2, 4, 6, 8, 10)]
    [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    """

    interpolate_type: str
    init_value: float
    boundaries: tuple[float, ...] = ()
    scales: tuple[float, ...] = ()
    _pieces: Any = field(init=False, repr=False, compare=False, default=())
    _los: Any = field(init=False, repr=False, compare=False, default=())
    _last: float = field(init=False, repr=False, compare=False, default=0.0)
    _end: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        self._set(
            "interpolate_type",
            v.choice(self, "interpolate_type", self.interpolate_type, _INTERPOLATE),
        )
        init = v.real(self, "init_value", self.init_value, lo=0)
        self._set("init_value", init)
        b = v.reals(self, "boundaries", self.boundaries, increasing=True)
        s = v.reals(self, "scales", self.scales, lo=0)
        if len(s) != len(b):
            raise v.fail(self, "scales", f"one scale per boundary ({len(b)})", self.scales)
        self._set("boundaries", b)
        self._set("scales", s)
        values = [init]
        for scale in s:
            values.append(values[-1] * scale)
        bounds = (0.0, *b)
        pieces = []
        for i in range(len(b)):
            lo, hi = bounds[i], bounds[i + 1]
            if hi > lo and hi > 0:  # an interval that some step t >= 0 falls in
                pieces.append((lo, hi, max(hi - lo, 1.0), values[i], values[i + 1]))
        self._set("_pieces", tuple(pieces))
        self._set("_los", [p[0] for p in pieces])
        self._set("_last", bounds[-1])
        self._set("_end", values[-1])

    def _interp(self, t: Any, piece: tuple[float, ...], m: Backend) -> Any:
        lo, _, size, start, end = piece
        pct = (t - lo) / size
        if self.interpolate_type == "linear":
            return (end - start) * pct + start
        return end + (start - end) / 2.0 * (m.cos(_PI * pct) + 1)

    def _scalar(self, t: float) -> float:
        if t >= self._last:
            return self._end
        j = bisect.bisect_right(self._los, t) - 1
        return float(self._interp(t, self._pieces[max(j, 0)], SCALAR))

    def _eval(self, t: Any, m: Backend) -> Any:
        if not m.is_array:
            return self._scalar(t)
        out = np.full(np.shape(t), self._end, dtype=np.float64)
        for piece in self._pieces:
            lo, hi = piece[0], piece[1]
            sel = (t >= lo) & (t < hi)
            if sel.any():
                out[sel] = self._interp(t[sel], piece, m)
        return out

    @property
    def horizon(self) -> float | None:
        return max(self._last, 0.0) if self.boundaries else None

    def phases(self) -> tuple[float, ...]:
        return bounded_phases(p for p in self.boundaries if p > 0)


@register("optax.piecewise_interpolate_schedule")
def piecewise_interpolate_schedule(
    interpolate_type: str,
    init_value: float,
    boundaries_and_scales: dict[Any, float] | None = None,
) -> Schedule:
    """optax's ``piecewise_interpolate_schedule``: interpolate between running products.

    ``boundaries_and_scales``: ``{step: scale}`` (scales >= 0; quoted keys in spec text).
    Returns a :class:`PiecewiseInterpolate`.

    >>> from lrlab.compat.optax import piecewise_interpolate_schedule
    >>> s = piecewise_interpolate_schedule("linear", 1.0, {4: 0.1, 8: 0.01})
    >>> s(2), round(s(6), 6), round(s(10), 6)
    (0.55, 0.0505, 0.001)
    """
    owner = "optax.piecewise_interpolate_schedule"
    kind = v.choice(owner, "interpolate_type", interpolate_type, _INTERPOLATE)
    init = _lr(owner, "init_value", init_value)
    bounds, scales = _boundaries_and_scales(owner, boundaries_and_scales)
    return PiecewiseInterpolate(kind, init, bounds, scales)


def _onecycle_args(
    owner: str, transition_steps: float, peak_value: float, div_factor: float,
    final_div_factor: float,
) -> tuple[float, float, float, float]:
    n = v.real(owner, "transition_steps", transition_steps, lo=0, lo_open=True)
    peak = _lr(owner, "peak_value", peak_value)
    div = v.real(owner, "div_factor", div_factor, lo=0, lo_open=True)
    final = v.real(owner, "final_div_factor", final_div_factor, lo=0, lo_open=True)
    return n, peak, div, final


def _int(x: float) -> int:
    return int(x)  # Python's truncation, as optax's int(pct * transition_steps)


@register("optax.linear_onecycle_schedule")
def linear_onecycle_schedule(
    transition_steps: float,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """optax's ``linear_onecycle_schedule``: three linear phases.

    From ``peak/div`` up to ``peak`` at ``int(pct_start * T)``, back to ``peak/div`` at
    ``int(pct_final * T)``, then to ``peak/div/final_div_factor`` at T (T =
    ``transition_steps`` > 0), interpolating optax's running products of the scales.

    >>> from lrlab.compat.optax import linear_onecycle_schedule
    >>> s = linear_onecycle_schedule(100, peak_value=1.0)
    >>> s(0), round(s(30), 12), round(s(85), 12), round(s(100), 12)
    (0.04, 1.0, 0.04, 4e-06)
    """
    owner = "optax.linear_onecycle_schedule"
    n, peak, div, final = _onecycle_args(owner, transition_steps, peak_value, div_factor,
                                         final_div_factor)
    ps = v.real(owner, "pct_start", pct_start)
    pf = v.real(owner, "pct_final", pct_final)
    scales = {
        _int(ps * n): div,
        _int(pf * n): 1.0 / div,
        transition_steps: 1.0 / final,
    }
    return piecewise_interpolate_schedule("linear", peak / div, scales)


@register("optax.cosine_onecycle_schedule")
def cosine_onecycle_schedule(
    transition_steps: float,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """optax's ``cosine_onecycle_schedule``: cosine up to ``peak_value``, cosine down.

    From ``peak/div`` up to ``peak`` at ``int(pct_start * T)``, then down to
    ``peak / (div * final_div_factor)`` at ``int(T)``.

    >>> from lrlab.compat.optax import cosine_onecycle_schedule
    >>> s = cosine_onecycle_schedule(100, peak_value=1.0)
    >>> round(s(0), 12), round(s(30), 12), s(100)
    (0.04, 1.0, 4e-06)
    """
    owner = "optax.cosine_onecycle_schedule"
    n, peak, div, final = _onecycle_args(owner, transition_steps, peak_value, div_factor,
                                         final_div_factor)
    ps = v.real(owner, "pct_start", pct_start)
    scales = {_int(ps * n): div, _int(n): 1.0 / (div * final)}
    return piecewise_interpolate_schedule("cosine", peak / div, scales)

