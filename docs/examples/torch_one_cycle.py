"""One-cycle LR with inverse momentum, and a 10x smaller LR for the first layer, from one
lrlab.torch.Scheduler; the values equal torch's OneCycleLR (LR bit for bit).

Run: python docs/examples/torch_one_cycle.py
"""

import math

import torch

import lrlab
from lrlab.torch import Scheduler

TOTAL = 200
torch.manual_seed(0)
x = torch.randn(256, 10)
y = (x[:, :1] * x[:, 1:2] > 0).float()
model = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))

opt = torch.optim.SGD(
    [{"params": model[0].parameters()}, {"params": model[2].parameters()}],
    lr=0.1, momentum=0.9, nesterov=True,
)
sched = Scheduler(
    opt,
    lrlab.OneCycle(0.5, total_steps=TOTAL),            # or "torch.OneCycleLR(max_lr=0.5, ...)"
    momentum=lrlab.OneCycle.momentum(TOTAL),          # 0.95 -> 0.85 -> 0.95
    multipliers=[0.1, 1.0],                           # first layer: a tenth of the LR
)

# the same curve from torch, for comparison
ref_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
ref = torch.optim.lr_scheduler.OneCycleLR(ref_opt, max_lr=0.5, total_steps=TOTAL)

loss_fn = torch.nn.BCEWithLogitsLoss()
for t in range(TOTAL - 1):
    i = (t * 32) % 256
    opt.zero_grad()
    loss_fn(model(x[i:i + 32]), y[i:i + 32]).backward()
    opt.step()
    sched.step()
    ref_opt.step()
    ref.step()
    head = opt.param_groups[1]
    assert head["lr"] == ref_opt.param_groups[0]["lr"]
    assert math.isclose(head["momentum"], ref_opt.param_groups[0]["momentum"], rel_tol=1e-15)
    assert opt.param_groups[0]["lr"] == (lrlab.OneCycle(0.5, TOTAL) * 0.1)(sched.count)

acc = ((model(x) > 0).float() == y).float().mean().item()
print(f"accuracy {acc:.2f}; last lr {sched.get_last_lr()}, momentum {head['momentum']:.3f}")
assert acc > 0.8
