"""Numeric checks: finite differences, and one gradient checker for every engine.

The same checker verifies the scalar engine (:func:`check_value_gradients`)
and the NumPy layers (:func:`check_layer`): both reduce to comparing an analytic
gradient with central differences, entry by entry, in a :class:`GradientCheck`
table.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping

from ._checks import describe
from ._optional_numpy import is_ndarray, ndarray_types, real_scalar_types
from .engine import Value

if TYPE_CHECKING:  # the scalar checks run without NumPy (in the page's Python too)
    import numpy as np

__all__ = [
    "numerical_derivative",
    "numerical_gradient",
    "relative_error",
    "GradientCheck",
    "check_value_gradients",
    "check_layer",
    "RELATIVE_ERROR_THRESHOLDS",
    "default_step",
]

RELATIVE_ERROR_THRESHOLDS = {
    "excellent": 1e-7,  # what smooth float64 code with central differences reaches
    "acceptable": 1e-4,  # fine near kinks (ReLU) or in float32
    "suspicious": 1e-2,  # above this the analytic gradient is almost surely wrong
}
"""Rules of thumb for reading a relative error in float64 with central differences."""


_EPS = 2.220446049250313e-16  # float64's machine epsilon
_ROUNDOFF = 64 * _EPS
"""How many units of round-off an evaluation of f may carry: the numeric
column's absolute noise is about ``_ROUNDOFF * |f| / (2h)``."""


def _check_h(h: float) -> float:
    if isinstance(h, bool) or not isinstance(h, real_scalar_types()) or not h > 0 or not math.isfinite(h):
        raise ValueError(f"the step h must be a positive finite number, got {h!r}")
    return float(h)


def default_step(x: float) -> float:
    """The step used when none is given: relative to ``|x|``, with a floor.

    * ``|x| >= 1``: ``1e-6 * |x|``, so ``x ± h`` differ from ``x`` at any magnitude
      (a fixed 1e-6 vanishes next to 1e12: ``1e12 + 1e-6 == 1e12``);
    * ``1e-2 <= |x| < 1`` and ``x == 0``: the floor, ``1e-6``;
    * ``0 < |x| < 1e-2``: ``1e-4 * |x|``, so the step never crosses 0: the
      check of ``log`` at 1e-7 never evaluates ``log`` of a negative number.
    """
    ax = abs(x)
    if ax >= 1.0:
        return 1e-6 * ax
    if ax >= 1e-2 or ax == 0.0:
        return 1e-6
    return 1e-4 * ax


def _real_x(x: object, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, real_scalar_types()):
        raise TypeError(f"{what} expects a real number x, got {type(x).__name__}")
    try:
        x = float(x)
    except OverflowError:
        raise ValueError(f"{what} expects a number that fits in a float, got an int of {len(str(abs(int(x))))} digits") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} expects a finite x, got {x!r}: a derivative at NaN or inf means nothing")
    return x


def _step_for(x: float, h: float | None, what: str) -> float:
    step = default_step(x) if h is None else _check_h(h)
    if x + step == x or x - step == x:
        raise ValueError(
            f"{what}: the step h = {step!r} is below float precision at x = {x!r} (x + h == x); "
            "pass a larger h"
        )
    return step


def _fname(f: object) -> str:
    name = getattr(f, "__name__", None) or type(f).__name__
    return f"the function {name}" if name != "<lambda>" else "the function (a lambda)"


def _call(f: Callable, args: tuple, where: str, owner: str) -> float:
    """``f(*args)`` as a finite float, or an error naming ``f``, where it was called and what came back."""
    try:
        result = f(*args)
    except Exception as error:
        message = f"{owner}: {_fname(f)} raised {type(error).__name__} at {where}: {error}"
        raise (TypeError if isinstance(error, TypeError) else ValueError)(message) from error
    return _as_result(result, f, where, owner)


