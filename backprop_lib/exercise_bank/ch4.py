"""Chapter 4's exercises: the teaching ``Node``, graders and hints.

Chapter 4 builds a thirty-line autograd ``Node`` by hand. The same class lives
here, so that an exercise cell can import it (``from
backprop_lib.exercise_bank.ch4 import Node``) and stay self-contained: the
learner extends it with ``-``, ``exp`` and ``relu``, and fixes a broken rule.
The chapter checks, in a hidden cell, that its ``Node`` is this one.

Every grader reruns the learner's code on small graphs, compares the forward
value with Python's own arithmetic and the gradients with central differences
(:func:`~backprop_lib.gradcheck.check_value_gradients`, the chapter 2 checker,
with ``node_type=`` the learner's class). The numeric answers are recomputed
with the engine (:class:`~backprop_lib.Value`); none is typed in.
"""

from __future__ import annotations

import math
from typing import Callable

from ..engine import Value, topological_order
from ..exercises import Feedback, check, exercise
from ..gradcheck import check_value_gradients

__all__ = ["Node", "add_rule", "mul_rule", "tanh_rule", "topo", "BUGGY_TANH_RULE_SOURCE"]


# --------------------------------------------------------------------------
# The teaching Node, exactly as chapter 4 writes it.
# --------------------------------------------------------------------------
class Node:
    """A teaching autograd node: a number, its gradient, its inputs and its backward rule."""

    def __init__(self, data, parents=(), rule=None):
        self.data, self.grad, self.parents, self.rule = data, 0.0, parents, rule

    def __add__(self, other):
        return Node(self.data + other.data, (self, other), add_rule)

    def __mul__(self, other):
        return Node(self.data * other.data, (self, other), mul_rule)

    def tanh(self):
        return Node(math.tanh(self.data), (self,), tanh_rule)

    def backward(self):
        self.grad = 1.0
        for node in reversed(topo(self)):  # every node before its inputs
            if node.rule:
                node.rule(node)


def add_rule(out):  # d(a+b)/da = d(a+b)/db = 1
    a, b = out.parents
    a.grad += out.grad
    b.grad += out.grad


def mul_rule(out):  # d(ab)/da = b, d(ab)/db = a
    a, b = out.parents
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def tanh_rule(out):  # d tanh(x)/dx = 1 - tanh(x)^2
    (x,) = out.parents
    x.grad += (1.0 - out.data**2) * out.grad


def topo(root):
    """Every node root depends on, each one after its inputs."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


# --------------------------------------------------------------------------
# Grading a learner's Node class: forward values and a gradient check.
# --------------------------------------------------------------------------
class _NotAnswered(Exception):
    """The learner's method still returns None: the starting code."""


_TOL = 1e-6  # relative error; central differences on these smooth graphs reach about 1e-9


def _grade_node_class(
    answer: object,
    method: str,
    cases: list[tuple[str, Callable[..., object], dict[str, float], Callable[..., float]]],
) -> Feedback:
    """Run each case ``(text, build, inputs, forward)`` on the learner's class ``answer``.

    ``build(**nodes)`` makes the graph with the learner's nodes; ``forward(**floats)``
    is the same expression on plain floats. The output's ``data`` must equal it,
    and the gradients must pass the chapter 2 checker.
    """
    if not isinstance(answer, type):
        return Feedback(False, f"pass your class itself (MyNode), not {type(answer).__name__}")
    for text, build, inputs, forward in cases:

        def guarded(**nodes):
            out = build(**nodes)
            if out is None:
                raise _NotAnswered
            return out

        try:
            nodes = {name: answer(x) for name, x in inputs.items()}
            out = guarded(**nodes)
            report = check_value_gradients(guarded, inputs, node_type=answer)
        except _NotAnswered:
            return Feedback(False, f"MyNode.{method} still returns None: fill it in and run the cell again.",
                            answered=False)
        except Exception as error:  # the learner's code may raise anything; say what and where
            return Feedback(False, f"computing {text} raised {type(error).__name__}: {error}")
        want = forward(**inputs)
        if not isinstance(getattr(out, "data", None), (int, float)) or abs(out.data - want) > 1e-12 * max(1.0, abs(want)):
            return Feedback(False, f"{text} at {_point(inputs)} should have data {want!r}, "
                            f"but your node holds {getattr(out, 'data', None)!r}")
        if not report.passed(_TOL):
            rows = "; ".join(f"d/d{name}: yours {a!r}, central differences {n!r}"
                             for name, a, n, e in report.rows() if e > _TOL)
            return Feedback(False, f"the gradients of {text} at {_point(inputs)} are wrong ({rows})")
    return Feedback(True, f"forward values and gradients agree with central differences on all {len(cases)} graphs.")


