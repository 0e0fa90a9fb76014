"""Combinators: schedules built from other schedules (warmup, join, product, clamp...)."""

from __future__ import annotations

from lrlab.compose import arith as _arith
from lrlab.compose import clamp as _clamp
from lrlab.compose import epochs as _epochs
from lrlab.compose import join as _join
from lrlab.compose import repeat as _repeat
from lrlab.compose import shift as _shift
from lrlab.compose import warmup as _warmup
from lrlab.compose.arith import *  # noqa: F403
from lrlab.compose.clamp import *  # noqa: F403
from lrlab.compose.epochs import *  # noqa: F403
from lrlab.compose.join import *  # noqa: F403
from lrlab.compose.repeat import *  # noqa: F403
from lrlab.compose.shift import *  # noqa: F403
from lrlab.compose.warmup import *  # noqa: F403

__all__ = [
    *_arith.__all__,
    *_warmup.__all__,
    *_join.__all__,
    *_clamp.__all__,
    *_shift.__all__,
    *_repeat.__all__,
    *_epochs.__all__,
]
