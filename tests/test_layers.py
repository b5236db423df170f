"""Tests of backprop_lib.layers against independent references.

Every gradient is compared with HIPS autograd differentiating a plain
``autograd.numpy`` version of the same forward function, and with central
differences through ``backprop_lib.gradcheck.check_layer``. The only numbers
typed in are those printed by the nnfs worked example (seed 003).
"""

from __future__ import annotations

import re
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib.data import make_moons
from backprop_lib.gradcheck import check_layer
from backprop_lib.layers import SGD, Dense, MeanSquaredError, ReLU, Sigmoid, SoftmaxCrossEntropy, Tanh

SETTINGS = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 6)


# --------------------------------------------------------------- references
# Written with autograd.numpy in the most direct way, independent of layers.py.
def dense_ref(x, w, b):
    return anp.dot(x, w) + b


def relu_ref(x):
    return anp.maximum(x, 0.0)


def sigmoid_ref(x):
    return 1.0 / (1.0 + anp.exp(-x))


def one_hot(y, k):
    return np.eye(k)[y]


def cross_entropy_naive(z, onehot):
    """-mean log softmax(z)[y], straight from the definition: overflows for large z."""
    p = anp.exp(z) / anp.sum(anp.exp(z), axis=1, keepdims=True)
    return -anp.sum(onehot * anp.log(p)) / z.shape[0]


def cross_entropy_stable(z, onehot):
    """The same loss through log-sum-exp with the row max taken out."""
    m = anp.max(z, axis=1, keepdims=True)
    log_p = z - m - anp.log(anp.sum(anp.exp(z - m), axis=1, keepdims=True))
    return -anp.sum(onehot * log_p) / z.shape[0]


def mse_ref(p, t):
    return anp.mean((p - t) ** 2)


def random_arrays(seed, *shapes, scale=1.0):
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(shape) for shape in shapes]


# ------------------------------------------------------- the worked example
def test_seed_003_worked_example():
    """nnfs's one-step example: Dense then ReLU, backward, then a step of 0.001."""
    inputs = np.array([[1, 2, 3, 2.5], [2.0, 5.0, -1.0, 2], [-1.5, 2.7, 3.3, -0.8]])
    dense, relu = Dense(4, 3), ReLU()
    dense.weights = np.array([[0.2, 0.8, -0.5, 1], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]).T
    dense.biases = np.array([[2, 3, 0.5]])
    layer_outputs = dense.forward(inputs)
    relu_outputs = relu.forward(layer_outputs)
    # The example's drelu: relu_outputs with the entries where layer_outputs <= 0 zeroed.
    drelu = relu.backward(relu_outputs)
    np.testing.assert_array_equal(drelu, np.where(layer_outputs > 0, relu_outputs, 0.0))
    dense.backward(drelu)
    dense.weights += -0.001 * dense.dweights
    dense.biases += -0.001 * dense.dbiases
    expected_weights = [
        [0.179515, 0.5003665, -0.262746],
        [0.742093, -0.9152577, -0.2758402],
        [-0.510153, 0.2529017, 0.1629592],
        [0.971328, -0.5021842, 0.8636583],
    ]
    np.testing.assert_allclose(dense.weights, expected_weights, rtol=1e-12)
    np.testing.assert_allclose(dense.biases, [[1.98489, 2.997739, 0.497389]], rtol=1e-12)