def _point(inputs: dict[str, float]) -> str:
    return ", ".join(f"{name} = {x:g}" for name, x in inputs.items())


SUB_CASES = [
    ("a - b", lambda a, b: a - b, dict(a=2.0, b=5.0), lambda a, b: a - b),
    ("(a - b) * a", lambda a, b: (a - b) * a, dict(a=3.0, b=-1.5), lambda a, b: (a - b) * a),
    ("a - a", lambda a: a - a, dict(a=1.5), lambda a: a - a),
    ("(x - b).tanh() * x", lambda x, b: (x - b).tanh() * x, dict(x=0.5, b=0.25),
     lambda x, b: math.tanh(x - b) * x),
]


@exercise("4-1", hint="How much does a - b change when a grows by a little? And when b grows by a little? "
          "Those are the two local derivatives; each input gets its own times out.grad, added with +=.")
def _grade_1(answer: object) -> Feedback:
    return _grade_node_class(answer, "__sub__", SUB_CASES)


EXP_CASES = [
    ("x.exp()", lambda x: x.exp(), dict(x=0.5), lambda x: math.exp(x)),
    ("x.exp()", lambda x: x.exp(), dict(x=-1.25), lambda x: math.exp(x)),
    ("x.exp() * x", lambda x: x.exp() * x, dict(x=0.75), lambda x: math.exp(x) * x),
    ("x.exp() * y + y", lambda x, y: x.exp() * y + y, dict(x=-0.3, y=2.0), lambda x, y: math.exp(x) * y + y),
]


@exercise("4-2", hint="What is the derivative of e^x? After the forward pass, one of the two nodes "
          "the rule can see already holds that number.")
def _grade_2(answer: object) -> Feedback:
    return _grade_node_class(answer, "exp", EXP_CASES)


RELU_CASES = [
    ("x.relu()", lambda x: x.relu(), dict(x=1.5), lambda x: max(0.0, x)),
    ("x.relu()", lambda x: x.relu(), dict(x=-2.0), lambda x: max(0.0, x)),
    ("x.relu() * x", lambda x: x.relu() * x, dict(x=0.8), lambda x: max(0.0, x) * x),
    ("x.relu() * x", lambda x: x.relu() * x, dict(x=-0.6), lambda x: max(0.0, x) * x),
    ("x.relu() * w + x", lambda x, w: x.relu() * w + x, dict(x=-1.0, w=2.0), lambda x, w: max(0.0, x) * w + x),
    ("x.relu() * w + x", lambda x, w: x.relu() * w + x, dict(x=0.4, w=-3.0), lambda x, w: max(0.0, x) * w + x),
]


@exercise("4-3", hint="ReLU is two straight pieces joined at 0. What is the slope of each piece? "
          "The rule needs to know which piece the input was on, and it still adds with +=.")
def _grade_3(answer: object) -> Feedback:
    return _grade_node_class(answer, "relu", RELU_CASES)


# --------------------------------------------------------------------------
# Exercise 4: df/dx of g = u * x + u with u = x * y, at x = 2, y = 3.
# --------------------------------------------------------------------------
PATHS_AT = dict(x=2.0, y=3.0)


def paths_gradient(x: float = PATHS_AT["x"], y: float = PATHS_AT["y"]) -> float:
    """dg/dx by the engine, for g = u * x + u with u = x * y."""
    xv, yv = Value(x), Value(y)
    u = xv * yv
    (u * xv + u).backward()
    return xv.grad


@exercise("4-4", hint="Find the three paths from x to g (two of them go through u). Multiply the "
          "local derivatives along each path, then add the three products.")
def _grade_4(answer: object) -> Feedback:
    return check(answer, paths_gradient, decimals=0)


# --------------------------------------------------------------------------
# Exercise 5: find the bug. A tanh rule that assigns where it should add.
# --------------------------------------------------------------------------
BUGGY_TANH_RULE_SOURCE = '''\
def tanh_rule(out):  # d tanh(x)/dx = 1 - tanh(x)^2
    (x,) = out.parents
    x.grad = (1.0 - out.data**2) * out.grad
'''
"""The rule exactly as Exercise 5 gives it (one wrong line)."""


