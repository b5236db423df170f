"""Each chapter as a learner runs it: in JupyterLab, in Chromium, with real ipywidgets.

For every chapter (book/NN_*.ipynb, found when the tests run) the test opens the
notebook in JupyterLab, waits for its kernel, runs all cells from the Run menu,
and fails on any traceback or any cell left unrun. Then, for each interactive
figure, it moves the first slider one step with the keyboard and waits for the
figure's pane to redraw; it asks the notebook's own kernel what the figure's
render function returns at the slider's new position and checks the page shows
exactly that. It prints the run time and the slider's round trip, keypress to
redrawn figure, in ms. Saving (Ctrl+S) then writes the run notebook, which must
hold no error output; the copy in book/ is left as it was.
"""

from __future__ import annotations

import ast
import json
import re
import time

import nbformat
import pytest
from jupyter_client import BlockingKernelClient

from conftest import ROOT, ROUND_TRIPS_MS

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
RUN_TIMEOUT_MS = 300_000  # a whole chapter, as jupyter-book and nbval allow
REDRAW_TIMEOUT_MS = 30_000  # waiting longer than the budget tells a slow path from a broken one
ROUND_TRIP_LIMIT_MS = 2000  # above this the path is broken, not slow; the goal is 250 ms

# The status bar's kernel item reads "Python 3 (ipykernel) | Idle" once the kernel is connected and idle.
KERNEL_IDLE = ("Array.from(document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem'))"
               ".some(e => /\\| Idle$/.test(e.textContent.trim()))")

# Run-all is over when the kernel is idle and no cell waits ([*]); an error stops the queue.
RUN_STATE = """() => {
  const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))
    .map(e => e.textContent.trim());
  return {prompts, queued: prompts.filter(p => p.includes('*')).length};
}"""

