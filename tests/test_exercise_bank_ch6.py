"""Chapter 6's exercises: worked solutions pass, typical slips get the hint, cells run alone."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_lib import Node, Value, check_exercise
from backprop_lib.exercise_bank import ch6
from backprop_lib.exercises import _lookup
from backprop_lib.gates import MultiplyNode

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "06_gradient_descent.ipynb"


def hint(id: str) -> str:
    return _lookup(id).hint


class FixedGate:
    """The worked solution of Exercise 5: both lines add."""

    def forward(self, a, b):
        self.a, self.b, self.output = a, b, Node(a.value * b.value)
        return self.output

    def backward(self):
        self.a.grad += self.b.value * self.output.grad
        self.b.grad += self.a.value * self.output.grad


class BuggyGate(FixedGate):
    """The exercise's starting code: the second line assigns."""

    def backward(self):
        self.a.grad += self.b.value * self.output.grad
        self.b.grad = self.a.value * self.output.grad


class AssigningGate(FixedGate):
    """The common mistake in full: both lines assign."""

    def backward(self):
        self.a.grad = self.b.value * self.output.grad
        self.b.grad = self.a.value * self.output.grad


class SwappedGate(FixedGate):
    """The other multiply slip: each input gets its own value instead of the other's."""

    def backward(self):
        self.a.grad += self.a.value * self.output.grad
        self.b.grad += self.b.value * self.output.grad


def sgd_step(params, grads, lr):
    return [p - lr * g for p, g in zip(params, grads)]


def sgd_step_uphill(params, grads, lr):
    return [p + lr * g for p, g in zip(params, grads)]


def sgd_step_in_place(params, grads, lr):
    for i, g in enumerate(grads):
        params[i] -= lr * g
    return params


SOLUTIONS = {
    "6-1": 12,  # dL/df = 4, times x + y = 3
    "6-2": 0.84,  # 1 - 0.01 * 16
    "6-3": (0.5 + math.atanh(0.8) + 0.02) / 2,
    "6-4": sgd_step,
    "6-5": FixedGate,
}
WRONG = {
    "6-1": 3,  # dL/df times z: the wrong factor
    "6-2": 1.16,  # a step uphill
    "6-3": 0.5,  # w1 + w2, not w1
    "6-4": sgd_step_uphill,
    "6-5": BuggyGate,
}


@pytest.mark.parametrize("id", sorted(SOLUTIONS))
def test_the_worked_solution_is_correct(id):
    verdict = check_exercise(id, SOLUTIONS[id])
    assert verdict.correct, verdict


@pytest.mark.parametrize("id", sorted(WRONG))
def test_a_typical_wrong_answer_is_not_yet_and_gets_the_hint(id):
    verdict = check_exercise(id, WRONG[id])
    assert not verdict.correct and verdict.answered, verdict
    assert repr(verdict).startswith("Not yet")
    assert hint(id) in verdict.message


@pytest.mark.parametrize("id", sorted(SOLUTIONS))
def test_none_is_not_answered_yet(id):
    verdict = check_exercise(id, None)
    assert not verdict.correct and not verdict.answered
    assert repr(verdict).startswith("Not answered yet")


def test_answers_rounded_to_three_decimals_pass_and_a_wrong_third_decimal_fails():
    assert check_exercise("6-1", 12.000)
    assert check_exercise("6-2", 0.840)
    assert check_exercise("6-3", round(SOLUTIONS["6-3"], 3))
    assert not check_exercise("6-3", round(SOLUTIONS["6-3"], 3) + 0.001)


def test_exercise_3s_expected_answer_is_where_descent_really_stops():
    """The grader trains with the engine; the invariants of the chapter give the same point."""
    assert ch6.gate_fixed_point_w1() == pytest.approx(SOLUTIONS["6-3"], abs=1e-12)
    # The learning rate sets the pace, not the place.
    assert ch6.gate_fixed_point_w1(lr=0.05) == pytest.approx(SOLUTIONS["6-3"], abs=1e-12)


