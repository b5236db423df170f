"""Interactive figures: a state you can link to, and sliders that combine once the page's Python runs.

* Frames mode (a figure whose drawing needs NumPy, and any figure before its first move): a link such as ``#fig-nudge:da=0.25`` opens
  the figure at that position, a move writes the state to the URL's fragment, and a
  link that sets several sliders says that it shows one.
* Live mode: a figure whose cell runs alone without NumPy goes live on the first
  move. The figure here is made by the library and given its cell by the build's own
  function (book/_ext/page_python.make_live), on a small page beside the book.
  Moving two sliders in turn keeps both, and the page shows what the render
  function gives at that combined position under CPython. The slider latency once
  live is printed.
"""

from __future__ import annotations

import html
import json
import re
import statistics
import sys
from pathlib import Path

import pytest

from conftest import HTML, ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT))

CHAPTER_1 = "book/01_manual_gradients.html"
CHAPTER_5 = "book/05_numpy_layers.html"
LIVE_PAGE = "_bp_test/live_figure.html"
CELL = '''from backprop_lib.widgets import InteractiveFigure, Slider


def product_view(a, b):
    return f"<p data-bp-summary='a times b is {a * b:.4f}'>a · b = <b>{a * b:.4f}</b></p>"


InteractiveFigure(product_view, [Slider("a", -1.0, 1.0, 0.5, step=0.25), Slider("b", -1.0, 1.0, 0.0, step=0.25)],
                  title="a times b")
'''
GRAPH_CELL = '''from backprop_lib import Value, draw_dot
from backprop_lib.widgets import InteractiveFigure, Slider, svg_html


def neuron_graph_view(w):
    x, weight = Value(2.0, label="x"), Value(w, label="w")
    out = (x * weight).tanh()
    out.label = "o"
    out.backward()
    return svg_html(draw_dot(out))


InteractiveFigure(neuron_graph_view, [Slider("w", -1.0, 1.0, 0.5, step=0.25)], title="a graph drawn in the page")
'''


# (The "?" keeps the fixture reading the page's file; the fragment follows it.)


def spec_of(figure) -> dict:
    return json.loads(figure.locator("script.bp-frames").text_content())


def test_a_link_opens_a_figure_at_one_sliders_position_and_a_move_writes_the_state(visit):
    v = visit(f"{CHAPTER_1}?#fig-nudge:da=0.25")
    page = v.page
    figure = page.locator("#fig-nudge")
    assert figure.get_attribute("data-bp-mode") == "frames"
    page.wait_for_function("el => el.dataset.linked === 'true'", arg=figure.element_handle(), timeout=20000)
    spec = spec_of(figure)
    da = spec["keys"].index("da")
    j = min(range(len(spec["values"][da])), key=lambda i: abs(spec["values"][da][i] - 0.25))
    assert figure.locator("input.bp-slider").nth(da).input_value() == str(j)
    assert figure.get_attribute("data-frame") == str(spec["index"][da][j])
    # A move writes where the figure is now.
    db = spec["keys"].index("db")
    slider = figure.locator("input.bp-slider").nth(db)
    slider.focus()
    slider.press("End")
    page.wait_for_function("() => location.hash.includes('db=1')")
    state = dict(pair.split("=") for pair in page.evaluate("location.hash").split(":", 1)[1].split(","))
    assert page.evaluate("location.hash").startswith("#fig-nudge:")
    assert float(state["db"]) == spec["values"][db][-1] and set(state) == set(spec["keys"])
    assert v.blocked == [] and v.errors == []


def test_a_link_that_sets_several_sliders_of_a_frames_figure_says_it_shows_one(visit):
    # Chapter 5's logit figure stays on frames (its drawing needs NumPy).
    v = visit(f"{CHAPTER_5}?#fig-logit:z0=1,z2=-1")
    page = v.page
    figure = page.locator("#fig-logit")
    assert "needs NumPy" in figure.locator(".bp-live-note").inner_text()
    page.wait_for_function("el => el.dataset.linked === 'true'", arg=figure.element_handle(), timeout=20000)
    note = figure.locator(".bp-link-note")
    assert note.count() == 1 and "2 sliders" in note.inner_text()
    assert v.errors == []


