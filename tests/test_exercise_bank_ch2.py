"""Chapter 2's exercises: the worked solutions pass, typical slips get the hint, the cells run alone."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from exercise_cells import run_alone

from backprop_lib import check_exercise
from backprop_lib.exercises import _lookup

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "02_numeric_checks.ipynb"


def hint(id: str) -> str:
    return _lookup(id).hint


def exercise_cell(id: str) -> str:
    cells = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells
             if c.cell_type == "code" and f'check_exercise("{id}"' in c.source]
    assert len(cells) == 1, f"exactly one cell checks exercise {id}"
    return cells[0]


def starting_code(id: str) -> dict:
    """Run the exercise cell without its last line (the check) and return what it defined."""
    namespace: dict = {}
    exec(exercise_cell(id).rsplit("check_exercise(", 1)[0], namespace)
    return namespace


def fixed_backward_F(a, b):
    d, e = a * b, a + b
    dF_dd, dF_de = e, d
    return dF_dd * b + dF_de, dF_dd * a + dF_de


def swapped_backward_F(a, b):
    """A different slip: each input gets the other's factor from the product d = a*b."""
    d, e = a * b, a + b
    return e * a + d, e * b + d


# (id, the worked solution, a typical wrong answer)
CASES = [
    ("2-1", 12.010, 24.02),  # divided by h instead of 2h
    ("2-2", -8, -16),  # eps itself instead of its square root
    ("2-3", 0.625, 1.0),  # the true derivative, not what the check measures
    ("2-4", lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h), lambda f, x, h: (f(x + h) - f(x - h)) / h),
    ("2-5", fixed_backward_F, swapped_backward_F),
]


@pytest.mark.parametrize("id,solution,wrong", CASES, ids=[c[0] for c in CASES])
def test_the_worked_solution_is_correct_and_a_typical_slip_gets_the_hint(id, solution, wrong):
    right = check_exercise(id, solution)
    assert right.correct and repr(right).startswith("Correct"), repr(right)
    verdict = check_exercise(id, wrong)
    assert not verdict.correct and verdict.answered and repr(verdict).startswith("Not yet"), repr(verdict)
    assert hint(id) in verdict.message


@pytest.mark.parametrize("id", [c[0] for c in CASES])
def test_none_is_not_answered_yet(id):
    verdict = check_exercise(id, None)
    assert not verdict.correct and not verdict.answered


def test_hand_answers_pass_at_the_precision_asked_for():
    assert check_exercise("2-1", 12.01) and check_exercise("2-1", 12.0104)
    assert not check_exercise("2-1", 12.0)  # the true derivative is not what the central difference gives
    assert check_exercise("2-3", 0.6254) and not check_exercise("2-3", 0.63)
    assert check_exercise("2-2", -8.0) and not check_exercise("2-2", -5)


def test_the_starting_code_of_the_code_exercises_is_not_answered_yet():
    assert not check_exercise("2-4", starting_code("2-4")["central_difference"]).answered
    start = check_exercise("2-5", starting_code("2-5")["backward_F"])
    assert not start.correct and not start.answered and "starting code" in start.message
    # The slip it carries: dF/da is right, dF/db lost the path through d (the engine says -8 at (-2, 3)).
    assert starting_code("2-5")["backward_F"](-2.0, 3.0) == (-3.0, -6.0)


def test_exercise_5_reports_crashes_and_wrong_shapes_instead_of_raising():
    def crashes(a, b):
        return 1 / 0

    verdict = check_exercise("2-5", crashes)
    assert not verdict.correct and verdict.answered and "ZeroDivisionError" in verdict.message
    verdict = check_exercise("2-5", lambda a, b: -3.0)
    assert not verdict.correct and "two numbers" in verdict.message
    verdict = check_exercise("2-5", "backward_F")
    assert not verdict.correct and "expected your backward function" in verdict.message


def test_exercise_1s_hint_no_longer_gives_the_answer_away():
    text = hint("2-1")
    assert not re.search(r"9\.261|6\.859|12\.01|2\.1\s*\*\*\s*3|1\.9\s*\*\*\s*3", text), text
    for id, solution, _ in CASES:
        if not callable(solution):
            assert f"{solution}" not in hint(id), id


@pytest.mark.parametrize("id", [c[0] for c in CASES])
def test_the_notebook_cell_runs_alone_in_a_fresh_interpreter(id, tmp_path):
    source = exercise_cell(id)
    assert re.search(r"^from backprop_lib import", source, re.M) and "hint=" not in source
    result = run_alone(source, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("Not answered yet"), result.stdout
