"""Small plots and tables as HTML strings, for interactive figures.

An :class:`~backprop_lib.widgets.InteractiveFigure` redraws on every slider move,
and the static page stores one drawing per slider position. Matplotlib takes
tens of milliseconds per figure; these helpers write SVG and HTML directly and
take well under a millisecond. Every function returns a string, checks its
arguments (a ``ValueError`` or ``TypeError`` names what was expected and what
came), and draws the same bytes for the same arguments.

The numbers may be NumPy arrays or plain lists (or tuples) of numbers: the same
numbers draw the same bytes either way. Lists need no NumPy, which this module
imports only to read an array, so a figure drawn from lists also runs in the
page's own Python, where NumPy is missing.

* :func:`table_html`: a 2-D array as a small HTML table, with entries greyed or marked;
* :func:`svg_line_plot`: a curve, a point on it and the tangent there;
* :func:`svg_bar_chart`: one bar per entry, up or down from zero.
"""

from __future__ import annotations

import html
import math
import numbers
from typing import Sequence

__all__ = ["table_html", "svg_line_plot", "svg_bar_chart"]

# Colours that read in light and dark mode: the book's stylesheet sets --bp-muted for its
# dark mode; a marked entry keeps its dark text on its light highlight in both.
_GREY = "color:var(--bp-muted,#595959);font-style:italic"
_MARK = "background:#ffe08a;color:#14181e;font-weight:bold"
# Plots sit on a light card with dark text whatever the page's colours.
_CARD = "background:#fff;color:#14181e;border-radius:4px"

# Lists and tuples of numbers are read in plain Python, so the plots work where NumPy is missing
# (the page's Python); anything else (a NumPy array, a list of arrays) goes through numpy.asarray,
# imported only then. Either way the numbers become Python floats, and float64 arithmetic is the
# same in both: the same drawing, byte for byte.


def _is_number(x: object) -> bool:
    """A real number as NumPy's float64 conversion takes it: Python's, NumPy's scalars, and bool."""
    return isinstance(x, (int, float)) or (isinstance(x, numbers.Real) and type(x).__module__ == "numpy")


def _plain(x: object) -> tuple[list, tuple[int, ...]] | None:
    """``x`` as nested lists of floats and its shape, if it is a list or tuple of numbers (1-D) or of
    equally long lists or tuples of numbers (2-D); ``None`` if it needs NumPy to be read."""
    if not isinstance(x, (list, tuple)):
        return None
    if all(_is_number(v) for v in x):
        return [float(v) for v in x], (len(x),)
    if not all(isinstance(row, (list, tuple)) and all(_is_number(v) for v in row) for row in x):
        return None
    if len({len(row) for row in x}) != 1:
        raise ValueError("ragged")
    return [[float(v) for v in row] for row in x], (len(x), len(x[0]))


def _finite_array(x: object, what: str, ndim: int | None = None) -> tuple[list, tuple[int, ...]]:
    """The numbers of ``x`` as (nested) lists of Python floats, and their shape."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{what} must be an array of numbers, got {type(x).__name__}")
    try:
        plain = _plain(x)
        if plain is None:
            import numpy as np

            array = np.asarray(x, dtype=np.float64)
            plain = array.tolist(), array.shape
    except (TypeError, ValueError, ImportError) as error:
        raise TypeError(f"{what} must be an array of numbers, got {type(x).__name__}") from error
    values, shape = plain
    if ndim is not None and len(shape) != ndim:
        raise ValueError(f"{what} must be {ndim}-D, got shape {shape}")
    bad = [v for v in _flat(values) if not math.isfinite(v)]
    if bad:
        raise ValueError(f"{what} must be finite, got {bad[:3]}")
    return values, shape


def _flat(values: object) -> list[float]:
    """Nested lists of floats, flattened in row-major order (as NumPy's ``ravel``)."""
    if isinstance(values, list):
        return [v for item in values for v in _flat(item)]
    return [values]


def _finite(x: object, what: str) -> float:
    if isinstance(x, bool) or not _is_number(x):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}")
    if not math.isfinite(float(x)):
        raise ValueError(f"{what} must be finite, got {x!r}")
    return float(x)


