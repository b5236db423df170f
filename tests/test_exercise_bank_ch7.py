"""Chapter 7's exercises: worked solutions pass, typical wrong answers get the hint, and
every exercise cell of the chapter runs alone in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from backprop_lib import MLP
from backprop_lib.exercises import _lookup, check_exercise

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "07_training_a_network.ipynb"
IDS = [f"7-{k}" for k in range(1, 6)]


def hint_of(id: str) -> str:
    return _lookup(id).hint


# ---- worked solutions and typical wrong answers ---------------------------------------------

class FixedHinge:
    def forward(self, scores, targets):
        self.targets = np.asarray(targets, dtype=float)
        self.margins = 1 - self.targets * scores
        return float(np.mean(np.maximum(self.margins, 0)))

    def backward(self):
        self.dinputs = np.where(self.margins > 0, -self.targets, 0.0) / self.margins.size
        return self.dinputs


class BuggyHinge(FixedHinge):
    def backward(self):  # the chapter's starting code: the mean's 1/N is missing
        self.dinputs = np.where(self.margins > 0, -self.targets, 0.0)
        return self.dinputs


class SignFlippedHinge(FixedHinge):
    def backward(self):
        self.dinputs = np.where(self.margins > 0, self.targets, 0.0) / self.margins.size
        return self.dinputs


POINTS = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
TARGETS = [1.0, 1.0, -1.0, -1.0]


def make_train(zero_grad: bool):
    def train(steps):
        model = MLP(2, [4, 1], rng=0)
        losses = []
        for _ in range(steps):
            loss = sum((model(x) - y) ** 2 for x, y in zip(POINTS, TARGETS)) * 0.25
            if zero_grad:
                model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.1 * p.grad
            losses.append(loss.data)
        return losses

    return train


SOLUTIONS = {
    "7-1": 226,  # 2 * (8*4 + 8*9 + 1*9)
    "7-2": [0.0, -0.333, 0.333],  # the hand answer, rounded to 3 decimals
    "7-3": FixedHinge,
    "7-4": make_train(zero_grad=True),
    "7-5": 0.333,
}

WRONG = {
    "7-1": 113,  # one pass per parameter (or the parameter count itself)
    "7-2": [-0.333, -0.333, 0.333],  # forgot that a point beyond its margin gets no gradient
    "7-3": BuggyHinge,
    "7-4": make_train(zero_grad=False),
    "7-5": 0.5,  # 1/2 from L = w**2's factor, not 3 w**2's
}


@pytest.mark.parametrize("id", IDS)
def test_the_worked_solution_is_correct(id):
    verdict = check_exercise(id, SOLUTIONS[id])
    assert verdict.correct, f"{id}: {verdict!r}"


@pytest.mark.parametrize("id", IDS)
def test_a_typical_wrong_answer_is_not_yet_and_gets_the_hint(id):
    verdict = check_exercise(id, WRONG[id])
    assert not verdict.correct and verdict.answered, f"{id}: {verdict!r}"
    assert repr(verdict).startswith("Not yet")
    assert hint_of(id) in verdict.message


@pytest.mark.parametrize("id", IDS)
def test_none_is_not_answered_yet(id):
    verdict = check_exercise(id, None)
    assert not verdict.correct and not verdict.answered
    assert repr(verdict).startswith("Not answered yet")


def test_exercise_3_grades_by_gradient_check_and_names_the_failing_entry():
    assert not check_exercise("7-3", SignFlippedHinge).correct
    verdict = check_exercise("7-3", BuggyHinge)
    assert "gradient check fails" in verdict.message and "ds[" in verdict.message
    assert "passes the gradient check" in check_exercise("7-3", FixedHinge).message


def test_exercise_3_reports_a_class_that_raises_and_an_instance_instead_of_the_class():
    class Broken(FixedHinge):
        def backward(self):
            raise RuntimeError("not written yet")

    assert "RuntimeError" in check_exercise("7-3", Broken).message
    assert not check_exercise("7-3", FixedHinge()).correct


def test_exercise_4_names_the_first_step_that_differs_and_accepts_none_returned():
    verdict = check_exercise("7-4", make_train(zero_grad=False))
    assert "from step 2 on" in verdict.message  # steps 0 and 1 agree: the first update uses one gradient
    assert not check_exercise("7-4", lambda steps: None).answered


def test_exercise_5_expects_the_bound_from_the_curvature():
    assert check_exercise("7-5", 1 / 3).correct
    assert not check_exercise("7-5", 0.3).correct  # converges, but is not the largest


def test_the_exercise_3_grader_needs_numpy_and_the_others_do_not():
    assert [_lookup(id).needs_numpy for id in IDS] == [False, False, True, False, False]


# ---- the chapter's exercise cells, each run alone -------------------------------------------

def exercise_cells() -> dict[str, str]:
    nb = nbformat.read(CHAPTER, as_version=4)
    cells = {}
    for cell in nb.cells:
        match = re.search(r'check_exercise\("(7-\d+)"', cell.source) if cell.cell_type == "code" else None
        if match:
            cells[match.group(1)] = cell.source
    return cells


def test_the_chapter_has_a_cell_for_every_exercise():
    assert sorted(exercise_cells()) == IDS


@pytest.mark.parametrize("id", IDS)
def test_the_exercise_cell_runs_alone_in_a_fresh_interpreter_and_is_not_answered_yet(id):
    source = exercise_cells()[id]
    lines = source.rstrip().splitlines()
    assert lines[-1].startswith("check_exercise("), "the cell ends with its check, whose verdict is shown"
    script = "\n".join(lines[:-1] + [f"print(repr({lines[-1]}))"])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Not answered yet"), result.stdout
    assert "hint" not in source.lower(), "the hint lives with the grader, not in the cell"
