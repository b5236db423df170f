"""NumPy layers in the style of *Neural Networks from Scratch* (chapter 9).

Every layer has the same two halves as the scalar engine, one batch at a time:

* ``forward(inputs)`` computes ``.output`` and remembers ``.inputs``;
* ``backward(dvalues)`` receives d(loss)/d(output) and sets ``.dinputs``
  (and, for :class:`Dense`, ``.dweights`` and ``.dbiases``): the chain rule.

A batch is a 2-D array with one sample per row. The arrays a layer returns
are its own attributes: copy them if you mean to change them. ``forward``
keeps a reference to its inputs, not a copy, so change them only after
``backward``.

Dtypes: :class:`Dense` computes in the dtype of its weights (float64 unless
made with ``dtype=np.float32``) and converts its inputs to it; the other
layers keep the float dtype they are given (integers become float64). So a
float32 network fed float32 data stays float32 all along, gradients included.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Union

import numpy as np

from ._checks import describe, numpy_generator, whole_number

__all__ = [
    "Dense",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "MeanSquaredError",
    "SGD",
]

ArrayLike = Union[np.ndarray, list, tuple]


def _as_float_array(x: object, what: str, dtype: np.dtype | None = None) -> np.ndarray:
    """``x`` as a non-empty, finite float array, or raise a clear error.

    With ``dtype`` the array is converted to it; without, a float array keeps
    its dtype and anything else becomes float64. No copy is made when ``x`` is
    already an array of the right dtype.
    """
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as error:  # e.g. nested lists of different lengths
        raise TypeError(f"{what} must be an array of real numbers, got {describe(x)}: {error}") from error
    if array.dtype.kind not in "fiu":  # bool, complex, str, object (None, dict, ...) are mistakes
        raise TypeError(f"{what} must be an array of real numbers, got {describe(x)} with dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{what} must not be empty, got shape {array.shape}")
    # min and max are NaN if any entry is NaN and infinite if any entry is:
    # two fast passes and no temporary boolean array, unlike np.isfinite(x).all().
    if not (math.isfinite(array.min()) and math.isfinite(array.max())):
        count = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{what} must be finite, got {count} NaN or infinite entr{'y' if count == 1 else 'ies'}")
    if dtype is None:
        dtype = array.dtype if array.dtype.kind == "f" else np.float64
    if array.dtype != dtype:
        with np.errstate(over="ignore"):  # reported below, more clearly than NumPy's warning
            array = array.astype(dtype)
        if not (math.isfinite(array.min()) and math.isfinite(array.max())):
            raise ValueError(f"{what}: some entries are too large for {array.dtype} (at most {np.finfo(array.dtype).max:.3g})")
    return array


def _all_finite(array: np.ndarray) -> bool:
    """True if every entry is finite: two fast passes (min and max are NaN or inf if any entry is)."""
    return bool(math.isfinite(array.min()) and math.isfinite(array.max()))


def _largest(array: object) -> str:
    a = np.asarray(array)
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    largest = f"{np.max(np.abs(finite)):.3g}" if finite.size else "none finite"
    bad = int(a.size - np.count_nonzero(np.isfinite(a))) if a.dtype.kind == "f" else 0
    return f"largest |entry| {largest}" + (f", {bad} NaN or infinite" if bad else "")


class NonFiniteError(FloatingPointError):
    """A layer or loss would produce NaN or inf; nothing was changed."""


def _overflow(layer: object, what: str, cause: str = "") -> NonFiniteError:
    return NonFiniteError(
        f"{layer!r} {what} would not be finite (NaN or inf), so nothing was changed{': ' + cause if cause else ''}. "
        "Was the learning rate too large, or the weight scale?"
    )


def _check_dvalues(layer: object, dvalues: object, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Validate the gradient a layer receives: its output's shape and dtype."""
    name = type(layer).__name__
    dvalues = _as_float_array(dvalues, f"{name}.backward's dvalues", dtype)
    if dvalues.shape != shape:
        raise ValueError(f"{name}.backward expects dvalues of the output's shape {shape}, got {dvalues.shape}")
    return dvalues


def _describe_param(p: object) -> str:
    return f"ndarray of {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__


def _not_run_yet(layer: object) -> RuntimeError:
    name = type(layer).__name__
    return RuntimeError(f"{name}.backward was called before {name}.forward: there is no stored forward pass to differentiate")


