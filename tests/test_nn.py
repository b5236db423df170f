"""Tests of backprop_lib.nn: Neuron, Layer and MLP on top of Value."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from backprop_lib.engine import Value
from backprop_lib.gradcheck import numerical_derivative
from backprop_lib.nn import MLP, Layer, Module, Neuron, make_rng


def weights(module: Module) -> list[float]:
    return [p.data for p in module.parameters()]


# ------------------------------------------------------ seeds and shapes
def test_same_seed_same_network():
    assert weights(MLP(2, [16, 16, 1], rng=7)) == weights(MLP(2, [16, 16, 1], rng=7))
    assert weights(MLP(2, [16, 16, 1], rng=7)) != weights(MLP(2, [16, 16, 1], rng=8))
    assert weights(MLP(2, [4, 1])) == weights(MLP(2, [4, 1], rng=0))  # None means seed 0
    assert weights(MLP(2, [4, 1], rng=random.Random(3))) == weights(MLP(2, [4, 1], rng=3))
    assert weights(MLP(2, [4, 1], rng=np.int64(3))) == weights(MLP(2, [4, 1], rng=3))


def test_weights_are_uniform_draws_in_order_and_biases_zero():
    net = MLP(2, [3, 1], rng=5)
    draws = random.Random(5)
    expected = []
    for layer in net.layers:
        for neuron in layer.neurons:
            expected += [draws.uniform(-1.0, 1.0) for _ in range(neuron.nin)] + [0.0]
    assert weights(net) == expected
    assert all(-1.0 <= w <= 1.0 for w in expected)


def test_a_shared_generator_moves_on():
    rng = random.Random(1)
    a, b = Neuron(3, rng=rng), Neuron(3, rng=rng)
    assert weights(a) != weights(b)
    assert all(len(set(weights(n))) == 4 for n in Layer(3, 5, rng=1).neurons)  # 3 weights + bias
    first, second = Layer(3, 5, rng=1).neurons[:2]
    assert weights(first) != weights(second)


@pytest.mark.parametrize(
    "module, count",
    [
        (Neuron(3), 4),
        (Layer(3, 4), 16),
        (MLP(2, [16, 16, 1]), 337),
        (MLP(3, [4, 4, 1]), 41),
    ],
)
def test_parameter_counts(module, count):
    params = module.parameters()
    assert len(params) == count
    assert len({id(p) for p in params}) == count  # no parameter listed twice
    assert all(isinstance(p, Value) for p in params)


def test_repr_like_micrograd():
    assert repr(Neuron(2)) == "ReLUNeuron(2)"
    assert repr(Neuron(2, activation="tanh")) == "TanhNeuron(2)"
    assert repr(Neuron(2, activation="sigmoid")) == "SigmoidNeuron(2)"
    assert repr(Layer(2, 2, activation="linear")) == "Layer of [LinearNeuron(2), LinearNeuron(2)]"
    assert repr(MLP(2, [2, 1])) == "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]"


# ------------------------------------------------------------- forward
@pytest.mark.parametrize(
    "activation, f",
    [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("linear", lambda z: z),
    ],
)
def test_neuron_computes_activation_of_weighted_sum(activation, f):
    n = Neuron(3, activation=activation, rng=2)
    n.b.data = 0.25
    x = [0.5, -1.0, 2.0]
    z = 0.25 + sum(w.data * xi for w, xi in zip(n.w, x))
    out = n(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(f(z), rel=1e-15, abs=1e-15)


def test_neuron_graph_starts_from_the_bias():
    n = Neuron(2, activation="linear")
    out = n([Value(1.0), Value(2.0)])
    # b + w0*x0 + w1*x1: two multiplies and two additions, no Value(0) leaf.
    ops = []
    stack, seen = [out], set()
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            ops.append(v.op)
            stack.extend(v.parents())
    assert sorted(op for op in ops if op) == ["*", "*", "+", "+"]
    assert len(seen) == 2 + 2 + 1 + 4  # inputs, weights, bias, operations


def test_inputs_may_be_numbers_values_or_arrays():
    net = MLP(2, [3, 1], rng=4)
    from_floats = net([0.5, -1.0]).data
    assert net([Value(0.5), Value(-1.0)]).data == from_floats
    assert net((0.5, -1)).data == net([0.5, -1.0]).data
    assert net(np.array([0.5, -1.0])).data == from_floats


def test_layer_and_mlp_output_shapes():
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    out = Layer(2, 3)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert len(MLP(2, [4, 3])([1.0, 2.0])) == 3
    assert isinstance(MLP(2, [1, 3, 1])([1.0, 2.0]), Value)  # a width-1 hidden layer is fine


def test_last_layer_is_linear():
    net = MLP(2, [4, 4, 1], activation="tanh")
    assert [n.activation for layer in net.layers for n in layer.neurons] == ["tanh"] * 8 + ["linear"]
    # A linear output can leave tanh's range.
    net.layers[-1].neurons[0].b.data = 5.0
    assert net([0.1, 0.2]).data > 1.0


# ------------------------------------------------------------ gradients
def mse(net: MLP, xs, ys) -> Value:
    loss = Value(0.0)
    for x, y in zip(xs, ys):
        loss = loss + (net(x) - y) ** 2
    return loss * (1.0 / len(xs))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_mlp_gradients_match_central_differences(activation):
    net = MLP(3, [4, 4, 1], activation=activation, rng=11)
    xs = [[0.5, -1.0, 2.0], [-0.3, 0.8, 0.1], [1.5, 0.2, -0.7]]
    ys = [1.0, -1.0, 0.5]
    loss = mse(net, xs, ys)
    net.zero_grad()
    loss.backward()
    params = net.parameters()
    for index in (0, 5, 13, 19, 20, 25, 39, 40):  # first layer, second layer, output weight and bias
        p = params[index]
        original = p.data

        def at(t, p=p):
            p.data = t
            return mse(net, xs, ys).data

        numeric = numerical_derivative(at, original, h=1e-6)
        p.data = original
        assert p.grad == pytest.approx(numeric, rel=1e-6, abs=1e-9), index
    assert any(p.grad != 0.0 for p in params)


def test_zero_grad():
    net = MLP(2, [3, 1], rng=0)
    loss = mse(net, [[1.0, 2.0]], [0.0])
    loss.backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    loss.backward()
    doubled = [p.grad for p in net.parameters()]
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())
    loss.backward()
    assert [2 * p.grad for p in net.parameters()] == doubled  # leaves accumulate until zeroed
    assert Module().parameters() == []


def test_training_reduces_the_loss():
    net = MLP(2, [8, 1], activation="tanh", rng=0)
    xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    ys = [-1.0, 1.0, 1.0, -1.0]  # XOR
    losses = []
    for _ in range(200):
        loss = mse(net, xs, ys)
        losses.append(loss.data)
        net.zero_grad()
        loss.backward()
        for p in net.parameters():
            p.data -= 0.1 * p.grad
    assert losses[-1] < 0.05 < losses[0]


# --------------------------------------------------------------- errors
@pytest.mark.parametrize("bad", [0, -3])
def test_sizes_must_be_positive(bad):
    with pytest.raises(ValueError, match=rf"nin must be a positive int, got {bad}"):
        Neuron(bad)
    with pytest.raises(ValueError, match=rf"nout must be a positive int, got {bad}"):
        Layer(2, bad)
    with pytest.raises(ValueError, match=rf"each layer width in nouts must be a positive int, got {bad}"):
        MLP(2, [3, bad])


@pytest.mark.parametrize("bad, kind", [(2.0, "float"), (True, "bool"), ("2", "str"), (None, "NoneType")])
def test_sizes_must_be_ints(bad, kind):
    with pytest.raises(TypeError, match=rf"nin must be a positive int, got {kind} "):
        Neuron(bad)
    with pytest.raises(TypeError, match=rf"nin must be a positive int, got {kind} "):
        MLP(bad, [1])


def test_nouts_must_be_a_non_empty_list():
    with pytest.raises(TypeError, match=r"nouts must be a list of layer widths, e\.g\. \[16, 16, 1\], got int \(3\)"):
        MLP(2, 3)
    with pytest.raises(ValueError, match=r"nouts must name at least one layer width, got an empty list"):
        MLP(2, [])


def test_activation_must_be_known():
    with pytest.raises(ValueError, match=r"activation must be one of 'relu', 'tanh', 'sigmoid', 'linear', got 'softmax'"):
        Neuron(2, activation="softmax")
    with pytest.raises(ValueError, match=r"activation must be one of .* got 'ReLU'"):
        MLP(2, [3, 1], activation="ReLU")


def test_rng_must_be_a_generator_seed_or_none():
    with pytest.raises(TypeError, match=r"rng must be a random\.Random, an int seed or None, got float \(1\.5\)"):
        MLP(2, [1], rng=1.5)
    with pytest.raises(TypeError, match=r"got Generator"):
        make_rng(np.random.default_rng(0))


@pytest.mark.parametrize("x, got", [([1.0], 1), ([1.0, 2.0, 3.0], 3), ([], 0)])
def test_input_length_must_match(x, got):
    for module in (Neuron(2), Layer(2, 3), MLP(2, [3, 1])):
        with pytest.raises(ValueError, match=rf"expected 2 inputs, got {got}"):
            module(x)


@pytest.mark.parametrize("bad, kind", [("ab", "str"), (Value(1.0), "Value"), (1.0, "float")])
def test_input_must_be_a_list(bad, kind):
    with pytest.raises(TypeError, match=rf"expected a list of 2 numbers or Values, got {kind} "):
        MLP(2, [1])(bad)


def test_input_entries_must_be_numbers():
    with pytest.raises(TypeError, match=r"Value expects a real number .*got str \('a'\)"):
        Neuron(2)([1.0, "a"])
    with pytest.raises(ValueError, match=r"Value expects a finite number, got nan"):
        Neuron(2)([1.0, float("nan")])
