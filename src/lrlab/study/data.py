"""Image-classification data for ``lrlab study``: MNIST, Fashion-MNIST, CIFAR-10, and a small
embedded Fashion-MNIST subset so a study runs with nothing installed.

:func:`load_dataset` returns a :class:`Dataset` of NumPy arrays (no framework needed):

* ``train_x`` / ``test_x``: ``float32``, shape ``[N, C, H, W]``, pixel values scaled to
  ``[0, 1]`` (``uint8 / 255``; no mean/std normalisation: a model that wants it does it);
* ``train_y`` / ``test_y``: ``int64`` class indices in ``[0, len(classes))``.

Names (:data:`DATASETS`):

``'fashion-mnist'``
    Zalando's Fashion-MNIST (60 000 + 10 000 images, 1x28x28), IDX files
    ``train-images-idx3-ubyte[.gz]`` etc.  Looked for in ``data_dir`` (or ``$LRLAB_DATA_DIR``)
    and its ``fashion-mnist/`` subfolder, then where Debian's ``dataset-fashion-mnist`` package
    installs it (``/usr/share/datasets/fashion-mnist/``).
``'mnist'``
    LeCun's MNIST, the same IDX format, from ``data_dir`` or its ``mnist/`` subfolder.
``'cifar10'``
    CIFAR-10's python batches (``cifar-10-batches-py/data_batch_1`` ... ``test_batch``,
    ``batches.meta``), 3x32x32.  The batches are pickles; they are read with a restricted
    unpickler (:mod:`lrlab.study._unpickle`) that runs no code from the file.
``'fashion-mnist-mini'``
    5 000 training and 1 000 test images of Fashion-MNIST shipped inside lrlab
    (``lrlab/study/data/fashion_mnist_mini.npz``; MIT licence, Zalando Research; see the
    README next to it).  Always available.

``limit_train`` / ``limit_test`` keep the first ``n`` images of each split (file order), and
read only that much of an IDX file.

A missing, truncated or corrupt file raises :class:`DatasetError`, whose message names the file,
says what is wrong (missing, truncated, bad magic number, wrong count, corrupt gzip, forbidden
pickle content) and how to get the data.

>>> ds = load_dataset("fashion-mnist-mini", limit_train=100, limit_test=10)
>>> ds.train_x.shape, ds.train_x.dtype, ds.train_y.dtype, ds.test_x.shape
((100, 1, 28, 28), dtype('float32'), dtype('int64'), (10, 1, 28, 28))
>>> ds.classes[:3], ds.in_shape, ds.num_classes
(('T-shirt/top', 'Trouser', 'Pullover'), (1, 28, 28), 10)
"""

from __future__ import annotations

import gzip
import os
import pickle
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from lrlab.errors import LrlabError
from lrlab.study._unpickle import restricted_load

__all__ = [
    "DATASETS",
    "DEBIAN_FASHION_MNIST_DIR",
    "DATA_DIR_ENV",
    "Dataset",
    "DatasetError",
    "available_datasets",
    "load_dataset",
]

#: The dataset names :func:`load_dataset` knows.
DATASETS = ("fashion-mnist", "fashion-mnist-mini", "mnist", "cifar10")
#: The environment variable read when no ``data_dir`` is given.
DATA_DIR_ENV = "LRLAB_DATA_DIR"
#: Where Debian's ``dataset-fashion-mnist`` package installs the IDX files.
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

_MINI = Path(__file__).with_name("data") / "fashion_mnist_mini.npz"

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")
MNIST_CLASSES = tuple(str(i) for i in range(10))
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck")

_HINTS = {
    "fashion-mnist": (
        "install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or download "
        "the four IDX files from https://github.com/zalandoresearch/fashion-mnist into a folder "
        f"given by --data-dir or ${DATA_DIR_ENV}; 'fashion-mnist-mini' (shipped with lrlab) "
        "needs nothing"
    ),
    "mnist": (
        "put the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a folder given by --data-dir "
        f"or ${DATA_DIR_ENV} (or its mnist/ subfolder)"
    ),
    "cifar10": (
        "download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, "
        "extract it, and pass the folder holding cifar-10-batches-py/ with --data-dir or "
        f"${DATA_DIR_ENV}"
    ),
}


class DatasetError(LrlabError):
    """A dataset is unknown, missing, truncated or corrupt; the message names the file."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test arrays of one image-classification dataset (see the module docstring).

    ``source`` says where the data came from (a folder, or the embedded file).
    """

    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: tuple[str, ...]
    source: str

    @property
    def in_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        c, h, w = self.train_x.shape[1:]
        return (int(c), int(h), int(w))

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, train={len(self.train_y)}, test={len(self.test_y)}, "
                f"shape={self.in_shape}, source={self.source!r})")


