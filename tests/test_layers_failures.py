"""NumPy layers: never NaN or inf with only a RuntimeWarning, and a failure changes nothing."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib.layers import SGD, Dense, MeanSquaredError, NonFiniteError, ReLU, Sigmoid, SoftmaxCrossEntropy, Tanh


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from NumPy fails the test
        yield


def snapshot(layer):
    """Every attribute: the same object, and a copy of every array's contents."""
    return {k: (v, np.array(v, copy=True) if isinstance(v, np.ndarray) else None) for k, v in vars(layer).items()}


def assert_unchanged(layer, before):
    assert vars(layer).keys() == before.keys()
    for key, (value, copy) in before.items():
        assert getattr(layer, key) is value, key
        if copy is not None:
            assert np.array_equal(getattr(layer, key), copy), key


def trained_pair(seed=0):
    X = np.random.default_rng(seed).standard_normal((6, 3))
    d1, relu, d2 = Dense(3, 4, rng=seed, weight_scale=0.5), ReLU(), Dense(4, 2, rng=seed + 1, weight_scale=0.5)
    loss = SoftmaxCrossEntropy()
    loss.forward(d2.forward(relu.forward(d1.forward(X))), np.arange(6) % 2)
    d1.backward(relu.backward(d2.backward(loss.backward())))
    return X, d1, relu, d2


# --------------------------------------------------------- SGD: all or none
def test_sgd_step_updates_none_when_a_later_layer_never_ran_backward():
    _, d1, relu, d2 = trained_pair()
    fresh = Dense(2, 2)
    before = snapshot(d1)
    with pytest.raises(RuntimeError, match=r"SGD found no dweights on Dense\(2, 2\)"):
        SGD(0.1).step([d1, relu, d2, fresh])
    assert_unchanged(d1, before)


def test_sgd_step_updates_none_when_a_layer_has_integer_biases():
    _, d1, relu, d2 = trained_pair()
    d2.biases = np.zeros((1, 2), dtype=np.int64)
    before1, before2 = snapshot(d1), snapshot(d2)
    with pytest.raises(TypeError, match=r"Dense\(4, 2\)\.biases has dtype int64"):
        SGD(0.1).step([d1, relu, d2])
    assert_unchanged(d1, before1)
    assert_unchanged(d2, before2)


@pytest.mark.parametrize("rate", [1e308, 1e306])
def test_a_learning_rate_that_would_make_a_parameter_non_finite_changes_nothing(rate):
    _, d1, relu, d2 = trained_pair()
    d2.dbiases = np.full_like(d2.dbiases, -1e3)  # the first layer could still be updated
    before1, before2 = snapshot(d1), snapshot(d2)
    with pytest.raises(NonFiniteError, match=r"SGD\(1e\+30[68]\) would make Dense\(\d, \d\)\.\w+ not finite .* no parameter was changed"):
        SGD(rate).step([d1, relu, d2])
    assert_unchanged(d1, before1)
    assert_unchanged(d2, before2)


def test_sgd_step_updates_in_place_when_it_can():
    _, d1, relu, d2 = trained_pair()
    weights = d1.weights
    expected = d1.weights - 0.1 * d1.dweights
    SGD(0.1).step([d1, relu, d2])
    assert d1.weights is weights and np.array_equal(weights, expected)


# ------------------------------------------- overflow names the layer
def test_a_huge_weight_scale_is_named_not_a_runtime_warning():
    layer = Dense(3, 2, weight_scale=1e200)
    with pytest.raises(NonFiniteError, match=r"Dense\(3, 2\) output would not be finite .* inputs @ weights overflows float64 .*learning rate"):
        layer.forward(np.full((2, 3), 1e200))
    assert layer.inputs is None and layer.output is None


def test_non_finite_weights_are_the_named_cause():
    layer = Dense(3, 2)
    layer.weights[0, 0] = np.inf
    with pytest.raises(NonFiniteError, match=r"the weights of Dense\(3, 2\) are not finite .*Was the learning rate too large"):
        layer.forward(np.ones((1, 3)))