# ------------------------------------------------------- against autograd
@SETTINGS
@given(n=sizes, n_in=sizes, n_out=sizes, seed=seeds)
def test_dense_matches_autograd(n, n_in, n_out, seed):
    x, dvalues, b = random_arrays(seed, (n, n_in), (n, n_out), (1, n_out))
    layer = Dense(n_in, n_out, rng=seed, weight_scale=1.0)
    layer.biases = b
    w = layer.weights.copy()
    np.testing.assert_allclose(layer.forward(x), dense_ref(x, w, b), rtol=1e-12, atol=1e-12)
    dinputs = layer.backward(dvalues)
    assert dinputs is layer.dinputs
    # sum(output * dvalues) has gradient dvalues with respect to the output.
    scalar = lambda x, w, b: anp.sum(dense_ref(x, w, b) * dvalues)  # noqa: E731
    np.testing.assert_allclose(layer.dinputs, grad(scalar, 0)(x, w, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dweights, grad(scalar, 1)(x, w, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dbiases, grad(scalar, 2)(x, w, b), rtol=1e-10, atol=1e-12)


ACTIVATIONS = [(ReLU, relu_ref), (Tanh, anp.tanh), (Sigmoid, sigmoid_ref)]


@pytest.mark.parametrize("layer_class, reference", ACTIVATIONS, ids=lambda v: getattr(v, "__name__", ""))
@SETTINGS
@given(shape=st.tuples(sizes, sizes), seed=seeds)
def test_activation_matches_autograd(layer_class, reference, shape, seed):
    x, dvalues = random_arrays(seed, shape, shape, scale=3.0)
    layer = layer_class()
    np.testing.assert_allclose(layer.forward(x), reference(x), rtol=1e-12, atol=1e-300)
    layer.backward(dvalues)
    expected = grad(lambda x: anp.sum(reference(x) * dvalues))(x)
    # atol: near saturation 1 - tanh(x)**2 and s(1 - s) lose digits to cancellation, in absolute terms ~eps.
    np.testing.assert_allclose(layer.dinputs, expected, rtol=1e-10, atol=1e-14)


def test_relu_derivative_at_zero_is_zero():
    relu = ReLU()
    x = np.array([[-1.0, 0.0, 2.0]])
    relu.forward(x)
    dinputs = relu.backward(np.ones_like(x))
    np.testing.assert_array_equal(dinputs, (x > 0).astype(float))


@SETTINGS
@given(n=sizes, k=st.integers(2, 6), seed=seeds)
def test_softmax_cross_entropy_matches_autograd(n, k, seed):
    rng = np.random.default_rng(seed)
    logits = 3.0 * rng.standard_normal((n, k))
    y = rng.integers(0, k, size=n)
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(logits, y)
    # atol: a loss near 0 is log(1 + tiny), which keeps only its absolute accuracy in any formula.
    np.testing.assert_allclose(loss, cross_entropy_naive(logits, one_hot(y, k)), rtol=1e-12, atol=1e-15)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss_fn.output, probs, rtol=1e-12)
    dinputs = loss_fn.backward()
    assert dinputs is loss_fn.dinputs
    np.testing.assert_allclose(dinputs, grad(cross_entropy_naive)(logits, one_hot(y, k)), rtol=1e-10, atol=1e-15)


def test_softmax_cross_entropy_is_finite_at_logits_of_1000():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [1.0, 2.0, 3.0], [-1000.0, -1000.0, -1000.0]])
    y = np.array([1, 2, 0, 1])  # the first row's true class has the lowest logit: -log p = 2000
    onehot = one_hot(y, 3)
    # The definition itself breaks down here: that is what the layer must avoid.
    with np.errstate(all="ignore"):
        assert not np.isfinite(cross_entropy_naive(logits, onehot))
    loss_fn = SoftmaxCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no division by zero, no log(0)
        loss = loss_fn.forward(logits, y)
        dinputs = loss_fn.backward()
    assert np.isfinite(loss) and np.all(np.isfinite(dinputs)) and np.all(np.isfinite(loss_fn.output))
    np.testing.assert_allclose(loss, cross_entropy_stable(logits, onehot), rtol=1e-12)
    np.testing.assert_allclose(dinputs, grad(cross_entropy_stable)(logits, onehot), rtol=1e-12, atol=1e-300)


