"""timm-compatible schedules (``timm/scheduler/*.py``), registered as ``timm.<ClassName>``.

Each class takes the timm scheduler's keyword arguments, in timm's order, with ``lr`` (the
base LR, timm's ``param_groups[i]['initial_lr']``) in place of the optimizer.  Its value at
step ``t`` is what timm's ``_get_lr(t)`` computes and ``scheduler.step(epoch=t)``
(``t_in_epochs=True``) or ``scheduler.step_update(num_updates=t)`` (``t_in_epochs=False``)
writes into ``optimizer.param_groups[0]['lr']``.  The arithmetic is timm's, operation for
operation (``t * ((lr - w0) / W)`` warmup, ``t // T`` cycle index, ``log(x) / log(cycle_mul)``
cycle index for geometric cycles, including its rounding at exact cycle boundaries), so the
values agree with timm to the last bit or a few ulps.

**The step.**  timm's ``t`` is an epoch index when ``t_in_epochs=True`` (the default) and an
update count otherwise; lrlab's ``t`` is timm's ``t``.  ``t_in_epochs`` only records which
one is meant: to drive an epoch-indexed timm schedule per update, wrap it in
``per_epoch(..., steps_per_epoch)`` (timm holds the epoch value for the whole epoch).  Before
the first ``step()``, timm leaves the optimizer at ``warmup_lr_init`` (with warmup) or at the
raw base LR, both equal to ``s(0)`` up to rounding.

**LR noise** (``noise_range_t``, ``noise_pct``, ``noise_std``, ``noise_seed``) is
reproduced bit for bit: timm seeds a fresh ``torch.Generator`` with ``noise_seed + t`` and
draws ``torch.randn(1)`` until ``|noise * noise_std| < noise_pct``; lrlab re-implements that
generator (MT19937 and torch's Box-Muller, see :func:`_torch_randn_stream`) with NumPy, so
the noisy schedule is still a pure function of the step.  A fractional step uses the noise
of ``floor(t)``.  ``noise_pct`` must be <= 1 (above, ``lr * (1 + noise)`` could be negative).

Not reproduced: ``initialize`` and per-group ``lr_scale`` (optimizer bookkeeping: scale the
schedule instead), a callable ``decay_fn`` (WSD; not serializable), and
:func:`PlateauLRScheduler`, which reacts to a metric and is not a function of the step (it
raises).  Where timm would raise or produce a complex number (``cycle_mul < 1`` past the
geometric limit ``t_initial / (1 - cycle_mul)``; a negative base under a fractional power
after a boundary rounding), lrlab gives ``lr_min`` / clamps the base at 0.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab import _validate as v
from lrlab.errors import ScheduleError
from lrlab.families.constant import Constant
from lrlab.registry import register
from lrlab.schedule import Schedule

__all__ = [
    "CosineLRScheduler",
    "PolyLRScheduler",
    "TanhLRScheduler",
    "StepLRScheduler",
    "MultiStepLRScheduler",
    "WSDLRScheduler",
    "PlateauLRScheduler",
    "create_scheduler_v2",
]

_INF = math.inf
_MAX_PHASES = 300


# Transcendental functions on arrays: timm computes with Python's ``math`` module (the C
# library) and ``**`` (C ``pow``).  NumPy's ufuncs may use other implementations that differ
# in the last bit (np.tanh does here for about a third of inputs; np.power and np.log use
# SVML on AVX-512 machines; ``array ** 0.5`` and ``np.power(array, 0.5)`` (also 2, -1) take
# sqrt / square / reciprocal fast paths), so the array path applies the C functions element
# by element: bit-identical to timm and to the scalar path on every machine.
_LIBM_COS = np.frompyfunc(math.cos, 1, 1)
_LIBM_LOG = np.frompyfunc(math.log, 1, 1)
_LIBM_TANH = np.frompyfunc(math.tanh, 1, 1)


def _float_pow(x: float, y: float) -> float:
    try:
        return x**y
    except OverflowError:  # the base class reports the non-finite value as a ScheduleError
        return math.inf


_LIBM_POW = np.frompyfunc(_float_pow, 2, 1)


def _libm(f: Any, *args: Any) -> Any:
    return np.asarray(f(*args), dtype=np.float64)


def _cos(x: Any, m: Any) -> Any:
    return _libm(_LIBM_COS, x) if m.is_array else math.cos(x)


def _log(x: Any, m: Any) -> Any:
    return _libm(_LIBM_LOG, x) if m.is_array else math.log(x)


def _tanh(x: Any, m: Any) -> Any:
    return _libm(_LIBM_TANH, x) if m.is_array else math.tanh(x)


def _pow(x: Any, y: Any, m: Any) -> Any:
    """``x ** y`` as Python computes it (C ``pow`` on floats)."""
    if m.is_array:
        return _libm(_LIBM_POW, np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return x**y


def _check_common(s: Any) -> None:
    """Validate and normalise the arguments shared by every timm scheduler."""
    s._set("lr", v.real(s, "lr", s.lr, lo=0))
    s._set("warmup_t", v.real(s, "warmup_t", s.warmup_t, lo=0))
    s._set("warmup_lr_init", v.real(s, "warmup_lr_init", s.warmup_lr_init, lo=0))
    s._set("warmup_prefix", v.boolean(s, "warmup_prefix", s.warmup_prefix))
    s._set("t_in_epochs", v.boolean(s, "t_in_epochs", s.t_in_epochs))
    _check_noise(s)


def _check_noise(s: Any) -> None:
    rng = s.noise_range_t
    if rng is not None:
        if isinstance(rng, (list, tuple)):
            if len(rng) != 2:
                raise v.fail(s, "noise_range_t", "None, a step or a pair [start, end]", rng)
            rng = v.reals(s, "noise_range_t", rng, lo=0)
        else:
            rng = v.real(s, "noise_range_t", rng, lo=0)
        s._set("noise_range_t", rng)
    # |noise| < noise_pct; above 1 the noisy LR lr * (1 + noise) could be negative
    s._set("noise_pct", v.real(s, "noise_pct", s.noise_pct, lo=0, hi=1, lo_open=True))
    s._set("noise_std", v.real(s, "noise_std", s.noise_std, lo=0))
    s._set("noise_seed", v.integer(s, "noise_seed", s.noise_seed))


_MASK53 = (1 << 53) - 1


def _torch_randn_stream(seed: int) -> Any:
    """``torch.randn(1, generator=g).item()`` repeatedly, ``g`` a fresh CPU generator seeded
    with ``g.manual_seed(seed)``, reproduced bit for bit without torch.

    torch's CPU generator is MT19937 (seeded like ``init_genrand`` with the low 32 bits of
    the seed); ``random64()`` joins two 32-bit outputs (first = high word); a uniform double
    is ``(r64 & (2**53 - 1)) * 2**-53``; a one-element ``randn`` draws the Box-Muller pair
    ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``, returns ``r cos(theta)`` and caches
    ``r sin(theta)`` for the next call; the float32 tensor rounds each to float32.
    """
    seeded = np.random.RandomState(seed % 2**32).get_state(legacy=False)  # init_genrand(seed)
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": seeded["state"]}
    while True:
        a, b, c, d = (int(x) for x in bits.random_raw(4))
        u1 = (((a << 32) | b) & _MASK53) * 2.0**-53
        u2 = (((c << 32) | d) & _MASK53) * 2.0**-53
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        yield float(np.float32(r * math.cos(theta)))
        yield float(np.float32(r * math.sin(theta)))


@functools.lru_cache(maxsize=1 << 16)
def _timm_noise(seed: int, pct: float, std: float) -> float:
    """timm's ``Scheduler._calculate_noise`` (noise_type 'normal') for ``noise_seed + t``."""
    for z in _torch_randn_stream(seed):
        noise = z * std
        if abs(noise) < pct:
            return noise
    raise AssertionError("unreachable")  # pragma: no cover - the stream is infinite


