"""lrlab.plateau.ReduceLROnPlateau: the counting rules, state, errors, and exact parity of its
decisions with the real torch.optim.lr_scheduler.ReduceLROnPlateau and
keras.callbacks.ReduceLROnPlateau on the same metric sequences."""

from __future__ import annotations

import json
import math
import random
import types
import warnings

import numpy as np
import pytest

import lrlab
from lrlab.errors import LrlabWarning, ScheduleError
from lrlab.plateau import ReduceLROnPlateau, apply

# -- the lrlab rule ----------------------------------------------------------------------------


def _run(p: ReduceLROnPlateau, metrics: list[float], **kw: object) -> list[float]:
    return [p.update(x, **kw) for x in metrics]  # type: ignore[arg-type]


def test_lrlab_rule_reduces_on_the_patience_th_bad_evaluation() -> None:
    p = ReduceLROnPlateau(patience=3, factor=0.5)
    out = _run(p, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    #          best  bad1 bad2 bad3->reduce  bad1 bad2 bad3->reduce
    assert out == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    assert p.num_reductions == 2 and p.num_bad == 0 and p.num_updates == 7


def test_torch_rule_needs_one_more_bad_evaluation_and_keras_rule_the_same_as_lrlab() -> None:
    seq = [1.0] * 9
    torch_rule = _run(ReduceLROnPlateau(patience=3, factor=0.5, rule="torch"), seq)
    keras_rule = _run(ReduceLROnPlateau(patience=3, factor=0.5, rule="keras"), seq)
    assert torch_rule == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]
    assert keras_rule == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]


def test_cooldown_ignores_that_many_evaluations_then_counts_again() -> None:
    p = ReduceLROnPlateau(patience=1, factor=0.5, cooldown=2)
    out = _run(p, [1.0, 2.0, 2.0, 2.0, 2.0])
    # bad->reduce, cooldown 2 (two ignored), then bad->reduce
    assert out == [1.0, 0.5, 0.5, 0.5, 0.25]
    p = ReduceLROnPlateau(patience=1, factor=0.5, cooldown=2, rule="keras")
    # Keras decrements before judging: cooldown=2 ignores only one evaluation
    assert _run(p, [1.0, 2.0, 2.0, 2.0, 2.0]) == [1.0, 0.5, 0.5, 0.25, 0.25]


def test_improvement_during_cooldown_updates_best() -> None:
    p = ReduceLROnPlateau(patience=1, factor=0.5, cooldown=3)
    _run(p, [1.0, 2.0, 0.5])
    assert p.best == 0.5 and p.in_cooldown and p.cooldown_counter == 2


@pytest.mark.parametrize(
    ("mode", "tmode", "th", "best", "better", "worse"),
    [
        ("min", "rel", 0.1, 10.0, 8.99, 9.0),
        ("min", "abs", 0.5, 10.0, 9.49, 9.5),
        ("max", "rel", 0.1, 10.0, 11.01, 11.0),
        ("max", "abs", 0.5, 10.0, 10.51, 10.5),
    ],
)
def test_threshold_modes(mode: str, tmode: str, th: float, best: float, better: float,
                         worse: float) -> None:
    p = ReduceLROnPlateau(mode=mode, threshold=th, threshold_mode=tmode, patience=5)
    p.update(best)
    p.update(worse)
    assert p.best == best and p.num_bad == 1
    p.update(better)
    assert p.best == better and p.num_bad == 0


def test_ties_are_not_improvements_with_zero_threshold() -> None:
    p = ReduceLROnPlateau(threshold=0.0, patience=2)
    _run(p, [1.0, 1.0])
    assert p.num_bad == 1


def test_window_smooths_the_metric() -> None:
    p = ReduceLROnPlateau(window=3, patience=1, threshold=0.0, factor=0.5)
    # means: 4, 3, 2, (2+0+4)/3 = 2 (a tie: bad -> reduce), (0+4+0)/3 = 4/3 (improves)
    out = _run(p, [4.0, 2.0, 0.0, 4.0, 0.0])
    assert p.best == 4.0 / 3.0
    assert out == [1.0, 1.0, 1.0, 0.5, 0.5]
    assert p.state_dict()["recent"] == [0.0, 4.0, 0.0]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nonfinite_metric_is_no_improvement_with_a_warning(bad: float) -> None:
    p = ReduceLROnPlateau(patience=1, factor=0.5, window=2)
    p.update(1.0)
    with pytest.warns(LrlabWarning, match="not finite"):
        m = p.update(bad)
    assert m == 0.5 and p.best == 1.0 and p.state_dict()["recent"] == [1.0]
    q = ReduceLROnPlateau(patience=1, factor=0.5, mode="max")
    with pytest.warns(LrlabWarning):
        assert q.update(bad) == 0.5
    assert q.best is None


