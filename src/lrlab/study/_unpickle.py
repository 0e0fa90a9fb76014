"""A restricted unpickler for CIFAR-10's python batches (``data_batch_1`` ... ``test_batch``).

CIFAR-10 is distributed as Python pickles, and ``pickle.load`` on a file from the internet can
run any code the file asks for (a pickle names a callable by module and attribute and calls
it).  :func:`restricted_load` accepts only what a CIFAR-10 batch holds: dicts, lists, tuples,
bytes, str, int, float, bool, None, and uint8/int NumPy arrays.  The only callables a pickle
may name are:

* ``numpy.core.multiarray._reconstruct`` / ``numpy._core.multiarray._reconstruct`` and
  ``numpy._core.numeric._frombuffer`` (how NumPy pickles an array), and ``numpy.ndarray``
  as their argument;
* ``numpy.dtype``, replaced by a wrapper that builds only plain numeric and bytes dtypes
  (no object dtype, so an array can never carry arbitrary objects);
* ``_codecs.encode`` with the ``latin1`` codec (how Python 3 writes ``bytes`` in protocol 2).

Each is mapped to lrlab's own reference to the function, so no module is imported by name.
Anything else (``os.system``, ``builtins.eval``, ``subprocess.Popen``, ...) raises
:class:`ForbiddenPickle` *before* it is called: no code named by the file runs.

>>> import pickle, io
>>> restricted_load(io.BytesIO(pickle.dumps({b"labels": [1, 2], b"name": "x"})))
{b'labels': [1, 2], b'name': 'x'}
>>> class Evil:
...     def __reduce__(self):
...         import os
...         return (os.system, ("echo pwned",))
>>> restricted_load(io.BytesIO(pickle.dumps(Evil())))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
lrlab.study._unpickle.ForbiddenPickle: the pickle names the callable `...system`, which ...
"""

from __future__ import annotations

import codecs
import pickle
from typing import IO, Any

import numpy as np

__all__ = ["ForbiddenPickle", "restricted_load"]


class ForbiddenPickle(pickle.UnpicklingError):
    """The pickle asked for a callable or class outside the allowed set."""


_RECONSTRUCT: Any = np.zeros(1).__reduce__()[0]      # numpy's _reconstruct (any version)
_FROMBUFFER: Any = np.zeros(1).__reduce_ex__(5)[0]   # numpy's _frombuffer (protocol 5)
_DTYPE_KINDS = frozenset("biufS")                    # bool, ints, floats, bytes


def _safe_dtype(obj: Any, align: bool = False, copy: bool = False) -> np.dtype[Any]:
    dt = np.dtype(obj, align=align, copy=copy)
    if dt.hasobject or dt.kind not in _DTYPE_KINDS or dt.fields is not None:
        raise ForbiddenPickle(f"the pickle asks for an array of dtype {dt!r}; only plain "
                              "numeric and bytes dtypes are allowed")
    return dt


def _safe_reconstruct(cls: Any, shape: Any, dtype: Any) -> Any:
    if cls is not np.ndarray:
        raise ForbiddenPickle(f"the pickle reconstructs an array of class {cls!r}; only "
                              "numpy.ndarray is allowed")
    return _RECONSTRUCT(cls, shape, dtype)


def _safe_frombuffer(buf: Any, dtype: Any, shape: Any, order: Any) -> Any:
    if not isinstance(dtype, np.dtype):
        raise ForbiddenPickle(f"the pickle gives the dtype {dtype!r} to _frombuffer")
    _safe_dtype(dtype)
    return _FROMBUFFER(buf, dtype, shape, order)


def _safe_encode(text: Any, encoding: str = "utf-8") -> bytes:
    if not isinstance(text, str) or encoding.replace("-", "").lower() != "latin1":
        raise ForbiddenPickle(f"the pickle calls _codecs.encode with encoding={encoding!r}; "
                              "only 'latin1' is allowed")
    return codecs.encode(text, "latin1")


_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _safe_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _safe_reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _safe_frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _safe_frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _safe_dtype,
    ("_codecs", "encode"): _safe_encode,
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise ForbiddenPickle(
                f"the pickle names the callable `{module}.{name}`, which a CIFAR-10 batch "
                "never contains (allowed: dict, list, bytes, str, int and NumPy uint8 arrays)"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise ForbiddenPickle(f"the pickle uses a persistent id ({pid!r}); not allowed")


def restricted_load(fh: IO[bytes]) -> Any:
    """Unpickle ``fh`` allowing only CIFAR-10 batch contents (see the module docstring).

    Python 2 strings are read as ``bytes`` (``encoding='bytes'``), as CIFAR-10 needs.
    Raises :class:`ForbiddenPickle` for anything outside the allowed set, and the usual
    ``pickle.UnpicklingError`` / ``EOFError`` / ``ValueError`` for a damaged file.
    """
    return _Unpickler(fh, encoding="bytes").load()
