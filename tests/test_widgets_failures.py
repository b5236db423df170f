"""Sliders and interactive figures: positions inside the range, and a failure changes nothing."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib.widgets import MAX_POSITIONS, InteractiveFigure, Slider


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    low=st.floats(-1e3, 1e3),
    width=st.floats(1e-3, 1e3),
    steps=st.floats(0.5, 400.0),
    start=st.floats(0.0, 1.0),
    log=st.booleans(),
)
def test_positions_never_pass_max_and_include_the_start(low, width, steps, start, log):
    if log:
        lo, hi = 10.0 ** (low / 200), 10.0 ** (low / 200 + width / 100)
        step = (math.log10(hi) - math.log10(lo)) / steps
    else:
        lo, hi = low, low + width
        step = width / steps
    if not (lo < hi and step > 0):
        return
    value = min(max(lo + start * (hi - lo), lo), hi)
    slider = Slider("p", lo, hi, value, step=step, log=log)
    grid = slider.positions()
    assert len(grid) <= MAX_POSITIONS + 1
    assert all(lo <= x <= hi for x in grid), (grid[0], grid[-1], lo, hi)
    assert grid == sorted(grid) and grid[0] == pytest.approx(lo, rel=1e-9, abs=1e-9)
    assert any(math.isclose(x, value, rel_tol=1e-12, abs_tol=1e-15) for x in grid)


def test_the_issues_example_stops_before_max():
    assert Slider("p", 0, 1, 0.5, step=0.35).positions() == [0.0, 0.35, 0.5, 0.7]
    assert Slider("q", 0, 1, 0.0, step=0.1).positions()[-1] == 1.0  # a step landing on max keeps it


def test_the_number_of_positions_is_capped():
    with pytest.raises(ValueError, match=r"slider 'p' would have 10,000,001 positions \(0 to 1 in steps of 1e-07\); at most 1,001"):
        Slider("p", 0, 1, 0.5, step=1e-7)
    assert len(Slider("p", 0, 100, 0, step=0.1).positions()) == 1001


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(min=float("nan")), ValueError, r"slider 'p': min must be finite, got nan"),
        (dict(max=float("inf")), ValueError, r"slider 'p': max must be finite, got inf"),
        (dict(step="0.1"), TypeError, r"slider 'p': step must be a real number, got str"),
        (dict(value=True), TypeError, r"slider 'p': value must be a real number, got bool"),
        (dict(log=1), TypeError, r"log must be True or False"),
    ],
)
def test_bad_slider_numbers(kwargs, error, message):
    args = dict(name="p", min=0.0, max=1.0, value=0.5, step=0.1)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        Slider(**args)


def fragile(a, b):
    if a > 1.0:
        raise ValueError("a too large to draw")
    return f"<p>a={a:g} b={b:g}</p>"


def make():
    return InteractiveFigure(fragile, [Slider("a", 0, 2, 0.5, step=0.5), Slider("b", 0, 2, 1.0, step=0.5)], title="fragile")


def test_set_applies_all_values_or_none():
    fig = make()
    with pytest.raises(ValueError, match=r"a too large to draw"):
        fig.set(b=1.5, a=2.0)
    assert fig.values() == {"a": 0.5, "b": 1.0} and fig.pane.value == "<p>a=0.5 b=1</p>"
    fig.set(a=1.0, b=2.0)
    assert fig.values() == {"a": 1.0, "b": 2.0} and fig.pane.value == "<p>a=1 b=2</p>"


@pytest.mark.parametrize(
    "values, error, message",
    [
        (dict(a=float("nan")), ValueError, r"slider 'a' takes a finite number, got nan"),
        (dict(a=0.5, b=float("inf")), ValueError, r"slider 'b' takes a finite number, got inf"),
        (dict(a=0.5, b=3.0), ValueError, r"slider 'b' goes from 0 to 2, got 3\.0"),
        (dict(a="1"), TypeError, r"slider 'a' takes a real number, got str"),
        (dict(c=1.0), ValueError, r"no slider named \['c'\]"),
    ],
)
def test_set_refuses_bad_values_before_moving_anything(values, error, message):
    fig = make()
    with pytest.raises(error, match=message):
        fig.set(**values)
    assert fig.values() == {"a": 0.5, "b": 1.0} and fig.pane.value == "<p>a=0.5 b=1</p>"


def test_a_slider_moved_to_where_render_fails_shows_the_error_in_the_pane():
    fig = make()
    fig.controls["a"].value = 1.5  # as a reader's drag does: through the widget
    assert fig.values()["a"] == 1.5
    assert "cannot be drawn at a = 1.5, b = 1" in fig.pane.value and "a too large to draw" in fig.pane.value
    fig.controls["a"].value = 1.0
    assert fig.pane.value == "<p>a=1 b=1</p>"


def test_frames_errors_name_the_slider_and_the_value():
    fig = make()
    with pytest.raises(RuntimeError, match=r"rendering the figure 'fragile' with slider 'a' at 1\.5 raised ValueError: a too large"):
        fig.frames()
    bad = InteractiveFigure(lambda a: "ok" if a < 1 else 3, [Slider("a", 0, 2, 0.0, step=1.0)])
    with pytest.raises(TypeError, match=r"with slider 'a' at 1\.0 it returned int"):
        bad.frames()


def test_grid_errors_name_every_sliders_value():
    fig = make()  # 5 x 5 combinations: the static page renders the full grid
    with pytest.raises(RuntimeError, match=r"rendering the figure 'fragile' with sliders a = 1\.5, b = 0\.0 raised ValueError: a too large"):
        fig.static_html()
    bad = InteractiveFigure(lambda a, b: "ok" if a + b < 1 else None,
                            [Slider("a", 0, 1, 0.0, step=1.0), Slider("b", 0, 1, 0.0, step=1.0)])
    with pytest.raises(TypeError, match=r"with sliders a = 0\.0, b = 1\.0 it returned NoneType"):
        bad.grid_frames()
