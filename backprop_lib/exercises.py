"""Self-checking exercises: the reader writes an answer, a checker says if it is right.

The expected answer is never typed into the chapter. Each checker recomputes it
from the problem itself, with the engine or a reference function, so the
chapter shows only the question. A wrong answer gets a hint; an unanswered
one (``None``) says what to do.

Each chapter's exercise cell is self-contained: it imports from ``backprop_lib``,
defines the answer, and calls ``check_exercise("<chapter>-<n>", answer)``. How the
answer is graded and the hint a wrong answer gets live in a registry, one module
per chapter in ``backprop_lib.exercise_bank``, so the learner meets the hint
only after a wrong try, never in the cell before trying.
"""

from __future__ import annotations

import copy
import html
import importlib
import math
import numbers
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, NamedTuple

from ._checks import describe
from ._optional_numpy import is_bool, is_ndarray, real_scalar_types
from .engine import Value

if TYPE_CHECKING:  # NumPy is imported only where an answer is an array (see check)
    import numpy as np

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
        # The book's stylesheet sets these variables for its dark mode; elsewhere the fallbacks apply.
        if self.correct:
            style, mark = "color:var(--bp-correct,#1b5e20)", "&#10004; Correct"
        elif not self.answered:
            style, mark = "color:var(--bp-unanswered,#37474f)", "&#9998; Not answered yet"
        else:
            style, mark = "color:var(--bp-wrong,#b71c1c)", "&#10008; Not yet"
        text = f": {html.escape(self.message)}" if self.message else ""
        return f"<p class='bp-feedback' style='{style}'><strong>{mark}</strong>{text}</p>"


_UNANSWERED = Feedback(False, "replace None with your answer and run the cell again.", answered=False)


def _unwrap(x: object) -> object:
    """Graph nodes (a :class:`Value`, or any object with ``.data`` and ``.backward``) become their numbers."""
    if isinstance(x, Value) or (hasattr(x, "data") and callable(getattr(x, "backward", None)) and not is_ndarray(x)):
        return x.data
    if isinstance(x, (list, tuple)):
        return [_unwrap(item) for item in x]
    if is_ndarray(x) and x.dtype == object:
        return [_unwrap(item) for item in x.tolist()]
    return x


def _as_array(x: object, what: str) -> np.ndarray:
    """``x`` as a float64 array; graph nodes count as their ``.data``; complex, text and None are refused."""
    import numpy as np

    x = _unwrap(x)
    if isinstance(x, (bool, np.bool_, str, bytes)) or x is None:
        raise TypeError(f"{what} must be a number or an array of numbers, got {type(x).__name__}")
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as error:  # e.g. ragged nested lists
        raise TypeError(f"{what} must be a number or an array of numbers, got {type(x).__name__}") from error
    if raw.dtype.kind == "c":
        raise TypeError(f"{what} must be real, got a complex number ({describe(x)})")
    if raw.dtype.kind not in "fiu":
        raise TypeError(f"{what} must be a number or an array of numbers, got {type(x).__name__} (dtype {raw.dtype})")
    try:
        return raw.astype(np.float64)
    except OverflowError as error:
        raise TypeError(f"{what} holds an integer too large for a float") from error


def _holds_array(x: object) -> bool:
    """Does ``x`` (a number, a nested list, an array) hold a NumPy array anywhere?"""
    if is_ndarray(x):
        return True
    return isinstance(x, (list, tuple)) and any(_holds_array(item) for item in x)


class _Numbers(NamedTuple):
    """A number or nested list of numbers, as NumPy would see it: its shape and its entries (floats, in order).

    Answers that hold no array are compared through this, in plain Python, so the
    exercises that need no NumPy run in the page's Python too, with the same verdicts.
    """

    shape: tuple[int, ...]
    flat: list[float]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def tolist(self) -> object:
        """Like ``ndarray.tolist()``: a float for a single number, else nested lists."""
        def build(flat: list[float], shape: tuple[int, ...]) -> object:
            if not shape:
                return flat[0]
            step = len(flat) // shape[0] if shape[0] else 0
            return [build(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]

        return build(self.flat, self.shape)

    def rounded(self, decimals: int) -> "_Numbers":
        """Like ``numpy.round``: scale, round half to even (keeping the sign of zero), scale back."""
        scale = 10.0**decimals

        def one(v: float) -> float:
            y = v * scale
            if math.isfinite(y):
                y = math.copysign(float(round(y)), y)
            return y / scale

        return _Numbers(self.shape, [one(v) for v in self.flat])


def _numbers(x: object, what: str) -> _Numbers:
    """``x`` (holding no array) as :class:`_Numbers`; graph nodes count as their ``.data``.

    Refuses what the array path refuses: None, text, a lone bool, complex
    numbers, ragged lists and anything that is not a real number.
    """
    x = _unwrap(x)
    refused = f"{what} must be a number or an array of numbers, got {type(x).__name__}"
    if is_bool(x) or isinstance(x, (str, bytes)) or x is None:
        raise TypeError(refused)
    leaves: list[object] = []

    def shape_of(item: object) -> tuple[int, ...]:
        if isinstance(item, (list, tuple)):
            shapes = {shape_of(child) for child in item}
            if len(shapes) > 1:  # ragged: NumPy refuses it too
                raise TypeError(refused)
            return (len(item), *(shapes.pop() if shapes else ()))
        leaves.append(item)
        return ()

    shape = shape_of(x)
    if any(isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real) for v in leaves):
        raise TypeError(f"{what} must be real, got a complex number ({describe(x)})")
    for v in leaves:
        if not (is_bool(v) or isinstance(v, real_scalar_types())):
            raise TypeError(f"{refused} holding {type(v).__name__}")
    if leaves and all(is_bool(v) for v in leaves):  # NumPy makes a bool array of these, and refuses it
        raise TypeError(f"{refused} (dtype bool)")
    try:
        return _Numbers(shape, [float(v) for v in leaves])
    except OverflowError as error:
        raise TypeError(f"{what} holds an integer too large for a float") from error


