"""Schedule families: one module per family group, each a pure function of the step."""

from __future__ import annotations

from lrlab.families import constant as _constant
from lrlab.families import cosine as _cosine
from lrlab.families import cyclic as _cyclic
from lrlab.families import exponential as _exponential
from lrlab.families import inverse_sqrt as _inverse_sqrt
from lrlab.families import linear_cosine as _linear_cosine
from lrlab.families import one_cycle as _one_cycle
from lrlab.families import polynomial as _polynomial
from lrlab.families import wsd as _wsd
from lrlab.families.constant import *  # noqa: F403
from lrlab.families.cosine import *  # noqa: F403
from lrlab.families.cyclic import *  # noqa: F403
from lrlab.families.exponential import *  # noqa: F403
from lrlab.families.inverse_sqrt import *  # noqa: F403
from lrlab.families.linear_cosine import *  # noqa: F403
from lrlab.families.one_cycle import *  # noqa: F403
from lrlab.families.polynomial import *  # noqa: F403
from lrlab.families.wsd import *  # noqa: F403

__all__ = [
    *_constant.__all__,
    *_exponential.__all__,
    *_polynomial.__all__,
    *_cosine.__all__,
    *_linear_cosine.__all__,
    *_cyclic.__all__,
    *_one_cycle.__all__,
    *_inverse_sqrt.__all__,
    *_wsd.__all__,
]
