"""fastai-compatible schedules (``fastai/callback/schedule.py``), registered as ``fastai.<name>``.

fastai schedules are functions of the training position ``pos`` in [0, 1]; its
``ParamScheduler`` calls them before each training batch with ``learn.pct_train``.  lrlab
schedules are functions of the step, so every constructor here takes one extra argument,
``total_steps`` (N), and reads the position as

.. math:: \\text{pos}(t) = \\min(t / N,\\ 1)

For a fit of ``n_epoch`` epochs of ``n_iter`` batches use ``N = n_epoch * n_iter``: batch
``t`` (0-based) then sees ``pos = t / N``.  fastai accumulates the same position as a running
sum (``pct_train = epoch / n_epoch``, then ``+= 1 / (n_iter * n_epoch)`` after each batch),
which differs from ``t / N`` by a few ulps; the parity tests check both.  The default
``total_steps=1`` makes the step *be* the position (``s(0.25)`` = fastai's ``f(0.25)``), which
is also how annealers are written inside :func:`combine_scheds`.  Past ``pos = 1`` (where a
fastai fit has ended) the value at ``pos = 1`` is held.

Quirks of fastai reproduced: :func:`combine_scheds` computes in float32 (fastai builds the
phase boundaries with ``tensor(...)``, which turns float64 into float32; ``pos`` is then
rounded to float32, compared, and the phase-local position is computed in float32 before
``.item()`` hands it to the annealer in float64), and :func:`fit_one_cycle` ends at
``lr_max / div_final`` with ``div_final = 1e5`` (not ``lr_max / (div * final_div)`` as torch's
OneCycleLR).  Differences: ``combine_scheds`` accepts ``pcts`` that sum to 1 within 1e-9
(fastai requires ``sum(pcts) == 1.`` exactly), and where fastai would divide by a
zero-width last phase (NaN at ``pos = 1``) the last non-empty phase is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = [
    "SchedLin",
    "SchedCos",
    "SchedNo",
    "SchedExp",
    "SchedPoly",
    "combine_scheds",
    "combined_cos",
    "fit_one_cycle",
    "fit_flat_cos",
    "LRFinder",
]


# fastai computes with Python's ``math.cos`` and ``**`` (the C library).  NumPy's ufuncs may
# use other implementations that differ in the last bit (SVML on AVX-512 machines, and the
# sqrt / square / reciprocal fast paths of ``np.power`` for exponents 0.5, 2, -1), so the
# array path applies the C functions element by element: bit-identical to fastai and to the
# scalar path on every machine.
def _float_pow(x: float, y: float) -> float:
    try:
        return x**y
    except OverflowError:  # pragma: no cover - reported by the base class as non-finite
        return math.inf


_LIBM_COS = np.frompyfunc(math.cos, 1, 1)
_LIBM_POW = np.frompyfunc(_float_pow, 2, 1)


def _cos(x: Any, m: Any) -> Any:
    return np.asarray(_LIBM_COS(x), dtype=np.float64) if m.is_array else math.cos(x)


def _pow(x: Any, y: Any, m: Any) -> Any:
    if m.is_array:
        return np.asarray(_LIBM_POW(x, y), dtype=np.float64)
    return x**y


class _Annealer(Schedule):
    """A fastai schedule: a function ``_pos(pos, m)`` of the position, read at ``t / N``."""

    __slots__ = ()
    total_steps: float

    def _pos(self, pos: Any, m: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _eval(self, t: Any, m: Any) -> Any:
        return self._pos(m.minimum(t / self.total_steps, 1.0), m)

    @property
    def horizon(self) -> float | None:
        return self.total_steps

    def _check_total(self) -> None:
        self._set(
            "total_steps", v.real(self, "total_steps", self.total_steps, lo=0, lo_open=True)
        )


class _StartEnd(_Annealer):
    """An annealer from ``start`` to ``end`` (LRs >= 0): the ``Sched*`` classes."""

    __slots__ = ()
    start: float
    end: float

    def __post_init__(self) -> None:
        self._set("start", v.real(self, "start", self.start, lo=0))
        self._set("end", v.real(self, "end", self.end, lo=0))
        self._check_own()
        self._check_total()

    def _check_own(self) -> None:
        """Check the class's own parameters (after the ends, before ``total_steps``)."""


