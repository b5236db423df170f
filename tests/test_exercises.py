"""The exercise checkers: right, wrong and unanswered answers."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_lib import Feedback, check, check_derivative, check_function


def L(a, b, c, f):
    return (a * b + c) * f


def test_unanswered_says_what_to_do():
    verdict = check(None, 3.0)
    assert not verdict and not verdict.answered
    assert "replace None" in repr(verdict)
    assert "Not answered yet" in verdict._repr_html_()


def test_a_right_number_passes_and_a_wrong_one_gets_the_hint():
    assert check(6.0, lambda: 6.0)
    wrong = check(5.0, lambda: 6.0, hint="multiply by the other factor")
    assert not wrong and "multiply by the other factor" in repr(wrong)
    assert "Not yet" in wrong._repr_html_()


def test_arrays_are_compared_by_shape_then_value():
    assert check([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]]))
    shape = check([1, 2, 3], np.zeros((3, 1)))
    assert not shape and "shape (3, 1)" in shape.message and "shape (3,)" in shape.message
    assert "a single number" in check(1.0, [1.0]).message


def test_a_non_number_answer_is_explained_not_crashed_on():
    verdict = check("six", 6.0)
    assert not verdict and "str" in verdict.message


def test_check_derivative_computes_the_expected_gradient_with_the_engine():
    at = dict(a=2, b=-3, c=10, f=-2)
    assert check_derivative(6, L, at, "a")
    assert check_derivative(-4, L, at, "b")
    assert not check_derivative(4, L, at, "b")
    with pytest.raises(ValueError, match="wrt must name one of the inputs"):
        check_derivative(1, L, at, "z")


def test_check_function_finds_the_first_failing_case():
    def reference(x):
        return 2 * x

    assert check_function(lambda x: 2 * x, reference, [(1,), (2,)])
    verdict = check_function(lambda x: x + x if x < 2 else 0, reference, [(1,), (2,)])
    assert not verdict and "for input (2,)" in verdict.message and "expected 4.0" in verdict.message
    raised = check_function(lambda x: 1 / 0, reference, [(1,)])
    assert not raised and "ZeroDivisionError" in raised.message
    assert not check_function(lambda x: None, reference, [(1,)]).answered
    assert not check_function(None, reference, [(1,)]).answered
    assert "expected a function" in check_function(3, reference, [(1,)]).message


def test_feedback_is_truthy_only_when_correct():
    assert Feedback(True, "")
    assert not Feedback(False, "no")
