"""Every chapter page as readers read it: laptop, dark mode, phone, keyboard, paper.

Each test prints what it measured for the page, so a run shows the numbers
that the README's design notes quote.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from conftest import CHROMIUM_ARGS, HTML, ROOT, Visit

CHAPTERS = sorted(p.relative_to(HTML).as_posix() for p in (HTML / "book").glob("[0-9][0-9]_*.html")) \
    if (HTML / "book").is_dir() else []
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGE_BUDGET_BYTES = int(4.5 * 1024 * 1024)  # everything a chapter page loads before any interaction
MIN_GRAPH_TEXT_PX = {"desktop": 9.0, "phone": 7.0}
MAX_TABS_TO_FIRST_SLIDER = 60
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DARK = "localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');"

# The rendered size of each piece of graph text: its font size times the drawing's scale on screen.
GRAPH_TEXT_PX = """() => {
  const sizes = [];
  for (const text of document.querySelectorAll('.bd-content svg text')) {
    const box = text.getBoundingClientRect();
    if (!box.width || !text.getScreenCTM()) continue;
    const m = text.getScreenCTM();
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b));
  }
  return sizes;
}"""


def open_page(browser, book_url: str, path: str, options: dict, init: str = "") -> Visit:
    return Visit(browser, book_url, path, context_options=options, init_script=init)


def settle(page) -> None:
    if page.locator(".math").count():
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("MathJax.startup.promise")
    page.wait_for_load_state("networkidle")


def contrast_problems(page) -> tuple[list[str], list[str]]:
    """axe's colour-contrast violations, and the 'incomplete' results where it measured a ratio."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations', 'incomplete']})")
    violations = [f"{n['target']}: {n['any'][0]['message'] if n['any'] else ''}"
                  for v in result["violations"] for n in v["nodes"]]
    measured = [f"{n['target']}: {n['any'][0]['message']}" for v in result["incomplete"] for n in v["nodes"]
                if n["any"] and re.search(r"contrast ratio of \d", n["any"][0]["message"])]
    return violations, measured


def tabs_to_first_slider(page, limit: int = 400) -> int | None:
    if not page.locator("input.bp-slider").count():
        return None
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    page.mouse.click(1, 1)  # start from the top of the document, as a fresh reader does
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.matches('input.bp-slider')"):
            return presses
    return limit + 1


@pytest.mark.parametrize("path", CHAPTERS)
def test_light_and_dark_desktop_weight_graphs_contrast_and_keyboard(browser, book_url, path):
    lines = []
    for mode, init in (("light", ""), ("dark", DARK)):
        v = open_page(browser, book_url, path, DESKTOP, init)
        page = v.page
        settle(page)
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        loaded = v.bytes["page"] + v.bytes["shared"]
        sizes = page.evaluate(GRAPH_TEXT_PX)
        violations, measured = contrast_problems(page)
        if mode == "light":
            tabs = tabs_to_first_slider(page)
            requests = v.requests
            lines.append(f"bytes {loaded / 2**20:.2f} MiB in {requests} requests, tabs to first slider {tabs}")
            assert loaded <= PAGE_BUDGET_BYTES, f"{loaded} bytes before any interaction"
            dead = [u for u in v.urls if re.search(r"html-manager|require(\.min)?\.js|sphinx-thebe|fontawesome\.js|widgets-config", u)]
            assert dead == [], f"the page loads what renders nothing: {dead}"
            assert v.not_found == [], v.not_found
            assert page.evaluate("document.querySelectorAll('meta[name=viewport]').length") == 1, "one viewport meta"
            assert page.evaluate("document.querySelectorAll('script[type*=widget-state]').length") == 0, "no widget state"
            assert tabs is not None and tabs <= MAX_TABS_TO_FIRST_SLIDER, f"{tabs} Tab presses to the first slider"
        lines.append(f"{mode}: smallest graph text {min(sizes, default=float('nan')):.1f} px, "
                     f"contrast violations {len(violations)}, measured-ratio incompletes {len(measured)}")
        v.close()
        assert not sizes or min(sizes) >= MIN_GRAPH_TEXT_PX["desktop"], f"graph text {min(sizes):.1f} px in {mode} mode"
        assert violations == [], violations[:5]
        assert measured == [], measured[:5]
    print(f"\n{path:<36} " + "; ".join(lines))