def _as_result(result: object, f: object, where: str, owner: str) -> float:
    if isinstance(result, bool) or not isinstance(result, (numbers.Real, *ndarray_types())):
        hint = ""
        if result is None:
            hint = " (did it forget to return?)"
        elif hasattr(result, "data") and hasattr(result, "backward"):
            hint = " (a graph node: return its .data)"
        raise TypeError(f"{owner}: {_fname(f)} must return a real number, but at {where} it returned {describe(result)}{hint}")
    if is_ndarray(result):
        if result.size != 1 or result.dtype.kind not in "fiu":
            raise TypeError(
                f"{owner}: {_fname(f)} must return a single real number, but at {where} it returned "
                f"an array of shape {result.shape} and dtype {result.dtype}"
            )
        result = result.reshape(()).item()
    value = float(result)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {_fname(f)} returned {value!r} at {where}; a finite difference needs finite values")
    return value


def numerical_derivative(f: Callable[[float], float], x: float, h: float | None = None, method: str = "central") -> float:
    """Estimate f'(x) by finite differences.

    * ``"forward"``: (f(x + h) - f(x)) / h, error O(h);
    * ``"central"``: (f(x + h) - f(x - h)) / 2h, error O(h**2).

    Without ``h``, the step is :func:`default_step` (x): relative to ``|x|``,
    with a floor. An ``h`` you pass is used exactly as given: too small an
    ``h`` loses digits to round-off, as chapter 2's curve shows.
    """
    if not callable(f):
        raise TypeError(f"numerical_derivative expects a function f(x), got {type(f).__name__}")
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward', got {method!r}")
    if h is not None:
        h = _check_h(h)
    x = _real_x(x, "numerical_derivative")
    h = _step_for(x, h, "numerical_derivative")
    owner = "numerical_derivative"
    plus = _call(f, (x + h,), f"x + h = {x + h!r} (x = {x!r}, h = {h!r})", owner)
    if method == "central":
        minus = _call(f, (x - h,), f"x - h = {x - h!r} (x = {x!r}, h = {h!r})", owner)
        return _finite_quotient(plus - minus, 2.0 * h, f, x, owner)
    here = _call(f, (x,), f"x = {x!r}", owner)
    return _finite_quotient(plus - here, h, f, x, owner)


