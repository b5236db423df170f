"""Chapter 5's exercises: worked solutions pass, typical wrong answers get the hint, cells run alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from backprop_lib import check_exercise
from backprop_lib.exercise_bank import ch5
from backprop_lib.exercises import _lookup

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "book" / "05_numpy_layers.ipynb"
IDS = [f"5-{k}" for k in range(1, 7)]


# --- the worked solutions, as a learner would type them --------------------------------------

def scale_backward(inputs, scale, dvalues):
    return dvalues * scale, (dvalues * inputs).sum(axis=0, keepdims=True)


def dense_backward(inputs, weights, dvalues):
    return dvalues @ weights.T, inputs.T @ dvalues, dvalues.sum(axis=0, keepdims=True)


class Sigmoid:
    def forward(self, inputs):
        self.inputs = np.asarray(inputs, dtype=float)
        self.output = 1 / (1 + np.exp(-self.inputs))
        return self.output

    def backward(self, dvalues):
        self.dinputs = dvalues * self.output * (1 - self.output)
        return self.dinputs


def dense_relu_backward(inputs, weights, biases, dvalues):
    layer_outputs = inputs @ weights + biases
    drelu = dvalues.copy()  # the fixed line
    drelu[layer_outputs <= 0] = 0
    return drelu @ weights.T, inputs.T @ drelu, drelu.sum(axis=0, keepdims=True)


SOLUTIONS = {
    "5-1": (5, 7),
    "5-2": [0.2, -0.4, 0.2],
    "5-3": scale_backward,
    "5-4": dense_backward,
    "5-5": Sigmoid,
    "5-6": dense_relu_backward,
}


# --- typical wrong answers ------------------------------------------------------------------

class SigmoidForgotOneMinus(Sigmoid):
    def backward(self, dvalues):
        self.dinputs = dvalues * self.output  # forgot (1 - s)
        return self.dinputs


def dense_relu_without_mask(inputs, weights, biases, dvalues):
    drelu = dvalues.copy()  # the mask line deleted too
    return drelu @ weights.T, inputs.T @ drelu, drelu.sum(axis=0, keepdims=True)


WRONG = {
    "5-1": (10, 7),  # the batch left in
    "5-2": [0.2, 0.6, 0.2],  # the probabilities, not the gradient
    "5-3": lambda inputs, scale, dvalues: (dvalues * scale, dvalues * inputs),  # no sum over the batch
    "5-4": lambda inputs, weights, dvalues: (dvalues @ weights.T, inputs.T @ dvalues, dvalues.sum(axis=0)),  # (3,) not (1, 3)
    "5-5": SigmoidForgotOneMinus,
    "5-6": dense_relu_without_mask,
}


@pytest.mark.parametrize("id", IDS)
def test_the_worked_solution_is_correct(id):
    verdict = check_exercise(id, SOLUTIONS[id])
    assert verdict.correct, repr(verdict)


@pytest.mark.parametrize("id", IDS)
def test_a_typical_wrong_answer_is_not_yet_and_gets_the_hint(id):
    verdict = check_exercise(id, WRONG[id])
    assert not verdict.correct and verdict.answered, repr(verdict)
    assert _lookup(id).hint in verdict.message
    assert repr(verdict).startswith("Not yet")


@pytest.mark.parametrize("id", IDS)
def test_none_is_not_answered_yet(id):
    verdict = check_exercise(id, None)
    assert not verdict.correct and not verdict.answered


@pytest.mark.parametrize("id", IDS)
def test_every_exercise_is_registered_as_needing_numpy(id):
    assert _lookup(id).needs_numpy


def test_the_hints_do_not_give_the_answers_away():
    for id in IDS:
        hint = _lookup(id).hint
        for giveaway in ("weights.T", "inputs.T", "keepdims", "* (1 -", "(1 - s)", "dvalues.copy", "-0.4", "(5, 7)"):
            assert giveaway not in hint, f"{id}'s hint contains {giveaway!r}"


def test_bad_answers_are_explained_not_crashed_on():
    assert "expected the function" in check_exercise("5-3", 3).message
    assert "ZeroDivisionError" in check_exercise("5-4", lambda *a: 1 / 0).message
    assert "expected the class Sigmoid" in check_exercise("5-5", Sigmoid()).message
    assert "must have shape" in check_exercise("5-6", lambda X, W, b, d: (d, d, d)).message
    nan = check_exercise("5-4", lambda X, W, d: (d @ W.T * np.nan, X.T @ d, d.sum(axis=0, keepdims=True)))
    assert not nan.correct and "non-finite" in nan.message


def test_a_sigmoid_whose_forward_was_changed_is_not_passed():
    class Changed(Sigmoid):
        def forward(self, inputs):
            self.output = np.tanh(np.asarray(inputs, dtype=float))  # and backward is then right for nothing
            return self.output

    verdict = check_exercise("5-5", Changed)
    assert not verdict.correct and "forward" in verdict.message


def test_the_untouched_buggy_function_is_not_answered_but_a_partial_fix_is_graded():
    untouched = check_exercise("5-6", ch5.dense_relu_as_given)
    assert not untouched.answered
    assert _lookup("5-6").hint not in untouched.message  # no hint before a try


def test_the_bug_cases_keep_away_from_relus_kink():
    for inputs, weights, biases, _ in ch5.dense_relu_cases():
        assert np.abs(inputs @ weights + biases).min() > 1e-3


def test_the_expected_answers_are_computed_from_the_layers():
    # Exercise 2: p = [0.2, 0.6, 0.2], so p - y = [0.2, -0.4, 0.2]; an answer off by 6e-4 fails at 3 decimals.
    assert check_exercise("5-2", [0.2004, -0.4004, 0.2]).correct
    assert not check_exercise("5-2", [0.2006, -0.4, 0.2]).correct
    grads = ch5.scale_gradients_by_finite_differences(np.ones((2, 3)), np.full((1, 3), 2.0), np.ones((2, 3)))
    assert np.allclose(grads["dinputs"], 2.0) and np.allclose(grads["dscale"], 2.0)


# --- the notebook's exercise cells, each alone in a fresh interpreter ---------------------------

def exercise_cells() -> dict[str, str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            found = re.findall(r'check_exercise\("(5-\d+)"', cell.source)
            if found:
                cells[found[0]] = cell.source
    return cells


def test_the_notebook_has_the_six_exercises_and_no_hints_in_them():
    cells = exercise_cells()
    assert sorted(cells) == IDS
    for source in cells.values():
        assert "hint" not in source


@pytest.mark.parametrize("id", IDS)
def test_each_exercise_cell_runs_alone_and_says_not_answered_yet(id):
    source = exercise_cells()[id]
    lines = source.rstrip().splitlines()
    program = "\n".join(lines[:-1] + [f"print(repr({lines[-1]}))"])  # the cell's last expression, as the notebook shows it
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Not answered yet"), result.stdout