@register("fastai.SchedLin")
@dataclass(frozen=True, repr=False)
class SchedLin(_StartEnd):
    """fastai's ``SchedLin``: linear from ``start`` to ``end``.

    .. math:: f(\\text{pos}) = s + \\text{pos}\\,(e - s)

    ``start`` (s), ``end`` (e): LRs >= 0; ``total_steps`` (N): steps from ``start`` to
    ``end`` (``pos = min(t / N, 1)``; the default 1 makes ``t`` the position itself).

    >>> import lrlab
    >>> s = lrlab.parse("fastai.SchedLin(0.1, 0.0, total_steps=100)")
    >>> s(0), s(50), s(100), s(200)
    (0.1, 0.05, 0.0, 0.0)
    """

    start: float
    end: float
    total_steps: float = 1.0

    def _pos(self, pos: Any, m: Any) -> Any:
        # fastai: start + pos*(end-start); >= 0 for pos <= 1 (only combine_scheds' float32
        # position can exceed 1 by a few ulps, hence the clamp)
        return m.maximum(self.start + pos * (self.end - self.start), 0.0)


@register("fastai.SchedCos")
@dataclass(frozen=True, repr=False)
class SchedCos(_StartEnd):
    """fastai's ``SchedCos``: half-cosine from ``start`` to ``end``.

    .. math:: f(\\text{pos}) = s + \\frac{(1 + \\cos(\\pi (1 - \\text{pos})))\\,(e - s)}{2}

    ``start`` (s), ``end`` (e): LRs >= 0; ``total_steps`` as in :class:`SchedLin`.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.SchedCos(0.1, 0.0, total_steps=100)")
    >>> s(0), round(s(50), 12), s(100)
    (0.1, 0.05, 0.0)
    """

    start: float
    end: float
    total_steps: float = 1.0

    def _pos(self, pos: Any, m: Any) -> Any:
        return self.start + (1 + _cos(math.pi * (1 - pos), m)) * (self.end - self.start) / 2


@register("fastai.SchedNo")
@dataclass(frozen=True, repr=False)
class SchedNo(_StartEnd):
    """fastai's ``SchedNo``: the constant ``start`` (``end`` is accepted and unused, as in fastai).

    .. math:: f(\\text{pos}) = s

    >>> import lrlab
    >>> lrlab.parse("fastai.SchedNo(0.1, 0.5)")(0.7)
    0.1
    """

    start: float
    end: float
    total_steps: float = 1.0

    def _pos(self, pos: Any, m: Any) -> Any:
        return m.full(pos, self.start)


@register("fastai.SchedExp")
@dataclass(frozen=True, repr=False)
class SchedExp(_StartEnd):
    """fastai's ``SchedExp``: geometric from ``start`` to ``end`` (the LR-finder sweep).

    .. math:: f(\\text{pos}) = s \\left(\\frac{e}{s}\\right)^{\\text{pos}}

    ``start`` (s > 0), ``end`` (e >= 0); ``total_steps`` as in :class:`SchedLin`.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.SchedExp(1e-7, 10.0, total_steps=100)")
    >>> s(0), round(s(100), 12)
    (1e-07, 10.0)
    """

    start: float
    end: float
    total_steps: float = 1.0

    def _check_own(self) -> None:
        if self.start == 0:
            raise v.fail(self, "start", "> 0 (the ratio end/start is raised to pos)", 0.0)

    def _pos(self, pos: Any, m: Any) -> Any:
        return self.start * _pow(self.end / self.start, pos, m)


@register("fastai.SchedPoly")
@dataclass(frozen=True, repr=False)
class SchedPoly(_StartEnd):
    """fastai's ``SchedPoly``: polynomial of degree ``power`` from ``start`` to ``end``.

    .. math:: f(\\text{pos}) = s + (e - s)\\, \\text{pos}^{p}

    ``start`` (s), ``end`` (e): LRs >= 0; ``power`` (p >= 0); ``total_steps`` as in
    :class:`SchedLin`.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.SchedPoly(0.1, 0.0, power=2.0, total_steps=10)")
    >>> s(0), round(s(5), 12), s(10)
    (0.1, 0.075, 0.0)
    """

    start: float
    end: float
    power: float
    total_steps: float = 1.0

    def _check_own(self) -> None:
        self._set("power", v.real(self, "power", self.power, lo=0))

    def _pos(self, pos: Any, m: Any) -> Any:
        power = _pow(pos, self.power, m)
        return m.maximum(self.start + (self.end - self.start) * power, 0.0)


