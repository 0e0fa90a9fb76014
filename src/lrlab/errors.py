"""lrlab's exceptions.

Hierarchy::

    Exception
    └── LrlabError                 every error lrlab raises on purpose
        └── ScheduleError(ValueError)   a bad parameter, step, config or spec
            └── SpecError               spec text that does not parse (carries the position)

    UserWarning
    └── LrlabWarning               something legal but probably not meant

Every message names the parameter, the rule it broke and the value received, in one
house style: ``cosine: argument `steps` must be > 0. Received: steps=0``.
"""

from __future__ import annotations

__all__ = ["LrlabError", "LrlabWarning", "ScheduleError", "SpecError"]


class LrlabError(Exception):
    """Base class of the errors lrlab raises on purpose."""


class ScheduleError(LrlabError, ValueError):
    """A schedule parameter, step, config or spec is invalid."""


class SpecError(ScheduleError):
    """Spec text that does not parse; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, text: str, position: int) -> None:
        self.text = text
        self.position = position
        self.reason = message
        super().__init__(f"{message} at position {position}\n  {text}\n  {' ' * position}^")


class LrlabWarning(UserWarning):
    """Something legal that is probably not what the user meant."""
