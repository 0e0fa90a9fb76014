"""``lrlab study`` called in-process through :func:`lrlab.study.cli.main`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from lrlab.study import cli

pytest.importorskip("yaml")


def test_list_presets(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--list-presets"]) == 0
    out = capsys.readouterr().out
    for name in ("tour (default)", "tf-mnist-expdecay", "cifar-lenet-plateau", "fashion-clr"):
        assert name in out
    assert "0.8897" in out


def test_add_parser_wires_run() -> None:
    p = argparse.ArgumentParser(prog="lrlab")
    cli.add_parser(p.add_subparsers())
    args = p.parse_args(["study", "fashion-clr", "--out", "x", "--jobs", "3"])
    assert args.func is cli.run and args.target == "fashion-clr" and args.jobs == 3
    assert args.out == "x" and args.backend == "local"
    default = p.parse_args(["study"])
    assert default.target is None and default.out == cli.DEFAULT_OUT


@pytest.mark.parametrize(("argv", "message"), [
    (["tuor"], "'tuor' is neither a preset"),
    (["missing.yaml"], "missing.yaml: no such config file"),
    (["tour", "--seeds", "a,b"], "--seeds must be integers"),
    (["tour", "--epochs", "0"], "epochs must be an integer >= 1"),
    (["tour", "--address", "auto"], "--address needs --backend ray"),
    (["tour", "--data", "svhn"], "dataset must be one of"),
])
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 1
    assert message in capsys.readouterr().err


def test_missing_dataset_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["tf-mnist-expdecay", "--data-dir", str(tmp_path), "--out",
                     str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1
    assert "mnist" in err and "--data fashion-mnist" in err


def test_status_of_missing_study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--status", str(tmp_path)]) == 1
    assert "no study database" in capsys.readouterr().err


def test_run_report_status_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    from tests._study_helpers import write_config

    config = write_config(tmp_path / "tiny.yaml")
    out = tmp_path / "study"
    assert cli.main([str(config), "--out", str(out), "--jobs", "1", "--no-tensorboard"]) == 0
    cap = capsys.readouterr()
    assert f"report: {out / 'index.html'}" in cap.out
    assert "final test acc" in cap.out and "plateau" in cap.out        # the final table
    assert "[3/3] mini-mlp / plateau / seed 0: test acc" in cap.err     # progress lines
    for name in ("index.html", "summary.md", "plots/mini-mlp-lr.png",
                 "plots/mini-mlp-loss.png", "plots/mini-mlp-accuracy.png"):
        assert (out / name).is_file(), name
    assert not (out / "tensorboard").exists()
    assert cli.main(["--status", str(out)]) == 0
    st = capsys.readouterr().out
    assert "3/3 done" in st and "epoch 2/2, started 1x" in st
    # same command again: nothing rerun, report rewritten
    assert cli.main([str(config), "--out", str(out), "--jobs", "1"]) == 0
    cap = capsys.readouterr()
    assert "resuming: 3 of 3 trials already done" in cap.err
    assert (out / "tensorboard").is_dir()


def test_rich_progress_bars_render() -> None:
    import io
    from types import SimpleNamespace

    from lrlab.study.progress import Progress

    buf = io.StringIO()
    p = Progress(buf, force_terminal=True)
    trial = SimpleNamespace(trial_id="t1", label="task / cosine / seed 0", total_steps=10)
    p.start(total=2, done=1)
    p.trial_started(trial)
    p.trial_step(trial, 5, 10)
    p.trial_done(trial, {"final_test_accuracy": 0.8125, "best_test_accuracy": 0.85})
    p.close()
    text = buf.getvalue()
    assert "study (trials)" in text
    assert "[2/2] task / cosine / seed 0: test acc 0.8125 (best 0.8500)" in text


def test_plain_progress_lines() -> None:
    import io
    from types import SimpleNamespace

    from lrlab.study.progress import Progress

    buf = io.StringIO()
    p = Progress(buf)                      # not a terminal: plain lines
    trial = SimpleNamespace(trial_id="t1", label="a / b / seed 1", total_steps=4)
    p.start(total=3, done=1)
    p.trial_started(trial)
    p.trial_done(trial, None)
    p.close()
    assert buf.getvalue().splitlines() == ["resuming: 1 of 3 trials already done",
                                           "[1/3] a / b / seed 1: stopped or failed"]


def test_wired_into_lrlab_command(capsys: pytest.CaptureFixture[str]) -> None:
    from lrlab.cli import main as lrlab_main

    assert lrlab_main(["study", "--list-presets"]) == 0
    assert "tour (default)" in capsys.readouterr().out
