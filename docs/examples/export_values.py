"""Export a schedule's values as CSV and JSON, and summarize it (no matplotlib needed).

Run: python docs/examples/export_values.py [OUTDIR]   (default: a temporary directory)
"""

import json
import sys
import tempfile
from pathlib import Path

import lrlab
from lrlab.export import describe, export_csv, export_json, step_range

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)

s = lrlab.parse("warmup(cosine(0.1, steps=9000, alpha=0.01), steps=1000, start=0.001)")

# a JSON list of floats, each exact (it reads back to the same float64)
text = export_json(s, [0, 500, 1000, 5000, 10000])
print(text)
assert json.loads(text) == [s(t) for t in (0, 500, 1000, 5000, 10000)]

# CSV: a step column and one column per schedule, every 100th step
export_csv({"warmup_cosine": s, "flat": lrlab.Constant(0.05)}, step_range(0, 10_001, 100),
           out / "lr.csv")
print((out / "lr.csv").read_text().splitlines()[:3])

# the summary behind `lrlab describe`
d = describe(s, steps_per_epoch=100, epochs=100)
print(f"peak {d['peak']:.3g} at step {d['peak_step']}, integral {d['integral']:.4g}, "
      f"warnings: {d['warnings']}")