# -- helpers ----------------------------------------------------------------------------------
def _fail(name: str, path: Path | str, problem: str) -> DatasetError:
    hint = _HINTS.get(name)
    return DatasetError(f"{name}: {path}: {problem}" + (f".\nTo get the data: {hint}" if hint
                                                          else ""))


def _check_limit(arg: str, value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DatasetError(f"load_dataset: argument `{arg}` must be None or an int >= 1. "
                           f"Received: {arg}={value!r}")
    return value


def _data_dir(data_dir: str | Path | None) -> Path | None:
    if data_dir is not None:
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser() if env else None


def _to_float(x: np.ndarray) -> np.ndarray:
    return (x.astype(np.float32) / np.float32(255.0)).astype(np.float32, copy=False)


# -- IDX (MNIST, Fashion-MNIST) ---------------------------------------------------------------
_IDX_FILES = {
    "train_x": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_y": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_x": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_y": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


def _find_idx(name: str, dirs: Sequence[Path], key: str) -> Path:
    tried = []
    for d in dirs:
        for stem in _IDX_FILES[key]:
            for suffix in (".gz", ""):
                p = d / (stem + suffix)
                tried.append(p)
                if p.is_file():
                    return p
    where = ", ".join(str(d) for d in dirs) if dirs else "(no folder: none given)"
    raise _fail(name, _IDX_FILES[key][0] + "[.gz]",
                f"missing: not found in {where}")


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _read_exact(name: str, path: Path, fh: IO[bytes], n: int, what: str) -> bytes:
    try:
        data = fh.read(n)
    except EOFError:
        raise _fail(name, path, f"truncated: the gzip stream ends inside the {what}") from None
    except (gzip.BadGzipFile, zlib.error, OSError) as e:
        raise _fail(name, path, f"corrupt gzip data ({e})") from None
    if len(data) < n:
        raise _fail(name, path, f"truncated: the {what} needs {n} bytes, the file has "
                                f"{len(data)}")
    return data


def _read_idx(name: str, path: Path, ndim: int, limit: int | None) -> np.ndarray:
    """Read an IDX file of unsigned bytes with ``ndim`` dimensions (1: labels, 3: images)."""
    magic_expected = 0x0800 | ndim
    try:
        with _open(path) as fh:
            header = _read_exact(name, path, fh, 4, "header")
            magic = struct.unpack(">I", header)[0]
            if magic != magic_expected:
                kind = "labels (idx1)" if ndim == 1 else "images (idx3)"
                raise _fail(name, path, f"bad magic number 0x{magic:08x}; an IDX file of "
                                        f"{kind} starts with 0x{magic_expected:08x}")
            dims = struct.unpack(f">{ndim}I", _read_exact(name, path, fh, 4 * ndim, "header"))
            count = dims[0]
            take = count if limit is None else min(limit, count)
            per_item = int(np.prod(dims[1:])) if ndim > 1 else 1
            need = take * per_item
            what = f"{take} {'labels' if ndim == 1 else 'images'}"
            if ndim > 1:
                what += " of " + "x".join(str(d) for d in dims[1:])
            body = _read_exact(name, path, fh, need, what)
            if limit is None or limit >= count:
                try:
                    extra = len(fh.read(1 << 20))
                except EOFError:
                    raise _fail(name, path, "truncated: the gzip stream ends early "
                                            "(no end-of-stream marker)") from None
                except (gzip.BadGzipFile, zlib.error, OSError) as e:
                    raise _fail(name, path, f"corrupt gzip data ({e})") from None
                if extra:
                    raise _fail(name, path, f"wrong count: the header says {count} items, "
                                            "but the file holds more data after them")
    except FileNotFoundError:
        raise _fail(name, path, "missing") from None
    except gzip.BadGzipFile as e:
        raise _fail(name, path, f"corrupt gzip data ({e})") from None
    except IsADirectoryError:
        raise _fail(name, path, "is a folder, not a file") from None
    arr = np.frombuffer(body, dtype=np.uint8)
    return arr.reshape((take, *dims[1:])) if ndim > 1 else arr


def _load_idx(name: str, dirs: Sequence[Path], classes: tuple[str, ...],
              limit_train: int | None, limit_test: int | None) -> Dataset:
    arrays: dict[str, np.ndarray] = {}
    paths: dict[str, Path] = {}
    for key in _IDX_FILES:
        paths[key] = _find_idx(name, dirs, key)
    for split, limit in (("train", limit_train), ("test", limit_test)):
        x = _read_idx(name, paths[f"{split}_x"], 3, limit)
        y = _read_idx(name, paths[f"{split}_y"], 1, limit)
        if len(x) != len(y):
            raise _fail(name, paths[f"{split}_y"],
                        f"wrong count: {len(y)} labels for {len(x)} images in "
                        f"{paths[f'{split}_x'].name}")
        if y.size and int(y.max()) >= len(classes):
            raise _fail(name, paths[f"{split}_y"],
                        f"corrupt: label {int(y.max())} is out of range 0..{len(classes) - 1}")
        arrays[f"{split}_x"] = _to_float(x[:, None, :, :])
        arrays[f"{split}_y"] = y.astype(np.int64)
    return Dataset(name, arrays["train_x"], arrays["train_y"], arrays["test_x"],
                   arrays["test_y"], classes, str(paths["train_x"].parent))


# -- CIFAR-10 ---------------------------------------------------------------------------------
_CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))


