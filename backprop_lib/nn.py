"""Neurons, layers and multi-layer perceptrons built from :class:`~backprop_lib.engine.Value`.

The same small API as micrograd's ``nn`` module: every module has
:meth:`~Module.parameters` and :meth:`~Module.zero_grad`, weights start
uniform in [-1, 1] and biases at 0, and an :class:`MLP`'s last layer is linear.
Unlike micrograd, the initial weights come from an explicit random generator,
so the same seed always builds the same network.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Iterable, Sequence

from ._checks import describe, whole_number
from .engine import Number, Value

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "make_rng"]


ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}
"""Activation name -> the :class:`~backprop_lib.Value` method that applies it (``None``: identity)."""

_REPR_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}


def make_rng(rng: random.Random | int | None = None) -> random.Random:
    """A ``random.Random`` from a generator (used as is), an int seed, or ``None`` (seed 0)."""
    if rng is None:
        return random.Random(0)  # a fixed default, so notebooks rerun identically
    if isinstance(rng, random.Random):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"rng must be a random.Random, an int seed or None, got {describe(rng)}")
    return random.Random(int(rng))


def _check_activation(activation: object) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        names = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"activation must be one of {names}, got {activation!r}")
    return activation


def _as_values(x: Iterable[Value | Number], nin: int) -> list[Value]:
    """Check that ``x`` holds ``nin`` numbers or Values, and wrap the numbers."""
    if isinstance(x, (str, bytes, Value)) or not isinstance(x, Iterable):
        raise TypeError(f"expected a list of {nin} numbers or Values, got {describe(x)}")
    items = list(x)
    if len(items) != nin:
        raise ValueError(f"expected {nin} inputs, got {len(items)}")
    return [xi if isinstance(xi, Value) else Value(xi) for xi in items]


class Module:
    """Anything with parameters: a neuron, a layer or a whole network."""

    def parameters(self) -> list[Value]:
        """Every trainable :class:`~backprop_lib.Value` of this module, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0 (leaf gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One neuron: ``activation(w · x + b)``.

    Args:
        nin: the number of inputs.
        activation: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or ``"linear"``.
        rng: a ``random.Random``, an int seed, or ``None`` (seed 0).
    """

    def __init__(self, nin: int, activation: str = "relu", rng: random.Random | int | None = None) -> None:
        self.nin = whole_number(nin, "nin")
        self.activation = _check_activation(activation)
        rng = make_rng(rng)
        self.w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(self.nin)]
        self.b = Value(0.0)

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        return self._forward(_as_values(x, self.nin))

    def _forward(self, x: list[Value]) -> Value:
        # Start from the bias, not from sum()'s 0: one multiply and one add per
        # input, and no throwaway Value(0) leaf.
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        activate = ACTIVATIONS[self.activation]
        return act if activate is None else activate(act)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{_REPR_NAMES[self.activation]}Neuron({self.nin})"


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs.

    Calling a layer returns a list of ``nout`` Values, or a single Value when
    ``nout == 1`` (as in micrograd, so a network's one output is a scalar).
    """

    def __init__(self, nin: int, nout: int, activation: str = "relu", rng: random.Random | int | None = None) -> None:
        self.nin = whole_number(nin, "nin")
        nout = whole_number(nout, "nout")
        rng = make_rng(rng)  # one generator for all neurons, so they differ
        self.neurons = [Neuron(self.nin, activation, rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        out = self._forward(_as_values(x, self.nin))
        return out[0] if len(out) == 1 else out

    def _forward(self, x: list[Value]) -> list[Value]:
        # The inputs are wrapped once here, not once per neuron.
        return [n._forward(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` maps 2 inputs to 1 output.

    Every layer but the last uses ``activation``; the last is linear, so the
    output can be any real score.

    Args:
        nin: the number of inputs.
        nouts: the width of each layer, e.g. ``[16, 16, 1]``.
        activation: the hidden layers' activation (see :class:`Neuron`).
        rng: a ``random.Random``, an int seed, or ``None`` (seed 0).
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", rng: random.Random | int | None = None) -> None:
        nin = whole_number(nin, "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(f"nouts must be a list of layer widths, e.g. [16, 16, 1], got {describe(nouts)}")
        if len(nouts) == 0:
            raise ValueError("nouts must name at least one layer width, got an empty list")
        _check_activation(activation)
        rng = make_rng(rng)
        sizes = [nin] + [whole_number(n, "each layer width in nouts") for n in nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], "linear" if i == last else activation, rng) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        out = _as_values(x, self.layers[0].nin)
        for layer in self.layers:
            out = layer._forward(out)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
