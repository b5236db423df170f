"""Exercises that run where they are read: the page's Python (Pyodide in a worker), network cut.

For one exercise per chapter that needs no NumPy, the reader's right answer,
wrong answer and code that raises are typed into the box and run: each verdict
(kind and text) must equal the kernel's for the same code, computed here under
CPython. A line per page reports the bytes it loaded before any interaction, the
time until Python was ready after the first Run, and the median and maximum latency
of its live figures' sliders.

All pages are opened in one browser profile on disk, so after the first page Pyodide comes
from the HTTP cache, compiled from the code cache (as for a reader moving through the book).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, HTML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from page_cases import CASES, kernel_verdict  # noqa: E402

PAGE_OF_CHAPTER = {
    int(p.name[:2]): p.relative_to(HTML).as_posix() for p in sorted((HTML / "book").glob("[0-9][0-9]_*.html"))
} if (HTML / "book").is_dir() else {}
READY_BUDGET_S = 30  # generous: a busy 2-core machine; the figure measured is printed


class Reader:
    """One browser profile for the whole session, a page at a time, with what each fetched.

    A profile on disk, as a reader's browser has: Chromium keeps compiled WebAssembly in its code
    cache only there (an incognito-like context has none), and that halves Python's start on every
    page after the first (about 2.5 s against 4.5 s here).
    """

    def __init__(self, browser, book_url: str, profile: Path) -> None:
        self.context = browser.browser_type.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        self.host = urlparse(book_url).netloc
        self.book_url = book_url
        self.blocked: list[str] = []
        self.fetched: list[tuple[str, int]] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        if urlparse(route.request.url).netloc in (self.host, ""):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _count(self, response) -> None:
        try:
            self.fetched.append((response.url, len(response.body())))
        except Exception:  # redirects and aborted requests have no body
            pass

    def open(self, path: str):
        self.fetched, self.errors = [], []
        page = self.context.new_page()
        page.on("response", self._count)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.goto(f"{self.book_url}/{path}", wait_until="load")
        page.wait_for_function("document.querySelectorAll('.bp-exercise[data-bp-ready]').length"
                               " === document.querySelectorAll('.bp-exercise').length")
        return page

    def bytes_so_far(self) -> int:
        return sum(size for _, size in self.fetched)


@pytest.fixture(scope="module")
def reader(browser, book_url, tmp_path_factory):
    r = Reader(browser, book_url, tmp_path_factory.mktemp("chromium-profile"))
    yield r
    r.context.close()


def run(page, box, code: str | None = None, timeout_ms: int = 60000) -> tuple[str, str]:
    """Type ``code`` (if given) into the box, press Run, wait for the verdict; return (kind, text)."""
    if code is not None:
        box.locator("textarea").fill(code)
    run_button = box.get_by_role("button", name="Run", exact=True)
    run_button.click()
    page.wait_for_function("b => !b.disabled", arg=run_button.element_handle(), timeout=timeout_ms)
    verdict = box.locator("[data-bp-verdict]")
    return verdict.get_attribute("data-bp-verdict"), verdict.inner_text().strip()


LIVE_MOVES = 12  # keyboard steps per page once its figures are live, spread over their sliders


def live_slider_latencies(page) -> tuple[list[float], float | None]:
    """Move each live-capable figure's sliders from the keyboard: the first move starts Python (if it is
    not running yet) and the figure goes live; then LIVE_MOVES more steps, each waited for. Returns the
    in-page latencies of those steps (render in the page's Python, plus Graphviz-wasm for graphs), in ms,
    and the seconds Python took to be ready if a figure started it."""
    figures = page.locator(".bp-interactive:has(script.bp-figure-source)")
    latencies: list[float] = []
    started_python = None
    renders = "r => Number(r.dataset.renders || 0)"
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        sliders = figure.locator("input.bp-slider")
        cold = page.evaluate("!window.bpPython || window.bpPython.state !== 'ready'")
        sliders.first.focus()
        page.keyboard.press("ArrowRight")
        handle = figure.element_handle()
        page.wait_for_function("r => r.dataset.bpMode === 'live' && Number(r.dataset.renders || 0) >= 1",
                               arg=handle, timeout=60000)
        if cold and started_python is None:
            started_python = page.evaluate("window.bpPython.readySeconds")
        for k in range(LIVE_MOVES // figures.count() + 1):
            before = figure.evaluate(renders)
            slider = sliders.nth(k % sliders.count())
            at_top = slider.evaluate("s => Number(s.value) >= Number(s.max)")
            slider.focus()
            page.keyboard.press("ArrowLeft" if at_top or (k // sliders.count()) % 2 else "ArrowRight")
            page.wait_for_function(f"r => ({renders})(r) > {before}", arg=handle, timeout=30000)
            latencies.append(figure.evaluate("r => r.bpLatencies[r.bpLatencies.length - 1]"))
    return latencies, started_python


@pytest.mark.parametrize("chapter", sorted(PAGE_OF_CHAPTER))
def test_a_chapter_page_loads_no_python_before_interaction_and_times_its_python(reader, chapter):
    """Each chapter page: its boxes keep the contract and nothing of Python loads before any interaction;
    then the first Run starts Python, and its live figures answer each keyboard step. A line per page
    gives the bytes loaded before any interaction, the time until Python was ready after the first Run
    (the browser's cache warm: all pages share one context), and the median and maximum slider latency
    once live. Timings are printed, not asserted against the goals (5 s, 100 ms): the machine may be busy."""
    page = reader.open(PAGE_OF_CHAPTER[chapter])
    try:
        boxes = page.locator(".bp-exercise[data-bp-exercise]")
        for n in range(boxes.count()):
            box = boxes.nth(n)
            assert box.locator("textarea").count() == 1
            assert box.get_by_role("button", name="Run", exact=True).count() == 1
            assert box.locator("[data-bp-verdict]").get_attribute("data-bp-verdict") in ("unanswered", "wrong", "correct")
        page.wait_for_timeout(300)
        python = [url for url, _ in reader.fetched if "/pyodide/" in url or url.endswith("backprop_lib.json")]
        loaded = reader.bytes_so_far()
        assert python == [], "Python loaded before any Run"
        assert reader.blocked == [] and reader.errors == []

        ready = None
        if boxes.count():  # the first Run starts Python; the box's own code (with its blanks) is run as it is
            box = boxes.first
            box.scroll_into_view_if_needed()
            run_button = box.get_by_role("button", name="Run", exact=True)
            run_button.click()
            page.wait_for_function("b => !b.disabled", arg=run_button.element_handle(), timeout=60000)
            assert page.evaluate("window.bpPython.state") == "ready"
            ready = page.evaluate("window.bpPython.readySeconds")
            assert 0 < ready < READY_BUDGET_S
        latencies, figure_ready = live_slider_latencies(page)
        ready = ready if ready is not None else figure_ready
        live = page.locator(".bp-interactive:has(script.bp-figure-source)").count()
        timing = (f"Python ready {ready:.1f} s after the first " + ("Run" if boxes.count() else "slider move")) if ready else "no Python on this page"
        sliders = (f"{live} live figure{'s' if live != 1 else ''}, {len(latencies)} slider moves once live: median {statistics.median(latencies):.0f} ms, "
                   f"max {max(latencies):.0f} ms") if latencies else "no live figure"
        print(f"\n{PAGE_OF_CHAPTER[chapter]:<36} {boxes.count()} exercise boxes; {loaded / 1024:.0f} KiB before any "
              f"interaction; {timing}; {sliders}")
        assert all(0 <= ms < 30000 for ms in latencies), latencies
        assert reader.blocked == [] and reader.errors == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def python_page(reader):
    """Chapter 1's page, kept open: its Python starts once and runs every chapter's cases."""
    page = reader.open(PAGE_OF_CHAPTER[1])
    yield page
    page.close()


@pytest.mark.parametrize("id", sorted(CASES))
def test_an_exercise_runs_in_the_page_with_the_kernels_verdicts(reader, python_page, id):
    page = python_page
    # The chapter's own box where this page has it; the first box otherwise (any box runs any cell).
    own = page.locator(f'.bp-exercise[data-bp-exercise="{id}"]')
    box = own if own.count() else page.locator(".bp-exercise").first
    started = time.perf_counter()
    cold = page.evaluate("window.bpPython.state") != "ready"
    seen = {kind: run(page, box, CASES[id][kind]) for kind in ("correct", "wrong", "error")}
    if cold:
        print(f"\n{PAGE_OF_CHAPTER[1]:<36} Python ready {page.evaluate('window.bpPython.readySeconds'):.1f} s after "
              f"the first Run (interpreter {page.evaluate('window.bpPython.interpreterSeconds'):.1f} s); "
              f"three runs answered in {time.perf_counter() - started:.1f} s")
        assert page.evaluate("window.bpPython.readySeconds") < READY_BUDGET_S
    for kind, (got_kind, got_text) in seen.items():
        assert (got_kind, got_text) == kernel_verdict(CASES[id][kind]), kind
    assert reader.blocked == [] and reader.errors == []


def test_the_readers_code_is_kept_and_reset_restores_the_original(reader):
    page = reader.open(PAGE_OF_CHAPTER[3])
    try:
        box = page.locator('.bp-exercise[data-bp-exercise="3-1"]')
        editor = box.locator("textarea")
        original = editor.evaluate("e => e.defaultValue")  # the chapter's cell, as the page was built
        box.get_by_role("button", name="Reset", exact=True).click()  # earlier tests may have left code here
        initial = box.locator("[data-bp-verdict]").inner_text()
        editor.fill(CASES["3-1"]["wrong"])
        page.wait_for_timeout(400)  # the box saves shortly after typing stops
        page.reload(wait_until="load")
        page.wait_for_function("document.querySelector('.bp-exercise[data-bp-ready]')")
        box = page.locator('.bp-exercise[data-bp-exercise="3-1"]')
        assert box.locator("textarea").input_value() == CASES["3-1"]["wrong"]
        box.get_by_role("button", name="Reset", exact=True).click()
        assert box.locator("textarea").input_value() == original
        assert box.locator("[data-bp-verdict]").inner_text() == initial
        page.reload(wait_until="load")
        assert page.locator('.bp-exercise[data-bp-exercise="3-1"] textarea').input_value() == original
    finally:
        page.close()


def test_the_editor_is_for_code_tab_indents_and_esc_then_tab_leaves(reader):
    page = reader.open(PAGE_OF_CHAPTER[1])
    try:
        box = page.locator('.bp-exercise[data-bp-exercise="1-1"]')
        editor = box.locator("textarea")
        for attribute, value in [("spellcheck", "false"), ("autocapitalize", "off"), ("autocorrect", "off")]:
            assert editor.get_attribute(attribute) == value
        assert "monospace" in editor.evaluate("e => getComputedStyle(e).fontFamily").lower() or \
            "mono" in editor.evaluate("e => getComputedStyle(e).fontFamily").lower()
        lines = editor.input_value().count("\n") + 1
        assert int(editor.get_attribute("rows")) >= lines, "the box is sized to its code"
        editor.fill("def f():\nx")
        editor.evaluate("e => e.setSelectionRange(9, 9)")  # the start of the second line
        editor.press("Tab")
        assert editor.input_value() == "def f():\n    x"
        assert page.evaluate("document.activeElement.tagName") == "TEXTAREA", "Tab indents, focus stays"
        editor.press("Escape")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Run", "Esc, then Tab, leaves the editor"
    finally:
        page.close()


def test_an_exercise_needing_numpy_says_where_it_runs(reader):
    page = reader.open(PAGE_OF_CHAPTER[5])
    try:
        assert page.locator(".bp-exercise").count() == 0
        notes = page.locator(".bp-needs-numpy")
        assert notes.count() >= 1
        hrefs = notes.first.evaluate("n => Array.from(n.querySelectorAll('a')).map(a => a.href)")
        assert any(h.startswith("https://mybinder.org/") for h in hrefs)
        assert any(h.startswith("https://colab.research.google.com/") for h in hrefs)
    finally:
        page.close()


def test_from_disk_the_box_says_how_to_serve_the_book(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((HTML / PAGE_OF_CHAPTER[1]).as_uri(), wait_until="load")
        box = page.locator('.bp-exercise[data-bp-exercise="1-1"]')
        box.get_by_role("button", name="Run", exact=True).click()
        status = box.locator(".bp-status-line").inner_text()
        assert "make serve" in status
        assert page.evaluate("window.bpPython.worker") is None, "no Python is started from file://"
        assert box.locator("[data-bp-verdict]").get_attribute("data-bp-verdict") == "unanswered"
    finally:
        context.close()


def test_every_runnable_exercise_of_the_book_has_a_box_with_the_contract(reader):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from backprop_lib.exercises import _REGISTRY, _lookup

    for chapter in PAGE_OF_CHAPTER:
        _lookup(f"{chapter}-1")
    runnable = {id for id, e in _REGISTRY.items() if not e.needs_numpy and int(id.split("-")[0]) in PAGE_OF_CHAPTER}
    boxed = set()
    for chapter, path in PAGE_OF_CHAPTER.items():
        text = (HTML / path).read_text(encoding="utf-8")
        boxed |= set(re.findall(r'class="[^"]*bp-exercise[^"]*" data-bp-exercise="([0-9]+-[0-9]+)"', text))
        if re.search(r'data-bp-exercise="', text):
            assert "bp_python.js" in text
    assert boxed == runnable


def test_stop_and_the_time_limit_end_runaway_code_and_python_starts_afresh(python_page):
    # Last: Stop and the limit restart Python.
    page = python_page
    box = page.locator('.bp-exercise[data-bp-exercise="1-1"]')
    box.locator("textarea").fill("while True:\n    pass\n")
    box.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("window.bpPython.state === 'ready'", timeout=60000)
    stop = box.get_by_role("button", name="Stop", exact=True)
    page.wait_for_function("b => !b.disabled", arg=stop.element_handle())
    stop.click()
    page.wait_for_function("b => !b.disabled", arg=box.get_by_role("button", name="Run", exact=True).element_handle())
    verdict = box.locator("[data-bp-verdict]")
    assert verdict.get_attribute("data-bp-verdict") == "error"
    assert "Stop" in verdict.inner_text()
    # The time limit (shortened here from 10 s) does the same without a press.
    page.evaluate("window.bpPython.runLimitMs = 2000")
    kind, text = run(page, box, "while True:\n    pass\n")
    assert kind == "error" and "longer than 2 s" in text
    # A fresh Python answers the next Run.
    assert run(page, box, CASES["1-1"]["correct"]) == kernel_verdict(CASES["1-1"]["correct"])