def _range(pair: object, what: str) -> tuple[float, float]:
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise TypeError(f"{what} must be a pair (low, high), got {pair!r}")
    low, high = (_finite(v, what) for v in pair)
    if not low < high:
        raise ValueError(f"{what} needs low < high, got {pair!r}")
    return low, high


def _key(key: object) -> str:
    if not isinstance(key, str) or not key.replace("-", "_").isidentifier():
        raise ValueError(f"key must be a name of letters, digits, '-' and '_' (it makes SVG ids unique on the page), got {key!r}")
    return key


def table_html(
    array: object,
    caption: str = "",
    *,
    off: object | None = None,
    mark: tuple[int, int] | None = None,
    fmt: str = "{:.3f}",
) -> str:
    """A 2-D array as an inline HTML table, one ``<td>`` per entry.

    Args:
        array: the numbers, shape ``(rows, columns)``: a 2-D array, or a list of equally long rows.
        caption: shown above the table.
        off: optional booleans of the same shape (an array or a list of rows); those entries are drawn
            in grey italics (e.g. a ReLU that is switched off).
        mark: optional ``(row, column)`` of one entry to highlight.
        fmt: the format of each number.

    Returns:
        the ``<table>`` as a string, ``display:inline-table`` so several sit side by side.
    """
    values, shape = _finite_array(array, "array", ndim=2)
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a str, got {type(caption).__name__}")
    grey = [[False] * shape[1] for _ in range(shape[0])]
    if off is not None:
        grey = _mask(off, shape)
    if mark is not None:
        if (not isinstance(mark, tuple) or len(mark) != 2
                or not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in mark)
                or not (0 <= mark[0] < shape[0] and 0 <= mark[1] < shape[1])):
            raise ValueError(f"mark must be a (row, column) inside shape {shape}, got {mark!r}")
    rows = []
    for i, row in enumerate(values):
        cells = []
        for j, v in enumerate(row):
            style = ";".join(s for s in (_GREY if grey[i][j] else "", _MARK if mark == (i, j) else "") if s)
            cells.append(f"<td style='text-align:right;padding:.1em .5em;font-variant-numeric:tabular-nums;{style}'>{html.escape(fmt.format(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ("<table style='display:inline-table;margin-right:1.5em'>"
            f"<caption style='white-space:nowrap'>{html.escape(caption)}</caption>" + "".join(rows) + "</table>")


def _mask(off: object, shape: tuple[int, ...]) -> list[list[bool]]:
    """``off`` as rows of bools: nested lists or tuples of bools, or a NumPy array of dtype bool."""
    if (isinstance(off, (list, tuple)) and len(off) == shape[0]
            and all(isinstance(row, (list, tuple)) and len(row) == shape[1] and all(isinstance(v, bool) for v in row)
                    for row in off)):
        return [list(row) for row in off]
    try:
        import numpy as np
    except ImportError:
        raise ValueError(f"off must be a boolean array of shape {shape}, got {off!r}") from None
    grey = np.asarray(off)
    if grey.dtype != bool or grey.shape != shape:
        raise ValueError(f"off must be a boolean array of shape {shape}, got {grey.dtype} of shape {grey.shape}")
    return grey.tolist()


def _ticks(ticks: Sequence[float], what: str) -> list[float]:
    return [_finite(t, what) for t in ticks]


