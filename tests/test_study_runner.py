"""The study runner in-process: planning, local backends (inline and process pool), resume,
failures, locking (real training on a tiny config)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

pytest.importorskip("torch")

from lrlab.study.config import StudyConfig
from lrlab.study.data import DatasetError
from lrlab.study.runner import StudyError, _lock, plan, run_study
from lrlab.study.store import DB_NAME, Store, StoreError
from tests._study_helpers import TINY, metrics


@pytest.fixture(scope="module")
def cfg() -> StudyConfig:
    return StudyConfig.from_dict(TINY)


def test_plan_resolves_specs(cfg: StudyConfig) -> None:
    trials = plan(cfg)
    assert [(t.task, t.schedule, t.seed) for t in trials] == [
        ("mini-mlp", "constant", 0), ("mini-mlp", "cosine", 0), ("mini-mlp", "plateau", 0)]
    # 300 images, 20% validation -> 240 training images, batch 50 -> 5 steps x 2 epochs
    assert trials[1].spec["schedule_spec"] == "cosine(0.05, steps=10)"
    assert trials[1].total_steps == 10
    assert trials[2].spec["plateau"] == {"patience": 1}
    assert trials[0].spec["task"]["lr"] == 0.05 and trials[0].spec["task"]["target_accuracy"] == 0.5
    assert len({t.trial_id for t in trials}) == 3
    assert [t.trial_id for t in plan(cfg)] == [t.trial_id for t in trials]   # stable


def test_inline_and_pool_give_identical_results(cfg: StudyConfig, tmp_path: Path) -> None:
    one = run_study(cfg, tmp_path / "one", jobs=1, handle_signals=False)
    assert (one.total, one.ran, one.skipped, one.failed, one.stopped) == (3, 3, 0, 0, False)
    two = run_study(cfg, tmp_path / "two", jobs=2, handle_signals=False)
    assert (two.ran, two.failed) == (3, 0)
    m = metrics(tmp_path / "one")
    assert m == metrics(tmp_path / "two")
    assert all(len(v) == 2 for v in m.values())
    with Store(tmp_path / "two" / DB_NAME) as s:
        for t in s.trials():
            assert t["status"] == "done" and t["attempts"] == 1
            assert t["result"]["final_test_accuracy"] == s.epochs(t["trial_id"])[-1]["test_accuracy"]
            assert len(s.lrs(t["trial_id"])) == 10
        # the LR logged for the cosine trial is the schedule's
        import lrlab

        cos = next(t for t in s.trials() if t["schedule"] == "cosine")
        lrs = s.lrs(cos["trial_id"])
        sched = lrlab.parse("cosine(0.05, steps=10)")
        assert [lr for _, lr in lrs] == pytest.approx([sched(i) for i in range(10)], rel=1e-6)
    # resume of a finished study does nothing
    again = run_study(cfg, tmp_path / "one", jobs=2, handle_signals=False)
    assert (again.ran, again.skipped) == (0, 3)


def test_failed_trial_is_recorded_and_retried(tmp_path: Path) -> None:
    bad = StudyConfig.from_dict({**TINY, "tasks": [{**TINY["tasks"][0], "limit_train": 2,
                                                    "val_fraction": 0.9}],
                                 "schedules": TINY["schedules"][:1]})
    out = run_study(bad, tmp_path, jobs=1, handle_signals=False)
    assert (out.ran, out.failed) == (0, 1)
    with Store(tmp_path / DB_NAME) as s:
        (t,) = s.trials()
        assert t["status"] == "failed" and "leaves no training image" in t["error"]
    out = run_study(bad, tmp_path, jobs=1, handle_signals=False)
    with Store(tmp_path / DB_NAME) as s:
        assert s.trials()[0]["attempts"] == 2       # retried on the next run


def test_directory_lock_and_config_mismatch(cfg: StudyConfig, tmp_path: Path) -> None:
    with _lock(tmp_path), pytest.raises(StudyError, match="in use by another `lrlab study`"):
        run_study(cfg, tmp_path, handle_signals=False)
    one_sched = dataclasses.replace(cfg, schedules=cfg.schedules[:1])
    run_study(one_sched, tmp_path, handle_signals=False)
    with pytest.raises(StoreError, match="holds a different study"):
        run_study(cfg, tmp_path, handle_signals=False)


def test_bad_arguments(cfg: StudyConfig, tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="`backend` must be one of local, ray"):
        run_study(cfg, tmp_path, backend="dask")
    with pytest.raises(StudyError, match="`jobs` must be an integer >= 1"):
        run_study(cfg, tmp_path, jobs=0)
    with pytest.raises(StudyError, match="`address` needs backend='ray'"):
        run_study(cfg, tmp_path, address="auto")


def test_missing_dataset_says_how_to_get_it(tmp_path: Path) -> None:
    mnist = StudyConfig.from_dict({**TINY, "tasks": [{**TINY["tasks"][0], "dataset": "mnist"}]})
    with pytest.raises(DatasetError, match="mnist"):
        plan(mnist, data_dir=tmp_path)
