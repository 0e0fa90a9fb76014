"""Plotting (lrlab.plot): the drawn data, downsampling, files, gallery, missing matplotlib."""

from __future__ import annotations

import importlib
import itertools
import sys
import time

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

import lrlab  # noqa: E402
from lrlab.export import sample  # noqa: E402
from lrlab.plot import downsample, gallery, plot, plot_to_file  # noqa: E402

lplot = importlib.import_module("lrlab.plot")  # the module (lrlab.plot may be the function)


def _ax():
    return Figure(figsize=(8, 4.5)).add_subplot()


def _data_lines(ax):
    return [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]


def test_plot_overlays_schedules_with_legend_labels_and_phase_marks():
    ax = plot(["warmup(cosine(0.1, steps=900), steps=100)", "constant(0.05)"], steps=1200,
              ax=_ax())
    lines = _data_lines(ax)
    assert [ln.get_label() for ln in lines] == [
        "warmup(schedule=cosine(init=0.1, steps=900), steps=100)", "constant(value=0.05)"
    ]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [ln.get_label() for ln in lines]
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "learning rate"
    assert ax.get_xlim() == (0.0, 1200.0)
    marks = [ln for ln in ax.get_lines() if ln.get_label().startswith("_")]
    assert sorted(float(m.get_xdata()[0]) for m in marks) == [100.0, 1000.0]
    x, y = lines[0].get_xdata(), lines[0].get_ydata()
    assert x.tolist() == list(range(1201))  # short: every step, exactly
    s = lrlab.parse("warmup(cosine(0.1, steps=900), steps=100)")
    np.testing.assert_array_equal(y, s(x))


def test_labels_mapping_log_and_title():
    ax = plot({"base": "exponential(0.1, decay_rate=0.5, decay_steps=10)"}, 100, _ax(), log=True,
              title="t")
    assert _data_lines(ax)[0].get_label() == "base"
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    ax = plot("constant(0.1)", 10, _ax(), labels=["mine"], phases=False)
    assert _data_lines(ax)[0].get_label() == "mine"


def test_default_steps_show_past_the_horizon():
    ax = plot("cosine(0.1, steps=1000)", ax=_ax())
    assert ax.get_xlim()[1] == 1100


def test_plot_without_ax_uses_pyplot():
    import matplotlib.pyplot as plt

    ax = plot("constant(0.1)", 10)
    try:
        assert ax.figure is plt.gcf()
    finally:
        plt.close(ax.figure)


def test_bad_steps_and_bad_schedule():
    with pytest.raises(lrlab.ScheduleError, match="`steps` must be a finite number > 0"):
        plot("constant(0.1)", 0, _ax())
    with pytest.raises(lrlab.SpecError):
        plot("constant(0.1, )x", 10, _ax())


def test_downsample_keeps_the_envelope_of_every_bucket():
    rng = np.random.default_rng(0)
    t = np.arange(100_000, dtype=float)
    y = np.cumsum(rng.normal(size=t.size))
    tt, yy = downsample(t, y, buckets=50)
    assert len(tt) <= 200 and np.all(np.diff(tt) > 0)
    assert tt[0] == 0 and tt[-1] == 99_999
    # every kept point is a real point; each bucket's min and max survive
    np.testing.assert_array_equal(yy, y[tt.astype(int)])
    edges = np.linspace(0, 99_999, 51)
    for a, b in itertools.pairwise(edges):
        m = (t >= a) & (t < b)
        k = (tt >= a) & (tt < b)
        if m.any():
            assert yy[k].max() == y[m].max() and yy[k].min() == y[m].min()


def test_downsample_leaves_short_lines_alone():
    t = np.arange(10.0)
    tt, yy = downsample(t, t * 2, buckets=5)
    assert tt is t and yy.tolist() == (t * 2).tolist()


def test_ten_million_steps_draw_few_points_and_keep_every_jump():
    spec = "multistep(0.1, milestones=[2500001, 5000000, 7777777], gamma=0.5)"
    s = lrlab.parse(spec)
    ax = plot(spec, 10_000_000, _ax())
    x, y = (np.asarray(a) for a in (_data_lines(ax)[0].get_xdata(), _data_lines(ax)[0].get_ydata()))
    assert len(x) <= 4 * lplot.BUCKETS + 20
    for m in (2500001, 5000000, 7777777):
        i = int(np.searchsorted(x, m))
        assert x[i] == m and x[i - 1] == m - 1  # both sides of the jump, exactly
        assert y[i - 1] == s(m - 1) and y[i] == s(m) == y[i - 1] * 0.5
    assert x[-1] == 10_000_000


