"""Chapter 2's exercises (numeric checks): graders and hints.

Every expected answer is computed here from the problem, with
:func:`~backprop_lib.gradcheck.numerical_derivative` or the engine; none is typed in.
"""

from __future__ import annotations

import math
from typing import Callable

from ..exercises import Feedback, check, check_function, exercise
from ..gradcheck import GradientCheck, numerical_derivative


def _cube(x: float) -> float:
    return x**3


def _relu(x: float) -> float:
    return max(0.0, x)


@exercise("2-1", hint="the central difference evaluates f at the two points x - h and x + h and divides "
          "by the distance between them, not by h.")
def _grade_1(answer: object) -> Feedback:
    return check(answer, lambda: numerical_derivative(_cube, 2.0, h=0.1), decimals=3)


def _best_forward_exponent() -> int:
    # The forward error h/2 |f''| + eps |f| / h is smallest where the two terms meet, h ~ sqrt(eps).
    import numpy as np

    return round(math.log10(math.sqrt(float(np.finfo(np.float64).eps))))


@exercise("2-2", hint="two errors compete: truncation, about h, shrinks with the step, and round-off, about "
          "eps/h with eps ≈ 2.2e-16, grows as it shrinks. Their sum is smallest roughly where they are equal.",
          needs_numpy=True)
def _grade_2(answer: object) -> Feedback:
    return check(answer, _best_forward_exponent, decimals=0)


@exercise("2-3", hint="one of the two points x - h and x + h lies on the flat side of the kink: "
          "what is relu there, and what is it at the other point?")
def _grade_3(answer: object) -> Feedback:
    return check(answer, lambda: numerical_derivative(_relu, 2.5e-7, h=1e-6), decimals=3)


def _reference_central(f: Callable[[float], float], x: float, h: float) -> float:
    return numerical_derivative(f, x, h, method="central")


@exercise("2-4", hint="evaluate f on both sides of x, subtract, and divide by the distance between "
          "the two points you used.")
def _grade_4(answer: object) -> Feedback:
    cases = [(math.exp, 1.0, 1e-5), (math.sin, 0.5, 1e-3), (_cube, 2.0, 0.1)]
    return check_function(answer, _reference_central, cases)


def _F(a: float, b: float) -> float:
    return (a * b) * (a + b)


def _starting_backward_F(a: float, b: float) -> tuple[float, float]:
    """Exercise 5's backward pass as the chapter gives it (one path of b overwritten)."""
    d, e = a * b, a + b
    dF_dd, dF_de = e, d
    dF_da = dF_dd * b
    dF_da += dF_de * 1.0
    dF_db = dF_dd * a
    dF_db = dF_de * 1.0
    return dF_da, dF_db


_POINTS_F = [(-2.0, 3.0), (1.0, 2.0), (0.5, -1.5), (3.0, 0.25)]


def _as_pair(result: object) -> tuple[float, float] | None:
    try:
        first, second = result  # type: ignore[misc]
        return float(first), float(second)
    except (TypeError, ValueError):
        return None


@exercise("2-5", hint="b reaches F through d = a*b and through e = a + b. Are both paths still in "
          "dF_db when the function returns? Compare how dF_da collects its two paths.")
def _grade_5(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"expected your backward function, got {type(answer).__name__}")
    got = {}
    for point in _POINTS_F:
        try:
            result = answer(*point)
        except Exception as error:  # the learner's code may raise anything; report it, do not crash
            return Feedback(False, f"backward_F{point} raised {type(error).__name__}: {error}")
        pair = _as_pair(result)
        if pair is None:
            return Feedback(False, f"backward_F{point} should return two numbers (dF/da, dF/db), got {result!r}")
        got[point] = pair
    if all(got[point] == _starting_backward_F(*point) for point in _POINTS_F):
        return Feedback(False, "this is still the starting code. Find the line that loses a path, fix it "
                        "and run the cell again.", answered=False)
    for a, b in _POINTS_F:
        grid = GradientCheck()
        grid.add("dF/da", got[(a, b)][0], numerical_derivative(lambda x: _F(x, b), a))
        grid.add("dF/db", got[(a, b)][1], numerical_derivative(lambda x: _F(a, x), b))
        if not grid.passed(1e-7):
            worst = max(range(2), key=lambda i: grid.errors[i])
            return Feedback(False, f"at (a, b) = ({a}, {b}) your {grid.names[worst]} is {grid.analytic[worst]!r}, "
                            f"but central differences measure {grid.numeric[worst]:.6f}")
    return Feedback(True, f"both gradients pass the gradient check at all {len(_POINTS_F)} points.")
