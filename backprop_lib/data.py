"""Small 2-D toy data sets for training the NumPy layers, made with NumPy alone.

* :func:`make_moons`: two interleaving half circles, as scikit-learn's;
* :func:`make_spiral`: the spiral arms of *Neural Networks from Scratch*.

Both are deterministic for a given seed, so the book's figures do not change
between builds.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._checks import describe, numpy_generator, whole_number

__all__ = ["make_moons", "make_spiral"]


MAX_SAMPLES = 1_000_000
"""The most points a generator makes: toy data, and far beyond what a chapter trains on."""


def _size(n: int, what: str, per: int = 1) -> None:
    if n * per > MAX_SAMPLES:
        raise ValueError(f"{what} would make {n * per:,} points, more than {MAX_SAMPLES:,}: these are toy data sets")


def _refuse_non_finite(X: np.ndarray, noise: float, what: str) -> np.ndarray:
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{what}: noise={noise!r} is too large to make finite coordinates")
    return X


def _noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a real number, got {describe(noise)}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be finite and >= 0, got {noise!r}")
    return float(noise)


def make_moons(n: int = 100, noise: float = 0.1, seed: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: a data set no straight line separates.

    Args:
        n: the number of points, at least 2; class 0 (the upper moon) gets
            ``n // 2`` of them and class 1 the rest, as in scikit-learn.
        noise: the standard deviation of Gaussian noise added to each coordinate.
        seed: an int seed, a ``numpy.random.Generator``, or None (seed 0).

    Returns:
        ``X`` of shape ``(n, 2)`` (float64) and labels ``y`` of shape ``(n,)``
        (int64), shuffled together.

    >>> X, y = make_moons(6, noise=0.0)
    >>> X.shape, y.tolist().count(0)
    ((6, 2), 3)
    """
    n = whole_number(n, "make_moons's n", minimum=2)  # at least one point per moon
    _size(n, "make_moons")
    noise = _noise(noise)
    rng = numpy_generator(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    upper = np.linspace(0.0, np.pi, n_upper)
    lower = np.linspace(0.0, np.pi, n_lower)
    # The upper moon is the unit half circle; the lower one is it flipped and
    # moved by (1, 0.5), so each moon's tip reaches into the other's hollow.
    X = np.empty((n, 2))
    X[:n_upper, 0] = np.cos(upper)
    X[:n_upper, 1] = np.sin(upper)
    X[n_upper:, 0] = 1.0 - np.cos(lower)
    X[n_upper:, 1] = 0.5 - np.sin(lower)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_upper, n_lower])
    # Shuffle first, then add noise: the noise is then the same draws for every
    # noise level, only scaled, so a figure can vary it smoothly.
    order = rng.permutation(n)
    X, y = X[order], y[order]
    with np.errstate(over="ignore", invalid="ignore"):  # reported below
        X += noise * rng.standard_normal((n, 2))
    return _refuse_non_finite(X, noise, "make_moons"), y


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int | np.random.Generator | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Spiral arms, one per class, as nnfs's ``spiral_data``.

    The points of class ``c`` have radii running evenly from 0 to 1 and
    angles ``2.5 t``, where ``t`` runs evenly from ``4c`` to ``4(c + 1)``,
    plus Gaussian noise of standard deviation ``noise``: the noise moves a
    point along its circle, never changes its radius.

    Returns:
        ``X`` of shape ``(n_per_class * n_classes, 2)`` (float64) and labels
        ``y`` (int64), class by class: ``[0, ..., 0, 1, ..., 1, ...]``.

    >>> X, y = make_spiral(4, n_classes=2)
    >>> X.shape, y.tolist()
    ((8, 2), [0, 0, 0, 0, 1, 1, 1, 1])
    """
    n_per_class = whole_number(n_per_class, "make_spiral's n_per_class")
    n_classes = whole_number(n_classes, "make_spiral's n_classes")
    _size(n_per_class, "make_spiral", n_classes)
    noise = _noise(noise)
    rng = numpy_generator(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    t = np.concatenate([np.linspace(4.0 * c, 4.0 * (c + 1), n_per_class) for c in range(n_classes)])
    with np.errstate(over="ignore", invalid="ignore"):  # reported below
        t += noise * rng.standard_normal(t.shape)
        X = np.column_stack([radius * np.sin(2.5 * t), radius * np.cos(2.5 * t)])
    _refuse_non_finite(X, noise, "make_spiral")
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    return X, y
