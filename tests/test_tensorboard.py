"""TensorBoard event files (lrlab.tensorboard), read back with TensorBoard's own reader."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import types

import numpy as np
import pytest

import lrlab
from lrlab.tensorboard import crc32c, masked_crc32c, write_tensorboard

pytest.importorskip("tensorboard")


@pytest.fixture(scope="module")
def accumulator():
    # TensorBoard's reader imports TensorFlow when it can; its "notf" switch makes it use its
    # own stub instead (faster, and the files must not need TensorFlow anyway).
    sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
    from tensorboard.backend.event_processing import event_accumulator

    def read(rundir):
        acc = event_accumulator.EventAccumulator(
            str(rundir), size_guidance={event_accumulator.SCALARS: 0}
        )
        acc.Reload()
        return acc

    return read


def test_crc32c_known_vectors():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"\x00" * 32) == 0x8A9136AA  # RFC 3720 test vector
    assert crc32c(bytes(range(32))) == 0x46DD794E
    c = crc32c(b"abc")
    assert masked_crc32c(b"abc") == (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def test_scalars_read_back_with_tensorboard(tmp_path, accumulator):
    specs = {"warm": "warmup(cosine(0.1, steps=900), steps=100, start=0.001)",
             "steps": "step_decay(0.1, step_size=300, gamma=0.5)"}
    paths = write_tensorboard(specs, tmp_path, steps=1000)
    assert sorted(os.listdir(tmp_path)) == ["steps", "warm"]
    assert [os.path.basename(os.path.dirname(p)) for p in paths] == ["warm", "steps"]
    for label, spec in specs.items():
        acc = accumulator(tmp_path / label)
        assert acc.Tags()["scalars"] == ["learning_rate"]
        events = acc.Scalars("learning_rate")
        steps = [e.step for e in events]
        assert steps == list(range(1000))
        expected = lrlab.parse(spec)(np.arange(1000)).astype(np.float32)
        np.testing.assert_array_equal(np.array([e.value for e in events], np.float32), expected)
        meta = acc.SummaryMetadata("learning_rate")
        assert meta.summary_description == repr(lrlab.parse(spec))
        assert meta.plugin_data.plugin_name == "scalars"


def test_long_schedules_are_thinned_but_keep_phase_steps(tmp_path, accumulator):
    spec = "multistep(0.1, milestones=[123457], gamma=0.1)"
    (path,) = write_tensorboard([spec], tmp_path, steps=1_000_000)
    assert os.path.basename(os.path.dirname(path)) == "0-multistep"
    events = accumulator(os.path.dirname(path)).Scalars("learning_rate")
    steps = [e.step for e in events]
    assert len(steps) <= 10_002 and steps[:3] == [0, 100, 200]
    i = steps.index(123457)
    assert steps[i - 1] == 123456
    assert events[i - 1].value == pytest.approx(0.1) and events[i].value == pytest.approx(0.01)


def test_every_and_tag(tmp_path, accumulator):
    (path,) = write_tensorboard("constant(0.25)", tmp_path, steps=50, every=10, tag="lr/g0",
                                labels=["run"])
    acc = accumulator(os.path.dirname(path))
    assert [(e.step, e.value) for e in acc.Scalars("lr/g0")] == [
        (s, 0.25) for s in (0, 10, 20, 30, 40)
    ]


def test_record_framing(tmp_path):
    (path,) = write_tensorboard("constant(0.5)", tmp_path, steps=3)
    data = open(path, "rb").read()
    pos, n = 0, 0
    while pos < len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        (hcrc,) = struct.unpack_from("<I", data, pos + 8)
        assert hcrc == masked_crc32c(data[pos : pos + 8])
        body = data[pos + 12 : pos + 12 + length]
        (bcrc,) = struct.unpack_from("<I", data, pos + 12 + length)
        assert bcrc == masked_crc32c(body)
        pos += 16 + length
        n += 1
    assert n == 4  # file_version + 3 scalars
    assert b"brain.Event:2" in data


@pytest.mark.parametrize(("kwargs", "match"), [({"steps": 0}, "`steps` must be an integer >= 1"),
                                               ({"steps": 2.5}, "`steps`"),
                                               ({"steps": 10, "every": 0}, "`every`")])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(lrlab.ScheduleError, match=match):
        write_tensorboard("constant(0.1)", tmp_path, **kwargs)


def test_default_steps_is_the_horizon(tmp_path, accumulator):
    (path,) = write_tensorboard("cosine(0.1, steps=200)", tmp_path)
    steps = [e.step for e in accumulator(os.path.dirname(path)).Scalars("learning_rate")]
    assert steps[-1] == 199


def test_writing_imports_neither_torch_nor_tensorflow(tmp_path):
    code = (
        "import sys, lrlab.tensorboard as tb\n"
        f"tb.write_tensorboard('cosine(0.1, steps=10)', {str(tmp_path)!r})\n"
        "bad = [m for m in ('torch', 'tensorflow', 'tensorboard', 'google.protobuf') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
