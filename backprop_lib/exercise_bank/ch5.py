"""Chapter 5's exercises: graders and hints.

Every expected answer is recomputed here from the problem: with the library's
NumPy layers (:mod:`backprop_lib.layers`) or with central differences
(:func:`~backprop_lib.numerical_gradient`, :func:`~backprop_lib.check_layer`);
none is typed in. NumPy is imported inside the graders.
"""

from __future__ import annotations

import math
from typing import Callable

from ..exercises import Feedback, check, exercise

# The chapter's layer: a batch of 3 samples with 4 features, 3 neurons, incoming gradients 1, 2, 3.
INPUTS = [[1.0, 2.0, 3.0, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]]
WEIGHTS = [[0.2, 0.5, -0.26], [0.8, -0.91, -0.27], [-0.5, 0.26, 0.17], [1.0, -0.5, 0.87]]
BIASES = [[2.0, 3.0, 0.5]]
DVALUES = [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]]


def _describe(x: object) -> str:
    shape = getattr(x, "shape", None)
    return f"an array of shape {shape}" if shape is not None else type(x).__name__


def _compare(got: object, want: dict, where: str) -> Feedback | None:
    """None if ``got`` is a tuple of arrays equal to ``want``'s values, else a 'Not yet' naming the first wrong one."""
    import numpy as np

    names = list(want)
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        return Feedback(False, f"{where}: expected a tuple ({', '.join(names)}), got {_describe(got)}.")
    for name, array in zip(names, got):
        try:
            array = np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            return Feedback(False, f"{where}: {name} must be an array of numbers, got {type(array).__name__}.")
        if array.shape != want[name].shape:
            return Feedback(False, f"{where}: {name} must have shape {want[name].shape}, got {array.shape}.")
        if not np.all(np.isfinite(array)):
            return Feedback(False, f"{where}: {name} has a non-finite entry.")
        if not np.allclose(array, want[name], rtol=1e-6, atol=1e-6):
            worst = np.unravel_index(np.argmax(np.abs(array - want[name])), array.shape)
            return Feedback(False, f"{where}: {name}{[int(i) for i in worst]} is {array[worst]:.6g}, expected {want[name][worst]:.6g}.")
    return None


def _call(function: Callable, args: tuple) -> tuple[object, Feedback | None]:
    """Call the reader's function on copies; an exception becomes a verdict, not a crash."""
    import numpy as np

    try:
        return function(*(np.array(a, dtype=np.float64) for a in args)), None
    except Exception as error:  # the reader's code may raise anything: report it
        return None, Feedback(False, f"calling it raised {type(error).__name__}: {error}.")


def _cases(shapes: list[tuple[int, ...]], seed: int) -> list[tuple]:
    import numpy as np

    rng = np.random.default_rng(seed)
    return [tuple(rng.standard_normal(shape) for shape in case) for case in shapes]


# --- Exercise 1: the shape of dweights -------------------------------------------------------

@exercise("5-1", hint="A gradient has the shape of the array it is the gradient of; "
          "ask which of the layer's arrays dweights belongs to, and whether its shape depends on the batch.",
          needs_numpy=True)
def _grade_1(answer: object) -> Feedback:
    def expected():
        import numpy as np

        from ..layers import Dense

        layer = Dense(5, 7)
        layer.forward(np.zeros((10, 5)))
        layer.backward(np.ones((10, 7)))
        return layer.dweights.shape

    return check(answer, expected, decimals=0)


# --- Exercise 2: the softmax cross-entropy gradient ----------------------------------------

@exercise("5-2", hint="Find the three probabilities first (exponentiate, then divide by the sum); "
          "then use what the chapter derived for the gradient of -log p_y with respect to the logits.",
          needs_numpy=True)
def _grade_2(answer: object) -> Feedback:
    def expected():
        import numpy as np

        from ..layers import SoftmaxCrossEntropy

        layer = SoftmaxCrossEntropy()
        layer.forward(np.array([[0.0, math.log(3.0), 0.0]]), [1])
        return layer.backward()[0]

    return check(answer, expected, decimals=3)


# --- Exercise 3: a broadcast parameter (transfer) ------------------------------------------