ABSOLUTE_FLOOR = 1e-14
"""Below this, two numbers count as equal however different their relative size:
far below any answer a chapter asks for, far above float round-off of a zero."""


def _tolerance(tol: object, what: str = "tol") -> float:
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (0 <= tol < 1):
        raise ValueError(f"{what} must be a number in [0, 1), got {tol!r}")
    return float(tol)


def check(
    answer: object, expected: object, hint: str = "", tol: float = 1e-6, *, decimals: int | None = None, atol: float = ABSOLUTE_FLOOR
) -> Feedback:
    """Compare a numeric answer (a number, list or array) with the expected one.

    ``expected`` may be a zero-argument function, so the value is computed
    only when checking and never shown in the chapter. An answer is right when
    it is within ``tol`` of the expected value *relative to the expected
    value*, or within the absolute floor ``atol`` (1e-14) of it: so 5e-7 is
    not 1e-8, and 0 is not the slope 2e-9 of a saturated sigmoid.
    Graph nodes (:class:`~backprop_lib.Value`) count as their ``.data``; a
    complex answer is refused.

    An exercise that asks for an answer "to 3 decimals" passes ``decimals=3``:
    then any answer within half a unit in that decimal place is right, so a
    correctly rounded hand answer passes.
    """
    tol = _tolerance(tol)
    atol = _tolerance(atol, "atol")
    if decimals is not None:
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
            raise ValueError(f"decimals must be an int from 0 to 12, got {decimals!r}")
    if answer is None:
        return _UNANSWERED
    if callable(expected) and not isinstance(expected, Value):
        expected = expected()
    if not (_holds_array(_unwrap(expected)) or _holds_array(_unwrap(answer))):
        return _check_numbers(answer, expected, hint, tol, decimals, atol)
    import numpy as np

    want = _as_array(expected, "the expected answer")  # an author's mistake raises
    if not np.all(np.isfinite(want)):
        raise ValueError(f"the expected answer must be finite, got {want.tolist()!r}")
    try:
        got = _as_array(answer, "your answer")
    except TypeError as error:
        return Feedback(False, f"{error}. {hint}".strip())
    if got.shape != want.shape:
        return Feedback(False, f"expected {_shape_words(want)}, got {_shape_words(got)}. {hint}".strip())
    if not np.all(np.isfinite(got)):
        return Feedback(False, f"your answer holds NaN or inf, which is never the value. {hint}".strip())
    if decimals is not None:
        # Half a unit in the last asked-for place, plus float slack for answers like 0.5 at decimals=0.
        if np.all(np.abs(got - want) <= 0.5 * 10.0**-decimals * (1 + 1e-9)):
            return Feedback(True, "")
        return Feedback(False, hint or f"not within {0.5 * 10.0**-decimals:g} of the value (asked to {decimals} decimals).")
    if np.all(np.abs(got - want) <= tol * np.abs(want) + atol):
        return Feedback(True, "")
    return Feedback(False, hint or "that is not the value; check each step of the chain rule.")


