"""Comparison helper for the parity tests against real frameworks.

The error measure is the relative error ``|ours - ref| / max(|ref|, floor)``, where ``floor`` is
``1e-9 * max(|ref|)``: below a billionth of the schedule's peak an absolute error of that size
is what "relative" means (a cosine that ends at exactly 0 in one framework and at 1e-20 in
another has no meaningful relative error).  Tolerances: 1e-12 against float64 frameworks, 2e-6
where the framework computes in float32 only.
"""

from __future__ import annotations

import numpy as np

F64 = 1e-12
F32 = 2e-6


def rel_error(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    peak = float(np.max(np.abs(ref))) if ref.size else 0.0
    floor = max(peak * 1e-9, np.finfo(np.float64).tiny)
    return np.abs(ours - ref) / np.maximum(np.abs(ref), floor)


def assert_parity(ours: np.ndarray, ref: np.ndarray, rtol: float, what: str = "") -> None:
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} != {ref.shape}"
    err = rel_error(ours, ref)
    worst = int(np.argmax(err)) if err.size else 0
    assert err.size == 0 or err[worst] <= rtol, (
        f"{what}: relative error {err[worst]:.3g} > {rtol:g} at index {worst}: "
        f"lrlab={ours[worst]!r} framework={ref[worst]!r}"
    )
