"""The scalar half of backprop_lib runs without NumPy, as in the page's Python, with the kernel's verdicts.

* ``import backprop_lib`` loads no NumPy; engine, graph (DOT source), the scalar
  gradient checks, gates, nn and every exercise that needs no NumPy import and run
  with NumPy, Matplotlib and ipywidgets blocked (a subprocess with an import blocker).
* Their verdicts there equal those with NumPy, object and text.
* :func:`backprop_lib._page.run_cell` (what the page runs) gives the kernel's verdict
  for a right answer, a wrong one and code that raises.
* :func:`~backprop_lib.exercises.check` gives the same verdict with and without arrays.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from backprop_lib import check, check_exercise
from backprop_lib._page import run_cell
from backprop_lib.exercises import _REGISTRY, Feedback, _lookup

sys.path.insert(0, str(Path(__file__).parent))
from page_cases import CASES, kernel_verdict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = range(1, 8)

BLOCKER = """
import sys
BLOCKED = ("numpy", "matplotlib", "ipywidgets")
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked: the page's Python has none)", name=name)
        return None
sys.meta_path.insert(0, Blocker())
"""

# Answers of every kind a no-NumPy exercise may get, run through each such exercise.
PROBES = """
import math
from backprop_lib import Value
PROBES = [None, 0.5, -2, 3, 15, 0.0, True, "0.5", [0.1, 0.2, 0.3], [0.0, -0.333, 0.333], (1.0, 2.0),
          [[1.0], [2.0, 3.0]], 1j, float("nan"), 10**400, Value(2.0), [Value(1.0), 2.0],
          lambda *args: 0.0, lambda *args: [0.0] * 4, lambda *args: None, lambda *args: 1 / 0, int]
"""


def run_blocked(script: str) -> str:
    """Run ``script`` in a fresh Python with NumPy, Matplotlib and ipywidgets blocked; return stdout."""
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(script)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def no_numpy_ids() -> list[str]:
    for chapter in CHAPTERS:
        _lookup(f"{chapter}-1")  # loads the chapter's registry
    return sorted(id for id, e in _REGISTRY.items() if not e.needs_numpy)


def test_the_blocker_really_blocks_numpy():
    out = run_blocked("""
        try:
            import numpy
        except ModuleNotFoundError:
            print("blocked")
    """)
    assert out.strip() == "blocked"


def test_import_backprop_lib_loads_no_numpy_matplotlib_or_graphviz():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, backprop_lib; print(sorted(m for m in ('numpy', 'matplotlib', "
         "'ipywidgets', 'graphviz') if m in sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip() == "[]"


def test_the_scalar_half_runs_without_numpy():
    out = run_blocked("""
        import json, math, sys
        from backprop_lib import (MLP, AddNode, MultiplyNode, TanhNode, Node, Value, check_value_gradients,
                                  draw_dot, numerical_derivative, relative_error, trace, GradientCheck)
        import backprop_lib.engine, backprop_lib.graph, backprop_lib.gradcheck, backprop_lib.gates
        import backprop_lib.nn, backprop_lib.exercises, backprop_lib._page, backprop_lib.plots

        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        L = (a * b + a.tanh()) * b
        L.backward()
        nodes, edges = trace(L)
        dot = draw_dot(L).source
        slope = numerical_derivative(math.sin, 0.5)
        table = check_value_gradients(lambda x, y: (x * y + x.tanh()) * y, {"x": 2.0, "y": -3.0})
        x, y = Node(3.0), Node(4.0)
        gate = MultiplyNode()
        out = gate.forward(x, y)
        out.grad = 1.0
        gate.backward()
        model = MLP(2, [3, 1], rng=0)
        loss = (model([0.5, -1.0]) - 1.0) ** 2
        loss.backward()
        print(json.dumps({
            "grads": [a.grad, b.grad], "nodes": len(nodes), "dot": "digraph computational_graph {" in dot,
            "slope": slope, "passed": table.passed(), "gate": [x.grad, y.grad],
            "parameters": len(model.parameters()), "all_grads_finite": all(math.isfinite(p.grad) for p in model.parameters()),
            "numpy_loaded": "numpy" in sys.modules,
        }))
    """)
    got = json.loads(out)
    a, b = 2.0, -3.0
    assert got["grads"] == pytest.approx([b * b + (1 - math.tanh(a) ** 2) * b, 2 * a * b + math.tanh(a)])
    assert got["nodes"] > 4 and got["dot"] and got["passed"]
    assert got["slope"] == pytest.approx(math.cos(0.5), rel=1e-9)
    assert got["gate"] == [4.0, 3.0]
    assert got["parameters"] == 2 * 3 + 3 + 3 + 1 and got["all_grads_finite"]
    assert got["numpy_loaded"] is False


def test_every_no_numpy_exercise_gives_the_same_verdicts_without_numpy():
    ids = no_numpy_ids()
    assert len(ids) >= 20, ids  # every chapter but 5 has exercises that run in the page
    script = PROBES + f"""
import json, sys
from backprop_lib import check_exercise
verdicts = {{}}
for id in {ids!r}:
    for n, answer in enumerate(PROBES):
        try:
            v = check_exercise(id, answer)
            verdicts[f"{{id}} {{n}}"] = [v.correct, v.answered, repr(v)]
        except Exception as error:
            verdicts[f"{{id}} {{n}}"] = ["raised", type(error).__name__, str(error)]