def scale_gradients_by_finite_differences(inputs, scale, dvalues) -> dict:
    """d/d(inputs, scale) of sum(dvalues * inputs * scale), by central differences."""
    import numpy as np

    from ..gradcheck import numerical_gradient

    X, s = np.array(inputs, dtype=np.float64), np.array(scale, dtype=np.float64)
    dvalues = np.asarray(dvalues, dtype=np.float64)

    def loss() -> float:
        return float(np.sum(dvalues * (X * s)))

    return {"dinputs": numerical_gradient(loss, X), "dscale": numerical_gradient(loss, s)}


SCALE_SHAPES = [[(3, 4), (1, 4), (3, 4)], [(5, 2), (1, 2), (5, 2)], [(1, 3), (1, 3), (1, 3)]]


@exercise("5-3", hint="The forward pass uses the one row of scale for every sample: it is broadcast. "
          "What does the backward pass do with the gradients that reach a broadcast value from each place it was copied to?",
          needs_numpy=True)
def _grade_3(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"expected the function scale_backward, got {type(answer).__name__}.")
    for k, case in enumerate(_cases(SCALE_SHAPES, seed=53)):
        got, failed = _call(answer, case)
        if failed is not None:
            return failed
        if got is None and k == 0:
            return Feedback(False, "scale_backward still returns None: return (dinputs, dscale).", answered=False)
        wrong = _compare(got, scale_gradients_by_finite_differences(*case), f"on a batch of shape {case[0].shape}")
        if wrong is not None:
            return wrong
    return Feedback(True, f"both gradients match central differences on all {len(SCALE_SHAPES)} test batches.")


# --- Exercise 4: a dense layer's backward pass ----------------------------------------------

def dense_reference(inputs, weights, dvalues) -> dict:
    """dinputs, dweights, dbiases from the library's Dense layer."""
    import numpy as np

    from ..layers import Dense

    layer = Dense(*np.shape(weights))
    layer.weights = np.array(weights, dtype=np.float64)
    layer.forward(np.array(inputs, dtype=np.float64))
    layer.backward(np.array(dvalues, dtype=np.float64))
    return {"dinputs": layer.dinputs, "dweights": layer.dweights, "dbiases": layer.dbiases}


def dense_cases() -> list[tuple]:
    """The chapter's batch, then random batches of other shapes (so a transposed index shows)."""
    import numpy as np

    chapter = (np.array(INPUTS), np.array(WEIGHTS), np.array(DVALUES))
    return [chapter, *_cases([[(5, 2), (2, 4), (5, 4)], [(1, 3), (3, 2), (1, 2)]], seed=5)]


@exercise("5-4", hint="Write down the shape each gradient must have (that of inputs, of weights, of biases) "
          "next to the shapes of dvalues, weights and inputs. For dinputs and dweights only one product of two "
          "of those arrays, one of them transposed, has the right shape; the biases need no product.",
          needs_numpy=True)
def _grade_4(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"expected the function dense_backward, got {type(answer).__name__}.")
    cases = dense_cases()
    for k, case in enumerate(cases):
        got, failed = _call(answer, case)
        if failed is not None:
            return failed
        if got is None and k == 0:
            return Feedback(False, "dense_backward still returns None: return (dinputs, dweights, dbiases).",
                            answered=False)
        wrong = _compare(got, dense_reference(*case), f"on inputs of shape {case[0].shape}")
        if wrong is not None:
            return wrong
    return Feedback(True, f"it matches the library's Dense on all {len(cases)} test batches.")


# --- Exercise 5: write Sigmoid.backward -----------------------------------------------------

SIGMOID_SHAPE = (4, 3)


@exercise("5-5", hint="Differentiate s(x) = 1 / (1 + e^-x) once, then write the result using s itself "
          "(you stored it as self.output); the chain rule multiplies it by dvalues, entry by entry.",
          needs_numpy=True)
