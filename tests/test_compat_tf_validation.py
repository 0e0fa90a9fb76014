"""lrlab.compat.tf1 / keras / tfa: argument checking, spec text, and the mapping to core schedules.

No framework is imported here (the parity tests in tests/parity/ compare with the real ones).
"""

from __future__ import annotations

import inspect
import math
import re

import pytest

import lrlab
from lrlab.compat import keras, tf1, tfa


# -- bad arguments: ScheduleError naming the parameter ----------------------------------------
@pytest.mark.parametrize(
    "call, param",
    [
        (lambda: tf1.exponential_decay(-0.1, 1000, 0.96), "learning_rate"),
        (lambda: tf1.exponential_decay(0.1, 0, 0.96), "decay_steps"),
        (lambda: tf1.exponential_decay(0.1, math.inf, 0.96), "decay_steps"),
        (lambda: tf1.exponential_decay(0.1, 1000, 0.0), "decay_rate"),
        (lambda: tf1.exponential_decay(0.1, 1000, 0.96, staircase="yes"), "staircase"),
        (lambda: tf1.exponential_decay(0.1, 1000, 0.96, name=3), "name"),
        (lambda: tf1.natural_exp_decay(0.1, 1000, -0.5), "decay_rate"),
        (lambda: tf1.natural_exp_decay(0.1, 1000, 1000.0), "decay_rate"),
        (lambda: tf1.natural_exp_decay("0.1", 1000, 0.5), "learning_rate"),
        (lambda: tf1.inverse_time_decay(0.1, -5, 0.5), "decay_steps"),
        (lambda: tf1.inverse_time_decay(0.1, 5, -0.5), "decay_rate"),
        (lambda: tf1.polynomial_decay(0.1, 100, end_learning_rate=-1.0), "end_learning_rate"),
        (lambda: tf1.polynomial_decay(0.1, 100, power=0.0), "power"),
        (lambda: tf1.polynomial_decay(0.1, 100, cycle=1), "cycle"),
        (lambda: tf1.cosine_decay(0.1, 0), "decay_steps"),
        (lambda: tf1.cosine_decay(0.1, 100, alpha=1.5), "alpha"),
        (lambda: tf1.cosine_decay_restarts(0.1, 0), "first_decay_steps"),
        (lambda: tf1.cosine_decay_restarts(0.1, 10, t_mul=0.5), "t_mul"),
        (lambda: tf1.cosine_decay_restarts(0.1, 10, m_mul=0.0), "m_mul"),
        (lambda: tf1.linear_cosine_decay(0.1, 10, num_periods=-1.0), "num_periods"),
        (lambda: tf1.linear_cosine_decay(0.1, 10, beta=-0.1), "beta"),
        (lambda: tf1.noisy_linear_cosine_decay(0.1, 10, initial_variance=-1.0),
         "initial_variance"),
        (lambda: tf1.noisy_linear_cosine_decay(0.1, 10, seed=-1), "seed"),
        (lambda: tf1.piecewise_constant([100, 50], [0.1, 0.01, 0.001]), "boundaries"),
        (lambda: tf1.piecewise_constant([100, 200], [0.1, 0.01]), "values"),
        (lambda: tf1.piecewise_constant([100], [0.1, -0.01]), "values[1]"),
        (lambda: keras.ExponentialDecay(-1.0, 10, 0.5), "initial_learning_rate"),
        (lambda: keras.ExponentialDecay(0.1, 0, 0.5), "decay_steps"),
        (lambda: keras.ExponentialDecay(0.1, 10, 0.5, name=["x"]), "name"),
        (lambda: keras.PiecewiseConstantDecay([10], [0.1]), "values"),
        (lambda: keras.PolynomialDecay(0.1, 0), "decay_steps"),
        (lambda: keras.PolynomialDecay(0.1, 10, end_learning_rate=math.nan), "end_learning_rate"),
        (lambda: keras.InverseTimeDecay(0.1, 10, -1.0), "decay_rate"),
        (lambda: keras.CosineDecay(0.1, 0), "decay_steps"),
        (lambda: keras.CosineDecay(0.1, 10, alpha=-0.1), "alpha"),
        (lambda: keras.CosineDecay(0.1, 10, warmup_target=-0.1, warmup_steps=5),
         "warmup_target"),
        (lambda: keras.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-5), "warmup_steps"),
        (lambda: keras.CosineDecay(0.1, 10, warmup_steps=-5), "warmup_steps"),
        (lambda: keras.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
        (lambda: keras.CosineDecayRestarts(0.1, 10, alpha=2.0), "alpha"),
        (lambda: keras.legacy_decay(-0.1, 0.01), "learning_rate"),
        (lambda: keras.legacy_decay(0.1, -0.01), "decay"),
        (lambda: tfa.CyclicalLearningRate(-0.1, 1.0, 10, lambda c: 1.0),
         "initial_learning_rate"),
        (lambda: tfa.CyclicalLearningRate(0.1, 1.0, 10, 3), "scale_fn"),
        (lambda: tfa.CyclicalLearningRate(0.1, 1.0, 10, lambda c: 1.0, "epochs"), "scale_mode"),
        (lambda: tfa.TriangularCyclicalLearningRate(0.1, -1.0, 10), "maximal_learning_rate"),
        (lambda: tfa.TriangularCyclicalLearningRate(0.1, 1.0, 0), "step_size"),
        (lambda: tfa.Triangular2CyclicalLearningRate(0.1, 1.0, 10, name=5), "name"),
        (lambda: tfa.ExponentialCyclicalLearningRate(0.1, 1.0, 10, gamma=0.0), "gamma"),
        (lambda: tfa.ExponentialCyclicalLearningRate(0.1, 1.0, 10, "steps"), "scale_mode"),
    ],
)
def test_bad_argument_names_parameter(call: object, param: str) -> None:
    with pytest.raises(lrlab.ScheduleError, match=re.escape(f"`{param}`")):
        call()  # type: ignore[operator]


