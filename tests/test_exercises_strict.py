"""The exercise checkers never accept a wrong answer and never reject a right one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib import Value, check, check_derivative, check_function

# Magnitudes a chapter might ask for, from tiny slopes to large counts.
expected_values = st.floats(min_value=1e-10, max_value=1e10, allow_nan=False) | st.floats(-1e10, -1e-10)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(want=expected_values, rel=st.floats(-5e-7, 5e-7))
def test_an_answer_within_tol_relative_to_the_expected_value_passes(want, rel):
    assert check(want * (1 + rel), want)
    assert check(Value(want * (1 + rel)), lambda: want)  # a Value counts as its data


@settings(max_examples=300, deadline=None, derandomize=True)
@given(want=st.floats(1e-7, 1e10) | st.floats(-1e10, -1e-7), rel=st.floats(2e-6, 1e3) | st.floats(-1e3, -2e-6))
def test_an_answer_off_by_more_than_tol_relative_fails(want, rel):
    assert not check(want * (1 + rel), want)
    assert not check(0.0, want)


def test_the_cases_from_the_issue():
    assert not check(5e-7, 1e-8)
    sigmoid = lambda x: 1 / (1 + (-x).exp())  # noqa: E731
    slope = check_derivative(0.0, lambda x: sigmoid(x), {"x": 20.0}, "x")
    assert not slope  # the slope is 2.1e-9, not 0
    assert check_derivative(math.exp(-20) / (1 + math.exp(-20)) ** 2, lambda x: sigmoid(x), {"x": 20.0}, "x")
    assert not check_derivative(0.0, lambda x: x.tanh(), {"x": 10.0}, "x")
    assert check(1e-15, 0.0) and not check(1e-12, 0.0)  # the absolute floor is 1e-14
    assert not check(1e-9 * (1 + 1e-4), 1e-9)  # far above the floor, tol stays relative


def test_decimals_still_accept_a_rounded_hand_answer():
    assert check(0.123, 0.12345, decimals=3) and check(0.1235, 0.12345, decimals=3)
    assert not check(0.124, 0.12345, decimals=3)


@pytest.mark.parametrize("answer", [1 + 0j, 2j, np.complex128(1.0), [1.0, 1j]])
def test_complex_answers_are_refused(answer):
    with _no_warnings():  # refused, not cast with a ComplexWarning
        verdict = check(answer, 1.0 if np.ndim(answer) == 0 else [1.0, 0.0])
    assert not verdict and "complex" in verdict.message


class _no_warnings:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)


def test_values_count_as_their_data():
    assert check([Value(1.0), Value(2.0)], [1, 2])
    assert check(np.array([Value(1.0), Value(2.0)], dtype=object), [1, 2])
    assert not check([Value(1.0), Value(2.5)], [1, 2])
    assert check_function(lambda x: Value(x) * 2, lambda x: 2 * x, [(1.0,), (3.0,)])
    assert check_function(lambda x: [Value(x), Value(-x)], lambda x: [x, -x], [(1.0,)])


@pytest.mark.parametrize("answer", [math.nan, math.inf, [1.0, math.nan]])
def test_nan_and_inf_answers_are_wrong(answer):
    verdict = check(answer, 1.0 if np.ndim(answer) == 0 else [1.0, 2.0])
    assert not verdict and verdict.answered


def test_author_mistakes_are_refused():
    double = lambda x: 2 * x  # noqa: E731
    with pytest.raises(ValueError, match=r"non-empty list of test cases"):
        check_function(double, double, [])
    with pytest.raises(TypeError, match=r"each test case must be a tuple of arguments, e\.g\. \(2\.0,\), got float"):
        check_function(double, double, [1.0, 2.0])

    def mutating(xs):
        xs[0] = 99.0
        return sum(xs)

    with pytest.raises(ValueError, match=r"the reference function changed its inputs"):
        check_function(lambda xs: sum(xs), mutating, [([1.0, 2.0],)])

    def mutating_array(x):
        x *= 2
        return x

    with pytest.raises(ValueError, match=r"changed its inputs"):
        check_function(lambda x: 2 * x, mutating_array, [(np.ones(3),)])
    with pytest.raises(ValueError, match=r"expected answer must be finite"):
        check(1.0, math.nan)
    with pytest.raises(ValueError, match=r"tol must be a number in \[0, 1\)"):
        check(1.0, 1.0, tol=-1)


def test_the_answer_cannot_change_the_references_case():
    def sneaky(xs):
        xs.append(0.0)  # changes its own copy only
        return 1.0

    assert check_function(sneaky, lambda xs: 1.0, [([1.0],), ([2.0],)])