def _buggy_tanh_rule() -> Callable:
    namespace: dict = {}
    exec(compile(BUGGY_TANH_RULE_SOURCE, "<exercise 4-5>", "exec"), namespace)
    return namespace["tanh_rule"]


def _same_code(f: Callable, g: Callable) -> bool:
    """Do two functions compile to the same instructions, names and constants?"""
    a, b = getattr(f, "__code__", None), getattr(g, "__code__", None)
    if a is None or b is None:
        return False
    return (a.co_code, a.co_names, a.co_varnames, a.co_consts) == (b.co_code, b.co_names, b.co_varnames, b.co_consts)


def _with_tanh_rule(rule: Callable) -> type:
    """A Node class whose tanh uses ``rule`` as its backward rule."""

    class Graded(Node):
        def tanh(self):
            return Node(math.tanh(self.data), (self,), rule)

    return Graded


TANH_CASES = [
    ("x.tanh()", lambda x: x.tanh(), dict(x=0.5)),
    ("x * x.tanh()", lambda x: x * x.tanh(), dict(x=0.5)),
    ("x * x.tanh()", lambda x: x * x.tanh(), dict(x=-1.2)),
    ("the neuron (x1*w1 + x2*w2 + b).tanh()", lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(),
     dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)),
    ("(x.tanh() + x).tanh()", lambda x: (x.tanh() + x).tanh(), dict(x=0.3)),
]


def tanh_bug_gradients(rule: Callable | None = None, x: float = 0.5) -> tuple[float, float]:
    """(rule's d/dx, central difference) of x * tanh(x): what the chapter quotes for the bug."""
    report = check_value_gradients(lambda x: x * x.tanh(), dict(x=x), node_type=_with_tanh_rule(rule or _buggy_tanh_rule()))
    return report.analytic[0], report.numeric[0]


@exercise("4-5", hint="The rule runs after every other use of x has already added its share to x.grad. "
          "Which line throws those shares away?")
def _grade_5(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"pass your fixed function tanh_rule itself, not {type(answer).__name__}")
    if _same_code(answer, _buggy_tanh_rule()):
        return Feedback(False, "this is still the rule as given. Find the wrong line, fix it, and run the cell again.",
                        answered=False)
    Graded = _with_tanh_rule(answer)
    for text, build, inputs in TANH_CASES:
        try:
            report = check_value_gradients(build, inputs, node_type=Graded)
        except Exception as error:  # the learner's code may raise anything
            return Feedback(False, f"computing the gradients of {text} raised {type(error).__name__}: {error}")
        if not report.passed(_TOL):
            rows = "; ".join(f"d/d{name}: yours {a!r}, central differences {n!r}"
                             for name, a, n, e in report.rows() if e > _TOL)
            return Feedback(False, f"the gradients of {text} at {_point(inputs)} are still wrong ({rows})")
    return Feedback(True, f"the rule passes the gradient check on all {len(TANH_CASES)} graphs, "
                    "including the ones where x is used twice.")


# --------------------------------------------------------------------------
# Exercise 6: a.grad after two backward() calls on y = a * a + a, at a = 3.
# --------------------------------------------------------------------------
def grad_after_two_backwards(a: float = 3.0) -> float:
    """a.grad after y.backward() twice on y = a * a + a, with no zero_grad in between (the engine)."""
    av = Value(a)
    y = av * av + av
    y.backward()
    y.backward()
    return av.grad


@exercise("4-6", hint="First find dy/da for one call (a is used three times). "
          "Then remember what happens to a leaf's grad when backward() runs again.")
def _grade_6(answer: object) -> Feedback:
    return check(answer, grad_after_two_backwards, decimals=0)


# --------------------------------------------------------------------------
# Exercise 7: how many values are in topological_order(t)?
# --------------------------------------------------------------------------
def count_values() -> int:
    """len(topological_order(t)) for the exercise's graph, by the engine."""
    p, q = Value(1.0), Value(2.0)
    r = p * q
    s = r + p
    t = s * s + 1
    return len(topological_order(t))


@exercise("4-7", hint="Write the values down one by one: the inputs, the result of every operation, "
          "and any plain number that took part in an operation. A value used twice is still one value.")
def _grade_7(answer: object) -> Feedback:
    return check(answer, count_values, decimals=0)
