"""Exercises that run where they are read: the build turns exercise cells into code boxes.

An exercise cell is a code cell that calls ``check_exercise("<chapter>-<n>", ...)``
(see :mod:`backprop_lib.exercises`). When its grader needs no NumPy, the built page
shows it as an editable code box with Run, Stop and Reset buttons and a verdict,
and ``bp_python.js`` (beside this file) runs it in the page's Python: Pyodide, in a
Web Worker, loaded from the book's own ``_static/pyodide/`` on the first Run.
An exercise whose grader needs NumPy keeps its static cell and says, in place,
where it can run (Binder or Colab).

The box's attributes are a contract that tests outside the project rely on:
``data-bp-exercise="<chapter>-<n>"`` on the box, a ``textarea`` editor, a button
named "Run", and ``data-bp-verdict`` (unanswered, correct, wrong or error) on the
element holding the verdict's text.

At the end of the build this extension also writes, under ``_static/bp/``:

* ``bp_python.js``: the page-side loader (and, run as a worker, the Python side);
* ``backprop_lib.json``: the library's pure-Python files, which the worker writes
  into Pyodide's file system (the same files the kernel imported to build the book).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from sphinx.application import Sphinx
from sphinx.util import logging

# The notes backprop_lib.widgets writes: sliders one at a time, or the full grid (they combine).
from backprop_lib.widgets import GRID_NOTE
from backprop_lib.widgets import ONE_AT_A_TIME as FRAMES_ONLY

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
LOADER = HERE / "bp_python.js"
EXERCISE_CALL = re.compile(r"""check_exercise\(\s*["']([1-9][0-9]*-[1-9][0-9]*)["']""")
CELL_START = re.compile(r'<div class="cell(?: [^"]*)?">')
DIV_TAG = re.compile(r"<(/?)div\b")


def element_end(text: str, start: int) -> int:
    """The index just past the ``</div>`` that closes the ``<div`` at ``start``."""
    depth = 0
    for match in DIV_TAG.finditer(text, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return text.index(">", match.end()) + 1
    raise ValueError("unbalanced <div> in the page")


def plain_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def exercise_cells(notebook: Path) -> dict[str, tuple[str, str]]:
    """``{id: (source, the stored verdict's text)}`` for each exercise cell of a notebook."""
    found: dict[str, tuple[str, str]] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        match = EXERCISE_CALL.search(cell.source)
        if not match:
            continue
        verdict = ""
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain")
            if text:
                verdict = "".join(text) if isinstance(text, list) else text
        found[match.group(1)] = (cell.source, verdict)
    return found


def verdict_kind(text: str) -> str:
    if text.startswith("Correct"):
        return "correct"
    if text.startswith("Not yet"):
        return "wrong"
    return "unanswered"


def needs_numpy(exercise_id: str) -> bool:
    from backprop_lib.exercises import _lookup

    return _lookup(exercise_id).needs_numpy


def exercise_box(exercise_id: str, source: str, verdict: str) -> str:
    """The code box that replaces an exercise cell on the page."""
    e = html.escape
    slug = exercise_id.replace("-", "_")
    rows = max(3, min(source.count("\n") + 2, 40))
    text = verdict or "Not answered yet"
    return (
        f'<div class="cell docutils container bp-exercise" data-bp-exercise="{e(exercise_id)}">\n'
        f'<label for="bp-editor-{slug}">Exercise {e(exercise_id)}: your code, run in this page</label>\n'
        f'<textarea id="bp-editor-{slug}" class="bp-editor" rows="{rows}" wrap="off" spellcheck="false" '
        f'autocapitalize="off" autocorrect="off" autocomplete="off" aria-describedby="bp-help-{slug}">'
        f"{e(source, quote=False)}</textarea>\n"
        '<div class="bp-buttons"><button type="button" class="bp-run">Run</button>'
        '<button type="button" class="bp-stop" disabled>Stop</button>'
        '<button type="button" class="bp-reset">Reset</button>'
        '<span class="bp-status-line" role="status"></span></div>\n'
        '<pre class="bp-output" hidden></pre>\n'
        f'<p class="bp-verdict" data-bp-verdict="{verdict_kind(text)}" aria-live="polite">{e(text)}</p>\n'
        f'<p class="bp-help" id="bp-help-{slug}">Runs in this page’s Python (no NumPy), started on the first Run. '
        "Tab indents; press Esc, then Tab, to leave the editor. Your code is kept in this browser.</p>\n"
        "</div>"
    )


def launch_links(app: Sphinx, docname: str) -> str:
    options = app.config.html_theme_options
    repo = options.get("repository_url", "").rstrip("/")
    if "github.com/" not in repo:
        return "Binder or Colab"
    org_repo = repo.split("github.com/", 1)[1]
    branch = options.get("repository_branch", "main")
    path = f"{docname}.ipynb"
    launch = options.get("launch_buttons", {})
    binder = f"{launch.get('binderhub_url', 'https://mybinder.org').rstrip('/')}/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{path}"
    colab = f"{launch.get('colab_url', 'https://colab.research.google.com').rstrip('/')}/github/{org_repo}/blob/{branch}/{path}"
    return f"<a href='{html.escape(binder)}'>Binder</a> or <a href='{html.escape(colab)}'>Colab</a>"


def rewrite_page(text: str, cells: dict[str, tuple[str, str]], links: str) -> tuple[str, int]:
    """Replace each runnable exercise cell of a page by its box; return the page and the count."""
    boxes = 0
    position = 0
    while True:
        match = CELL_START.search(text, position)
        if not match:
            break
        end = element_end(text, match.start())
        cell = text[match.start():end]
        call = EXERCISE_CALL.search(plain_text(cell.split('<div class="cell_output', 1)[0]))
        if not call or call.group(1) not in cells:
            position = end
            continue
        exercise_id = call.group(1)
        if needs_numpy(exercise_id):
            note = (f"\n<p class='bp-needs-numpy'>Exercise {exercise_id} needs NumPy, which the page’s Python "
                    f"does not have: run it in {links}.</p>")
            text = text[:end] + note + text[end:]
            position = end + len(note)
            continue
        source, verdict = cells[exercise_id]
        box = exercise_box(exercise_id, source, verdict.strip())
        text = text[:match.start()] + box + text[end:]
        position = match.start() + len(box)
        boxes += 1
    return text, boxes


# What the page's Python lacks: a figure cell that needs any of these stays on frames.
NOT_IN_THE_PAGE = ("numpy", "matplotlib", "ipywidgets", "yaml")  # graphviz (pure Python) is shipped
CHECK_FIGURES = f"""
import json, sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {NOT_IN_THE_PAGE!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in the page's Python)", name=name)
sys.meta_path.insert(0, Blocker())
from backprop_lib._page import figure_check
print(json.dumps([json.loads(figure_check(code)) for code in json.load(sys.stdin)]))
"""


def live_figures(notebook: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """``({figure id: cell source}, [why not, per figure cell that can't go live], [the reader's
    reason, per such cell, in page order])`` for a notebook.

    A figure goes live in the page when its cell runs alone (imports and literals, no
    names from earlier cells) with none of NOT_IN_THE_PAGE: checked here by running
    each figure cell in a fresh CPython that blocks them.
    """
    cells = [cell.source for cell in nbformat.read(notebook, as_version=4).cells
             if cell.cell_type == "code" and "InteractiveFigure(" in cell.source]
    if not cells:
        return {}, [], []
    import backprop_lib

    library = str(Path(backprop_lib.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([library, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", CHECK_FIGURES], input=json.dumps(cells), capture_output=True,
                          text=True, cwd=notebook.parent, env=env, timeout=300)
    if done.returncode != 0:
        return {}, [f"{notebook.name}: the figure cells could not be checked: {done.stderr.strip().splitlines()[-1:]}"], []
    live, why_not, reasons = {}, [], []
    for code, result in zip(cells, json.loads(done.stdout)):
        if "id" in result:
            live[result["id"]] = code
        else:
            first = next((line for line in code.splitlines() if "InteractiveFigure(" in line), "").strip()
            why_not.append(f"{notebook.name}: frames only, the figure cell `{first[:60]}` does not run alone "
                           f"in the page's Python: {result['error']}")
            reasons.append(reader_reason(result["error"], render_source(code, notebook)))
    return live, why_not, reasons


def render_source(code: str, notebook: Path) -> str:
    """The figure cell and the cell that defines its render function (the first argument)."""
    name = re.search(r"InteractiveFigure\(\s*([A-Za-z_]\w*)", code)
    if not name:
        return code
    defining = [cell.source for cell in nbformat.read(notebook, as_version=4).cells
                if cell.cell_type == "code" and re.search(rf"^def {name.group(1)}\(", cell.source, re.M)]
    return "\n".join([code, *defining])


def reader_reason(error: str, source: str) -> str:
    """Why a figure's sliders don't combine on the page, in the reader's words."""
    missing = re.search(r"No module named '(numpy|matplotlib)", error)
    needs = missing.group(1) if missing else None
    if needs is None and re.search(r"\bnp\.|\bnumpy\b", source):
        needs = "numpy"  # backprop_lib.plots takes plain lists too, so only NumPy named in the code counts
    elif needs is None and re.search(r"\bplt\.|figure_html\(|matplotlib", source):
        needs = "matplotlib"
    if needs:
        name = {"numpy": "NumPy", "matplotlib": "Matplotlib"}[needs]
        return f"its drawing needs {name}, which the page's own Python does not have"
    return "its code does not run on its own in the page's Python"


LIVE_NOTE = "Your first move starts Python in this page; from then on the sliders combine, each move drawn by the real render function."
NO_GRID = re.compile(r"data-bp-no-grid='([^']*)'")


def explain_frames_only(text: str, reasons: list[str]) -> str:
    """In each figure that stays on frames (in page order), say why its sliders don't combine.

    ``reasons`` pairs with the page's figures that don't go live, in page order (one per
    figure cell, see :func:`live_figures`), whether they have one slider, a full grid (their
    sliders combine: nothing to explain) or sliders that move one at a time. For the last,
    the reason (why not live) is completed with why the figure carries no full grid, which
    ``backprop_lib.widgets`` wrote in the figure's ``data-bp-no-grid`` attribute.
    """
    roots = [m for m in re.finditer(r"<div class='bp-interactive bp-static'[^>]*>", text)
             if "bp-figure-source" not in text[m.end():m.end() + 80]]
    for match, reason in reversed(list(zip(roots, reasons))):
        end = element_end(text, match.start())
        no_grid = NO_GRID.search(match.group(0))
        why = f"{reason}, and {html.unescape(no_grid.group(1))}" if no_grid else reason
        figure = text[match.start():end].replace(
            FRAMES_ONLY, f"One slider moves at a time here, because {html.escape(why, quote=False)}: "
                         "moving one returns the others to their starting values.")
        text = text[:match.start()] + figure + text[end:]
    return text


def make_live(text: str, live: dict[str, str]) -> tuple[str, int]:
    """Give each live figure on the page its cell's source; return the page and how many."""
    count = 0
    for figure_id, code in live.items():
        match = re.search(rf"<div class='bp-interactive bp-static' id='{re.escape(figure_id)}'[^>]*>", text)
        if not match:
            continue
        end = element_end(text, match.start())
        source = json.dumps(code).replace("</", "<\\/")
        root = (text[match.start():match.end()]
                + f"<script type='application/json' class='bp-figure-source'>{source}</script>"
                + text[match.end():end].replace(FRAMES_ONLY, LIVE_NOTE).replace(GRID_NOTE, LIVE_NOTE))
        text = text[:match.start()] + root + text[end:]
        count += 1
    return text, count


def library_bundle() -> dict[str, str]:
    """The Python files the page's Python imports, as the build imported them, keyed by their path
    under sys.path: backprop_lib's, and the pure-Python ``graphviz`` package that draw_dot builds on
    (the pinned one from requirements.txt; in the page the DOT is drawn by Graphviz-wasm)."""
    import graphviz

    import backprop_lib

    files = {}
    for module in (backprop_lib, graphviz):
        package = Path(module.__file__).parent
        for path in sorted(package.rglob("*.py")):
            if "__pycache__" not in path.parts:
                files[path.relative_to(package.parent).as_posix()] = path.read_text(encoding="utf-8")
    return files


def write_assets(outdir: Path) -> Path:
    target = outdir / "_static" / "bp"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(LOADER, target / LOADER.name)
    (target / "backprop_lib.json").write_text(json.dumps(library_bundle(), sort_keys=True), encoding="utf-8")
    return target


def loader_tag(page: Path, outdir: Path) -> str:
    static = os.path.relpath(outdir / "_static", page.parent).replace(os.sep, "/")
    return f'<script defer="defer" src="{static}/bp/{LOADER.name}"></script>\n'


DONE = "<!-- bp: exercise boxes and live figures added -->\n"
"""Marks a page this extension has finished. An incremental build leaves unchanged pages as they
were, already finished: going over them again would add a second loader and figure source."""


def finish_page(text: str, cells: dict[str, tuple[str, str]], live: dict[str, str], reasons: list[str],
                links: str, loader_tag: str) -> str:
    """The page with its exercise boxes, live figures, frames-only reasons and loader; a page that
    was finished already comes back unchanged."""
    if DONE in text:
        return text
    fixed, boxes = rewrite_page(text, cells, links)
    fixed, figures = make_live(fixed, live)
    fixed = explain_frames_only(fixed, reasons)
    if boxes or figures:
        fixed = fixed.replace("</head>", loader_tag + "</head>", 1)
    return fixed.replace("</head>", DONE + "</head>", 1) if fixed != text else text


def build_boxes(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    write_assets(outdir)
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        page = outdir / f"{docname}.html"
        if source.suffix != ".ipynb" or not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        if DONE in text:  # not rewritten by this (incremental) build
            continue
        cells = exercise_cells(source)
        live, why_not, reasons = live_figures(source)
        for line in why_not:
            logger.info(line)
        if not cells and not live and not reasons:
            continue
        fixed = finish_page(text, cells, live, reasons, launch_links(app, docname), loader_tag(page, outdir))
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", build_boxes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
