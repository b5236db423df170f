"""Interactive figures: a state you can link to, and sliders that combine once the page's Python runs.

* Frames mode (a figure whose drawing needs NumPy, and any figure before its first move): a link such as ``#fig-nudge:da=0.25`` opens
  the figure at that position, a move writes the state to the URL's fragment, and a
  link that sets several sliders of a figure that moves one slider at a time says that it shows one.
* Full grid (frames mode, a figure whose every combination of positions the build stored):
  moving two sliders in turn keeps both, and the pane shows the frame for the combination,
  which is what the render function gives there; a link that sets two sliders shows the
  combination. On the small page beside the book, and on a chapter's figure when one has a grid.
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

# Stays on frames (the build gives it no cell to run), as a figure whose drawing needs NumPy:
# 9 x 9 positions, so the page carries the full grid.
GRID_CELL = '''from backprop_lib.widgets import InteractiveFigure, Slider


def grid_product_view(a, b):
    return f"<p data-bp-summary='a times b is {a * b:.4f}'>a = {a:.2f}, b = {b:.2f}: a · b = <b>{a * b:.4f}</b></p>"


InteractiveFigure(grid_product_view, [Slider("a", -1.0, 1.0, 0.5, step=0.25), Slider("b", -1.0, 1.0, 0.0, step=0.25)],
                  title="a times b, every combination stored")
'''
# Stays on frames, and 201 x 201 positions are too many for a grid: one slider at a time.
FINE_CELL = GRID_CELL.replace("grid_product_view", "fine_product_view").replace("step=0.25", "step=0.01").replace(
    "every combination stored", "one slider at a time")


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


def chapter_figures(chapters=("05", "06", "07")) -> list[tuple[str, dict, bool]]:
    """``(page, spec, live)`` for each figure with two sliders or more in the built chapters named."""
    found = []
    for number in chapters:
        for page in sorted((HTML / "book").glob(f"{number}_*.html")):
            text = page.read_text(encoding="utf-8")
            for match in re.finditer(r"<div class='bp-interactive bp-static'[^>]*>", text):
                end = text.index("class='bp-frames'>", match.end())
                spec = json.loads(re.search(r"class='bp-frames'>(.*?)</script>", text[end - 40:], re.S).group(1))
                if len(spec["keys"]) >= 2:
                    found.append((f"book/{page.name}", spec, "bp-figure-source" in text[match.end():end]))
    return found


def test_a_link_that_sets_several_sliders_of_a_frames_figure_says_it_shows_one(visit):
    # A chapter's figure that stays on frames (its drawing needs NumPy) and carries no grid:
    # chapter 5's logit figure (121 x 122 positions) when this was written.
    one_at_a_time = [(page, spec) for page, spec, live in chapter_figures() if not live and "grid" not in spec]
    if not one_at_a_time:
        pytest.skip("every figure of chapters 5-7 with several sliders combines now (live, or a full grid); "
                    "test_a_link_that_sets_two_sliders_of_a_one_at_a_time_figure_says_it_shows_one covers the note")
    path, spec = one_at_a_time[0]
    state = ",".join(f"{key}={values[0 if start else -1]}" for key, values, start in zip(spec["keys"][:2], spec["values"], spec["start"]))
    v = visit(f"{path}?#{spec['id']}:{state}")
    page = v.page
    figure = page.locator(f"#{spec['id']}")
    assert re.search(r"needs (NumPy|Matplotlib)", figure.locator(".bp-live-note").inner_text())
    assert "too many to store in the page" in figure.locator(".bp-live-note").inner_text() or \
        "would weigh" in figure.locator(".bp-live-note").inner_text(), "the note says why there is no grid"
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
    grid, fine = _cell_value(GRID_CELL), _cell_value(FINE_CELL)
    body, count = page_python.make_live(figure.static_html() + graph.static_html() + grid.static_html() + fine.static_html(),
                                        {figure.figure_id(): CELL, graph.figure_id(): GRAPH_CELL})
    assert count == 2
    # The build's reason for the two frames figures, in page order (book/_ext/page_python.py).
    body = page_python.explain_frames_only(body, ["its drawing needs NumPy, which the page's own Python does not have"] * 2)
    folder = HTML / "_bp_test"
    folder.mkdir(exist_ok=True)
    (folder / "live_figure.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>live figure</title>"
        "<script defer='defer' src='../_static/bp/bp_python.js'></script></head>"
        f"<body><main>{body}</main></body></html>", encoding="utf-8")
    yield figure, graph, grid
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


@pytest.mark.parametrize("path", ["book/01_manual_gradients.html", "book/03_neuron.html", "book/05_numpy_layers.html",
                                  "book/06_gradient_descent.html"])
def test_a_chapters_figure_goes_live_and_two_sliders_combine_as_in_the_kernel(visit, path):
    """Chapters 1, 3, 5 and 6: move two sliders in turn; both keep their places, and the page's numbers
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
    # Text node by text node: SVG labels sit side by side with no space, and must not run together.
    shown = figure.evaluate("""el => { const pane = el.querySelector('.bp-pane'), texts = [];
        for (const w = document.createTreeWalker(pane, NodeFilter.SHOW_TEXT); w.nextNode();) texts.push(w.currentNode.data);
        return texts.join(' ') + ' ' + Array.from(pane.querySelectorAll('[aria-label]')).map(e => e.getAttribute('aria-label')).join(' '); }""")
    assert numbers_in(shown) == numbers_in(expected), "the page's numbers are the kernel's at the combined position"
    latencies = figure.evaluate("el => el.bpLatencies")
    print(f"\n{path}: live at {values}; {len(latencies)} live renders, median {statistics.median(latencies):.0f} ms")
    assert v.blocked == [] and v.errors == []


