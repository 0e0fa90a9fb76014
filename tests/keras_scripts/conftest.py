"""Keep these scripts out of the main test run.

They import Keras, whose backend is fixed once per process, so the parent test modules
(tests/test_keras_adapter.py, tests/test_keras_resume.py) run them in subprocesses with
``KERAS_BACKEND`` and ``LRLAB_KERAS_SUBPROCESS=1`` set.  Without that variable pytest must not
import them (``--doctest-modules`` would, while collecting)."""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("LRLAB_KERAS_SUBPROCESS") else [
    "keras_checks.py", "keras_resume.py"]
