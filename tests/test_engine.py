"""Tests of backprop_lib.engine.Value.

Random expression graphs are checked against an independent reference, HIPS
autograd differentiating the same expression written with ``autograd.numpy``,
and against central differences. The hand-typed numbers are those of the
worked examples the chapters are built on.
"""

from __future__ import annotations

import math
import operator
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib.engine import BACKWARD_RULES, Value, iter_leaves, stable_sigmoid, topological_order
from backprop_lib.gradcheck import numerical_derivative


# ------------------------------------------------------- random expressions
# Each operation is written once per implementation: on Values and on
# autograd's arrays. Binary operators and ** are shared Python syntax.
BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "pow": operator.pow}
UNARY = {  # name: (on a Value, on an autograd array)
    "exp": (Value.exp, anp.exp),
    "log": (Value.log, anp.log),
    "tanh": (Value.tanh, anp.tanh),
    "sigmoid": (Value.sigmoid, lambda a: 0.5 * (anp.tanh(0.5 * a) + 1.0)),
    "relu": (Value.relu, lambda a: anp.maximum(a, 0.0)),
    "neg": (operator.neg, operator.neg),
    "1.5-x": (lambda a: 1.5 - a, lambda a: 1.5 - a),
    "2/x": (lambda a: 2.0 / a, lambda a: 2.0 / a),
    "2**x": (lambda a: 2.0**a, lambda a: 2.0**a),
}
POWERS = (2, 3, -1, -2, 0.5, 1.5)
OPS = sorted(BINARY) + ["**"] + sorted(UNARY)
BOUND = 50.0  # every intermediate value stays in [-BOUND, BOUND]


def safe(op: str, a: float, b: float | None) -> bool:
    """Is ``op`` far enough from its domain's edges (and kinks) at these inputs?"""
    if op == "/":
        return abs(b) > 0.1
    if op == "pow":
        return a > 0.1 and abs(b) < 3.0
    if op == "**":
        return (b == int(b) or a > 0.1) and (b > 0 or abs(a) > 0.1)
    if op in ("log",):
        return a > 0.1
    if op == "exp":
        return a < 3.5
    if op == "2/x":
        return abs(a) > 0.1
    if op == "2**x":
        return a < 5.0
    if op == "relu":
        return abs(a) > 0.05  # far from the kink, so nudging an input never crosses it
    return True


def apply(op: str, a, arg, engine: int):
    """One step of a program; ``engine`` is 0 for Values, 1 for autograd."""
    if op in BINARY:
        return BINARY[op](a, arg)
    if op == "**":
        return a**arg
    return UNARY[op][engine](a)


def run(program: list, inputs: list, engine: int = 0):
    """Evaluate a straight-line program; step k's result is node len(inputs) + k."""
    nodes = list(inputs)
    for op, i, j, k in program:
        nodes.append(apply(op, nodes[i], nodes[j] if op in BINARY else k, engine))
    return nodes[-1]


@st.composite
def expressions(draw):
    """Up to 3 inputs and up to 10 operations whose operands are any earlier
    nodes, so subexpressions are reused (including ``a * a`` and ``a + a``).
    The domain of each operation is checked on the values as they are built."""
    n = draw(st.integers(1, 3))
    inputs = [draw(st.floats(-2.0, 2.0, allow_nan=False)) for _ in range(n)]
    nodes = [Value(x) for x in inputs]
    program = []
    for _ in range(draw(st.integers(1, 10))):
        op = draw(st.sampled_from(OPS))
        i = draw(st.integers(0, len(nodes) - 1))
        j = draw(st.integers(0, len(nodes) - 1))
        k = draw(st.sampled_from(POWERS))
        b = nodes[j].data if op in BINARY else k
        out = apply(op, nodes[i], nodes[j] if op in BINARY else k, 0) if safe(op, nodes[i].data, b) else None
        if out is None or abs(out.data) > BOUND:
            op, out = "tanh", nodes[i].tanh()  # always defined, and bounded
        nodes.append(out)
        program.append((op, i, j, k))
    return inputs, program