def test_spec_errors_point_at_the_argument() -> None:
    with pytest.raises(lrlab.SpecError, match="`decay_steps`"):
        lrlab.parse("tf1.exponential_decay(0.1, decay_steps=0, decay_rate=0.96)")
    with pytest.raises(lrlab.SpecError, match="global_step"):
        lrlab.parse("tf1.exponential_decay(0.1, global_step=5, decay_steps=10, decay_rate=0.9)")


# -- spec text == Python call -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, built",
    [
        ("tf1.exponential_decay(0.1, decay_steps=1000, decay_rate=0.96)",
         lambda: tf1.exponential_decay(0.1, decay_steps=1000, decay_rate=0.96)),
        ("tf1.natural_exp_decay(0.1, 1000, 0.5, True)",
         lambda: tf1.natural_exp_decay(0.1, 1000, 0.5, True)),
        ("tf1.piecewise_constant([10, 20], [0.1, 0.01, 0.001])",
         lambda: tf1.piecewise_constant([10, 20], [0.1, 0.01, 0.001])),
        ("tf1.noisy_linear_cosine_decay(0.1, 100, initial_variance=0.01, seed=9)",
         lambda: tf1.noisy_linear_cosine_decay(0.1, 100, initial_variance=0.01, seed=9)),
        ("keras.CosineDecay(0.0, decay_steps=900, alpha=0.1, warmup_target=0.1, warmup_steps=100)",
         lambda: keras.CosineDecay(0.0, decay_steps=900, alpha=0.1, warmup_target=0.1,
                                   warmup_steps=100)),
        ("keras.CosineDecay(0.1, 1000)", lambda: keras.CosineDecay(0.1, 1000)),
        ("keras.CosineDecayRestarts(0.1, 100, 2.0, 0.5, 0.01)",
         lambda: keras.CosineDecayRestarts(0.1, 100, 2.0, 0.5, 0.01)),
        ("keras.legacy_decay(0.1, 0.001)", lambda: keras.legacy_decay(0.1, 0.001)),
        ("tfa.ExponentialCyclicalLearningRate(0.001, 0.1, 20, 'cycle', 0.9)",
         lambda: tfa.ExponentialCyclicalLearningRate(0.001, 0.1, 20, "cycle", 0.9)),
        ("tfa.CyclicalLearningRate(0.001, 0.1, 20, scale_fn=constant(0.5))",
         lambda: tfa.CyclicalLearningRate(0.001, 0.1, 20, scale_fn=lrlab.Constant(0.5))),
    ],
)
def test_spec_text_equals_python_call(text: str, built: object) -> None:
    s = lrlab.parse(text)
    assert s == built()  # type: ignore[operator]
    assert lrlab.parse(repr(s)) == s
    assert lrlab.from_config(s.to_config()) == s