def svg_line_plot(
    x: object,
    y: object,
    *,
    key: str,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    ylim: tuple[float, float] | None = None,
    xticks: Sequence[float] = (),
    yticks: Sequence[float] = (),
    point: tuple[float, float] | None = None,
    slope: float | None = None,
    tangent_reach: float | None = None,
    width: int = 330,
    height: int = 215,
) -> str:
    """A line plot as inline SVG: the curve ``y(x)``, and optionally a point with its tangent.

    Args:
        x, y: the curve's points, two 1-D arrays or lists of the same length (``x`` increasing).
        key: a name unique on the page (the SVG's clip path is called ``bp-<key>``).
        title, xlabel, ylabel: text around the plot.
        ylim: the y range shown; the data's range when ``None``.
        xticks, yticks: where to put labelled ticks.
        point: ``(x0, y0)``, drawn as a dot.
        slope: the tangent's slope at ``point``, drawn as a dashed red line.
        tangent_reach: how far along x the tangent reaches on each side
            (a tenth of the x range when ``None``).
        width, height: the drawing's size in pixels.

    Returns:
        an ``<svg>`` element with ``role='img'`` and an ``aria-label`` describing it.
    """
    xs, x_shape = _finite_array(x, "x", ndim=1)
    ys, y_shape = _finite_array(y, "y", ndim=1)
    if x_shape != y_shape or len(xs) < 2:
        raise ValueError(f"x and y must be 1-D of the same length >= 2, got {x_shape} and {y_shape}")
    if not all(b - a > 0 for a, b in zip(xs, xs[1:])):
        raise ValueError("x must be strictly increasing")
    key = _key(key)
    x_lo, x_hi = xs[0], xs[-1]
    y_lo, y_hi = _range(ylim, "ylim") if ylim is not None else (min(ys), max(ys))
    if y_lo == y_hi:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    if slope is not None and point is None:
        raise ValueError("slope needs point=(x0, y0), where the tangent touches the curve")
    for size, what in ((width, "width"), (height, "height")):
        if isinstance(size, bool) or not isinstance(size, int) or size < 80:
            raise ValueError(f"{what} must be an int of at least 80 pixels, got {size!r}")
    left, right, top, bottom = 48, 12, 26, 44
    inner_w, inner_h = width - left - right, height - top - bottom

    def px(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * inner_w

    def py(v: float) -> float:
        return top + (y_hi - v) / (y_hi - y_lo) * inner_h

    alt = f"{title or 'line plot'}: {ylabel or 'y'} against {xlabel or 'x'}"
    if point is not None:
        x0, y0 = _finite(point[0], "point x"), _finite(point[1], "point y")
        alt += f", with a dot at {x0:.2f}"
        if slope is not None:
            alt += f" and a tangent of slope {_finite(slope, 'slope'):.2f}"
    e = html.escape
    svg = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' font-size='11' "
           f"style='{_CARD}' role='img' aria-label='{e(alt, quote=True)}'>",
           f"<clipPath id='bp-{key}'><rect x='{left}' y='{top}' width='{inner_w}' height='{inner_h}'/></clipPath>",
           f"<rect x='{left}' y='{top}' width='{inner_w}' height='{inner_h}' fill='none' stroke='#555'/>"]
    for t in _ticks(xticks, "xticks"):
        svg.append(f"<line x1='{px(t):.1f}' x2='{px(t):.1f}' y1='{height - bottom}' y2='{height - bottom + 4}' stroke='#555'/>"
                   f"<text x='{px(t):.1f}' y='{height - bottom + 15}' text-anchor='middle'>{t:g}</text>")
    for t in _ticks(yticks, "yticks"):
        svg.append(f"<line x1='{left - 4}' x2='{left}' y1='{py(t):.1f}' y2='{py(t):.1f}' stroke='#555'/>"
                   f"<text x='{left - 6}' y='{py(t) + 4:.1f}' text-anchor='end'>{t:g}</text>")
    points = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(xs, ys))
    svg += [f"<g clip-path='url(#bp-{key})'>",
            f"<polyline points='{points}' fill='none' stroke='#1f77b4' stroke-width='1.5'/>"]
    if point is not None and slope is not None:
        reach = (x_hi - x_lo) / 10 if tangent_reach is None else _finite(tangent_reach, "tangent_reach")
        svg.append(f"<line x1='{px(x0 - reach):.1f}' y1='{py(y0 - reach * slope):.1f}' x2='{px(x0 + reach):.1f}' "
                   f"y2='{py(y0 + reach * slope):.1f}' stroke='#d62728' stroke-width='2' stroke-dasharray='6 3'/>")
    svg.append("</g>")
    if point is not None:
        svg.append(f"<circle cx='{px(x0):.1f}' cy='{py(y0):.1f}' r='4'/>")
    middle = (left + width - right) / 2
    svg += [f"<text x='{middle}' y='16' text-anchor='middle' font-size='12'>{e(title)}</text>",
            f"<text x='{middle}' y='{height - 6}' text-anchor='middle'>{e(xlabel)}</text>",
            f"<text transform='translate(13 {(top + height - bottom) / 2}) rotate(-90)' text-anchor='middle'>{e(ylabel)}</text>",
            "</svg>"]
    return "".join(svg)


