"""Tests of backprop_lib.data: the toy data sets' geometry, determinism and validation."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib.data import make_moons, make_spiral

SETTINGS = settings(max_examples=40, deadline=None)
noises = st.floats(0.0, 2.0, allow_nan=False)
seeds = st.integers(0, 2**32 - 1)


# ---------------------------------------------------------------- make_moons
@SETTINGS
@given(n=st.integers(2, 300), noise=noises, seed=seeds)
def test_moons_shapes_dtypes_and_class_sizes(n, noise, seed):
    X, y = make_moons(n, noise=noise, seed=seed)
    assert X.shape == (n, 2) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.bincount(y, minlength=2).tolist() == [n // 2, n - n // 2]  # scikit-learn's split


@pytest.mark.parametrize("n", [2, 3, 10, 101])
def test_moons_without_noise_lie_on_their_half_circles(n):
    X, y = make_moons(n, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    # The upper moon: the unit half circle above the x axis.
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12)
    # The lower moon: the same circle flipped and moved to centre (1, 0.5).
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)
    # Each moon runs from one end of its half circle to the other.
    if len(upper) > 1:
        assert np.isclose(upper[:, 0].min(), -1.0) and np.isclose(upper[:, 0].max(), 1.0)
    if len(lower) > 1:
        assert np.isclose(lower[:, 0].min(), 0.0) and np.isclose(lower[:, 0].max(), 2.0)


@SETTINGS
@given(n=st.integers(2, 200), noise=st.floats(0.01, 1.0), seed=seeds)
def test_moons_noise_is_the_same_draws_scaled(n, noise, seed):
    clean, y0 = make_moons(n, noise=0.0, seed=seed)
    noisy, y1 = make_moons(n, noise=noise, seed=seed)
    twice, y2 = make_moons(n, noise=2 * noise, seed=seed)
    np.testing.assert_array_equal(y0, y1)
    np.testing.assert_array_equal(y0, y2)
    np.testing.assert_allclose(twice - clean, 2 * (noisy - clean), rtol=1e-9, atol=1e-12)


def test_moons_noise_has_the_requested_standard_deviation():
    clean, _ = make_moons(20_000, noise=0.0, seed=5)
    noisy, _ = make_moons(20_000, noise=0.3, seed=5)
    assert abs(np.std(noisy - clean) - 0.3) < 0.01


def test_moons_are_deterministic_for_a_seed_and_shuffled():
    X1, y1 = make_moons(50, seed=4)
    X2, y2 = make_moons(50, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_moons(50, seed=5)
    assert not np.array_equal(X1, X3)
    assert not np.all(np.diff(y1) >= 0)  # the classes are mixed, not in two blocks
    X4, _ = make_moons(50, seed=np.random.default_rng(4))
    np.testing.assert_array_equal(X1, X4)  # a Generator seeded alike gives the same data


# --------------------------------------------------------------- make_spiral
@SETTINGS
@given(n_per_class=st.integers(1, 100), n_classes=st.integers(1, 6), noise=noises, seed=seeds)
def test_spiral_shapes_labels_and_radii(n_per_class, n_classes, noise, seed):
    X, y = make_spiral(n_per_class, n_classes, noise=noise, seed=seed)
    assert X.shape == (n_per_class * n_classes, 2) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, np.repeat(np.arange(n_classes), n_per_class))
    # Noise moves points along their circle: each class's radii still run evenly from 0 to 1.
    radii = np.hypot(X[:, 0], X[:, 1]).reshape(n_classes, n_per_class)
    np.testing.assert_allclose(radii, np.broadcast_to(np.linspace(0, 1, n_per_class), radii.shape), atol=1e-12)


def test_spiral_without_noise_follows_the_nnfs_arms():
    n, classes = 50, 3
    X, _ = make_spiral(n, classes, noise=0.0)
    for c in range(classes):
        arm = X[c * n : (c + 1) * n]
        t = np.linspace(4 * c, 4 * (c + 1), n)
        r = np.linspace(0, 1, n)
        np.testing.assert_allclose(arm, np.column_stack([r * np.sin(2.5 * t), r * np.cos(2.5 * t)]), atol=1e-12)
    # With no noise, the seed does not matter.
    np.testing.assert_array_equal(X, make_spiral(n, classes, noise=0.0, seed=99)[0])


def test_no_seed_means_seed_zero_not_fresh_entropy():
    for make in (make_moons, make_spiral):
        np.testing.assert_array_equal(make(seed=None)[0], make(seed=0)[0])


def test_spiral_is_deterministic_for_a_seed():
    np.testing.assert_array_equal(make_spiral(seed=1)[0], make_spiral(seed=1)[0])
    assert not np.array_equal(make_spiral(seed=1)[0], make_spiral(seed=2)[0])


# -------------------------------------------------------------------- errors
BAD_ARGUMENTS = [
    (lambda: make_moons(0), ValueError, "make_moons's n must be an int >= 2, got 0"),
    (lambda: make_moons(1), ValueError, "make_moons's n must be an int >= 2, got 1"),
    (lambda: make_moons(10.0), TypeError, "make_moons's n must be an int >= 2, got float (10.0)"),
    (lambda: make_moons(True), TypeError, "make_moons's n must be an int >= 2, got bool"),
    (lambda: make_moons(10, noise=-0.1), ValueError, "noise must be finite and >= 0, got -0.1"),
    (lambda: make_moons(10, noise=float("inf")), ValueError, "noise must be finite and >= 0, got inf"),
    (lambda: make_moons(10, noise="0.1"), TypeError, "noise must be a real number, got str"),
    (lambda: make_moons(10, seed=-1), ValueError, "seed as an int seed must be >= 0, got -1"),
    (lambda: make_moons(10, seed=1.5), TypeError, "seed must be a numpy.random.Generator, a non-negative int seed or None, got float"),
    (lambda: make_spiral(0), ValueError, "make_spiral's n_per_class must be a positive int, got 0"),
    (lambda: make_spiral(10, n_classes=0), ValueError, "make_spiral's n_classes must be a positive int, got 0"),
    (lambda: make_spiral(10, n_classes="3"), TypeError, "make_spiral's n_classes must be a positive int, got str"),
    (lambda: make_spiral(10, noise=float("nan")), ValueError, "noise must be finite and >= 0, got nan"),
]


@pytest.mark.parametrize("call, error, message", BAD_ARGUMENTS, ids=[m[:40] for _, _, m in BAD_ARGUMENTS])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


# ------------------------------------------ sizes and noise that cannot make finite data
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: make_moons(10**7), r"make_moons would make 10,000,000 points, more than 1,000,000"),
        (lambda: make_spiral(10**6, n_classes=3), r"make_spiral would make 3,000,000 points"),
        (lambda: make_moons(10, noise=1e308), r"make_moons: noise=1e\+308 is too large to make finite coordinates"),
        (lambda: make_spiral(10, noise=1e308), r"make_spiral: noise=1e\+308 is too large to make finite coordinates"),
    ],
)
def test_sizes_and_noise_that_cannot_make_a_finite_data_set_are_refused(call, message):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=message):
            call()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(noise=st.floats(0.0, 1e308), n=st.integers(2, 50), seed=st.integers(0, 100))
def test_any_noise_gives_finite_data_or_a_clear_error(noise, n, seed):
    for make in (lambda: make_moons(n, noise=noise, seed=seed), lambda: make_spiral(n, noise=noise, seed=seed)):
        try:
            X, _ = make()
        except ValueError as error:
            assert "too large to make finite coordinates" in str(error)
        else:
            assert np.all(np.isfinite(X))
