"""Every page of the built book, opened in headless Chromium with the network cut.

A line per page reports its checks and its weight: the page's own bytes (HTML,
images, data) and the shared assets it loaded (theme, MathJax, widgets).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import pytest

from conftest import HTML, ROOT, SCREENSHOTS, frames_payload

PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.parts
               and "_sources" not in p.parts) if HTML.is_dir() else []
CHAPTERS = [p for p in PAGES if re.match(r"book/\d\d_", p)]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGE_BUDGET_BYTES = 3 * 1024 * 1024
SLIDER_BUDGET_MS = 50


def wait_for_math(page) -> int:
    """Wait until MathJax has typeset the page; return how many formulas it drew."""
    if not page.locator(".math").count():
        return 0
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("MathJax.startup.promise")
    return page.locator("mjx-container").count()


def serious_axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_self_contained_error_free_and_accessible(visit, path):
    v = visit(path)
    page = v.page
    formulas = wait_for_math(page)
    images = page.evaluate("""Array.from(document.images).map(i => ({src: i.src.slice(0, 80), alt: i.getAttribute('alt'),
                              ok: i.complete && i.naturalWidth > 0}))""")
    violations = serious_axe_violations(page)
    raw_math = page.evaluate("Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container')).length")

    if path in CHAPTERS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / (Path(path).stem + ".png")), full_page=True)
    print(f"\n{path:<32} requests to other hosts {len(v.blocked)}, console errors {len(v.errors)}, "
          f"formulas {formulas}, images {len(images)}, axe serious/critical {len(violations)}, "
          f"weight {v.bytes['page'] / 1024:.0f} KiB page + {v.bytes['shared'] / 1024:.0f} KiB shared assets")

    assert v.blocked == [], "the page asked for other hosts"
    assert v.errors == [], "console errors"
    assert raw_math == 0, "formulas left untypeset"
    assert all(i["ok"] for i in images), [i["src"] for i in images if not i["ok"]]
    assert all(i["alt"] for i in images), [i["src"] for i in images if not i["alt"]]
    assert violations == []
    if path in CHAPTERS:
        assert formulas > 0
        assert v.bytes["page"] <= PAGE_BUDGET_BYTES


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_shows_its_figures_launch_links_and_notebook_download(visit, path):
    page = visit(path).page
    figures = page.locator(".cell_output img, .cell_output svg, .bp-pane img, .bp-pane svg").count()
    assert figures > 0
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert any(h.startswith("https://mybinder.org/v2/gh/") for h in hrefs), "Binder launch button"
    assert any(h.startswith("https://colab.research.google.com/github/") for h in hrefs), "Colab launch button"
    name = Path(path).stem
    download = [h for h in hrefs if h.endswith(f"{name}.ipynb") and "/_sources/" in h]
    assert download, "the page offers its .ipynb"
    response = page.request.get(download[0])
    assert response.ok and json.loads(response.body())["cells"]
    assert page.locator(".bp-interactive").count() > 0, "every chapter has an interactive figure"


# Does the figure's pane show this frame? The page's script fits each graph to the column (an
# inline min-width on its <svg>, a data-bp-fitted mark) and may add an "open full size" button
# after it; those decorations are taken off before comparing with what the library computed.
SHOWS_FRAME = """(el, html) => {
  const expected = document.createElement('div'); expected.innerHTML = html;
  const shown = el.querySelector('.bp-pane').cloneNode(true);
  shown.querySelectorAll('.bp-graph-tools').forEach(n => n.remove());
  shown.querySelectorAll('.bp-graph[data-bp-fitted]').forEach(g => {
    g.removeAttribute('data-bp-fitted'); g.querySelector('svg').removeAttribute('style'); });
  return expected.innerHTML === shown.innerHTML;
}"""


def frames_of(figure_html: str, page: str) -> tuple[list[str], dict]:
    spec = json.loads(re.search(r"<script type=.application/json. class=.bp-frames.>(.*?)</script>", figure_html, re.S).group(1))
    return json.loads(gzip.decompress(base64.b64decode(frames_payload(spec, page)))), spec


def frame_at(spec: dict, positions: list[int], s: int) -> int:
    """The frame a figure shows once slider ``s`` moved to its place in ``positions``: with the full
    grid, the combination of every slider's position; else slider ``s`` alone (the others at their start)."""
    if "grid" not in spec:
        return spec["index"][s][positions[s]]
    flat = 0
    for size, j in zip(spec["grid"]["shape"], positions):
        flat = flat * size + j
    return spec["grid"]["index"][flat]


@pytest.mark.parametrize("path", CHAPTERS)
def test_every_slider_answers_on_the_static_page(visit, path):
    """Drag each slider with the keyboard; the figure must show the frame the library computed."""
    v = visit(path)
    page = v.page
    figures = page.locator(".bp-static")
    assert figures.count() > 0, "the chapter's interactive figures carry frames"
    latencies = []
    for f in range(figures.count()):
        figure = figures.nth(f)
        page.wait_for_function("el => el.dataset.ready === 'true'", arg=figure.element_handle(), timeout=10000)
        frames, spec = frames_of(figure.evaluate("el => el.outerHTML"), path)
        sliders = figure.locator("input.bp-slider")
        for s in range(sliders.count()):
            slider = sliders.nth(s)
            start = spec["start"][s]
            last = len(spec["index"][s]) - 1
            target, key = (last, "End") if start != last else (0, "Home")
            figure.evaluate("""el => { el._t = null; const pane = el.querySelector('.bp-pane');
                new MutationObserver((m, o) => { el._t = performance.now() - el._t0; o.disconnect(); })
                    .observe(pane, {childList: true, subtree: true, characterData: true});
                el.addEventListener('input', e => { el._t0 = e.timeStamp; }, {capture: true, once: true}); }""")
            slider.focus()  # the reader's first touch loads the frames; moves then swap them
            page.wait_for_function("el => el.dataset.loaded === 'true'", arg=figure.element_handle(), timeout=10000)
            before = [int(sliders.nth(t).input_value()) for t in range(sliders.count())]
            slider.press(key)
            assert int(slider.input_value()) == target
            after = [int(sliders.nth(t).input_value()) for t in range(sliders.count())]
            expected = frames[frame_at(spec, after, s)]
            same = figure.evaluate(SHOWS_FRAME, expected)
            assert same, f"slider {s} of figure {f} shows the wrong frame"
            if frame_at(spec, after, s) != frame_at(spec, before[:s] + [start] + before[s + 1:], s):
                latencies.append(figure.evaluate("el => el._t"))
            slider.press("Home" if key == "End" else "End")  # move it again: still the right frame
            back = frames[frame_at(spec, after[:s] + [0 if key == "End" else last] + after[s + 1:], s)]
            assert figure.evaluate(SHOWS_FRAME, back)
    measured = [t for t in latencies if t is not None]
    print(f"\n{path:<32} sliders moved {len(latencies)}, in-browser latency max {max(measured, default=0):.1f} ms")
    assert v.errors == [] and v.blocked == []
    assert measured and max(measured) <= SLIDER_BUDGET_MS


def test_search_works_offline(visit):
    v = visit("search.html?q=chain+rule")
    v.page.wait_for_selector("#search-results li", timeout=15000)
    results = v.page.locator("#search-results li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any("01_manual_gradients" in r for r in results), results
    assert v.blocked == [] and v.errors == []
