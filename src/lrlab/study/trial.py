r"""One trial of a study: train one model on one task under one LR schedule and one seed.

The layer under ``lrlab study``'s orchestration (grid, store, resume, report): it knows nothing
of other trials.  Everything is plain data so a trial can run in another process.

**Specs.**  :class:`TaskSpec` says what to train (dataset, model, optimizer, batch size,
epochs, ...); :class:`TrialSpec` adds the schedule, an optional plateau controller and the
seed.  ``TrialSpec.trial_id`` is a stable hash of the canonical JSON of the spec
(:meth:`TrialSpec.to_dict`), the key under which a store can keep the trial.

**LR.**  ``schedule_spec`` is lrlab spec text (``"exponential(0.1, decay_rate=0.9,
decay_steps=1000, staircase=True)"``) that gives the **absolute** LR at every step:
update :math:`t+1` uses :math:`s(t)`, :math:`t` the number of optimizer updates already
applied, through :class:`lrlab.torch.Scheduler`.  ``TaskSpec.lr`` is the optimizer's nominal
LR: the value the optimizer is constructed with and what a preset writes into its
``constant(...)`` baseline; it never scales the schedule.  ``plateau`` (a dict of
:class:`lrlab.plateau.ReduceLROnPlateau` arguments, e.g. ``{"patience": 5, "factor": 0.1,
"rule": "keras"}``) adds a controller fed with the **validation loss** after every epoch
(its multiplier then applies to the rest of training; it needs ``val_fraction > 0``).

**Data.**  The validation set is ``round(val_fraction * N)`` images taken from the training
set by a permutation with a fixed seed (0), the same for every trial of a task whatever its
seed; training uses the rest.  Each epoch visits the training images in a new random order
(its own generator, seeded from the trial seed), in ``ceil(n / batch_size)`` batches (the
last may be smaller).  The whole dataset is moved to the device once.

**Checkpoints and resume.**  With ``checkpoint_dir``, after every epoch :func:`run_trial`
writes ``checkpoint_dir / "checkpoint.pt"`` atomically (a temporary file, ``fsync``, then
``os.replace``), holding the model, optimizer and scheduler (with plateau) states, every random
generator (torch CPU and CUDA, NumPy, Python ``random``, the data-order generator), the epoch
records so far and the elapsed time.  When it starts and finds a checkpoint of the same
``trial_id`` it continues from it; the continued run is bit-identical to one that was never
interrupted (same weights, same metrics), including in a fresh process.  A checkpoint of a
finished trial makes :func:`run_trial` return its result without training.  Checkpoints are
read with ``torch.load(weights_only=True)``, which runs no code from the file.  Work since the
last checkpoint (part of an epoch) is lost on a crash and redone.

**Determinism.**  A trial is a function of its spec: ``torch.manual_seed(seed)`` before the
model is built, ``torch.use_deterministic_algorithms(True)`` while it runs (restored after;
on CUDA with ``warn_only=True``, because some backward kernels, e.g. adaptive average
pooling's, have no deterministic version: a GPU run is then reproducible only up to those
kernels), ``cudnn.benchmark`` off on CUDA (set ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` before CUDA
starts; :func:`run_trial` sets it when it is unset).  Bit-identical results need the same device,
PyTorch version and number of CPU threads (``torch.set_num_threads``, which
:func:`run_trial` leaves to the caller: a parallel orchestrator sets 1 per trial).  The
caller's random states (torch, NumPy, ``random``) are restored when :func:`run_trial`
returns.

**Callbacks** (all optional, all called in the training process):

* ``on_epoch(record)``: after each epoch's checkpoint is written.  When a run resumes, it is
  first called again for every restored epoch, in order: at least once per epoch, keyed by
  ``(trial_id, record.epoch)`` (store with an upsert / ``INSERT OR IGNORE``).
* ``on_step(steps_done, total_steps)``: after every optimizer update (progress).
* ``should_stop()``: polled before every update; ``True`` stops the trial (status
  ``'stopped'``; resume later from the last checkpoint).
* ``lr_log(t, lr)``: for every update, the LR used by update ``t + 1`` (group 0).  A resumed
  run logs the steps of an interrupted epoch again, and replays the LRs of every restored
  epoch (kept in the checkpoint) before that epoch's ``on_epoch`` call, so a caller killed
  between a checkpoint and its own write loses nothing.

>>> task = TaskSpec("fashion-mnist-mini", "mlp", lr=0.1, batch_size=100, epochs=1,
...                 limit_train=300, limit_test=100, val_fraction=0.2)
>>> spec = TrialSpec(task, "constant", "constant(0.1)", seed=0)
>>> spec.trial_id == TrialSpec.from_dict(spec.to_dict()).trial_id
True
>>> result = run_trial(spec)
>>> result.status, len(result.records), result.records[0].step
('finished', 1, 3)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

import lrlab
from lrlab.errors import LrlabError, ScheduleError
from lrlab.plateau import ReduceLROnPlateau
from lrlab.study.data import Dataset, load_dataset
from lrlab.study.models import MODELS, build_model
from lrlab.torch import Scheduler

__all__ = [
    "CHECKPOINT_NAME",
    "EpochRecord",
    "TaskSpec",
    "TrialError",
    "TrialResult",
    "TrialSpec",
    "read_checkpoint",
    "run_trial",
]

#: The checkpoint's file name inside ``checkpoint_dir``.
CHECKPOINT_NAME = "checkpoint.pt"
_FORMAT = "lrlab.study.trial/1"
_OPTIMIZERS = ("sgd", "adam")
_DEVICES = ("auto", "cpu", "cuda")
_EVAL_BATCH = 1000
_SPLIT_SEED = 0


class TrialError(LrlabError):
    """A bad trial spec, or a checkpoint that does not belong to the trial."""


def _bad(owner: str, name: str, rule: str, value: object) -> TrialError:
    return TrialError(f"{owner}: argument `{name}` must be {rule}. Received: {name}={value!r}")


def _int(owner: str, name: str, value: object, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise _bad(owner, name, f"an int >= {lo}", value)
    return value


def _real(owner: str, name: str, value: object, lo: float, hi: float = math.inf,
          hi_open: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        x = float(value)  # type: ignore[arg-type]
        ok = math.isfinite(x) and lo <= x and (x < hi if hi_open else x <= hi)
    if not ok:
        rule = f"a number in [{lo}, {hi}{')' if hi_open else ']'}"
        raise _bad(owner, name, rule, value)
    return float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TaskSpec:
    """What to train: dataset, model, optimizer and budget (see the module docstring).

    * ``dataset``: a name of :data:`lrlab.study.data.DATASETS`; ``model``: of
      :data:`lrlab.study.models.MODELS`.
    * ``optimizer``: ``'sgd'`` or ``'adam'``; ``lr``: its nominal LR (> 0; the schedule gives
      the LR actually used); ``momentum`` (SGD only), ``weight_decay``.
    * ``batch_size``, ``epochs``: ints >= 1.
    * ``val_fraction``: the share of the training images held out for validation, in [0, 1).
    * ``limit_train`` / ``limit_test``: keep the first n images of each split (before the
      validation split), or ``None`` for all.
    * ``target_accuracy``: test accuracy in (0, 1] for :attr:`TrialResult.epochs_to_target`.
    * ``device``: ``'auto'`` (CUDA when available), ``'cpu'`` or ``'cuda'``.
    """

    dataset: str
    model: str
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 100
    epochs: int = 1
    momentum: float = 0.0
    weight_decay: float = 0.0
    val_fraction: float = 0.1
    limit_train: int | None = None
    limit_test: int | None = None
    target_accuracy: float | None = None
    device: str = "auto"

    def __post_init__(self) -> None:
        o = "TaskSpec"
        if not isinstance(self.dataset, str) or not self.dataset:
            raise _bad(o, "dataset", "a dataset name", self.dataset)
        if self.model not in MODELS:
            raise _bad(o, "model", f"one of {', '.join(map(repr, MODELS))}", self.model)
        if self.optimizer not in _OPTIMIZERS:
            raise _bad(o, "optimizer", "'sgd' or 'adam'", self.optimizer)
        if self.device not in _DEVICES:
            raise _bad(o, "device", "'auto', 'cpu' or 'cuda'", self.device)
        set_ = object.__setattr__
        set_(self, "lr", _real(o, "lr", self.lr, 0.0))
        if self.lr <= 0:
            raise _bad(o, "lr", "> 0", self.lr)
        set_(self, "batch_size", _int(o, "batch_size", self.batch_size, 1))
        set_(self, "epochs", _int(o, "epochs", self.epochs, 1))
        set_(self, "momentum", _real(o, "momentum", self.momentum, 0.0, 1.0, hi_open=True))
        if self.momentum and self.optimizer != "sgd":
            raise _bad(o, "momentum", "0 with optimizer='adam' (Adam has betas)",
                       self.momentum)
        set_(self, "weight_decay", _real(o, "weight_decay", self.weight_decay, 0.0))
        set_(self, "val_fraction",
             _real(o, "val_fraction", self.val_fraction, 0.0, 1.0, hi_open=True))
        for name in ("limit_train", "limit_test"):
            val = getattr(self, name)
            if val is not None:
                _int(o, name, val, 1)
        if self.target_accuracy is not None:
            t = _real(o, "target_accuracy", self.target_accuracy, 0.0, 1.0)
            if t <= 0:
                raise _bad(o, "target_accuracy", "in (0, 1] or None", self.target_accuracy)
            set_(self, "target_accuracy", t)

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain JSON-able data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TaskSpec:
        """The inverse of :meth:`to_dict` (unknown keys are an error)."""
        known = {f.name for f in fields(cls)}
        extra = sorted(set(d) - known)
        if extra:
            raise TrialError(f"TaskSpec.from_dict: unknown keys {extra}; known: {sorted(known)}")
        return cls(**d)


@dataclass(frozen=True)
class TrialSpec:
    """One trial: a task, a named schedule (``schedule_name`` is the label in reports,
    ``schedule_spec`` the lrlab spec text of the absolute LR), an optional plateau
    controller (``ReduceLROnPlateau`` keyword arguments, monitoring the validation loss) and
    the seed."""

    task: TaskSpec
    schedule_name: str
    schedule_spec: str
    plateau: dict[str, Any] | None = None
    seed: int = 0
    _schedule: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        o = "TrialSpec"
        if not isinstance(self.task, TaskSpec):
            raise _bad(o, "task", "a TaskSpec", self.task)
        if not isinstance(self.schedule_name, str) or not self.schedule_name:
            raise _bad(o, "schedule_name", "a non-empty str", self.schedule_name)
        if not isinstance(self.schedule_spec, str):
            raise _bad(o, "schedule_spec", "lrlab spec text (a str)", self.schedule_spec)
        try:
            sched = lrlab.parse(self.schedule_spec)
        except ScheduleError as e:
            raise TrialError(f"TrialSpec: argument `schedule_spec` does not parse: {e}") from e
        object.__setattr__(self, "_schedule", sched)
        _int(o, "seed", self.seed, 0)
        if self.plateau is not None:
            if not isinstance(self.plateau, dict):
                raise _bad(o, "plateau", "None or a dict of ReduceLROnPlateau arguments",
                           self.plateau)
            try:
                json.dumps(self.plateau)
                ReduceLROnPlateau(**self.plateau)
            except (TypeError, ValueError) as e:
                raise TrialError(f"TrialSpec: argument `plateau` is not valid "
                                 f"ReduceLROnPlateau arguments: {e}") from e
            if self.task.val_fraction <= 0:
                raise _bad(o, "plateau", "None when task.val_fraction is 0 (the plateau "
                           "controller monitors the validation loss)", self.plateau)

    @property
    def schedule(self) -> Any:
        """The parsed :class:`lrlab.Schedule`."""
        return self._schedule

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data; :meth:`from_dict` rebuilds the spec."""
        return {"task": self.task.to_dict(), "schedule_name": self.schedule_name,
                "schedule_spec": self.schedule_spec,
                "plateau": None if self.plateau is None else dict(self.plateau),
                "seed": self.seed}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrialSpec:
        """The inverse of :meth:`to_dict`."""
        d = dict(d)
        try:
            task = TaskSpec.from_dict(d.pop("task"))
            return cls(task=task, **d)
        except (KeyError, TypeError) as e:
            raise TrialError(f"TrialSpec.from_dict: not a TrialSpec dict ({e})") from e

    def canonical_json(self) -> str:
        """The canonical JSON text hashed by :attr:`trial_id` (sorted keys, no spaces)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @property
    def trial_id(self) -> str:
        """16 hex digits of the SHA-256 of :meth:`canonical_json`; stable across runs,
        processes and machines."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:16]

    def __hash__(self) -> int:
        return hash(self.canonical_json())


