"""Numeric checks: finite differences, and one gradient checker for every engine.

The same checker verifies the scalar engine (:func:`check_value_gradients`)
and the NumPy layers (:func:`check_layer`): both reduce to comparing an analytic
gradient with central differences, entry by entry, in a :class:`GradientCheck`
table.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ._checks import describe
from .engine import Value

__all__ = [
    "numerical_derivative",
    "numerical_gradient",
    "relative_error",
    "GradientCheck",
    "check_value_gradients",
    "check_layer",
    "RELATIVE_ERROR_THRESHOLDS",
]

RELATIVE_ERROR_THRESHOLDS = {
    "excellent": 1e-7,  # what smooth float64 code with central differences reaches
    "acceptable": 1e-4,  # fine near kinks (ReLU) or in float32
    "suspicious": 1e-2,  # above this the analytic gradient is almost surely wrong
}
"""Rules of thumb for reading a relative error in float64 with central differences."""


def _check_h(h: float) -> float:
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) or not h > 0 or not math.isfinite(h):
        raise ValueError(f"the step h must be a positive finite number, got {h!r}")
    return float(h)


def numerical_derivative(f: Callable[[float], float], x: float, h: float = 1e-6, method: str = "central") -> float:
    """Estimate f'(x) by finite differences.

    * ``"forward"``: (f(x + h) - f(x)) / h, error O(h);
    * ``"central"``: (f(x + h) - f(x - h)) / 2h, error O(h**2).

    Too small an ``h`` loses digits to round-off: see chapter 2's curve.
    """
    if not callable(f):
        raise TypeError(f"numerical_derivative expects a function f(x), got {type(f).__name__}")
    h = _check_h(h)
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"numerical_derivative expects a real number x, got {type(x).__name__}")
    x = float(x)
    if method == "central":
        return (float(f(x + h)) - float(f(x - h))) / (2.0 * h)
    if method == "forward":
        return (float(f(x + h)) - float(f(x))) / h
    raise ValueError(f"method must be 'central' or 'forward', got {method!r}")


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is nudged in place, one entry at a time, and restored afterwards;
    ``f`` takes no arguments and reads ``x`` itself (e.g. a layer's weights).
    """
    h = _check_h(h)
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs a float64 NumPy array to nudge, got {type(x).__name__} {getattr(x, 'dtype', '')}")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = float(f())
        x[index] = original - h
        minus = float(f())
        x[index] = original
        grad[index] = (plus - minus) / (2.0 * h)
    return grad


def relative_error(analytic: float, numeric: float) -> float:
    """``|a - n| / max(|a|, |n|)``, and 0 when both are 0."""
    scale = max(abs(analytic), abs(numeric))
    return 0.0 if scale == 0.0 else abs(analytic - numeric) / scale