def test_diverged_logits_are_named():
    loss = SoftmaxCrossEntropy()
    with pytest.raises(NonFiniteError, match=r"SoftmaxCrossEntropy\(\) loss would not be finite .*logits have diverged"):
        loss.forward(np.array([[-1e308, 1e308]]), np.array([0]))
    assert loss.output is None


def test_mean_squared_error_overflow_is_named():
    mse = MeanSquaredError()
    with pytest.raises(NonFiniteError, match=r"MeanSquaredError\(\) loss would not be finite .*squared error overflows"):
        mse.forward(np.array([1e200]), np.array([-1e200]))
    assert mse.diff is None


def test_dense_backward_overflow_changes_no_gradient():
    layer = Dense(2, 2, weight_scale=1.0)
    layer.forward(np.full((3, 2), 1e200))
    layer.backward(np.ones((3, 2)))
    before = snapshot(layer)
    with pytest.raises(NonFiniteError, match=r"Dense\(2, 2\) backward's dweights would not be finite"):
        layer.backward(np.full((3, 2), 1e200))
    assert_unchanged(layer, before)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(w_exp=st.integers(0, 300), x_exp=st.integers(0, 300), g_exp=st.integers(0, 300), seed=st.integers(0, 1000))
def test_dense_at_any_scale_is_finite_or_refuses_and_changes_nothing(w_exp, x_exp, g_exp, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = Dense(3, 2, rng=seed, weight_scale=10.0**w_exp)
        X = np.random.default_rng(seed).standard_normal((4, 3)) * 10.0**x_exp
        before = snapshot(layer)
        try:
            out = layer.forward(X)
        except NonFiniteError:
            assert_unchanged(layer, before)
            return
        assert np.all(np.isfinite(out))
        before = snapshot(layer)
        try:
            dinputs = layer.backward(np.ones_like(out) * 10.0**g_exp)
        except NonFiniteError:
            assert_unchanged(layer, before)
            return
        assert all(np.all(np.isfinite(a)) for a in (dinputs, layer.dweights, layer.dbiases))


# ------------------------------------- a refused input keeps the old state
REFUSED_BY_EVERY_LAYER = [np.full((2, 3), np.nan), [["a", "b", "c"]], np.ones((0, 3)), [[1.0, np.inf, 0.0]], None]
REFUSED_BY_DENSE = [np.ones((2, 4)), np.ones(3), np.full((2, 3), 1e300)]  # wrong shape, one sample, overflow


@pytest.mark.parametrize("bad", REFUSED_BY_EVERY_LAYER, ids=range(len(REFUSED_BY_EVERY_LAYER)))
@pytest.mark.parametrize("make", [lambda: Dense(3, 2, weight_scale=1e10), ReLU, Tanh, Sigmoid], ids=["Dense", "ReLU", "Tanh", "Sigmoid"])
def test_a_layer_that_refuses_its_input_keeps_its_previous_state(make, bad):
    layer = make()
    out = layer.forward(np.ones((2, 3)))
    layer.backward(np.ones_like(out))
    before = snapshot(layer)
    with pytest.raises((TypeError, ValueError)):
        layer.forward(bad)
    assert_unchanged(layer, before)


@pytest.mark.parametrize("bad", REFUSED_BY_DENSE, ids=["features", "one sample", "overflow"])
def test_dense_refusing_its_input_keeps_its_previous_state(bad):
    layer = Dense(3, 2, weight_scale=1e10)
    out = layer.forward(np.ones((2, 3)))
    layer.backward(np.ones_like(out))
    before = snapshot(layer)
    with pytest.raises((ValueError, NonFiniteError)):
        layer.forward(bad)
    assert_unchanged(layer, before)


def test_a_loss_that_refuses_its_input_keeps_its_previous_state():
    loss = SoftmaxCrossEntropy()
    loss.forward(np.zeros((2, 3)), [0, 1])
    loss.backward()
    before = snapshot(loss)
    with pytest.raises(ValueError):
        loss.forward(np.zeros((2, 3)), [0, 5])
    assert_unchanged(loss, before)
    mse = MeanSquaredError()
    mse.forward(np.ones(3), np.zeros(3))
    before = snapshot(mse)
    with pytest.raises(ValueError):
        mse.forward(np.ones(3), np.zeros(4))
    assert_unchanged(mse, before)