def _noise_applies(s: Any, t: float) -> bool:
    rng = s.noise_range_t
    if isinstance(rng, tuple):
        return bool(rng[0] <= t < rng[1])
    return bool(t >= rng)


def _noisy(s: Any, t: Any, lr: Any, m: Any) -> Any:
    """timm's ``_add_noise``: ``lr + lr * noise(noise_seed + t)`` inside ``noise_range_t``.

    The noise of step ``t`` depends only on ``(noise_seed + t, noise_pct, noise_std)``;
    a fractional step uses ``floor(t)`` (timm only sees integer steps).
    """
    if s.noise_range_t is None:
        return lr
    if not m.is_array:
        if not _noise_applies(s, t):
            return lr
        return lr + lr * _timm_noise(s.noise_seed + math.floor(t), s.noise_pct, s.noise_std)
    ta = np.asarray(t, dtype=np.float64)
    out = np.array(np.broadcast_to(lr, ta.shape), dtype=np.float64)
    flat_t, flat = ta.reshape(-1), out.reshape(-1)
    for j, tj in enumerate(flat_t.tolist()):
        if _noise_applies(s, tj):
            x = float(flat[j])
            flat[j] = x + x * _timm_noise(s.noise_seed + math.floor(tj), s.noise_pct, s.noise_std)
    return out


def _check_cycles(s: Any) -> None:
    s._set("t_initial", v.real(s, "t_initial", s.t_initial, lo=0, lo_open=True))
    s._set("lr_min", v.real(s, "lr_min", s.lr_min, lo=0))
    s._set("cycle_mul", v.real(s, "cycle_mul", s.cycle_mul, lo=0, lo_open=True))
    s._set("cycle_decay", v.real(s, "cycle_decay", s.cycle_decay, lo=0))
    s._set("cycle_limit", v.integer(s, "cycle_limit", s.cycle_limit, lo=0))


def _linear_slope(s: Any) -> float:
    """timm's warmup slope ``(lr - warmup_lr_init) / warmup_t`` (1.0, unused, without warmup)."""
    w = s.warmup_t
    return (s.lr - s.warmup_lr_init) / w if w else 1.0


def _warmup(s: Any, t: Any, main: Any, m: Any, slope: float) -> Any:
    """timm's ``if t < warmup_t: warmup_lr_init + t * s`` around the main value, then noise."""
    if s.warmup_t:
        main = m.where(t < s.warmup_t, s.warmup_lr_init + t * slope, main)
    return _noisy(s, t, main, m)


