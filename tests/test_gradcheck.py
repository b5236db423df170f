"""Tests of backprop_lib.gradcheck: finite differences and the gradient checker."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_lib import engine
from backprop_lib.engine import Value
from backprop_lib.gradcheck import (
    RELATIVE_ERROR_THRESHOLDS,
    GradientCheck,
    check_layer,
    check_value_gradients,
    numerical_derivative,
    numerical_gradient,
    relative_error,
)


# ------------------------------------------------------ finite differences
def test_central_differences_are_second_order_and_forward_first_order():
    # exp at 0.5: f' = f'' = f''' = e**0.5. For h from 1e-1 to 1e-3 the
    # truncation error dominates (round-off is about 1e-16 / h).
    x, exact = 0.5, math.exp(0.5)
    hs = [1e-1, 1e-2, 1e-3]
    forward = [abs(numerical_derivative(math.exp, x, h, "forward") - exact) for h in hs]
    central = [abs(numerical_derivative(math.exp, x, h, "central") - exact) for h in hs]
    for i in range(len(hs) - 1):
        assert 8 < forward[i] / forward[i + 1] < 12  # error O(h)
        assert 80 < central[i] / central[i + 1] < 120  # error O(h**2)
    # The leading terms: h/2 f'' and h**2/6 f'''.
    assert forward[-1] == pytest.approx(1e-3 / 2 * exact, rel=1e-2)
    assert central[-1] == pytest.approx(1e-6 / 6 * exact, rel=1e-2)


def test_too_small_a_step_loses_digits_to_round_off():
    exact = math.cos(1.0)
    good = abs(numerical_derivative(math.sin, 1.0, 1e-5) - exact)
    tiny = abs(numerical_derivative(math.sin, 1.0, 1e-13) - exact)
    assert good < 1e-9 < tiny


def test_numerical_derivative_accepts_numpy_scalars_and_ints():
    assert numerical_derivative(lambda x: x * x, np.float32(3.0)) == pytest.approx(6.0, rel=1e-8)
    assert numerical_derivative(lambda x: x * x, 3) == pytest.approx(6.0, rel=1e-8)


@pytest.mark.parametrize("h", [0, -1e-6, float("nan"), float("inf"), True, "1e-6"])
def test_bad_step(h):
    with pytest.raises(ValueError, match=r"the step h must be a positive finite number, got "):
        numerical_derivative(math.sin, 1.0, h)


def test_bad_method_function_and_point():
    with pytest.raises(ValueError, match=r"method must be 'central' or 'forward', got 'backward'"):
        numerical_derivative(math.sin, 1.0, method="backward")
    with pytest.raises(TypeError, match=r"numerical_derivative expects a function f\(x\), got float"):
        numerical_derivative(1.0, 1.0)
    with pytest.raises(TypeError, match=r"numerical_derivative expects a real number x, got str"):
        numerical_derivative(math.sin, "1")
    with pytest.raises(TypeError, match=r"numerical_derivative expects a real number x, got bool"):
        numerical_derivative(math.sin, True)


def test_numerical_gradient_nudges_in_place_and_restores():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(g, 3 * before**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)
    with pytest.raises(TypeError, match=r"numerical_gradient needs a float64 NumPy array to nudge, got ndarray float32"):
        numerical_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))
    with pytest.raises(TypeError, match=r"got list"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])


def test_relative_error():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert relative_error(-2.0, 2.0) == 2.0
    assert relative_error(3.0, 2.0) == relative_error(2.0, 3.0)
    assert RELATIVE_ERROR_THRESHOLDS["excellent"] < RELATIVE_ERROR_THRESHOLDS["acceptable"] < RELATIVE_ERROR_THRESHOLDS["suspicious"]


# ------------------------------------------------------------ the checker
def test_gradient_check_table_and_assert_ok():
    check = GradientCheck()
    check.add("w", 2.0, 2.0 + 1e-9)
    check.add("b", -0.5, -0.7)  # a deliberately wrong gradient
    text = str(check)
    lines = text.splitlines()
    assert lines[0].split() == ["parameter", "analytic", "numeric", "rel.", "error"]
    assert lines[1].split()[:3] == ["w", "2.00000000", "2.00000000"]
    assert lines[2].split() == ["b", "-0.50000000", "-0.70000000", "2.9e-01"]
    assert lines[-1] == "max relative error: 2.9e-01"
    assert repr(check) == text
    assert not check.passed()
    with pytest.raises(AssertionError, match=r"gradient check failed for b: analytic -0\.5, numeric -0\.7, relative error 2\.86e-01 > 1e-06"):
        check.assert_ok()
    assert check.passed(tol=0.5) and check.assert_ok(tol=0.5) is check
    html = check._repr_html_()
    assert html.startswith("<table") and "<code style='color:inherit'>b</code>" in html and "2.9e-01" in html
    # numbers are padded and right-aligned, so neighbouring cells never run together
    assert html.count("text-align:right") == 3 + 3 * len(check.rows()) and "padding:.15em .6em" in html


def test_empty_check_passes():
    assert GradientCheck().max_error == 0.0 and GradientCheck().passed()


def test_check_value_gradients_on_the_worked_examples():
    L = check_value_gradients(lambda a, b, c, f: (a * b + c) * f, {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0})
    assert L.names == ["a", "b", "c", "f"]
    assert L.analytic == [6.0, -4.0, -2.0, 4.0]
    L.assert_ok(1e-8)

    def neuron(x1, x2, w1, w2, b):
        return (x1 * w1 + x2 * w2 + b).tanh()

    n = check_value_gradients(neuron, {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432})
    assert n.analytic == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5], abs=1e-12)
    n.assert_ok(1e-7)

    reuse = check_value_gradients(lambda a, b: (a * b) * (a + b), {"a": -2.0, "b": 3.0})
    assert reuse.analytic == [-3.0, -8.0]
    reuse.assert_ok(1e-8)


def test_check_value_gradients_catches_a_wrong_derivative_rule(monkeypatch):
    def wrong_tanh(out: Value) -> None:  # forgot the square: 1 - t instead of 1 - t**2
        out._prev[0].grad += (1.0 - out.data) * out.grad

    monkeypatch.setitem(engine.BACKWARD_RULES, "tanh", wrong_tanh)
    check = check_value_gradients(lambda x, w: (x * w).tanh(), {"x": 0.5, "w": 1.5})
    assert not check.passed(1e-2)
    with pytest.raises(AssertionError, match="gradient check failed for"):
        check.assert_ok()


def test_check_value_gradients_errors():
    with pytest.raises(TypeError, match=r"expects a function that builds a graph, got int"):
        check_value_gradients(3, {"a": 1.0})
    with pytest.raises(TypeError, match=r"build\(\.\.\.\)'s result must be a graph node .*got float"):
        check_value_gradients(lambda a: 1.0, {"a": 1.0})


# ------------------------------------------------------- NumPy layers
class Linear:
    """A minimal dense layer in the shape check_layer expects."""

    def __init__(self, n_in: int, n_out: int, dtype=np.float64, wrong_bias: bool = False) -> None:
        rng = np.random.default_rng(0)
        self.weights = rng.standard_normal((n_in, n_out)).astype(dtype)
        self.biases = rng.standard_normal((1, n_out)).astype(dtype)
        self.wrong_bias = wrong_bias

    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        # The bias gradient sums over the batch; the mean is a classic mistake.
        self.dbiases = (dvalues.mean if self.wrong_bias else dvalues.sum)(axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class Tanh:
    def forward(self, inputs):
        self.output = np.tanh(inputs)
        return self.output

    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output**2)


def test_check_layer_passes_a_correct_layer_and_restores_it():
    layer = Linear(3, 2)
    weights = layer.weights
    saved = weights.copy()
    check = check_layer(layer, np.random.default_rng(1).standard_normal((4, 3)))
    check.assert_ok(1e-7)
    assert len(check.names) == 4 * 3 + 3 * 2 + 2
    assert "dweights[2, 1]" in check.names and "dbiases[0, 1]" in check.names and "dinputs[3, 2]" in check.names
    assert layer.weights is weights and np.array_equal(weights, saved)


def test_check_layer_checks_float32_layers_in_float64():
    layer = Linear(2, 2, dtype=np.float32)
    check_layer(layer, np.ones((2, 2))).assert_ok(1e-7)
    assert layer.weights.dtype == np.float32


def test_check_layer_catches_a_wrong_bias_gradient():
    check = check_layer(Linear(3, 2, wrong_bias=True), np.ones((4, 3)))
    worst = max(check.rows(), key=lambda row: row[3])
    assert worst[0].startswith("dbiases") and worst[3] > 0.5
    with pytest.raises(AssertionError, match=r"gradient check failed for dbiases"):
        check.assert_ok()


def test_check_layer_without_parameters_and_with_given_dvalues():
    inputs = np.array([[0.3, -1.2]])
    check = check_layer(Tanh(), inputs, dvalues=np.array([[1.0, 2.0]]))
    assert check.names == ["dinputs[0, 0]", "dinputs[0, 1]"]
    assert check.analytic == pytest.approx([1 - math.tanh(0.3) ** 2, 2 * (1 - math.tanh(-1.2) ** 2)])
    check.assert_ok(1e-8)
    with pytest.raises(ValueError, match=r"dvalues must have the output's shape \(1, 2\), got \(2,\)"):
        check_layer(Tanh(), inputs, dvalues=np.ones(2))


# ------------------------------------------- any engine: duck-typed nodes
class TeachingNode:
    """A learner's own 30-line engine, built the micrograd way (no backprop_lib inside)."""

    def __init__(self, data, _children=(), _backward=None):
        self.data = float(data)
        self.grad = 0.0
        self._prev = _children
        self._backward = _backward or (lambda: None)

    def __add__(self, other):
        other = other if isinstance(other, TeachingNode) else TeachingNode(other)
        out = TeachingNode(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, TeachingNode) else TeachingNode(other)
        out = TeachingNode(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__

    def exp(self):
        out = TeachingNode(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = TeachingNode(max(0.0, self.data), (self,))

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def test_check_value_gradients_checks_a_learners_own_node_class():
    check = check_value_gradients(lambda a, b: a * b + a.exp(), {"a": 0.5, "b": -1.0}, node_type=TeachingNode)
    assert check.names == ["a", "b"]
    assert check.analytic == pytest.approx([-1.0 + math.exp(0.5), 0.5], rel=1e-12)
    assert check.passed()
    relu = check_value_gradients(lambda a, b: (a * b).relu() * 3 + b, {"a": 2.0, "b": 1.5}, node_type=TeachingNode)
    assert relu.analytic == pytest.approx([4.5, 7.0]) and relu.passed()


def test_check_value_gradients_catches_a_wrong_rule_in_a_learners_node_class():
    class WrongExp(TeachingNode):  # forgets the chain rule's out.grad factor
        def exp(self):
            out = WrongExp(math.exp(self.data), (self,))

            def _backward():
                self.grad += out.data  # wrong: drops out.grad

            out._backward = _backward
            return out

    check = check_value_gradients(lambda a: a.exp() * 3.0, {"a": 0.5}, node_type=WrongExp)
    assert check.analytic == pytest.approx([math.exp(0.5)])
    assert check.numeric == pytest.approx([3 * math.exp(0.5)], rel=1e-8)
    assert not check.passed()


def test_check_value_gradients_refuses_objects_that_are_not_nodes():
    class NoGrad:
        def __init__(self, x):
            self.data = x

        def backward(self):
            pass

    with pytest.raises(TypeError, match=r"input node made by node_type.*lacks \.grad"):
        check_value_gradients(lambda a: a, {"a": 1.0}, node_type=NoGrad)
    with pytest.raises(TypeError, match=r"build\(\.\.\.\)'s result must be a graph node with \.data, \.grad and \.backward\(\).*got float"):
        check_value_gradients(lambda a: 2.0, {"a": 1.0})
    with pytest.raises(TypeError, match=r"node_type must be a callable"):
        check_value_gradients(lambda a: a, {"a": 1.0}, node_type=3)
