"""The engine at any magnitude: backward() is right, or it refuses and changes nothing.

The property test builds random expression graphs from inputs of any finite
magnitude (subnormals to 1.8e308). For each graph, ``backward()`` either fills
in finite gradients that agree with HIPS autograd differentiating the same
expression, or raises a clear error and leaves every ``.grad`` in the graph as
it was. Central differences are no reference here: they are unreliable near
kinks and at extreme magnitudes.
"""

from __future__ import annotations

import math
import operator

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import event, given, settings
from hypothesis import strategies as st

from backprop_lib.engine import NonFiniteGradientError, Value, topological_order

EPS = np.finfo(float).eps


# ----------------------------------------------- the same program, two engines
def _sigmoid_ref(a):
    return anp.exp(-anp.logaddexp(0.0, -a))  # accurate in both tails


OPS = {  # name: (arity, on Values, on autograd's arrays)
    "+": (2, operator.add, operator.add),
    "-": (2, operator.sub, operator.sub),
    "*": (2, operator.mul, operator.mul),
    "/": (2, operator.truediv, operator.truediv),
    "pow": (2, operator.pow, anp.power),
    "**2": (1, lambda a: a**2, lambda a: a**2.0),
    "**3": (1, lambda a: a**3, lambda a: a**3.0),
    "**-1": (1, lambda a: a**-1, lambda a: a**-1.0),
    "**0.5": (1, lambda a: a**0.5, lambda a: a**0.5),
    "**1.5": (1, lambda a: a**1.5, lambda a: a**1.5),
    "exp": (1, Value.exp, anp.exp),
    "log": (1, Value.log, anp.log),
    "tanh": (1, Value.tanh, anp.tanh),
    "sigmoid": (1, Value.sigmoid, _sigmoid_ref),
    "relu": (1, Value.relu, lambda a: anp.where(a > 0, a, 0.0)),
    "abs": (1, abs, anp.abs),
    "neg": (1, operator.neg, operator.neg),
    "2**x": (1, lambda a: 2.0**a, lambda a: 2.0**a),
    "x*c": (1, None, None),  # times a constant of any magnitude: see apply()
}


def apply(step, nodes, engine):
    op, i, j, c = step
    arity, on_value, on_array = OPS[op]
    if op == "x*c":
        return nodes[i] * c
    fn = on_value if engine == 0 else on_array
    return fn(nodes[i], nodes[j]) if arity == 2 else fn(nodes[i])


def local_bounds(step, nodes):
    """|d out / d input| for each input, plus the rounding its evaluation may add (test's own formulas)."""
    op, i, j, c = step
    a = nodes[i].data
    b = nodes[j].data
    try:
        if op in ("+", "-"):
            return [(i, 1.0), (j, 1.0)]
        if op == "*":
            return [(i, abs(b)), (j, abs(a))]
        if op == "/":
            return [(i, 1 / abs(b)), (j, abs(a / b) / abs(b))]
        if op == "pow":
            return [(i, abs(b) * a ** (b - 1)), (j, a**b * abs(math.log(a)))]
        if op.startswith("**"):
            k = float(op[2:])
            return [(i, abs(k) * abs(a) ** (k - 1))]
        if op == "exp":
            return [(i, math.exp(a))]
        if op == "log":
            return [(i, 1 / a)]
        if op == "tanh":
            return [(i, 1 - math.tanh(a) ** 2 + 4 * EPS)]  # 1 - t*t loses digits once t is near 1
        if op == "sigmoid":
            return [(i, 0.25 + 4 * EPS)]
        if op == "2**x":
            return [(i, 2.0**a * math.log(2.0))]
        if op == "x*c":
            return [(i, abs(c))]
        return [(i, 1.0)]  # relu, abs, neg
    except (OverflowError, ZeroDivisionError, ValueError):
        return [(i, math.inf), (j, math.inf)]


def gradient_scale(program, leaves, nodes):
    """For each leaf, the sum over paths of the product of |local derivatives|.

    The chain rule's rounding error is a small multiple of eps times this
    scale, so two correct implementations agree within it even where
    contributions cancel.
    """
    scale = [0.0] * len(nodes)
    scale[-1] = 1.0
    for k in reversed(range(len(program))):
        out = len(leaves) + k
        if scale[out] == 0.0:
            continue
        for idx, m in local_bounds(program[k], nodes):
            with np.errstate(all="ignore"):
                scale[idx] += float(np.float64(m) * scale[out])
    return scale[: len(leaves)]