@dataclass(frozen=True)
class EpochRecord:
    """Metrics after one epoch.

    * ``epoch``: epochs completed (1-based); ``step``: optimizer updates applied so far.
    * ``train_loss``: mean cross-entropy over the epoch's batches (weighted by batch size,
      measured while training); ``val_loss`` / ``val_accuracy`` (``None`` without a
      validation set) and ``test_loss`` / ``test_accuracy``: after the epoch, in eval mode.
    * ``lr_last``: the LR of the epoch's last update; ``lr_mean``: the mean over its updates
      (param group 0).
    * ``wall_time``: seconds since the trial started (summed over resumed sessions, up to
      the end of this epoch's evaluation); ``samples_per_s``: training images per second of
      this epoch's training loop (evaluation and checkpointing excluded).
    """

    epoch: int
    step: int
    train_loss: float
    val_loss: float | None
    val_accuracy: float | None
    test_loss: float
    test_accuracy: float
    lr_last: float
    lr_mean: float
    wall_time: float
    samples_per_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TrialResult:
    """What :func:`run_trial` returns.

    ``status`` is ``'finished'`` (all epochs done) or ``'stopped'`` (``should_stop``);
    ``records`` holds every completed epoch (also those restored from a checkpoint);
    ``final_test_accuracy`` / ``best_test_accuracy`` (``None`` before the first epoch);
    ``epochs_to_target``: the first epoch whose test accuracy reached
    ``task.target_accuracy`` (``None`` if none did or no target); ``wall_time``: seconds,
    summed over sessions; ``resumed_from``: the epoch a checkpoint restored (0: fresh start).
    """

    spec: TrialSpec
    records: tuple[EpochRecord, ...]
    status: str
    final_test_accuracy: float | None
    best_test_accuracy: float | None
    epochs_to_target: int | None
    wall_time: float
    resumed_from: int = 0

    @property
    def trial_id(self) -> str:
        return self.spec.trial_id


