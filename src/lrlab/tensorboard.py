"""TensorBoard scalar event files, written without TensorFlow, PyTorch or protobuf.

An event file is a sequence of TFRecords (``uint64 length``, ``masked crc32c(length)``,
``data``, ``masked crc32c(data)``, little-endian) whose data are serialized ``Event`` protocol
buffers.  The few fields a scalar needs are encoded here by hand:

* ``Event``: ``wall_time`` (1, double), ``step`` (2, int64), ``file_version`` (3, string),
  ``summary`` (5, message);
* ``Summary.value`` (1, repeated): ``tag`` (1, string), ``simple_value`` (2, float32),
  ``metadata`` (9, message, first event only: ``plugin_data.plugin_name`` (1.1) =
  ``"scalars"`` and ``summary_description`` (3, string) = the spec text).

TensorBoard stores scalars as float32, so the values read back are the schedule's values
rounded to float32.

>>> import os, tempfile, lrlab
>>> d = tempfile.mkdtemp()
>>> paths = write_tensorboard({"decay": "step_decay(0.1, step_size=5)"}, d, steps=10)
>>> os.path.relpath(os.path.dirname(paths[0]), d)
'decay'
>>> hex(masked_crc32c(b""))  # crc32c(b"") is 0: only the mask constant remains
'0xa282ead8'
"""

from __future__ import annotations

import math
import os
import re
import socket
import struct
import time
from collections.abc import Iterable, Sequence

import numpy as np

from lrlab.errors import ScheduleError
from lrlab.export import Schedules, as_schedules

__all__ = ["masked_crc32c", "crc32c", "encode_scalar_event", "write_tensorboard"]

#: at most this many points per schedule unless ``every`` is given (TensorBoard itself keeps
#: 1,000 scalars per tag by default).
MAX_POINTS = 10_000


def _crc_table() -> list[int]:
    poly = 0x82F63B78  # Castagnoli, reflected
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data``.

    >>> hex(crc32c(b"123456789"))  # the standard check value
    '0xe3069283'
    """
    c = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The masked CRC that TFRecord stores: ``((crc >> 15 | crc << 17) + 0xa282ead8) mod 2**32``."""
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n: int) -> bytes:
    if n < 0:
        n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field_bytes(num: int, payload: bytes) -> bytes:
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _event(wall_time: float, step: int | None = None, body: bytes = b"") -> bytes:
    out = b"\x09" + struct.pack("<d", wall_time)  # field 1, wire type 1 (64-bit)
    if step:
        out += b"\x10" + _varint(step)  # field 2, varint
    return out + body


def encode_scalar_event(
    tag: str, value: float, step: int, wall_time: float, description: str | None = None
) -> bytes:
    """A serialized ``Event`` proto holding one scalar summary.

    >>> encode_scalar_event("lr", 0.5, 3, 0.0).hex()
    '09000000000000000010032a0b0a090a026c72150000003f'
    """
    val = _field_bytes(1, tag.encode()) + b"\x15" + struct.pack("<f", value)
    if description is not None:
        meta = _field_bytes(1, _field_bytes(1, b"scalars"))  # plugin_data.plugin_name
        val += _field_bytes(9, meta + _field_bytes(3, description.encode()))
    summary = _field_bytes(1, val)
    return _event(wall_time, step, _field_bytes(5, summary))


def _record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return (
        header
        + struct.pack("<I", masked_crc32c(header))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


def _run_name(label: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.=,+-]+", "_", label).strip("._")
    return name[:80] or "schedule"


def _steps(s_phases: Iterable[float], stop: int, every: int) -> np.ndarray:
    t = np.arange(0, stop, every, dtype=np.int64)
    extra = []
    for p in s_phases:
        for q in (int(np.ceil(p)) - 1, int(np.ceil(p))):
            if 0 <= q < stop:
                extra.append(q)
    return np.union1d(t, np.asarray(extra, dtype=np.int64))


def write_tensorboard(
    schedules: Schedules,
    logdir: str | os.PathLike[str],
    steps: int | None = None,
    *,
    labels: Sequence[str] | None = None,
    tag: str = "learning_rate",
    every: int | None = None,
) -> list[str]:
    """Write each schedule's values as a scalar ``tag`` into its own run under ``logdir``.

    ``steps``: the integer steps ``0 .. steps-1`` (default: the latest horizon, else 1000),
    every ``every``-th of them (default: enough to write at most ~10,000 points) plus the
    steps on both sides of each phase boundary.  Each run is a sub-directory named after the
    label (mapping key, else ``<index>-<family>``), so TensorBoard overlays them.  Returns the
    event file paths.  The spec text is the scalar's description.
    """
    pairs = as_schedules(schedules, labels)
    if steps is None:
        from lrlab.plot import last_phase

        end = last_phase([s for _, s in pairs])
        steps = 1000 if end is None else max(1, math.ceil(end))
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise ScheduleError(f"argument `steps` must be an integer >= 1. Received: steps={steps!r}")
    steps = int(steps)
    if every is None:
        every = max(1, -(-steps // MAX_POINTS))
    if isinstance(every, bool) or int(every) != every or every < 1:
        raise ScheduleError(f"argument `every` must be an integer >= 1. Received: every={every!r}")
    keyed = labels is not None or isinstance(schedules, dict)
    host = socket.gethostname() or "localhost"
    paths = []
    used: set[str] = set()
    for i, (label, s) in enumerate(pairs):
        run = _run_name(label if keyed else f"{i}-{type(s).name}")
        while run in used:
            run += "_"
        used.add(run)
        rundir = os.path.join(os.fspath(logdir), run)
        os.makedirs(rundir, exist_ok=True)
        now = time.time()
        path = os.path.join(rundir, f"events.out.tfevents.{int(now)}.{host}.{os.getpid()}.lrlab")
        t = _steps(s.phases(), steps, int(every))
        y = s(t.astype(np.float64))
        spec = repr(s)
        with open(path, "wb") as f:
            f.write(_record(_event(now, None, _field_bytes(3, b"brain.Event:2"))))
            chunks = []
            for j, (step, val) in enumerate(zip(t.tolist(), y.tolist())):
                ev = encode_scalar_event(tag, val, step, now, spec if j == 0 else None)
                chunks.append(_record(ev))
            f.write(b"".join(chunks))
        paths.append(path)
    return paths
