"""Warmup -> cosine x ReduceLROnPlateau in PyTorch: the plateau controller scales the schedule
down when the validation loss stops improving, instead of replacing it.

Per update the LR is max(schedule(count) * multiplier, min(min_lr, schedule(count))); the
multiplier starts at 1 and is multiplied by `factor` on each plateau.  Under torchrun the
validation loss is averaged across ranks before the decision (sync='auto').

Run: python docs/examples/torch_plateau.py
"""

import torch

import lrlab
from lrlab.plateau import ReduceLROnPlateau
from lrlab.torch import Scheduler

torch.manual_seed(0)
x, x_val = torch.randn(512, 6), torch.randn(128, 6)
w = torch.randn(6, 1)
y, y_val = x @ w + 0.3 * torch.randn(512, 1), x_val @ w + 0.3 * torch.randn(128, 1)

model = torch.nn.Linear(6, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
schedule = lrlab.parse("warmup(cosine(0.05, steps=760, alpha=0.1), steps=40, start=0.0)")
plateau = ReduceLROnPlateau(mode="min", factor=0.5, patience=2, threshold=1e-3, min_lr=1e-4)
sched = Scheduler(opt, schedule, plateau=plateau)

for epoch in range(25):
    for i in range(0, 512, 16):  # 32 updates per epoch
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x[i:i + 16]), y[i:i + 16]).backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        val = torch.nn.functional.mse_loss(model(x_val), y_val)
    sched.step(val)  # same call as torch's ReduceLROnPlateau; Lightning does it with `monitor`
    lr = opt.param_groups[0]["lr"]
    assert lr == plateau.lr(schedule(sched.count))
    print(f"epoch {epoch:2d}  val {val.item():.4f}  x{plateau.multiplier:<7g} lr {lr:.3e}")

assert plateau.num_reductions >= 1, "the validation loss plateaus near the noise floor"
print(f"{plateau.num_reductions} reductions; state: {sched.state_dict()['plateau']['multiplier']}")