def _main_time(s: Any, t: Any, m: Any) -> Any:
    """The time the main schedule sees: ``t - warmup_t`` with warmup_prefix (never < 0)."""
    if s.warmup_prefix and s.warmup_t:
        return m.maximum(t - s.warmup_t, 0.0)
    return t


def _cycle(s: Any, t: Any, m: Any) -> tuple[Any, Any, Any, Any]:
    """timm's cycle index ``i``, cycle length ``t_i``, time in cycle ``t_curr`` and activity.

    Returns ``(active, i, t_i, t_curr)`` where ``active`` is ``i < cycle_limit`` and ``i``,
    ``t_i``, ``t_curr`` are replaced by safe values (cycle 0) where it is not, so that no
    branch divides by zero or overflows.
    """
    big_t = s.t_initial
    mul = s.cycle_mul
    if mul != 1:
        arg = 1 - t / big_t * (1 - mul)
        ok = arg > 0  # cycle_mul < 1: infinitely many cycles before t_initial / (1 - mul)
        i = m.floor(_log(m.where(ok, arg, 1.0), m) / math.log(mul))
        active = ok & (i < s.cycle_limit) if m.is_array else (ok and i < s.cycle_limit)
        i = m.where(active, i, 0.0)
        t_i = _pow(mul, i, m) * big_t
        t_curr = t - (1 - _pow(mul, i, m)) / (1 - mul) * big_t
    else:
        i = t // big_t
        active = i < s.cycle_limit
        i = m.where(active, i, 0.0)
        t_i = big_t
        t_curr = t - big_t * i
    return active, i, t_i, m.maximum(t_curr, 0.0)


def _cycle_phases(s: Any) -> tuple[float, ...]:
    out: list[float] = []
    if s.warmup_t:
        out.append(s.warmup_t)
    start = s.warmup_t if s.warmup_prefix else 0.0
    edge = 0.0
    length = s.t_initial
    for _ in range(min(s.cycle_limit, _MAX_PHASES)):
        edge += length
        length *= s.cycle_mul
        if not math.isfinite(edge) or (s.cycle_mul < 1 and length < 1e-9 * s.t_initial):
            break
        out.append(start + edge)
    return tuple(sorted(set(out)))


def _cycle_horizon(s: Any) -> float | None:
    """Where timm's cycles end (``get_cycle_length()``, unfloored): lr_min from there on."""
    c = s.cycle_limit
    if s.cycle_mul == 1:
        total = s.t_initial * c
    elif s.cycle_mul > 1 and c * math.log(s.cycle_mul) > 700:
        return None
    else:
        total = s.t_initial * (s.cycle_mul**c - 1) / (s.cycle_mul - 1)
    return total + (s.warmup_t if s.warmup_prefix else 0.0)


class _CycleScheduler(Schedule):
    """Base of timm's cycle schedulers (cosine, poly, tanh): cycles, horizon and phases."""

    __slots__ = ()
    lr: float
    cycle_decay: float

    def _check_args(self) -> None:
        """Validate the arguments shared by every timm scheduler and the cycle arguments."""
        _check_common(self)
        _check_cycles(self)

    def _cycle_peak(self, t: Any, m: Any) -> tuple[Any, Any, Any, Any]:
        """``(active, t_i, t_curr, lr_max)`` at step ``t``: timm's cycle of the main schedule
        (see :func:`_cycle`) and its peak ``lr * cycle_decay ** i``."""
        active, i, t_i, t_curr = _cycle(self, _main_time(self, t, m), m)
        return active, t_i, t_curr, self.lr * _pow(self.cycle_decay, i, m)

    @property
    def horizon(self) -> float | None:
        return _cycle_horizon(self)

    def phases(self) -> tuple[float, ...]:
        return _cycle_phases(self)


_COMMON_DOC = """
    Warmup (all timm schedulers): for ``t < warmup_t``,
    ``warmup_lr_init + t * ((lr - warmup_lr_init) / warmup_t)``, a line from
    ``warmup_lr_init`` towards ``lr`` that stops one step short of it.  With
    ``warmup_prefix=False`` the main schedule keeps running during warmup (``t`` is not
    shifted), so at ``t = warmup_t`` the LR jumps to the main schedule's value there; with
    ``warmup_prefix=True`` the main schedule starts at ``t - warmup_t``.
"""