@SETTINGS
@given(n=sizes, k=st.integers(2, 5), seed=seeds)
def test_softmax_cross_entropy_matches_stable_reference_for_huge_logits(n, k, seed):
    rng = np.random.default_rng(seed)
    logits = rng.uniform(-1000.0, 1000.0, size=(n, k))
    y = rng.integers(0, k, size=n)
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(logits, y)
    np.testing.assert_allclose(loss, cross_entropy_stable(logits, one_hot(y, k)), rtol=1e-12, atol=1e-15)
    # atol: an entry p - 1 with p within 1e-11 of 1 keeps only a few digits, in any formula.
    np.testing.assert_allclose(loss_fn.backward(), grad(cross_entropy_stable)(logits, one_hot(y, k)), rtol=1e-10, atol=1e-15)


@SETTINGS
@given(n=sizes, k=st.integers(2, 6), seed=seeds, kind=st.sampled_from([np.int64, np.float64, np.bool_, np.uint8]))
def test_int_and_one_hot_labels_give_identical_results(n, k, seed, kind):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, k))
    y = rng.integers(0, k, size=n)
    with_ints, with_one_hot = SoftmaxCrossEntropy(), SoftmaxCrossEntropy()
    assert with_ints.forward(logits, y) == with_one_hot.forward(logits, one_hot(y, k).astype(kind))
    np.testing.assert_array_equal(with_ints.output, with_one_hot.output)
    np.testing.assert_array_equal(with_ints.backward(), with_one_hot.backward())


@SETTINGS
@given(shape=st.tuples(sizes, sizes), seed=seeds)
def test_mean_squared_error_matches_autograd(shape, seed):
    predictions, targets = random_arrays(seed, shape, shape)
    loss_fn = MeanSquaredError()
    np.testing.assert_allclose(loss_fn.forward(predictions, targets), mse_ref(predictions, targets), rtol=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), grad(mse_ref)(predictions, targets), rtol=1e-12)


# ------------------------------------------------- against central differences
def assert_check_ok(check):
    """Within the library's own "acceptable" relative error, and close in absolute terms.

    A relative error alone is unfair to tiny gradients: central differences
    carry an absolute round-off of about eps * |loss| / h, near 1e-10 here.
    """
    check.assert_ok(1e-4)
    np.testing.assert_allclose(check.analytic, check.numeric, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_passes_check_layer(dtype):
    layer = Dense(4, 3, rng=1, weight_scale=1.0, dtype=dtype)
    layer.biases += np.arange(3, dtype=dtype)
    weights = layer.weights
    (inputs,) = random_arrays(2, (5, 4))
    check = check_layer(layer, inputs)
    assert_check_ok(check)
    assert len(check.names) == 5 * 4 + 4 * 3 + 3  # every entry of dinputs, dweights and dbiases
    assert layer.weights is weights and layer.weights.dtype == dtype  # restored after the check


@pytest.mark.parametrize("layer_class", [ReLU, Tanh, Sigmoid])
def test_activation_passes_check_layer(layer_class):
    (inputs,) = random_arrays(3, (4, 5), scale=2.0)
    inputs[np.abs(inputs) < 1e-3] = 0.5  # stay off ReLU's kink, where differences straddle it
    layer_class().forward(inputs)  # sanity: the layer accepts them
    assert_check_ok(check_layer(layer_class(), inputs))


def test_check_layer_catches_a_wrong_gradient():
    """The central-difference reference can fail: a broken backward is caught."""

    class BrokenTanh(Tanh):
        def backward(self, dvalues):
            self.dinputs = super().backward(dvalues) * 1.01
            return self.dinputs

    (inputs,) = random_arrays(4, (3, 3))
    assert_check_ok(check_layer(Tanh(), inputs))
    with pytest.raises(AssertionError):
        assert_check_ok(check_layer(BrokenTanh(), inputs))


# -------------------------------------------------------- numerical stability
EXTREMES = np.array([-1e308, -1e4, -1000.0, -745.0, -50.0, -1e-300, 0.0, 1e-300, 50.0, 1000.0, 1e4, 1e308])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layer_class", [Sigmoid, Tanh])
def test_sigmoid_and_tanh_are_warning_free_for_any_finite_input(layer_class, dtype):
    big = np.finfo(dtype).max
    x = np.concatenate([EXTREMES[np.abs(EXTREMES) < big], [-big, big]]).astype(dtype).reshape(2, -1)
    layer = layer_class()
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out = layer.forward(x)
        dinputs = layer.backward(np.ones_like(x))
    assert out.dtype == dtype and dinputs.dtype == dtype
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dinputs))
    low = 0.0 if layer_class is Sigmoid else -1.0
    assert np.all((low <= out) & (out <= 1.0))
    flat = out.ravel()
    order = np.argsort(x.ravel(), kind="stable")
    assert np.all(np.diff(flat[order]) >= 0)  # monotonic increasing
    # Odd symmetry: sigmoid(-x) = 1 - sigmoid(x), tanh(-x) = -tanh(x).
    mirrored = layer_class().forward(-x)
    expected = 1.0 - out if layer_class is Sigmoid else -out
    np.testing.assert_allclose(mirrored, expected, atol=np.finfo(dtype).eps)


