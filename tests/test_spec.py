"""Spec text: the grammar, error positions, and that nothing outside lrlab's registry is reachable."""

from __future__ import annotations

import builtins

import pytest

import lrlab
from lrlab import SpecError


def test_values_of_every_kind_parse() -> None:
    s = lrlab.parse("piecewise(boundaries=[10, 2e1], values=[0.1, .01, 1E-3], side='left')")
    assert s == lrlab.PiecewiseConstant([10, 20], [0.1, 0.01, 0.001], side="left")
    s = lrlab.parse('piecewise( [10,] , [+0.1 , 0.01] , side = "right" , )')
    assert s == lrlab.PiecewiseConstant([10], [0.1, 0.01])


def test_nested_calls_and_positional_arguments() -> None:
    s = lrlab.parse("product([constant(0.5), step_decay(0.2, 10, 0.5)])")
    assert s(10) == 0.05


def test_literals_true_false_none() -> None:
    from lrlab.spec import _Parser

    p = _Parser("[true, True, false, False, none, None, null, {a: 1, 'b c': [2]}]")
    assert p.value() == [True, True, False, False, None, None, None, {"a": 1, "b c": [2]}]


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("cosin(0.1, steps=10)", 0, "unknown schedule 'cosin'"),
        ("constant(0.1", 12, "expected ',' or ')'"),
        ("constant(0.1))", 13, "unexpected ')'"),
        ("constant(value=-1)", 9, "`value` must be a number >= 0"),
        ("step_decay(0.1, step_size=0)", 16, "`step_size` must be a number > 0"),
        ("constant(0.1 0.2)", 13, "expected ',' or ')'"),
        ("constant(@)", 9, "unexpected character '@'"),
        ("constant(value=0.1, value=0.2)", 20, "given twice"),
        ("constant(value=0.1, 0.2)", 20, "positional argument after keyword"),
        ("constant(x)", 9, "'x' is not a value"),
        ("constant(0.1, bogus=1)", 14, "unexpected keyword argument 'bogus'"),
        ("constant(", 9, "expected a value, found end of text"),
        ("step_decay(0.1,", 15, "expected a value, found end of text"),
        ("constant(value", 9, "'value' is not a value"),
        ("0.1", 0, "must start with a schedule name"),
        ("", 0, "must start with a schedule name"),
        ("constant('a\\q')", 11, "unknown escape"),
        ("constant(1e999)", 9, "out of range"),
    ],
)
def test_errors_point_at_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        lrlab.parse(text)
    err = info.value
    assert err.position == position, str(err)
    assert fragment in err.reason
    # the message shows the text and a caret under the position
    lines = str(err).splitlines()
    assert lines[1].strip() == text.strip() or text == ""
    assert lines[2].index("^") - 2 == position


def test_non_string_input_is_refused() -> None:
    with pytest.raises(lrlab.ScheduleError, match="`text` must be a string"):
        lrlab.parse(42)  # type: ignore[arg-type]


def test_deep_nesting_is_refused_not_crashing() -> None:
    text = "product([" * 100 + "constant(1)" + "])" * 100
    with pytest.raises(SpecError, match="nesting deeper"):
        lrlab.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo pwned')",
        "os.system('echo pwned')",
        "eval('1')",
        "exec('x=1')",
        "open('/etc/passwd')",
        "lrlab.parse('constant(1)')",
        "constant.__class__(1)",
        "constant(0.1).__class__",
        "lrlab.compat.torch.np.cos(1)",
        "torch.np(1)",
        "tf1.math(1)",
        "sys.modules(1)",
        "constant(__import__('os'))",
        "constant(value=(1))",
        "getattr(constant, '__init__')",
    ],
)
def test_nothing_outside_the_registry_is_reachable(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[str] = []
    for name in ("eval", "exec", "__import__", "open", "getattr", "compile"):
        original = getattr(builtins, name)

        def spy(*a: object, _n: str = name, _o: object = original, **k: object) -> object:
            called.append(_n)
            return _o(*a, **k)  # type: ignore[operator]

        monkeypatch.setattr(builtins, name, spy)
    with pytest.raises(SpecError):
        lrlab.parse(text)
    monkeypatch.undo()
    assert not [c for c in called if c in ("eval", "exec", "compile", "open")], called


def test_the_parser_source_has_no_eval_or_exec() -> None:
    import inspect

    import lrlab.spec

    src = inspect.getsource(lrlab.spec._Parser) + inspect.getsource(lrlab.spec.parse)
    for word in ("eval(", "exec(", "getattr(", "__import__", "importlib"):
        assert word not in src, word


def test_registry_names_include_core_and_compat_namespaces() -> None:
    names = lrlab.names()
    assert "constant" in names and "piecewise" in names
    assert all("." not in n or n.split(".")[0] in lrlab.registry.NAMESPACES for n in names)


def test_format_value_round_trips() -> None:
    from lrlab.spec import _Parser, format_value

    for v in [0.1, 1e-300, 12345678.9, 3, -2, True, None, "it's", [1, [2.5, "x"]], {"a b": 1}]:
        assert _Parser(format_value(v)).value() == v