@settings(max_examples=500, deadline=None, derandomize=True)
@given(expressions())
def test_random_graphs_match_autograd(expression):
    inputs, program = expression
    xs = [Value(x) for x in inputs]
    root = run(program, xs)
    root.backward()

    def f(x):
        return run(program, [x[i] for i in range(len(inputs))], engine=1)

    point = np.array(inputs, dtype=np.float64)
    assert root.data == pytest.approx(float(f(point)), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose([x.grad for x in xs], autograd_grad(f)(point), rtol=1e-8, atol=1e-10)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(expressions())
def test_random_graphs_match_central_differences(expression):
    inputs, program = expression
    xs = [Value(x) for x in inputs]
    root = run(program, xs)
    root.backward()
    for i, x in enumerate(xs):

        def output(t, i=i):
            return run(program, [Value(t if k == i else v) for k, v in enumerate(inputs)]).data

        numeric = numerical_derivative(output, inputs[i], h=1e-6)
        assert abs(numeric - x.grad) <= 1e-5 * max(1.0, abs(x.grad)), (i, numeric, x.grad)


def test_every_operation_has_a_backward_rule():
    x, y = Value(1.5), Value(0.5)
    results = [x + y, x - y, x * y, x / y, x**2, x**y, 2**x, -x, x.exp(), x.log(), x.tanh(), x.sigmoid(), x.relu(), abs(x)]
    assert {r.op for r in results} == set(BACKWARD_RULES)


# ----------------------------------------------------- the worked examples
def test_worked_example_L():
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert L.data == -8.0
    grads = {v.label or name: v.grad for name, v in {"a": a, "b": b, "c": c, "f": f, "d": d, "e": e, "L": L}.items()}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "d": -2.0, "e": -2.0, "L": 1.0}


def neuron(decompose_tanh: bool = False):
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    if decompose_tanh:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.backward()
    return dict(o=o, n=n, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, w1=w1, x1=x1, w2=w2, x2=x2)


@pytest.mark.parametrize("decompose_tanh", [False, True])
def test_worked_example_tanh_neuron(decompose_tanh):
    v = neuron(decompose_tanh)
    assert v["o"].data == pytest.approx(1 / math.sqrt(2), abs=1e-12)
    expected = dict(n=0.5, b=0.5, x1w1x2w2=0.5, x1w1=0.5, x2w2=0.5, w1=1.0, x1=-1.5, w2=0.0, x2=0.5)
    for name, g in expected.items():
        assert v[name].grad == pytest.approx(g, abs=1e-12), name


def test_worked_example_reused_values():
    a, b = Value(-2.0), Value(3.0)
    d = a * b
    e = a + b
    f = d * e
    f.backward()
    # d = -6 and e = 1, so f = -6; a and b each reach f along two paths.
    assert (d.data, e.data, f.data) == (-6.0, 1.0, -6.0)
    assert (a.grad, b.grad) == (-3.0, -8.0)


@pytest.mark.parametrize("x", [-3.0, -0.7, 0.0, 0.4, 2.5, 9.0])
def test_tanh_from_exp_matches_tanh(x):
    a, b = Value(x), Value(x)
    e = (2 * a).exp()
    decomposed = (e - 1) / (e + 1)
    direct = b.tanh()
    decomposed.backward()
    direct.backward()
    assert decomposed.data == pytest.approx(direct.data, abs=1e-14)
    assert a.grad == pytest.approx(b.grad, rel=1e-9, abs=1e-14)


def test_tanh_from_exp_overflows_where_tanh_does_not():
    x = 400.0
    with pytest.raises(OverflowError, match="overflows"):
        (2 * Value(x)).exp()
    assert Value(x).tanh().data == 1.0


# ---------------------------------------------------- structure and reuse
def test_deep_chain_has_no_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(200_000):
        y = y + x  # 200,000 additions deep, and x reaches y along every one
    y.backward()
    assert y.data == 0.5 * 200_001
    assert x.grad == 200_001.0
    assert len(topological_order(y)) == 200_001


def test_a_plus_a_and_a_times_a():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b).backward()
    assert b.grad == 6.0


