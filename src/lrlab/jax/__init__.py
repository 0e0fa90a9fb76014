"""lrlab schedules in JAX and optax (the ``jax`` extra).

:func:`to_optax` turns any lrlab schedule into a function of the step that works wherever
optax expects a schedule: called eagerly, under :func:`jax.jit`, inside
:func:`optax.inject_hyperparams`, under :func:`jax.vmap`.  The step is optax's ``count``, the
number of updates already applied (update ``t + 1`` uses ``s(t)``, lrlab's convention).

Two evaluation paths, chosen per schedule (``mode``):

``'trace'``
    The schedule's own formula (its ``_eval``) is traced with a ``jax.numpy`` back end
    (:class:`lrlab._jnp.OpsBackend`) and compiled into the XLA graph: no host round trip.
    Arithmetic is in JAX's default float dtype (float32 unless ``jax_enable_x64``); steps are
    exact below 2**24 in float32.  Available for the schedule types in
    :data:`lrlab._jnp.TRACEABLE` (constant, step_decay, exponential, natural_exp,
    inverse_time, legacy_decay, linear, polynomial without ``cycle``, cosine without
    ``periodic``, linear_cosine, inverse_sqrt, noam, one_cycle, wsd, and scale / product /
    per_epoch over them); their traced value is within 1e-5 of the schedule's peak of the
    NumPy value (in practice a few float32 ulps).
``'callback'``
    The step is sent to the host with :func:`jax.pure_callback` and the schedule is evaluated
    by its NumPy path in float64, then rounded once to the output dtype: exactly
    ``dtype(schedule(t))``.  Works for every schedule (piecewise tables, warmup / join /
    repeat / shift / clamp composites, seeded noise, compat classes).
``'auto'`` (default)
    ``'trace'`` when :func:`lrlab._jnp.traceable` says so, else ``'callback'``.

>>> import jax, lrlab
>>> from lrlab.jax import to_optax
>>> f = to_optax(lrlab.parse("cosine(0.1, steps=100)"))
>>> f.mode, round(float(jax.jit(f)(50)), 6)
('trace', 0.05)
>>> g = to_optax("warmup(cosine(0.1, steps=90), steps=10)")
>>> g.mode, float(jax.jit(g)(5)) == float(jax.numpy.float32(g.schedule(5)))
('callback', True)

:class:`ReduceLROnPlateau` drives the framework-free controller of :mod:`lrlab.plateau` on
top of a schedule and writes the resulting LR into an ``optax.inject_hyperparams`` state.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from lrlab._jnp import OpsBackend, traceable, try_trace
from lrlab.errors import ScheduleError
from lrlab.plateau import ReduceLROnPlateau as _Controller
from lrlab.schedule import Schedule
from lrlab.spec import parse

__all__ = ["JaxSchedule", "MODES", "ReduceLROnPlateau", "set_hyperparam", "to_optax"]

#: The evaluation modes :func:`to_optax` accepts.
MODES = ("auto", "trace", "callback")


def _as_schedule(schedule: Any, who: str) -> Schedule:
    if isinstance(schedule, str):
        return parse(schedule)
    if not isinstance(schedule, Schedule):
        raise ScheduleError(
            f"{who}: argument `schedule` must be an lrlab Schedule or spec text. "
            f"Received: schedule={schedule!r}"
        )
    return schedule


class JaxSchedule:
    """An lrlab schedule as a JAX function of the step (made by :func:`to_optax`).

    Calling it with a step (Python int, int or float array, traced or not) returns an array of
    the same shape and dtype ``self.dtype``.  ``schedule`` is the lrlab schedule, ``mode`` the
    evaluation path in use (``'trace'`` or ``'callback'``).

    >>> import jax.numpy as jnp, lrlab
    >>> f = to_optax(lrlab.Constant(0.5))
    >>> f(jnp.arange(3)).tolist()
    [0.5, 0.5, 0.5]
    >>> f
    JaxSchedule(constant(value=0.5), mode='trace', dtype=float32)
    """

    __slots__ = ("__weakref__", "_backend", "dtype", "mode", "schedule")

    def __init__(self, schedule: Schedule, mode: str, dtype: Any) -> None:
        self.schedule = schedule
        self.mode = mode
        self.dtype = jnp.dtype(dtype)
        self._backend = OpsBackend(jnp, self.dtype)

    def __call__(self, count: Any) -> Any:
        t = jnp.asarray(count)
        if self.mode == "trace":
            tf = t.astype(self.dtype)
            value, err = try_trace(self.schedule, tf, self._backend)
            if err is not None:
                cause = (str(err).splitlines() or [""])[0]
                raise ScheduleError(
                    f"lrlab.jax: {self.schedule!r} cannot be traced with jax.numpy "
                    f"(mode='trace'); use mode='callback' or 'auto'. "
                    f"Cause: {type(err).__name__}: {cause}"
                ) from None
            return jnp.broadcast_to(jnp.asarray(value, self.dtype), t.shape)
        return self._callback(t)

    def _callback(self, t: Any) -> Any:
        schedule, dtype = self.schedule, self.dtype

        def host(steps: Any) -> Any:
            return np.asarray(schedule(np.asarray(steps, dtype=np.float64)), dtype=dtype)

        out = jax.ShapeDtypeStruct(t.shape, dtype)
        return jax.pure_callback(host, out, t, vmap_method="expand_dims")

    def __repr__(self) -> str:
        return f"JaxSchedule({self.schedule!r}, mode={self.mode!r}, dtype={self.dtype})"


def to_optax(schedule: Schedule | str, *, mode: str = "auto", dtype: Any = None) -> JaxSchedule:
    """``schedule`` (an lrlab Schedule or spec text) as an optax schedule ``count -> lr``.

    ``mode``: ``'auto'``, ``'trace'`` or ``'callback'`` (see the module docstring).
    ``dtype``: the output dtype (default: JAX's default float, float32 unless x64 is on).

    >>> import optax, jax.numpy as jnp
    >>> opt = optax.inject_hyperparams(optax.sgd)(
    ...     learning_rate=to_optax("step_decay(0.1, step_size=2, gamma=0.5)"))
    >>> params = {"w": jnp.zeros(2)}
    >>> state = opt.init(params)
    >>> lrs = []                 # the LR used by updates 1..5: s(0) .. s(4)
    >>> for _ in range(5):
    ...     _, state = opt.update({"w": jnp.ones(2)}, state, params)
    ...     lrs.append(round(float(state.hyperparams["learning_rate"]), 6))
    >>> lrs
    [0.1, 0.1, 0.05, 0.05, 0.025]
    >>> to_optax("constant(0.1)", mode="fast")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lrlab.errors.ScheduleError: lrlab.jax.to_optax: argument `mode` must be one of ... mode='fast'
    """
    s = _as_schedule(schedule, "lrlab.jax.to_optax")
    if mode not in MODES:
        raise ScheduleError(
            "lrlab.jax.to_optax: argument `mode` must be one of "
            f"{', '.join(map(repr, MODES))}. Received: mode={mode!r}"
        )
    dt = jnp.result_type(float) if dtype is None else dtype
    if mode == "callback" or (mode == "auto" and not traceable(s)):
        return JaxSchedule(s, "callback", dt)
    f = JaxSchedule(s, "trace", dt)
    try:  # trace once now: an error here, not at the first jitted update
        jax.eval_shape(f, jax.ShapeDtypeStruct((), jnp.int32))
    except ScheduleError:
        if mode == "trace":
            raise
        return JaxSchedule(s, "callback", dt)
    return f


# -- inject_hyperparams state -------------------------------------------------------------
def _is_inject_state(x: Any) -> bool:
    return (
        isinstance(x, tuple)
        and hasattr(x, "_fields")
        and "hyperparams" in x._fields
        and "count" in x._fields
        and isinstance(getattr(x, "hyperparams", None), dict)
    )


def _find(state: Any, name: str) -> list[Any]:
    if _is_inject_state(state) and name in state.hyperparams:
        return [state]
    if isinstance(state, (tuple, list)):
        return [s for x in state for s in _find(x, name)]
    if isinstance(state, dict):
        return [s for x in state.values() for s in _find(x, name)]
    return []


def _replace(state: Any, name: str, value: Any) -> Any:
    if _is_inject_state(state) and name in state.hyperparams:
        old = state.hyperparams[name]
        hp = dict(state.hyperparams)
        hp[name] = jnp.asarray(value, dtype=jnp.asarray(old).dtype)
        return state._replace(hyperparams=hp)
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(_replace(x, name, value) for x in state))
    if isinstance(state, (tuple, list)):
        return type(state)(_replace(x, name, value) for x in state)
    if isinstance(state, dict):
        return type(state)((k, _replace(x, name, value)) for k, x in state.items())
    return state


def set_hyperparam(opt_state: Any, value: Any, name: str = "learning_rate") -> Any:
    """A copy of ``opt_state`` whose ``optax.inject_hyperparams`` hyperparameter ``name`` is
    ``value`` (found anywhere in a chain / nested state; the dtype stays the state's).

    The hyperparameter must have been given to ``inject_hyperparams`` as a number: a callable
    hyperparameter is recomputed by optax at every update and would ignore the value set.

    >>> import optax, jax.numpy as jnp
    >>> opt = optax.chain(optax.clip(1.0), optax.inject_hyperparams(optax.sgd)(learning_rate=0.1))
    >>> st = set_hyperparam(opt.init({"w": jnp.zeros(1)}), 0.05)
    >>> round(float(st[1].hyperparams["learning_rate"]), 6)
    0.05
    >>> set_hyperparam(optax.sgd(0.1).init({"w": jnp.zeros(1)}), 0.05)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lrlab.errors.ScheduleError: lrlab.jax.set_hyperparam: argument `opt_state` must ... tuple
    """
    if not _find(opt_state, name):
        raise ScheduleError(
            "lrlab.jax.set_hyperparam: argument `opt_state` must contain an "
            f"optax.inject_hyperparams state with a {name!r} hyperparameter. "
            f"Received: opt_state of type {type(opt_state).__name__}"
        )
    return _replace(opt_state, name, value)


def _count(opt_state: Any, name: str) -> int:
    found = _find(opt_state, name)
    if not found:
        set_hyperparam(opt_state, 0.0, name)  # raises the error
    return int(np.asarray(found[0].count))


class ReduceLROnPlateau:
    """A schedule times :class:`lrlab.plateau.ReduceLROnPlateau`, for optax.

    The LR of update ``t + 1`` is ``controller.lr(schedule(t))`` (the closed form of the
    schedule, scaled by the controller's multiplier).  The controller is a host-side state
    machine, so the LR is written into the optimizer state on the host, outside ``jit``:
    build the optimizer with ``optax.inject_hyperparams(...)(learning_rate=<a number>)`` and,
    before each update, ``opt_state = plateau.inject(opt_state)`` (it reads the step from the
    state's ``count``).  After each evaluation, ``plateau.update(metric, opt_state)``.

    ``schedule``: an lrlab schedule or spec text (default ``constant(1.0)``: a plain
    multiplier, or pass the base LR).  ``controller``: a :class:`lrlab.plateau.ReduceLROnPlateau`,
    or give its keyword arguments here (``factor``, ``patience``, ``rule``, ...).

    >>> import optax, jax.numpy as jnp
    >>> plateau = ReduceLROnPlateau("constant(0.1)", factor=0.5, patience=1)
    >>> opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0)
    >>> state = opt.init({"w": jnp.zeros(1)})
    >>> for loss in [1.0, 1.0, 1.0]:
    ...     state = plateau.inject(state)
    ...     _ = plateau.update(loss, state)
    >>> round(float(plateau.inject(state).hyperparams["learning_rate"]), 6)
    0.025
    >>> plateau.state_dict()["controller"]["num_reductions"]
    2
    """

    def __init__(
        self,
        schedule: Schedule | str = "constant(1.0)",
        controller: _Controller | None = None,
        *,
        hyperparam: str = "learning_rate",
        **controller_kwargs: Any,
    ) -> None:
        self.schedule = _as_schedule(schedule, "lrlab.jax.ReduceLROnPlateau")
        if controller is not None and controller_kwargs:
            raise ScheduleError(
                "lrlab.jax.ReduceLROnPlateau: pass either `controller` or its keyword "
                f"arguments, not both. Received: {sorted(controller_kwargs)}"
            )
        if controller is not None and not isinstance(controller, _Controller):
            raise ScheduleError(
                "lrlab.jax.ReduceLROnPlateau: argument `controller` must be an "
                f"lrlab.plateau.ReduceLROnPlateau. Received: controller={controller!r}"
            )
        self.controller = controller if controller is not None else _Controller(
            **controller_kwargs
        )
        self.hyperparam = hyperparam

    def lr(self, step: int) -> float:
        """The LR for update ``step + 1``: ``controller.lr(schedule(step))`` (float64)."""
        return self.controller.lr(self.schedule(step))

    def inject(self, opt_state: Any) -> Any:
        """``opt_state`` with the LR for its next update (step = the state's ``count``)."""
        return set_hyperparam(opt_state, self.lr(_count(opt_state, self.hyperparam)),
                              self.hyperparam)

    def update(self, metric: Any, opt_state: Any = None, *, step: int | None = None) -> float:
        """Feed one metric; return the controller's multiplier.  The schedule's current value
        (the base the controller's ``min_lr`` / ``eps`` compare against) is taken at ``step``,
        or at the ``count`` of ``opt_state``, or at 0."""
        if step is None:
            step = 0 if opt_state is None else _count(opt_state, self.hyperparam)
        return self.controller.update(float(metric), base_lr=self.schedule(step))

    def state_dict(self) -> dict[str, Any]:
        """JSON-able: the schedule's config and the controller's state."""
        return {"schedule": self.schedule.to_config(),
                "controller": self.controller.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` (the schedule must be equal to this one's)."""
        from lrlab.config import from_config

        saved = from_config(state["schedule"])
        if saved != self.schedule:
            raise ScheduleError(
                "lrlab.jax.ReduceLROnPlateau.load_state_dict: argument `state` must hold the "
                f"same schedule. Received: {saved!r}, this object has {self.schedule!r}"
            )
        self.controller.load_state_dict(state["controller"])

    def __repr__(self) -> str:
        return f"lrlab.jax.ReduceLROnPlateau({self.schedule!r}, {self.controller!r})"
