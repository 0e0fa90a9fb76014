"""lrlab.study.trial: specs, determinism, callbacks, plateau, checkpoint and exact resume."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from dataclasses import asdict, replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import lrlab  # noqa: E402
from lrlab.study.data import load_dataset  # noqa: E402
from lrlab.study.trial import (  # noqa: E402
    CHECKPOINT_NAME,
    EpochRecord,
    TaskSpec,
    TrialError,
    TrialSpec,
    read_checkpoint,
    run_trial,
)

ROOT = Path(__file__).resolve().parents[1]

TASK = TaskSpec("fashion-mnist-mini", "mlp", optimizer="sgd", lr=0.1, batch_size=50, epochs=3,
                val_fraction=0.2, limit_train=400, limit_test=200, target_accuracy=0.3,
                momentum=0.9, device="cpu")
SPEC = TrialSpec(TASK, "exp", "exponential(0.05, decay_rate=0.5, decay_steps=8)", seed=3)
STEPS_PER_EPOCH = 320 // 50 + 1   # 320 training images (80 held out), last batch of 20


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def data():
    return load_dataset("fashion-mnist-mini", limit_train=400, limit_test=200)


def _metrics(records) -> list[dict]:
    out = []
    for r in records:
        d = asdict(r) if isinstance(r, EpochRecord) else dict(r)
        d.pop("wall_time")
        d.pop("samples_per_s")
        out.append(d)
    return out


# -- specs ------------------------------------------------------------------------------------
def test_trial_id_is_stable_and_sensitive():
    again = TrialSpec.from_dict(json.loads(json.dumps(SPEC.to_dict())))
    assert again == SPEC and again.trial_id == SPEC.trial_id
    assert len(SPEC.trial_id) == 16 and int(SPEC.trial_id, 16) >= 0
    assert replace(SPEC, seed=4).trial_id != SPEC.trial_id
    assert replace(SPEC, task=replace(TASK, epochs=4)).trial_id != SPEC.trial_id
    assert replace(SPEC, plateau={"patience": 5}).trial_id != SPEC.trial_id
    # pinned: the id is SHA-256 of the canonical JSON, the same in every process and on every
    # machine; changing the format would orphan the checkpoints and rows of existing studies
    assert SPEC.canonical_json().startswith('{"plateau":null,"schedule_name":"exp",')
    assert SPEC.trial_id == "11c90dfd3b0ba749"
    assert hash(again) == hash(SPEC)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"model": "resnet"}, "`model` must be one of"),
    ({"optimizer": "rmsprop"}, "`optimizer` must be 'sgd' or 'adam'"),
    ({"lr": 0}, "`lr` must be > 0"),
    ({"lr": float("nan")}, "`lr` must be a number"),
    ({"batch_size": 0}, "`batch_size` must be an int >= 1. Received: batch_size=0"),
    ({"epochs": 1.5}, "`epochs` must be an int"),
    ({"val_fraction": 1.0}, "`val_fraction` must be a number in"),
    ({"limit_train": 0}, "`limit_train` must be an int >= 1"),
    ({"target_accuracy": 0}, "`target_accuracy` must be in"),
    ({"device": "tpu"}, "`device` must be"),
    ({"optimizer": "adam", "momentum": 0.9}, "`momentum` must be 0 with optimizer='adam'"),
])
def test_task_spec_errors(kwargs, match):
    with pytest.raises(TrialError, match=match):
        replace(TASK, **kwargs)


def test_trial_spec_errors():
    with pytest.raises(TrialError, match="`schedule_spec` does not parse"):
        TrialSpec(TASK, "x", "cosine(0.1", seed=0)
    with pytest.raises(TrialError, match="`plateau` is not valid ReduceLROnPlateau"):
        TrialSpec(TASK, "x", "constant(0.1)", plateau={"factor": 2.0})
    with pytest.raises(TrialError, match="`plateau` is not valid"):
        TrialSpec(TASK, "x", "constant(0.1)", plateau={"bogus": 1})
    with pytest.raises(TrialError, match="val_fraction is 0"):
        TrialSpec(replace(TASK, val_fraction=0.0), "x", "constant(0.1)", plateau={})
    with pytest.raises(TrialError, match="`seed` must be an int >= 0"):
        TrialSpec(TASK, "x", "constant(0.1)", seed=-1)
    with pytest.raises(TrialError, match="unknown keys"):
        TaskSpec.from_dict({**TASK.to_dict(), "colour": "red"})


# -- training -----------------------------------------------------------------------------------
def test_run_records_callbacks_and_lr(data):
    lrs: list[tuple[int, float]] = []
    steps: list[tuple[int, int]] = []
    epochs: list[EpochRecord] = []
    res = run_trial(SPEC, data=data, lr_log=lambda t, lr: lrs.append((t, lr)),
                    on_step=lambda s, n: steps.append((s, n)), on_epoch=epochs.append)
    total = 3 * STEPS_PER_EPOCH
    assert res.status == "finished" and res.resumed_from == 0
    assert [r.epoch for r in res.records] == [1, 2, 3] and list(res.records) == epochs
    assert [r.step for r in res.records] == [STEPS_PER_EPOCH * k for k in (1, 2, 3)]
    assert steps == [(s, total) for s in range(1, total + 1)]
    # update t + 1 uses s(t), from the closed form
    sched = lrlab.parse(SPEC.schedule_spec)
    assert lrs == [(t, sched(t)) for t in range(total)]
    last = res.records[-1]
    assert last.lr_last == sched(total - 1)
    assert math.isclose(last.lr_mean, sum(sched(t) for t in range(14, 21)) / 7)
    for r in res.records:
        assert 0 <= r.val_accuracy <= 1 and 0 <= r.test_accuracy <= 1
        assert r.train_loss > 0 and r.val_loss > 0 and r.test_loss > 0
        assert r.samples_per_s > 0 and r.wall_time > 0
    assert res.records[-1].train_loss < res.records[0].train_loss   # it learns
    assert res.final_test_accuracy == last.test_accuracy
    assert res.best_test_accuracy == max(r.test_accuracy for r in res.records)
    hit = next(r.epoch for r in res.records if r.test_accuracy >= 0.3)
    assert res.epochs_to_target == hit


def test_deterministic_per_seed_and_rng_isolated(data):
    before = torch.get_rng_state()
    a = run_trial(SPEC, data=data)
    assert torch.equal(torch.get_rng_state(), before)      # the caller's RNG is untouched
    b = run_trial(SPEC, data=data)
    c = run_trial(replace(SPEC, seed=4), data=data)
    assert _metrics(a.records) == _metrics(b.records)
    assert _metrics(a.records) != _metrics(c.records)


def test_plateau_scales_the_schedule(data):
    # threshold 100 (absolute): only the first metric is an improvement, so with patience 1
    # the second epoch's evaluation halves the multiplier, the third halves it again
    spec = replace(SPEC, schedule_spec="constant(0.05)",
                   plateau={"patience": 1, "factor": 0.5, "threshold": 100.0,
                            "threshold_mode": "abs"})
    lrs: list[float] = []
    res = run_trial(spec, data=data, lr_log=lambda t, lr: lrs.append(lr))
    n = STEPS_PER_EPOCH
    assert lrs == [0.05] * (2 * n) + [0.025] * n
    assert [r.lr_last for r in res.records] == [0.05, 0.05, 0.025]


def test_adam_and_wrong_dataset(data):
    spec = replace(SPEC, task=replace(TASK, optimizer="adam", momentum=0.0, epochs=1),
                   schedule_spec="constant(0.001)")
    assert run_trial(spec, data=data).records[0].test_accuracy > 0.1
    other = replace(SPEC, task=replace(TASK, dataset="mnist"))
    with pytest.raises(TrialError, match="`data` must be the dataset 'mnist'"):
        run_trial(other, data=data)


# -- checkpoints ----------------------------------------------------------------------------
def test_checkpoint_is_written_and_finished_trial_is_not_rerun(data, tmp_path):
    (tmp_path / f".{CHECKPOINT_NAME}.12345.tmp").write_bytes(b"half a checkpoint")  # a crash
    res = run_trial(SPEC, data=data, checkpoint_dir=tmp_path)
    ck = read_checkpoint(tmp_path)
    assert ck is not None and ck["finished"] and ck["epoch"] == 3
    assert ck["trial_id"] == SPEC.trial_id and ck["spec"] == SPEC.to_dict()
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT_NAME]   # no temporary left
    replayed: list[EpochRecord] = []
    events: list[object] = []
    again = run_trial(SPEC, data=data, checkpoint_dir=tmp_path,
                      on_epoch=lambda r: (replayed.append(r), events.append(("epoch", r.epoch))),
                      lr_log=lambda t, lr: events.append((t, lr)),
                      on_step=lambda s, n: pytest.fail("a finished trial trained again"))
    assert again.status == "finished" and again.resumed_from == 3
    assert list(again.records) == list(res.records) == replayed
    # every update's LR is replayed from the checkpoint, each epoch's before its record
    steps = [e for e in events if not (isinstance(e, tuple) and e[0] == "epoch")]
    assert [t for t, _ in steps] == list(range(res.records[-1].step))
    for r in res.records:
        i = events.index(("epoch", r.epoch))
        assert events[i - 1][0] == r.step - 1 and events[i - 1][1] == r.lr_last
    with pytest.raises(TrialError, match="belongs to trial"):
        run_trial(replace(SPEC, seed=9), data=data, checkpoint_dir=tmp_path)


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    (tmp_path / CHECKPOINT_NAME).write_bytes(b"not a checkpoint")
    with pytest.raises(TrialError, match=f"{CHECKPOINT_NAME}: not a readable lrlab trial"):
        read_checkpoint(tmp_path)


def test_stop_mid_epoch_resumes_from_last_checkpoint(data, tmp_path):
    straight = run_trial(SPEC, data=data)
    calls = {"n": 0}

    def stop() -> bool:      # stop in the middle of epoch 2
        calls["n"] += 1
        return calls["n"] > STEPS_PER_EPOCH + 3

    part = run_trial(SPEC, data=data, checkpoint_dir=tmp_path, should_stop=stop)
    assert part.status == "stopped" and len(part.records) == 1
    seen: list[int] = []
    rest = run_trial(SPEC, data=data, checkpoint_dir=tmp_path,
                     on_epoch=lambda r: seen.append(r.epoch))
    assert rest.resumed_from == 1 and seen == [1, 2, 3]
    assert _metrics(rest.records) == _metrics(straight.records)


_CHILD = textwrap.dedent("""
    import json, sys, torch
    torch.set_num_threads(1)
    from lrlab.study.trial import TrialSpec, run_trial
    spec = TrialSpec.from_dict(json.loads(sys.argv[1]))
    stop_after = int(sys.argv[3])
    done = []
    res = run_trial(spec, checkpoint_dir=sys.argv[2], on_epoch=lambda r: done.append(r),
                    should_stop=lambda: len(done) >= stop_after > 0)
    print(json.dumps({"status": res.status, "resumed_from": res.resumed_from}))