ERRORS_ON_PAGE = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
  .map(e => e.textContent).filter(t => /Traceback|Error\\b/.test(t)).map(t => t.slice(0, 2000))"""

# The interactive figures on the page: a widget box holding sliders, whose last child is
# the HTML pane the render function fills. Marks each with data-bp-figure=<index>.
MARK_FIGURES = """() => {
  const boxes = Array.from(document.querySelectorAll('.jp-OutputArea-output .widget-vbox')).filter(box =>
    box.querySelector(':scope > .widget-slider') && box.lastElementChild &&
    box.lastElementChild.classList.contains('widget-html'));
  boxes.forEach((box, i) => box.dataset.bpFigure = String(i));
  return boxes.length;
}"""

# Before the keypress: time the key's arrival and watch the figure's pane for the redraw.
WATCH = """(i) => {
  const box = document.querySelector(`[data-bp-figure="${i}"]`);
  const pane = box.lastElementChild.querySelector('.widget-html-content');
  window.bpKeyAt = undefined; window.bpRedrawnAt = undefined;
  document.addEventListener('keydown', () => { window.bpKeyAt = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => { window.bpRedrawnAt = performance.now(); observer.disconnect(); });
  observer.observe(pane, {childList: true, subtree: true, characterData: true});
}"""

# The pane as shown, and the expected HTML put through the same parser (the HTML widget
# sets innerHTML), so that both are compared as the browser serialises them.
PANE_AND_EXPECTED = """([i, expected]) => {
  const pane = document.querySelector(`[data-bp-figure="${i}"]`).lastElementChild.querySelector('.widget-html-content');
  const probe = document.createElement('div');
  probe.innerHTML = expected;
  return [pane.innerHTML, probe.innerHTML];
}"""

# Run in the notebook's kernel (silently: no output, no execution count): every
# InteractiveFigure's model id, slider values and steps; or, given a model id, what the
# render function returns at the figure's current slider values, and what its pane shows.
KERNEL_FIGURES = """
import json as _bp_json
from ipywidgets.widgets.widget import _instances as _bp_widgets
from backprop_lib.widgets import InteractiveFigure as _BpFigure
_bp_probe = _bp_json.dumps([
    {"id": _w.model_id, "values": _w.values(),
     "specs": {_s.name: {"step": _s.step, "log": _s.log} for _s in _w.specs}}
    for _w in list(_bp_widgets.values()) if isinstance(_w, _BpFigure)])
"""
KERNEL_RENDER = """
import json as _bp_json, time as _bp_time
from ipywidgets.widgets.widget import _instances as _bp_widgets
_bp_fig = _bp_widgets[{model_id!r}]
_bp_start = _bp_time.perf_counter()
_bp_html = _bp_fig.render(**_bp_fig.values())
_bp_probe = _bp_json.dumps({{"html": _bp_html, "pane": _bp_fig.pane.value, "values": _bp_fig.values(),
                           "render_ms": 1000 * (_bp_time.perf_counter() - _bp_start)}})
del _bp_fig, _bp_html
"""


def kernel_eval(lab, notebook: str, code: str):
    """Run code in the notebook's own kernel, silently, and return the JSON it leaves in _bp_probe."""
    kernel_id = lab.session_for(notebook)["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(lab.runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        msg_id = client.execute(code, silent=True, store_history=False, user_expressions={"r": "_bp_probe"})
        while True:
            reply = client.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    finally:
        client.stop_channels()
    content = reply["content"]
    assert content["status"] == "ok", "\n".join(content.get("traceback", [])) or content
    result = content["user_expressions"]["r"]
    assert result["status"] == "ok", result
    return json.loads(ast.literal_eval(result["data"]["text/plain"]))


def one_step_apart(old: float, new: float, step: float, log: bool) -> bool:
    import math

    if log:
        old, new = math.log10(old), math.log10(new)
    return 0 < abs(new - old) <= step * (1 + 1e-9)


def run_all_cells(page, notebook: str) -> float:
    """Run > Run All Cells, as a learner would; return the seconds until the kernel is done."""
    page.locator("li.lm-MenuBar-item").filter(has_text=re.compile(r"^Run$")).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    start = time.perf_counter()
    # Every code cell is queued ([*]) as the command runs; then wait for the queue to drain.
    page.wait_for_function(f"({RUN_STATE})().queued === 0 && {KERNEL_IDLE}", timeout=RUN_TIMEOUT_MS, polling=100)
    return time.perf_counter() - start


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_in_jupyterlab_and_its_sliders_redraw_from_the_keyboard(lab, lab_page, chapter):
    page = lab_page
    notebook = f"book/{chapter.name}"
    original = chapter.read_bytes()
    code_cells = sum(c.cell_type == "code" for c in nbformat.read(chapter, as_version=4).cells)

    # A workspace of its own per chapter, so JupyterLab opens this notebook alone.
    opened = time.perf_counter()
    page.goto(f"{lab.url}/lab/workspaces/{chapter.stem}/tree/{notebook}?token={lab.token}")
    page.wait_for_function(f"document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === {code_cells} && {KERNEL_IDLE}",
                           timeout=120_000)
    opened = time.perf_counter() - opened
    seconds = run_all_cells(page, notebook)

    errors = page.evaluate(ERRORS_ON_PAGE)
    if errors:
        pytest.fail(f"{chapter.name}: a cell raised in JupyterLab:\n" + "\n---\n".join(errors), pytrace=False)
    # Collapsed cells show no prompt, so what ran is read from the file JupyterLab saves.
    # Ctrl+S saves the run notebook into the server's copy of book/.
    page.keyboard.press("Control+s")
    page.wait_for_function("!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=30_000)
    saved = nbformat.read(lab.root / notebook, as_version=4)
    tracebacks = [o for c in saved.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.output_type == "error" or (o.output_type == "stream" and "Traceback" in o.text)]
    if tracebacks:
        text = "\n---\n".join("\n".join(o.get("traceback", [])) or o.get("text", "") for o in tracebacks)
        pytest.fail(f"{chapter.name}: the saved notebook holds tracebacks:\n{text[-3000:]}", pytrace=False)
    unrun = [i for i, c in enumerate(c for c in saved.cells if c.cell_type == "code") if not c.execution_count]
    assert unrun == [], f"{chapter.name}: code cells not run (0-based among code cells): {unrun}"

    figures = page.evaluate(MARK_FIGURES)
    assert figures > 0, f"{chapter.name}: no interactive figure (sliders above an HTML pane) on the page"
    reports = []
    for i in range(figures):
        before = {f["id"]: f for f in kernel_eval(lab, notebook, KERNEL_FIGURES)}
        handle = page.locator(f'[data-bp-figure="{i}"] > .widget-slider .noUi-handle').first
        handle.scroll_into_view_if_needed()
        handle.focus()
        at_max = handle.evaluate("h => Number(h.getAttribute('aria-valuenow')) >= Number(h.getAttribute('aria-valuemax'))")
        page.evaluate(WATCH, i)
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        page.wait_for_function("window.bpRedrawnAt !== undefined", timeout=REDRAW_TIMEOUT_MS, polling="raf")
        round_trip = page.evaluate("window.bpRedrawnAt - window.bpKeyAt")

        after = {f["id"]: f for f in kernel_eval(lab, notebook, KERNEL_FIGURES)}
        moved = [(fid, name) for fid, f in after.items() for name, value in f["values"].items()
                 if before.get(fid, {}).get("values", {}).get(name) != value]
        assert len(moved) == 1, f"{chapter.name}, figure {i}: one keypress moves one slider of one figure, moved {moved}"
        fid, name = moved[0]
        spec = after[fid]["specs"][name]
        old, new = before[fid]["values"][name], after[fid]["values"][name]
        assert one_step_apart(old, new, spec["step"], spec["log"]), f"{name}: {old} -> {new} is not one step of {spec['step']}"
        assert (new < old) == at_max, f"{name} moved the wrong way: {old} -> {new}"

        rendered = kernel_eval(lab, notebook, KERNEL_RENDER.format(model_id=fid))
        assert rendered["values"] == after[fid]["values"]
        assert rendered["pane"] == rendered["html"], "the kernel's pane holds what the render function returns"
        shown, expected = page.evaluate(PANE_AND_EXPECTED, [i, rendered["html"]])
        assert shown == expected, f"{chapter.name}, figure {i}: the page does not show render({name}={new:g})"
        assert round_trip <= ROUND_TRIP_LIMIT_MS, f"{chapter.name}, figure {i}: redrawn after {round_trip:.0f} ms"
        ROUND_TRIPS_MS.append(round_trip)
        reports.append(f"{name} {old:g} -> {new:g} redrawn in {round_trip:.0f} ms (render {rendered['render_ms']:.0f} ms)")

    assert chapter.read_bytes() == original, "the chapter in book/ is untouched: the server ran a copy"

    lab.api("DELETE", f"sessions/{lab.session_for(notebook)['id']}")  # free the kernel for the next chapter
    assert page.blocked == [], f"requests to other hosts: {page.blocked[:5]}"
    assert page.errors == [], f"page errors: {page.errors[:5]}"
    print(f"\n{chapter.stem:<28} opened with its kernel idle in {opened:4.1f} s, ran {code_cells} code cells in {seconds:5.1f} s; " + "; ".join(reports))
