"""The LR range test on a small PyTorch MLP and the MNIST test set (writes lr_finder.png).

The model and the optimizer are restored after the sweep, so training can start right away
with the proposed schedule.

Run: python docs/examples/lr_finder_torch.py [OUTDIR]   (default: docs/images)
MNIST: ../shared/data/mnist beside the checkout, or set MNIST_DIR.
"""

import gzip
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import torch
from matplotlib.figure import Figure

import lrlab
from lrlab.finder.torch import find_lr_torch

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "images"
out.mkdir(parents=True, exist_ok=True)
mnist = Path(os.environ.get("MNIST_DIR", Path(__file__).parents[3] / "shared/data/mnist"))

with gzip.open(mnist / "t10k-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
with gzip.open(mnist / "t10k-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)
x = (torch.tensor(images, dtype=torch.float32) / 255 - 0.1307) / 0.3081
data = torch.utils.data.TensorDataset(x[:8000], torch.tensor(labels[:8000], dtype=torch.long))
loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True)

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

result = find_lr_torch(
    model, optimizer, torch.nn.functional.cross_entropy, loader,
    start_lr=1e-4, end_lr=10, num_steps=100, seed=0,
)
print({name: f"{lr:.3g}" for name, lr in result.suggestions.items()})
print(result.propose(total_steps=2000))             # one_cycle(...) peaking at the suggestion
print(result.propose(total_steps=2000, kind="cyclic"))  # triangular CLR, max_lr / 4 .. max_lr

fig = Figure(figsize=(7, 4.2), layout="constrained")
ax = result.plot(fig.add_subplot())
ax.set_title("LR range test: MLP on MNIST (SGD, batch 64)")
fig.savefig(out / "lr_finder.png", dpi=100)
schedule = lrlab.parse(result.propose(total_steps=2000))