@pytest.mark.parametrize("path", CHAPTERS)
def test_on_a_phone_graphs_are_readable_and_sliders_are_touch_sized(browser, book_url, path):
    v = open_page(browser, book_url, path, PHONE)
    page = v.page
    settle(page)
    sizes = page.evaluate(GRAPH_TEXT_PX)
    sliders = page.evaluate("""Array.from(document.querySelectorAll('input.bp-slider')).map(s => {
        const b = s.getBoundingClientRect(); return {h: b.height, text: s.getAttribute('aria-valuetext')}; })""")
    wrapped = page.evaluate("""Array.from(document.querySelectorAll('.bp-control-label'))
        .filter(l => l.getClientRects().length > 1 || l.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(l).lineHeight || 20)).length""")
    print(f"\n{path:<36} phone: smallest graph text {min(sizes, default=float('nan')):.1f} px, "
          f"{len(sliders)} sliders, lowest track {min((s['h'] for s in sliders), default=0):.0f} px")
    v.close()
    assert not sizes or min(sizes) >= MIN_GRAPH_TEXT_PX["phone"], f"graph text {min(sizes):.1f} px on a phone"
    assert sliders and all(s["h"] >= 24 for s in sliders), "slider touch targets under 24 px"
    assert all(s["text"] and "=" in s["text"] for s in sliders), "every slider announces its value"
    assert wrapped == 0, "slider labels wrap"


@pytest.mark.parametrize("path", CHAPTERS)
def test_the_sliders_say_what_they_do(browser, book_url, path):
    v = open_page(browser, book_url, path, DESKTOP)
    page = v.page
    figures = page.locator(".bp-static")
    for f in range(figures.count()):
        figure = figures.nth(f)
        page.wait_for_function("el => el.dataset.ready === 'true'", arg=figure.element_handle(), timeout=10000)
        assert figure.locator("[aria-live=polite]").count() == 1, "each figure has one polite live region"
        slider = figure.locator("input.bp-slider").first
        slider.focus()  # the first touch loads the figure's frames
        page.wait_for_function("el => el.dataset.loaded === 'true'", arg=figure.element_handle(), timeout=10000)
        before = slider.input_value()
        page.keyboard.press("ArrowRight" if before != slider.get_attribute("max") else "ArrowLeft")
        page.wait_for_function("el => el.querySelector('[aria-live=polite]').textContent.length > 0", arg=figure.element_handle())
        said = figure.locator("[aria-live=polite]").text_content()
        assert re.match(r"\S.* = \S+\. ", said), f"the live region says {said!r}"
        assert any(ch.isdigit() for ch in said.split(". ", 1)[1]), f"no numbers in {said!r}"
        step = figure.locator("button.bp-step[data-step='1']").first
        if slider.input_value() != slider.get_attribute("max"):
            value = int(slider.input_value())
            step.click()
            page.wait_for_function("([el, v]) => Number(el.value) === v", arg=[slider.element_handle(), value + 1], timeout=5000)
    headings = page.evaluate("Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')).map(h => Number(h.tagName[1]))")
    v.close()
    assert all(b - a <= 1 for a, b in zip(headings, headings[1:])), f"heading levels skip: {headings}"


def test_a_chapter_prints_without_clipped_code_and_handouts_drop_solutions(browser, book_url, tmp_path):
    path = CHAPTERS[0]
    v = open_page(browser, book_url, path, DESKTOP)
    page = v.page
    settle(page)
    page.emulate_media(media="print")
    clipped = page.evaluate("""Array.from(document.querySelectorAll('pre')).filter(p => p.getClientRects().length
        && p.scrollWidth > p.clientWidth).map(p => p.textContent.slice(0, 60))""")
    solutions = page.locator(".bp-solution")
    shown = solutions.evaluate_all("els => els.filter(e => getComputedStyle(e).display !== 'none').length")
    notes = page.evaluate("Array.from(document.querySelectorAll('.bp-live-note')).filter(e => getComputedStyle(e).display !== 'none').length")
    pdf = page.pdf(path=str(tmp_path / "chapter.pdf"))
    page.evaluate("document.documentElement.classList.add('bp-handout')")
    in_handout = solutions.evaluate_all("els => els.filter(e => getComputedStyle(e).display !== 'none').length")
    v.close()
    handout = open_page(browser, book_url, f"{path}?handout", DESKTOP)
    handout.page.emulate_media(media="print")
    by_flag = handout.page.locator(".bp-solution").evaluate_all("els => els.filter(e => getComputedStyle(e).display !== 'none').length")
    handout.close()
    print(f"\n{path}: printed {len(pdf) / 1024:.0f} KiB of PDF, clipped code blocks {len(clipped)}, "
          f"solutions printed {shown}, in a handout {in_handout} (by URL flag {by_flag})")
    assert clipped == [], clipped[:5]
    assert shown >= 4, "solutions print in the book"
    assert in_handout == 0 and by_flag == 0, "a handout prints no solutions"
    assert notes == 0, "slider instructions make no sense on paper"


SLOW_LINK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 0.75e6 / 8}
FIRST_CONTENT_BUDGET_MS = 8000


@pytest.mark.parametrize("path", CHAPTERS)
def test_first_content_on_a_slow_link(browser, book_url, path):
    """On a 1.6 Mbps link with 150 ms latency, the chapter's text appears within 8 s."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    page.goto(f"{book_url}/{path}", wait_until="commit")
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0", timeout=60000)
    first = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    context.close()
    print(f"\n{path:<36} first content at 1.6 Mbps: {first / 1000:.1f} s")
    assert first <= FIRST_CONTENT_BUDGET_MS, f"first content after {first:.0f} ms"
