"""lrlab.study.models: the architectures of the classic experiments, their init, determinism."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from lrlab.study.models import MODELS, ModelError, build_model  # noqa: E402


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32)])
def test_output_shape_and_grad(name, shape):
    torch.manual_seed(0)
    m = build_model(name, shape, 10)
    out = m(torch.rand(4, *shape))
    assert out.shape == (4, 10) and out.dtype == torch.float32
    out.sum().backward()
    assert all(p.grad is not None for p in m.parameters())


@pytest.mark.parametrize("name", MODELS)
def test_deterministic_given_the_seed(name):
    def params(seed):
        torch.manual_seed(seed)
        return [p.detach().clone() for p in build_model(name, (1, 28, 28), 10).parameters()]

    a, b, c = params(1), params(1), params(2)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not all(torch.equal(x, y) for x, y in zip(a, c))


def test_softmax_regression_is_one_linear_layer_with_normal_init():
    torch.manual_seed(0)
    m = build_model("softmax", (1, 28, 28), 10)
    linears = [x for x in m.modules() if isinstance(x, nn.Linear)]
    assert len(linears) == 1 and linears[0].weight.shape == (10, 784)
    w, b = linears[0].weight.detach(), linears[0].bias.detach()
    # N(0, 1), not PyTorch's U(-1/28, 1/28)
    assert abs(w.mean().item()) < 0.02 and abs(w.std().item() - 1.0) < 0.02
    assert w.abs().max().item() > 3.0 and b.abs().max().item() > 0.2


def test_lenet5_structure():
    m = build_model("lenet5", (3, 32, 32), 10)
    convs = [x for x in m.modules() if isinstance(x, nn.Conv2d)]
    lins = [x for x in m.modules() if isinstance(x, nn.Linear)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == \
        [(3, 6, (5, 5)), (6, 16, (5, 5))]
    assert [(x.in_features, x.out_features) for x in lins] == \
        [(400, 120), (120, 84), (84, 10)]
    assert sum(p.numel() for p in m.parameters()) == 62006     # the classic count
    assert build_model("lenet5", (1, 28, 28), 10)[7].in_features == 256


def test_fashion_cnn_is_the_tutorial_network():
    m = build_model("fashion-cnn", (1, 28, 28), 10)
    kinds = [type(x).__name__ for x in m]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Dropout2d",
                     "AdaptiveAvgPool2d", "Flatten", "Linear", "ReLU", "Linear"]
    assert (m[0].out_channels, m[0].kernel_size, m[0].padding) == (16, (5, 5), (0, 0))
    assert (m[3].out_channels, m[3].kernel_size) == (32, (5, 5))
    assert m[6].p == 0.2 and m[7].output_size == 1
    assert (m[9].in_features, m[9].out_features, m[11].out_features) == (32, 128, 10)
    # spatial dropout: whole channels are zeroed in training, nothing in eval
    m.train()
    torch.manual_seed(0)
    feat = m[6](torch.ones(1, 32, 4, 4))
    per_channel = feat[0].flatten(1)
    assert torch.all((per_channel == 0).all(1) | (per_channel != 0).all(1))
    assert (per_channel == 0).all(1).any()
    m.eval()
    assert torch.equal(m[6](torch.ones(1, 32, 4, 4)), torch.ones(1, 32, 4, 4))


def test_errors_name_the_argument():
    with pytest.raises(ModelError, match="`name` must be one of .* Received: name='vgg'"):
        build_model("vgg", (1, 28, 28), 10)
    with pytest.raises(ModelError, match="`in_shape` must be"):
        build_model("mlp", (28, 28), 10)
    with pytest.raises(ModelError, match="`num_classes` must be an int >= 2"):
        build_model("mlp", (1, 28, 28), 1)
    with pytest.raises(ModelError, match="at least 16x16. Received: in_shape=\\(1, 12, 12\\)"):
        build_model("lenet5", (1, 12, 12), 10)