@register("timm.CosineLRScheduler")
@dataclass(frozen=True, repr=False)
class CosineLRScheduler(_CycleScheduler):
    """timm's ``CosineLRScheduler``: cosine decay with restarts, cycle decay and k-decay.

    .. math::
        \\eta(t) = \\eta_{min} + \\tfrac12 (\\eta_0 d^i - \\eta_{min})
                   \\left(1 + \\cos\\frac{\\pi\\, t_{cur}^k}{T_i^k}\\right)
        \\quad (i < \\text{cycle\\_limit}), \\qquad \\eta_{min} \\text{ otherwise}

    Cycle ``i`` of length ``T_i = T m^i`` (``T`` = ``t_initial``, ``m`` = ``cycle_mul``):
    ``i = t // T`` if ``m = 1``, else ``i = floor(log(1 - t/T (1 - m)) / log(m))``;
    ``t_cur`` is the time since the cycle began; ``d`` = ``cycle_decay`` scales each
    cycle's peak; ``k`` = ``k_decay`` (k-decay, arXiv:2004.05909).  ``lr`` (η0): base LR;
    ``lr_min``: the floor; ``cycle_limit``: number of cycles, then ``lr_min`` for ever.
    Units: ``t`` and every ``*_t`` are timm's steps (epochs if ``t_in_epochs``, else updates).
    """

    lr: float
    t_initial: float
    lr_min: float = 0.0
    cycle_mul: float = 1.0
    cycle_decay: float = 1.0
    cycle_limit: int = 1
    warmup_t: float = 0.0
    warmup_lr_init: float = 0.0
    warmup_prefix: bool = False
    t_in_epochs: bool = True
    noise_range_t: float | tuple[float, float] | None = None
    noise_pct: float = 0.67
    noise_std: float = 1.0
    noise_seed: int = 42
    k_decay: float = 1.0
    _slope: float = field(init=False, repr=False, compare=False)

    __doc__ = (__doc__ or "") + _COMMON_DOC + """
    >>> import lrlab
    >>> s = lrlab.parse("timm.CosineLRScheduler(lr=0.1, t_initial=100, warmup_t=5, "
    ...                 "warmup_lr_init=1e-4)")
    >>> s(0), round(s(4), 6), s(50), s(100)
    (0.0001, 0.08002, 0.05, 0.0)
    """

    def __post_init__(self) -> None:
        self._check_args()
        self._set("k_decay", v.real(self, "k_decay", self.k_decay, lo=0, lo_open=True))
        self._set("_slope", _linear_slope(self))

    def _eval(self, t: Any, m: Any) -> Any:
        active, t_i, t_curr, lr_max = self._cycle_peak(t, m)
        k = self.k_decay
        val = self.lr_min + 0.5 * (lr_max - self.lr_min) * (
            1 + _cos(math.pi * _pow(t_curr, k, m) / _pow(t_i, k, m), m)
        )
        return _warmup(self, t, m.where(active, val, self.lr_min), m, self._slope)


@register("timm.PolyLRScheduler")
@dataclass(frozen=True, repr=False)
class PolyLRScheduler(_CycleScheduler):
    """timm's ``PolyLRScheduler``: polynomial decay with restarts, cycle decay and k-decay.

    .. math::
        \\eta(t) = \\eta_{min} + (\\eta_0 d^i - \\eta_{min})
                   \\left(1 - \\frac{t_{cur}^k}{T_i^k}\\right)^{p}
        \\quad (i < \\text{cycle\\_limit}), \\qquad \\eta_{min} \\text{ otherwise}

    Cycles as in :class:`CosineLRScheduler`; ``power`` (p, >= 0; timm's default 0.5).
    The base ``1 - t_cur^k / T_i^k`` is clamped at 0 (timm would raise a complex number
    to the LR if a boundary rounding ever made it negative).
    """

    lr: float
    t_initial: float
    power: float = 0.5
    lr_min: float = 0.0
    cycle_mul: float = 1.0
    cycle_decay: float = 1.0
    cycle_limit: int = 1
    warmup_t: float = 0.0
    warmup_lr_init: float = 0.0
    warmup_prefix: bool = False
    t_in_epochs: bool = True
    noise_range_t: float | tuple[float, float] | None = None
    noise_pct: float = 0.67
    noise_std: float = 1.0
    noise_seed: int = 42
    k_decay: float = 1.0
    _slope: float = field(init=False, repr=False, compare=False)

    __doc__ = (__doc__ or "") + _COMMON_DOC + """
    >>> import lrlab
    >>> s = lrlab.parse("timm.PolyLRScheduler(lr=0.1, t_initial=100, power=1.0)")
    >>> s(0), s(50), s(100)
    (0.1, 0.05, 0.0)
    """

    def __post_init__(self) -> None:
        self._check_args()
        self._set("power", v.real(self, "power", self.power, lo=0))
        self._set("k_decay", v.real(self, "k_decay", self.k_decay, lo=0, lo_open=True))
        self._set("_slope", _linear_slope(self))

    def _eval(self, t: Any, m: Any) -> Any:
        active, t_i, t_curr, lr_max = self._cycle_peak(t, m)
        k = self.k_decay
        base = m.maximum(1 - _pow(t_curr, k, m) / _pow(t_i, k, m), 0.0)
        val = self.lr_min + (lr_max - self.lr_min) * _pow(base, self.power, m)
        return _warmup(self, t, m.where(active, val, self.lr_min), m, self._slope)


