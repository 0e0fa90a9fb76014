"""Draw the gallery: one image per schedule family (20,000 steps, base LR 0.01) and an
overview (the same as `lrlab gallery -o OUTDIR/gallery`).

Run: python docs/examples/gallery.py [OUTDIR]   (default: docs/images)
"""

import sys
from pathlib import Path

from lrlab.plot import GALLERY, gallery

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "images"

written, skipped = gallery(out / "gallery", "png")
print(f"{len(written)} images for {len(GALLERY)} families; skipped: {sorted(skipped)}")
assert not skipped, skipped