class _Counting(lrlab.Schedule):
    """A schedule that counts how many steps it was asked for."""

    name = "counting"

    def __init__(self) -> None:
        object.__setattr__(self, "n", 0)

    def _eval(self, t, m):
        object.__setattr__(self, "n", self.n + (t.size if m.is_array else 1))
        return m.full(t, 0.1) if m.is_array else 0.1

    def phases(self):
        return (5_000_000.5,)

    def __repr__(self) -> str:
        return "counting()"


def test_plot_cost_does_not_grow_with_the_number_of_steps():
    s = _Counting()
    plot(s, 10_000_000, _ax())
    assert s.n <= lrlab.export.SAMPLE_BUDGET + 20
    s2 = _Counting()
    t, _ = sample(s2, 1e12)
    assert len(t) <= lrlab.export.SAMPLE_BUDGET + 20 and 5_000_000.5 in t


def test_ten_million_steps_about_as_fast_as_a_10k_line(tmp_path):
    # the benchmark (benchmarks/bench_plot.py) measures this properly; here a loose bound
    spec = "warmup(cosine(0.1, steps=9000000), steps=1000000)"
    t0 = time.perf_counter()
    plot_to_file(spec, tmp_path / "a.png", steps=10_000_000)
    big = time.perf_counter() - t0
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    t0 = time.perf_counter()
    x = np.arange(10_000.0)
    ax.plot(x, np.cos(x / 1000), label="10k")
    ax.legend()
    fig.savefig(tmp_path / "b.png", dpi=120)
    small = time.perf_counter() - t0
    assert big < 3 * small + 0.5


@pytest.mark.parametrize(("ext", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                            ("pdf", b"%PDF")])
def test_plot_to_file_formats(tmp_path, ext, magic):
    p = plot_to_file(["cosine(0.1, steps=100)"], tmp_path / f"lr.{ext}")
    assert open(p, "rb").read(len(magic)) == magic


def test_plot_to_file_rejects_unknown_extension(tmp_path):
    with pytest.raises(lrlab.ScheduleError, match=r"\.png, \.svg or \.pdf"):
        plot_to_file("constant(0.1)", tmp_path / "lr.jpg")


def test_gallery_writes_one_image_per_family_and_an_overview(tmp_path, monkeypatch):
    monkeypatch.setattr(lplot, "GALLERY", {
        "cosine": "cosine(0.01, steps=20000)",
        "step_decay": "step_decay(0.01, step_size=5000, gamma=0.5)",
        "nope": "not_a_family(1)",
    })
    written, skipped = gallery(tmp_path, "svg")
    assert sorted(p.rsplit("/", 1)[1] for p in written) == [
        "cosine.svg", "overview.svg", "step_decay.svg"
    ]
    assert list(skipped) == ["nope"] and "unknown schedule" in skipped["nope"]


def test_gallery_specs_all_parse_with_the_classic_parameters():
    for name, spec in lplot.GALLERY.items():
        s = lrlab.parse(spec)
        assert type(s).name == name
        if name != "noam":
            assert max(s(np.arange(0, 20001, 10))) == pytest.approx(0.01, rel=0.25), name


def test_missing_matplotlib_gives_a_friendly_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'lrlab\[plot\]'"):
        plot("constant(0.1)", 10)


class _Saw(lrlab.Schedule):
    """A sawtooth of period 50 steps that declares no phases (the worst case for sampling)."""

    name = "saw"

    def _eval(self, t, m):
        return (t % 50) / 50

    def __repr__(self) -> str:
        return "saw()"


def test_a_period_that_divides_the_stride_does_not_alias_into_a_flat_line():
    s = _Saw()
    _, y = sample(s, 10_000_000)  # stride 50 = the period: a regular grid would see one value
    assert len(np.unique(y)) == 50
    ax = plot(s, 10_000_000, _ax())
    line = _data_lines(ax)[0]
    xx, yy = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    for a in range(0, 10_000_000, 500_000):  # the full band is drawn everywhere
        w = yy[(xx >= a) & (xx < a + 50_000)]
        assert w.max() - w.min() > 0.9
