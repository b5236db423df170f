"""Chapter 1's exercises (manual gradients): graders and hints.

Every expected answer is computed here from the problem, with the engine or
with central differences; none is typed in.
"""

from __future__ import annotations

from typing import Callable

from ..engine import Value
from ..exercises import Feedback, check, check_function, exercise
from ..gradcheck import GradientCheck, numerical_derivative


def _engine_grad(f: Callable[..., Value], at: dict[str, float], wrt: str) -> float:
    """d f / d ``wrt`` at the point ``at``, from the engine's backward pass."""
    inputs = {name: Value(x, label=name) for name, x in at.items()}
    f(**inputs).backward()
    return inputs[wrt].grad


def _L(a, b, c, f):
    return (a * b + c) * f


def _engine_grads_L(a: float, b: float, c: float, f: float) -> list[float]:
    return [_engine_grad(_L, dict(a=a, b=b, c=c, f=f), name) for name in "abcf"]


@exercise("1-1", hint="walk back from L one node at a time: what does the addition d = e + c pass on to e, "
          "and which number multiplies a in e = a*b?")
def _grade_1(answer: object) -> Feedback:
    return check(answer, lambda: _engine_grad(_L, dict(a=3.0, b=-1.0, c=4.0, f=2.0), "a"), decimals=3)


@exercise("1-2", hint="when y grows, does x - y grow or shrink? The local derivative of x - y "
          "with respect to y carries that sign, and the chain rule multiplies it by dM/d(x - y).")
def _grade_2(answer: object) -> Feedback:
    return check(answer, lambda: _engine_grad(lambda x, y, z: (x - y) * z, dict(x=1.0, y=4.0, z=-2.0), "y"),
                 decimals=3)


# Points where exercise 3's function and exercise 4's backward pass are checked: the
# chapter's point and others, so a gradient that is right at one point only is caught.
_POINTS = [(2.0, -3.0, 10.0, -2.0), (1.0, 1.0, 1.0, 1.0), (0.5, -4.0, 3.0, 7.0), (3.0, -1.0, 4.0, 2.0)]


@exercise("1-3", hint="start from dL/dd = f and dL/df = d = a*b + c, then go back one node at a time: "
          "the addition passes dL/dd on unchanged, the product swaps in the other factor.")
def _grade_3(answer: object) -> Feedback:
    return check_function(answer, _engine_grads_L, _POINTS)


def _starting_backward(a, b, c, f, e, d, L) -> None:
    """Exercise 4's backward pass as the chapter gives it (one wrong line)."""
    L.grad = 1.0
    d.grad = L.grad * f.data
    f.grad = L.grad * d.data
    e.grad = -2.0
    c.grad = d.grad * 1.0
    a.grad = e.grad * b.data
    b.grad = e.grad * a.data


def _run_backward(backward: Callable, point: tuple[float, ...]) -> list[float]:
    """Build L at ``point``, let ``backward`` fill in the grads, return those of a, b, c, f."""
    a, b, c, f = (Value(x, label=name) for x, name in zip(point, "abcf"))
    e = a * b
    d = e + c
    L = d * f
    backward(a, b, c, f, e, d, L)
    return [a.grad, b.grad, c.grad, f.grad]


@exercise("1-4", hint="the pass must be right at every point, not only at (2, -3, 10, -2). Run it at "
          "(3, -1, 4, 2) and compare each gradient with a nudge; then ask which line would not change "
          "if the inputs did.")
def _grade_4(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"expected your backward function, got {type(answer).__name__}")
    try:
        got = {point: _run_backward(answer, point) for point in _POINTS}
    except Exception as error:  # the learner's code may raise anything; report it, do not crash
        return Feedback(False, f"running your backward pass raised {type(error).__name__}: {error}")
    if all(got[point] == _run_backward(_starting_backward, point) for point in _POINTS):
        return Feedback(False, "this is still the starting code. Find the wrong line, fix it and run the cell again.",
                        answered=False)
    for point in _POINTS:
        grid = GradientCheck()
        for i, name in enumerate("abcf"):
            def L_at(x: float, i: int = i) -> float:
                args = list(point)
                args[i] = x
                return _L(*args)

            grid.add(f"dL/d{name}", got[point][i], numerical_derivative(L_at, point[i]))
        if not grid.passed(1e-7):
            worst = max(range(4), key=lambda i: grid.errors[i])
            return Feedback(False, f"at (a, b, c, f) = {point} your {grid.names[worst]} is {grid.analytic[worst]!r}, "
                            f"but a nudge measures {grid.numeric[worst]:.6f}")
    return Feedback(True, f"every gradient matches a nudge at all {len(_POINTS)} points.")