@st.composite
def programs(draw):
    """Up to 3 leaves of any finite magnitude and up to 8 operations on any earlier nodes."""
    n = draw(st.integers(1, 3))
    leaves = draw(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=n, max_size=n))
    start_grads = draw(st.lists(st.floats(-100.0, 100.0), min_size=n, max_size=n))
    nodes = [Value(x) for x in leaves]
    program = []
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(sorted(OPS)))
        i = draw(st.integers(0, len(nodes) - 1))
        j = draw(st.integers(0, len(nodes) - 1))
        c = draw(st.floats(allow_nan=False, allow_infinity=False))
        step = (op, i, j, c)
        try:
            out = apply(step, nodes, 0)
        except (OverflowError, ValueError, ZeroDivisionError) as error:
            # The forward pass refused: that is allowed, but it must be the engine's clear error.
            assert "Value" in str(error) or "float" in str(error) or "needs" in str(error) or "divi" in str(error), error
            step = ("neg", i, j, c)
            out = -nodes[i]
        nodes.append(out)
        program.append(step)
    return leaves, start_grads, program


def reference_gradient(program, leaves):
    """autograd's gradient, or None where its own float arithmetic over- or underflows."""

    def f(x):
        nodes = [x[k] for k in range(len(leaves))]
        for step in program:
            nodes.append(apply(step, nodes, 1))
        return nodes[-1]

    try:
        with np.errstate(all="raise"):
            return autograd_grad(f)(np.array(leaves, dtype=np.float64))
    except (FloatingPointError, OverflowError, ZeroDivisionError, ValueError):
        return None


@settings(max_examples=400, deadline=None, derandomize=True)
@given(programs())
def test_backward_at_any_magnitude_agrees_with_autograd_or_refuses_and_changes_nothing(case):
    leaves, start_grads, program = case
    xs = [Value(x) for x in leaves]
    for x, g in zip(xs, start_grads):
        x.grad = g  # leaf grads accumulate: they must come back untouched after a failure
    nodes = list(xs)
    for step in program:
        nodes.append(apply(step, nodes, 0))
    root = nodes[-1]
    every = topological_order(root)
    before = [(v, v.grad) for v in every]
    try:
        root.backward()
    except (NonFiniteGradientError, ValueError) as error:
        event("backward refused")
        assert "backward() stopped" in str(error) or "derivative" in str(error), error
        assert [v.grad for v, _ in before] == [g for _, g in before], "a failed backward changed a grad"
        return
    grads = [x.grad - g for x, g in zip(xs, start_grads)]
    assert all(math.isfinite(x.grad) for x in every), "backward left a non-finite grad"
    reference = reference_gradient(program, leaves)
    if reference is None:
        event("reference over/underflowed")
        return
    event("compared with autograd")
    scale = gradient_scale(program, leaves, nodes)
    for k, (ours, ref, s, g0) in enumerate(zip(grads, reference, scale, start_grads)):
        # Leaves that appear several times get the sum of their paths; a leaf
        # reached by no path has gradient 0 in both.
        tolerance = 1e-9 * (s if math.isfinite(s) else abs(ref)) + 1e-15 * abs(g0) + 1e-300
        assert abs(ours - ref) <= tolerance + 1e-9 * abs(ref), (k, ours, ref, s, program, leaves)


# ------------------------------------------------------- all or nothing
def test_a_failing_rule_changes_no_grad():
    a = Value(2.0)
    root = Value(0.0) ** 0.5 + a * 3
    with pytest.raises(ValueError, match=r"the derivative of x \*\* 0\.5 at x = 0 is infinite"):
        root.backward()
    assert a.grad == 0.0
    assert all(v.grad == 0.0 for v in topological_order(root))


def test_an_overflowing_gradient_is_named_and_changes_no_grad():
    x = Value(1e-100)
    y = x * 1e200
    root = y * 1e200
    x.grad = 0.5
    with pytest.raises(NonFiniteGradientError, match=r"not a finite float after the operation '\*' .*No \.grad was changed"):
        root.backward()
    assert (x.grad, y.grad, root.grad) == (0.5, 0.0, 0.0)
    assert isinstance(NonFiniteGradientError("x"), OverflowError)  # caught as an overflow, like the forward pass's


def test_a_gradient_that_underflows_in_a_division_is_still_exact():
    a, b = Value(1e-300), Value(1e-200)
    (a / b).backward()  # d/db = -a/b**2 = -1e100, though b*b underflows to 0
    assert b.grad == pytest.approx(-1e100, rel=1e-15)
    assert a.grad == pytest.approx(1e200, rel=1e-15)
    big = Value(1e200)
    (Value(1e300) / big).backward()  # b*b overflows; -a/b**2 = -1e-100
    assert big.grad == pytest.approx(-1e-100, rel=1e-15)


def test_a_gradient_too_large_for_a_float_in_a_division():
    y = Value(1e-200)
    with pytest.raises(NonFiniteGradientError, match=r"operation '/'"):
        (1.0 / y).backward()
    assert y.grad == 0.0


def test_power_rule_overflow_is_the_engines_error():
    x = Value(1e-200)
    with pytest.raises(NonFiniteGradientError, match=r"overflowed a float at the operation '\*\*'"):
        (x**-1).backward()
    assert x.grad == 0.0