def test_leaf_grads_accumulate_but_intermediate_grads_do_not():
    a, b = Value(2.0), Value(-3.0)
    d = a * b + 10.0
    L = d * -2.0
    L.backward()
    first = (a.grad, b.grad, d.grad)
    L.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])  # leaves: summed
    assert d.grad == first[2] == -2.0  # intermediates: recomputed
    L.zero_grad()
    assert all(v.grad == 0.0 for v in topological_order(L))
    L.backward()
    assert (a.grad, b.grad, d.grad) == first


def test_parents_op_and_leaves():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    z = x * y
    t = z.tanh()
    assert (x.op, x.parents()) == ("", ())
    assert (z.op, z.parents()) == ("*", (x, y))
    assert (t.op, t.parents()) == ("tanh", (z,))
    assert (x + x).parents() == (x, x)
    assert list(iter_leaves(t)) == [x, y]


def test_topological_order_puts_inputs_first_and_is_deterministic():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order == [a, b, c, d, e]
    position = {id(v): i for i, v in enumerate(order)}
    assert all(position[id(p)] < position[id(v)] for v in order for p in v.parents())
    assert topological_order(e) == order


# ------------------------------------------------------------- stability
def no_warnings(function):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function()


@pytest.mark.parametrize("x, expected", [(1e6, 1.0), (-1e6, -1.0), (800.0, 1.0), (-800.0, -1.0)])
def test_tanh_saturates_without_warnings(x, expected):
    v = Value(x)
    out = no_warnings(v.tanh)
    no_warnings(out.backward)
    assert (out.data, v.grad) == (expected, 0.0)


@pytest.mark.parametrize("x, expected", [(1e6, 1.0), (800.0, 1.0), (-800.0, 0.0), (-1e6, 0.0)])
def test_sigmoid_saturates_without_warnings(x, expected):
    v = Value(x)
    out = no_warnings(v.sigmoid)
    no_warnings(out.backward)
    assert (out.data, v.grad) == (expected, 0.0)


def test_sigmoid_values():
    assert Value(0.0).sigmoid().data == 0.5
    for x in (-30.0, -2.0, 0.3, 5.0):
        assert stable_sigmoid(x) == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-15)
        assert stable_sigmoid(-x) == pytest.approx(1 - stable_sigmoid(x), abs=1e-15)
    v = Value(0.0)
    v.sigmoid().backward()
    assert v.grad == 0.25


def test_exp_overflow_is_a_clear_error():
    assert Value(709.0).exp().data == pytest.approx(math.exp(709.0))
    with pytest.raises(OverflowError, match=r"exp\(710\.0\) overflows a float; inputs above about 709\.78"):
        Value(710.0).exp()


def test_an_infinite_result_is_a_clear_error():
    with pytest.raises(OverflowError, match=r"the result of '\*' is not a finite float \(inf\)"):
        Value(1e200) * Value(1e200)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value(1e200) ** 2, r"1e\+200 \*\* 2\.0 overflows a float"),
        (lambda: Value(1e200) ** Value(2.0), r"1e\+200 \*\* 2\.0 overflows a float"),
        (lambda: 2 ** Value(2000.0), r"2\.0 \*\* 2000\.0 overflows a float"),
    ],
)
def test_power_overflow_is_a_clear_error(make, message):
    with pytest.raises(OverflowError, match=message):
        make()


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive_is_an_error(x):
    with pytest.raises(ValueError, match=rf"log needs a positive input, got {x!r}"):
        Value(x).log()


def test_log_values_and_gradient():
    v = Value(math.e)
    out = v.log()
    out.backward()
    assert out.data == pytest.approx(1.0, abs=1e-15)
    assert v.grad == pytest.approx(1 / math.e, rel=1e-15)


