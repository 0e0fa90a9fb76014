"""Write schedules as TensorBoard runs (no TensorFlow or PyTorch needed), then view them with
`tensorboard --logdir OUTDIR/tb`.

Run: python docs/examples/tensorboard_export.py [OUTDIR]   (default: a temporary directory)
"""

import sys
import tempfile
from pathlib import Path

from lrlab.tensorboard import write_tensorboard

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())

paths = write_tensorboard(
    {
        "warmup_cosine": "warmup(cosine(0.1, steps=90000), steps=10000, start=0.001)",
        "one_cycle": "one_cycle(0.1, total_steps=100000)",
    },
    out / "tb",
    steps=100_000,  # at most ~10,000 points per run, plus both sides of every phase boundary
)
for p in paths:
    print(Path(p).relative_to(out).parent)