def test_sigmoid_matches_the_definition_wherever_it_is_finite():
    x = np.linspace(-700.0, 700.0, 1400).reshape(7, -1)  # e**700 is still a finite float64
    np.testing.assert_allclose(Sigmoid().forward(x), sigmoid_ref(x), rtol=1e-12, atol=0)


# ------------------------------------------------------------------- dtypes
def float32_network_step(dtype):
    X, y = make_moons(64, noise=0.2, seed=3)
    dense1, relu, dense2 = Dense(2, 8, rng=0, weight_scale=0.5, dtype=dtype), ReLU(), Dense(8, 2, rng=1, weight_scale=0.5, dtype=dtype)
    loss_fn = SoftmaxCrossEntropy()
    inputs = X.astype(dtype)
    loss = loss_fn.forward(dense2.forward(relu.forward(dense1.forward(inputs))), y)
    dense1.backward(relu.backward(dense2.backward(loss_fn.backward())))
    SGD(0.1).step([dense1, relu, dense2])
    return loss, [dense1, relu, dense2, loss_fn]


def test_float32_stays_float32_through_a_network_and_matches_float64():
    loss32, layers32 = float32_network_step(np.float32)
    loss64, layers64 = float32_network_step(np.float64)
    for layer32, layer64 in zip(layers32, layers64):
        for name in ("output", "dinputs", "weights", "biases", "dweights", "dbiases"):
            if hasattr(layer32, name):
                value = getattr(layer32, name)
                assert value.dtype == np.float32, f"{type(layer32).__name__}.{name} is {value.dtype}"
                np.testing.assert_allclose(value, getattr(layer64, name), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(loss32, loss64, rtol=1e-5)


@pytest.mark.parametrize("layer_class", [ReLU, Tanh, Sigmoid])
def test_activations_keep_float32(layer_class):
    (x,) = random_arrays(5, (3, 4))
    layer = layer_class()
    out = layer.forward(x.astype(np.float32))
    dinputs = layer.backward(x)  # float64 dvalues: converted to the layer's float32
    assert out.dtype == np.float32 and dinputs.dtype == np.float32
    np.testing.assert_allclose(out, layer_class().forward(x), rtol=1e-6, atol=1e-7)


def test_losses_keep_float32():
    (p, t) = random_arrays(6, (3, 4), (3, 4))
    mse = MeanSquaredError()
    mse.forward(p.astype(np.float32), t)
    assert mse.backward().dtype == np.float32
    ce = SoftmaxCrossEntropy()
    ce.forward(p.astype(np.float32), [0, 3, 1])
    assert ce.output.dtype == np.float32 and ce.backward().dtype == np.float32


def test_dense_computes_in_its_own_dtype():
    layer32, layer64 = Dense(3, 2, dtype=np.float32), Dense(3, 2)
    np.testing.assert_array_equal(layer32.weights, layer64.weights.astype(np.float32))  # same start, rounded
    x = [[1, 2, 3]]  # ints and lists are converted
    assert layer32.forward(x).dtype == np.float32 and layer64.forward(np.float32(x)).dtype == np.float64


def test_dense_initialisation_is_deterministic_and_scaled():
    a, b = Dense(5, 4), Dense(5, 4)
    np.testing.assert_array_equal(a.weights, b.weights)  # rng=None means seed 0
    assert a.weights.shape == (5, 4) and b.biases.shape == (1, 4) and not b.biases.any()
    np.testing.assert_array_equal(Dense(5, 4, rng=7).weights, Dense(5, 4, rng=np.random.default_rng(7)).weights)
    assert not np.array_equal(Dense(5, 4, rng=7).weights, a.weights)
    np.testing.assert_allclose(Dense(5, 4, rng=3, weight_scale=2.0).weights, 200 * Dense(5, 4, rng=3).weights, rtol=1e-12)


def test_dense_backward_can_skip_dinputs():
    layer = Dense(3, 2, rng=1)
    (x, d) = random_arrays(8, (4, 3), (4, 2))
    layer.forward(x)
    full = layer.backward(d)
    dweights = layer.dweights
    assert layer.backward(d, compute_dinputs=False) is None and layer.dinputs is None
    np.testing.assert_array_equal(layer.dweights, dweights)
    assert full.shape == x.shape


# ---------------------------------------------------------------------- SGD
def test_sgd_step_updates_parameters_in_place_and_skips_activations():
    (x, d) = random_arrays(9, (4, 3), (4, 2))
    dense, relu = Dense(3, 2, rng=2), ReLU()
    dense.forward(x)
    dense.backward(d)
    relu.forward(x)
    weights, biases = dense.weights, dense.biases
    expected_w, expected_b = weights - 0.1 * dense.dweights, biases - 0.1 * dense.dbiases
    SGD(0.1).step([relu, dense])
    assert dense.weights is weights and dense.biases is biases  # in place
    np.testing.assert_allclose(dense.weights, expected_w, rtol=1e-15)
    np.testing.assert_allclose(dense.biases, expected_b, rtol=1e-15)


def test_sgd_training_lowers_the_loss_on_moons():
    X, y = make_moons(100, noise=0.1, seed=0)
    dense1, relu, dense2 = Dense(2, 16, rng=0, weight_scale=1.0), ReLU(), Dense(16, 2, rng=1, weight_scale=1.0)
    loss_fn = SoftmaxCrossEntropy()
    optimizer = SGD(0.5)
    losses = []
    for _ in range(300):
        losses.append(loss_fn.forward(dense2.forward(relu.forward(dense1.forward(X))), y))
        dense1.backward(relu.backward(dense2.backward(loss_fn.backward())))
        optimizer.step([dense1, relu, dense2])
    accuracy = np.mean(loss_fn.output.argmax(axis=1) == y)
    assert losses[-1] < 0.5 * losses[0] and accuracy > 0.85


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "layer, call",
    [
        (Dense(2, 2), lambda layer: layer.backward(np.ones((1, 2)))),
        (ReLU(), lambda layer: layer.backward(np.ones((1, 2)))),
        (Tanh(), lambda layer: layer.backward(np.ones((1, 2)))),
        (Sigmoid(), lambda layer: layer.backward(np.ones((1, 2)))),
        (SoftmaxCrossEntropy(), lambda layer: layer.backward()),
        (MeanSquaredError(), lambda layer: layer.backward()),
    ],
    ids=lambda v: type(v).__name__,
)
def test_backward_before_forward_raises_runtime_error(layer, call):
    name = type(layer).__name__
    with pytest.raises(RuntimeError, match=rf"{name}\.backward was called before {name}\.forward"):
        call(layer)