@register("timm.TanhLRScheduler")
@dataclass(frozen=True, repr=False)
class TanhLRScheduler(_CycleScheduler):
    """timm's ``TanhLRScheduler``: hyperbolic-tangent decay with restarts (arXiv:1806.01593).

    .. math::
        \\eta(t) = \\eta_{min} + \\tfrac12 (\\eta_0 d^i - \\eta_{min})
                   \\bigl(1 - \\tanh(l_b (1 - r) + u_b r)\\bigr), \\quad r = t_{cur} / T_i

    Cycles as in :class:`CosineLRScheduler` (no k-decay); ``lb`` < ``ub``: the tanh
    argument's range over a cycle.  Quirk reproduced: with ``warmup_prefix=False`` the warmup
    line aims at the main schedule's value at ``warmup_t`` (not at ``lr``), so there is no
    jump at the end of warmup, unlike the cosine and poly schedulers.
    """

    lr: float
    t_initial: float
    lb: float = -7.0
    ub: float = 3.0
    lr_min: float = 0.0
    cycle_mul: float = 1.0
    cycle_decay: float = 1.0
    cycle_limit: int = 1
    warmup_t: float = 0.0
    warmup_lr_init: float = 0.0
    warmup_prefix: bool = False
    t_in_epochs: bool = True
    noise_range_t: float | tuple[float, float] | None = None
    noise_pct: float = 0.67
    noise_std: float = 1.0
    noise_seed: int = 42
    _slope: float = field(init=False, repr=False, compare=False)

    __doc__ = (__doc__ or "") + _COMMON_DOC + """
    >>> import lrlab
    >>> s = lrlab.parse("timm.TanhLRScheduler(lr=0.1, t_initial=100)")
    >>> round(s(0), 6), round(s(70), 6), round(s(99), 6), s(100)
    (0.1, 0.05, 0.000302, 0.0)
    """

    def __post_init__(self) -> None:
        self._check_args()
        self._set("lb", v.real(self, "lb", self.lb))
        self._set("ub", v.real(self, "ub", self.ub))
        if not self.lb < self.ub:
            raise v.fail(self, "ub", f"greater than lb={self.lb!r}", self.ub)
        w = self.warmup_t
        if w:
            target = self.lr if self.warmup_prefix else self._main(w, _SCALAR)
            self._set("_slope", (target - self.warmup_lr_init) / w)
        else:
            self._set("_slope", 1.0)

    def _main(self, t: Any, m: Any) -> Any:
        active, t_i, t_curr, lr_max = self._cycle_peak(t, m)
        tr = t_curr / t_i
        val = self.lr_min + 0.5 * (lr_max - self.lr_min) * (
            1 - _tanh(self.lb * (1.0 - tr) + self.ub * tr, m)
        )
        return m.where(active, val, self.lr_min)

    def _eval(self, t: Any, m: Any) -> Any:
        return _warmup(self, t, self._main(t, m), m, self._slope)


