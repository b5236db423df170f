"""Chapter 1's exercises: the worked solutions pass, typical slips get the hint, the cells run alone."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from exercise_cells import run_alone

from backprop_lib import check_exercise
from backprop_lib.exercise_bank import ch1
from backprop_lib.exercises import _lookup

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "01_manual_gradients.ipynb"


def hint(id: str) -> str:
    return _lookup(id).hint


def exercise_cell(id: str) -> str:
    cells = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells
             if c.cell_type == "code" and f'check_exercise("{id}"' in c.source]
    assert len(cells) == 1, f"exactly one cell checks exercise {id}"
    return cells[0]


def correct(verdict) -> bool:
    return verdict.correct and repr(verdict).startswith("Correct")


def not_yet_with_hint(verdict, id: str) -> bool:
    return not verdict.correct and verdict.answered and repr(verdict).startswith("Not yet") and hint(id) in verdict.message


def fixed_backward(a, b, c, f, e, d, L):
    L.grad = 1.0
    d.grad = L.grad * f.data
    f.grad = L.grad * d.data
    e.grad = d.grad * 1.0
    c.grad = d.grad * 1.0
    a.grad = e.grad * b.data
    b.grad = e.grad * a.data


def own_factor_backward(a, b, c, f, e, d, L):
    """A different slip: the product hands a its own value instead of the other factor."""
    fixed_backward(a, b, c, f, e, d, L)
    a.grad = e.grad * a.data


# (id, the worked solution, a typical wrong answer)
CASES = [
    ("1-1", -2.0, 2.0),  # the sign of b dropped
    ("1-2", 2.0, -2.0),  # the subtraction's -1 forgotten
    ("1-3", lambda a, b, c, f: [f * b, f * a, f, a * b + c], lambda a, b, c, f: [f * a, f * b, f, a * b + c]),
    ("1-4", fixed_backward, own_factor_backward),
]


@pytest.mark.parametrize("id,solution,wrong", CASES, ids=[c[0] for c in CASES])
def test_the_worked_solution_is_correct_and_a_typical_slip_gets_the_hint(id, solution, wrong):
    assert correct(check_exercise(id, solution))
    verdict = check_exercise(id, wrong)
    assert not_yet_with_hint(verdict, id), repr(verdict)


@pytest.mark.parametrize("id", [c[0] for c in CASES])
def test_none_is_not_answered_yet(id):
    verdict = check_exercise(id, None)
    assert not verdict.correct and not verdict.answered


def test_a_hand_answer_rounded_to_3_decimals_passes_and_a_near_miss_does_not():
    assert check_exercise("1-1", -2.0004)
    assert not check_exercise("1-1", -2.01)


def test_exercise_4_starting_code_is_not_answered_and_a_crash_is_reported():
    namespace: dict = {}
    exec(exercise_cell("1-4").rsplit("check_exercise(", 1)[0], namespace)
    start = check_exercise("1-4", namespace["backward_by_hand"])
    assert not start.correct and not start.answered and "starting code" in start.message
    # The typed-in line is right at the chapter's point only, which is why the grader moves around.
    assert ch1._run_backward(namespace["backward_by_hand"], (2.0, -3.0, 10.0, -2.0)) == [6.0, -4.0, -2.0, 4.0]

    def crashes(a, b, c, f, e, d, L):
        raise ZeroDivisionError("boom")

    verdict = check_exercise("1-4", crashes)
    assert not verdict.correct and verdict.answered and "ZeroDivisionError" in verdict.message


def test_exercise_3_starting_code_is_not_answered_and_a_non_function_is_explained():
    namespace: dict = {}
    exec(exercise_cell("1-3").rsplit("check_exercise(", 1)[0], namespace)
    assert not check_exercise("1-3", namespace["grads"]).answered
    verdict = check_exercise("1-3", 6.0)
    assert not verdict.correct and verdict.answered and "expected a function" in verdict.message


def test_no_hint_gives_the_answer_away():
    for id, solution, _ in CASES:
        if not callable(solution):
            assert not re.search(rf"(?<![\d.]){re.escape(str(int(solution)))}(?![\d.])", hint(id)), id


@pytest.mark.parametrize("id", [c[0] for c in CASES])
def test_the_notebook_cell_runs_alone_in_a_fresh_interpreter(id, tmp_path):
    source = exercise_cell(id)
    assert re.search(r"^from backprop_lib import", source, re.M) and "hint=" not in source
    result = run_alone(source, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("Not answered yet"), result.stdout