def _f32(x: Any, m: Any) -> Any:
    """Round to float32 (a 0-d array for scalars): torch's float32 arithmetic in numpy."""
    return np.asarray(x, dtype=np.float32) if m.is_array else np.float32(x)


@register("fastai.combine_scheds")
@dataclass(frozen=True, repr=False)
class combine_scheds(_Annealer):
    """fastai's ``combine_scheds``: run ``scheds[i]`` over the fraction ``pcts[i]`` of training.

    .. math::
        f(\\text{pos}) = f_i\\!\\left(\\frac{\\text{pos} - P_i}{P_{i+1} - P_i}\\right),
        \\quad P = \\text{cumsum}([0] + \\text{pcts}),
        \\ i = \\max\\{j \\le n-1 : \\text{pos} \\ge P_j\\}

    computed as fastai does, in float32: ``P`` is the float32 cumulative sum (accumulated in
    float64 like torch.cumsum), ``pos`` is rounded to float32, and the phase-local position
    is a float32 subtraction and division, passed to ``f_i`` as a float64.  ``pcts``:
    fractions >= 0 summing to 1; ``scheds``: fastai annealers (``fastai.SchedCos(...)``,
    another ``fastai.combine_scheds(...)``) with ``total_steps`` left at 1, since each sees
    its phase-local position; ``total_steps``: steps of the whole combination.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.combine_scheds([0.25, 0.75], "
    ...                 "[fastai.SchedLin(0.0, 0.1), fastai.SchedCos(0.1, 0.0)], total_steps=100)")
    >>> s(0), s(25), round(s(62.5), 12), s(100)
    (0.0, 0.1, 0.05, 0.0)
    """

    pcts: tuple[float, ...]
    scheds: tuple[_Annealer, ...]
    total_steps: float = 1.0
    _p: Any = field(init=False, repr=False, compare=False)
    _lim: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pcts = v.reals(self, "pcts", self.pcts, lo=0, min_len=1)
        if abs(math.fsum(pcts) - 1.0) > 1e-9:
            raise v.fail(self, "pcts", "fractions that sum to 1", self.pcts)
        scheds = v.schedules(self, "scheds", self.scheds)
        if len(scheds) != len(pcts):
            raise v.fail(
                self, "scheds", f"one schedule per fraction in pcts ({len(pcts)})", self.scheds
            )
        for i, s in enumerate(scheds):
            if not isinstance(s, _Annealer):
                raise v.fail(
                    self,
                    f"scheds[{i}]",
                    "a fastai annealer (fastai.SchedLin, SchedCos, SchedNo, SchedExp, "
                    "SchedPoly or combine_scheds)",
                    s,
                )
            if s.total_steps != 1:
                raise v.fail(
                    self,
                    f"scheds[{i}].total_steps",
                    "1 (inside combine_scheds an annealer sees its phase position in [0, 1])",
                    s.total_steps,
                )
        self._set("pcts", pcts)
        self._set("scheds", scheds)
        self._check_total()
        # fastai: pcts = tensor([0] + L(pcts)) -> float32; torch.cumsum accumulates in float64
        p32 = np.asarray((0.0, *pcts), dtype=np.float32)
        p = np.cumsum(p32.astype(np.float64)).astype(np.float32)
        widths = np.flatnonzero(p[1:] > p[:-1])
        self._set("_p", p)
        # fastai caps the phase index at len(pcts) - 1; a zero-width last phase would divide
        # by zero there (only at pos >= 1), so the cap is the last phase of positive width
        self._set("_lim", int(widths[-1]))

    def _pos(self, pos: Any, m: Any) -> Any:
        p = self._p
        x = _f32(pos, m)
        if m.is_array:
            idx = np.minimum(np.searchsorted(p, x, side="right") - 1, self._lim)
            local = ((x - p[idx]) / (p[idx + 1] - p[idx])).astype(np.float64)
            out = np.zeros(np.shape(local), dtype=np.float64)
            for j in np.unique(idx).tolist():
                sel = idx == j
                out[sel] = self.scheds[j]._pos(local[sel], m)
            return out
        j = min(int(np.searchsorted(p, x, side="right")) - 1, self._lim)
        local = float((x - p[j]) / (p[j + 1] - p[j]))
        return self.scheds[j]._pos(local, m)

    def phases(self) -> tuple[float, ...]:
        inner = [float(b) * self.total_steps for b in self._p[1:-1]]
        return tuple(sorted({b for b in inner if 0 < b < self.total_steps}))


