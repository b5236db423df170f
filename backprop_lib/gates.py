"""Gates: backpropagation with one object per operation, before :class:`~backprop_lib.Value`.

A :class:`Node` holds a number and its gradient. A gate (:class:`AddNode`,
:class:`SubtractNode`, :class:`MultiplyNode`, :class:`TanhNode`) computes a new
node in ``forward`` and, in ``backward``, pushes the gradient of its output back
into its inputs: ``input.grad += local derivative * output.grad``.

Call the gates' ``backward`` in the reverse order of their ``forward`` calls,
after setting the last output's ``grad``. Gradients accumulate (``+=``), so a
node that feeds two gates receives both contributions; set every ``grad`` back
to 0 before the next backward pass.

>>> x, y, z = Node(2.0), Node(5.0), Node(9.0)
>>> add, mul = AddNode(), MultiplyNode()
>>> f = mul.forward(add.forward(x, y), z)
>>> f.grad = 1.0
>>> mul.backward(); add.backward()
>>> x.grad, y.grad, z.grad
(9.0, 9.0, 7.0)
"""

from __future__ import annotations

import math

from ._checks import describe
from .engine import Number, _as_float

__all__ = ["Node", "Gate", "AddNode", "SubtractNode", "MultiplyNode", "TanhNode"]


class Node:
    """A number in a gate network and the gradient of the final output with respect to it."""

    def __init__(self, value: Number, grad: Number = 0.0) -> None:
        self.value = _as_float(value, "Node value")
        self.grad = _as_float(grad, "Node grad")

    def __repr__(self) -> str:
        return f"Node(value={self.value!r}, grad={self.grad!r})"


class Gate:
    """One operation: ``forward`` makes the output node, ``backward`` fills the inputs' grads."""

    def __init__(self) -> None:
        self.inputs: tuple[Node, ...] = ()
        self.output: Node | None = None
        self._pending: tuple[Node, ...] = ()

    def _start(self, *inputs: object) -> None:
        for node in inputs:
            if not isinstance(node, Node):
                raise TypeError(f"{type(self).__name__}.forward expects Node inputs, got {describe(node)}")
        self._pending = inputs  # stored as .inputs only once the forward pass succeeds

    def _finish(self, value: float) -> Node:
        inputs, self._pending = self._pending, ()
        if not math.isfinite(value):
            # Nothing changes: backward() still pairs the previous output with the previous inputs.
            raise OverflowError(f"{type(self).__name__}.forward gives {value!r}: the inputs are too large")
        self.inputs = inputs
        self.output = Node(value)
        return self.output

    def _output_grad(self) -> float:
        if self.output is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward(): there is no output yet")
        return self.output.grad


class AddNode(Gate):
    """a + b: both local derivatives are 1."""

    def forward(self, a: Node, b: Node) -> Node:
        self._start(a, b)
        return self._finish(a.value + b.value)

    def backward(self) -> None:
        grad = self._output_grad()
        a, b = self.inputs
        a.grad += 1.0 * grad  # "+=": a node feeding two gates gets both shares
        b.grad += 1.0 * grad


class SubtractNode(Gate):
    """a - b: local derivatives 1 and -1."""

    def forward(self, a: Node, b: Node) -> Node:
        self._start(a, b)
        return self._finish(a.value - b.value)

    def backward(self) -> None:
        grad = self._output_grad()
        a, b = self.inputs
        a.grad += 1.0 * grad
        b.grad += -1.0 * grad


class MultiplyNode(Gate):
    """a * b: the local derivative for each input is the other input."""

    def forward(self, a: Node, b: Node) -> Node:
        self._start(a, b)
        return self._finish(a.value * b.value)

    def backward(self) -> None:
        grad = self._output_grad()
        a, b = self.inputs
        a.grad += b.value * grad
        b.grad += a.value * grad


class TanhNode(Gate):
    """tanh(x), with local derivative 1 - tanh(x)**2.

    ``math.tanh`` is exact for every finite input; the textbook formula
    (e**2x - 1) / (e**2x + 1) overflows to inf / inf = NaN above x ≈ 355.
    """

    def forward(self, x: Node) -> Node:
        self._start(x)
        return self._finish(math.tanh(x.value))

    def backward(self) -> None:
        grad = self._output_grad()
        (x,) = self.inputs
        t = self.output.value
        x.grad += (1.0 - t * t) * grad
