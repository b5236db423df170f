"""Chapter 6's exercises: graders and hints.

Every expected answer is recomputed here from the problem, with the engine
(:class:`~backprop_lib.Value`), the library's gates and central differences;
none is typed in.
"""

from __future__ import annotations

from typing import Callable

from ..engine import Value
from ..exercises import Feedback, check, check_function, exercise
from ..gates import AddNode, Node, SubtractNode, TanhNode
from ..gradcheck import numerical_derivative, relative_error

# Exercises 1 and 2: L = (V - z(x + y))**2 at this point.
POINT = dict(V=10.0, x=1.0, y=2.0, z=4.0)
# Exercise 4: the chapter's starting point and target.
START, TARGET = dict(x=12.3791, y=1.4782, z=8.192), 144.0


def _loss_gradients(V: float, x: float, y: float, z: float) -> dict[str, float]:
    """dL/dx, dL/dy, dL/dz of L = (V - z(x + y))**2, by the engine."""
    nodes = {name: Value(v, label=name) for name, v in dict(x=x, y=y, z=z).items()}
    ((V - nodes["z"] * (nodes["x"] + nodes["y"])) ** 2).backward()
    return {name: node.grad for name, node in nodes.items()}


@exercise("6-1", hint="Work backwards from the loss: first dL/df for L = (V - f)**2, "
          "then what a product f = z * q sends to each of its two factors.")
def _grade_1(answer: object) -> Feedback:
    return check(answer, lambda: _loss_gradients(**POINT)["z"], decimals=3)


def _x_after_one_step() -> float:
    return POINT["x"] - 0.01 * _loss_gradients(**POINT)["x"]


@exercise("6-2", hint="Find dL/dx first (an addition passes its incoming gradient on unchanged), "
          "then move x against it, by the learning rate times the gradient.")
def _grade_2(answer: object) -> Feedback:
    return check(answer, _x_after_one_step, decimals=3)


def gate_fixed_point_w1(target: float = 0.8, lr: float = 0.2, max_steps: int = 100_000) -> float:
    """Where w1 ends when descent trains tanh(w1*1 - w2*1 - 0.02) towards ``target`` from (0.1, 0.4).

    Trained with the engine until an update changes neither weight. The
    learning rate only sets the pace: w1 + w2 never changes (dL/dw2 = -dL/dw1)
    and the loss is 0 only where tanh(w1 - w2 - 0.02) = target.
    """
    w1, w2 = 0.1, 0.4
    for _ in range(max_steps):
        a, b = Value(w1), Value(w2)
        ((target - (a * 1.0 - b * 1.0 + (-0.02)).tanh()) ** 2).backward()
        new_w1, new_w2 = w1 - lr * a.grad, w2 - lr * b.grad
        if new_w1 == w1 and new_w2 == w2:
            return w1
        w1, w2 = new_w1, new_w2
    raise RuntimeError("no fixed point within max_steps")


@exercise("6-3", hint="Two facts decide it. Compare dL/dw2 with dL/dw1 at any step: what does that do "
          "to w1 + w2? And what must w1 - w2 be for the output to equal the target exactly?")
def _grade_3(answer: object) -> Feedback:
    return check(answer, gate_fixed_point_w1, decimals=3)


def _reference_sgd_step(params: list, grads: list, lr: float) -> list:
    return [p - lr * g for p, g in zip(params, grads)]


def sgd_cases() -> list[tuple]:
    """The test inputs: real gradients of the chapter's loss, computed by the engine."""
    cases = []
    for V, point, lr in [(TARGET, START, 0.001), (TARGET, dict(x=13.0, y=2.0, z=9.5), 0.001),
                         (POINT["V"], dict(x=1.0, y=2.0, z=4.0), 0.01)]:
        grads = _loss_gradients(V, **point)
        cases.append(([point["x"], point["y"], point["z"]], [grads["x"], grads["y"], grads["z"]], lr))
    # The gate neuron's two weights at their start, with their (opposite) gradients.
    w1, w2 = Value(0.1), Value(0.4)
    ((0.475 - (w1 * 1.0 - w2 * 1.0 + (-0.02)).tanh()) ** 2).backward()
    cases.append(([w1.data, w2.data], [w1.grad, w2.grad], 0.5))
    return cases