print(json.dumps({{"verdicts": verdicts, "numpy_loaded": "numpy" in sys.modules}}))
"""
    blocked = json.loads(run_blocked(script))
    assert blocked["numpy_loaded"] is False
    namespace: dict = {}
    exec(PROBES, namespace)
    for id in ids:
        for n, answer in enumerate(namespace["PROBES"]):
            try:
                v = check_exercise(id, answer)
                want = [v.correct, v.answered, repr(v)]
            except Exception as error:
                want = ["raised", type(error).__name__, str(error)]
            assert blocked["verdicts"][f"{id} {n}"] == want, (id, answer)


@pytest.mark.parametrize("id", sorted(CASES))
def test_the_page_cases_give_what_their_names_say_with_and_without_numpy(id):
    script = f"""
import json
from backprop_lib._page import run_cell
print(json.dumps({{kind: json.loads(run_cell(code)) for kind, code in {CASES[id]!r}.items()}}))
"""
    blocked = json.loads(run_blocked(script))
    for kind, code in CASES[id].items():
        want_kind, want_text = kernel_verdict(code)
        assert want_kind == kind, (id, kind, want_text)
        here = json.loads(run_cell(code))
        assert (here["kind"], here["text"]) == (want_kind, want_text)
        assert (blocked[kind]["kind"], blocked[kind]["text"]) == (want_kind, want_text)
        if kind == "wrong":
            assert _lookup(id).hint in here["text"]


def test_run_cell_reports_output_no_verdict_and_syntax_errors():
    out = json.loads(run_cell("print('hello')\nx = 2"))
    assert out["output"] == "hello\n" and out["kind"] == "unanswered" and "check_exercise" in out["text"]
    bad = json.loads(run_cell("x = (\n"))
    assert bad["kind"] == "error" and bad["text"].startswith("SyntaxError")
    unanswered = json.loads(run_cell('from backprop_lib import check_exercise\ncheck_exercise("1-1", None)'))
    assert (unanswered["kind"], unanswered["text"]) == ("unanswered", repr(check_exercise("1-1", None)))
    with pytest.raises(TypeError, match="str"):
        run_cell(b"x = 1")


# check() compares plain numbers and lists in plain Python and arrays with NumPy: same verdicts.
PAIRS = [
    (0.5, 0.5), (0.5000001, 0.5), (0.5001, 0.5), (5e-7, 1e-8), (0.0, 2.1e-9), (-0.0, 0.0), (3, 3.0),
    ([1.0, 2.0], [1.0, 2.0]), ([1.0, 2.1], [1.0, 2.0]), ([1.0], [1.0, 2.0]), ([[1.0, 2.0]], [1.0, 2.0]),
    (1.0, [1.0]), ([], []), ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0000001]]),
    (float("nan"), 1.0), ([1.0, float("inf")], [1.0, 2.0]), (None, 1.0), ("1.0", 1.0), (True, 1.0),
    (1j, 1.0), ([1.0, 1j], [1.0, 1.0]), ([[1.0], [2.0, 3.0]], [1.0, 2.0]), (np.float32(0.1), 0.1),
    (np.int64(3), 3.0), ([np.float64(0.25), 0.5], [0.25, 0.5]), ([True, 2.0], [1.0, 2.0]),
    (1.2345, 1.23456789), (-123456.5, -123456.5000004),
]


@pytest.mark.parametrize("answer,expected", PAIRS, ids=range(len(PAIRS)))
@pytest.mark.parametrize("decimals", [None, 3])
def test_check_gives_the_same_verdict_for_plain_numbers_as_for_arrays(answer, expected, decimals):
    plain = check(answer, expected, hint="try again", decimals=decimals)
    array = check(answer, np.asarray(expected, dtype=np.float64), hint="try again", decimals=decimals)
    assert isinstance(plain, Feedback)
    assert plain == array


def test_a_failed_function_case_names_the_expected_value_rounded_like_numpy():
    # The message rounds the expected value to 6 decimals, as numpy.round did, sign of zero included.
    from backprop_lib.exercises import _rounded

    for want in [0.1234565, -0.0000001, 2.5e-7, 1e300, 123.4567895, -3.0000005, 0.5e-6, 1.5e-6]:
        assert _rounded(want) == np.round(np.float64(want), 6).tolist()
        assert _rounded([want, -want]) == np.round(np.array([want, -want]), 6).tolist()
    assert math.copysign(1.0, _rounded(-0.0000001)) == -1.0


def test_widgets_import_and_figures_render_without_ipywidgets():
    out = run_blocked("""
        import json, sys
        from backprop_lib.widgets import InteractiveFigure, Slider

        def product_view(a, b):
            return f"<p>a * b = {a * b:.2f}</p>"

        figure = InteractiveFigure(product_view, [Slider("a", 0, 1, 0.5), Slider("b", -1, 1, 0.25)], title="a times b")
        first = figure.pane.value
        figure.set(a=1.0, b=-0.5)  # both sliders where a reader left them
        try:
            figure.set(a=2.0)
            refused = ""
        except ValueError as error:
            refused = str(error)
        print(json.dumps({"first": first, "moved": figure.pane.value, "values": figure.values(), "refused": refused,
                          "id": figure.figure_id(), "ipywidgets": "ipywidgets" in sys.modules}))
    """)
    got = json.loads(out)
    assert got["first"] == "<p>a * b = 0.12</p>" and got["moved"] == "<p>a * b = -0.50</p>"
    assert got["values"] == {"a": 1.0, "b": -0.5}
    assert "goes from 0 to 1" in got["refused"] and got["id"] == "fig-product" and got["ipywidgets"] is False
