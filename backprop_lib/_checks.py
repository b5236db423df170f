"""Argument checks shared by the modules, so every bad input gets the same clear words."""

from __future__ import annotations

import numbers


def describe(obj: object) -> str:
    """A short description of ``obj`` for error messages: its type and value."""
    text = " ".join(repr(obj).split())  # one line, even for a NumPy array
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(obj).__name__} ({text})"


def whole_number(n: object, what: str, minimum: int = 1) -> int:
    """``n`` as an int of at least ``minimum``, or a TypeError/ValueError naming ``what``."""
    words = "a positive int" if minimum == 1 else f"an int >= {minimum}"
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be {words}, got {describe(n)}")
    if n < minimum:
        raise ValueError(f"{what} must be {words}, got {n!r}")
    return int(n)


def numpy_generator(seed: object, what: str = "seed"):
    """A NumPy Generator from a Generator, a non-negative int seed, or None (seed 0).

    None means seed 0, not fresh entropy: the book's numbers must not change between runs.
    """
    import numpy as np

    if seed is None:
        return np.random.default_rng(0)
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{what} must be a numpy.random.Generator, a non-negative int seed or None, got {describe(seed)}")
    if seed < 0:
        raise ValueError(f"{what} as an int seed must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))
