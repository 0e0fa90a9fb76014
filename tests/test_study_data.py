"""lrlab.study.data: IDX and CIFAR-10 loaders, errors naming the file, the restricted unpickler."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from lrlab.study import data as D
from lrlab.study._unpickle import ForbiddenPickle, restricted_load
from lrlab.study.data import DatasetError, available_datasets, load_dataset

RNG = np.random.default_rng(0)


# -- IDX fixtures (the exact format of LeCun's files) -----------------------------------------
def _idx_bytes(arr: np.ndarray) -> bytes:
    arr = np.asarray(arr, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 | arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.tobytes()


def _write(path: Path, payload: bytes, gz: bool) -> Path:
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(payload))
    else:
        path.write_bytes(payload)
    return path


def _make_idx(folder: Path, n_train: int = 30, n_test: int = 10, gz: bool = True) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_x": RNG.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_y": RNG.integers(0, 10, n_train, dtype=np.uint8),
        "test_x": RNG.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_y": RNG.integers(0, 10, n_test, dtype=np.uint8),
    }
    names = {"train_x": "train-images-idx3-ubyte", "train_y": "train-labels-idx1-ubyte",
             "test_x": "t10k-images-idx3-ubyte", "test_y": "t10k-labels-idx1-ubyte"}
    paths = {k: _write(folder / names[k], _idx_bytes(a), gz) for k, a in arrays.items()}
    return {"arrays": arrays, "paths": paths}


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_idx_roundtrip(tmp_path, gz):
    made = _make_idx(tmp_path / "mnist", gz=gz)
    ds = load_dataset("mnist", tmp_path)                    # found in the mnist/ subfolder
    a = made["arrays"]
    assert ds.train_x.shape == (30, 1, 28, 28) and ds.train_x.dtype == np.float32
    assert ds.train_y.dtype == np.int64 and ds.test_x.shape == (10, 1, 28, 28)
    np.testing.assert_array_equal(ds.train_x[:, 0], a["train_x"].astype(np.float32) / 255)
    np.testing.assert_array_equal(ds.train_y, a["train_y"])
    np.testing.assert_array_equal(ds.test_y, a["test_y"])
    assert 0.0 <= ds.train_x.min() and ds.train_x.max() <= 1.0
    assert ds.classes == tuple("0123456789") and ds.source == str(tmp_path / "mnist")
    small = load_dataset("mnist", tmp_path, limit_train=7, limit_test=3)
    np.testing.assert_array_equal(small.train_x, ds.train_x[:7])
    assert len(small.test_y) == 3


def test_data_dir_from_environment(tmp_path, monkeypatch):
    _make_idx(tmp_path)
    monkeypatch.setenv("LRLAB_DATA_DIR", str(tmp_path))
    assert len(load_dataset("mnist").train_y) == 30
    assert available_datasets()["mnist"] == str(tmp_path)


def test_missing_files_name_the_file_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("LRLAB_DATA_DIR", raising=False)
    with pytest.raises(DatasetError, match=r"(?s)mnist: train-images-idx3-ubyte.*missing.*"
                                           r"--data-dir"):
        load_dataset("mnist", tmp_path)
    made = _make_idx(tmp_path)
    made["paths"]["test_y"].unlink()
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.*missing"):
        load_dataset("mnist", tmp_path)
    with pytest.raises(DatasetError, match=r"(?s)cifar-10-batches-py.*missing.*cifar\.html"):
        load_dataset("cifar10", tmp_path)


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_idx(tmp_path, gz):
    made = _make_idx(tmp_path, gz=False)
    p = made["paths"]["train_x"]
    raw = p.read_bytes()
    p.unlink()
    _write(tmp_path / "train-images-idx3-ubyte", raw[:-100], gz)
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.*truncated: the 30 "
                                           r"images of 28x28 needs 23520 bytes, the file has "
                                           r"23420"):
        load_dataset("mnist", tmp_path)


def test_truncated_gzip_stream(tmp_path):
    made = _make_idx(tmp_path)
    p = made["paths"]["test_x"]
    p.write_bytes(p.read_bytes()[:-30])              # cut inside the deflate stream
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte.gz: truncated"):
        load_dataset("mnist", tmp_path)


def test_bad_magic(tmp_path):
    made = _make_idx(tmp_path, gz=False)
    p = made["paths"]["train_y"]
    p.write_bytes(struct.pack(">I", 0x0803) + p.read_bytes()[4:])
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte: bad magic number "
                                           r"0x00000803; an IDX file of labels \(idx1\) "
                                           r"starts with 0x00000801"):
        load_dataset("mnist", tmp_path)


def test_wrong_counts(tmp_path):
    made = _make_idx(tmp_path, gz=False)
    made["paths"]["train_y"].write_bytes(_idx_bytes(np.zeros(29, np.uint8)))
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte: wrong count: 29 labels "
                                           "for 30 images"):
        load_dataset("mnist", tmp_path)
    made["paths"]["train_y"].write_bytes(_idx_bytes(np.zeros(30, np.uint8)) + b"\0\0")
    with pytest.raises(DatasetError, match="wrong count: the header says 30 items"):
        load_dataset("mnist", tmp_path)
    made["paths"]["train_y"].write_bytes(_idx_bytes(np.full(30, 12, np.uint8)))
    with pytest.raises(DatasetError, match="label 12 is out of range 0..9"):
        load_dataset("mnist", tmp_path)


def test_corrupt_gzip(tmp_path):
    made = _make_idx(tmp_path)
    made["paths"]["train_x"].write_bytes(b"this is not gzip data at all")
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: corrupt gzip"):
        load_dataset("mnist", tmp_path)


def test_argument_errors():
    with pytest.raises(DatasetError, match="`name` must be one of .* Received: name='svhn'"):
        load_dataset("svhn")
    with pytest.raises(DatasetError, match="`limit_train` must be None or an int >= 1. "
                                           "Received: limit_train=0"):
        load_dataset("fashion-mnist-mini", limit_train=0)


# -- Fashion-MNIST: the embedded subset and Debian's package ----------------------------------
def test_embedded_mini_is_balanced_and_licensed():
    ds = load_dataset("fashion-mnist-mini")
    assert ds.train_x.shape == (5000, 1, 28, 28) and ds.test_x.shape == (1000, 1, 28, 28)
    assert np.bincount(ds.train_y).tolist() == [500] * 10
    assert np.bincount(ds.test_y).tolist() == [100] * 10
    assert ds.classes[9] == "Ankle boot"
    folder = Path(D.__file__).with_name("data")
    text = (folder / "LICENSE-fashion-mnist.txt").read_text(encoding="utf-8")
    assert "MIT" in text and "Zalando" in text and "Permission is hereby granted" in text
    assert available_datasets()["fashion-mnist-mini"] is not None


@pytest.mark.skipif(not D.DEBIAN_FASHION_MNIST_DIR.is_dir(),
                    reason="apt-get install dataset-fashion-mnist")
def test_debian_fashion_mnist_found_and_mini_is_its_subset(monkeypatch):
    monkeypatch.delenv("LRLAB_DATA_DIR", raising=False)
    ds = load_dataset("fashion-mnist", limit_train=2000, limit_test=300)
    assert ds.source == str(D.DEBIAN_FASHION_MNIST_DIR)
    assert ds.train_y[:5].tolist() == [9, 0, 0, 3, 0]       # the official file's first labels
    assert ds.test_y[:5].tolist() == [9, 2, 1, 1, 6]
    mini = load_dataset("fashion-mnist-mini")
    for c in range(10):   # the mini set holds the first images of each class, in file order
        first = ds.train_x[ds.train_y == c][:5]
        np.testing.assert_array_equal(mini.train_x[mini.train_y == c][:5], first)


# -- CIFAR-10 -----------------------------------------------------------------------------------
def _cifar_batch(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {b"batch_label": b"training batch", b"labels": rng.integers(0, 10, n).tolist(),
            b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
            b"filenames": [f"img_{i}.png".encode() for i in range(n)]}


def _make_cifar(root: Path, n: int = 8, protocol: int = 2) -> dict:
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    batches = {}
    for i, name in enumerate([*(f"data_batch_{k}" for k in range(1, 6)), "test_batch"]):
        batches[name] = _cifar_batch(n, i)
        with open(folder / name, "wb") as fh:
            pickle.dump(batches[name], fh, protocol=protocol)
    names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse",
             b"ship", b"truck"]
    with open(folder / "batches.meta", "wb") as fh:
        pickle.dump({b"label_names": names, b"num_cases_per_batch": n, b"num_vis": 3072}, fh,
                    protocol=protocol)
    return batches


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_cifar10_batches(tmp_path, protocol):
    batches = _make_cifar(tmp_path, protocol=protocol)
    ds = load_dataset("cifar10", tmp_path)
    assert ds.train_x.shape == (40, 3, 32, 32) and ds.test_x.shape == (8, 3, 32, 32)
    assert ds.classes[0] == "airplane" and ds.classes[9] == "truck"
    first = batches["data_batch_1"][b"data"][0]
    # row layout: 1024 red, then 1024 green, then 1024 blue values, each 32x32 row-major
    np.testing.assert_array_equal(ds.train_x[0, 1, 0, :], first[1024:1056] / np.float32(255))
    np.testing.assert_array_equal(ds.train_x[8], batches["data_batch_2"][b"data"][0]
                                  .reshape(3, 32, 32) / np.float32(255))
    assert ds.train_y[:8].tolist() == batches["data_batch_1"][b"labels"]
    assert ds.test_y.tolist() == batches["test_batch"][b"labels"]
    small = load_dataset("cifar10", tmp_path / "cifar-10-batches-py", limit_train=10)
    assert len(small.train_y) == 10


def test_cifar10_python2_style_pickle(tmp_path):
    """The real batches were written by Python 2 with ``numpy.core.multiarray`` names."""
    _make_cifar(tmp_path, protocol=2)
    p = tmp_path / "cifar-10-batches-py" / "test_batch"
    raw = p.read_bytes()
    assert b"numpy._core.multiarray\n_reconstruct" in raw
    p.write_bytes(raw.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n"))
    assert len(load_dataset("cifar10", tmp_path).test_y) == 8


def test_cifar10_damaged_batches(tmp_path):
    batches = _make_cifar(tmp_path)
    folder = tmp_path / "cifar-10-batches-py"
    good = (folder / "data_batch_3").read_bytes()
    (folder / "data_batch_3").write_bytes(good[: len(good) // 2])
    with pytest.raises(DatasetError, match="data_batch_3: truncated"):
        load_dataset("cifar10", tmp_path)
    bad = {**batches["data_batch_3"], b"labels": [0, 1]}
    (folder / "data_batch_3").write_bytes(pickle.dumps(bad))
    with pytest.raises(DatasetError, match="data_batch_3: wrong count: 2 labels for 8 images"):
        load_dataset("cifar10", tmp_path)
    bad = {**batches["data_batch_3"], b"data": np.zeros((8, 3072), np.float32)}
    (folder / "data_batch_3").write_bytes(pickle.dumps(bad))
    with pytest.raises(DatasetError, match="b'data' must be a uint8 array of shape"):
        load_dataset("cifar10", tmp_path)
    (folder / "data_batch_3").write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(DatasetError, match="data_batch_3: corrupt: a batch is a dict"):
        load_dataset("cifar10", tmp_path)
    (folder / "data_batch_3").unlink()
    with pytest.raises(DatasetError, match="data_batch_3: missing"):
        load_dataset("cifar10", tmp_path)


class _Evil:
    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self):
        return (os.system, (f"touch {self.sentinel}",))


class _EvilEval:
    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self):
        return (eval, (f"open({str(self.sentinel)!r}, 'w').write('pwned')",))


@pytest.mark.parametrize("evil", [_Evil, _EvilEval])
def test_malicious_cifar_pickle_runs_no_code(tmp_path, evil):
    _make_cifar(tmp_path)
    sentinel = tmp_path / "pwned"
    payload = _cifar_batch(8, 0)
    payload[b"labels"] = evil(sentinel)
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(pickle.dumps(payload))
    # the payload really is live: plain pickle.loads would run it
    with pytest.raises(DatasetError, match=r"data_batch_1: not a valid CIFAR-10 batch: the "
                                           r"pickle names the callable `(posix|nt|builtins)\."):
        load_dataset("cifar10", tmp_path)
    assert not sentinel.exists()


def test_restricted_unpickler_rejects_object_arrays_and_other_classes():
    obj = np.array([1, "x"], dtype=object)
    with pytest.raises(ForbiddenPickle, match="dtype"):
        restricted_load(io.BytesIO(pickle.dumps(obj, protocol=2)))
    with pytest.raises(ForbiddenPickle, match="`collections.OrderedDict`"):
        from collections import OrderedDict
        restricted_load(io.BytesIO(pickle.dumps(OrderedDict(a=1))))
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3)
    for proto in (2, 4, 5):
        out = restricted_load(io.BytesIO(pickle.dumps({b"data": arr}, protocol=proto)))
        np.testing.assert_array_equal(out[b"data"], arr)
