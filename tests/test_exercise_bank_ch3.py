"""Chapter 3's exercises: worked solutions pass, typical slips get the hint, cells run alone."""

from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_lib import check_exercise
from backprop_lib.exercise_bank import ch3
from backprop_lib.exercises import _lookup

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "03_neuron.ipynb"


def hint(id: str) -> str:
    return _lookup(id).hint


def exercise_cells() -> dict[str, str]:
    """Each exercise's code cell in the chapter, by id."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = {}
    for cell in nb.cells:
        match = re.search(r"check_exercise\(\s*[\"'](3-\d+)[\"']", cell.source)
        if cell.cell_type == "code" and match:
            cells[match.group(1)] = cell.source
    return cells


def solution_code(id: str) -> str:
    """The Python code of an exercise's worked solution (the dropdown after its cell)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and f'check_exercise("{id}"' in c.source)
    solution = next(c for c in nb.cells[index + 1:] if ":::{admonition} Solution" in c.source)
    fences = re.findall(r"```python\n(.*?)```", solution.source, re.S)
    assert fences, f"the solution of {id} shows its code"
    return fences[0]


def define(source: str, name: str, replace: tuple[str, str] | None = None):
    """Run the function definitions of ``source`` (optionally with one line replaced) and return ``name``."""
    if replace is not None:
        assert replace[0] in source, f"the cell contains {replace[0]!r}"
        source = source.replace(*replace)
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom))]
    namespace: dict = {}
    exec(compile(tree, "exercise", "exec"), namespace)
    return namespace[name]


BUGGY_LINE = "drelu_dz = 1.0 if z > 0 else 0.0"
FIXED_LINE = "drelu_dz = dvalue * (1.0 if z > 0 else 0.0)"


def relu_grads_always_on(x, w, b):
    """A typical slip in Exercise 5: forgetting that the ReLU can be off."""
    return list(w), list(x), 1.0


def relu_grads_swapped(x, w, b):
    """The other typical slip: each factor gets its own value, not the other factor."""
    z = sum(xi * wi for xi, wi in zip(x, w)) + b
    dz = 1.0 if z > 0 else 0.0
    return [dz * xi for xi in x], [dz * wi for wi in w], dz


# The worked answers, as a learner would give them by hand (rounded to the asked 3 decimals).
NUMERIC_SOLUTIONS = {"3-1": 3, "3-2": 0.64, "3-3": 0.5}
NUMERIC_SLIPS = {
    "3-1": 1.0,  # tanh's slope alone, forgetting the factor x1
    "3-2": 0.36,  # tanh(x)**2 instead of 1 - tanh(x)**2
    "3-3": 0.25,  # sigma'(n) alone, forgetting x1
}


@pytest.mark.parametrize("id", sorted(NUMERIC_SOLUTIONS))
def test_a_numeric_worked_solution_is_correct(id):
    verdict = check_exercise(id, NUMERIC_SOLUTIONS[id])
    assert verdict.correct, verdict


@pytest.mark.parametrize("id", sorted(NUMERIC_SLIPS))
def test_a_numeric_slip_is_not_yet_and_gets_the_hint(id):
    verdict = check_exercise(id, NUMERIC_SLIPS[id])
    assert not verdict.correct and verdict.answered
    assert repr(verdict).startswith("Not yet")
    assert hint(id) in verdict.message


def test_answers_to_3_decimals_pass_and_a_wrong_third_decimal_does_not():
    assert check_exercise("3-2", 0.640).correct
    assert not check_exercise("3-2", 0.641).correct
    assert check_exercise("3-1", 3.0004).correct
    assert not check_exercise("3-1", 3.001).correct


def test_the_expected_answers_are_computed_from_the_problem():
    # Exercise 1: n = 0, so do/dw1 = (1 - tanh(0)**2) * x1 = 3; Exercise 2: 1 - 0.6**2.
    assert math.isclose(ch3._engine_gradient(ch3._tanh_neuron, dict(x1=3.0, x2=1.0, w1=1.0, w2=-1.0, b=-2.0), "w1"), 3.0)
    assert math.isclose(ch3._engine_gradient(lambda x: x.tanh(), {"x": math.atanh(0.6)}, "x"), 1 - 0.6**2)
    assert math.isclose(ch3._engine_gradient(ch3._sigmoid_neuron, dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.0), "w1"), 0.5)