def shows(figure, markup: str) -> bool:
    """Does the figure's pane hold exactly this HTML (as the browser parses it)?"""
    return figure.evaluate("""(el, html) => { const t = document.createElement('div'); t.innerHTML = html;
        return t.innerHTML === el.querySelector('.bp-pane').innerHTML; }""", markup)


def grid_frame(spec: dict, positions: list[int]) -> int:
    flat = 0
    for size, j in zip(spec["grid"]["shape"], positions):
        flat = flat * size + j
    return spec["grid"]["index"][flat]


def test_two_sliders_of_a_grid_figure_combine_in_frames_mode(visit, live_page):
    kernel = live_page[2]
    v = visit(LIVE_PAGE)
    page = v.page
    figure = page.locator("#fig-grid-product")
    assert figure.locator("script.bp-figure-source").count() == 0
    spec = spec_of(figure)
    assert spec["grid"]["shape"] == [9, 9]
    assert "The sliders combine" in figure.locator(".bp-live-note").inner_text()
    assert "One slider moves at a time" not in figure.inner_text()
    sliders = figure.locator("input.bp-slider")
    sliders.nth(0).focus()
    page.wait_for_function("el => el.dataset.loaded === 'true'", arg=figure.element_handle(), timeout=10000)
    sliders.nth(0).press("End")  # a = 1
    sliders.nth(1).focus()
    for _ in range(3):  # b from 0 to -0.75, one step (0.25) at a time
        sliders.nth(1).press("ArrowLeft")
    page.wait_for_function("el => el.querySelector('.bp-pane').textContent.includes('-0.7500')", arg=figure.element_handle())
    positions = [int(sliders.nth(i).input_value()) for i in range(2)]
    assert positions == [8, 1], "both sliders keep the reader's positions"
    assert figure.get_attribute("data-frame") == str(grid_frame(spec, positions))
    kernel.set(a=1.0, b=-0.75)
    assert shows(figure, kernel.pane.value), "the pane shows what render gives at the combined position"
    # Back to the first slider: the second keeps its place.
    sliders.nth(0).focus()
    sliders.nth(0).press("ArrowLeft")  # a = 0.75
    page.wait_for_function("el => el.querySelector('.bp-pane').textContent.includes('-0.5625')", arg=figure.element_handle())
    assert [int(sliders.nth(i).input_value()) for i in range(2)] == [7, 1]
    kernel.set(a=0.75, b=-0.75)
    assert shows(figure, kernel.pane.value)
    assert sliders.nth(1).get_attribute("aria-valuetext") == "b = -0.75"
    assert figure.get_attribute("data-bp-mode") == "frames"
    assert page.evaluate("location.hash") == "#fig-grid-product:a=0.75,b=-0.75"
    assert "a = 0.75, b = -0.75. a times b is -0.5625" in figure.locator(".bp-status").text_content()
    assert v.blocked == [] and v.errors == []


