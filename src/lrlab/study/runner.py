"""Run a study: plan the grid, run the trials (local processes or Ray), store, resume.

:func:`plan` turns a :class:`~lrlab.study.config.StudyConfig` into trial specs
(:class:`lrlab.study.trial.TrialSpec`, placeholders in the spec text resolved from each task's
training-set size).  :func:`run_study` runs every trial that is not done yet and records it in
the study directory::

    DIR/study.sqlite                 results (see lrlab.study.store)
    DIR/checkpoints/<trial_id>/      per-epoch checkpoints (resume)
    DIR/.lock                        held while a run is in progress

**Resume.**  Re-running the same study in the same directory skips finished trials; a trial
that was running when the study was killed restarts from its last checkpoint (bit-identical
to an uninterrupted run), and its epochs are upserted, never duplicated.

**Backends.**  ``local`` runs trials in ``jobs`` worker processes (``jobs=1``: in this
process); ``ray`` runs each trial as a Ray task (a local Ray instance with ``jobs`` CPUs, or
the cluster at ``address``).  Every trial runs with one PyTorch thread, so the results do not
depend on the backend or on ``jobs``.  Workers send their records to the driver, which is the
database's only writer.

**Signals.**  SIGINT / SIGTERM (Ctrl-C) ask the running trials to stop before their next
update; the trials go back to ``pending`` and the study can be resumed.  A second Ctrl-C stops
at once (the checkpoints are still there).  Worker processes die with the driver (Linux
``PR_SET_PDEATHSIG``), so a killed study leaves nothing running.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrlab.errors import LrlabError
from lrlab.study.config import StudyConfig, resolve_spec
from lrlab.study.store import DB_NAME, Store

__all__ = ["BACKENDS", "StudyError", "StudyOutcome", "TrialPlan", "plan", "run_study"]

BACKENDS = ("local", "ray")
#: seconds between two progress messages of one trial.
_STEP_EVERY = 0.2


class StudyError(LrlabError):
    """The study cannot run (directory in use, missing data, a bad backend...)."""


@dataclass(frozen=True)
class TrialPlan:
    """One trial of the grid: names, seed, and the trial spec as plain data."""

    trial_id: str
    task: str
    schedule: str
    seed: int
    spec: dict[str, Any]          # lrlab.study.trial.TrialSpec.to_dict()
    total_steps: int

    @property
    def label(self) -> str:
        return f"{self.task} / {self.schedule} / seed {self.seed}"


@dataclass
class StudyOutcome:
    """What :func:`run_study` did."""

    directory: Path
    total: int
    ran: int = 0
    skipped: int = 0
    failed: int = 0
    stopped: bool = False
    wall_time: float = 0.0


# -- planning ---------------------------------------------------------------------------------
def _train_size(dataset: str, data_dir: str | Path | None, limit_train: int | None) -> int:
    from lrlab.study.data import load_dataset

    ds = load_dataset(dataset, data_dir, limit_train=limit_train, limit_test=1)
    return len(ds.train_y)


def plan(config: StudyConfig, data_dir: str | Path | None = None) -> list[TrialPlan]:
    """The trials of ``config`` in grid order (loads each task's dataset once to know its
    size; a missing dataset raises :class:`lrlab.study.data.DatasetError`)."""
    from lrlab.study.trial import TaskSpec, TrialSpec

    out = []
    for task in config.tasks:
        n = _train_size(task.dataset, data_dir, task.limit_train)
        n_train = n - round(task.val_fraction * n)
        spe = -(-n_train // task.batch_size)
        for sc in config.schedules:
            text = resolve_spec(sc.spec, steps_per_epoch=spe, epochs=task.epochs)
            import lrlab

            lr0 = float(lrlab.parse(text)(0))
            ts = TaskSpec(
                dataset=task.dataset, model=task.model, optimizer=task.optimizer,
                lr=lr0 if lr0 > 0 else 1e-3, batch_size=task.batch_size, epochs=task.epochs,
                momentum=task.momentum, weight_decay=task.weight_decay,
                val_fraction=task.val_fraction, limit_train=task.limit_train,
                limit_test=task.limit_test, target_accuracy=config.target_accuracy,
                device="auto")
            for seed in config.seeds:
                spec = TrialSpec(ts, sc.name, text, plateau=sc.plateau, seed=seed)
                out.append(TrialPlan(spec.trial_id, task.name, sc.name, seed, spec.to_dict(),
                                     spe * task.epochs))
    return out


# -- the worker side --------------------------------------------------------------------------
_DATA_CACHE: dict[tuple[Any, ...], Any] = {}


def _set_pdeathsig() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def execute_trial(spec_dict: dict[str, Any], checkpoint_dir: str, data_dir: str | None,
                  emit: Callable[[tuple[Any, ...]], None],
                  should_stop: Callable[[], bool]) -> dict[str, Any]:
    """Run one trial (in whatever process this is) and return its result as plain data.

    ``emit`` receives ``("start", id)``, ``("epoch", id, record, lrs)``, ``("step", id,
    done, total)``; ``should_stop`` is polled before every update."""
    import torch

    from lrlab.study.data import load_dataset
    from lrlab.study.trial import TrialSpec, run_trial

    torch.set_num_threads(1)
    spec = TrialSpec.from_dict(spec_dict)
    tid = spec.trial_id
    task = spec.task
    key = (task.dataset, data_dir, task.limit_train, task.limit_test)
    if key not in _DATA_CACHE:
        _DATA_CACHE.clear()
        _DATA_CACHE[key] = load_dataset(task.dataset, data_dir, limit_train=task.limit_train,
                                        limit_test=task.limit_test)
    emit(("start", tid))
    lrs: list[tuple[int, float]] = []
    last = [0.0]

    def on_epoch(rec: Any) -> None:
        emit(("epoch", tid, rec.to_dict(), list(lrs)))
        lrs.clear()

    def on_step(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= _STEP_EVERY or done == total:
            last[0] = now
            emit(("step", tid, done, total))

    res = run_trial(spec, data=_DATA_CACHE[key], checkpoint_dir=checkpoint_dir,
                    on_epoch=on_epoch, on_step=on_step, should_stop=should_stop,
                    lr_log=lambda t, lr: lrs.append((t, lr)))
    return {
        "trial_id": tid, "status": res.status,
        "final_test_accuracy": res.final_test_accuracy,
        "best_test_accuracy": res.best_test_accuracy,
        "epochs_to_target": res.epochs_to_target, "wall_time": res.wall_time,
        "resumed_from": res.resumed_from, "records": [r.to_dict() for r in res.records],
        "lrs": lrs,
    }


# local worker processes: a queue to the driver and a stop flag, set by the initializer
_W_QUEUE: Any = None
_W_STOP: Any = None


def _init_worker(q: Any, stop: Any) -> None:
    global _W_QUEUE, _W_STOP
    _set_pdeathsig()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the driver decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _W_QUEUE, _W_STOP = q, stop


def _pool_task(spec_dict: dict[str, Any], checkpoint_dir: str, data_dir: str | None
               ) -> dict[str, Any]:
    parent = os.getppid()
    return execute_trial(spec_dict, checkpoint_dir, data_dir, _W_QUEUE.put,
                         lambda: _W_STOP.is_set() or os.getppid() != parent)


def _ray_task(spec_dict: dict[str, Any], checkpoint_dir: str, data_dir: str | None,
              events: Any) -> dict[str, Any]:
    def emit(ev: tuple[Any, ...]) -> None:
        if ev[0] != "step":
            events.put(ev)
        else:
            with contextlib.suppress(Exception):
                events.put_nowait(ev)

    return execute_trial(spec_dict, checkpoint_dir, data_dir, emit, lambda: False)


# -- the driver -------------------------------------------------------------------------------
class _NullProgress:
    def start(self, total: int, done: int) -> None: ...
    def trial_started(self, trial: TrialPlan) -> None: ...
    def trial_step(self, trial: TrialPlan, done: int, total: int) -> None: ...
    def trial_done(self, trial: TrialPlan, result: Mapping[str, Any] | None) -> None: ...
    def message(self, text: str) -> None: ...
    def close(self) -> None: ...


@contextlib.contextmanager
def _lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    fh = open(directory / ".lock", "w")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StudyError(f"{directory} is in use by another `lrlab study` run (its .lock "
                             f"is held); wait for it or use another --out") from None
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


class _Driver:
    def __init__(self, store: Store, trials: list[TrialPlan], progress: Any) -> None:
        self.store = store
        self.by_id = {t.trial_id: t for t in trials}
        self.progress = progress
        self.stop_requested = threading.Event()

    def handle(self, ev: tuple[Any, ...]) -> None:
        kind, tid = ev[0], ev[1]
        trial = self.by_id.get(tid)
        if trial is None:
            return
        if kind == "start":
            self.store.mark_running(tid)
            self.progress.trial_started(trial)
        elif kind == "epoch":
            rec, lrs = ev[2], ev[3]
            self.store.add_epoch(tid, rec["epoch"], rec)
            if lrs:
                self.store.add_lrs(tid, lrs)
        elif kind == "step":
            self.progress.trial_step(trial, ev[2], ev[3])

    def finish(self, tid: str, result: dict[str, Any] | None, error: str | None,
               outcome: StudyOutcome) -> None:
        trial = self.by_id[tid]
        if error is not None:
            self.store.mark_failed(tid, error)
            outcome.failed += 1
            self.progress.message(f"trial {trial.label} failed:\n{error}")
            self.progress.trial_done(trial, None)
            return
        assert result is not None
        for rec in result["records"]:
            self.store.add_epoch(tid, rec["epoch"], rec)
        if result["lrs"]:
            self.store.add_lrs(tid, result["lrs"])
        if result["status"] == "finished":
            summary = {k: result[k] for k in ("final_test_accuracy", "best_test_accuracy",
                                              "epochs_to_target", "resumed_from")}
            self.store.mark_done(tid, summary, result["wall_time"])
            outcome.ran += 1
            self.progress.trial_done(trial, summary)
        else:
            self.store.mark_stopped(tid)
            self.progress.trial_done(trial, None)


def run_study(
    config: StudyConfig,
    directory: str | os.PathLike[str],
    *,
    jobs: int = 1,
    backend: str = "local",
    address: str | None = None,
    data_dir: str | Path | None = None,
    progress: Any = None,
    handle_signals: bool = True,
    trials: list[TrialPlan] | None = None,
) -> StudyOutcome:
    """Run (or resume) ``config`` in ``directory``; see the module docstring.

    ``progress``: an object with the methods of :class:`lrlab.study.progress.Progress`
    (default: none).  ``handle_signals``: install SIGINT/SIGTERM handlers for a clean stop
    (only possible in the main thread).  ``trials``: a precomputed :func:`plan`.
    """
    if backend not in BACKENDS:
        raise StudyError(f"argument `backend` must be one of {', '.join(BACKENDS)}. "
                         f"Received: backend={backend!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise StudyError(f"argument `jobs` must be an integer >= 1. Received: jobs={jobs!r}")
    if address is not None and backend != "ray":
        raise StudyError("argument `address` needs backend='ray'")
    directory = Path(directory)
    progress = progress or _NullProgress()
    t0 = time.perf_counter()
    if trials is None:
        trials = plan(config, data_dir)
    with _lock(directory):
        store = Store(directory / DB_NAME)
        try:
            store.init_study(config.to_dict(), [
                {"trial_id": t.trial_id, "task": t.task, "schedule": t.schedule,
                 "seed": t.seed, "spec": t.spec} for t in trials])
            store.set_meta("notes", json.dumps(config.notes, sort_keys=True))
            store.reset_interrupted()
            done = {t["trial_id"] for t in store.trials("done")}
            todo = [t for t in trials if t.trial_id not in done]
            outcome = StudyOutcome(directory, len(trials), skipped=len(trials) - len(todo))
            driver = _Driver(store, trials, progress)
            progress.start(len(trials), outcome.skipped)
            with _signals(driver, handle_signals):
                if todo:
                    ckdir = directory / "checkpoints"
                    dd = None if data_dir is None else str(data_dir)
                    if backend == "ray":
                        _run_ray(driver, todo, ckdir, dd, jobs, address, outcome)
                    elif jobs == 1:
                        _run_inline(driver, todo, ckdir, dd, outcome)
                    else:
                        _run_pool(driver, todo, ckdir, dd, jobs, outcome)
            outcome.stopped = driver.stop_requested.is_set()
        finally:
            progress.close()
            store.close()
    outcome.wall_time = time.perf_counter() - t0
    return outcome


@contextlib.contextmanager
def _signals(driver: _Driver, enabled: bool) -> Iterator[None]:
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if driver.stop_requested.is_set():
            raise KeyboardInterrupt
        driver.stop_requested.set()
        driver.progress.message("stopping: the running trials stop at their next update "
                                "(Ctrl-C again to stop at once); re-run the same command to "
                                "resume")

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _error_text(e: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(e), e)).strip()


def _run_inline(driver: _Driver, todo: list[TrialPlan], ckdir: Path, data_dir: str | None,
                outcome: StudyOutcome) -> None:
    import torch

    threads = torch.get_num_threads()
    try:
        for t in todo:
            if driver.stop_requested.is_set():
                break
            try:
                res = execute_trial(t.spec, str(ckdir / t.trial_id), data_dir, driver.handle,
                                    driver.stop_requested.is_set)
            except Exception as e:
                driver.finish(t.trial_id, None, _error_text(e), outcome)
                continue
            driver.finish(t.trial_id, res, None, outcome)
    finally:
        torch.set_num_threads(threads)


def _drain(driver: _Driver, q: Any, timeout: float) -> None:
    try:
        ev = q.get(timeout=timeout)
    except queue.Empty:
        return
    driver.handle(ev)
    while True:
        try:
            ev = q.get_nowait()
        except queue.Empty:
            return
        driver.handle(ev)


def _run_pool(driver: _Driver, todo: list[TrialPlan], ckdir: Path, data_dir: str | None,
              jobs: int, outcome: StudyOutcome) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    stop = ctx.Event()
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx,
                               initializer=_init_worker, initargs=(q, stop))
    futures: dict[Future[dict[str, Any]], str] = {}
    try:
        for t in todo:
            futures[pool.submit(_pool_task, t.spec, str(ckdir / t.trial_id), data_dir)] = \
                t.trial_id
        pending = set(futures)
        while pending:
            if driver.stop_requested.is_set() and not stop.is_set():
                stop.set()
                for f in pending:
                    f.cancel()
            _drain(driver, q, 0.1)
            finished, pending = wait(pending, timeout=0, return_when=FIRST_COMPLETED)
            for f in finished:
                if f.cancelled():
                    continue
                _drain(driver, q, 0.0)
                exc = f.exception()
                driver.finish(futures[f], None if exc else f.result(),
                              None if exc is None else _error_text(exc), outcome)
        _drain(driver, q, 0.0)
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        q.close()


def _run_ray(driver: _Driver, todo: list[TrialPlan], ckdir: Path, data_dir: str | None,
             jobs: int, address: str | None, outcome: StudyOutcome) -> None:
    try:
        import ray
        from ray.util.queue import Queue as RayQueue
    except ImportError:
        raise StudyError("backend 'ray' needs Ray: pip install 'lrlab[ray]'") from None
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                  "configure_logging": False}
        if address is None:
            kwargs["num_cpus"] = jobs
        else:
            kwargs["address"] = address
        # Ray starts workers at niceness 15; on a local instance the trials are the work, so
        # run them at the driver's priority (as the local backend does) unless the user chose.
        unset = address is None and "RAY_worker_niceness" not in os.environ
        if unset:
            os.environ["RAY_worker_niceness"] = "0"
        try:
            ray.init(**kwargs)
        finally:
            if unset:
                os.environ.pop("RAY_worker_niceness", None)
        started = True
    try:
        events = RayQueue(maxsize=10_000)
        remote = ray.remote(num_cpus=1, max_retries=0)(_ray_task)
        refs = {remote.remote(t.spec, str((ckdir / t.trial_id).resolve()), data_dir, events):
                t.trial_id for t in todo}
        pending = list(refs)
        while pending:
            if driver.stop_requested.is_set():
                for r in pending:
                    ray.cancel(r, force=True)
                    driver.store.mark_stopped(refs[r])   # resumes from its checkpoint
                break
            ready, pending = ray.wait(pending, num_returns=1, timeout=0.1)
            for ev in events.get_nowait_batch(events.qsize()) if events.qsize() else []:
                driver.handle(ev)
            for r in ready:
                for ev in events.get_nowait_batch(events.qsize()) if events.qsize() else []:
                    driver.handle(ev)
                try:
                    res = ray.get(r)
                except Exception as e:
                    cause = getattr(e, "cause", None) or e
                    driver.finish(refs[r], None, _error_text(cause), outcome)
                    continue
                driver.finish(refs[r], res, None, outcome)
    finally:
        if started:
            ray.shutdown()
