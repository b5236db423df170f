"""A gradient check never passes NaN, inf or a wrong gradient, and leaves everything as it found it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib import Dense, ReLU, Sigmoid, Tanh, Value, make_moons, make_spiral
from backprop_lib.gradcheck import (
    GradientCheck,
    check_layer,
    check_value_gradients,
    default_step,
    numerical_derivative,
    numerical_gradient,
    relative_error,
)

BAD = [math.nan, math.inf, -math.inf]
finite = st.floats(-1e6, 1e6, allow_nan=False)


# ----------------------------------------------- non-finite and wrong rows
@pytest.mark.parametrize("a, n", [(math.nan, 1.0), (1.0, math.nan), (math.inf, 1.0), (math.inf, math.inf), (-math.inf, math.inf)])
def test_relative_error_of_a_non_finite_pair_is_inf_never_nan(a, n):
    assert relative_error(a, n) == math.inf


@st.composite
def tables_with_one_bad_row(draw):
    """Correct rows around one row whose analytic or numeric value is NaN, inf, or wrong beyond tol."""
    good = draw(st.lists(finite, min_size=0, max_size=6))
    position = draw(st.integers(0, len(good)))
    kind = draw(st.sampled_from(["nan-or-inf", "wrong"]))
    right = draw(finite)
    if kind == "nan-or-inf":
        bad_value = draw(st.sampled_from(BAD))
        row = (bad_value, right) if draw(st.booleans()) else (right, bad_value)
    else:
        # Wrong by more than the relative tolerance and more than the absolute floor.
        factor = draw(st.sampled_from([-1.0, 0.0, 0.5, 1.1, 2.0, 1e3]))
        offset = draw(st.floats(2e-6, 1e3))
        row = (right * factor + math.copysign(offset, right * factor - right or 1.0), right)
    atol = draw(st.sampled_from([0.0, 1e-9, 1e-6]))
    return good, position, row, atol


@settings(max_examples=200, deadline=None, derandomize=True)
@given(tables_with_one_bad_row())
def test_no_table_with_a_nan_inf_or_wrong_row_passes(case):
    good, position, bad, atol = case
    check = GradientCheck(atol=atol)
    names = []
    for i, value in enumerate(good[:position] + [None] + good[position:]):
        name = f"p{i}"
        names.append(name)
        if value is None:
            check.add(name, *bad)
        else:
            check.add(name, value, value * (1 + 1e-12))
    assert not check.passed()
    assert not check.passed(tol=1e-2)
    assert check.failing_rows() == [position]
    assert not math.isnan(check.max_error)
    with pytest.raises(AssertionError, match=rf"gradient check failed for p{position}:"):
        check.assert_ok()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    attribute=st.sampled_from(["dweights", "dbiases", "dinputs"]),
    corruption=st.sampled_from(["nan", "inf", "-inf", "scale", "transpose-sign", "zero"]),
    entry=st.integers(0, 10_000),
    seed=st.integers(0, 2**16),
)
def test_check_layer_never_passes_a_corrupted_gradient(attribute, corruption, entry, seed):
    class Corrupted(Dense):
        def backward(self, dvalues, **kwargs):
            result = super().backward(dvalues, **kwargs)
            grad = getattr(self, attribute).copy()
            flat = grad.reshape(-1)
            k = entry % flat.size
            if corruption in ("nan", "inf", "-inf"):
                flat[k] = float(corruption)
            elif corruption == "scale":
                flat[k] = flat[k] * 1.5 + 0.1
            elif corruption == "transpose-sign":
                flat[k] = -flat[k] - 0.1
            else:
                flat[k] = 0.0 if abs(flat[k]) > 1e-3 else 1.0
            setattr(self, attribute, grad)
            return result

    layer = Corrupted(3, 2, rng=seed, weight_scale=1.0)
    inputs = np.random.default_rng(seed).standard_normal((4, 3))
    check = check_layer(layer, inputs, seed=seed)
    assert not check.passed()
    assert not check.passed(tol=1e-2)


# ------------------------------------------------------------ step size
def test_the_default_step_is_relative_with_a_floor():
    assert default_step(0.0) == default_step(0.5) == default_step(-0.01) == 1e-6
    assert default_step(1e12) == 1e6 and default_step(-3.0) == 3e-6
    assert default_step(1e-7) == pytest.approx(1e-11)
    for x in (1e-300, -1e-7, 5e-3, 1.0, 1e8, 1.7e308):
        h = default_step(x)
        assert x + h != x and x - h != x
        for nudged in (x - h, x + h):  # never reaches or crosses 0
            assert nudged != 0 and math.copysign(1.0, nudged) == math.copysign(1.0, x)


@pytest.mark.parametrize("x", [1e8, 1e12, -1e15, 1e100])
def test_numerical_derivative_at_large_x(x):
    assert numerical_derivative(lambda t: t * t, x) == pytest.approx(2 * x, rel=1e-9)
    assert numerical_derivative(math.sqrt, abs(x)) == pytest.approx(0.5 / math.sqrt(abs(x)), rel=1e-8)


def test_an_explicit_step_is_used_as_given():
    # Chapter 2's demonstration: too small a step loses digits to round-off.
    with pytest.raises(ValueError, match=r"the step h = 1e-06 is below float precision at x = 1000000000000\.0"):
        numerical_derivative(lambda t: t * t, 1e12, h=1e-6)  # a step that vanishes next to x is refused, never a silent 0
    big = numerical_derivative(math.sin, 1.0, h=0.1)
    assert big == (math.sin(1.1) - math.sin(0.9)) / 0.2


def test_log_near_zero_never_steps_across_it():
    check = check_value_gradients(lambda a: a.log(), {"a": 1e-7})
    assert check.analytic == [pytest.approx(1e7)]
    check.assert_ok(1e-6)


def test_check_value_gradients_at_large_inputs():
    check_value_gradients(lambda a, b: a * b + a * a, {"a": 1e8, "b": -3e12}).assert_ok(1e-7)


# ----------------------------------------------------- the absolute floor
def test_a_tiny_correct_gradient_beside_a_large_output_passes():
    check = check_value_gradients(lambda a, b: a * 1e-9 + b * b * 1e3, {"a": 0.5, "b": 10.0})
    assert check.analytic == pytest.approx([1e-9, 2e4])
    check.assert_ok(1e-6)
    # ... but a floor never lets a wrong gradient of ordinary size through.
    wrong = GradientCheck(atol=check.atol)
    wrong.add("a", 1.0, 1e-9)
    assert not wrong.passed()


@pytest.mark.parametrize("seed", range(15))
def test_check_layer_passes_a_correct_dense_layer_on_the_books_data(seed):
    X, _ = (make_moons(12, noise=0.2, seed=seed) if seed % 2 else make_spiral(4, n_classes=3, seed=seed))
    layer = Dense(2, 5, rng=seed, weight_scale=1.0)
    check_layer(layer, X, seed=seed).assert_ok(1e-6)
    for activation in (ReLU(), Tanh(), Sigmoid()):
        check_layer(activation, layer.forward(X) + 0.01, seed=seed).assert_ok(1e-6)


# ------------------------------------------------------------------ bad x
@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_non_finite_x_is_refused(x):
    with pytest.raises(ValueError, match=r"expects a finite x"):
        numerical_derivative(math.sin, x)
    with pytest.raises(ValueError, match=r"expects a finite x"):
        check_value_gradients(lambda a: a * 2, {"a": x})
    with pytest.raises(ValueError, match=r"NaN or infinite"):
        numerical_gradient(lambda: 0.0, np.array([1.0, x]))


# -------------------------------------------------------- errors inside f
def returns_value(x):
    return Value(x) * 2


@pytest.mark.parametrize(
    "f, message",
    [
        (returns_value, r"the function returns_value must return a real number, but at x \+ h = .* it returned Value .*return its \.data"),
        (lambda x: None, r"the function \(a lambda\) must return a real number, .* returned NoneType \(None\) \(did it forget to return\?\)"),
        (lambda x: "1.0", r"returned str \('1\.0'\)"),
        (lambda x: np.array([x, x]), r"must return a single real number, .* an array of shape \(2,\)"),
        (lambda x: math.inf, r"returned inf at x \+ h"),
    ],
)
def test_what_f_returned_is_named(f, message):
    with pytest.raises((TypeError, ValueError), match=message):
        numerical_derivative(f, 1.0)


def test_an_error_inside_f_names_f_and_the_point():
    def picky(x):
        if x > 1.0:
            raise ValueError("too big")
        return x

    with pytest.raises(ValueError, match=r"the function picky raised ValueError at x \+ h = 1\.000001 .*: too big"):
        numerical_derivative(picky, 1.0)


def test_numerical_gradient_restores_x_even_when_f_raises_partway():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 4:  # the second entry's minus side
            raise RuntimeError("boom")
        return float(np.sum(x**2))

    with pytest.raises(ValueError, match=r"raised RuntimeError at x\[1\] - h"):
        numerical_gradient(f, x)
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_a_learners_node_with_a_non_number_grad_is_named():
    class NoneGrad:
        def __init__(self, x):
            self.data, self.grad = x, None

        def backward(self):
            pass

    with pytest.raises(TypeError, match=r"GradientCheck row 'a': the analytic gradient must be a real number, got NoneType"):
        check_value_gradients(lambda a: a, {"a": 1.0}, node_type=NoneGrad)


# ----------------------------------------- check_layer leaves it as found
def test_check_layer_leaves_a_float32_layer_exactly_as_found():
    layer = Dense(3, 2, rng=1, dtype=np.float32, weight_scale=1.0)
    X = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    out = layer.forward(X)
    layer.backward(np.ones_like(out))
    before = dict(vars(layer))
    copies = {k: np.array(v, copy=True) for k, v in before.items() if isinstance(v, np.ndarray)}
    check_layer(layer, np.ones((5, 3))).assert_ok(1e-6)
    assert vars(layer).keys() == before.keys()
    for key, value in before.items():
        assert getattr(layer, key) is value, key
    for key, copy in copies.items():
        assert getattr(layer, key).dtype == copy.dtype and np.array_equal(getattr(layer, key), copy), key
    assert layer.weights.dtype == np.float32 and layer.output is out


def test_check_layer_restores_the_layer_when_the_layer_raises():
    layer = Dense(2, 2)
    weights = layer.weights
    with pytest.raises(ValueError):
        check_layer(layer, np.ones((3, 5)))  # wrong number of features
    assert layer.weights is weights and layer.inputs is None and layer.output is None


def test_rows_and_relative_error_take_real_numbers_only():
    check = GradientCheck()
    check.add("w", np.float32(2.0), np.array(2.0))  # NumPy scalars and one-entry arrays are numbers
    assert check.analytic == [2.0] and check.numeric == [2.0]
    with pytest.raises(TypeError, match=r"GradientCheck row 'b': the numeric gradient must be a real number, got str"):
        check.add("b", 1.0, "1.0")
    with pytest.raises(TypeError, match=r"relative_error expects two real numbers, got Value .*pass its \.grad or \.data"):
        relative_error(Value(1.0), 1.0)
    assert check.names == ["w"] or check.names == ["w", "b"]