def test_nonfinite_metric_raises_on_request_and_leaves_state_unchanged() -> None:
    p = ReduceLROnPlateau(nonfinite="raise")
    p.update(1.0)
    before = p.state_dict()
    with pytest.raises(ScheduleError, match=r"`metric` must be finite.*metric=nan"):
        p.update(float("nan"))
    assert p.state_dict() == before


def test_metric_may_be_a_numpy_scalar_or_0d_array() -> None:
    p = ReduceLROnPlateau()
    p.update(np.float32(2.0))
    p.update(np.array(1.5))
    assert p.best == 1.5 and isinstance(p.best, float)
    with pytest.raises(ScheduleError, match="`metric` must be a number"):
        p.update("low")


def test_min_lr_and_eps_with_a_base_lr() -> None:
    p = ReduceLROnPlateau(patience=1, factor=0.1, min_lr=0.005)
    _run(p, [1.0, 1.0], base_lr=0.1)
    assert p.lr(0.1) == pytest.approx(0.01)
    _run(p, [1.0], base_lr=0.1)
    assert p.lr(0.1) == 0.005 and p.num_reductions == 2
    _run(p, [1.0], base_lr=0.1)  # at the floor: the reduction changes nothing and is skipped
    assert p.num_reductions == 2 and p.multiplier == pytest.approx(0.01)
    big_eps = ReduceLROnPlateau(patience=1, factor=0.5, eps=0.1)
    _run(big_eps, [1.0, 1.0], base_lr=0.1)  # 0.1 -> 0.05 changes by 0.05 <= eps
    assert big_eps.multiplier == 1.0 and big_eps.num_bad == 0


def test_per_group_min_lr() -> None:
    p = ReduceLROnPlateau(patience=1, factor=0.1, min_lr=[0.05, 0.0])
    _run(p, [1.0, 1.0], base_lr=[0.1, 1.0])
    assert p.lr(0.1, 0) == 0.05 and p.lr(1.0, 1) == pytest.approx(0.1)
    with pytest.raises(ScheduleError, match="`base_lr` must be 2 values"):
        p.update(1.0, base_lr=0.1)


def test_composed_with_a_moving_schedule_min_lr_is_a_floor_for_the_reduction_only() -> None:
    s = lrlab.parse("warmup(cosine(1.0, steps=100), steps=10, start=0.0)")
    p = ReduceLROnPlateau(patience=1, factor=0.01, min_lr=0.15)
    _run(p, [1.0, 1.0])
    assert p.multiplier == 0.01
    for t in range(0, 130):
        base = s(t)
        lr = apply(s, p, t)
        assert lr <= base  # never raised above the schedule
        assert lr == max(base * 0.01, min(0.15, base))
    assert apply(s, p, 1) == s(1) == 0.1  # warmup below min_lr: the schedule's value
    assert apply(s, p, 50) == 0.15


def test_state_dict_is_json_and_resumes_exactly() -> None:
    rng = random.Random(3)
    metrics = [rng.choice([1.0, 0.99, 0.9, 1.1]) * (1 - k / 200) for k in range(120)]
    ref = ReduceLROnPlateau(patience=2, factor=0.5, cooldown=1, window=3, min_lr=0.001)
    full = _run(ref, metrics, base_lr=0.1)
    for cut in (0, 1, 17, 60, 119):
        a = ReduceLROnPlateau(patience=2, factor=0.5, cooldown=1, window=3, min_lr=0.001)
        head = _run(a, metrics[:cut], base_lr=0.1)
        state = json.loads(json.dumps(a.state_dict()))
        b = ReduceLROnPlateau(patience=2, factor=0.5, cooldown=1, window=3, min_lr=0.001)
        b.load_state_dict(state)
        assert head + _run(b, metrics[cut:], base_lr=0.1) == full
        assert b.state_dict() == ref.state_dict()