def test_interrupting_backward_restores_the_grads(monkeypatch):
    from backprop_lib import engine

    a = Value(3.0)
    root = a * a + a
    calls = []

    def interrupted(out):
        calls.append(out)
        raise KeyboardInterrupt

    monkeypatch.setitem(engine.BACKWARD_RULES, "*", interrupted)
    with pytest.raises(KeyboardInterrupt):
        root.backward()
    assert calls and a.grad == 0.0 and root.grad == 0.0


def test_backward_takes_no_arguments():
    loss = Value(2.0) * Value(3.0)
    with pytest.raises(TypeError, match=r"backward\(\) takes no arguments"):
        loss.backward(1.0)
    with pytest.raises(TypeError, match=r"backward\(\) takes no arguments"):
        loss.backward(dvalues=1.0)
    assert loss.grad == 0.0


# ------------------------------------------------- behaves like a number
def test_format_formats_data():
    loss = Value(0.123456)
    assert f"{loss:.4f}" == "0.1235"
    assert format(Value(12345.0), ".2e") == "1.23e+04"
    assert f"{loss}" == str(loss) == "Value(data=0.123456, grad=0.0)"
    assert f"{Value(3.0):>6.1f}" == "   3.0"


@pytest.mark.parametrize("make", [lambda v: np.array([1.0, 2.0]) * v, lambda v: v * np.array([1.0, 2.0]),
                                  lambda v: np.array([1.0]) + v, lambda v: np.ones((2, 2)) / v])
def test_numpy_arrays_and_values_do_not_mix(make):
    with pytest.raises(TypeError, match=r"cannot use ndarray .* with a Value"):
        make(Value(2.0))


def test_numpy_scalars_still_work_on_either_side():
    v = Value(2.0)
    for out in (np.float64(3.0) * v, v * np.float64(3.0), np.float32(3.0) * v, np.int64(3) * v):
        assert isinstance(out, Value) and out.data == 6.0


@pytest.mark.parametrize("x, expected_grad", [(-2.5, -1.0), (0.0, 0.0), (4.0, 1.0)])
def test_abs_is_an_operation_with_its_kink_at_zero(x, expected_grad):
    v = Value(x)
    out = abs(v)
    assert isinstance(out, Value) and out.op == "abs" and out.data == abs(x)
    (out * 2).backward()
    assert v.grad == 2 * expected_grad


def test_comparisons_order_by_data():
    a, b, c = Value(3.0), Value(-1.0), Value(2.0)
    assert b < a and a > c and c <= 2 and 2.0 >= b and not (a < 1)
    assert max([a, b, c]) is a and min(a, b, c) is b
    assert sorted([a, b, c]) == [b, c, a]
    assert [v.data for v in sorted([a, b, c], reverse=True)] == [3.0, 2.0, -1.0]
    with pytest.raises(TypeError, match=r"cannot compare a Value with str"):
        a < "3"


def test_equality_is_identity_and_a_number_is_refused():
    a = Value(1.0)
    assert a == a and a != Value(1.0) and len({a, Value(1.0)}) == 2
    assert (a == "x") is False and (a == None) is False  # noqa: E711
    for number in (1.0, 1, np.float64(1.0)):
        with pytest.raises(TypeError, match=r"use \.data: v\.data == 1"):
            a == number
        with pytest.raises(TypeError, match=r"\.data"):
            number == a
    with pytest.raises(TypeError, match=r"\.data"):
        a != 1.0


def test_float_and_round_point_to_data():
    v = Value(2.5)
    with pytest.raises(TypeError, match=r"value\.data"):
        float(v)
    with pytest.raises(TypeError, match=r"value\.data"):
        math.exp(v)
    with pytest.raises(TypeError, match=r"round\(value\.data, n\)"):
        round(v, 2)


def test_integers_too_large_for_a_float():
    with pytest.raises(ValueError, match=r"Value expects a number that fits in a float .* an int of 401 digits"):
        Value(10**400)
    with pytest.raises(ValueError, match=r"fits in a float"):
        Value(1.0) * 10**400
    assert Value(2**1000).data == 2.0**1000


# ------------------------------------------------ the order backward walks
def recursive_order(root):
    """The textbook recursive depth-first search, inputs left to right (micrograd's build_topo)."""
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for child in v._prev:
                visit(child)
            order.append(v)

    visit(root)
    return order


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from("+*t"), st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=40))
def test_topological_order_is_the_recursive_depth_first_order(steps):
    nodes = [Value(0.5), Value(-1.5), Value(2.0)]
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(a + b if op == "+" else a * b if op == "*" else a.tanh())
    ours = topological_order(nodes[-1])
    reference = recursive_order(nodes[-1])
    assert len(ours) == len(reference) and all(x is y for x, y in zip(ours, reference))


def test_a_leaf_grad_that_was_already_not_finite_is_named():
    a = Value(2.0)
    a.grad = math.inf  # set by hand, e.g. by a training loop that diverged
    root = a * 3
    with pytest.raises(NonFiniteGradientError, match=r"a leaf \(data 2\) whose \.grad was already not finite before backward\(\) \(inf\)"):
        root.backward()
    assert a.grad == math.inf and root.grad == 0.0