def dense_forward(x):
    return Dense(4, 3).forward(x)


BAD_INPUTS = [
    (lambda: dense_forward(np.ones((2, 5))), ValueError, re.escape("Dense(4, 3) expects inputs of shape (n, 4), got (2, 5)")),
    (lambda: dense_forward(np.ones(4)), ValueError, re.escape("got (4,) (one sample? use inputs.reshape(1, -1))")),
    (lambda: dense_forward(np.ones((2, 2, 4))), ValueError, re.escape("got (2, 2, 4)")),
    (lambda: Dense(4, 3, dtype=np.float32).forward(np.ones((1, 3))), ValueError, re.escape("Dense(4, 3, dtype=float32) expects")),
    (lambda: dense_forward("abc"), TypeError, r"inputs must be an array of real numbers, got str \('abc'\) with dtype <U3"),
    (lambda: dense_forward(None), TypeError, r"inputs must be an array of real numbers, got NoneType \(None\) with dtype object"),
    (lambda: dense_forward({"a": 1}), TypeError, r"must be an array of real numbers, got dict"),
    (lambda: dense_forward([[1, 2, 3, 4], [1, 2]]), TypeError, r"must be an array of real numbers, got list"),
    (lambda: dense_forward(np.ones((2, 4), dtype=bool)), TypeError, r"with dtype bool"),
    (lambda: dense_forward(np.ones((2, 4), dtype=complex)), TypeError, r"with dtype complex128"),
    (lambda: dense_forward(np.ones((0, 4))), ValueError, re.escape("inputs must not be empty, got shape (0, 4)")),
    (lambda: dense_forward([[1.0, np.nan, 0.0, 0.0]]), ValueError, r"inputs must be finite, got 1 NaN or infinite entry"),
    (lambda: dense_forward([[np.inf, -np.inf, 0.0, 0.0]]), ValueError, r"must be finite, got 2 NaN or infinite entries"),
    (
        lambda: Dense(2, 1, dtype=np.float32).forward([[1e300, 0.0]]),
        ValueError,
        re.escape("Dense(2, 1, dtype=float32) inputs: some entries are too large for float32 (at most 3.4e+38)"),
    ),
    (lambda: ReLU().forward([np.nan]), ValueError, r"ReLU inputs must be finite"),
    (lambda: Sigmoid().forward("x"), TypeError, r"Sigmoid inputs must be an array of real numbers"),
    (lambda: Tanh().forward(np.array([], dtype=float)), ValueError, r"Tanh inputs must not be empty"),
    # constructors
    (lambda: Dense(0, 3), ValueError, r"Dense's n_inputs must be a positive int, got 0"),
    (lambda: Dense(4, 2.5), TypeError, re.escape("Dense's n_neurons must be a positive int, got float (2.5)")),
    (lambda: Dense(True, 3), TypeError, r"n_inputs must be a positive int, got bool"),
    (lambda: Dense(4, 3, rng="seed"), TypeError, r"rng must be a numpy.random.Generator, a non-negative int seed or None, got str"),
    (lambda: Dense(4, 3, rng=-1), ValueError, r"rng as an int seed must be >= 0, got -1"),
    (lambda: Dense(4, 3, weight_scale=-0.1), ValueError, r"weight_scale must be finite and >= 0, got -0.1"),
    (lambda: Dense(4, 3, weight_scale="big"), TypeError, r"weight_scale must be a real number, got str"),
    (lambda: Dense(4, 3, dtype=np.int32), TypeError, r"dtype must be np.float32 or np.float64, got int32"),
    (lambda: Dense(4, 3, dtype="no such dtype"), TypeError, r"dtype must be np.float32 or np.float64"),
    # losses
    (lambda: SoftmaxCrossEntropy().forward(np.ones(3), [0]), ValueError, re.escape("expects logits of shape (n, k), got (3,)")),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0, 3]), ValueError, r"class labels must be in 0\.\.2 for 3 classes, got 3"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [-1, 0]), ValueError, r"must be in 0\.\.2 for 3 classes, got -1"),
    (
        lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0, 1, 2]),
        ValueError,
        re.escape("got logits of shape (2, 3), so expects int labels of shape (2,) or one-hot labels of shape (2, 3); got labels of shape (3,)"),
    ),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0.0, 1.5]), ValueError, r"class labels must be integers, got dtype float64"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), ["a", "b"]), ValueError, r"class labels must be integers, got dtype <U1"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [[1, 1, 0], [0, 0, 1]]), ValueError, r"exactly one 1 in each row"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [[0.5, 0.5, 0], [0, 0, 1]]), ValueError, r"exactly one 1 in each row"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.eye(2)), ValueError, re.escape("got labels of shape (2, 2)")),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.zeros((2, 3, 1), int)), ValueError, re.escape("got labels of shape (2, 3, 1)")),
    (lambda: SoftmaxCrossEntropy().forward([[0.0, np.nan]], [0]), ValueError, r"logits must be finite"),
    (lambda: MeanSquaredError().forward(np.ones((2, 3)), np.ones((3, 2))), ValueError, re.escape("same shape, got (2, 3) and (3, 2)")),
    (lambda: MeanSquaredError().forward(np.ones(2), [1.0, np.inf]), ValueError, r"targets must be finite"),
    # SGD
    (lambda: SGD(0), ValueError, r"learning_rate must be finite and > 0, got 0"),
    (lambda: SGD(-0.1), ValueError, r"got -0\.1"),
    (lambda: SGD(float("nan")), ValueError, r"got nan"),
    (lambda: SGD("0.1"), TypeError, r"learning_rate must be a real number, got str"),
    (lambda: SGD(True), TypeError, r"got bool"),
    (lambda: SGD(0.1).step(Dense(2, 2)), TypeError, re.escape("SGD.step expects a list of layers, got Dense (Dense(2, 2))")),
    (lambda: SGD(0.1).step([Dense(2, 2)]), RuntimeError, re.escape("SGD found no dweights on Dense(2, 2): call its backward before step")),
]


