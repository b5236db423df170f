"""Exercise cells as a reader would edit them in the page: a right answer, a wrong one, code that raises.

Shared by tests/test_page_python.py (CPython, with and without NumPy) and
tests/browser/test_page_python.py (the page's Python). Each cell is what the
reader types into the exercise box: the chapter's cell with the answer filled in.
The kernel's verdict for each is computed by the tests, never written here.
"""

from __future__ import annotations

import ast


def cell(exercise_id: str, body: str) -> str:
    return f'from backprop_lib import check_exercise\n\n{body}\ncheck_exercise("{exercise_id}", answer)\n'


# exercise id -> {"correct": cell, "wrong": cell, "error": cell}; one runnable exercise per chapter
# (chapter 5's all need NumPy), plus function answers so more than a number crosses into the page.
CASES: dict[str, dict[str, str]] = {
    "1-1": {
        "correct": cell("1-1", "answer = -2.0"),
        "wrong": cell("1-1", "answer = 2.0  # the sign of b dropped"),
        "error": cell("1-1", "answer = 1 / 0"),
    },
    "2-4": {
        "correct": cell("2-4", "def answer(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)\n"),
        "wrong": cell("2-4", "def answer(f, x, h):\n    return (f(x + h) - f(x - h)) / h\n"),
        "error": cell("2-4", "def answer(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)\n\nanswer = answr"),
    },
    "3-1": {
        "correct": cell("3-1", "answer = 3"),
        "wrong": cell("3-1", "answer = 1.0  # tanh's slope alone"),
        "error": cell("3-1", "answer = [1, 2][5]"),
    },
    "4-4": {
        "correct": cell("4-4", "answer = 15"),
        "wrong": cell("4-4", "answer = 9  # one path of three"),
        "error": cell("4-4", "answer = int('fifteen')"),
    },
    "6-4": {
        "correct": cell("6-4", "def answer(params, grads, lr):\n    return [p - lr * g for p, g in zip(params, grads)]\n"),
        "wrong": cell("6-4", "def answer(params, grads, lr):\n    return [p + lr * g for p, g in zip(params, grads)]\n"),
        "error": cell("6-4", "steps = {\"lr\": 0.001}\nanswer = steps[\"learning_rate\"]"),
    },
    "7-1": {
        "correct": cell("7-1", "answer = 226"),
        "wrong": cell("7-1", "answer = 113"),
        "error": cell("7-1", "raise RuntimeError('not finished')\nanswer = 226"),
    },
}


def kernel_verdict(code: str) -> tuple[str, str]:
    """What a kernel shows for the cell: ``(kind, text)``, independently of backprop_lib._page.

    Like IPython, the cell runs in a fresh namespace and a last bare expression is its
    value; its text is the value's repr (text/plain), or the exception's last line.
    """
    from backprop_lib.exercises import Feedback

    namespace: dict[str, object] = {"__name__": "__main__"}
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    try:
        exec(compile(tree, "<cell>", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None
    except Exception as error:
        return "error", f"{type(error).__name__}: {error}"
    assert isinstance(value, Feedback), f"the cell's value is {value!r}, not a verdict"
    kind = "correct" if value.correct else ("wrong" if value.answered else "unanswered")
    return kind, repr(value)
