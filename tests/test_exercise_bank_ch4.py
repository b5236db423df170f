"""Chapter 4's exercises: right, wrong and unanswered answers, and each cell run alone."""

from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from backprop_lib import Value, check_exercise, check_value_gradients, topological_order
from backprop_lib.exercise_bank import ch4
from backprop_lib.exercise_bank.ch4 import Node
from backprop_lib.exercises import _REGISTRY

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "04_autograd.ipynb"


def hint(id: str) -> str:
    check_exercise(id, None)  # loads the chapter's module
    return _REGISTRY[id].hint


def assert_not_yet(verdict, id: str) -> None:
    assert not verdict and verdict.answered, repr(verdict)
    assert "Not yet" in repr(verdict) and hint(id) in verdict.message, repr(verdict)


# ---------------------------------------------------------------- the solutions
def sub_rule(out):
    a, b = out.parents
    a.grad += out.grad
    b.grad -= out.grad


class SubNode(Node):
    def __sub__(self, other):
        return Node(self.data - other.data, (self, other), sub_rule)


def exp_rule(out):
    (x,) = out.parents
    x.grad += out.data * out.grad


class ExpNode(Node):
    def exp(self):
        return Node(math.exp(self.data), (self,), exp_rule)


def relu_rule(out):
    (x,) = out.parents
    x.grad += (1.0 if x.data > 0 else 0.0) * out.grad


class ReluNode(Node):
    def relu(self):
        return Node(max(0.0, self.data), (self,), relu_rule)


def fixed_tanh_rule(out):
    (x,) = out.parents
    x.grad += (1.0 - out.data**2) * out.grad


# ------------------------------------------------------------ typical slips
def sub_rule_assign(out):  # '=' where '+=' belongs: wrong on a - a and (a - b) * a
    a, b = out.parents
    a.grad = out.grad
    b.grad = -out.grad


class SubAssignNode(Node):
    def __sub__(self, other):
        return Node(self.data - other.data, (self, other), sub_rule_assign)


def sub_rule_sign(out):  # forgets the minus sign for b
    a, b = out.parents
    a.grad += out.grad
    b.grad += out.grad


class SubSignNode(Node):
    def __sub__(self, other):
        return Node(self.data - other.data, (self, other), sub_rule_sign)


def exp_rule_no_chain(out):  # drops out.grad: right only when out is the root
    (x,) = out.parents
    x.grad += out.data


class ExpNoChainNode(Node):
    def exp(self):
        return Node(math.exp(self.data), (self,), exp_rule_no_chain)


def relu_rule_always(out):  # passes the gradient through even where the input was negative
    (x,) = out.parents
    x.grad += out.grad


class ReluAlwaysNode(Node):
    def relu(self):
        return Node(max(0.0, self.data), (self,), relu_rule_always)


class ReluWrongForwardNode(Node):  # an identity that claims to be relu, with a consistent rule:
    def relu(self):  # a gradient check alone would pass it; the forward check does not
        return Node(self.data, (self,), relu_rule_always)


def test_the_solutions_are_correct():
    assert check_exercise("4-1", SubNode)
    assert check_exercise("4-2", ExpNode)
    assert check_exercise("4-3", ReluNode)
    assert check_exercise("4-4", 15)
    assert check_exercise("4-5", fixed_tanh_rule)
    assert check_exercise("4-6", 14)
    assert check_exercise("4-7", 7)


def test_a_subclass_that_returns_its_own_class_is_correct_too():
    class Own(Node):
        def __sub__(self, other):
            return Own(self.data - other.data, (self, other), sub_rule)

    assert check_exercise("4-1", Own)


@pytest.mark.parametrize("id,answer", [
    ("4-1", SubAssignNode), ("4-1", SubSignNode),
    ("4-2", ExpNoChainNode),
    ("4-3", ReluAlwaysNode), ("4-3", ReluWrongForwardNode),
    ("4-4", 9), ("4-4", 12),  # one path, or two of the three
    ("4-5", lambda out: None),  # a rule that does nothing
    ("4-6", 7), ("4-6", 6),  # forgets the accumulation, or the direct use of a
    ("4-7", 6), ("4-7", 5),  # forgets the constant, or counts s * s as s
])
def test_a_typical_wrong_answer_is_not_yet_and_gets_the_hint(id, answer):
    assert_not_yet(check_exercise(id, answer), id)


def test_the_assign_slip_is_named_with_the_graph_that_shows_it():
    verdict = check_exercise("4-1", SubAssignNode)
    assert "(a - b) * a" in verdict.message and "central differences" in verdict.message


def test_a_wrong_forward_value_is_named():
    verdict = check_exercise("4-3", ReluWrongForwardNode)
    assert "should have data 0.0" in verdict.message


@pytest.mark.parametrize("id", [f"4-{k}" for k in range(1, 8)])
def test_none_is_not_answered_yet(id):
    verdict = check_exercise(id, None)
    assert not verdict and not verdict.answered


@pytest.mark.parametrize("id,method", [("4-1", "__sub__"), ("4-2", "exp"), ("4-3", "relu")])
def test_the_starting_code_is_not_answered_yet(id, method):
    class Start(Node):
        pass

    setattr(Start, method, lambda self, *other: None)
    verdict = check_exercise(id, Start)
    assert not verdict and not verdict.answered and method in verdict.message