@pytest.mark.parametrize("call, error, message", BAD_INPUTS, ids=[m[:40] for _, _, m in BAD_INPUTS])
def test_bad_inputs_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_backward_checks_dvalues():
    dense, relu = Dense(4, 3), ReLU()
    dense.forward(np.ones((2, 4)))
    relu.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=re.escape("Dense.backward expects dvalues of the output's shape (2, 3), got (2, 4)")):
        dense.backward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=re.escape("ReLU.backward expects dvalues of the output's shape (2, 4), got (4, 2)")):
        relu.backward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"ReLU\.backward's dvalues must be finite"):
        relu.backward(np.full((2, 4), np.nan))
    with pytest.raises(TypeError, match=r"Dense\.backward's dvalues must be an array of real numbers"):
        dense.backward("dvalues")


def test_assigned_parameters_must_be_float_arrays():
    dense = Dense(1, 3)
    dense.biases = [[2, 3, 0.5]]
    message = "Dense's weights and biases must be float NumPy arrays (assign np.array(..., dtype=float)), got "
    with pytest.raises(TypeError, match=re.escape(message + "ndarray of float64 and list")):
        dense.forward([[1.0]])
    dense.biases = np.zeros((1, 3))
    dense.weights = np.array([[1, 2, 3]])
    with pytest.raises(TypeError, match=re.escape(message + "ndarray of int64 and ndarray of float64")):
        dense.forward([[1.0]])


def test_sgd_rejects_mismatched_gradients():
    dense = Dense(2, 2)
    dense.forward(np.ones((1, 2)))
    dense.backward(np.ones((1, 2)))
    dense.dweights = np.ones((3, 2))
    with pytest.raises(ValueError, match=re.escape("Dense(2, 2) has weights of shape (2, 2) but dweights of shape (3, 2)")):
        SGD(0.1).step([dense])