@pytest.fixture(scope="module")
def live_page():
    """A page beside the book holding one live-capable figure, as the build writes it."""
    import page_python

    from backprop_lib._page import _cell_value

    figure, graph = _cell_value(CELL), _cell_value(GRAPH_CELL)
    body, count = page_python.make_live(figure.static_html() + graph.static_html(),
                                        {figure.figure_id(): CELL, graph.figure_id(): GRAPH_CELL})
    assert count == 2
    folder = HTML / "_bp_test"
    folder.mkdir(exist_ok=True)
    (folder / "live_figure.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>live figure</title>"
        "<script defer='defer' src='../_static/bp/bp_python.js'></script></head>"
        f"<body><main>{body}</main></body></html>", encoding="utf-8")
    yield figure, graph
    (folder / "live_figure.html").unlink()
    folder.rmdir()


def test_two_sliders_combine_once_the_figure_is_live(visit, live_page):
    live_page = live_page[0]
    v = visit(LIVE_PAGE)
    page = v.page
    figure = page.locator("#fig-product")
    assert figure.locator("script.bp-figure-source").count() == 1
    sliders = figure.locator("input.bp-slider")
    spec = spec_of(figure)
    # First move: frames answer at once, and Python starts.
    sliders.nth(0).focus()
    sliders.nth(0).press("End")  # a = 1
    page.wait_for_function("el => el.dataset.bpMode === 'live'", arg=figure.element_handle(), timeout=60000)
    ready = page.evaluate("window.bpPython.readySeconds")
    # Second slider: a keeps its place.
    sliders.nth(1).focus()
    for _ in range(3):  # b from 0 to -0.75, one step (0.25) at a time: three live renders
        sliders.nth(1).press("ArrowLeft")
    page.wait_for_function("el => el.querySelector('.bp-pane').textContent.includes('-0.7500')", arg=figure.element_handle())
    a = spec["values"][0][int(sliders.nth(0).input_value())]
    b = spec["values"][1][int(sliders.nth(1).input_value())]
    assert (a, b) == (1.0, -0.75), "both sliders keep the reader's positions"
    live_page.set(a=a, b=b)
    same = figure.evaluate("""(el, html) => { const t = document.createElement('div'); t.innerHTML = html;
        return t.innerHTML === el.querySelector('.bp-pane').innerHTML; }""", live_page.pane.value)
    assert same, "the page shows what render gives under CPython at the combined position"
    latencies = figure.evaluate("el => el.bpLatencies")
    print(f"\nlive figure: Python ready {ready:.1f} s after the first move; {len(latencies)} live renders, "
          f"median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms")
    assert page.evaluate("location.hash") == "#fig-product:a=1,b=-0.75"
    assert v.blocked == [] and v.errors == []


def test_a_link_that_sets_several_sliders_of_a_live_figure_combines_them(visit, live_page):
    live_page = live_page[0]
    v = visit(f"{LIVE_PAGE}?#fig-product:a=-0.5,b=0.75")
    page = v.page
    figure = page.locator("#fig-product")
    page.wait_for_function("el => el.dataset.linked === 'true'", arg=figure.element_handle(), timeout=60000)
    assert figure.get_attribute("data-bp-mode") == "live"
    live_page.set(a=-0.5, b=0.75)
    assert figure.locator(".bp-pane").inner_text().strip() == "a · b = -0.3750"
    assert figure.locator(".bp-link-note").count() == 0
    assert v.errors == []


