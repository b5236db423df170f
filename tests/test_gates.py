"""Tests of backprop_lib.gates, the one-object-per-operation network."""

from __future__ import annotations

import math
import warnings

import pytest

from backprop_lib.engine import Value
from backprop_lib.gates import AddNode, MultiplyNode, Node, SubtractNode, TanhNode


def test_add_then_multiply():
    x, y, z = Node(2.0), Node(5.0), Node(9.0)
    add, mul = AddNode(), MultiplyNode()
    q = add.forward(x, y)
    f = mul.forward(q, z)
    assert (q.value, f.value) == (7.0, 63.0)
    f.grad = 1.0
    mul.backward()
    add.backward()
    assert (x.grad, y.grad, z.grad, q.grad) == (9.0, 9.0, 7.0, 9.0)


def test_subtract():
    a, b = Node(3.0), Node(5.0)
    gate = SubtractNode()
    out = gate.forward(a, b)
    out.grad = 2.0
    gate.backward()
    assert (out.value, a.grad, b.grad) == (-2.0, 2.0, -2.0)


def test_a_node_feeding_two_gates_gets_both_contributions():
    # f = (x * y) + (x * z): df/dx = y + z. With "=" instead of "+=" the
    # second backward would overwrite the first and give z alone.
    x, y, z = Node(2.0), Node(3.0), Node(4.0)
    m1, m2, add = MultiplyNode(), MultiplyNode(), AddNode()
    f = add.forward(m1.forward(x, y), m2.forward(x, z))
    f.grad = 1.0
    for gate in (add, m2, m1):
        gate.backward()
    assert f.value == 14.0
    assert (x.grad, y.grad, z.grad) == (7.0, 2.0, 2.0)


def test_same_node_twice_in_one_gate():
    x = Node(3.0)
    mul = MultiplyNode()
    out = mul.forward(x, x)
    out.grad = 1.0
    mul.backward()
    assert x.grad == 6.0  # d(x*x)/dx = 2x


def network(w1: Node, w2: Node, x1: Node, x2: Node, x3: Node):
    """tanh(w1*x1 - w2*x2 + x3) and its gates in the order they ran."""
    m1, m2, sub, add, tanh = MultiplyNode(), MultiplyNode(), SubtractNode(), AddNode(), TanhNode()
    out = tanh.forward(add.forward(sub.forward(m1.forward(w1, x1), m2.forward(w2, x2)), x3))
    return out, [m1, m2, sub, add, tanh]


def test_gate_network_agrees_with_the_value_engine():
    nodes = dict(w1=Node(0.1), w2=Node(0.4), x1=Node(1.0), x2=Node(1.0), x3=Node(-0.02))
    out, gates = network(**nodes)
    out.grad = 1.0
    for gate in reversed(gates):
        gate.backward()
    v = {name: Value(n.value) for name, n in nodes.items()}
    ref = (v["w1"] * v["x1"] - v["w2"] * v["x2"] + v["x3"]).tanh()
    ref.backward()
    assert out.value == ref.data == math.tanh(0.1 - 0.4 - 0.02)
    for name, node in nodes.items():
        assert node.grad == pytest.approx(v[name].grad, rel=1e-15, abs=1e-15), name


def test_gate_network_trains_to_the_target():
    w1, w2 = Node(0.1), Node(0.4)
    x1, x2, x3 = Node(1.0), Node(1.0), Node(-0.02)
    target, learning_rate = 0.475, 0.001
    losses, previous = [], None
    for step in range(100_000):
        out, gates = network(w1, w2, x1, x2, x3)
        if out.value == previous:
            break  # converged: the update no longer changes the output
        previous = out.value
        losses.append((target - out.value) ** 2)
        for node in (w1, w2, x1, x2, x3):
            node.grad = 0.0
        out.grad = -2.0 * (target - out.value)  # d/d out of (target - out)**2
        for gate in reversed(gates):
            gate.backward()
        w1.value -= learning_rate * w1.grad
        w2.value -= learning_rate * w2.grad
    assert step < 99_999, "did not converge"
    assert abs(out.value - target) < 1e-9
    assert losses[0] == pytest.approx((0.475 - math.tanh(-0.32)) ** 2)
    assert all(later <= earlier for earlier, later in zip(losses, losses[1:]))
    # The pre-activation reached atanh(target); x3 was not trained.
    assert w1.value - w2.value - 0.02 == pytest.approx(math.atanh(target), abs=1e-8)
    assert x3.value == -0.02