def test_the_buggy_rule_as_given_is_not_answered_yet_and_its_bug_is_real():
    namespace: dict = {}
    exec(ch4.BUGGY_TANH_RULE_SOURCE, namespace)
    verdict = check_exercise("4-5", namespace["tanh_rule"])
    assert not verdict and not verdict.answered
    analytic, numeric = ch4.tanh_bug_gradients()
    assert abs(analytic - numeric) > 0.1  # the bug shows on x * tanh(x)
    # ... and only there: on tanh(x) alone the buggy rule passes a gradient check.
    alone = check_value_gradients(lambda x: x.tanh(), dict(x=0.5), node_type=ch4._with_tanh_rule(namespace["tanh_rule"]))
    assert alone.passed(1e-7)


def test_learner_code_that_raises_or_is_not_a_class_is_explained_not_crashed_on():
    class Raises(Node):
        def exp(self):
            raise ValueError("oops")

    verdict = check_exercise("4-2", Raises)
    assert not verdict and verdict.answered and "ValueError: oops" in verdict.message
    assert not check_exercise("4-2", ExpNode(1.0)) and "not ExpNode" in check_exercise("4-2", ExpNode(1.0)).message
    assert not check_exercise("4-5", 3) and "not int" in check_exercise("4-5", 3).message

    def tanh_raises(out):
        raise ZeroDivisionError("no")

    assert "ZeroDivisionError" in check_exercise("4-5", tanh_raises).message


def test_the_numeric_answers_are_the_engines():
    x, y = Value(2.0), Value(3.0)
    u = x * y
    (u * x + u).backward()
    assert ch4.paths_gradient() == x.grad == 2 * 2 * 3 + 3
    assert ch4.grad_after_two_backwards() == 2 * (2 * 3 + 1)
    p, q = Value(1.0), Value(2.0)
    s = p * q + p
    assert ch4.count_values() == len(topological_order(s * s + 1)) == 7
    assert check_exercise("4-4", 15.4) and not check_exercise("4-4", 15.6)  # "a whole number": decimals=0


def test_the_teaching_node_differentiates_the_neuron_like_the_engine():
    nodes = dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)
    teaching = check_value_gradients(lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(), nodes, node_type=Node)
    engine = check_value_gradients(lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(), nodes)
    assert teaching.passed(1e-7) and teaching.analytic == engine.analytic


# ----------------------------------------------------------- the chapter's cells
def chapter_cells() -> list[str]:
    return [c.source for c in nbformat.read(CHAPTER, as_version=4).cells if c.cell_type == "code"]


def test_the_chapter_writes_the_same_node_the_exercises_import():
    defined = {}
    for source in chapter_cells():
        for node in ast.parse(re.sub(r"^\s*[%!].*$", "", source, flags=re.M)).body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in {"Node", "add_rule", "mul_rule", "tanh_rule", "topo"}:
                defined.setdefault(node.name, node)  # the first definition: the lesson's, not an exercise's
    module = {n.name: n for n in ast.parse(Path(ch4.__file__).read_text()).body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    assert set(defined) == {"Node", "add_rule", "mul_rule", "tanh_rule", "topo"}
    for name, node in defined.items():
        theirs = module[name]
        if name == "Node":  # the module's class has a docstring; compare the methods
            mine = [ast.dump(f) for f in node.body if isinstance(f, ast.FunctionDef)]
            theirs = [ast.dump(f) for f in theirs.body if isinstance(f, ast.FunctionDef)]
            assert mine == theirs
        else:
            assert ast.dump(node) == ast.dump(theirs), name


EXERCISES = [s for s in chapter_cells() if "check_exercise(" in s]


def test_the_chapter_has_the_seven_exercises_in_order():
    ids = [re.search(r'check_exercise\("(4-\d)"', s).group(1) for s in EXERCISES]
    assert ids == [f"4-{k}" for k in range(1, 8)]


@pytest.mark.parametrize("source", EXERCISES, ids=[f"4-{k}" for k in range(1, len(EXERCISES) + 1)])
def test_each_exercise_cell_runs_alone_and_says_not_answered_yet(source, tmp_path):
    script = textwrap.dedent("""
        import ast, sys
        tree = ast.parse(sys.argv[1])
        last = tree.body.pop()
        namespace = {"__name__": "__main__"}
        exec(compile(tree, "exercise", "exec"), namespace)
        print(repr(eval(compile(ast.Expression(last.value), "exercise", "eval"), namespace)))
    """)
    result = subprocess.run([sys.executable, "-I", "-c", script, source], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("Not answered yet"), result.stdout


def test_the_fixed_exercise_cells_are_correct_when_run_alone(tmp_path):
    """The learner's path: fill in the starting code as the solutions do, run the cell alone."""
    fills = {
        "4-1": [("...  # add each input's share to its grad", "a.grad += out.grad\n    b.grad -= out.grad"),
                ("return None", "return Node(self.data - other.data, (self, other), sub_rule)")],
        "4-2": [("...  # add x's share to x.grad", "x.grad += out.data * out.grad"),
                ("return None", "return Node(math.exp(self.data), (self,), exp_rule)")],
        "4-3": [("...  # add x's share to x.grad", "x.grad += (x.data > 0) * out.grad"),
                ("return None", "return Node(max(0.0, self.data), (self,), relu_rule)")],
        "4-5": [("x.grad = (1.0", "x.grad += (1.0")],
    }
    for source in EXERCISES:
        id = re.search(r'check_exercise\("(4-\d)"', source).group(1)
        if id not in fills:
            continue
        for old, new in fills[id]:
            assert old in source, (id, old)
            source = source.replace(old, new)
        body, last = source.rstrip().rsplit("\n", 1)  # the cell's last line is its verdict
        runnable = f"{body}\nprint(repr({last}))\n"
        result = subprocess.run([sys.executable, "-I", "-c", runnable], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.startswith("Correct"), (id, result.stdout)
