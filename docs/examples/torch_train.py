"""Train a small PyTorch model with an lrlab schedule: warmup then cosine, with gradient
accumulation and an AMP GradScaler, then checkpoint and resume exactly.

lrlab.torch.Scheduler counts the optimizer updates that really happen, so accumulation (one
update every `ACCUM` micro-batches) and skipped GradScaler steps cannot shift the schedule.

Run: python docs/examples/torch_train.py
"""

import io

import torch

import lrlab
from lrlab.torch import Scheduler

torch.manual_seed(0)
x = torch.randn(256, 8)
y = x @ torch.randn(8, 1) + 0.1 * torch.randn(256, 1)

UPDATES = 120
ACCUM = 2  # micro-batches per optimizer update
schedule = lrlab.parse("warmup(cosine(2e-2, steps=100, alpha=0.05), steps=20, start=0.0)")


def build() -> tuple[torch.nn.Module, torch.optim.Optimizer, Scheduler, torch.amp.GradScaler]:
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    sched = Scheduler(opt, schedule)  # the LR is schedule(count) from now on
    return model, opt, sched, torch.amp.GradScaler("cpu")


def train(model, opt, sched, scaler, until: int) -> list[float]:
    lrs = []
    micro = sched.count * ACCUM  # where the data stream is (resumes continue from there)
    while sched.count < until:
        lo = (micro * 16) % 256
        loss = torch.nn.functional.mse_loss(model(x[lo:lo + 16]), y[lo:lo + 16]) / ACCUM
        scaler.scale(loss).backward()
        micro += 1
        if micro % ACCUM == 0:
            lrs.append(opt.param_groups[0]["lr"])
            scaler.step(opt)  # may skip the update on inf/NaN gradients: then nothing counts
            scaler.update()
            opt.zero_grad()
        sched.step()  # every micro-batch, as many loops do: harmless, it sets schedule(count)
    return lrs


model, opt, sched, scaler = build()
lrs = train(model, opt, sched, scaler, until=UPDATES)
assert lrs == [schedule(t) for t in range(UPDATES)]  # update t + 1 used schedule(t)
full_loss = torch.nn.functional.mse_loss(model(x), y).item()
print(f"after {sched.count} updates: lr={sched.get_last_lr()[0]:.3g} loss={full_loss:.4f}")

# Checkpoint after 50 updates, restore into fresh objects, continue: identical.
model, opt, sched, scaler = build()
head = train(model, opt, sched, scaler, until=50)
buf = io.BytesIO()
torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
            "sched": sched.state_dict(), "scaler": scaler.state_dict()}, buf)

buf.seek(0)
state = torch.load(buf, weights_only=True)
model, opt, sched, scaler = build()
model.load_state_dict(state["model"])
opt.load_state_dict(state["opt"])
sched.load_state_dict(state["sched"])  # resume is "set the count": no initial_lr, no replay
scaler.load_state_dict(state["scaler"])
tail = train(model, opt, sched, scaler, until=UPDATES)
assert head + tail == lrs
assert torch.nn.functional.mse_loss(model(x), y).item() == full_loss
print("resumed run matches the uninterrupted one bit for bit")
