"""The ``lrlab`` command line, in-process (lrlab.cli.main) and as real subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import lrlab
from lrlab.cli import main

WC = "warmup(cosine(0.1, steps=9000, alpha=0.01), steps=1000, start=0.001)"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- values -------------------------------------------------------------------------------
def test_values_json_is_a_list_of_exact_floats(capsys):
    code, out, err = run(capsys, "values", WC, "--steps", "0,10,100,1000,5000.5", "--format",
                         "json")
    assert code == 0 and err == ""
    s = lrlab.parse(WC)
    assert json.loads(out) == [s(0), s(10), s(100), s(1000), s(5000.5)]


def test_values_range_csv(capsys):
    code, out, _ = run(capsys, "values", WC, "--range", "0:2000:250", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["step", "lr"]
    s = lrlab.parse(WC)
    assert [(int(a), float(b)) for a, b in rows[1:]] == [(t, s(t)) for t in range(0, 2000, 250)]


def test_values_table_default(capsys):
    code, out, _ = run(capsys, "values", "step_decay(0.1, step_size=10, gamma=0.5)", "--range",
                       "0:30:10")
    assert code == 0
    assert out.splitlines() == [
        "step  learning rate",
        "   0            0.1",
        "  10           0.05",
        "  20          0.025",
    ]


def test_values_needs_steps_or_range_but_not_both(capsys):
    with pytest.raises(SystemExit) as e:
        main(["values", WC])
    assert e.value.code == 2
    assert "one of the arguments --steps --range is required" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["values", WC, "--steps", "1", "--range", "0:3"])
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("arg", [["--steps", "1,x"], ["--steps", "-1"], ["--range", "5"],
                                 ["--range", "0:10:0"]])
def test_values_bad_step_arguments_are_usage_errors(capsys, arg):
    with pytest.raises(SystemExit) as e:
        main(["values", WC, *arg])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: lrlab values") and "Traceback" not in err


# -- spec errors and usage ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "pos", "reason"),
    [
        ("cosine(0.1, steps=0)", 12, "argument `steps` must be"),
        ("cosin(0.1, steps=10)", 0, "unknown schedule 'cosin'"),
        ("cosine(0.1, steps=10", 20, "expected ',' or ')'"),
        ("cosine(0.1, steps=10))", 21, "unexpected ')'"),
    ],
)
@pytest.mark.parametrize("command", [["values", "{}", "--steps", "0"], ["describe", "{}"],
                                     ["plot", "{}", "-o", "x.png"],
                                     ["tensorboard", "{}", "--logdir", "tb"]])
def test_bad_spec_is_one_line_with_position_exit_2(capsys, tmp_path, monkeypatch, spec, pos,
                                                    reason, command):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *[spec if a == "{}" else a for a in command])
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"lrlab {command[0]}: error: invalid spec at position {pos}: ")
    assert reason in err
    assert err.rstrip().endswith(f"{spec[:pos]}>>{spec[pos:]}")
    assert os.listdir(tmp_path) == []  # nothing written


def test_long_spec_error_is_shortened_around_the_position(capsys):
    spec = "join([" + ", ".join(["constant(0.1)"] * 20) + ", cosine(0.1, steps=-1)], [1])"
    code, _, err = run(capsys, "values", spec, "--steps", "0")
    assert code == 2 and len(err.splitlines()) == 1
    before, after = err.rstrip().split(" -- in: ")[1].split(">>")
    assert before.startswith("...") and len(before) == 3 + 40
    assert before.endswith("constant(0.1), cosine(0.1, ") and after == "steps=-1)], [1])"


def test_unknown_option_is_an_argparse_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        main(["plot", "constant(0.1)", "-o", "x.png", "--bogus"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: lrlab plot")
    assert "unrecognized arguments: --bogus" in err


def test_no_command_and_version(capsys):
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"lrlab {lrlab.__version__}"


def test_schedule_warnings_are_one_line_each(capsys):
    spec = "noisy_linear_cosine(0.01, steps=20000, num_periods=4.0)"
    code, out, err = run(capsys, "values", spec, "--range", "19900:20000", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 100
    assert err.startswith("lrlab values: warning: ") and len(err.splitlines()) == 1


# -- describe -----------------------------------------------------------------------------
def test_describe_text(capsys):
    code, out, _ = run(capsys, "describe", WC)
    assert code == 0
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert lines["horizon"] == "10000"
    assert lines["phases"] == "1000, 10000"
    assert lines["peak"] == "0.1 at step 1000"
    assert lines["minimum"] == "0.001 at step 0"
    assert lines["final"] == "0.001 at step 10000"
    total = float(np.sum(lrlab.parse(WC)(np.arange(10000))))
    assert lines["integral"] == f"{total:.6g} (sum of the LR over steps 0..9999)"
    assert "warning:" not in out


def test_describe_warnings(capsys):
    code, out, _ = run(capsys, "describe", "warmup(cosine(0.1, steps=900), steps=100)",
                       "--steps-per-epoch", "100", "--epochs", "12")
    warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert code == 0 and len(warnings) == 2
    assert "step 0 is exactly 0.0" in warnings[0]
    assert "100 x 12 = 1200 steps" in warnings[1]
    code, out, _ = run(capsys, "describe", "cosine(0.1, steps=100, periodic=True)")
    assert "rises again after the horizon" in out


def test_describe_json_and_epoch_options_go_together(capsys):
    code, out, _ = run(capsys, "describe", WC, "--format", "json", "--steps", "20000")
    d = json.loads(out)
    assert code == 0 and d["end"] == 20000 and d["horizon"] == 10000
    code, _, err = run(capsys, "describe", WC, "--epochs", "3")
    assert code == 2 and "--steps-per-epoch and --epochs go together" in err


# -- plot ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("ext", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                            ("pdf", b"%PDF")])
def test_plot_writes_the_format_of_the_extension(capsys, tmp_path, ext, magic):
    path = tmp_path / f"lr.{ext}"
    code, out, _ = run(capsys, "plot", WC, "cosine(0.1, steps=10000)", "-o", str(path), "--log",
                       "--steps", "12000")
    assert code == 0 and out.strip() == f"wrote {path}"
    assert path.read_bytes()[: len(magic)] == magic


def test_plot_svg_has_legend_labels(capsys, tmp_path):
    path = tmp_path / "lr.svg"
    code, _, _ = run(capsys, "plot", WC, "constant(0.05)", "-o", str(path), "--label", "main",
                     "--label", "flat", "--title", "T")
    svg = path.read_text()
    assert code == 0 and "main" in svg and "flat" in svg


def test_plot_errors(capsys, tmp_path):
    code, _, err = run(capsys, "plot", WC, "-o", str(tmp_path / "lr.jpg"))
    assert code == 2 and "must end in .png, .svg or .pdf" in err
    code, _, err = run(capsys, "plot", WC, "-o", str(tmp_path / "lr.png"), "--label", "a",
                       "--label", "b")
    assert code == 2 and "--label given 2 times for 1 specs" in err
    code, _, err = run(capsys, "plot", WC, "-o", str(tmp_path / "no" / "such" / "lr.png"))
    assert code == 1 and err.startswith("lrlab plot: error: cannot write")


def test_plot_without_matplotlib_is_friendly(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = run(capsys, "plot", WC, "-o", str(tmp_path / "lr.png"))
    assert code == 1 and len(err.splitlines()) == 1
    assert "pip install 'lrlab[plot]'" in err and "Traceback" not in err


# -- tensorboard, gallery -------------------------------------------------------------------
def test_tensorboard_command(capsys, tmp_path):
    code, out, _ = run(capsys, "tensorboard", WC, "constant(0.1)", "--logdir", str(tmp_path),
                       "--steps", "100", "--label", "wc", "--label", "flat")
    assert code == 0 and len(out.splitlines()) == 2
    assert sorted(os.listdir(tmp_path)) == ["flat", "wc"]
    code, _, err = run(capsys, "tensorboard", WC, "--logdir", str(tmp_path), "--label", "a",
                       "--label", "b")
    assert code == 2 and "--label given 2 times" in err


def test_gallery_command(capsys, tmp_path, monkeypatch):
    import importlib

    lplot = importlib.import_module("lrlab.plot")  # the module, even if lrlab.plot is the function

    monkeypatch.setattr(lplot, "GALLERY", {"cosine": "cosine(0.01, steps=20000)"})
    code, out, _ = run(capsys, "gallery", "-o", str(tmp_path), "--format", "svg")
    assert code == 0 and out.strip() == f"wrote 2 images into {tmp_path}"
    assert sorted(os.listdir(tmp_path)) == ["cosine.svg", "overview.svg"]
    code, _, err = run(capsys, "gallery", "-o", str(tmp_path), "--only", "cosine,nope")
    assert code == 2 and "Received: nope" in err


# -- real subprocesses ----------------------------------------------------------------------
def _lrlab_cmd():
    # the console script of the Python running this (a venv's own), else the one on PATH
    exe = shutil.which("lrlab", path=os.path.dirname(sys.executable)) or shutil.which("lrlab")
    return [exe] if exe else [sys.executable, "-m", "lrlab.cli"]


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["values", WC, "--steps", "0,1000", "--format", "json"],
         lambda out, d: json.loads(out) == [0.001, 0.1]),
        (["describe", WC], lambda out, d: "peak      0.1 at step 1000" in out),
        (["plot", WC, "-o", "lr.png", "--steps", "10000000"],
         lambda out, d: (d / "lr.png").read_bytes()[:4] == b"\x89PNG"),
        (["tensorboard", WC, "--logdir", "tb"], lambda out, d: os.listdir(d / "tb") == ["0-warmup"]),
        (["gallery", "-o", "g", "--format", "svg", "--only", "cosine,wsd"],
         lambda out, d: sorted(os.listdir(d / "g")) == ["cosine.svg", "overview.svg", "wsd.svg"]),
    ],
    ids=["values", "describe", "plot", "tensorboard", "gallery"],
)
def test_subprocess(tmp_path, args, check):
    p = subprocess.run([*_lrlab_cmd(), *args], cwd=tmp_path, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert check(p.stdout, tmp_path), p.stdout


def test_subprocess_bad_spec_exit_2_no_traceback(tmp_path):
    p = subprocess.run([*_lrlab_cmd(), "values", "cosine(0.1, steps=0)", "--steps", "0"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and "position 12" in p.stderr and "Traceback" not in p.stderr


def test_a_closed_pipe_stops_quietly() -> None:
    # `lrlab values ... | head -1`: the reader goes away early; no traceback, exit 141
    import subprocess
    import sys

    code = (
        "import sys; from lrlab.cli import main; "
        "sys.exit(main(['values', 'cosine(0.1, steps=1000000)', '--range', '0:1000000:1']))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=120)
    assert first.strip()
    assert "Traceback" not in err, err
    assert rc == 141
