"""Progress display of ``lrlab study``: a bar for the whole study and one per running trial.

:class:`Progress` draws with rich when the output is a terminal; otherwise (a log file, CI)
it prints one line per finished trial.  :class:`QuietProgress` prints nothing.  The runner
calls the same methods on either (see :func:`lrlab.study.runner.run_study`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import IO, Any

__all__ = ["Progress", "QuietProgress"]


def _fmt(result: Mapping[str, Any] | None) -> str:
    if result is None:
        return "stopped or failed"
    acc = result.get("final_test_accuracy")
    best = result.get("best_test_accuracy")
    return (f"test acc {acc:.4f} (best {best:.4f})" if acc is not None and best is not None
            else "done")


class QuietProgress:
    """No output at all."""

    def start(self, total: int, done: int) -> None:
        """The study starts: ``total`` trials, ``done`` of them already finished."""

    def trial_started(self, trial: Any) -> None:
        """A trial (a :class:`~lrlab.study.runner.TrialPlan`) started or resumed."""

    def trial_step(self, trial: Any, done: int, total: int) -> None:
        """A trial applied ``done`` of its ``total`` updates."""

    def trial_done(self, trial: Any, result: Mapping[str, Any] | None) -> None:
        """A trial ended (``result`` None: stopped or failed)."""

    def message(self, text: str) -> None:
        """A line for the user."""

    def close(self) -> None:
        """The study ended."""


class Progress(QuietProgress):
    """Rich progress bars on a terminal, plain lines elsewhere (``stream``: default stderr)."""

    def __init__(self, stream: IO[str] | None = None, *, force_terminal: bool | None = None
                 ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._rich: Any = None
        self._tasks: dict[str, Any] = {}
        self._overall: Any = None
        self._total = 0
        self._done = 0
        tty = force_terminal if force_terminal is not None else (
            hasattr(self.stream, "isatty") and self.stream.isatty())
        if tty:
            try:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    TextColumn,
                    TimeElapsedColumn,
                    TimeRemainingColumn,
                )
                from rich.progress import Progress as RichProgress
            except ImportError:  # pragma: no cover - rich is in the cli extra
                return
            console = Console(file=self.stream, force_terminal=True)
            self._rich = RichProgress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False)

    def start(self, total: int, done: int) -> None:
        self._total, self._done = total, done
        if self._rich is not None:
            self._rich.start()
            self._overall = self._rich.add_task("study (trials)", total=total, completed=done)
        elif done:
            self.message(f"resuming: {done} of {total} trials already done")

    def trial_started(self, trial: Any) -> None:
        if self._rich is not None and trial.trial_id not in self._tasks:
            self._tasks[trial.trial_id] = self._rich.add_task(
                f"  {trial.label}", total=trial.total_steps)

    def trial_step(self, trial: Any, done: int, total: int) -> None:
        if self._rich is not None and trial.trial_id in self._tasks:
            self._rich.update(self._tasks[trial.trial_id], completed=done, total=total)

    def trial_done(self, trial: Any, result: Mapping[str, Any] | None) -> None:
        if result is not None:
            self._done += 1
        if self._rich is not None:
            tid = self._tasks.pop(trial.trial_id, None)
            if tid is not None:
                self._rich.remove_task(tid)
            if result is not None:
                self._rich.advance(self._overall)
                self._rich.console.print(f"[{self._done}/{self._total}] {trial.label}: "
                                         f"{_fmt(result)}", highlight=False)
        else:
            self.message(f"[{self._done}/{self._total}] {trial.label}: {_fmt(result)}")

    def message(self, text: str) -> None:
        if self._rich is not None:
            self._rich.console.print(text, highlight=False, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
