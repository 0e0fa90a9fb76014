"""The LR range test's torch wrapper: exact restore, determinism, and a real MNIST check."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest

import lrlab

torch = pytest.importorskip("torch")
from lrlab.finder.torch import find_lr_torch  # noqa: E402

MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"

# -- torch --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _one_thread():
    # two shared cores: one intra-op thread is several times faster than two here
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.BatchNorm1d(32),
                               torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(32, 3))


def _toy_data(n=512):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 20, generator=g)
    y = (x[:, :3].argmax(1)).long()
    return torch.utils.data.TensorDataset(x, y)


def _snapshot(model, opt):
    return (
        {k: v.clone() for k, v in model.state_dict().items()},
        [None if p.grad is None else p.grad.clone() for p in model.parameters()],
        _deep(opt.state_dict()),
        model.training,
        torch.get_rng_state().clone(),
    )


def _deep(obj):
    if isinstance(obj, torch.Tensor):
        return obj.clone()
    if isinstance(obj, dict):
        return {k: _deep(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_deep(v) for v in obj)
    return obj


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("make_opt", [
    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-4),
    lambda p: torch.optim.AdamW(p, lr=1e-3),
], ids=["sgd-momentum", "adamw"])
def test_torch_wrapper_restores_model_optimizer_grads_mode_and_rng(make_opt):
    model = _mlp()
    opt = make_opt(model.parameters())
    loader = torch.utils.data.DataLoader(_toy_data(), batch_size=32, shuffle=True)
    # train a little first, so the optimizer has state (momentum / Adam moments) and grads
    for i, (x, y) in enumerate(loader):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if i == 3:
            break
    model.eval()
    before = _snapshot(model, opt)
    r = find_lr_torch(model, opt, torch.nn.functional.cross_entropy, loader, start_lr=1e-5,
                      end_lr=10, num_steps=30)
    after = _snapshot(model, opt)
    assert len(r.lrs) >= 10
    for a, b in zip(before, after):
        assert _same(a, b)
    assert opt.param_groups[0]["lr"] == before[2]["param_groups"][0]["lr"]


def test_torch_wrapper_restores_even_when_the_loss_raises():
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = _snapshot(model, opt)
    calls = []

    def bad_loss(out, y):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("boom")
        return torch.nn.functional.cross_entropy(out, y)

    with pytest.raises(RuntimeError, match="boom"):
        find_lr_torch(model, opt, bad_loss, [tuple(_toy_data(64).tensors)], num_steps=10)
    for a, b in zip(before, _snapshot(model, opt)):
        assert _same(a, b)


def test_torch_wrapper_is_deterministic_with_a_seed():
    data = _toy_data()

    def run(seed):
        model = _mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True)  # global RNG
        return find_lr_torch(model, opt, torch.nn.functional.cross_entropy, loader,
                             start_lr=1e-4, end_lr=1.0, num_steps=20, seed=seed)

    a, b, c = run(0), run(0), run(1)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.suggestions == b.suggestions
    assert not np.array_equal(a.losses, c.losses)


def test_torch_wrapper_empty_data():
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="`data` yielded no batches"):
        find_lr_torch(model, opt, torch.nn.functional.cross_entropy, [], num_steps=5)


# -- a real problem: the suggestion trains better than 10x below or above it ---------------
def _mnist():
    if not (MNIST / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST test set not found at {MNIST}")
    with gzip.open(MNIST / "t10k-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(MNIST / "t10k-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    x = (torch.tensor(x, dtype=torch.float32) / 255 - 0.1307) / 0.3081
    return x, torch.tensor(y, dtype=torch.long)


def test_mnist_suggestion_beats_ten_times_lower_and_higher():
    x, y = _mnist()
    xtr, ytr, xva, yva = x[:8000], y[:8000], x[8000:], y[8000:]
    train = torch.utils.data.TensorDataset(xtr, ytr)
    loss_fn = torch.nn.functional.cross_entropy

    def make():
        torch.manual_seed(0)
        return torch.nn.Sequential(torch.nn.Linear(784, 64), torch.nn.ReLU(),
                                   torch.nn.Linear(64, 10))

    def loader(seed):
        g = torch.Generator().manual_seed(seed)
        return torch.utils.data.DataLoader(train, batch_size=64, shuffle=True, generator=g)

    model = make()
    r = find_lr_torch(model, torch.optim.SGD(model.parameters(), lr=0.01), loss_fn, loader(1),
                      start_lr=1e-4, end_lr=10, num_steps=100)
    lr = r.suggestion
    assert lr is not None and r.diverged

    def val_loss(lr, steps=200):
        m = make()
        opt = torch.optim.SGD(m.parameters(), lr=lr)
        n = 0
        while n < steps:
            for xb, yb in loader(2):
                opt.zero_grad()
                loss_fn(m(xb), yb).backward()
                opt.step()
                n += 1
                if n == steps:
                    break
        with torch.no_grad():
            out = loss_fn(m(xva), yva).item()
        return out if math.isfinite(out) else math.inf

    low, mid, high = val_loss(lr / 10), val_loss(lr), val_loss(lr * 10)
    assert mid < low and mid < high, (lr, low, mid, high)
    # and the proposed one-cycle schedule is ready to use
    assert lrlab.parse(r.propose(total_steps=200))(60) == pytest.approx(float(f"{lr:.3g}"),
                                                                        rel=0.05)


# -- `lrlab find` on a built-in study task --------------------------------------------------
def test_lrlab_find_on_the_default_study_task(capsys, tmp_path):
    pytest.importorskip("lrlab.study.presets")
    from lrlab.cli import main

    code = main(["find", "--num-steps", "30", "--format", "json", "-o",
                 str(tmp_path / "f.png"), "--kind", "cyclic", "--total-steps", "800"])
    out = capsys.readouterr().out
    assert code == 0, out
    d = __import__("json").loads(out)
    assert len(d["lrs"]) <= 30 and d["default"] == "steepest"
    assert d["spec"].startswith("cyclic(") and "step_size_up=100" in d["spec"]
    lrlab.parse(d["spec"])
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_lrlab_find_errors(capsys):
    pytest.importorskip("lrlab.study.presets")
    from lrlab.cli import main

    assert main(["find", "no-such-preset"]) == 2
    assert "unknown preset 'no-such-preset'" in capsys.readouterr().err
    assert main(["find", "--task", "nope", "--num-steps", "5"]) == 2
    assert "argument `task` must be a task of preset" in capsys.readouterr().err