@pytest.mark.parametrize("x, expected", [(1000.0, 1.0), (-1000.0, -1.0), (400.0, 1.0)])
def test_tanh_gate_is_exact_for_large_inputs(x, expected):
    node = Node(x)
    gate = TanhNode()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gate.forward(node)
        out.grad = 1.0
        gate.backward()
    assert (out.value, node.grad) == (expected, 0.0)


def test_tanh_gate_derivative():
    node = Node(0.5)
    gate = TanhNode()
    out = gate.forward(node)
    out.grad = 3.0
    gate.backward()
    assert out.value == math.tanh(0.5)
    assert node.grad == pytest.approx(3.0 * (1 - math.tanh(0.5) ** 2), rel=1e-15)


def test_backward_before_forward():
    for gate in (AddNode(), SubtractNode(), MultiplyNode(), TanhNode()):
        with pytest.raises(RuntimeError, match=rf"{type(gate).__name__}\.backward\(\) called before forward\(\)"):
            gate.backward()


@pytest.mark.parametrize("bad", [2.0, Value(2.0), None, "x"])
def test_gates_need_nodes(bad):
    with pytest.raises(TypeError, match=r"AddNode\.forward expects Node inputs, got "):
        AddNode().forward(Node(1.0), bad)
    with pytest.raises(TypeError, match=r"TanhNode\.forward expects Node inputs, got "):
        TanhNode().forward(bad)


@pytest.mark.parametrize("bad", [True, "1", None, 1j])
def test_node_needs_a_real_number(bad):
    with pytest.raises(TypeError, match=r"Node value expects a real number"):
        Node(bad)
    with pytest.raises(TypeError, match=r"Node grad expects a real number"):
        Node(1.0, grad=bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_node_needs_a_finite_number(bad):
    with pytest.raises(ValueError, match=r"Node value expects a finite number, got (nan|inf)"):
        Node(bad)


def test_overflowing_gate_output():
    with pytest.raises(OverflowError, match=r"MultiplyNode\.forward gives inf: the inputs are too large"):
        MultiplyNode().forward(Node(1e200), Node(1e200))


def test_node_stores_floats_and_repr():
    n = Node(3, grad=1)
    assert type(n.value) is float and type(n.grad) is float
    assert repr(n) == "Node(value=3.0, grad=1.0)"


@pytest.mark.parametrize("gate_class", [AddNode, SubtractNode, MultiplyNode])
def test_a_failed_forward_changes_nothing_and_backward_never_pairs_old_output_with_new_inputs(gate_class):
    gate = gate_class()
    a, b = Node(2.0), Node(3.0)
    out = gate.forward(a, b)
    big1, big2 = Node(1e308), Node(1e308 if gate_class is not SubtractNode else -1e308)
    with pytest.raises(OverflowError, match=r"forward gives inf"):
        gate.forward(big1, big2)
    assert gate.inputs == (a, b) and gate.output is out
    out.grad = 1.0
    gate.backward()
    assert big1.grad == big2.grad == 0.0  # the new inputs never get the old output's gradient
    assert a.grad != 0.0 and b.grad != 0.0


def test_a_failed_tanh_forward_refuses_non_nodes_and_keeps_state():
    gate = TanhNode()
    x = Node(0.5)
    out = gate.forward(x)
    with pytest.raises(TypeError, match=r"TanhNode\.forward expects Node inputs, got float"):
        gate.forward(0.5)
    assert gate.inputs == (x,) and gate.output is out