def _finite_quotient(difference: float, width: float, f: object, x: float, owner: str) -> float:
    slope = difference / width
    if not math.isfinite(slope):
        raise ValueError(f"{owner}: the difference quotient of {_fname(f)} at x = {x!r} overflows a float ({slope!r})")
    return slope


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float | None = None) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is nudged in place, one entry at a time, and restored afterwards;
    ``f`` takes no arguments and reads ``x`` itself (e.g. a layer's weights).
    ``x`` is left exactly as it was, even when ``f`` raises. Without ``h``
    each entry's step is :func:`default_step` of that entry.
    """
    import numpy as np

    if not callable(f):
        raise TypeError(f"numerical_gradient expects a function f() of no arguments, got {describe(f)}")
    if h is not None:
        h = _check_h(h)
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs a float64 NumPy array to nudge, got {type(x).__name__} {getattr(x, 'dtype', '')}")
    if x.size and not np.all(np.isfinite(x)):
        raise ValueError("numerical_gradient: x has NaN or infinite entries; a derivative there means nothing")
    grad = np.zeros_like(x)
    owner = "numerical_gradient"
    for index in np.ndindex(x.shape):
        original = float(x[index])
        step = _step_for(original, h, owner)
        where = f"x[{', '.join(map(str, index))}]"
        try:
            x[index] = original + step
            plus = _call(f, (), f"{where} + h (h = {step!r})", owner)
            x[index] = original - step
            minus = _call(f, (), f"{where} - h (h = {step!r})", owner)
        finally:
            x[index] = original
        grad[index] = _finite_quotient(plus - minus, 2.0 * step, f, original, owner)
    return grad


def _noise_floor(f_values: list[float], steps: list[float], analytic: list[float]) -> float:
    """The numeric column's absolute round-off noise, capped so it never swallows a real gradient.

    Central differences of an ``f`` of size ``|f|`` carry an absolute error
    of about ``eps * |f| / h``. A row whose analytic and numeric values differ
    by less than that is right as far as finite differences can tell. The cap,
    ``1e-6 * (1 + max |analytic|)``, keeps a step too small to resolve anything
    from passing a wrong gradient.
    """
    if not f_values:
        return 0.0
    noise = max(_ROUNDOFF * abs(v) / (2.0 * h) for v, h in zip(f_values, steps))
    scale = max((abs(a) for a in analytic if math.isfinite(a)), default=0.0)
    return min(noise, 1e-6 * (1.0 + scale))


def relative_error(analytic: float, numeric: float) -> float:
    """``|a - n| / max(|a|, |n|)``, and 0 when both are 0.

    A NaN or infinite value makes the error ``inf``, never NaN, so a table
    holding one can never pass (``max`` silently skips NaN).
    """
    for x in (analytic, numeric):
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            hint = " (a graph node: pass its .grad or .data)" if hasattr(x, "data") else ""
            raise TypeError(f"relative_error expects two real numbers, got {describe(x)}{hint}")
    if not (math.isfinite(analytic) and math.isfinite(numeric)):
        return math.inf
    scale = max(abs(analytic), abs(numeric))
    return 0.0 if scale == 0.0 else abs(analytic - numeric) / scale


def _row_number(value: object, name: str, column: str) -> float:
    if is_ndarray(value) and value.size == 1 and value.dtype.kind in "fiu":
        value = value.reshape(()).item()  # a one-entry array, e.g. a 0-d result of np.sum
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = " (a graph node: pass its .grad or .data)" if hasattr(value, "data") else ""
        raise TypeError(f"GradientCheck row {name!r}: the {column} gradient must be a real number, got {describe(value)}{hint}")
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


@dataclass
class GradientCheck:
    """Analytic against numeric gradients, one row per parameter entry.

    A row passes when both values are finite and their relative error is at
    most ``tol``, or their difference is below ``atol``: the numeric
    column's round-off noise, which the checkers record here (it is 0 for a
    table filled by hand). A NaN or infinite value never passes.
    """

    names: list[str] = field(default_factory=list)
    analytic: list[float] = field(default_factory=list)
    numeric: list[float] = field(default_factory=list)
    atol: float = 0.0

    def add(self, name: str, analytic: float, numeric: float) -> None:
        self.names.append(str(name))
        self.analytic.append(_row_number(analytic, str(name), "analytic"))
        self.numeric.append(_row_number(numeric, str(name), "numeric"))

    @property
    def errors(self) -> list[float]:
        """Relative error of each row (``inf`` for a row holding NaN or inf)."""
        return [relative_error(a, n) for a, n in zip(self.analytic, self.numeric)]

    @property
    def max_error(self) -> float:
        """The largest relative error over all rows."""
        return max(self.errors, default=0.0)

    def _row_ok(self, a: float, n: float, tol: float, atol: float) -> bool:
        if not (math.isfinite(a) and math.isfinite(n)):
            return False
        return relative_error(a, n) <= tol or abs(a - n) <= atol

    def failing_rows(self, tol: float = 1e-6, atol: float | None = None) -> list[int]:
        """Indices of the rows that do not pass."""
        tol, atol = _tolerances(tol, self.atol if atol is None else atol)
        return [i for i, (a, n) in enumerate(zip(self.analytic, self.numeric)) if not self._row_ok(a, n, tol, atol)]

    def passed(self, tol: float = 1e-6, atol: float | None = None) -> bool:
        """True if every row is finite and within ``tol`` (relative) or ``atol`` (absolute, default: the check's own ``atol``)."""
        return not self.failing_rows(tol, atol)

    def assert_ok(self, tol: float = 1e-6, atol: float | None = None) -> "GradientCheck":
        """Raise ``AssertionError`` naming the worst failing row, if any row fails."""
        failing = self.failing_rows(tol, atol)
        if failing:
            errors = self.errors
            worst = max(failing, key=lambda i: errors[i])
            a, n = self.analytic[worst], self.numeric[worst]
            if not (math.isfinite(a) and math.isfinite(n)):
                raise AssertionError(
                    f"gradient check failed for {self.names[worst]}: analytic {a!r}, numeric {n!r}: "
                    "a gradient that is not a finite number never passes"
                )
            raise AssertionError(
                f"gradient check failed for {self.names[worst]}: analytic {a!r}, "
                f"numeric {n!r}, relative error {errors[worst]:.2e} > {tol:.0e}"
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
        # Padded, right-aligned tabular digits so numbers never run together; colours inherit
        # from the page (light or dark) instead of being fixed here.
        cell = "style='padding:.15em .6em;text-align:right;font-variant-numeric:tabular-nums'"
        name_cell = "style='padding:.15em .6em;text-align:left'"
        head = (f"<tr><th {name_cell}>parameter</th><th {cell}>analytic</th><th {cell}>numeric</th>"
                f"<th {cell}>relative error</th></tr>")
        body = "".join(
            f"<tr><td {name_cell}><code style='color:inherit'>{html.escape(name)}</code></td>"
            f"<td {cell}>{a:.8f}</td><td {cell}>{n:.8f}</td><td {cell}>{e:.1e}</td></tr>"
            for name, a, n, e in self.rows()
        )
        return (
            f"<table class='gradient-check' style='border-collapse:collapse'>"
            f"<caption style='caption-side:top;text-align:left;color:inherit'>Gradient check: "
            f"max relative error {self.max_error:.1e}</caption>"
            f"<thead>{head}</thead><tbody>{body}</tbody></table>"
        )


def _tolerances(tol: object, atol: object) -> tuple[float, float]:
    for name, value in (("tol", tol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (value >= 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(tol), float(atol)


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
    h: float | None = None,
    *,
    node_type: Callable[[float], object] = Value,
) -> GradientCheck:
    """Check the gradients of ``build(**inputs)`` against central differences.

    ``build`` receives one node per named input and returns the root. The
    analytic column comes from ``root.backward()``; the numeric column from
    rebuilding the graph with one input nudged by ``±h`` (by default
    :func:`default_step` of that input).

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
    if not isinstance(inputs, Mapping) or not inputs:
        raise TypeError(f"inputs must be a non-empty mapping from input names to numbers, e.g. {{'a': 2.0}}, got {describe(inputs)}")
    if h is not None:
        h = _check_h(h)
    owner = "check_value_gradients"
    points = {}
    for name, x in inputs.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"{owner}: each input name must be a Python identifier (it becomes an argument), got {name!r}")
        points[name] = _real_x(x, f"{owner} input {name!r}")
    kind = _node_kind(node_type)

    def make(name: str, x: float) -> object:
        node = Value(x, label=name) if node_type is Value else node_type(x)
        _require_node(node, f"{kind}({x!r}), an input node made by node_type,")
        return node

    def run(args: dict, where: str) -> object:
        try:
            root = build(**args)
        except Exception as error:
            message = f"{owner}: {_fname(build)} raised {type(error).__name__} at {where}: {error}"
            raise (TypeError if isinstance(error, TypeError) else ValueError)(message) from error
        _require_node(root, "build(...)'s result")
        return root

    nodes = {name: make(name, x) for name, x in points.items()}
    here = ", ".join(f"{k} = {v!r}" for k, v in points.items())
    root = run(nodes, here)
    root.backward()
    out_here = _as_result(root.data, build, here, owner)

    check = GradientCheck()
    f_values, steps, analytic = [out_here], [], []
    for name, node in nodes.items():
        x = points[name]
        step = _step_for(x, h, f"{owner} input {name!r}")
        nudged = []
        for sign, x_nudged in (("+", x + step), ("-", x - step)):
            where = f"{name} = {x_nudged!r} ({name} {sign} h, h = {step!r})"
            args = {k: make(k, x_nudged if k == name else v) for k, v in points.items()}
            nudged.append(_as_result(run(args, where).data, build, where, owner))
        numeric = _finite_quotient(nudged[0] - nudged[1], 2.0 * step, build, x, owner)
        check.add(name, node.grad, numeric)
        f_values.extend(nudged)
        steps.extend([step, step])
        analytic.append(check.analytic[-1])
    check.atol = _noise_floor(f_values, steps + [max(steps)], analytic)
    return check


def check_layer(
    layer, inputs: np.ndarray, dvalues: np.ndarray | None = None, h: float | None = None, seed: int = 0
) -> GradientCheck:
    """Check a NumPy layer's ``dinputs`` (and ``dweights``/``dbiases`` if it has them).

    The layer's output is reduced to the scalar ``sum(output * dvalues)``, whose
    gradient with respect to the output is exactly ``dvalues``. So
    ``layer.backward(dvalues)`` must equal the central-difference gradient of
    that scalar. The check runs in float64 on copies, and the layer is left
    exactly as it was found: the same parameter arrays (same dtype and
    values) and the same cached ``inputs``, ``output`` and gradients.
    """
    import numpy as np

    if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
        raise TypeError(f"check_layer expects a layer with forward(inputs) and backward(dvalues), got {describe(layer)}")
    if h is not None:
        h = _check_h(h)
    name = repr(layer) if type(layer).__repr__ is not object.__repr__ else type(layer).__name__
    try:
        inputs = np.array(inputs, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"check_layer: inputs must be an array of real numbers, got {describe(inputs)}") from error
    if inputs.size == 0 or not np.all(np.isfinite(inputs)):
        raise ValueError(f"check_layer: inputs must be a non-empty array of finite numbers, got shape {inputs.shape}")

    params = [p for p in ("weights", "biases") if hasattr(layer, p)]
    state = dict(vars(layer)) if hasattr(layer, "__dict__") else {p: getattr(layer, p) for p in params}
    try:
        for p in params:  # nudge float64 copies so float32 layers are checked at full precision
            setattr(layer, p, np.array(getattr(layer, p), dtype=np.float64))

        def loss_of(output: object, where: str) -> float:
            out = np.asarray(output, dtype=np.float64)
            if out.shape != reference_shape:
                raise ValueError(f"check_layer: {name}.forward returned shape {out.shape} at {where}, expected {reference_shape}")
            return float(np.sum(out * dvalues))

        output = np.asarray(layer.forward(inputs), dtype=np.float64)
        reference_shape = output.shape
        if dvalues is None:
            dvalues = np.random.default_rng(seed).standard_normal(output.shape)
        dvalues = np.asarray(dvalues, dtype=np.float64)
        if dvalues.shape != output.shape:
            raise ValueError(f"dvalues must have the output's shape {output.shape}, got {dvalues.shape}")
        layer.backward(dvalues.copy())
        analytic = {"inputs": _gradient_array(layer, "dinputs", inputs.shape, name)}
        for p in params:
            analytic[p] = _gradient_array(layer, "d" + p, np.shape(getattr(layer, p)), name)

        f_values = [float(np.sum(output * dvalues))]

        def loss() -> float:
            value = loss_of(layer.forward(inputs), "a nudged point")
            f_values.append(value)
            return value

        arrays = {"inputs": inputs, **{p: getattr(layer, p) for p in params}}
        check = GradientCheck()
        steps = []
        for array_name, array in arrays.items():
            numeric = numerical_gradient(loss, array, h)
            for index in np.ndindex(array.shape):
                label = f"d{array_name}[{', '.join(map(str, index))}]"
                check.add(label, analytic[array_name][index], numeric[index])
                steps.append(default_step(float(array[index])) if h is None else h)
        check.atol = _noise_floor(f_values, [min(steps)] * len(f_values), check.analytic)
    finally:
        # Put back every attribute as it was: the parameter arrays themselves
        # (never modified: the nudges went to copies), the cached forward pass
        # and the gradients.
        if hasattr(layer, "__dict__"):
            for key in list(vars(layer)):
                if key not in state:
                    delattr(layer, key)
        for key, value in state.items():
            setattr(layer, key, value)
    return check


def _gradient_array(layer: object, attribute: str, shape: tuple, name: str) -> np.ndarray:
    import numpy as np

    value = getattr(layer, attribute, None)
    if value is None:
        raise TypeError(f"check_layer: {name}.backward did not set {attribute}")
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"check_layer: {name}.{attribute} must be an array of numbers, got {describe(value)}") from error
    if array.shape != tuple(shape):
        raise ValueError(f"check_layer: {name}.{attribute} has shape {array.shape}, expected {tuple(shape)}")
    return array