@register("fastai.combined_cos")
def combined_cos(
    pct: float, start: float, middle: float, end: float, total_steps: float = 1.0
) -> Schedule:
    """fastai's ``combined_cos``: cosine ``start`` -> ``middle`` over ``pct``, then -> ``end``.

    ``combine_scheds([pct, 1 - pct], [SchedCos(start, middle), SchedCos(middle, end)])``.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.combined_cos(0.5, 0.0, 0.1, 0.0, total_steps=100)")
    >>> s(0), s(50), s(100)
    (0.0, 0.1, 0.0)
    """
    pct = v.real("fastai.combined_cos", "pct", pct, lo=0, hi=1)
    return combine_scheds(
        (pct, 1 - pct), (SchedCos(start, middle), SchedCos(middle, end)), total_steps
    )


@register("fastai.fit_one_cycle")
def fit_one_cycle(
    lr_max: float,
    total_steps: float,
    div: float = 25.0,
    div_final: float = 1e5,
    pct_start: float = 0.25,
) -> Schedule:
    """The LR schedule of fastai's ``Learner.fit_one_cycle`` (the 1cycle policy).

    ``combined_cos(pct_start, lr_max / div, lr_max, lr_max / div_final)``: cosine warm-up
    from ``lr_max / div`` to ``lr_max`` over the first ``pct_start`` of training, then cosine
    annealing to ``lr_max / div_final``.  Note the final LR is ``lr_max / div_final`` (1e5 by
    default), not torch's ``max_lr / (div_factor * final_div_factor)``.  ``total_steps``:
    ``n_epoch * n_iter`` (epochs times batches per epoch) replaces fastai's ``n_epoch``;
    ``lr_max`` is required (fastai falls back to ``learn.lr``).  The momentum schedule and
    the other ``fit`` arguments are the training loop's business.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.fit_one_cycle(lr_max=0.01, total_steps=1000)")
    >>> s(0), s(250), round(s(1000), 15)
    (0.0004, 0.01, 1e-07)
    """
    name = "fastai.fit_one_cycle"
    lr_max = v.real(name, "lr_max", lr_max, lo=0)
    div = v.real(name, "div", div, lo=0, lo_open=True)
    div_final = v.real(name, "div_final", div_final, lo=0, lo_open=True)
    pct_start = v.real(name, "pct_start", pct_start, lo=0, hi=1)
    return combined_cos(pct_start, lr_max / div, lr_max, lr_max / div_final, total_steps)


@register("fastai.fit_flat_cos")
def fit_flat_cos(
    lr: float, total_steps: float, div_final: float = 1e5, pct_start: float = 0.75
) -> Schedule:
    """The LR schedule of fastai's ``Learner.fit_flat_cos``: flat, then cosine annealing.

    ``combined_cos(pct_start, lr, lr, lr / div_final)``; ``total_steps`` as in
    :func:`fit_one_cycle`.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.fit_flat_cos(lr=0.01, total_steps=100)")
    >>> s(0), s(75), round(s(100), 15)
    (0.01, 0.01, 1e-07)
    """
    name = "fastai.fit_flat_cos"
    lr = v.real(name, "lr", lr, lo=0)
    div_final = v.real(name, "div_final", div_final, lo=0, lo_open=True)
    pct_start = v.real(name, "pct_start", pct_start, lo=0, hi=1)
    return combined_cos(pct_start, lr, lr, lr / div_final, total_steps)


@register("fastai.LRFinder")
def LRFinder(start_lr: float = 1e-7, end_lr: float = 10.0, num_it: int = 100) -> Schedule:
    """The LR sweep of fastai's ``LRFinder`` callback (``Learner.lr_find``).

    ``SchedExp(start_lr, end_lr, total_steps=max(num_it, 6))``: fastai reads the position
    as ``train_iter / num_it`` (an exact quotient, so lrlab's ``t / num_it`` is the same
    number) and raises ``num_it`` below 6 to 6.  Stopping on divergence (``stop_div``) is
    the training loop's business; one ``start_lr``/``end_lr`` per parameter group is not
    supported.

    >>> import lrlab
    >>> s = lrlab.parse("fastai.LRFinder(1e-7, 10, num_it=100)")
    >>> s
    fastai.SchedExp(start=1e-07, end=10, total_steps=100)
    >>> s(0), round(s(50), 12)
    (1e-07, 0.001)
    """
    num_it = v.integer("fastai.LRFinder", "num_it", num_it, lo=1)
    return SchedExp(start_lr, end_lr, max(num_it, 6))