# -- helpers ----------------------------------------------------------------------------------
def _device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise TrialError("TaskSpec: device='cuda' but PyTorch sees no CUDA device "
                         f"(torch {torch.__version__})")
    return torch.device(name)


def _make_optimizer(task: TaskSpec, model: torch.nn.Module) -> torch.optim.Optimizer:
    if task.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=task.lr, weight_decay=task.weight_decay)
    return torch.optim.SGD(model.parameters(), lr=task.lr, momentum=task.momentum,
                           weight_decay=task.weight_decay)


def _split(task: TaskSpec, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    n = len(data.train_y) if task.limit_train is None else min(task.limit_train,
                                                                len(data.train_y))
    n_val = round(task.val_fraction * n)
    if n - n_val < 1:
        raise TrialError(f"TaskSpec: val_fraction={task.val_fraction} leaves no training "
                         f"image of {n}")
    perm = np.random.default_rng(_SPLIT_SEED).permutation(n)
    return perm[n_val:], perm[:n_val]


def _numpy_state() -> dict[str, Any]:
    s: Any = np.random.get_state()
    return {"key": s[0], "pos": int(s[2]), "has_gauss": int(s[3]), "cached": float(s[4]),
            "state": torch.from_numpy(np.asarray(s[1], dtype=np.int64))}


def _set_numpy_state(d: dict[str, Any]) -> None:
    state = d["state"].numpy().astype(np.uint32)
    np.random.set_state((d["key"], state, d["pos"], d["has_gauss"], d["cached"]))


def _rng_states(gen: torch.Generator, cuda: bool) -> dict[str, Any]:
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if cuda else None,
        "numpy": _numpy_state(),
        "python": random.getstate(),
        "data": gen.get_state(),
    }