def test_exercise_4_uses_the_real_gradients_at_the_chapters_start():
    params, grads, lr = ch6.sgd_cases()[0]
    assert params == [12.3791, 1.4782, 8.192] and lr == 0.001
    x, y, z = (Value(p) for p in params)
    ((144 - z * (x + y)) ** 2).backward()
    assert grads == [x.grad, y.grad, z.grad]
    assert [round(g, 1) for g in grads] == [-499.4, -499.4, -844.8]


def test_exercise_4_a_function_that_changes_its_input_is_not_yet():
    verdict = check_exercise("6-4", sgd_step_in_place)
    assert not verdict.correct and "new list" in verdict.message


def test_exercise_4_the_untouched_function_is_not_answered_yet():
    verdict = check_exercise("6-4", lambda params, grads, lr: None)
    assert not verdict.answered


@pytest.mark.parametrize("gate", [BuggyGate, AssigningGate, SwappedGate])
def test_exercise_5_the_gradient_check_catches_every_slip(gate):
    verdict = check_exercise("6-5", gate)
    assert not verdict.correct and verdict.answered
    assert "finite differences" in verdict.message


def test_exercise_5_the_librarys_gate_passes_and_a_non_class_is_explained():
    assert check_exercise("6-5", MultiplyNode)
    verdict = check_exercise("6-5", 3)
    assert not verdict.correct and "class" in verdict.message


def test_exercise_5_a_gate_that_raises_is_reported_not_crashed_on():
    class Broken(FixedGate):
        def backward(self):
            raise ZeroDivisionError("oops")

    verdict = check_exercise("6-5", Broken)
    assert not verdict.correct and "ZeroDivisionError" in verdict.message


def exercise_sources() -> list[str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and "check_exercise(" in c.source]


def run_alone(source: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a cell in a fresh interpreter as the notebook would, printing its last expression."""
    script = (
        "import ast, sys\n"
        "tree = ast.parse(sys.argv[1])\n"
        "last = tree.body.pop()\n"
        "namespace = {'__name__': '__main__'}\n"
        "exec(compile(tree, 'exercise', 'exec'), namespace)\n"
        "print(repr(eval(compile(ast.Expression(last.value), 'exercise', 'eval'), namespace)))\n"
    )
    result = subprocess.run([sys.executable, "-I", "-c", script, source], cwd=cwd,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_the_chapter_has_these_five_exercises_in_order():
    ids = [re.search(r"check_exercise\(\"(6-\d)\"", source).group(1) for source in exercise_sources()]
    assert ids == sorted(SOLUTIONS)


@pytest.mark.parametrize("k", range(1, 6))
def test_each_exercise_cell_runs_alone_and_says_not_answered_yet(k, tmp_path):
    source = exercise_sources()[k - 1]
    assert "hint=" not in source
    result = run_alone(source, tmp_path)
    assert result.stdout.strip().splitlines()[-1].startswith("Not answered yet"), result.stdout


FIXES = {  # the learner's edit to each cell, as the worked solution describes it
    1: [("answer = None", "answer = 12")],
    2: [("answer = None", "answer = 0.84")],
    3: [("answer = None", "answer = (0.5 + math.atanh(0.8) + 0.02) / 2")],
    4: [("return None", "return [p - lr * g for p, g in zip(params, grads)]")],
    5: [("self.b.grad = self.a.value", "self.b.grad += self.a.value"), ("answer = None", "answer = MultiplyGate")],
}


@pytest.mark.parametrize("k", sorted(FIXES))
def test_each_exercise_cell_with_the_worked_solution_filled_in_says_correct(k, tmp_path):
    source = exercise_sources()[k - 1]
    for old, new in FIXES[k]:
        assert source.count(old) == 1, f"Exercise {k}'s cell has one {old!r} to replace"
        source = source.replace(old, new)
    result = run_alone(source, tmp_path)
    assert result.stdout.strip().splitlines()[-1].startswith("Correct"), result.stdout