def test_a_live_figure_draws_its_graph_with_graphviz_wasm(visit, live_page):
    graph = live_page[1]
    v = visit(LIVE_PAGE)
    page = v.page
    figure = page.locator("#fig-neuron-graph")
    slider = figure.locator("input.bp-slider")
    slider.focus()
    slider.press("Home")  # w = -1: frames at once, and Python starts
    page.wait_for_function("el => el.dataset.bpMode === 'live'", arg=figure.element_handle(), timeout=60000)
    slider.press("ArrowRight")  # w = -0.75, drawn live
    page.wait_for_function("el => Number(el.dataset.renders || 0) >= 2", arg=figure.element_handle())
    graph.set(w=-0.75)
    want_label = re.search(r"aria-label='([^']*)'", graph.pane.value).group(1)
    drawn = figure.locator(".bp-pane .bp-graph")
    assert drawn.locator("svg").count() == 1, "Graphviz-wasm drew the graph"
    assert drawn.get_attribute("aria-label") == html.unescape(want_label)
    assert "data -0.7500" in drawn.locator("svg").text_content()
    for _ in range(4):  # more live moves, each drawn by render and Graphviz-wasm
        slider.press("ArrowRight")
    page.wait_for_function("el => (el.querySelector('.bp-pane svg') && el.querySelector('.bp-pane .bp-graph')"
                           ".getAttribute('aria-label').includes('w = 0.2500'))", arg=figure.element_handle())
    latencies = figure.evaluate("el => el.bpLatencies")[1:]  # after the first graph, Graphviz-wasm is loaded
    print(f"\nlive figure with a graph: {len(latencies)} moves, median {statistics.median(latencies):.0f} ms, "
          f"max {max(latencies):.0f} ms (render in the page's Python + Graphviz-wasm)")
    assert v.blocked == [] and v.errors == []


def numbers_in(markup_text: str) -> list[str]:
    return sorted(re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", markup_text))


@pytest.mark.parametrize("path", ["book/01_manual_gradients.html", "book/03_neuron.html"])
def test_a_chapters_figure_goes_live_and_two_sliders_combine_as_in_the_kernel(visit, path):
    """Chapters 1 and 3: move two sliders in turn; both keep their places, and the page's numbers
    are those the figure's own cell computes under CPython at that combined position."""
    from backprop_lib._page import _cell_value

    v = visit(path)
    page = v.page
    candidates = page.locator(".bp-interactive:has(script.bp-figure-source)")
    figure = next((candidates.nth(i) for i in range(candidates.count())
                   if candidates.nth(i).locator("input.bp-slider").count() >= 2), None)
    assert figure is not None, "the chapter has a live-capable figure with two sliders"
    spec = spec_of(figure)
    sliders = figure.locator("input.bp-slider")
    sliders.nth(0).focus()
    sliders.nth(0).press("End")
    page.wait_for_function("el => el.dataset.bpMode === 'live'", arg=figure.element_handle(), timeout=60000)
    renders = int(figure.get_attribute("data-renders") or 0)
    sliders.nth(1).focus()
    sliders.nth(1).press("Home")
    page.wait_for_function("([el, n]) => Number(el.dataset.renders || 0) > n", arg=[figure.element_handle(), renders])
    positions = [int(sliders.nth(i).input_value()) for i in range(2)]
    assert positions[0] == len(spec["values"][0]) - 1 and positions[1] == 0, "both sliders keep the reader's positions"
    values = {key: spec["values"][i][int(sliders.nth(i).input_value())] for i, key in enumerate(spec["keys"])}
    kernel = _cell_value(json.loads(figure.locator("script.bp-figure-source").text_content()))
    kernel.set(**values)
    expected = html.unescape(re.sub(r"<[^>]+>", " ", kernel.pane.value)) + " ".join(
        html.unescape(label) for label in re.findall(r"aria-label='([^']*)'", kernel.pane.value))
    shown = figure.evaluate("""el => { const pane = el.querySelector('.bp-pane');
        return pane.textContent + ' ' + Array.from(pane.querySelectorAll('[aria-label]')).map(e => e.getAttribute('aria-label')).join(' '); }""")
    assert numbers_in(shown) == numbers_in(expected), "the page's numbers are the kernel's at the combined position"
    latencies = figure.evaluate("el => el.bpLatencies")
    print(f"\n{path}: live at {values}; {len(latencies)} live renders, median {statistics.median(latencies):.0f} ms")
    assert v.blocked == [] and v.errors == []
