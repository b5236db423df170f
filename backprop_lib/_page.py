"""What the page's Python does with a reader's code: run it as a notebook cell, say the verdict.

The built book turns each exercise cell into a code box with a Run button (see
``book/_ext/page_python.py``). The box sends its code to Python in a Web Worker
(Pyodide: the interpreter alone, no NumPy), which calls :func:`run_cell`. The
cell runs the way a kernel runs it: in a fresh namespace, with the value of a
last bare expression as the cell's result. So ``check_exercise("3-2", answer)``
on the last line gives the same :class:`~backprop_lib.exercises.Feedback`, and the
same text, as in Jupyter. This module needs nothing beyond the standard library.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import linecache
import traceback

__all__ = ["run_cell", "verdict_of", "define_figure", "render_figure", "call"]

NO_VERDICT = "no verdict: keep check_exercise(...) as the cell's last line."
MAX_OUTPUT = 20_000
"""Characters of printed output kept: a print in a long loop must not flood the page."""


def verdict_of(value: object) -> tuple[str, str]:
    """``(kind, text)`` for a cell's result: kind is correct, wrong or unanswered; text is its repr."""
    from .exercises import Feedback

    if not isinstance(value, Feedback):
        return "unanswered", NO_VERDICT
    if value.correct:
        return "correct", repr(value)
    return ("wrong" if value.answered else "unanswered"), repr(value)


def _last_line(error: BaseException) -> str:
    """The last line of the traceback Python would print, e.g. ``ZeroDivisionError: division by zero``."""
    lines = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()
    return lines[-1] if lines else type(error).__name__


def run_cell(code: str) -> str:
    """Run ``code`` like a notebook cell; return JSON ``{"kind", "text", "output", "traceback"}``.

    * ``kind`` is ``correct``, ``wrong`` or ``unanswered`` from the cell's last value
      (a :class:`~backprop_lib.exercises.Feedback`), or ``error`` when an exception escaped
      the reader's code; ``text`` is then the exception's last line.
    * ``output`` is what the cell printed; ``traceback`` the full traceback on error.
    """
    if not isinstance(code, str):
        raise TypeError(f"run_cell expects the cell's code as a str, got {type(code).__name__}")
    printed = io.StringIO()
    linecache.cache["<cell>"] = (len(code), None, code.splitlines(True), "<cell>")  # tracebacks show the lines
    namespace: dict[str, object] = {"__name__": "__main__"}
    result: dict[str, str] = {"kind": "unanswered", "text": NO_VERDICT, "output": "", "traceback": ""}
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            tree = ast.parse(code, "<cell>", "exec")
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), namespace)
            value = None
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        result["kind"], result["text"] = verdict_of(value)
    except Exception as error:  # the reader's code may raise anything: that is the verdict "error"
        result["kind"], result["text"] = "error", _last_line(error)
        if isinstance(error, SyntaxError):  # the cell never ran: no frames of ours, just where it fails
            result["traceback"] = "".join(traceback.format_exception_only(type(error), error))
        else:  # from the cell's own frames on (not this function's)
            result["traceback"] = "".join(traceback.format_exception(type(error), error, error.__traceback__.tb_next))
    output = printed.getvalue()
    if len(output) > MAX_OUTPUT:
        output = output[:MAX_OUTPUT] + f"\n[... {len(output) - MAX_OUTPUT:,} more characters not shown]"
    result["output"] = output
    return json.dumps(result)


# ---------------------------------------------------------------- live figures
_FIGURES: dict[str, object] = {}


def _cell_value(code: str) -> object:
    """Run ``code`` as a notebook cell (fresh namespace) and return its last bare expression's value."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    tree = ast.parse(code, "<figure cell>", "exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<figure cell>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<figure cell>", "eval"), namespace) if last else None


def define_figure(figure_id: str, code: str) -> str:
    """Run a figure's (self-contained) cell and keep its :class:`~backprop_lib.widgets.InteractiveFigure`
    under ``figure_id``; return the figure's HTML at its starting values."""
    from .widgets import InteractiveFigure

    with contextlib.redirect_stdout(io.StringIO()):
        figure = _cell_value(code)
    if not isinstance(figure, InteractiveFigure):
        raise TypeError(f"the cell of {figure_id} must end with its InteractiveFigure, got {type(figure).__name__}")
    _FIGURES[figure_id] = figure
    return figure.pane.value


def render_figure(figure_id: str, values: dict) -> str:
    """The figure's HTML with every slider where the reader left it (``values`` by slider name).

    A position where render fails gives a paragraph saying so, as in a kernel, so the
    sliders and the pane still agree.
    """
    import html as _html

    figure = _FIGURES[figure_id]
    try:
        figure.set(**{name: float(value) for name, value in values.items()})
    except Exception as error:
        where = ", ".join(f"{name} = {float(value):g}" for name, value in values.items())
        return (f"<p class='bp-render-error' role='alert'><strong>This figure cannot be drawn at {_html.escape(where)}:</strong> "
                f"{_html.escape(type(error).__name__)}: {_html.escape(str(error))}</p>")
    return figure.pane.value


def call(name: str, arguments: str) -> str:
    """What the page's script calls: ``name`` (define_figure or render_figure) with JSON ``arguments``."""
    functions = {"define_figure": define_figure, "render_figure": render_figure}
    if name not in functions:
        raise ValueError(f"the page may call {sorted(functions)}, not {name!r}")
    return functions[name](*json.loads(arguments))


def figure_check(code: str) -> str:
    """For the build: does this figure cell run here alone (no earlier cells, no NumPy)? JSON {id} or {error}."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            from .widgets import InteractiveFigure

            figure = _cell_value(code)
        if not isinstance(figure, InteractiveFigure):
            return json.dumps({"error": f"the cell's value is {type(figure).__name__}, not an InteractiveFigure"})
        return json.dumps({"id": figure.figure_id()})
    except Exception as error:
        return json.dumps({"error": _last_line(error)})