@register("timm.StepLRScheduler")
@dataclass(frozen=True, repr=False)
class StepLRScheduler(Schedule):
    """timm's ``StepLRScheduler``: multiply by ``decay_rate`` every ``decay_t`` steps.

    .. math:: \\eta(t) = \\eta_0 \\, r^{\\,t' /\\!/ \\, T_d}, \\quad
              t' = t - \\text{warmup\\_t} \\text{ if warmup\\_prefix else } t

    ``decay_t`` (T_d > 0, steps), ``decay_rate`` (r >= 0; timm's default 1.0 never decays),
    ``//`` is Python's floor division (as timm; for fractional ``decay_t`` it differs from
    ``floor(t / T_d)`` at some multiples).  Note timm's default ``warmup_prefix=True`` here.
    """

    lr: float
    decay_t: float
    decay_rate: float = 1.0
    warmup_t: float = 0.0
    warmup_lr_init: float = 0.0
    warmup_prefix: bool = True
    t_in_epochs: bool = True
    noise_range_t: float | tuple[float, float] | None = None
    noise_pct: float = 0.67
    noise_std: float = 1.0
    noise_seed: int = 42
    _slope: float = field(init=False, repr=False, compare=False)

    __doc__ = (__doc__ or "") + _COMMON_DOC + """
    >>> import lrlab
    >>> s = lrlab.parse("timm.StepLRScheduler(lr=0.1, decay_t=30, decay_rate=0.5)")
    >>> s(29), s(30), s(60)
    (0.1, 0.05, 0.025)
    """

    def __post_init__(self) -> None:
        _check_common(self)
        self._set("decay_t", v.real(self, "decay_t", self.decay_t, lo=0, lo_open=True))
        self._set("decay_rate", v.real(self, "decay_rate", self.decay_rate, lo=0))
        self._set("_slope", _linear_slope(self))

    def _eval(self, t: Any, m: Any) -> Any:
        tm = _main_time(self, t, m)
        main = self.lr * _pow(self.decay_rate, tm // self.decay_t, m)
        return _warmup(self, t, main, m, self._slope)

    def phases(self) -> tuple[float, ...]:
        return (self.warmup_t,) if self.warmup_t else ()


@register("timm.MultiStepLRScheduler")
@dataclass(frozen=True, repr=False)
class MultiStepLRScheduler(Schedule):
    """timm's ``MultiStepLRScheduler``: multiply by ``decay_rate`` at milestones, one step early.

    .. math:: \\eta(t) = \\eta_0 \\, r^{\\#\\{j : m_j \\le t' + 1\\}}

    ``decay_t`` (m): non-decreasing milestones (steps); ``decay_rate`` (r >= 0);
    ``t'`` as in :class:`StepLRScheduler` (``warmup_prefix=True`` by default).  Quirk
    reproduced: timm compares milestones with ``t + 1`` (``bisect_right(decay_t, t + 1)``),
    so milestone ``m`` takes effect at step ``m - 1``, one step before torch's MultiStepLR.
    """

    lr: float
    decay_t: tuple[float, ...]
    decay_rate: float = 1.0
    warmup_t: float = 0.0
    warmup_lr_init: float = 0.0
    warmup_prefix: bool = True
    t_in_epochs: bool = True
    noise_range_t: float | tuple[float, float] | None = None
    noise_pct: float = 0.67
    noise_std: float = 1.0
    noise_seed: int = 42
    _slope: float = field(init=False, repr=False, compare=False)

    __doc__ = (__doc__ or "") + _COMMON_DOC + """
    >>> import lrlab
    >>> s = lrlab.parse("timm.MultiStepLRScheduler(lr=0.1, decay_t=[30, 60], decay_rate=0.5)")
    >>> s(28), s(29), s(59)
    (0.1, 0.05, 0.025)
    """

    def __post_init__(self) -> None:
        _check_common(self)
        ms = v.reals(self, "decay_t", self.decay_t, lo=0)
        if any(b < a for a, b in itertools.pairwise(ms)):
            raise v.fail(self, "decay_t", "in non-decreasing order", self.decay_t)
        self._set("decay_t", ms)
        self._set("decay_rate", v.real(self, "decay_rate", self.decay_rate, lo=0))
        self._set("_slope", _linear_slope(self))

    def _eval(self, t: Any, m: Any) -> Any:
        tm = _main_time(self, t, m)
        if m.is_array:
            count = np.searchsorted(self.decay_t, tm + 1, side="right")
        else:
            count = bisect.bisect_right(self.decay_t, tm + 1)
        return _warmup(self, t, self.lr * _pow(self.decay_rate, count, m), m, self._slope)

    @property
    def horizon(self) -> float | None:
        ph = self.phases()
        return ph[-1] if ph else None

    def phases(self) -> tuple[float, ...]:
        off = self.warmup_t if self.warmup_prefix else 0.0
        out = {max(off + mj - 1, 0.0) for mj in self.decay_t}
        if self.warmup_t:
            out.add(self.warmup_t)
        return tuple(sorted(out))


_STABLE_FNS = ("constant", "rsqrt", "power")
_DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


@register("timm.WSDLRScheduler")
@dataclass(frozen=True, repr=False)
class WSDLRScheduler(Schedule):
    """timm's ``WSDLRScheduler`` (timm >= 1.0.26): warmup, stable phase, decay to ``lr_min``.

    .. math::
        \\eta(t) = \\eta_{min} + (\\max(\\eta_0 S(t_s), \\eta_{min}) - \\eta_{min})\\,
                   D(\\min(t_d / T_d, 1)) \\quad (t_d > 0), \\qquad
        t_s = t - W, \\ t_d = t_s - (T - T_d)

    and ``max(η0 S(t_s), η_min)`` while ``t_d <= 0``.  ``t_initial`` (T): stable + decay
    length, after the warmup (always a prefix here); ``decay_t`` (T_d, in (0, T]): the
    decay length.  Stable function S: ``constant`` (1), ``rsqrt``
    (``(1 + t_s/τ)^-0.5``), ``power`` (``(1 + t_s/τ)^-stable_power``); τ =
    ``stable_timescale`` (default ``warmup_t``).  Decay function D of the progress f:
    ``linear`` 1 - f, ``1-sqrt`` 1 - √f (default), ``cosine`` ½(1 + cos πf), ``power``
    1 - f^decay_power, ``exp`` (r^f - r)/(1 - r), r = ``decay_ratio``.  timm's callable
    ``decay_fn`` is not accepted (not serializable).
    """

    lr: float
    t_initial: float
    decay_t: float
    lr_min: float = 0.0
    stable_fn: str = "constant"
    stable_timescale: float | None = None
    stable_power: float = 0.5
    decay_fn: str = "1-sqrt"
    decay_power: float = 0.5
    decay_ratio: float = 0.1
    warmup_t: float = 0.0
    warmup_lr_init: float = 0.0
    t_in_epochs: bool = True
    noise_range_t: float | tuple[float, float] | None = None
    noise_pct: float = 0.67
    noise_std: float = 1.0
    noise_seed: int = 42
    _slope: float = field(init=False, repr=False, compare=False)
    _tau: float = field(init=False, repr=False, compare=False)

    __doc__ = (__doc__ or "") + """
    >>> import lrlab
    >>> s = lrlab.parse("timm.WSDLRScheduler(lr=0.1, t_initial=100, decay_t=20, "
    ...                 "decay_fn='linear', warmup_t=10)")
    >>> s(0), s(10), s(90), s(100), s(110)
    (0.0, 0.1, 0.1, 0.05, 0.0)
    """

    warmup_prefix = True  # read by the shared helpers: the warmup is always a prefix

    def __post_init__(self) -> None:
        # the shared check reads warmup_prefix; the class attribute above answers it
        self._set("lr", v.real(self, "lr", self.lr, lo=0))
        self._set("t_initial", v.real(self, "t_initial", self.t_initial, lo=0, lo_open=True))
        self._set(
            "decay_t",
            v.real(self, "decay_t", self.decay_t, lo=0, lo_open=True, hi=self.t_initial),
        )
        self._set("lr_min", v.real(self, "lr_min", self.lr_min, lo=0))
        self._set("stable_fn", v.choice(self, "stable_fn", self.stable_fn, _STABLE_FNS))
        self._set("decay_fn", v.choice(self, "decay_fn", self.decay_fn, _DECAY_FNS))
        self._set(
            "stable_power", v.real(self, "stable_power", self.stable_power, lo=0, lo_open=True)
        )
        self._set(
            "decay_power", v.real(self, "decay_power", self.decay_power, lo=0, lo_open=True)
        )
        self._set(
            "decay_ratio",
            v.real(self, "decay_ratio", self.decay_ratio, lo=0, hi=1, lo_open=True, hi_open=True),
        )
        self._set("warmup_t", v.real(self, "warmup_t", self.warmup_t, lo=0))
        self._set("warmup_lr_init", v.real(self, "warmup_lr_init", self.warmup_lr_init, lo=0))
        self._set("t_in_epochs", v.boolean(self, "t_in_epochs", self.t_in_epochs))
        _check_noise(self)
        tau = self.stable_timescale
        if tau is not None:
            tau = v.real(self, "stable_timescale", tau)
            self._set("stable_timescale", tau)
        if self.stable_fn != "constant":
            tau = self.warmup_t if tau is None else tau
            if tau <= 0:
                raise v.fail(
                    self,
                    "stable_timescale",
                    f"> 0 with stable_fn={self.stable_fn!r} (it defaults to warmup_t)",
                    self.stable_timescale,
                )
        self._set("_tau", 1.0 if tau is None or tau <= 0 else tau)
        self._set("_slope", _linear_slope(self))

    def _eval(self, t: Any, m: Any) -> Any:
        t_s = m.maximum(t - self.warmup_t, 0.0)
        if self.stable_fn == "constant":
            stable = m.maximum(m.full(t, self.lr * 1.0), self.lr_min)
        else:
            power = 0.5 if self.stable_fn == "rsqrt" else self.stable_power
            stable = m.maximum(self.lr * _pow(1.0 + t_s / self._tau, -power, m), self.lr_min)
        t_decay = t_s - (self.t_initial - self.decay_t)
        frac = m.minimum(m.maximum(t_decay, 0.0) / self.decay_t, 1.0)
        fn = self.decay_fn
        if fn == "linear":
            decay = 1.0 - frac
        elif fn == "1-sqrt":
            decay = 1.0 - m.sqrt(frac)
        elif fn == "cosine":
            decay = 0.5 * (1.0 + _cos(math.pi * frac, m))
        elif fn == "power":
            decay = 1.0 - _pow(frac, self.decay_power, m)
        else:
            r = self.decay_ratio
            decay = (_pow(r, frac, m) - r) / (1.0 - r)
        decayed = self.lr_min + (stable - self.lr_min) * decay
        main = m.where(t_decay <= 0, stable, decayed)
        return _warmup(self, t, main, m, self._slope)

    @property
    def horizon(self) -> float | None:
        return self.warmup_t + self.t_initial

    def phases(self) -> tuple[float, ...]:
        out = {self.warmup_t + self.t_initial - self.decay_t, self.warmup_t + self.t_initial}
        if self.warmup_t:
            out.add(self.warmup_t)
        return tuple(sorted(out))


@register("timm.PlateauLRScheduler")
def PlateauLRScheduler(*args: Any, **kwargs: Any) -> Schedule:
    """timm's ``PlateauLRScheduler`` is refused: it is not a function of the step.

    It lowers the LR when a metric stops improving (it wraps torch's ``ReduceLROnPlateau``),
    so its value depends on the metrics seen, not only on ``t``; lrlab schedules are pure
    functions of the step.  Use :class:`lrlab.plateau.ReduceLROnPlateau` (``rule='torch'``)
    on top of a schedule instead.

    >>> from lrlab.compat import timm
    >>> timm.PlateauLRScheduler(lr=0.1)
    Traceback (most recent call last):
    ...
    lrlab.errors.ScheduleError: timm.PlateauLRScheduler: not a pure schedule ...
    """
    raise ScheduleError(
        "timm.PlateauLRScheduler: not a pure schedule (it reduces the LR when a metric stops "
        "improving, so its value is not a function of the step alone); lrlab schedules are "
        "pure functions of the step. Use lrlab.plateau.ReduceLROnPlateau(rule='torch') (timm's "
        "PlateauLRScheduler wraps torch's ReduceLROnPlateau) on top of a schedule"
    )


_SCHEDS = ("cosine", "tanh", "step", "constant", "multistep", "poly", "wsd", "rsqrt", "none",
           "plateau")


@register("timm.create_scheduler_v2")
def create_scheduler_v2(
    lr: float,
    sched: str = "cosine",
    num_epochs: float = 300,
    decay_epochs: float | None = None,
    decay_milestones: Any = (90, 180, 270),
    cooldown_epochs: float = 0,
    patience_epochs: float = 10,
    decay_rate: float = 0.1,
    min_lr: float = 0.0,
    warmup_lr: float = 1e-5,
    warmup_epochs: float = 0,
    warmup_prefix: bool = False,
    noise: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    cycle_mul: float = 1.0,
    cycle_decay: float = 0.1,
    cycle_limit: int = 1,
    k_decay: float = 1.0,
    decay_fn: str | None = None,
    stable_timescale: float | None = None,
    plateau_mode: str = "max",
    step_on_epochs: bool = True,
    updates_per_epoch: int = 0,
) -> Schedule:
    """timm's ``create_scheduler_v2`` factory (``timm/scheduler/scheduler_factory.py``).

    Same arguments, with ``lr`` (the base LR) in place of the optimizer; returns the
    schedule only (timm also returns the number of epochs to train, which is ``horizon``
    plus ``cooldown_epochs`` for the cycle schedulers).  The step ``t`` is an epoch with
    ``step_on_epochs=True`` (timm's default) and an update otherwise, when every length is
    multiplied by ``updates_per_epoch`` as timm does.  ``noise``: fractions of
    ``num_epochs`` (one number: from there on; a pair: a range).  ``sched='none'`` (timm
    returns no scheduler, the LR is left alone) gives ``constant(lr)``; ``'plateau'``
    raises (see :func:`PlateauLRScheduler`).  ``patience_epochs`` and ``plateau_mode``
    only concern ``'plateau'``.

    >>> import lrlab
    >>> s = lrlab.parse("timm.create_scheduler_v2(lr=0.1, num_epochs=100, warmup_epochs=5)")
    >>> s
    timm.CosineLRScheduler(lr=0.1, t_initial=100, cycle_decay=0.1, warmup_t=5, warmup_lr_init=1e-05)
    """
    name = "timm.create_scheduler_v2"
    sched = v.choice(name, "sched", sched, _SCHEDS)
    step_on_epochs = v.boolean(name, "step_on_epochs", step_on_epochs)
    if sched == "plateau":
        return PlateauLRScheduler()
    if sched == "none":
        return Constant(lr)
    if decay_epochs is None:
        decay_epochs = 0.2 if sched in ("wsd", "rsqrt") else 90
    decay_epochs = v.real(name, "decay_epochs", decay_epochs, lo=0)
    t_initial: Any = v.real(name, "num_epochs", num_epochs, lo=0, lo_open=True)
    warmup_t: Any = v.real(name, "warmup_epochs", warmup_epochs, lo=0)
    decay_t: Any = decay_epochs
    milestones = list(v.reals(name, "decay_milestones", decay_milestones, lo=0))
    timescale_t = stable_timescale
    if not step_on_epochs:
        upe = v.integer(name, "updates_per_epoch", updates_per_epoch, lo=1)
        t_initial = t_initial * upe
        warmup_t = warmup_t * upe
        decay_t = decay_t * upe
        milestones = [d * upe for d in milestones]
        if timescale_t is not None:
            timescale_t = v.real(name, "stable_timescale", timescale_t) * upe
    noise_range: Any = None
    if noise is not None:
        if isinstance(noise, (list, tuple)):
            fr = v.reals(name, "noise", noise, lo=0)
            if len(fr) not in (1, 2):
                raise v.fail(name, "noise", "None, a fraction or a pair of fractions", noise)
            noise_range = [n * t_initial for n in fr]
            if len(noise_range) == 1:
                noise_range = noise_range[0]
        else:
            noise_range = v.real(name, "noise", noise, lo=0) * t_initial
    common: dict[str, Any] = dict(
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr,
        t_in_epochs=step_on_epochs,
        noise_range_t=noise_range,
        noise_pct=noise_pct,
        noise_std=noise_std,
        noise_seed=noise_seed,
    )
    cycles: dict[str, Any] = dict(
        cycle_mul=cycle_mul, cycle_decay=cycle_decay, cycle_limit=cycle_limit
    )
    if sched == "cosine":
        return CosineLRScheduler(
            lr, t_initial, lr_min=min_lr, warmup_prefix=warmup_prefix, k_decay=k_decay,
            **cycles, **common,
        )
    if sched == "tanh":
        return TanhLRScheduler(
            lr, t_initial, lr_min=min_lr, warmup_prefix=warmup_prefix, **cycles, **common
        )
    if sched == "poly":
        return PolyLRScheduler(
            lr, t_initial, power=decay_rate, lr_min=min_lr, warmup_prefix=warmup_prefix,
            k_decay=k_decay, **cycles, **common,
        )
    if sched in ("step", "constant"):
        dt, rate = (decay_t, decay_rate) if sched == "step" else (1, 1.0)
        return StepLRScheduler(lr, dt, rate, warmup_prefix=warmup_prefix, **common)
    if sched == "multistep":
        return MultiStepLRScheduler(
            lr, tuple(milestones), decay_rate, warmup_prefix=warmup_prefix, **common
        )
    # wsd / rsqrt: the warmup is always a prefix; warmup_prefix=False fits it in num_epochs
    t_sched = t_initial if warmup_prefix else t_initial - warmup_t
    if 0 < decay_epochs < 1:
        decay_t = decay_epochs * t_sched
    decay_t = round(decay_t)  # timm: int(round(decay_t))
    if not 0 < decay_t <= t_sched:
        raise v.fail(
            name,
            "decay_epochs",
            f"a decay length in (0, {t_sched:g}] after rounding (the {sched} stable + decay "
            "length)",
            decay_epochs,
        )
    return WSDLRScheduler(
        lr,
        t_sched,
        decay_t,
        lr_min=min_lr,
        stable_fn="rsqrt" if sched == "rsqrt" else "constant",
        stable_timescale=timescale_t,
        decay_fn=decay_fn or ("linear" if sched == "rsqrt" else "1-sqrt"),
        **common,
    )


from lrlab._math import SCALAR as _SCALAR  # noqa: E402