def _cifar_dir(dirs: Sequence[Path]) -> Path:
    for d in dirs:
        for cand in (d / "cifar-10-batches-py", d):
            if (cand / "data_batch_1").is_file() or (cand / "test_batch").is_file():
                return cand
    where = ", ".join(str(d) for d in dirs) if dirs else "(no folder: none given)"
    raise _fail("cifar10", "cifar-10-batches-py/", f"missing: not found in {where}")


def _get(d: dict[Any, Any], key: str) -> Any:
    if key.encode() in d:
        return d[key.encode()]
    return d.get(key)


def _read_cifar_pickle(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return restricted_load(fh)
    except FileNotFoundError:
        raise _fail("cifar10", path, "missing") from None
    except pickle.UnpicklingError as e:   # includes ForbiddenPickle
        if "truncated" in str(e):
            raise _fail("cifar10", path, "truncated: the pickle ends early") from None
        raise _fail("cifar10", path, f"not a valid CIFAR-10 batch: {e}") from None
    except EOFError:
        raise _fail("cifar10", path, "truncated: the pickle ends early") from None
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, struct.error) as e:
        raise _fail("cifar10", path, f"corrupt pickle ({type(e).__name__}: {e})") from None


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    d = _read_cifar_pickle(path)
    if not isinstance(d, dict):
        raise _fail("cifar10", path, f"corrupt: a batch is a dict, found {type(d).__name__}")
    data, labels = _get(d, "data"), _get(d, "labels")
    if data is None or labels is None:
        raise _fail("cifar10", path, f"corrupt: a batch has the keys b'data' and b'labels'; "
                                     f"found {sorted(map(repr, d))}")
    if (not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2
            or data.shape[1] != 3072):
        desc = (f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray)
                else type(data).__name__)
        raise _fail("cifar10", path, f"corrupt: b'data' must be a uint8 array of shape "
                                     f"(N, 3072); found {desc}")
    if not isinstance(labels, (list, np.ndarray)) or len(labels) != len(data):
        n = len(labels) if isinstance(labels, (list, np.ndarray)) else type(labels).__name__
        raise _fail("cifar10", path, f"wrong count: {n} labels for {len(data)} images")
    try:
        y = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError):
        raise _fail("cifar10", path, "corrupt: b'labels' must be a list of ints") from None
    if y.ndim != 1 or (y.size and (y.min() < 0 or y.max() > 9)):
        raise _fail("cifar10", path, "corrupt: b'labels' must be ints in 0..9")
    return data.reshape(-1, 3, 32, 32), y


def _load_cifar(dirs: Sequence[Path], limit_train: int | None,
                limit_test: int | None) -> Dataset:
    root = _cifar_dir(dirs)
    classes: tuple[str, ...] = CIFAR10_CLASSES
    meta_path = root / "batches.meta"
    if meta_path.is_file():
        meta = _read_cifar_pickle(meta_path)
        names = _get(meta, "label_names") if isinstance(meta, dict) else None
        if (not isinstance(names, list) or len(names) != 10
                or not all(isinstance(n, (bytes, str)) for n in names)):
            raise _fail("cifar10", meta_path, "corrupt: b'label_names' must be a list of 10 "
                                              "names")
        classes = tuple(n.decode("utf-8", "replace") if isinstance(n, bytes) else n
                        for n in names)
    xs, ys, have = [], [], 0
    for fname in _CIFAR_TRAIN:
        if limit_train is not None and have >= limit_train:
            break
        x, y = _read_cifar_batch(root / fname)
        xs.append(x)
        ys.append(y)
        have += len(y)
    tx, ty = _read_cifar_batch(root / "test_batch")
    train_x, train_y = np.concatenate(xs)[:limit_train], np.concatenate(ys)[:limit_train]
    return Dataset("cifar10", _to_float(train_x), train_y, _to_float(tx[:limit_test]),
                   ty[:limit_test], classes, str(root))