@exercise("6-4", hint="The gradient points uphill. Move each parameter the other way, "
          "by a step that grows with its own gradient and with lr, and return a new list.")
def _grade_4(answer: object) -> Feedback:
    cases = sgd_cases()
    verdict = check_function(answer, _reference_sgd_step, cases)
    if not verdict.correct:
        return verdict
    params, grads, lr = cases[0]
    kept = list(params)
    answer(params, grads, lr)
    if params != kept:
        return Feedback(False, "it changed the list it was given; return a new list and leave params as they were.")
    return verdict


def _gate_gradients(gate_class: Callable, values: dict[str, float]) -> tuple[dict[str, float], Callable]:
    """The gate network's gradients with every product made by ``gate_class``; and its loss function.

    L = (0.475 - tanh(w1*x1 - w2*x2 + x3))**2, where the square is e * e: one
    node feeding both inputs of a product, as in the chapter.
    """

    def forward(v: dict[str, Node]) -> tuple[Node, list]:
        mul1, mul2, square = gate_class(), gate_class(), gate_class()
        sub, add, error, tanh = SubtractNode(), AddNode(), SubtractNode(), TanhNode()
        s = add.forward(sub.forward(mul1.forward(v["w1"], v["x1"]), mul2.forward(v["w2"], v["x2"])), v["x3"])
        e = error.forward(Node(0.475), tanh.forward(s))
        loss = square.forward(e, e)
        return loss, [mul1, mul2, sub, add, tanh, error, square]

    nodes = {name: Node(x) for name, x in values.items()}
    loss, gates = forward(nodes)
    loss.grad = 1.0
    for gate in reversed(gates):
        gate.backward()

    def loss_at(name: str, x: float) -> float:
        return forward({k: Node(x if k == name else v) for k, v in values.items()})[0].value

    return {name: node.grad for name, node in nodes.items()}, loss_at


def gradient_check_gate(gate_class: Callable) -> tuple[bool, str]:
    """Gradient-check a multiply gate: in the chapter's gate network, and on e * e alone."""
    values = dict(w1=0.1, w2=0.4, x1=1.0, x2=1.0, x3=-0.02)
    grads, loss_at = _gate_gradients(gate_class, values)
    for name in values:
        numeric = numerical_derivative(lambda x, name=name: loss_at(name, x), values[name])
        if not relative_error(grads[name], numeric) < 1e-6:
            return False, (f"the gradient check fails in the gate network: dL/d{name} came out {grads[name]:.6g}, "
                           f"finite differences say {numeric:.6g}.")
    e = Node(3.0)
    gate = gate_class()
    out = gate.forward(e, e)
    out.grad = 1.0
    gate.backward()
    numeric = numerical_derivative(lambda x: gate_class().forward(Node(x), Node(x)).value, 3.0)
    if not relative_error(e.grad, numeric) < 1e-6:
        return False, f"for e * e at e = 3 the gate gives d/de = {e.grad:.6g}; finite differences say {numeric:.6g}."
    return True, "it passes the gradient check, also where one node is both inputs (e * e)."


@exercise("6-5", hint="Run the cell's e * e example by hand: both lines of backward write into the same "
          "node's grad. Which contribution survives, and which is lost?")
def _grade_5(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"expected your fixed gate class, got {type(answer).__name__}.")
    try:
        passed, message = gradient_check_gate(answer)
    except Exception as error:  # the reader's class may raise anything; report it, do not crash
        return Feedback(False, f"using it as a gate raised {type(error).__name__}: {error}.")
    return Feedback(passed, message)
