"""backprop_lib.plots: HTML tables and SVG plots drawn without Matplotlib.

Arrays and plain lists of the same numbers draw the same bytes, and lists draw
with NumPy blocked (as in the page's Python).
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from backprop_lib.plots import svg_bar_chart, svg_line_plot, table_html

sys.path.insert(0, str(Path(__file__).parent))
from test_page_python import run_blocked  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The SVG must be well-formed XML."""
    return ET.fromstring(svg)


# --- table_html -------------------------------------------------------------------------------

def test_table_has_one_cell_per_entry_in_order_with_the_format():
    out = table_html(np.array([[1.0, -2.5], [3.25, 0.0]]), "dweights (2 × 2)", fmt="{:.2f}")
    assert re.findall(r">([-0-9.]+)</td>", out) == ["1.00", "-2.50", "3.25", "0.00"]
    assert out.count("<tr>") == 2
    assert "<caption style='white-space:nowrap'>dweights (2 × 2)</caption>" in out


def test_table_greys_the_off_entries_and_marks_one():
    off = np.array([[True, False], [False, False]])
    out = table_html(np.ones((2, 2)), off=off, mark=(1, 0))
    cells = re.findall(r"<td style='([^']*)'>", out)
    assert "italic" in cells[0] and "italic" not in "".join(cells[1:])
    assert "#ffe08a" in cells[2] and "#ffe08a" not in cells[0] + cells[1] + cells[3]


def test_table_escapes_its_caption():
    assert "&lt;b&gt;" in table_html(np.zeros((1, 1)), "<b>")


@pytest.mark.parametrize("bad, error", [
    (np.zeros(3), ValueError),  # 1-D
    (np.array([[1.0, np.nan]]), ValueError),
    ("abc", TypeError),
    (None, TypeError),
])
def test_table_rejects_what_it_cannot_draw(bad, error):
    with pytest.raises(error):
        table_html(bad)


def test_table_rejects_a_wrong_mask_or_mark():
    with pytest.raises(ValueError, match="off must be a boolean array of shape"):
        table_html(np.zeros((2, 2)), off=np.zeros((2, 3), dtype=bool))
    with pytest.raises(ValueError, match="off must be a boolean"):
        table_html(np.zeros((2, 2)), off=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="mark must be a"):
        table_html(np.zeros((2, 2)), mark=(2, 0))


# --- svg_line_plot ----------------------------------------------------------------------------

def line(**kwargs):
    x = np.linspace(0.0, 2.0, 21)
    defaults = dict(key="t", title="x squared", xlabel="x", ylabel="y", ylim=(0.0, 4.0),
                    xticks=(0, 1, 2), yticks=(0, 2, 4))
    return svg_line_plot(x, x**2, **{**defaults, **kwargs})


def test_line_plot_maps_the_curve_into_the_frame():
    root = parse(line())
    points = [tuple(map(float, p.split(","))) for p in root.find(f".//{SVG}polyline").get("points").split()]
    assert len(points) == 21
    # x from 0 to 2 spans the inner width (48 .. 330 - 12), y from 0 to 4 the inner height (215 - 44 .. 26)
    assert points[0] == (48.0, 171.0) and points[-1] == (318.0, 26.0)
    assert points[10] == (183.0, round(171.0 - 145.0 / 4, 1))  # drawn to 0.1 px
    assert [t.text for t in root.iter(f"{SVG}text")][:3] == ["0", "1", "2"]


def test_line_plot_tangent_has_the_given_slope_through_the_point():
    root = parse(line(point=(1.0, 1.0), slope=2.0, tangent_reach=0.5))
    tangent = next(l for l in root.iter(f"{SVG}line") if l.get("stroke") == "#d62728")
    x1, y1, x2, y2 = (float(tangent.get(a)) for a in ("x1", "y1", "x2", "y2"))
    # in data units: from (0.5, 0) to (1.5, 2); pixels per unit: 135 in x, 36.25 in y
    assert (x1, y1, x2, y2) == (115.5, 171.0, 250.5, 98.5)
    assert (y1 - y2) / (x2 - x1) == pytest.approx(2.0 * 36.25 / 135)
    dot = root.find(f".//{SVG}circle")
    assert (float(dot.get("cx")), float(dot.get("cy"))) == (183.0, 134.8)
    assert "tangent of slope 2.00" in root.get("aria-label")


def test_line_plot_is_byte_stable_and_escapes_text():
    assert line() == line()
    assert "a &lt; b" in line(title="a < b")


def test_line_plot_rejects_bad_input():
    x = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="same length"):
        svg_line_plot(x, x[:4], key="k")
    with pytest.raises(ValueError, match="increasing"):
        svg_line_plot(x[::-1], x, key="k")
    with pytest.raises(ValueError, match="finite"):
        svg_line_plot(x, np.where(x == 0, np.inf, x), key="k")
    with pytest.raises(ValueError, match="key"):
        svg_line_plot(x, x, key="two words")
    with pytest.raises(ValueError, match="low < high"):
        svg_line_plot(x, x, key="k", ylim=(1, 1))
    with pytest.raises(ValueError, match="slope needs point"):
        svg_line_plot(x, x, key="k", slope=1.0)
    with pytest.raises(TypeError, match="must be a number"):
        svg_line_plot(x, x, key="k", point=("a", 1.0))


# --- svg_bar_chart ----------------------------------------------------------------------------