def _grade_5(answer: object) -> Feedback:
    import numpy as np

    from ..gradcheck import check_layer
    from ..layers import Sigmoid as Reference

    if not isinstance(answer, type):
        return Feedback(False, f"expected the class Sigmoid (not an instance), got {type(answer).__name__}.")
    x = np.random.default_rng(55).standard_normal(SIGMOID_SHAPE) * 2
    dvalues = np.random.default_rng(56).standard_normal(SIGMOID_SHAPE)
    try:
        layer = answer()
        output = layer.forward(x.copy())
        layer.backward(dvalues.copy())
        dinputs = getattr(layer, "dinputs", None)
    except Exception as error:  # the reader's code may raise anything: report it
        return Feedback(False, f"running forward and backward raised {type(error).__name__}: {error}.")
    if dinputs is None:
        return Feedback(False, "backward still sets self.dinputs to None: write its line and run the cell again.",
                        answered=False)
    if not np.allclose(np.asarray(output, dtype=np.float64), Reference().forward(x), rtol=1e-12, atol=1e-15):
        return Feedback(False, "forward no longer computes the sigmoid: keep forward as given and change only backward.")
    dinputs = np.asarray(dinputs, dtype=np.float64)
    if dinputs.shape != x.shape:
        return Feedback(False, f"dinputs must have the inputs' shape {x.shape}, got {dinputs.shape}.")
    try:
        result = check_layer(answer(), x, dvalues)
    except Exception as error:
        return Feedback(False, f"check_layer could not run it: {type(error).__name__}: {error}.")
    worst = result.max_error
    if not math.isfinite(worst) or not result.passed(1e-6):
        return Feedback(False, f"check_layer finds dinputs off from central differences, relative error {worst:.1e}.")
    return Feedback(True, f"check_layer agrees on all {len(result.rows())} entries, largest relative error {worst:.0e}.")


# --- Exercise 6: find the bug ------------------------------------------------------------------

def dense_relu_as_given(inputs, weights, biases, dvalues):
    """The exercise's function as the learner receives it, with its one wrong line."""
    import numpy as np

    layer_outputs = inputs @ weights + biases
    relu_outputs = np.maximum(0, layer_outputs)
    drelu = relu_outputs.copy()
    drelu[layer_outputs <= 0] = 0
    return drelu @ weights.T, inputs.T @ drelu, drelu.sum(axis=0, keepdims=True)


def dense_relu_by_finite_differences(inputs, weights, biases, dvalues) -> dict:
    """d/d(inputs, weights, biases) of sum(dvalues * relu(inputs @ weights + biases)), by central differences."""
    import numpy as np

    from ..gradcheck import numerical_gradient

    X, W, b = (np.array(a, dtype=np.float64) for a in (inputs, weights, biases))
    dvalues = np.asarray(dvalues, dtype=np.float64)

    def loss() -> float:
        return float(np.sum(dvalues * np.maximum(0, X @ W + b)))

    return {"dinputs": numerical_gradient(loss, X), "dweights": numerical_gradient(loss, W),
            "dbiases": numerical_gradient(loss, b)}


def dense_relu_cases() -> list[tuple]:
    """The chapter's layer, then a random one with other shapes. No output is within 1e-3 of ReLU's kink."""
    import numpy as np

    chapter = (np.array(INPUTS), np.array(WEIGHTS), np.array(BIASES), np.array(DVALUES))
    return [chapter, *_cases([[(6, 3), (3, 4), (1, 4), (6, 4)]], seed=6)]


@exercise("5-6", hint="Check that every argument the function receives is used. "
          "The gradient that arrives from above has to enter the chain rule at the ReLU.",
          needs_numpy=True)
def _grade_6(answer: object) -> Feedback:
    import numpy as np

    if not callable(answer):
        return Feedback(False, f"expected the function dense_relu_backward, got {type(answer).__name__}.")
    cases = dense_relu_cases()
    results = []
    for case in cases:
        got, failed = _call(answer, case)
        if failed is not None:
            return failed
        results.append(got)
    if all(isinstance(got, (tuple, list)) and len(got) == 3
           and all(np.shape(a) == np.shape(g) and np.array_equal(a, g) for a, g in zip(got, dense_relu_as_given(*case)))
           for got, case in zip(results, cases)):
        return Feedback(False, "this is the function as given, one line of it wrong: fix that line and run the cell again.",
                        answered=False)
    for got, case in zip(results, cases):
        wrong = _compare(got, dense_relu_by_finite_differences(*case), f"on inputs of shape {case[0].shape}")
        if wrong is not None:
            return wrong
    return Feedback(True, f"all three gradients match central differences on all {len(cases)} test layers.")