def test_load_state_dict_warns_on_different_settings_and_rejects_garbage() -> None:
    a = ReduceLROnPlateau(patience=2)
    a.update(1.0)
    b = ReduceLROnPlateau(patience=3)
    with pytest.warns(LrlabWarning, match="settings"):
        b.load_state_dict(a.state_dict())
    assert b.patience == 3 and b.best == 1.0
    with pytest.raises(ScheduleError, match="`state` must be"):
        b.load_state_dict({"best": 1.0})
    bad = a.state_dict()
    del bad["num_bad"]
    with pytest.raises(ScheduleError, match="num_bad"):
        b.load_state_dict(bad)


def test_reset_and_config_and_repr() -> None:
    p = ReduceLROnPlateau(mode="max", patience=2, rule="torch", min_lr=[0.0, 0.1])
    _run(p, [1.0, 0.0, 0.0, 0.0], base_lr=[1.0, 1.0])
    assert p.multiplier < 1
    p.reset()
    assert (p.multiplier, p.best, p.num_bad, p.num_updates) == (1.0, None, 0, 0)
    q = ReduceLROnPlateau(**p.config())
    assert q.config() == p.config()
    assert repr(p) == "ReduceLROnPlateau(mode='max', patience=2, min_lr=[0.0, 0.1], rule='torch')"


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"mode": "low"}, r"`mode` must be one of .*mode='low'"),
        ({"factor": 1.0}, r"`factor` must be a number >= 0 and < 1\. Received: factor=1\.0"),
        ({"factor": -0.1}, r"`factor`"),
        ({"patience": 0}, r"`patience` must be an integer >= 1\. Received: patience=0"),
        ({"patience": 1.5}, r"`patience` must be an integer"),
        ({"threshold": -1e-4}, r"`threshold` must be a number >= 0"),
        ({"threshold": 1.0}, r"`threshold` must be a number >= 0 and < 1"),
        ({"threshold_mode": "pct"}, r"`threshold_mode` must be one of"),
        ({"rule": "keras", "threshold_mode": "rel"}, r"`threshold_mode` must be one of 'abs'"),
        ({"rule": "keras", "eps": 1e-8}, r"`eps` must be None with rule='keras'"),
        ({"rule": "tf"}, r"`rule` must be one of"),
        ({"cooldown": -1}, r"`cooldown` must be an integer >= 0"),
        ({"min_lr": -1.0}, r"`min_lr` must be a number >= 0"),
        ({"min_lr": []}, r"`min_lr` must be a number >= 0 or a non-empty list"),
        ({"min_lr": "0"}, r"`min_lr` must be a number >= 0 or a list"),
        ({"eps": math.nan}, r"`eps` must be a finite number"),
        ({"window": 0}, r"`window` must be an integer >= 1"),
        ({"nonfinite": "ignore"}, r"`nonfinite` must be one of"),
    ],
)
def test_errors_name_parameter_rule_and_value(kw: dict[str, object], match: str) -> None:
    with pytest.raises(ScheduleError, match=match):
        ReduceLROnPlateau(**kw)  # type: ignore[arg-type]


def test_torch_and_keras_rules_accept_patience_zero() -> None:
    assert _run(ReduceLROnPlateau(patience=0, factor=0.5, rule="torch"), [1.0, 1.0]) == [1.0, 0.5]
    assert _run(ReduceLROnPlateau(patience=0, factor=0.5, rule="keras"), [1.0, 1.0]) == [1.0, 0.5]


def test_bad_base_lr() -> None:
    with pytest.raises(ScheduleError, match="`base_lr` must be finite numbers >= 0"):
        ReduceLROnPlateau().update(1.0, base_lr=-0.1)


# -- parity with the real frameworks -----------------------------------------------------------

def _metric_sequences(mode: str, n: int, seed: int) -> list[float]:
    """Random walks full of exact ties, tiny steps (below float32 resolution too), plateaus."""
    rng = random.Random(seed)
    x = rng.choice([1.0, 2.5, -0.7, 0.0, 3e-3])
    out = []
    sign = 1.0 if mode == "min" else -1.0
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            pass  # tie
        elif r < 0.4:
            x -= sign * 1e-9 * max(1.0, abs(x))  # below float32 resolution
        elif r < 0.55:
            x -= sign * 1e-4 * abs(x)  # right at the default threshold
        elif r < 0.75:
            x -= sign * rng.uniform(0.0, 0.05)
        else:
            x += sign * rng.uniform(0.0, 0.05)
        out.append(x)
    return out