@dataclass
class GradientCheck:
    """Analytic against numeric gradients, one row per parameter entry."""

    names: list[str] = field(default_factory=list)
    analytic: list[float] = field(default_factory=list)
    numeric: list[float] = field(default_factory=list)

    def add(self, name: str, analytic: float, numeric: float) -> None:
        self.names.append(name)
        self.analytic.append(float(analytic))
        self.numeric.append(float(numeric))

    @property
    def errors(self) -> list[float]:
        """Relative error of each row."""
        return [relative_error(a, n) for a, n in zip(self.analytic, self.numeric)]

    @property
    def max_error(self) -> float:
        """The largest relative error over all rows."""
        return max(self.errors, default=0.0)

    def passed(self, tol: float = 1e-6) -> bool:
        """True if every row's relative error is at most ``tol``."""
        return self.max_error <= tol

    def assert_ok(self, tol: float = 1e-6) -> "GradientCheck":
        """Raise ``AssertionError`` naming the worst row if any error exceeds ``tol``."""
        if not self.passed(tol):
            worst = max(range(len(self.names)), key=lambda i: self.errors[i])
            raise AssertionError(
                f"gradient check failed for {self.names[worst]}: analytic {self.analytic[worst]!r}, "
                f"numeric {self.numeric[worst]!r}, relative error {self.errors[worst]:.2e} > {tol:.0e}"
            )
        return self

    def rows(self) -> list[tuple[str, float, float, float]]:
        """``(name, analytic, numeric, relative error)`` for every row."""
        return list(zip(self.names, self.analytic, self.numeric, self.errors))

    def __str__(self) -> str:
        width = max([len("parameter")] + [len(n) for n in self.names])
        lines = [f"{'parameter':<{width}}  {'analytic':>14}  {'numeric':>14}  {'rel. error':>10}"]
        for name, a, n, e in self.rows():
            lines.append(f"{name:<{width}}  {a:>14.8f}  {n:>14.8f}  {e:>10.1e}")
        lines.append(f"max relative error: {self.max_error:.1e}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        head = "<tr><th>parameter</th><th>analytic</th><th>numeric</th><th>relative error</th></tr>"
        body = "".join(
            f"<tr><td><code>{html.escape(name)}</code></td><td>{a:.8f}</td><td>{n:.8f}</td><td>{e:.1e}</td></tr>"
            for name, a, n, e in self.rows()
        )
        return (
            f"<table class='gradient-check'><caption>Gradient check: max relative error {self.max_error:.1e}</caption>"
            f"<thead>{head}</thead><tbody>{body}</tbody></table>"
        )


def _node_kind(node_type: object) -> str:
    return getattr(node_type, "__name__", type(node_type).__name__)


def _require_node(obj: object, what: str) -> None:
    """A node is anything with ``.data``, ``.grad`` and a callable ``.backward()``: duck typing."""
    missing = [name for name in ("data", "grad", "backward") if not hasattr(obj, name)]
    if missing or not callable(getattr(obj, "backward")):
        lacks = ", ".join(f".{name}" for name in missing) if missing else "a callable .backward()"
        raise TypeError(
            f"{what} must be a graph node with .data, .grad and .backward() (like backprop_lib.Value), "
            f"got {describe(obj)}, which lacks {lacks}"
        )


def check_value_gradients(
    build: Callable[..., object],
    inputs: Mapping[str, float],
    h: float = 1e-6,
    *,
    node_type: Callable[[float], object] = Value,
) -> GradientCheck:
    """Check the gradients of ``build(**inputs)`` against central differences.

    ``build`` receives one node per named input and returns the root. The
    analytic column comes from ``root.backward()``; the numeric column from
    rebuilding the graph with one input nudged by ``±h``.

    Any engine can be checked, not only :class:`~backprop_lib.Value`: a node is
    anything with ``.data``, ``.grad`` and ``.backward()``. ``node_type`` is the
    callable that turns a float into an input node (your own ``Node`` class,
    say); it defaults to ``Value``.

    >>> check = check_value_gradients(lambda a, b: a * b + b, {"a": 2.0, "b": -3.0})
    >>> check.passed()
    True
    """
    if not callable(build):
        raise TypeError(f"check_value_gradients expects a function that builds a graph, got {describe(build)}")
    if not callable(node_type):
        raise TypeError(
            f"node_type must be a callable that turns a float into an input node (a class such as Value), got {describe(node_type)}"
        )
    if not isinstance(inputs, Mapping):
        raise TypeError(f"inputs must be a mapping from input names to numbers, e.g. {{'a': 2.0}}, got {describe(inputs)}")
    kind = _node_kind(node_type)

    def make(name: str, x: float) -> object:
        node = Value(x, label=name) if node_type is Value else node_type(x)
        _require_node(node, f"{kind}({x!r}), an input node made by node_type,")
        return node

    points = {name: float(x) for name, x in inputs.items()}
    nodes = {name: make(name, x) for name, x in points.items()}
    root = build(**nodes)
    _require_node(root, "build(...)'s result")
    root.backward()

    def output_at(name: str, x: float) -> float:
        args = {k: make(k, x if k == name else v) for k, v in points.items()}
        return build(**args).data

    check = GradientCheck()
    for name, node in nodes.items():
        numeric = numerical_derivative(lambda x, name=name: output_at(name, x), points[name], h)
        check.add(name, node.grad, numeric)
    return check


def check_layer(layer, inputs: np.ndarray, dvalues: np.ndarray | None = None, h: float = 1e-6, seed: int = 0) -> GradientCheck:
    """Check a NumPy layer's ``dinputs`` (and ``dweights``/``dbiases`` if it has them).

    The layer's output is reduced to the scalar ``sum(output * dvalues)``, whose
    gradient with respect to the output is exactly ``dvalues``. So
    ``layer.backward(dvalues)`` must equal the central-difference gradient of
    that scalar. The check runs in float64 on copies; the layer's own arrays
    are restored afterwards.
    """
    inputs = np.array(inputs, dtype=np.float64)
    output = np.asarray(layer.forward(inputs), dtype=np.float64)
    if dvalues is None:
        dvalues = np.random.default_rng(seed).standard_normal(output.shape)
    dvalues = np.asarray(dvalues, dtype=np.float64)
    if dvalues.shape != output.shape:
        raise ValueError(f"dvalues must have the output's shape {output.shape}, got {dvalues.shape}")

    params = [name for name in ("weights", "biases") if hasattr(layer, name)]
    saved = {name: getattr(layer, name) for name in params}
    for name in params:  # nudge float64 copies so float32 layers are checked at full precision
        setattr(layer, name, np.array(saved[name], dtype=np.float64))
    try:
        layer.forward(inputs)
        layer.backward(dvalues.copy())
        analytic = {"inputs": np.array(layer.dinputs, dtype=np.float64)}
        for name in params:
            analytic[name] = np.array(getattr(layer, "d" + name), dtype=np.float64)

        def loss() -> float:
            return float(np.sum(np.asarray(layer.forward(inputs), dtype=np.float64) * dvalues))

        arrays = {"inputs": inputs, **{name: getattr(layer, name) for name in params}}
        check = GradientCheck()
        for name, array in arrays.items():
            numeric = numerical_gradient(loss, array, h)
            for index in np.ndindex(array.shape):
                label = f"d{name}[{', '.join(map(str, index))}]"
                check.add(label, analytic[name][index], numeric[index])
    finally:
        for name in params:
            setattr(layer, name, saved[name])
    return check
