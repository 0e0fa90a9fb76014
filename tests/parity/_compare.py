"""Comparison helper for the parity tests against real frameworks.

The error measure is the relative error ``|ours - ref| / max(|ref|, floor)``, where ``floor`` is
``1e-9 * max(|ref|)``: below a billionth of the schedule's peak an absolute error of that size
is what "relative" means (a cosine that ends at exactly 0 in one framework and at 1e-20 in
another has no meaningful relative error).  Tolerances: 1e-12 against float64 frameworks, 2e-6
where the framework computes in float32 only (with the criterion of :func:`assert_parity_f32`).
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


def assert_parity_f32(
    ours: np.ndarray, ref: np.ndarray, what: str, framework: str = "framework"
) -> None:
    """float32 criterion: ``|ours - ref| / max(|ref|, peak / 4) <= F32`` (``peak = max |ref|``).

    For frameworks that compute in float32 (TensorFlow's cosine family, Keras with Python
    numbers): float32's cancellation in ``1 + cos`` near the end of a cosine leaves absolute
    errors of a few 1e-7 of the peak, so below a quarter of the peak the error is measured
    against ``peak / 4`` rather than the value itself (see docs/compat-tf.md).  ``framework``
    names the reference in the failure message.
    """
    peak = float(np.max(np.abs(ref)))
    err = np.abs(ours - ref) / np.maximum(np.abs(ref), peak / 4)
    worst = int(np.argmax(err))
    assert err[worst] <= F32, (
        f"{what}: float32 error {err[worst]:.3g} > {F32:g} at index {worst}: "
        f"lrlab={ours[worst]!r} {framework}={ref[worst]!r}"
    )


LARGE = [10**6, 10**7, 10**9, 10**12]


def steps_near(*marks: float, top: float, large: bool = True) -> np.ndarray:
    """Integer steps: a dense start, every mark and its neighbours, a sweep to top, big steps."""
    pts = set(range(0, 64))
    for b in marks:
        for d in (-2, -1, 0, 1, 2):
            if b + d >= 0:
                pts.add(int(b + d))
    pts.update(np.linspace(0, top, 2500).astype(np.int64).tolist())
    if large:
        pts.update(LARGE)
    return np.array(sorted(pts), dtype=np.int64)
