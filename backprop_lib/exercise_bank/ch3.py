"""Chapter 3's exercises (the neuron): graders and hints.

Each grader recomputes the expected answer from the problem, with the engine
or with central differences; no answer is typed in here. A hint is shown only
after a wrong try, and nudges without giving the answer away.
"""

from __future__ import annotations

from typing import Callable, Mapping

from ..engine import Value
from ..exercises import Feedback, check, check_function, exercise
from ..gradcheck import GradientCheck, numerical_derivative


def _engine_gradient(build: Callable[..., Value], at: Mapping[str, float], wrt: str) -> float:
    """d build(**at) / d wrt, computed by the engine."""
    inputs = {name: Value(x, label=name) for name, x in at.items()}
    build(**inputs).backward()
    return inputs[wrt].grad


def _tanh_neuron(x1: Value, x2: Value, w1: Value, w2: Value, b: Value) -> Value:
    return (x1 * w1 + x2 * w2 + b).tanh()


def _sigmoid_neuron(x1: Value, x2: Value, w1: Value, w2: Value, b: Value) -> Value:
    return (x1 * w1 + x2 * w2 + b).sigmoid()


@exercise("3-1", hint="Work out n = x1*w1 + x2*w2 + b first; it is a friendly number. "
                      "Then do/dw1 is tanh's slope at n times the factor that w1 is multiplied by.")
def _grade_1(answer: object) -> Feedback:
    at = dict(x1=3.0, x2=1.0, w1=1.0, w2=-1.0, b=-2.0)
    return check(answer, lambda: _engine_gradient(_tanh_neuron, at, "w1"), decimals=3)


@exercise("3-2", hint="The derivative of tanh can be written with tanh's output alone, "
                      "and the question tells you that output.")
def _grade_2(answer: object) -> Feedback:
    import math

    return check(answer, lambda: _engine_gradient(lambda x: x.tanh(), {"x": math.atanh(0.6)}, "x"), decimals=3)


@exercise("3-3", hint="Follow the same path as for the tanh neuron: the activation's slope at n, times "
                      "the factor that w1 is multiplied by. Compute n and sigma(n) first.")
def _grade_3(answer: object) -> Feedback:
    at = dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.0)
    return check(answer, lambda: _engine_gradient(_sigmoid_neuron, at, "w1"), decimals=3)


# Exercise 4: find the bug in a ReLU neuron's backward pass. Each case is
# (inputs, weights, bias, the gradient dvalue arriving from the next layer).
# None has its weighted sum near ReLU's kink, so central differences are exact there.
BUG_CASES: list[tuple[list[float], list[float], float, float]] = [
    ([1.0, -2.0, 3.0], [-3.0, -1.0, 2.0], 1.0, 1.0),  # the chapter's neuron
    ([1.0, -2.0, 3.0], [-3.0, -1.0, 2.0], 1.0, 2.0),  # the same, with the next layer sending 2
    ([0.5, 2.0, -1.0], [4.0, 1.5, 0.5], 0.25, -0.5),
    ([1.0, 1.0, 1.0], [-1.0, -2.0, 0.5], -0.5, 3.0),  # z = -3: the ReLU is off
]
_NAMES = ["dx0", "dx1", "dx2", "dw0", "dw1", "dw2", "db"]


def _relu_neuron_times(params: list[float], dvalue: float) -> float:
    """dvalue * relu(x0*w0 + x1*w1 + x2*w2 + b) for params = [x0, x1, x2, w0, w1, w2, b]."""
    x, w, b = params[:3], params[3:6], params[6]
    z = x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + b
    return dvalue * max(z, 0.0)


def _gradient_check(analytic: list[float], params: list[float], dvalue: float) -> GradientCheck:
    """The learner's seven gradients against central differences, row by row."""
    table = GradientCheck()
    for i, name in enumerate(_NAMES):
        def nudged(t: float, i: int = i) -> float:
            return _relu_neuron_times(params[:i] + [t] + params[i + 1:], dvalue)

        table.add(name, analytic[i], numerical_derivative(nudged, params[i]))
    return table


@exercise("3-4", hint="Run it with dvalue = 2 and with dvalue = 1: every gradient should double. "
                      "Follow dvalue down the function, line by line: where does it get lost?")
def _grade_4(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"set answer to your fixed function relu_backward, got {type(answer).__name__}")
    for x, w, b, dvalue in BUG_CASES:
        try:
            got = answer(list(x), list(w), b, dvalue)
        except Exception as error:  # the learner's code may raise anything: report it, do not crash
            return Feedback(False, f"calling it with dvalue = {dvalue} raised {type(error).__name__}: {error}")
        if got is None:
            return Feedback(False, "relu_backward returns None; it should return (dx, dw, db).", answered=False)
        try:
            dx, dw, db = got
            analytic = [float(g) for g in dx] + [float(g) for g in dw] + [float(db)]
        except (TypeError, ValueError):
            return Feedback(False, "relu_backward should return (dx, dw, db): two lists of 3 numbers and a number")
        if len(analytic) != 7:
            return Feedback(False, f"dx and dw should have 3 entries each, got {len(analytic) - 1} entries in all")
        table = _gradient_check(analytic, [*x, *w, b], dvalue)
        if not table.passed(1e-6):
            worst = max(range(7), key=lambda i: table.errors[i])
            return Feedback(False, f"with dvalue = {dvalue}, the gradient check fails at {_NAMES[worst]}: "
                                   f"yours {table.analytic[worst]:g}, finite differences {table.numeric[worst]:.6g}")
    return Feedback(True, f"every gradient passes the finite-difference check, for all {len(BUG_CASES)} "
                          "neurons and incoming gradients.")


# Exercise 5: write the gradients of a ReLU neuron with any number of inputs.
RELU_CASES: list[tuple[list[float], list[float], float]] = [
    ([1.0, -2.0, 3.0], [-3.0, -1.0, 2.0], 1.0),
    ([0.5, 2.0], [4.0, -1.5], 0.25),
    ([1.5, -0.5, 2.0, 1.0], [0.5, 1.0, -0.25, 2.0], -1.0),
    ([1.0, 1.0, 1.0], [-1.0, -2.0, 0.5], -0.5),  # z = -3: the ReLU is off
]


def _engine_relu_grads(x: list[float], w: list[float], b: float) -> tuple[list[float], list[float], float]:
    xs, ws, bv = [Value(xi) for xi in x], [Value(wi) for wi in w], Value(b)
    z = bv
    for xi, wi in zip(xs, ws):
        z = z + xi * wi
    z.relu().backward()
    return [xi.grad for xi in xs], [wi.grad for wi in ws], bv.grad


def _flat(grads: object) -> list | None:
    """(dx, dw, db) as one list, so all of it is compared at once."""
    if grads is None:
        return None
    dx, dw, db = grads
    return [*dx, *dw, db]


@exercise("3-5", hint="Work from the output back: what does ReLU pass back when z > 0, and when it is off? "
                      "Then use what a sum and a product do to the gradient that reaches them.")
def _grade_5(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"expected your function relu_neuron_grads, got {type(answer).__name__}")
    return check_function(lambda x, w, b: _flat(answer(x, w, b)),
                          lambda x, w, b: _flat(_engine_relu_grads(x, w, b)), RELU_CASES)