def test_a_link_that_sets_two_sliders_of_a_grid_figure_shows_the_combination(visit, live_page):
    kernel = live_page[2]
    v = visit(f"{LIVE_PAGE}?#fig-grid-product:a=-0.5,b=0.75")
    page = v.page
    figure = page.locator("#fig-grid-product")
    page.wait_for_function("el => el.dataset.linked === 'true'", arg=figure.element_handle(), timeout=20000)
    spec = spec_of(figure)
    sliders = figure.locator("input.bp-slider")
    assert [int(sliders.nth(i).input_value()) for i in range(2)] == [2, 7]
    assert figure.get_attribute("data-frame") == str(grid_frame(spec, [2, 7]))
    kernel.set(a=-0.5, b=0.75)
    assert shows(figure, kernel.pane.value), "the link shows the combination"
    assert figure.locator(".bp-link-note").count() == 0
    assert figure.get_attribute("data-bp-mode") == "frames"
    assert v.errors == []


def test_a_link_that_sets_two_sliders_of_a_one_at_a_time_figure_says_it_shows_one(visit, live_page):
    v = visit(f"{LIVE_PAGE}?#fig-fine-product:a=0.3,b=-0.4")
    page = v.page
    figure = page.locator("#fig-fine-product")
    spec = spec_of(figure)
    assert "grid" not in spec
    note = figure.locator(".bp-live-note").inner_text()
    assert ("One slider moves at a time here, because its drawing needs NumPy, which the page's own Python does not have, "
            "and its 40,401 combinations of slider positions are too many to store in the page") in note
    page.wait_for_function("el => el.dataset.linked === 'true'", arg=figure.element_handle(), timeout=20000)
    link_note = figure.locator(".bp-link-note")
    assert link_note.count() == 1 and "2 sliders" in link_note.inner_text() and "a = 0.30 alone" in link_note.inner_text()
    sliders = figure.locator("input.bp-slider")
    assert [spec["values"][i][int(sliders.nth(i).input_value())] for i in range(2)] == [0.3, 0.0]
    assert v.errors == []


@pytest.mark.parametrize("chapter", ["05", "06", "07"])
def test_a_chapters_grid_figure_combines_two_sliders_and_a_link(visit, chapter):
    """A chapter's figure that stays on frames with a full grid: two moves in turn keep both sliders,
    the pane shows the grid's frame for the combination, and a link setting two sliders shows it."""
    import base64
    import gzip

    from conftest import frames_payload
    from test_pages import SHOWS_FRAME  # compares with the frame, the page's graph fitting taken off

    grids = [(page, spec) for page, spec, live in chapter_figures((chapter,)) if not live and "grid" in spec]
    if not grids:
        pytest.skip(f"no figure of chapter {chapter} stays on frames with a full grid (in this build)")
    path, spec = grids[0]
    frames = json.loads(gzip.decompress(base64.b64decode(frames_payload(spec, path))))
    v = visit(path)
    page = v.page
    figure = page.locator(f"#{spec['id']}")
    assert "The sliders combine" in figure.locator(".bp-live-note").inner_text()
    sliders = figure.locator("input.bp-slider")
    sliders.nth(0).focus()
    page.wait_for_function("el => el.dataset.loaded === 'true'", arg=figure.element_handle(), timeout=20000)
    sliders.nth(0).press("End" if spec["start"][0] == 0 else "Home")
    sliders.nth(1).focus()
    sliders.nth(1).press("End" if spec["start"][1] == 0 else "Home")
    positions = [int(sliders.nth(i).input_value()) for i in range(len(spec["keys"]))]
    expected = [len(spec["values"][0]) - 1 if spec["start"][0] == 0 else 0,
                len(spec["values"][1]) - 1 if spec["start"][1] == 0 else 0, *spec["start"][2:]]
    assert positions == expected, "both sliders keep the reader's positions"
    page.wait_for_function("([el, n]) => el.dataset.frame === n", arg=[figure.element_handle(), str(grid_frame(spec, positions))])
    assert figure.evaluate(SHOWS_FRAME, frames[grid_frame(spec, positions)]), "the pane shows the combination's frame"
    state = ",".join(f"{key}={spec['values'][t][j]}" for t, (key, j) in enumerate(zip(spec["keys"], expected)))
    linked = visit(f"{path}?#{spec['id']}:{state}")
    figure = linked.page.locator(f"#{spec['id']}")
    linked.page.wait_for_function("el => el.dataset.linked === 'true'", arg=figure.element_handle(), timeout=20000)
    assert [int(figure.locator("input.bp-slider").nth(i).input_value()) for i in range(len(spec["keys"]))] == expected
    assert figure.get_attribute("data-frame") == str(grid_frame(spec, expected))
    assert figure.evaluate(SHOWS_FRAME, frames[grid_frame(spec, expected)]), "the link shows the combination's frame"
    assert figure.locator(".bp-link-note").count() == 0
    assert v.errors == [] and linked.errors == []
