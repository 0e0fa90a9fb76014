"""lrlab: learning-rate schedules that are exact, composable and the same in every framework.

The step convention: ``t`` is the 0-based count of optimizer updates already applied, so
update number ``t + 1`` uses ``s(t)`` (see :mod:`lrlab.schedule`).

>>> import lrlab
>>> s = lrlab.parse("warmup(cosine(0.1, steps=9000, alpha=0.01), steps=1000, start=0.0)")
>>> s(0), round(s(1000), 12)
(0.0, 0.1)
>>> lrlab.from_config(s.to_config()) == s
True
"""

from __future__ import annotations

from lrlab import compat as compat
from lrlab import compose as _compose
from lrlab import families as _families
from lrlab.compose import *  # noqa: F403
from lrlab.config import dump, dumps, from_config, load, loads
from lrlab.errors import LrlabError, LrlabWarning, ScheduleError, SpecError
from lrlab.export import describe, export_csv, export_json
from lrlab.families import *  # noqa: F403
from lrlab.finder import LRFinderResult, find_lr
from lrlab.plateau import ReduceLROnPlateau
from lrlab.plot import plot
from lrlab.registry import names
from lrlab.schedule import Schedule
from lrlab.spec import parse
from lrlab.tensorboard import write_tensorboard

__version__ = "0.1.0"

__all__ = [
    "LRFinderResult",
    "LrlabError",
    "LrlabWarning",
    "Schedule",
    "ReduceLROnPlateau",
    "ScheduleError",
    "SpecError",
    "compat",
    "describe",
    "dump",
    "dumps",
    "export_csv",
    "export_json",
    "find_lr",
    "from_config",
    "load",
    "loads",
    "names",
    "parse",
    "plot",
    "write_tensorboard",
    *_families.__all__,
    *_compose.__all__,
]
