"""Self-checking exercises: the reader writes an answer, a checker says if it is right.

The expected answer is never typed into the chapter. Each checker recomputes it
from the problem itself, with the engine or a reference function, so the
chapter shows only the question. A wrong answer gets a hint; an unanswered
one (``None``) says what to do.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from .engine import Value

__all__ = ["Feedback", "check", "check_derivative", "check_function"]


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


def check(answer: object, expected: object, hint: str = "", tol: float = 1e-6) -> Feedback:
    """Compare a numeric answer (a number, list or array) with the expected one.

    ``expected`` may be a zero-argument function, so the value is computed
    only when checking and never shown in the chapter. Numbers agree when they
    are within ``tol`` (absolute or relative).
    """
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