def _check_numbers(answer: object, expected: object, hint: str, tol: float, decimals: int | None, atol: float) -> Feedback:
    """:func:`check` for answers and expected values that hold no array: the same steps in plain Python."""
    want = _numbers(expected, "the expected answer")  # an author's mistake raises
    if not all(math.isfinite(v) for v in want.flat):
        raise ValueError(f"the expected answer must be finite, got {want.tolist()!r}")
    try:
        got = _numbers(answer, "your answer")
    except TypeError as error:
        return Feedback(False, f"{error}. {hint}".strip())
    if got.shape != want.shape:
        return Feedback(False, f"expected {_shape_words(want)}, got {_shape_words(got)}. {hint}".strip())
    if not all(math.isfinite(v) for v in got.flat):
        return Feedback(False, f"your answer holds NaN or inf, which is never the value. {hint}".strip())
    pairs = list(zip(got.flat, want.flat))
    if decimals is not None:
        bound = 0.5 * 10.0**-decimals * (1 + 1e-9)
        if all(abs(g - w) <= bound for g, w in pairs):
            return Feedback(True, "")
        return Feedback(False, hint or f"not within {0.5 * 10.0**-decimals:g} of the value (asked to {decimals} decimals).")
    if all(abs(g - w) <= tol * abs(w) + atol for g, w in pairs):
        return Feedback(True, "")
    return Feedback(False, hint or "that is not the value; check each step of the chain rule.")


def _rounded(x: object, decimals: int = 6) -> object:
    """``x`` rounded like ``numpy.round(x, decimals).tolist()``, for messages."""
    if _holds_array(_unwrap(x)):
        import numpy as np

        return np.round(_as_array(x, "expected"), decimals).tolist()
    return _numbers(x, "expected").rounded(decimals).tolist()


def _shape_words(a: "np.ndarray | _Numbers") -> str:
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
    engine on the same function in the tests. The tolerance is relative to
    that value, so 0 is not accepted for a tiny but non-zero slope.
    """
    if not isinstance(at, Mapping) or wrt not in at:
        raise ValueError(f"wrt must name one of the inputs {list(at) if isinstance(at, Mapping) else at!r}, got {wrt!r}")

    def expected() -> float:
        inputs = {name: Value(x, label=name) for name, x in at.items()}
        root = f(**inputs)
        if not isinstance(root, Value):
            raise TypeError(f"check_derivative: f must build a Value from Value inputs, got {describe(root)}")
        root.backward()
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
    as not answered yet. Each call gets its own copy of the case, so neither
    function can change what the other sees. An exercise that could never
    fail is an author's mistake and raises: no cases, a case that is not a
    tuple, or a reference that changes its inputs.
    """
    if not callable(reference):
        raise TypeError(f"check_function needs a reference function, got {describe(reference)}")
    if isinstance(cases, (str, bytes)) or not isinstance(cases, (list, tuple)) or not cases:
        raise ValueError(f"check_function needs a non-empty list of test cases (tuples of arguments), got {describe(cases)}")
    for case in cases:
        if not isinstance(case, tuple):
            raise TypeError(f"each test case must be a tuple of arguments, e.g. (2.0,), got {describe(case)}")
    if answer is None:
        return _UNANSWERED
    if not callable(answer):
        return Feedback(False, f"expected a function, got {type(answer).__name__}. {hint}".strip())
    for n, case in enumerate(cases):
        arguments = _copy(case)
        want = reference(*arguments)
        if not _same(arguments, case):
            raise ValueError(f"the reference function changed its inputs on case {case!r}: it must not modify its arguments")
        try:
            got = answer(*_copy(case))
        except Exception as error:  # the reader's code may raise anything; report it, do not crash
            return Feedback(False, f"calling it with {case!r} raised {type(error).__name__}: {error}. {hint}".strip())
        if got is None and n == 0:
            return _UNANSWERED
        verdict = check(got, want, "", tol)
        if not verdict:
            return Feedback(False, f"for input {case!r} expected {_rounded(want)}, "
                            f"got {_show(got)}. {hint}".strip())
    return Feedback(True, f"it matches on all {len(cases)} test inputs.")


def _show(x: object) -> str:
    try:
        return repr(_unwrap(x))
    except Exception:  # a reader's object with a broken repr
        return type(x).__name__


def _copy(case: tuple) -> tuple:
    return copy.deepcopy(case)


def _same(a: object, b: object) -> bool:
    """Deep equality that understands NumPy arrays (and NaN == NaN)."""
    if is_ndarray(a) or is_ndarray(b):
        import numpy as np

        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        )
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, Value) or isinstance(b, Value):
        return isinstance(a, Value) and isinstance(b, Value) and a.data == b.data and a.grad == b.grad
    if isinstance(a, (numbers.Number, str, bytes, type(None))) or isinstance(b, (numbers.Number, str, bytes, type(None))):
        return type(a) is type(b) and (a == b or (a != a and b != b))
    if type(a) is type(b) and hasattr(a, "__dict__") and hasattr(b, "__dict__"):
        return _same(vars(a), vars(b))
    return True  # an object we cannot look into: assume unchanged


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

    Used by the modules of ``backprop_lib.exercise_bank``. The hint is added
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
