"""lrlab schedules in Keras 3 (the ``keras`` extra; any backend: TensorFlow, JAX, PyTorch).

Two ways to drive the LR, both by the **global step**, ``optimizer.iterations`` (the number of
updates already applied, saved with the optimizer, never reset by ``fit()``):

:class:`LearningRateSchedule`
    A ``keras.optimizers.schedules.LearningRateSchedule``: pass it as the optimizer's
    ``learning_rate``.  The optimizer evaluates it at ``iterations`` before each update (update
    ``t + 1`` uses ``s(t)``).  It is saved with the model (``get_config`` holds the lrlab
    config) and restored by ``keras.models.load_model`` (registered as
    ``"lrlab>LearningRateSchedule"``; importing :mod:`lrlab.keras` registers it).

    How it is evaluated: when the step is a concrete value (PyTorch backend, eager
    TensorFlow / JAX) the schedule runs on the host in float64 and is rounded once to float32.
    Inside a compiled graph (TensorFlow ``tf.function`` / XLA, ``jax.jit``) the schedules of
    :data:`lrlab._jnp.TRACEABLE` are traced with ``keras.ops`` (float32 arithmetic, within
    1e-5 of the peak; XLA-compatible); other schedules are evaluated on the host through
    ``tf.numpy_function`` or ``jax.pure_callback`` (exact).  ``tf.numpy_function`` cannot run
    inside XLA: on the TensorFlow backend, compile with ``jit_compile=False`` for such
    schedules, or use :class:`ScheduleCallback`, which works with every schedule and setting.

:class:`ScheduleCallback`
    A callback that sets ``optimizer.learning_rate = s(t)`` before every batch, with
    ``t = iterations`` (``unit='step'``) or ``t = iterations // steps_per_epoch``
    (``unit='epoch'``).  Unlike ``keras.callbacks.LearningRateScheduler`` (epoch-only, and it
    sees ``epoch = 0`` again at every ``fit()``), it follows the global step, so
    ``fit(epochs=1)`` in an outer loop, ``initial_epoch``, and save / load in a fresh process
    all continue the schedule where it was.  It keeps no state of its own.

:class:`ReduceLROnPlateau`
    :class:`ScheduleCallback` times the framework-free controller of :mod:`lrlab.plateau`:
    the LR is ``controller.lr(s(t))``; the controller sees ``logs[monitor]`` at each epoch end
    and, unlike Keras's own ``ReduceLROnPlateau``, is *not* reset by ``fit()``.
    ``state_dict()`` / ``load_state_dict()`` carry it across processes.

Importing this module imports ``keras`` (which fixes the Keras backend for the process: set
``KERAS_BACKEND`` before).  See ``docs/keras.md`` and ``docs/keras_pitfalls.md``; the examples
in ``docs/examples/keras_*.py`` are run by the tests.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import keras
import numpy as np
from keras import ops

from lrlab._jnp import OpsBackend, traceable, try_trace
from lrlab.config import from_config
from lrlab.errors import LrlabWarning, ScheduleError
from lrlab.plateau import ReduceLROnPlateau as _Controller
from lrlab.schedule import Schedule
from lrlab.spec import parse

__all__ = ["LearningRateSchedule", "ReduceLROnPlateau", "ScheduleCallback", "UNITS"]

#: The units :class:`ScheduleCallback` counts in.
UNITS = ("step", "epoch")


def _as_schedule(schedule: Any, who: str) -> Schedule:
    if isinstance(schedule, str):
        return parse(schedule)
    if isinstance(schedule, dict):
        return cast(Schedule, from_config(schedule))
    if not isinstance(schedule, Schedule):
        raise ScheduleError(
            f"{who}: argument `schedule` must be an lrlab Schedule, spec text or a config "
            f"dict. Received: schedule={schedule!r}"
        )
    return schedule


def _host_value(schedule: Schedule, step: Any) -> np.float32:
    """``float32(schedule(step))`` for a concrete step (a number, array, tensor, Variable)."""
    n = np.asarray(ops.convert_to_numpy(step)).item()
    return np.float32(schedule(n))


def _is_symbolic(step: Any) -> bool:
    """Whether ``step`` is a value being traced into a graph (TF function, JAX jit)."""
    backend = keras.backend.backend()
    if isinstance(step, keras.Variable):
        step = step.value
    if backend == "tensorflow":
        import tensorflow as tf

        return not tf.executing_eagerly()
    if backend == "jax":
        import jax

        return isinstance(step, jax.core.Tracer)
    return False


@keras.saving.register_keras_serializable(package="lrlab", name="LearningRateSchedule")
class LearningRateSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """An lrlab schedule as a Keras ``LearningRateSchedule`` (see the module docstring).

    ``schedule``: an lrlab :class:`~lrlab.schedule.Schedule`, spec text, or its config dict.
    ``mode``: how it is evaluated inside a compiled graph: ``'auto'`` (traced with
    ``keras.ops`` where possible, else a host callback), ``'trace'`` or ``'callback'``.
    Concrete (eager) steps are always evaluated on the host in float64.

    ``optimizer = keras.optimizers.SGD(learning_rate=LearningRateSchedule(s))``; the schedule
    is saved with the model and restored by ``keras.models.load_model``.

    >>> import keras
    >>> from lrlab.keras import LearningRateSchedule
    >>> sched = LearningRateSchedule("warmup(cosine(0.1, steps=90), steps=10)")
    >>> float(sched(10))                  # a concrete step: float32(s(10))
    0.10000000149011612
    >>> sched.get_config()["schedule"]["type"]
    'warmup'
    >>> keras.saving.get_registered_name(LearningRateSchedule)
    'lrlab>LearningRateSchedule'
    """

    def __init__(self, schedule: Schedule | str | dict[str, Any], mode: str = "auto") -> None:
        super().__init__()
        self.schedule = _as_schedule(schedule, "lrlab.keras.LearningRateSchedule")
        if mode not in ("auto", "trace", "callback"):
            raise ScheduleError(
                "lrlab.keras.LearningRateSchedule: argument `mode` must be one of 'auto', "
                f"'trace', 'callback'. Received: mode={mode!r}"
            )
        if mode == "trace" and not traceable(self.schedule):
            raise ScheduleError(
                f"lrlab.keras.LearningRateSchedule: {self.schedule!r} cannot be traced "
                "(mode='trace'); use mode='auto' or 'callback'"
            )
        self.mode = mode

    def __call__(self, step: Any) -> Any:
        if not _is_symbolic(step):
            return ops.convert_to_tensor(_host_value(self.schedule, step), dtype="float32")
        if self.mode != "callback" and traceable(self.schedule):
            t = ops.cast(step, "float32")
            value, err = try_trace(self.schedule, t, OpsBackend(ops, "float32"))
            if err is None:
                return ops.cast(value, "float32")
            if self.mode == "trace":
                raise ScheduleError(
                    f"lrlab.keras.LearningRateSchedule: {self.schedule!r} cannot be traced "
                    f"with keras.ops (mode='trace'). Cause: {type(err).__name__}: "
                    f"{(str(err).splitlines() or [''])[0]}"
                ) from None
        return self._callback(step)

    def _callback(self, step: Any) -> Any:
        schedule = self.schedule
        backend = keras.backend.backend()
        if isinstance(step, keras.Variable):
            step = step.value
        if backend == "tensorflow":
            import tensorflow as tf

            out = tf.numpy_function(lambda n: _host_value(schedule, n), [step], tf.float32,
                                    stateful=False, name="lrlab_schedule")
            out.set_shape([])
            return out
        if backend == "jax":
            from lrlab.jax import to_optax

            return to_optax(schedule, mode="callback", dtype="float32")(step)
        raise ScheduleError(  # pragma: no cover - torch / numpy steps are never symbolic
            f"lrlab.keras.LearningRateSchedule: cannot evaluate a symbolic step on the "
            f"{backend!r} backend"
        )

    def get_config(self) -> dict[str, Any]:
        """``{"schedule": <lrlab config>, "mode": ...}``: JSON, rebuilt by ``from_config``."""
        return {"schedule": self.schedule.to_config(), "mode": self.mode}

    def __repr__(self) -> str:
        return f"lrlab.keras.LearningRateSchedule({self.schedule!r}, mode={self.mode!r})"


class ScheduleCallback(keras.callbacks.Callback):
    """Set the optimizer's LR to ``s(t)`` before every batch, by the global step.

    ``schedule``: an lrlab schedule, spec text or config dict.  ``unit``: ``'step'``
    (``t = optimizer.iterations``) or ``'epoch'`` (``t = iterations // steps_per_epoch``;
    ``steps_per_epoch`` defaults to the number of batches ``fit()`` reports, and must be given
    when that is unknown, e.g. for a generator, or when epochs have different lengths).

    The optimizer must have a plain (float) learning rate, not a ``LearningRateSchedule``.

    >>> from lrlab.keras import ScheduleCallback
    >>> cb = ScheduleCallback("step_decay(0.1, step_size=2, gamma=0.5)", unit="epoch",
    ...                       steps_per_epoch=100)
    >>> cb.lr_at(0), cb.lr_at(199), cb.lr_at(200)   # the LR set before update step + 1
    (0.1, 0.1, 0.05)
    """

    def __init__(
        self,
        schedule: Schedule | str | dict[str, Any],
        *,
        unit: str = "step",
        steps_per_epoch: int | None = None,
    ) -> None:
        super().__init__()
        who = f"lrlab.keras.{type(self).__name__}"
        self.schedule = _as_schedule(schedule, who)
        if unit not in UNITS:
            raise ScheduleError(
                f"{who}: argument `unit` must be one of 'step', 'epoch'. Received: unit={unit!r}"
            )
        if steps_per_epoch is not None and (
            isinstance(steps_per_epoch, bool)
            or not isinstance(steps_per_epoch, (int, np.integer))
            or steps_per_epoch < 1
        ):
            raise ScheduleError(
                f"{who}: argument `steps_per_epoch` must be an integer >= 1 or None. "
                f"Received: steps_per_epoch={steps_per_epoch!r}"
            )
        self.unit = unit
        self.steps_per_epoch = None if steps_per_epoch is None else int(steps_per_epoch)

    # -- the step and the LR ----------------------------------------------------------------
    @property
    def step(self) -> int:
        """The global step now: ``optimizer.iterations`` (updates already applied)."""
        return int(np.asarray(ops.convert_to_numpy(self.model.optimizer.iterations)))

    def _t(self, step: int) -> int:
        if self.unit == "step":
            return step
        spe = self.steps_per_epoch or (self.params or {}).get("steps")
        if not spe:
            raise ScheduleError(
                f"lrlab.keras.{type(self).__name__}: unit='epoch' needs `steps_per_epoch`: "
                "fit() does not know the number of batches per epoch. "
                f"Received: steps_per_epoch={self.steps_per_epoch!r}"
            )
        return step // int(spe)

    def lr_at(self, step: int) -> float:
        """The LR (float64) this callback sets before the update that follows ``step``."""
        return self.schedule(self._t(step))

    def _apply(self) -> None:
        # always assign (cheap): another callback may have changed the LR in between
        self.model.optimizer.learning_rate = self.lr_at(self.step)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        opt = self.model.optimizer
        if isinstance(opt._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
            raise ScheduleError(
                f"lrlab.keras.{type(self).__name__}: the optimizer's learning_rate is a "
                "LearningRateSchedule; a callback can only drive a plain learning rate. "
                f"Received: learning_rate={opt._learning_rate!r}"
            )
        self._apply()

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._apply()

    def __repr__(self) -> str:
        spe = "" if self.steps_per_epoch is None else f", steps_per_epoch={self.steps_per_epoch}"
        return f"lrlab.keras.{type(self).__name__}({self.schedule!r}, unit={self.unit!r}{spe})"


class ReduceLROnPlateau(ScheduleCallback):
    """A schedule scaled by :class:`lrlab.plateau.ReduceLROnPlateau`, as a Keras callback.

    Before every batch the LR is ``controller.lr(s(t))``; at every epoch end the controller
    receives ``logs[monitor]`` (and the schedule's value at the current step as its base).
    The controller is never reset by ``fit()``; :meth:`state_dict` / :meth:`load_state_dict`
    save and restore it (JSON-able) for resuming in another process.

    ``schedule``: an lrlab schedule (spec text, config dict) or ``None``: the optimizer's LR
    when training first begins, held constant (Keras's own callback).  ``controller``: an
    :class:`lrlab.plateau.ReduceLROnPlateau`, or pass its keyword arguments (``factor``,
    ``patience``, ``min_lr``, ``rule='keras'`` for Keras's counting, ...).  ``unit`` and
    ``steps_per_epoch`` as :class:`ScheduleCallback`.  ``verbose``: print each reduction.
    """

    def __init__(
        self,
        schedule: Schedule | str | dict[str, Any] | None = None,
        *,
        monitor: str = "val_loss",
        controller: _Controller | None = None,
        unit: str = "step",
        steps_per_epoch: int | None = None,
        verbose: int = 0,
        **controller_kwargs: Any,
    ) -> None:
        super().__init__("constant(1.0)" if schedule is None else schedule, unit=unit,
                         steps_per_epoch=steps_per_epoch)
        self._from_optimizer = schedule is None
        if controller is not None and controller_kwargs:
            raise ScheduleError(
                "lrlab.keras.ReduceLROnPlateau: pass either `controller` or its keyword "
                f"arguments, not both. Received: {sorted(controller_kwargs)}"
            )
        if controller is not None and not isinstance(controller, _Controller):
            raise ScheduleError(
                "lrlab.keras.ReduceLROnPlateau: argument `controller` must be an "
                f"lrlab.plateau.ReduceLROnPlateau. Received: controller={controller!r}"
            )
        self.controller = controller if controller is not None else _Controller(
            **controller_kwargs
        )
        self.monitor = monitor
        self.verbose = verbose

    def lr_at(self, step: int) -> float:
        return self.controller.lr(self.schedule(self._t(step)))

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if self._from_optimizer:
            lr = float(np.asarray(ops.convert_to_numpy(self.model.optimizer.learning_rate)))
            self.schedule = parse(f"constant({lr!r})")
            self._from_optimizer = False
        super().on_train_begin(logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"lrlab.keras.ReduceLROnPlateau: the metric {self.monitor!r} is not in the "
                f"logs (available: {', '.join(sorted(logs or {}))}); no plateau decision",
                LrlabWarning, stacklevel=2,
            )
            return
        step = self.step
        before = self.controller.num_reductions
        self.controller.update(float(value), base_lr=self.schedule(self._t(step)))
        if self.controller.num_reductions != before and self.verbose:
            print(f"\nEpoch {epoch + 1}: lrlab ReduceLROnPlateau reducing the learning rate "
                  f"to {self.lr_at(step):.6g} (multiplier {self.controller.multiplier:.6g})")
        self._apply()

    def state_dict(self) -> dict[str, Any]:
        """JSON-able: the schedule's config and the controller's state."""
        return {"schedule": None if self._from_optimizer else self.schedule.to_config(),
                "controller": self.controller.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` (also the base LR taken from the optimizer)."""
        if state.get("schedule") is not None:
            saved = _as_schedule(state["schedule"], "lrlab.keras.ReduceLROnPlateau")
            if not self._from_optimizer and saved != self.schedule:
                raise ScheduleError(
                    "lrlab.keras.ReduceLROnPlateau.load_state_dict: argument `state` must "
                    f"hold the same schedule. Received: {saved!r}, this callback has "
                    f"{self.schedule!r}"
                )
            self.schedule = saved
            self._from_optimizer = False
        self.controller.load_state_dict(state["controller"])