def test_bars_go_up_and_down_from_zero_with_their_values():
    root = parse(svg_bar_chart([0.5, -0.25], ["a", "b"], ylim=(-1.0, 1.0), title="p - y", highlight=1))
    rects = list(root.iter(f"{SVG}rect"))
    heights = [float(r.get("height")) for r in rects]
    # the inner height 180 - 26 - 24 = 130 spans 2 units: 65 px per unit
    assert heights == [32.5, 16.2]
    zero = 26 + 65.0
    assert float(rects[0].get("y")) + heights[0] == pytest.approx(zero)  # up from 0
    assert float(rects[1].get("y")) == pytest.approx(zero)  # down from 0
    assert [r.get("fill") for r in rects] == ["#1f77b4", "#ff7f0e"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "0.50" in texts and "-0.25" in texts and "a" in texts and "b" in texts
    assert root.get("aria-label") == "p - y: a 0.50, b -0.25"


def test_bar_chart_rejects_bad_input():
    with pytest.raises(ValueError, match="one per bar"):
        svg_bar_chart([1.0, 2.0], ["a"], ylim=(0, 3))
    with pytest.raises(ValueError, match="include 0"):
        svg_bar_chart([1.0], ["a"], ylim=(0.5, 3))
    with pytest.raises(ValueError, match="inside ylim"):
        svg_bar_chart([4.0], ["a"], ylim=(0, 3))
    with pytest.raises(ValueError, match="highlight"):
        svg_bar_chart([1.0], ["a"], ylim=(0, 3), highlight=1)
    with pytest.raises(ValueError, match="finite"):
        svg_bar_chart([np.inf], ["a"], ylim=(0, 3))


# --- arrays or lists, with NumPy or without -----------------------------------------------------

CURVE_X = np.linspace(-4.0, 8.0, 121)
CURVE_Y = np.log1p(np.exp(-CURVE_X)) * 3.0  # a softplus, with digits that round in every way
BARS = np.array([0.8953, 0.0247, -0.08])
TABLE = np.array([[0.1995, 0.5035, -0.2605], [0.7799, -0.9201, -0.2901]])
OFF = np.array([[True, False, False], [False, False, True]])
# Each drawing as source, so the same code draws here and in a Python without NumPy.
DRAWINGS = {
    "line": "lambda x, y, bars, table, off: svg_line_plot(x, y, key='k', title='softplus', xlabel='z', ylabel='loss', "
            "xticks=(-4, 0, 4, 8), yticks=(0, 6, 12), point=(x[30], y[30]), slope=-0.9525741268224334, tangent_reach=1.5)",
    "line without ylim": "lambda x, y, bars, table, off: svg_line_plot(x, y, key='k')",
    "bars": "lambda x, y, bars, table, off: svg_bar_chart(bars, ['z₀', 'z₁', 'z₂'], ylim=(-1.0, 1.0), yticks=(-1, 0, 1), "
            "title='p − y', highlight=0)",
    "table": "lambda x, y, bars, table, off: table_html(table, 'dweights', off=off, mark=(1, 1))",
}


def drawing(name):
    return eval(DRAWINGS[name])


def as_lists(*arrays):
    return [a.tolist() for a in arrays]


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_lists_and_tuples_draw_the_same_bytes_as_arrays(name):
    draw = drawing(name)
    arrays = (CURVE_X, CURVE_Y, BARS, TABLE, OFF)
    want = draw(*arrays)
    assert draw(*as_lists(*arrays)) == want
    assert draw(*(tuple(map(tuple, a.tolist())) if a.ndim == 2 else tuple(a.tolist()) for a in arrays)) == want


def test_lists_draw_with_numpy_blocked_and_give_the_bytes_arrays_give_with_numpy():
    lists = as_lists(CURVE_X, CURVE_Y, BARS, TABLE, OFF)
    out = run_blocked(f"""
        import json, sys
        import backprop_lib.plots
        from backprop_lib.plots import svg_bar_chart, svg_line_plot, table_html
        loaded = "numpy" in sys.modules
        x, y, bars, table, off = {lists!r}
        drawings = {{name: eval(source)(x, y, bars, table, off) for name, source in {DRAWINGS!r}.items()}}
        try:
            svg_line_plot(range(3), [0.0, 1.0, 2.0], key="k")
            refused = ""
        except TypeError as error:
            refused = str(error)
        print(json.dumps({{"drawings": drawings, "numpy_loaded": loaded or "numpy" in sys.modules, "refused": refused}}))
    """)
    got = json.loads(out)
    assert got["numpy_loaded"] is False
    for name in DRAWINGS:
        assert got["drawings"][name] == drawing(name)(CURVE_X, CURVE_Y, BARS, TABLE, OFF), name
    # Without NumPy, what only NumPy reads (a range here) is refused with the usual message.
    assert got["refused"] == "x must be an array of numbers, got range"


def test_lists_are_checked_as_arrays_are():
    with pytest.raises(TypeError, match="x must be an array of numbers, got list"):
        svg_line_plot([[0.0, 1.0], [2.0]], [0.0, 1.0], key="k")  # ragged
    with pytest.raises(ValueError, match=re.escape("y must be finite, got [inf, nan]")):
        svg_line_plot([0.0, 1.0, 2.0], [float("inf"), 1.0, float("nan")], key="k")
    with pytest.raises(ValueError, match=re.escape("array must be 2-D, got shape (2,)")):
        table_html([1.0, 2.0])
    with pytest.raises(ValueError, match="off must be a boolean array of shape"):
        table_html([[1.0, 2.0]], off=[[1, 0]])
    with pytest.raises(ValueError, match="x must be strictly increasing"):
        svg_line_plot((0.0, 1.0, 1.0), (0.0, 1.0, 2.0), key="k")
    assert table_html([[1, 2]], fmt="{:.1f}") == table_html(np.array([[1.0, 2.0]]), fmt="{:.1f}")