@pytest.mark.parametrize("id", ["3-1", "3-2", "3-3", "3-4", "3-5"])
def test_none_is_not_answered_yet(id):
    verdict = check_exercise(id, None)
    assert not verdict.correct and not verdict.answered
    assert repr(verdict).startswith("Not answered yet")


def test_exercise_4_the_buggy_function_as_given_is_not_yet_and_gets_the_hint():
    buggy = define(exercise_cells()["3-4"], "relu_backward")
    verdict = check_exercise("3-4", buggy)
    assert not verdict.correct and verdict.answered
    assert "gradient check fails" in verdict.message and "dvalue = 2.0" in verdict.message
    assert hint("3-4") in verdict.message


def test_exercise_4_the_fixed_function_passes_the_gradient_check():
    fixed = define(exercise_cells()["3-4"], "relu_backward", replace=(BUGGY_LINE, FIXED_LINE))
    verdict = check_exercise("3-4", fixed)
    assert verdict.correct, verdict


def test_exercise_4_the_solution_shows_the_fixed_line():
    assert solution_code("3-4").strip() == FIXED_LINE


def test_exercise_4_the_grader_needs_an_incoming_gradient_other_than_1():
    # The bug is invisible at dvalue = 1, so the grader must try another one, and an off neuron.
    assert any(dvalue not in (0.0, 1.0) for *_, dvalue in ch3.BUG_CASES)
    assert any(sum(xi * wi for xi, wi in zip(x, w)) + b < 0 for x, w, b, _ in ch3.BUG_CASES)


def test_exercise_4_bad_answers_get_clear_messages():
    assert "relu_backward" in check_exercise("3-4", 2.0).message
    assert "(dx, dw, db)" in check_exercise("3-4", lambda x, w, b, dvalue: 1.0).message
    not_answered = check_exercise("3-4", lambda x, w, b, dvalue: None)
    assert not not_answered.answered
    crashing = check_exercise("3-4", lambda x, w, b, dvalue: 1 / 0)
    assert "ZeroDivisionError" in crashing.message and not crashing.correct


def test_exercise_5_the_worked_solution_is_correct():
    solution = define(solution_code("3-5"), "relu_neuron_grads")
    verdict = check_exercise("3-5", solution)
    assert verdict.correct, verdict


@pytest.mark.parametrize("slip", [relu_grads_always_on, relu_grads_swapped])
def test_exercise_5_typical_slips_are_not_yet_and_get_the_hint(slip):
    verdict = check_exercise("3-5", slip)
    assert not verdict.correct and verdict.answered
    assert hint("3-5") in verdict.message


def test_exercise_5_the_starting_code_is_not_answered_yet():
    start = define(exercise_cells()["3-5"], "relu_neuron_grads")
    verdict = check_exercise("3-5", start)
    assert not verdict.correct and not verdict.answered


def test_no_hint_gives_the_answer_away():
    for id in ["3-1", "3-2", "3-3", "3-4", "3-5"]:
        text = hint(id)
        assert "0.64" not in text and "= 3" not in text and "0.5" not in text, text
        assert "dvalue * (" not in text and "dz * w" not in text, text


def test_the_chapter_has_five_exercises_in_order():
    assert list(exercise_cells()) == ["3-1", "3-2", "3-3", "3-4", "3-5"]


SCRIPT = (
    "import ast, sys\n"
    "tree = ast.parse(sys.argv[1])\n"
    "last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None\n"
    "namespace = {'__name__': '__main__'}\n"
    "exec(compile(tree, 'exercise', 'exec'), namespace)\n"
    "if last is not None:\n"
    "    print(repr(eval(compile(ast.Expression(last.value), 'exercise', 'eval'), namespace)))\n"
)


@pytest.mark.parametrize("id", ["3-1", "3-2", "3-3", "3-4", "3-5"])
def test_each_exercise_cell_runs_alone_in_a_fresh_interpreter(id, tmp_path):
    source = exercise_cells()[id]
    result = subprocess.run([sys.executable, "-I", "-c", SCRIPT, source], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("Not answered yet"), result.stdout[-500:]
