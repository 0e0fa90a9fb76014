"""Plot a composite schedule next to two classics (writes composite.png).

Run: python docs/examples/plot_composite.py [OUTDIR]   (default: docs/images)
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

import lrlab
from lrlab.plot import plot

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "images"
out.mkdir(parents=True, exist_ok=True)

# 20,000 steps: linear warmup, cosine decay to 1% with two warm restarts, then a flat tail
composite = lrlab.parse(
    "join([warmup(cosine(0.01, steps=7000, alpha=0.01), steps=1000, start=0.0001),"
    " repeat(cosine(0.005, steps=5000, alpha=0.02), period=5000, decay=0.6)],"
    " boundaries=[8000])"
)
schedules = {
    "composite (join of warmup-cosine and repeat)": composite,
    "one_cycle(0.01, total_steps=20000)": lrlab.parse("one_cycle(0.01, total_steps=20000)"),
    "wsd(0.01, 1000, 15000, 4000)": lrlab.parse(
        "wsd(0.01, warmup_steps=1000, stable_steps=15000, decay_steps=4000)"
    ),
}

fig = Figure(figsize=(8, 4.5), layout="constrained")
ax = plot(schedules, steps=20_000, ax=fig.add_subplot(), title="Three 20,000-step schedules")
fig.savefig(out / "composite.png", dpi=100)

print(repr(composite))
print("first phases:", composite.phases()[:4])