# -- the embedded subset ----------------------------------------------------------------------
def _load_mini(limit_train: int | None, limit_test: int | None) -> Dataset:
    try:
        with np.load(_MINI, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("train_x", "train_y", "test_x", "test_y")}
    except FileNotFoundError:
        raise _fail("fashion-mnist-mini", _MINI, "missing (the lrlab installation is "
                                                 "incomplete: reinstall lrlab)") from None
    except (OSError, ValueError, KeyError, zlib.error) as e:
        raise _fail("fashion-mnist-mini", _MINI, f"corrupt ({e}); reinstall lrlab") from None
    return Dataset(
        "fashion-mnist-mini",
        _to_float(arrays["train_x"][:limit_train, None]),
        arrays["train_y"][:limit_train].astype(np.int64),
        _to_float(arrays["test_x"][:limit_test, None]),
        arrays["test_y"][:limit_test].astype(np.int64),
        FASHION_CLASSES, f"embedded ({_MINI.name})",
    )


def build_mini(src_dir: str | Path, out: str | Path, per_class_train: int = 500,
               per_class_test: int = 100) -> None:
    """Write the embedded subset from the official Fashion-MNIST IDX files in ``src_dir``:
    the first ``per_class_train`` training images of each class and the first
    ``per_class_test`` test images of each class, in file order (deterministic)."""
    src = [Path(src_dir)]
    out_arrays: dict[str, np.ndarray] = {}
    for split, per in (("train", per_class_train), ("test", per_class_test)):
        x = _read_idx("fashion-mnist", _find_idx("fashion-mnist", src, f"{split}_x"), 3, None)
        y = _read_idx("fashion-mnist", _find_idx("fashion-mnist", src, f"{split}_y"), 1, None)
        keep = np.zeros(len(y), bool)
        for c in range(10):
            keep[np.flatnonzero(y == c)[:per]] = True
        out_arrays[f"{split}_x"], out_arrays[f"{split}_y"] = x[keep], y[keep]
    np.savez_compressed(out, **out_arrays)  # type: ignore[arg-type]


# -- public -----------------------------------------------------------------------------------
def _idx_dirs(name: str, base: Path | None) -> list[Path]:
    dirs: list[Path] = []
    if base is not None:
        dirs += [base, base / name, base / name.replace("-", "_")]
        if name == "mnist":
            dirs.append(base / "MNIST" / "raw")
    if name == "fashion-mnist":
        dirs.append(DEBIAN_FASHION_MNIST_DIR)
    return dirs


def load_dataset(name: str, data_dir: str | Path | None = None, *,
                 limit_train: int | None = None, limit_test: int | None = None) -> Dataset:
    """Load dataset ``name`` (one of :data:`DATASETS`); see the module docstring.

    ``data_dir`` defaults to ``$LRLAB_DATA_DIR``.  ``limit_train`` / ``limit_test`` keep the
    first ``n`` images of each split.

    >>> load_dataset("imagenet")
    Traceback (most recent call last):
    ...
    lrlab.study.data.DatasetError: load_dataset: argument `name` must be one of \
'fashion-mnist', 'fashion-mnist-mini', 'mnist', 'cifar10'. Received: name='imagenet'
    """
    if name not in DATASETS:
        raise DatasetError(f"load_dataset: argument `name` must be one of "
                           f"{', '.join(map(repr, DATASETS))}. Received: name={name!r}")
    lt = _check_limit("limit_train", limit_train)
    le = _check_limit("limit_test", limit_test)
    base = _data_dir(data_dir)
    if name == "fashion-mnist-mini":
        return _load_mini(lt, le)
    if name == "cifar10":
        return _load_cifar([base] if base is not None else [], lt, le)
    classes = FASHION_CLASSES if name == "fashion-mnist" else MNIST_CLASSES
    return _load_idx(name, _idx_dirs(name, base), classes, lt, le)


def available_datasets(data_dir: str | Path | None = None) -> dict[str, str | None]:
    """Each name of :data:`DATASETS` -> where its files were found, or ``None`` when they were
    not (files are located, not read or checked).

    >>> available_datasets()["fashion-mnist-mini"]
    'embedded (fashion_mnist_mini.npz)'
    """
    base = _data_dir(data_dir)
    found: dict[str, str | None] = {}
    for name in DATASETS:
        try:
            if name == "fashion-mnist-mini":
                found[name] = f"embedded ({_MINI.name})" if _MINI.is_file() else None
            elif name == "cifar10":
                found[name] = str(_cifar_dir([base] if base is not None else []))
            else:
                found[name] = str(_find_idx(name, _idx_dirs(name, base), "train_x").parent)
        except DatasetError:
            found[name] = None
    return found
