"""Self-checking exercises: the reader writes an answer, a checker says if it is right.

The expected answer is never typed into the chapter. Each checker recomputes it
from the problem itself, with the engine or a reference function, so the
chapter shows only the question. A wrong answer gets a hint; an unanswered
one (``None``) says what to do.

Each chapter's exercise cell is self-contained: it imports from ``backprop_lib``,
defines the answer, and calls ``check_exercise("<chapter>-<n>", answer)``. How the
answer is graded and the hint a wrong answer gets live in a registry, one module
per chapter in :mod:`backprop_lib.exercise_bank`, so the learner meets the hint
only after a wrong try, never in the cell before trying.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
import importlib
import re
from typing import Callable, Mapping

import numpy as np

from .engine import Value

__all__ = ["Feedback", "Exercise", "check", "check_derivative", "check_function", "check_exercise", "exercise"]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. Truthy when the answer is right."""

    correct: bool
    message: str
    answered: bool = True

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        mark = "Correct" if self.correct else ("Not answered yet" if not self.answered else "Not yet")
        return f"{mark}: {self.message}" if self.message else mark

    def _repr_html_(self) -> str:
        if self.correct:
            style, mark = "color:#1b5e20", "&#10004; Correct"
        elif not self.answered:
            style, mark = "color:#37474f", "&#9998; Not answered yet"
        else:
            style, mark = "color:#b71c1c", "&#10008; Not yet"
        text = f": {html.escape(self.message)}" if self.message else ""
        return f"<p class='bp-feedback' style='{style}'><strong>{mark}</strong>{text}</p>"


_UNANSWERED = Feedback(False, "replace None with your answer and run the cell again.", answered=False)


def _as_array(x: object, what: str) -> np.ndarray:
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, (bool, str)) or x is None:
        raise TypeError(f"{what} must be a number or an array of numbers, got {type(x).__name__}")
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be a number or an array of numbers, got {type(x).__name__}") from error
    return array


def check(answer: object, expected: object, hint: str = "", tol: float = 1e-6, *, decimals: int | None = None) -> Feedback:
    """Compare a numeric answer (a number, list or array) with the expected one.

    ``expected`` may be a zero-argument function, so the value is computed
    only when checking and never shown in the chapter. Numbers agree when they
    are within ``tol`` (absolute or relative). An exercise that asks for an
    answer "to 3 decimals" passes ``decimals=3``: then any answer within half a
    unit in that decimal place is right, so a correctly rounded hand answer passes.
    """
    if decimals is not None:
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
            raise ValueError(f"decimals must be an int from 0 to 12, got {decimals!r}")
    if answer is None:
        return _UNANSWERED
    if callable(expected):
        expected = expected()
    want = _as_array(expected, "the expected answer")
    try:
        got = _as_array(answer, "your answer")
    except TypeError as error:
        return Feedback(False, f"{error}. {hint}".strip())
    if got.shape != want.shape:
        return Feedback(False, f"expected {_shape_words(want)}, got {_shape_words(got)}. {hint}".strip())
    if decimals is not None:
        # Half a unit in the last asked-for place, plus float slack for answers like 0.5 at decimals=0.
        if np.all(np.abs(got - want) <= 0.5 * 10.0**-decimals * (1 + 1e-9)):
            return Feedback(True, "")
        return Feedback(False, hint or f"not within {0.5 * 10.0**-decimals:g} of the value (asked to {decimals} decimals).")
    if np.allclose(got, want, rtol=tol, atol=tol):
        return Feedback(True, "")
    return Feedback(False, hint or "that is not the value; check each step of the chain rule.")


def _shape_words(a: np.ndarray) -> str:
    return "a single number" if a.ndim == 0 else f"an array of shape {a.shape}"


def check_derivative(
    answer: object,
    f: Callable[..., Value],
    at: Mapping[str, float],
    wrt: str,
    hint: str = "",
    tol: float = 1e-6,
) -> Feedback:
    """Check an answer for d f / d ``wrt`` at the point ``at``.

    The expected value comes from the engine (``f`` applied to :class:`~backprop_lib.Value`
    inputs, then ``backward``); :mod:`backprop_lib.gradcheck` verifies the
    engine on the same function in the tests.
    """
    if wrt not in at:
        raise ValueError(f"wrt must name one of the inputs {list(at)}, got {wrt!r}")

    def expected() -> float:
        inputs = {name: Value(x, label=name) for name, x in at.items()}
        f(**inputs).backward()
        return inputs[wrt].grad

    return check(answer, expected, hint, tol)