def _restore_rng(states: dict[str, Any], gen: torch.Generator, cuda: bool) -> None:
    torch.set_rng_state(states["torch"])
    if cuda and states.get("cuda") is not None:
        torch.cuda.set_rng_state_all(states["cuda"])
    _set_numpy_state(states["numpy"])
    random.setstate(_python_state(states["python"]))
    gen.set_state(states["data"])


def _python_state(s: Any) -> Any:
    # torch.load gives back tuples as saved; be tolerant of lists
    version, internal, gauss = s
    return (int(version), tuple(int(x) for x in internal), gauss)


def _atomic_save(obj: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        torch.save(obj, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):     # make the rename durable where the OS allows it
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_checkpoint(checkpoint_dir: str | Path) -> dict[str, Any] | None:
    """The checkpoint in ``checkpoint_dir`` as a dict (``None`` if there is none), read with
    ``torch.load(weights_only=True)`` onto the CPU.  Keys: ``format``, ``trial_id``,
    ``spec`` (:meth:`TrialSpec.to_dict`), ``epoch``, ``step``, ``finished``, ``records``
    (list of :meth:`EpochRecord.to_dict`), ``wall_time``, ``model``, ``optimizer``,
    ``scheduler``, ``rng``."""
    path = Path(checkpoint_dir) / CHECKPOINT_NAME
    if not path.is_file():
        return None
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many kinds for a damaged file
        raise TrialError(f"{path}: not a readable lrlab trial checkpoint "
                         f"({type(e).__name__}: {e})") from e
    if not isinstance(ckpt, dict) or ckpt.get("format") != _FORMAT:
        raise TrialError(f"{path}: not an lrlab trial checkpoint (format "
                         f"{ckpt.get('format') if isinstance(ckpt, dict) else None!r}, "
                         f"expected {_FORMAT!r})")
    return ckpt


@contextlib.contextmanager
def _isolated(device: torch.device) -> Iterator[None]:
    """Run with deterministic algorithms and give the caller back its RNG states."""
    devices = [device.index or 0] if device.type == "cuda" else []
    prev_det = torch.are_deterministic_algorithms_enabled()
    prev_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    prev_bench = torch.backends.cudnn.benchmark
    prev_fill = torch.utils.deterministic.fill_uninitialized_memory  # type: ignore[attr-defined]
    np_state = np.random.get_state()
    py_state = random.getstate()
    with torch.random.fork_rng(devices=devices):
        try:
            # strict on the CPU (every op these models use has a deterministic kernel, and
            # warn_only costs ~8% on small models); on CUDA some backward kernels (adaptive
            # average pooling) have none, so there they only warn
            torch.use_deterministic_algorithms(True, warn_only=device.type == "cuda")
            # the NaN fill of fresh allocations only helps to find kernels that read memory
            # they never wrote; it costs a few % on small models
            torch.utils.deterministic.fill_uninitialized_memory = False  # type: ignore[attr-defined]
            torch.backends.cudnn.benchmark = False
            yield
        finally:
            torch.use_deterministic_algorithms(prev_det, warn_only=prev_warn)
            torch.backends.cudnn.benchmark = prev_bench
            torch.utils.deterministic.fill_uninitialized_memory = prev_fill  # type: ignore[attr-defined]
            np.random.set_state(np_state)
            random.setstate(py_state)


@torch.no_grad()
def _evaluate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    model.eval()
    n = len(y)
    loss = torch.zeros((), dtype=torch.float64, device=x.device)
    correct = torch.zeros((), dtype=torch.int64, device=x.device)
    for i in range(0, n, _EVAL_BATCH):
        out = model(x[i:i + _EVAL_BATCH])
        yb = y[i:i + _EVAL_BATCH]
        loss += F.cross_entropy(out, yb, reduction="sum").double()
        correct += (out.argmax(1) == yb).sum()
    return float(loss.item()) / n, int(correct.item()) / n


def _result(spec: TrialSpec, records: list[EpochRecord], status: str, wall: float,
            resumed_from: int) -> TrialResult:
    accs = [r.test_accuracy for r in records]
    target = spec.task.target_accuracy
    reached = None
    if target is not None:
        reached = next((r.epoch for r in records if r.test_accuracy >= target), None)
    return TrialResult(spec, tuple(records), status, accs[-1] if accs else None,
                       max(accs) if accs else None, reached, wall, resumed_from)


# -- the trial --------------------------------------------------------------------------------
def run_trial(
    spec: TrialSpec,
    *,
    data: Dataset | None = None,
    checkpoint_dir: str | Path | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    on_step: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    lr_log: Callable[[int, float], None] | None = None,
    data_dir: str | Path | None = None,
) -> TrialResult:
    """Train ``spec`` and return its :class:`TrialResult` (see the module docstring).

    ``data``: the dataset (loaded with :func:`~lrlab.study.data.load_dataset` from
    ``data_dir`` / ``$LRLAB_DATA_DIR`` when ``None``; it must be ``spec.task.dataset``);
    ``task.limit_train`` / ``limit_test`` apply to it either way.  ``checkpoint_dir``: where
    to checkpoint after every epoch and resume from (created if needed); ``None``: no
    checkpoints.  Callbacks: see the module docstring.
    """
    task = spec.task
    if data is None:
        data = load_dataset(task.dataset, data_dir, limit_train=task.limit_train,
                            limit_test=task.limit_test)
    elif data.name != task.dataset:
        raise _bad("run_trial", "data", f"the dataset {task.dataset!r} of the task",
                   data.name)
    device = _device(task.device)
    if device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    ckpt_path: Path | None = None
    ckpt: dict[str, Any] | None = None
    if checkpoint_dir is not None:
        Path(checkpoint_dir).mkdir(parents=True, exist_ok=True)
        ckpt_path = Path(checkpoint_dir) / CHECKPOINT_NAME
        for stale in Path(checkpoint_dir).glob(f".{CHECKPOINT_NAME}.*.tmp"):
            with contextlib.suppress(OSError):   # left by a process killed while saving
                stale.unlink()
        ckpt = read_checkpoint(checkpoint_dir)
        if ckpt is not None and ckpt.get("trial_id") != spec.trial_id:
            raise TrialError(f"{ckpt_path}: the checkpoint belongs to trial "
                             f"{ckpt.get('trial_id')!r}, not to {spec.trial_id!r} "
                             f"(spec {spec.canonical_json()})")
    with _isolated(device):
        return _train(spec, data, device, ckpt, ckpt_path, on_epoch, on_step, should_stop,
                      lr_log)


def _train(
    spec: TrialSpec,
    data: Dataset,
    device: torch.device,
    ckpt: dict[str, Any] | None,
    ckpt_path: Path | None,
    on_epoch: Callable[[EpochRecord], None] | None,
    on_step: Callable[[int, int], None] | None,
    should_stop: Callable[[], bool] | None,
    lr_log: Callable[[int, float], None] | None,
) -> TrialResult:
    task = spec.task
    session_start = time.perf_counter()
    cuda = device.type == "cuda"

    # seeds: the model (and dropout) from the global generator, the data order from its own
    torch.manual_seed(spec.seed)
    np.random.seed(spec.seed)
    random.seed(spec.seed)
    gen = torch.Generator()
    gen.manual_seed(spec.seed + 0x5EED)

    train_idx, val_idx = _split(task, data)
    n_test = len(data.test_y) if task.limit_test is None else min(task.limit_test,
                                                                   len(data.test_y))

    def tensor(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a)).to(device)

    x_train, y_train = tensor(data.train_x[train_idx]), tensor(data.train_y[train_idx])
    x_val, y_val = tensor(data.train_x[val_idx]), tensor(data.train_y[val_idx])
    x_test, y_test = tensor(data.test_x[:n_test]), tensor(data.test_y[:n_test])

    model = build_model(task.model, data.in_shape, data.num_classes).to(device)
    opt = _make_optimizer(task, model)
    plateau = ReduceLROnPlateau(**spec.plateau) if spec.plateau is not None else None
    sched = Scheduler(opt, spec.schedule, plateau=plateau)

    records: list[EpochRecord] = []
    lr_history: list[float] = []  # the LR of every update so far (kept in the checkpoint)
    start_epoch, step, wall_before = 0, 0, 0.0
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        _restore_rng(ckpt["rng"], gen, cuda)
        records = [EpochRecord(**r) for r in ckpt["records"]]
        start_epoch, step = int(ckpt["epoch"]), int(ckpt["step"])
        wall_before = float(ckpt["wall_time"])
        lr_history = [float(x) for x in ckpt.get("lrs", [])]
        # replay what the caller may have missed if it died between the checkpoint and its
        # own write: every restored epoch, each preceded by its per-update LRs
        first = 0
        for r in records:
            if lr_log is not None:
                for t in range(first, min(r.step, len(lr_history))):
                    lr_log(t, lr_history[t])
            first = r.step
            if on_epoch is not None:
                on_epoch(r)
        if ckpt.get("finished"):
            return _result(spec, records, "finished", wall_before, start_epoch)

    n = len(y_train)
    bs = task.batch_size
    spe = -(-n // bs)
    total_steps = spe * task.epochs
    # weights of the batch losses in the epoch's mean training loss
    weights = torch.full((spe,), float(bs), dtype=torch.float64, device=device)
    weights[-1] = float(n - bs * (spe - 1))
    group0 = opt.param_groups[0]

    for epoch in range(start_epoch, task.epochs):
        model.train()
        perm = torch.randperm(n, generator=gen).to(device)
        losses: list[torch.Tensor] = []
        lrs: list[float] = []
        t0 = time.perf_counter()
        for b in range(spe):
            if should_stop is not None and should_stop():
                return _result(spec, records, "stopped",
                               wall_before + time.perf_counter() - session_start, start_epoch)
            idx = perm[b * bs:(b + 1) * bs]
            xb, yb = x_train.index_select(0, idx), y_train.index_select(0, idx)
            lr = group0["lr"]
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.detach())
            lrs.append(lr)
            if lr_log is not None:
                lr_log(step, float(lr))
            step += 1
            if on_step is not None:
                on_step(step, total_steps)
        train_loss_t = (torch.stack(losses).double() * weights).sum() / n
        if cuda:
            torch.cuda.synchronize(device)
        train_time = time.perf_counter() - t0
        train_loss = float(train_loss_t.item())

        val_loss = val_acc = None
        if len(val_idx):
            val_loss, val_acc = _evaluate(model, x_val, y_val)
        test_loss, test_acc = _evaluate(model, x_test, y_test)
        if plateau is not None:
            sched.observe(val_loss)
        record = EpochRecord(
            epoch=epoch + 1, step=step, train_loss=train_loss, val_loss=val_loss,
            val_accuracy=val_acc, test_loss=test_loss, test_accuracy=test_acc,
            lr_last=float(lrs[-1]), lr_mean=float(math.fsum(lrs) / len(lrs)),
            wall_time=wall_before + time.perf_counter() - session_start,
            samples_per_s=n / train_time if train_time > 0 else math.inf,
        )
        records.append(record)
        lr_history.extend(float(x) for x in lrs)
        if ckpt_path is not None:
            _atomic_save({
                "format": _FORMAT, "trial_id": spec.trial_id, "spec": spec.to_dict(),
                "epoch": epoch + 1, "step": step, "finished": epoch + 1 == task.epochs,
                "records": [r.to_dict() for r in records], "wall_time": record.wall_time,
                "model": model.state_dict(), "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(), "rng": _rng_states(gen, cuda),
                "lrs": lr_history,
            }, ckpt_path)
        if on_epoch is not None:
            on_epoch(record)
    wall = wall_before + time.perf_counter() - session_start
    return _result(spec, records, "finished", wall, start_epoch)