# -- mapping to core schedules and the documented quirks ---------------------------------------
def test_name_is_accepted_and_ignored() -> None:
    a = tf1.exponential_decay(0.1, 1000, 0.96, name="my_decay")
    assert a == tf1.exponential_decay(0.1, 1000, 0.96)
    assert "name" not in a.to_config() and "my_decay" not in repr(a)
    assert keras.CosineDecay(0.1, 10, name="x") == keras.CosineDecay(0.1, 10)
    assert tfa.TriangularCyclicalLearningRate(0.1, 1, 10, name=None) == lrlab.Cyclic(0.1, 1, 10)


def test_core_mapping() -> None:
    assert tf1.exponential_decay(0.1, 10, 0.5, True) == lrlab.Exponential(0.1, 0.5, 10, True)
    assert tf1.natural_exp_decay(0.1, 10, 0.5) == lrlab.Exponential(0.1, math.exp(-0.5), 10)
    assert tf1.inverse_time_decay(0.1, 10, 0.5) == lrlab.InverseTime(0.1, 0.5, 10)
    assert tf1.polynomial_decay(0.1, 10) == lrlab.Polynomial(0.1, 10, end=0.0001)
    assert tf1.cosine_decay(0.1, 10, 0.2) == lrlab.Cosine(0.1, 10, alpha=0.2)
    assert tf1.cosine_decay_restarts(0.1, 10) == lrlab.CosineRestarts(0.1, 10, 2.0, 1.0)
    assert tf1.linear_cosine_decay(0.1, 10) == lrlab.LinearCosine(0.1, 10)
    assert tf1.piecewise_constant([1], [1.0, 0.5]) == lrlab.PiecewiseConstant(
        [1], [1.0, 0.5], side="left"
    )
    assert keras.CosineDecay(0.0, 90, warmup_target=0.1, warmup_steps=10) == lrlab.Warmup(
        lrlab.Cosine(0.1, 90), steps=10, start=0.0, peak=0.1
    )
    assert keras.legacy_decay(0.1, 0.5) == lrlab.LegacyDecay(0.1, 0.5)
    assert tfa.Triangular2CyclicalLearningRate(0.1, 1, 10) == lrlab.Cyclic(
        0.1, 1, 10, mode="triangular2"
    )
    assert tfa.ExponentialCyclicalLearningRate(0.1, 1, 10, gamma=0.9) == lrlab.Cyclic(
        0.1, 1, 10, mode="exp_range", gamma=0.9
    )


def test_piecewise_boundary_belongs_to_the_left() -> None:
    for s in (tf1.piecewise_constant([10], [1.0, 0.5]),
              keras.PiecewiseConstantDecay([10], [1.0, 0.5])):
        assert (s(10), s(10.5), s(11)) == (1.0, 0.5, 0.5)