def check_function(
    answer: Callable,
    reference: Callable,
    cases: list[tuple],
    hint: str = "",
    tol: float = 1e-6,
) -> Feedback:
    """Check a function the reader wrote against ``reference`` on every case.

    Each case is a tuple of positional arguments. The first failing case is
    named in the feedback, with what was expected and what came back. A
    function that still returns ``None`` (the exercise's starting point) counts
    as not answered yet.
    """
    if answer is None:
        return _UNANSWERED
    if not callable(answer):
        return Feedback(False, f"expected a function, got {type(answer).__name__}. {hint}".strip())
    for case in cases:
        want = reference(*_copy(case))
        try:
            got = answer(*_copy(case))
        except Exception as error:  # the reader's code may raise anything; report it, do not crash
            return Feedback(False, f"calling it with {case!r} raised {type(error).__name__}: {error}. {hint}".strip())
        if got is None and case is cases[0]:
            return _UNANSWERED
        verdict = check(got, want, "", tol)
        if not verdict:
            return Feedback(False, f"for input {case!r} expected {np.round(_as_array(want, 'expected'), 6).tolist()}, "
                            f"got {got!r}. {hint}".strip())
    return Feedback(True, f"it matches on all {len(cases)} test inputs.")


def _copy(case: tuple) -> tuple:
    return tuple(np.array(x, copy=True) if isinstance(x, np.ndarray) else x for x in case)


@dataclass(frozen=True)
class Exercise:
    """One registered exercise: how to grade an answer, and the hint for a wrong one."""

    id: str
    grade: Callable[[object], Feedback]
    hint: str
    needs_numpy: bool = False


_REGISTRY: dict[str, Exercise] = {}
_EXERCISE_ID = re.compile(r"([1-9][0-9]*)-([1-9][0-9]*)")


def exercise(id: str, *, hint: str, needs_numpy: bool = False) -> Callable[[Callable], Callable]:
    """Register ``grade(answer) -> Feedback`` as exercise ``id`` ("<chapter>-<n>").

    Used by the modules of :mod:`backprop_lib.exercise_bank`. The hint is added
    to the verdict only when an answered attempt is wrong.
    """
    if not isinstance(id, str) or not _EXERCISE_ID.fullmatch(id):
        raise ValueError(f"an exercise id is '<chapter>-<n>' with unpadded numbers, e.g. '3-2', got {id!r}")
    if not isinstance(hint, str) or not hint.strip():
        raise ValueError(f"exercise {id} needs a hint for a wrong answer, got {hint!r}")

    def register(grade: Callable[[object], Feedback]) -> Callable[[object], Feedback]:
        if id in _REGISTRY:
            raise ValueError(f"exercise {id} is registered twice")
        _REGISTRY[id] = Exercise(id, grade, hint.strip(), needs_numpy)
        return grade

    return register


def _lookup(id: object) -> Exercise:
    if not isinstance(id, str):
        raise TypeError(f"an exercise id is a string like '3-2', got {type(id).__name__}")
    match = _EXERCISE_ID.fullmatch(id)
    if not match:
        raise ValueError(f"an exercise id is '<chapter>-<n>', e.g. '3-2', got {id!r}")
    if id not in _REGISTRY:
        try:
            importlib.import_module(f"{__package__}.exercise_bank.ch{match.group(1)}")
        except ModuleNotFoundError as error:
            if error.name != f"{__package__}.exercise_bank.ch{match.group(1)}":
                raise
    if id not in _REGISTRY:
        raise ValueError(f"there is no exercise {id!r} in chapter {match.group(1)}")
    return _REGISTRY[id]


def check_exercise(id: str, answer: object) -> Feedback:
    """Grade ``answer`` for exercise ``id`` (e.g. ``"3-2"``: chapter 3, Exercise 2).

    ``None`` (the starting point) is not answered yet. A wrong answer's verdict
    ends with the exercise's hint.
    """
    found = _lookup(id)
    if answer is None:
        return _UNANSWERED
    verdict = found.grade(answer)
    if not isinstance(verdict, Feedback):
        raise TypeError(f"exercise {id}'s grader must return a Feedback, got {type(verdict).__name__}")
    if verdict.answered and not verdict.correct:
        message = verdict.message.rstrip()
        if message and not message.endswith((".", "!", "?")):
            message += "."
        return Feedback(False, f"{message} Hint: {found.hint}".strip())
    return verdict