_CONFIGS = [
    # mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps
    ("min", 0.1, 10, 1e-4, "rel", 0, 0.0, 1e-8),
    ("min", 0.5, 0, 0.0, "abs", 0, 0.0, 1e-8),
    ("min", 0.5, 2, 1e-4, "rel", 1, 1e-3, 1e-8),
    ("min", 0.7, 3, 1e-2, "abs", 3, 0.05, 1e-8),
    ("max", 0.5, 1, 1e-3, "rel", 2, 0.0, 1e-8),
    ("max", 0.2, 4, 1e-4, "abs", 0, 2e-3, 1e-8),
    ("min", 0.5, 1, 1e-4, "rel", 0, 0.0, 2e-3),  # big eps: late reductions are skipped
    ("max", 0.9, 0, 0.0, "rel", 5, 0.01, 0.0),
]


@pytest.mark.parity
@pytest.mark.parametrize("base", [1.0, 0.1])
@pytest.mark.parametrize("cfg", _CONFIGS)
def test_torch_rule_matches_torch_reduce_lr_on_plateau(cfg: tuple, base: float) -> None:
    torch = pytest.importorskip("torch")
    mode, factor, patience, threshold, tmode, cooldown, min_lr, eps = cfg
    for seed in range(6):
        metrics = _metric_sequences(mode, 200, seed)
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
        ref = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode=mode, factor=factor, patience=patience, threshold=threshold,
            threshold_mode=tmode, cooldown=cooldown, min_lr=min_lr, eps=eps,
        )
        p = ReduceLROnPlateau(mode=mode, factor=factor, patience=patience, threshold=threshold,
                              threshold_mode=tmode, cooldown=cooldown, min_lr=min_lr, eps=eps,
                              rule="torch")
        changes = 0
        for k, x in enumerate(metrics):
            old = opt.param_groups[0]["lr"]
            ref.step(x)
            p.update(x, base_lr=base)
            new = opt.param_groups[0]["lr"]
            changes += new != old
            where = f"seed={seed} k={k} metric={x!r}"
            assert p.num_bad == ref.num_bad_epochs, where
            assert p.cooldown_counter == ref.cooldown_counter, where
            assert (p.best if p.best is not None else ref.mode_worse) == ref.best, where
            assert p.num_reductions == changes, where
            if base == 1.0:
                assert p.lr(base) == new, where  # bit for bit
            else:
                assert math.isclose(p.lr(base), new, rel_tol=1e-14), where


@pytest.fixture(scope="module")
def keras_mod() -> types.ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("keras")


@pytest.mark.parity
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("cfg", _CONFIGS)
def test_keras_rule_matches_keras_reduce_lr_on_plateau(cfg: tuple, keras_mod: types.ModuleType
                                                       ) -> None:
    keras = keras_mod
    mode, factor, patience, threshold, _, cooldown, min_lr, _ = cfg
    base = 0.1
    for seed in range(3):
        metrics = _metric_sequences(mode, 120, 100 + seed)
        cb = keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", mode=mode, factor=factor, patience=patience,
            min_delta=threshold, cooldown=cooldown, min_lr=min_lr,
        )
        opt = keras.optimizers.SGD(learning_rate=base)
        cb.set_model(types.SimpleNamespace(optimizer=opt))
        cb.on_train_begin()
        p = ReduceLROnPlateau(mode=mode, factor=factor, patience=patience, threshold=threshold,
                              cooldown=cooldown, min_lr=min_lr, rule="keras")
        changes = 0
        for k, x in enumerate(metrics):
            old = float(opt.learning_rate)
            cb.on_epoch_end(k, {"val_loss": x})
            p.update(x, base_lr=base)
            new = float(opt.learning_rate)
            changes += new != old
            where = f"seed={seed} k={k} metric={x!r}"
            assert p.num_bad == cb.wait, where
            assert p.cooldown_counter == cb.cooldown_counter, where
            assert p.best == cb.best, where
            assert p.num_reductions == changes, where
            # Keras keeps the LR in float32 and multiplies the stored value each time
            assert math.isclose(float(np.float32(p.lr(base))), new, rel_tol=1e-6), where