def test_keras_cosine_decay_steps_exclude_warmup() -> None:
    s = keras.CosineDecay(0.0, decay_steps=100, alpha=0.1, warmup_target=1.0, warmup_steps=10)
    assert s(0) == 0.0 and s(5) == 0.5 and s(10) == 1.0
    assert s(60) == pytest.approx(0.55, abs=1e-15)  # half-way through the cosine: 0.1 + 0.45
    assert s(110) == pytest.approx(0.1, abs=1e-15) and s(10**9) == s(110)  # floor alpha * target


def test_keras_cosine_warmup_quirks() -> None:
    # warmup_steps without warmup_target is ignored, as in Keras
    assert keras.CosineDecay(0.1, 100, warmup_steps=50) == lrlab.Cosine(0.1, 100)
    # warmup_target with warmup_steps=0: the cosine starts at the target
    assert keras.CosineDecay(0.3, 100, warmup_target=0.1)(0) == 0.1


def test_tf1_polynomial_default_end() -> None:
    assert tf1.polynomial_decay(0.1, 100)(500) == 0.0001
    assert keras.PolynomialDecay(0.1, 100)(500) == 0.0001


def test_restart_peak_decay_and_unscaled_floor() -> None:
    s = tf1.cosine_decay_restarts(1.0, 10, t_mul=1.0, m_mul=0.5, alpha=0.2)
    assert s(0) == 1.0 and s(10) == pytest.approx(0.6) and s(20) == pytest.approx(0.4)
    assert s(9.999999) == pytest.approx(0.2, abs=1e-9)  # floor alpha * lr, not * m_mul**i


def test_tfa_callable_scale_has_repr_but_no_config() -> None:
    s = tfa.CyclicalLearningRate(0.0, 1.0, 10, scale_fn=lambda c: 1.0 / c)
    assert s(10) == 1.0 and s(30) == 0.5
    assert "scale=" in repr(s)
    with pytest.raises(lrlab.ScheduleError, match="scale"):
        s.to_config()


def test_tfa_exponential_modes() -> None:
    it = tfa.ExponentialCyclicalLearningRate(0.0, 1.0, 10, gamma=0.5)
    cy = tfa.ExponentialCyclicalLearningRate(0.0, 1.0, 10, "cycle", 0.5)
    assert it(10) == pytest.approx(0.5**10) and cy(10) == 0.5 and cy(30) == 0.25
    grow = tfa.ExponentialCyclicalLearningRate(0.0, 1.0, 10, "iterations", 1.5)
    assert grow(10) == pytest.approx(1.5**10)


def test_signatures_follow_the_frameworks() -> None:
    def params(f: object) -> list[tuple[str, object]]:
        sig = inspect.signature(f)  # type: ignore[arg-type]
        return [(p.name, p.default) for p in sig.parameters.values()]

    e = inspect.Parameter.empty
    assert params(tf1.exponential_decay) == [
        ("learning_rate", e), ("decay_steps", e), ("decay_rate", e), ("staircase", False),
        ("name", None),
    ]
    assert params(tf1.polynomial_decay)[2:5] == [
        ("end_learning_rate", 0.0001), ("power", 1.0), ("cycle", False)
    ]
    assert params(keras.CosineDecay) == [
        ("initial_learning_rate", e), ("decay_steps", e), ("alpha", 0.0),
        ("name", "CosineDecay"), ("warmup_target", None), ("warmup_steps", 0),
    ]
    assert params(tfa.ExponentialCyclicalLearningRate)[3:5] == [
        ("scale_mode", "iterations"), ("gamma", 1.0)
    ]


def test_registered_names() -> None:
    names = set(lrlab.names())
    for n in tf1.__all__:
        assert f"tf1.{n}" in names
    assert "tf1.piecewise_constant_decay" in names
    for n in keras.__all__:
        assert f"keras.{n}" in names
    for n in tfa.__all__:
        assert f"tfa.{n}" in names