# ------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "bad, kind",
    [
        (True, "bool"),
        ("2", "str"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        (np.array([1.0]), "ndarray"),
        (np.bool_(True), "bool"),
    ],
)
def test_value_rejects_non_real_numbers(bad, kind):
    with pytest.raises(TypeError, match=rf"Value expects a real number \(int, float or NumPy scalar\), got {kind} "):
        Value(bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_value_rejects_non_finite_numbers(bad):
    with pytest.raises(ValueError, match=r"Value expects a finite number, got (nan|inf|-inf)"):
        Value(bad)


def test_value_label_must_be_a_string():
    with pytest.raises(TypeError, match=r"Value label must be a str, got int \(3\)"):
        Value(1.0, label=3)


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda x: x + "a", r"\+"),
        (lambda x: "a" * x, r"\*"),
        (lambda x: x - [1.0], "-"),
        (lambda x: x / None, "/"),
        (lambda x: True + x, r"\+"),
    ],
)
def test_operations_reject_non_numbers(make, op):
    with pytest.raises(TypeError, match=rf"cannot use .* with a Value in '{op}': expected a real number or a Value"):
        make(Value(2.0))


def test_power_errors():
    with pytest.raises(TypeError, match=r"the exponent of \*\* expects a real number .*got str \('x'\)"):
        Value(2.0) ** "x"
    with pytest.raises(ValueError, match=r"-2\.0 \*\* 0\.5 is not a real number: a negative base needs an integer exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match=r"x \*\* y with a Value exponent needs x > 0 .*got x = -2\.0"):
        Value(-2.0) ** Value(2.0)
    with pytest.raises(ValueError, match=r"c \*\* x with a Value exponent needs c > 0 .*got c = -2\.0"):
        (-2) ** Value(2.0)
    with pytest.raises(ZeroDivisionError, match=r"0\.0 \*\* -1\.0 divides by zero"):
        Value(0.0) ** -1
    assert (Value(-2.0) ** 3).data == -8.0  # a negative base is fine with an integer exponent


def test_infinite_derivative_of_a_root_at_zero():
    x = Value(0.0)
    y = x**0.5
    assert y.data == 0.0
    with pytest.raises(ValueError, match=r"the derivative of x \*\* 0\.5 at x = 0 is infinite"):
        y.backward()


@pytest.mark.parametrize("make", [lambda: Value(1.0) / 0, lambda: Value(1.0) / Value(0.0), lambda: 1 / Value(0.0)])
def test_division_by_zero(make):
    with pytest.raises(ZeroDivisionError, match=r"division by a Value whose data is 0\.0 \(numerator 1\.0\)"):
        make()


@pytest.mark.parametrize("scalar, expected", [(np.float32(2), 2.0), (np.int64(3), 3.0), (np.float64(-1.5), -1.5), (7, 7.0)])
def test_numpy_scalars_are_stored_as_python_floats(scalar, expected):
    v = Value(scalar)
    assert type(v.data) is float and v.data == expected
    w = Value(1.0) + scalar
    assert type(w.data) is float and w.data == 1.0 + expected


def test_numpy_scalar_on_the_left():
    x = Value(3.0)
    y = np.float64(2.0) * x
    assert isinstance(y, Value) and y.data == 6.0
    y.backward()
    assert x.grad == 2.0


# -------------------------------------------------------- reflected forms
@pytest.mark.parametrize(
    "make, value, derivative",
    [
        (lambda x: 2 * x, 6.0, 2.0),
        (lambda x: x * 2, 6.0, 2.0),
        (lambda x: 1 - x, -2.0, -1.0),
        (lambda x: x - 1, 2.0, 1.0),
        (lambda x: 1 + x, 4.0, 1.0),
        (lambda x: 10 / x, 10 / 3, -10 / 9),
        (lambda x: x / 2, 1.5, 0.5),
        (lambda x: 2**x, 8.0, 8 * math.log(2)),
        (lambda x: x**2, 9.0, 6.0),
        (lambda x: -x, -3.0, -1.0),
    ],
)
def test_reflected_and_constant_forms(make, value, derivative):
    x = Value(3.0)
    y = make(x)
    y.backward()
    assert y.data == pytest.approx(value, rel=1e-15)
    assert x.grad == pytest.approx(derivative, rel=1e-15)


def test_value_exponent():
    x, y = Value(3.0), Value(2.0)
    z = x**y
    z.backward()
    assert z.data == 9.0
    assert x.grad == pytest.approx(6.0, rel=1e-15)
    assert y.grad == pytest.approx(9 * math.log(3), rel=1e-15)


def test_repr():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