class Dense:
    """A fully connected layer: ``output = inputs @ weights + biases``.

    Args:
        n_inputs: the number of features of each sample (columns of the inputs).
        n_neurons: the number of neurons (columns of the output).
        rng: a ``numpy.random.Generator``, an int seed, or None for seed 0.
        weight_scale: the weights start as ``weight_scale * N(0, 1)``.
        dtype: ``np.float64`` or ``np.float32``; the layer computes in it.

    ``weights`` has shape ``(n_inputs, n_neurons)``, so a batch multiplies it
    without a transpose; ``biases`` has shape ``(1, n_neurons)`` and starts at 0.

    >>> layer = Dense(2, 3)
    >>> layer.forward([[1.0, 2.0]]).shape
    (1, 3)
    """

    def __init__(
        self,
        n_inputs: int,
        n_neurons: int,
        rng: np.random.Generator | int | None = None,
        weight_scale: float = 0.01,
        dtype: type | np.dtype = np.float64,
    ) -> None:
        n_inputs = whole_number(n_inputs, "Dense's n_inputs")
        n_neurons = whole_number(n_neurons, "Dense's n_neurons")
        generator = numpy_generator(rng, "rng")
        if isinstance(weight_scale, bool) or not isinstance(weight_scale, numbers.Real):
            raise TypeError(f"weight_scale must be a real number, got {describe(weight_scale)}")
        if not (math.isfinite(weight_scale) and weight_scale >= 0):
            raise ValueError(f"weight_scale must be finite and >= 0, got {weight_scale!r}")
        try:
            dtype = np.dtype(dtype)
        except TypeError as error:
            raise TypeError(f"dtype must be np.float32 or np.float64, got {describe(dtype)}") from error
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype}")
        # Drawn in float64 then rounded, so float32 and float64 layers start from the same weights.
        self.weights = (weight_scale * generator.standard_normal((n_inputs, n_neurons))).astype(dtype)
        self.biases = np.zeros((1, n_neurons), dtype=dtype)
        self.inputs: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.dweights: np.ndarray | None = None
        self.dbiases: np.ndarray | None = None
        self.dinputs: np.ndarray | None = None

    def __repr__(self) -> str:
        # Read the shapes from the arrays: a reader may assign new weights.
        n_inputs, n_neurons = np.shape(self.weights)
        dtype = np.asarray(self.weights).dtype
        return f"Dense({n_inputs}, {n_neurons})" if dtype == np.float64 else f"Dense({n_inputs}, {n_neurons}, dtype={dtype})"

    def forward(self, inputs: ArrayLike) -> np.ndarray:
        """Return ``inputs @ weights + biases`` for a batch of shape ``(n, n_inputs)``."""
        weights, biases = self.weights, self.biases
        # A reader may assign new parameters: they must stay float arrays, or
        # the inputs would be converted to ints and SGD could not update them.
        if not all(isinstance(p, np.ndarray) and p.dtype.kind == "f" for p in (weights, biases)):
            raise TypeError(
                "Dense's weights and biases must be float NumPy arrays (assign np.array(..., dtype=float)), "
                f"got {_describe_param(weights)} and {_describe_param(biases)}"
            )
        inputs = _as_float_array(inputs, f"{self!r} inputs", weights.dtype)
        if inputs.ndim != 2 or inputs.shape[1] != weights.shape[0]:
            hint = " (one sample? use inputs.reshape(1, -1))" if inputs.ndim == 1 else ""
            raise ValueError(f"{self!r} expects inputs of shape (n, {weights.shape[0]}), got {inputs.shape}{hint}")
        with np.errstate(over="ignore", invalid="ignore"):  # reported below, naming the cause
            output = inputs @ weights
            output += biases  # in place: one array per call, not two
        if not _all_finite(output):
            raise self._diagnose(inputs)
        # Only now, so a layer that refuses its input keeps its previous state.
        self.inputs = inputs
        self.output = output
        return output

    def _diagnose(self, inputs: np.ndarray) -> NonFiniteError:
        """Point at the cause of a non-finite output: the parameters, or their size next to the inputs."""
        for name in ("weights", "biases"):
            param = getattr(self, name)
            if not _all_finite(param):
                return _overflow(self, "output", f"the {name} of {self!r} are not finite ({_largest(param)})")
        return _overflow(
            self, "output",
            f"inputs @ weights overflows {self.weights.dtype} (weights: {_largest(self.weights)}; inputs: {_largest(inputs)})",
        )

    def backward(self, dvalues: ArrayLike, *, compute_dinputs: bool = True) -> np.ndarray | None:
        """Set and return ``dinputs``; also set ``dweights`` and ``dbiases``.

        ``dvalues`` is d(loss)/d(output), of shape ``(n, n_neurons)``. Each
        gradient is a sum over the batch, which a matrix product does at once.

        ``compute_dinputs=False`` skips ``dinputs`` (it is set to None): the
        first layer's d(loss)/d(data) is never used in training, and skipping
        it saves a third of the layer's work, as PyTorch does for inputs that
        do not require a gradient.
        """
        if self.inputs is None:
            raise _not_run_yet(self)
        weights = self.weights
        dvalues = _check_dvalues(self, dvalues, self.output.shape, weights.dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # reported below, naming the layer
            dweights = self.inputs.T @ dvalues  # .T is a view: BLAS reads it transposed, nothing is copied
            dbiases = dvalues.sum(axis=0, keepdims=True)
            dinputs = dvalues @ weights.T if compute_dinputs else None
        for name, grad in (("dweights", dweights), ("dbiases", dbiases), ("dinputs", dinputs)):
            if grad is not None and not _all_finite(grad):
                cause = f"the weights are not finite ({_largest(weights)})" if not _all_finite(weights) else (
                    f"dvalues ({_largest(dvalues)}) times the {'inputs' if name != 'dinputs' else 'weights'} overflows {weights.dtype}"
                )
                raise _overflow(self, f"backward's {name}", cause)
        self.dweights, self.dbiases, self.dinputs = dweights, dbiases, dinputs
        return dinputs


class ReLU:
    """max(0, x), entry by entry. Its derivative at exactly 0 is taken to be 0."""

    def __init__(self) -> None:
        self.inputs: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.dinputs: np.ndarray | None = None

    def forward(self, inputs: ArrayLike) -> np.ndarray:
        """Return ``max(0, inputs)``, of the same shape and float dtype."""
        inputs = _as_float_array(inputs, "ReLU inputs")
        output = np.maximum(inputs, 0)
        self.inputs, self.output = inputs, output
        return output

    def backward(self, dvalues: ArrayLike) -> np.ndarray:
        """Set and return ``dinputs``: ``dvalues`` where the input was > 0, else 0."""
        if self.inputs is None:
            raise _not_run_yet(self)
        dvalues = _check_dvalues(self, dvalues, self.inputs.shape, self.inputs.dtype)
        # Multiplying by the boolean mask is faster than nnfs's copy-and-assign.
        dinputs = dvalues * (self.inputs > 0)
        self.dinputs = dinputs
        return dinputs


class Tanh:
    """tanh, entry by entry; ``np.tanh`` never overflows."""

    def __init__(self) -> None:
        self.inputs: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.dinputs: np.ndarray | None = None

    def forward(self, inputs: ArrayLike) -> np.ndarray:
        """Return ``tanh(inputs)``."""
        inputs = _as_float_array(inputs, "Tanh inputs")
        output = np.tanh(inputs)
        self.inputs, self.output = inputs, output
        return output

    def backward(self, dvalues: ArrayLike) -> np.ndarray:
        """Set and return ``dinputs = dvalues * (1 - tanh(x)**2)``, reusing the output."""
        if self.inputs is None:
            raise _not_run_yet(self)
        dvalues = _check_dvalues(self, dvalues, self.inputs.shape, self.inputs.dtype)
        self.dinputs = dvalues * (1 - self.output * self.output)
        return self.dinputs


class Sigmoid:
    """The logistic function 1 / (1 + e**-x), entry by entry, for any finite x."""

    def __init__(self) -> None:
        self.inputs: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.dinputs: np.ndarray | None = None

    def forward(self, inputs: ArrayLike) -> np.ndarray:
        """Return ``sigmoid(inputs)``.

        Computed as ``exp(-log(1 + e**-x))``: ``np.logaddexp`` never forms
        ``e**-x`` for a large ``-x``, so nothing overflows, and tiny results
        keep their relative precision (``0.5 * (1 + tanh(x / 2))`` would not).
        """
        inputs = _as_float_array(inputs, "Sigmoid inputs")
        with np.errstate(under="ignore"):  # e.g. sigmoid(-1000) underflows to 0.0, which is the right answer
            output = np.exp(-np.logaddexp(0, -inputs))
        self.inputs, self.output = inputs, output
        return output

    def backward(self, dvalues: ArrayLike) -> np.ndarray:
        """Set and return ``dinputs = dvalues * s * (1 - s)`` with ``s`` the output."""
        if self.inputs is None:
            raise _not_run_yet(self)
        dvalues = _check_dvalues(self, dvalues, self.inputs.shape, self.inputs.dtype)
        self.dinputs = dvalues * self.output * (1 - self.output)
        return self.dinputs


def _as_labels(y: object, n: int, k: int) -> np.ndarray:
    """Class labels as ints in ``0..k-1``, from int labels ``(n,)`` or one-hot ``(n, k)``."""
    expected = f"int labels of shape ({n},) or one-hot labels of shape ({n}, {k})"
    wrong_shape = f"SoftmaxCrossEntropy got logits of shape ({n}, {k}), so expects {expected}; got labels of shape"
    try:
        labels = np.asarray(y)
    except (TypeError, ValueError) as error:
        raise ValueError(f"SoftmaxCrossEntropy expects {expected}, got {describe(y)}") from error
    if labels.ndim == 1:
        if labels.dtype.kind not in "iu":
            raise ValueError(
                f"class labels must be integers, got dtype {labels.dtype} (if they are whole numbers, use y.astype(int))"
            )
        if labels.shape[0] != n:
            raise ValueError(f"{wrong_shape} {labels.shape}")
        low, high = labels.min(), labels.max()
        if low < 0 or high >= k:
            raise ValueError(f"class labels must be in 0..{k - 1} for {k} classes, got {low if low < 0 else high}")
        return labels
    if labels.ndim == 2:
        if labels.shape != (n, k):
            raise ValueError(f"{wrong_shape} {labels.shape}")
        if labels.dtype.kind not in "biuf":
            raise ValueError(f"one-hot labels must be numbers, got dtype {labels.dtype}")
        if not np.all((labels == 0) | (labels == 1)) or np.any(np.count_nonzero(labels, axis=1) != 1):
            raise ValueError("one-hot labels must have exactly one 1 in each row and 0 elsewhere")
        # Converted to int labels, one-hot and int labels give bit-identical results.
        return labels.argmax(axis=1)
    raise ValueError(f"SoftmaxCrossEntropy expects {expected}, got labels of shape {labels.shape}")


class SoftmaxCrossEntropy:
    """Softmax followed by the categorical cross-entropy loss, as one layer.

    Together their gradient is simply ``(softmax - one_hot) / n``: far
    cheaper and more accurate than chaining the softmax's Jacobian with the
    loss's derivative (nnfs's ``Activation_Softmax_Loss_CategoricalCrossentropy``).

    ``.output`` holds the probabilities after :meth:`forward`.
    """

    def __init__(self) -> None:
        self.output: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.dinputs: np.ndarray | None = None

    def forward(self, logits: ArrayLike, y: ArrayLike) -> float:
        """Return the mean loss over the batch.

        Args:
            logits: shape ``(n, k)``, one row of class scores per sample.
            y: int class labels of shape ``(n,)`` or one-hot labels ``(n, k)``.
        """
        logits = _as_float_array(logits, "SoftmaxCrossEntropy logits")
        if logits.ndim != 2:
            raise ValueError(f"SoftmaxCrossEntropy expects logits of shape (n, k), got {logits.shape}")
        n, k = logits.shape
        labels = _as_labels(y, n, k)
        # Subtracting each row's max leaves the softmax unchanged and makes every
        # exponent <= 0, so exp cannot overflow, even for logits of 1000.
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # checked below
            shifted = logits - logits.max(axis=1, keepdims=True)
            exps = np.exp(shifted)
            sums = exps.sum(axis=1, keepdims=True)
            rows = np.arange(n)
            # -log p[y] = log(sum e**shifted) - shifted[y] (log-sum-exp) stays finite
            # even where p[y] itself underflows to 0.
            loss = np.mean(np.log(sums[:, 0]) - shifted[rows, labels])
        if not (math.isfinite(loss) and _all_finite(shifted)):
            raise _overflow(
                self, "loss",
                f"the logits have diverged: their spread in a row overflows {logits.dtype} ({_largest(logits)})",
            )
        exps /= sums  # in place: exps becomes the probabilities
        self.output = exps
        self.labels = labels
        return float(loss)

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"

    def backward(self) -> np.ndarray:
        """Set and return ``dinputs = (softmax - one_hot) / n``, the gradient of the mean loss."""
        if self.output is None:
            raise _not_run_yet(self)
        n = self.output.shape[0]
        dinputs = self.output.copy()
        dinputs[np.arange(n), self.labels] -= 1
        dinputs /= n
        self.dinputs = dinputs
        return dinputs


class MeanSquaredError:
    """The mean of ``(predictions - targets)**2`` over every entry."""

    def __init__(self) -> None:
        self.diff: np.ndarray | None = None
        self.dinputs: np.ndarray | None = None

    def forward(self, predictions: ArrayLike, targets: ArrayLike) -> float:
        """Return the mean squared error; ``targets`` must have the shape of ``predictions``."""
        predictions = _as_float_array(predictions, "MeanSquaredError predictions")
        targets = _as_float_array(targets, "MeanSquaredError targets", predictions.dtype)
        if targets.shape != predictions.shape:
            raise ValueError(
                f"MeanSquaredError needs predictions and targets of the same shape, got {predictions.shape} and {targets.shape}"
            )
        with np.errstate(over="ignore", invalid="ignore"):  # checked below
            diff = predictions - targets
            loss = float(np.mean(diff * diff))
        if not math.isfinite(loss):
            raise _overflow(
                self, "loss",
                f"the squared error overflows {predictions.dtype} (predictions: {_largest(predictions)}; "
                f"targets: {_largest(targets)})",
            )
        self.diff = diff
        return loss

    def __repr__(self) -> str:
        return "MeanSquaredError()"

    def backward(self) -> np.ndarray:
        """Set and return ``dinputs = 2 (predictions - targets) / size``."""
        if self.diff is None:
            raise _not_run_yet(self)
        self.dinputs = (2 / self.diff.size) * self.diff
        return self.dinputs


class SGD:
    """Plain stochastic gradient descent: ``param -= learning_rate * dparam``.

    >>> layer = Dense(2, 1)
    >>> _ = layer.forward([[1.0, 2.0]]); _ = layer.backward([[1.0]])
    >>> SGD(0.5).step([layer])
    >>> layer.biases
    array([[-0.5]])
    """

    def __init__(self, learning_rate: float = 1.0) -> None:
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
            raise TypeError(f"learning_rate must be a real number, got {describe(learning_rate)}")
        if not (math.isfinite(learning_rate) and learning_rate > 0):
            raise ValueError(f"learning_rate must be finite and > 0, got {learning_rate!r}")
        self.learning_rate = float(learning_rate)

    def update_params(self, layer: object) -> None:
        """Update one layer's ``weights`` and ``biases`` in place from its last backward pass.

        All or nothing: every check runs, and every new value is computed,
        before any parameter changes.
        """
        self._apply(self._plan(layer))

    def _plan(self, layer: object) -> list[tuple[np.ndarray, np.ndarray]]:
        """The (parameter, new value) pairs for one layer, or a clear error; changes nothing."""
        plan = []
        for name in ("weights", "biases"):
            param, grad = getattr(layer, name), getattr(layer, "d" + name, None)
            if not isinstance(param, np.ndarray):
                raise TypeError(f"SGD updates NumPy arrays in place, but {layer!r}.{name} is {describe(param)}")
            if param.dtype.kind != "f":
                raise TypeError(
                    f"SGD updates float arrays in place, but {layer!r}.{name} has dtype {param.dtype} "
                    "(assign np.array(..., dtype=float))"
                )
            if grad is None:
                raise RuntimeError(f"SGD found no d{name} on {layer!r}: call its backward before step")
            if np.shape(grad) != np.shape(param):
                raise ValueError(f"{layer!r} has {name} of shape {np.shape(param)} but d{name} of shape {np.shape(grad)}")
            with np.errstate(over="ignore", invalid="ignore"):  # reported below
                new = param - self.learning_rate * np.asarray(grad)
            if not _all_finite(new):
                raise NonFiniteError(
                    f"SGD({self.learning_rate!r}) would make {layer!r}.{name} not finite "
                    f"(d{name}: {_largest(grad)}), so no parameter was changed. Lower the learning rate."
                )
            plan.append((param, new))
        return plan

    @staticmethod
    def _apply(plan: list[tuple[np.ndarray, np.ndarray]]) -> None:
        for param, new in plan:
            # In place, so anything holding the array sees the update.
            np.copyto(param, new, casting="same_kind")

    def step(self, layers: Iterable[object]) -> None:
        """Update every layer that has ``weights`` and ``biases``; skip the others (activations).

        All or nothing: if any layer cannot be updated (it never ran backward,
        its parameters are not float arrays, or the step would make a
        parameter NaN or inf), the error comes before any layer changes.
        """
        if hasattr(layers, "weights") or not isinstance(layers, Iterable) or isinstance(layers, (str, bytes)):
            raise TypeError(f"SGD.step expects a list of layers, got {describe(layers)}")
        layers = list(layers)
        plan = []
        seen = set()
        for layer in layers:
            if hasattr(layer, "weights") and hasattr(layer, "biases"):
                if id(layer) in seen:
                    raise ValueError(f"SGD.step got {layer!r} twice; it would be updated twice")
                seen.add(id(layer))
                plan.extend(self._plan(layer))
        self._apply(plan)