def svg_bar_chart(
    values: object,
    labels: Sequence[str],
    *,
    ylim: tuple[float, float],
    title: str = "",
    yticks: Sequence[float] = (),
    highlight: int | None = None,
    width: int = 220,
    height: int = 180,
) -> str:
    """A bar chart as inline SVG: one bar per value, up from zero or down from it.

    Args:
        values: 1-D numbers (an array or a list), one bar each, inside ``ylim``.
        labels: one label per bar, written under it.
        ylim: the y range shown, ``(low, high)``, which must include 0.
        title: shown above the chart.
        yticks: where to put labelled ticks (a line is drawn at 0 in any case).
        highlight: the index of one bar to draw in orange (e.g. the true class).
        width, height: the drawing's size in pixels.

    Each bar's value is printed at its end, to two decimals.
    """
    bars, _ = _finite_array(values, "values", ndim=1)
    if isinstance(labels, str) or len(labels) != len(bars):
        raise ValueError(f"labels must be a sequence of {len(bars)} strings, one per bar, got {labels!r}")
    y_lo, y_hi = _range(ylim, "ylim")
    if not y_lo <= 0 <= y_hi:
        raise ValueError(f"ylim must include 0 (the bars start there), got {ylim!r}")
    if any(v < y_lo - 1e-12 or v > y_hi + 1e-12 for v in bars):
        raise ValueError(f"values must lie inside ylim {ylim!r}, got {bars}")
    if highlight is not None and (isinstance(highlight, bool) or not isinstance(highlight, numbers.Integral)
                                  or not 0 <= highlight < len(bars)):
        raise ValueError(f"highlight must be a bar index in 0..{len(bars) - 1}, got {highlight!r}")
    for size, what in ((width, "width"), (height, "height")):
        if isinstance(size, bool) or not isinstance(size, int) or size < 80:
            raise ValueError(f"{what} must be an int of at least 80 pixels, got {size!r}")
    left, right, top, bottom = 40, 8, 26, 24
    inner_w, inner_h = width - left - right, height - top - bottom

    def py(v: float) -> float:
        return top + (y_hi - v) / (y_hi - y_lo) * inner_h

    e = html.escape
    alt = f"{title or 'bar chart'}: " + ", ".join(f"{label} {v:.2f}" for label, v in zip(labels, bars))
    slot = inner_w / len(bars)
    svg = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' font-size='11' "
           f"style='{_CARD}' role='img' aria-label='{e(alt, quote=True)}'>"]
    for t in _ticks(yticks, "yticks"):
        svg.append(f"<line x1='{left - 4}' x2='{width - right}' y1='{py(t):.1f}' y2='{py(t):.1f}' stroke='#ddd'/>"
                   f"<text x='{left - 6}' y='{py(t) + 4:.1f}' text-anchor='end'>{t:g}</text>")
    for i, (label, v) in enumerate(zip(labels, bars)):
        x = left + i * slot + 0.2 * slot
        top_y, bottom_y = sorted((py(v), py(0.0)))
        color = "#ff7f0e" if highlight == i else "#1f77b4"
        text_y = top_y - 3 if v >= 0 else bottom_y + 11
        svg.append(f"<rect x='{x:.1f}' y='{top_y:.1f}' width='{0.6 * slot:.1f}' height='{bottom_y - top_y:.1f}' fill='{color}'/>"
                   f"<text x='{x + 0.3 * slot:.1f}' y='{text_y:.1f}' text-anchor='middle'>{v:.2f}</text>"
                   f"<text x='{x + 0.3 * slot:.1f}' y='{height - 8}' text-anchor='middle'>{e(label)}</text>")
    svg += [f"<line x1='{left}' x2='{width - right}' y1='{py(0.0):.1f}' y2='{py(0.0):.1f}' stroke='#555'/>",
            f"<text x='{(left + width - right) / 2}' y='16' text-anchor='middle' font-size='12'>{e(title)}</text>",
            "</svg>"]
    return "".join(svg)