""")


def _child(spec: TrialSpec, ckdir: Path, stop_after: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(spec.to_dict()),
                          str(ckdir), str(stop_after)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_resume_in_a_fresh_process_is_bit_identical(tmp_path):
    """3 epochs straight == 1 epoch, stop, then 2 more in a fresh process: same weights, metrics."""
    # dropout (fashion-cnn) and momentum make the RNG and optimizer state matter
    task = replace(TASK, model="fashion-cnn", limit_train=200, limit_test=100, epochs=3)
    spec = TrialSpec(task, "clr", "cyclic(0.01, 0.1, step_size_up=3, mode='triangular2')",
                     plateau={"patience": 1, "factor": 0.5}, seed=7)
    a, b = tmp_path / "straight", tmp_path / "resumed"
    assert run_trial(spec, checkpoint_dir=a).status == "finished"    # here, uninterrupted
    assert _child(spec, b, 1) == {"status": "stopped", "resumed_from": 0}
    assert read_checkpoint(b)["epoch"] == 1
    assert _child(spec, b, 0) == {"status": "finished", "resumed_from": 1}
    ca, cb = read_checkpoint(a), read_checkpoint(b)
    assert _metrics(ca["records"]) == _metrics(cb["records"])
    assert ca["model"].keys() == cb["model"].keys()
    for k in ca["model"]:
        assert torch.equal(ca["model"][k], cb["model"][k]), k
    assert ca["scheduler"]["count"] == cb["scheduler"]["count"] == ca["step"]
    assert ca["scheduler"]["plateau"] == cb["scheduler"]["plateau"]
    assert torch.equal(ca["rng"]["data"], cb["rng"]["data"])
