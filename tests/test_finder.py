"""The LR range test: the framework-free core and the suggestions (torch: test_finder_torch.py,
Keras: test_finder_keras.py)."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

import lrlab
from lrlab.finder import SUGGESTIONS, find_lr, sweep_lrs
from lrlab.finder.suggestions import minimum, steepest, valley


# -- core ---------------------------------------------------------------------------------
def test_sweep_is_exponential_or_linear_with_exact_ends():
    x = sweep_lrs(1e-7, 10.0, 81)
    assert x[0] == 1e-7 and x[-1] == 10.0
    np.testing.assert_allclose(np.diff(np.log10(x)), 0.1, rtol=1e-9)
    y = sweep_lrs(0.0, 2.0, 5, mode="linear")
    assert y.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start_lr": 0.0}, "`start_lr` must be > 0 for an exponential sweep"),
        ({"end_lr": 1e-8}, r"`end_lr` must be > start_lr"),
        ({"num_steps": 1}, "`num_steps` must be an integer >= 2"),
        ({"mode": "log"}, "`mode` must be one of"),
        ({"smoothing": 1.0}, r"`smoothing` must be a number in \[0, 1\)"),
        ({"diverge": 1.0}, "`diverge` must be a number > 1 or None"),
        ({"suggestion": "best"}, "`suggestion` must be one of"),
        ({"skip_start": -1}, "`skip_start`"),
    ],
)
def test_bad_arguments_name_parameter_rule_and_value(kwargs, match):
    with pytest.raises(lrlab.ScheduleError, match=match):
        find_lr(lambda lr: 1.0, **kwargs)


def test_calls_train_step_once_per_lr_in_order():
    seen = []
    r = find_lr(lambda lr: seen.append(lr) or 1.0, start_lr=1e-3, end_lr=1.0, num_steps=10,
                diverge=None)
    assert seen == r.lrs.tolist() == sweep_lrs(1e-3, 1.0, 10).tolist()
    assert not r.diverged and r.stop_reason == "end of sweep"


def test_bias_corrected_moving_average():
    rng = np.random.default_rng(1)
    losses = list(rng.uniform(1, 2, size=30))
    it = iter(losses)
    r = find_lr(lambda lr: next(it), start_lr=1e-3, end_lr=1.0, num_steps=30, smoothing=0.9,
                diverge=None)
    avg, expected = 0.0, []
    for i, loss in enumerate(losses):
        avg = 0.9 * avg + 0.1 * loss
        expected.append(avg / (1 - 0.9 ** (i + 1)))
    np.testing.assert_allclose(r.smoothed, expected, rtol=1e-13)
    assert r.smoothed[0] == losses[0]  # bias correction: no pull towards 0
    np.testing.assert_array_equal(r.losses, losses)
    r0 = find_lr(lambda lr: 3.0, start_lr=1e-3, end_lr=1.0, num_steps=5, smoothing=0.0)
    assert r0.smoothed.tolist() == [3.0] * 5


def test_stops_on_divergence_with_a_threshold_parameter():
    def loss(lr):
        return 1.0 if lr < 0.1 else 1.0 + 100 * lr

    r4 = find_lr(loss, start_lr=1e-3, end_lr=10, num_steps=41, smoothing=0.0)
    r50 = find_lr(loss, start_lr=1e-3, end_lr=10, num_steps=41, smoothing=0.0, diverge=50)
    assert r4.diverged and r50.diverged
    assert 3 * 1.0 < r4.losses[-1] and r4.losses[-2] <= 4.0 + 1e-9  # stops at the first > 4x
    assert r50.losses[-1] > 50 and len(r50.lrs) > len(r4.lrs)
    assert "> 4 x best" in r4.stop_reason
    rn = find_lr(loss, start_lr=1e-3, end_lr=10, num_steps=41, diverge=None)
    assert len(rn.lrs) == 41 and not rn.diverged


def test_stops_on_nan_and_inf():
    r = find_lr(lambda lr: math.nan if lr > 0.5 else 1.0, start_lr=1e-2, end_lr=10, num_steps=30)
    assert r.diverged and math.isnan(r.losses[-1]) and r.lrs[-1] > 0.5 >= r.lrs[-2]
    assert "loss nan" in r.stop_reason
    r = find_lr(lambda lr: math.inf if lr > 0.5 else 1.0, start_lr=1e-2, end_lr=10, num_steps=30)
    assert r.diverged and r.losses[-1] == math.inf


def _bowl(lr, noise=None):
    # a loss that falls fastest near lr = 1e-2 and blows up past lr = 1
    base = 1 + math.tanh(-2 * (math.log10(lr) + 2)) + (50 * lr if lr > 1 else 0)
    return base + (noise.normal(0, 0.01) if noise is not None else 0.0)


def test_suggestions_on_a_known_curve():
    rng = np.random.default_rng(0)
    r = find_lr(lambda lr: _bowl(lr, rng), start_lr=1e-5, end_lr=100, num_steps=200)
    assert set(r.suggestions) == set(SUGGESTIONS) == {"valley", "steepest", "minimum"}
    assert r.diverged
    s = r.suggestions
    # the smoothed curve lags the raw one by ~1/(1 - 0.98) = 50 steps ~ 1.75 decades at most
    assert 1e-3 < s["steepest"] < 2e-1
    assert 1e-4 < s["valley"] < 1e-1
    lr_min = r.lrs[int(np.argmin(r.smoothed[: len(r.lrs) - 5]))]
    assert s["minimum"] == pytest.approx(lr_min / 10)
    assert r.suggestion == s["steepest"] and r.default == "steepest"


def test_suggestion_functions_directly():
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
    losses = [2.0, 1.9, 1.5, 1.0, 0.8, 9.0]
    assert minimum(lrs, losses) == pytest.approx(0.1)
    assert steepest(lrs, losses) == 1e-2  # the slope per unit log(lr) is steepest around 1e-2
    assert valley(lrs, losses) == 1e-2  # half-way along the descent 1e-4 .. 1.0
    assert steepest(lrs[:2], losses[:2]) is None and valley([1.0], [1.0]) is None
    assert minimum([1.0, 2.0], [math.nan, 1.0]) == 0.2  # NaN points are ignored
    with pytest.raises(ValueError, match="same length"):
        minimum([1.0], [1.0, 2.0])


def test_result_named_and_custom_suggestions_and_json():
    r = find_lr(lambda lr: _bowl(lr), start_lr=1e-5, end_lr=100, num_steps=100)
    assert r.suggest("valley") == r.suggestions["valley"]
    assert r.suggest(lambda lrs, losses: float(lrs[np.argmin(losses)])) > 0
    with pytest.raises(lrlab.ScheduleError, match="`name` must be one of"):
        r.suggest("nope")
    d = json.loads(json.dumps(r.to_dict()))
    assert d["lrs"] == r.lrs.tolist() and d["suggestions"]["steepest"] == r.suggestion


def test_propose_gives_spec_text_that_parses():
    r = find_lr(lambda lr: _bowl(lr), start_lr=1e-5, end_lr=100, num_steps=100)
    lr = float(f"{r.suggestion:.3g}")
    spec = r.propose(total_steps=10_000)
    assert spec == f"one_cycle({lr!r}, total_steps=10000)"
    s = lrlab.parse(spec)
    assert max(s(np.arange(10_000))) == pytest.approx(lr, rel=1e-6)
    spec = r.propose(8000, "cyclic", cycles=2)
    s = lrlab.parse(spec)
    assert spec.startswith("cyclic(") and "step_size_up=2000" in spec
    assert s(0) == pytest.approx(float(f"{lr / 4:.3g}")) and s(2000) == pytest.approx(lr)
    with pytest.raises(lrlab.ScheduleError, match="`kind` must be one of"):
        r.propose(100, "triangle")
    with pytest.raises(lrlab.ScheduleError, match="`total_steps`"):
        r.propose(1)


def test_propose_without_a_suggestion_explains():
    r = find_lr(lambda lr: 1.0, start_lr=1e-3, end_lr=1.0, num_steps=2)
    with pytest.raises(lrlab.ScheduleError, match="no usable `steepest` suggestion"):
        r.propose(1000)


def test_result_plot_marks_suggestions():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    r = find_lr(lambda lr: _bowl(lr), start_lr=1e-5, end_lr=100, num_steps=100)
    ax = r.plot(Figure().add_subplot())
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels[:2] == ["loss", "smoothed loss"]
    assert [lab.split(":")[0] for lab in labels[2:]] == ["valley", "steepest", "minimum"]
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "loss"


def test_core_imports_no_framework():
    import subprocess

    code = (
        "import sys, lrlab.finder\n"
        "lrlab.finder.find_lr(lambda lr: 1.0, num_steps=5)\n"
        "bad = [m for m in ('torch', 'tensorflow', 'keras', 'jax', 'matplotlib') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
