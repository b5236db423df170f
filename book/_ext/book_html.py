"""Small fixes to the theme's HTML so every page is error-free and accessible.

* sphinx-thebe (and sphinx-togglebutton) add their inline configuration
  scripts twice, and the second ``const THEBE_JS_URL`` is a SyntaxError on
  every page: keep the first copy of each identical inline script.
* The theme's search and colour-mode buttons carry an aria-label that does not
  contain their visible text (axe: label-content-name-mismatch): let the search
  button be named by its visible text, and hide the colour-mode icons' tooltips
  from assistive technology so the button is named by its aria-label alone.
* docutils marks the bibliography ``role="list"`` although its entries are
  ``doc-biblioentry``, not list items (axe: aria-required-children).
* Nothing on the pages is an ipywidgets view (figures ship their own frames),
  so the widget state myst-nb stores in each page is dropped, and so are
  sphinx-thebe's script and style, which have no button to serve.
* Sphinx, the theme and docutils each write a viewport ``<meta>``: keep one.
* The theme's stylesheet already draws its icons with the Font Awesome web
  font, so its 1.5 MB ``fontawesome.js``, which redraws them as SVG, is dropped.
* A large interactive figure's frames move out of the page into a script of
  their own under ``_frames/``, which the figure loads on the reader's first
  touch: a chapter's first view stays light, and a script (unlike a fetch)
  loads from ``file://`` too.
* The book's own stylesheet and script (``static/``): readable graphs and
  tables in light and dark mode, phones, and print (handouts without solutions).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from sphinx.application import Sphinx


INLINE_SCRIPT = re.compile(r"^ *<script>.*</script>\n", re.M)


def drop_duplicate_scripts(text: str) -> str:
    """Keep the first of identical one-line inline scripts in the page's <head>."""
    head, sep, body = text.partition("</head>")
    seen: set[str] = set()

    def keep_first(match: re.Match) -> str:
        line = match.group(0).strip()
        if line in seen:
            return ""
        seen.add(line)
        return match.group(0)

    return INLINE_SCRIPT.sub(keep_first, head) + sep + body


SEARCH_BUTTON = re.compile(r'(<button class="btn search-button-field search-button__button[^"]*" title="Search") aria-label="Search"')
THEME_ICON = re.compile(r'(<i class="theme-switch [^"]*" data-mode="[a-z]+") +title="[^"]*"></i>')


CITATION_LIST = '<div role="list" class="citation-list">'
WIDGET_STATE = re.compile(r'[ \t]*<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>\n?', re.S)
THEBE = re.compile(r'[ \t]*<(?:script async="async" src|link rel="stylesheet" type="text/css" href)="[./]*_static/sphinx-thebe\.(?:js|css)[^"]*"[^>]*>(?:</script>)?\n?')
THEBE_CONFIG = re.compile(r'[ \t]*<script>const THEBE_JS_URL = [^\n]*</script>\n?')
VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
FONTAWESOME_JS = re.compile(r'[ \t]*<script defer src="[./]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')


def keep_first_viewport(text: str) -> str:
    count = 0

    def first_only(match: re.Match) -> str:
        nonlocal count
        count += 1
        return match.group(0) if count == 1 else ""

    return VIEWPORT.sub(first_only, text)


def fix_pages(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = THEME_ICON.sub(r'\1 aria-hidden="true"></i>', SEARCH_BUTTON.sub(r"\1", text))
        fixed = drop_duplicate_scripts(fixed).replace(CITATION_LIST, '<div class="citation-list">')
        fixed = THEBE_CONFIG.sub("", THEBE.sub("", WIDGET_STATE.sub("", fixed)))
        fixed = FONTAWESOME_JS.sub("", fixed)
        fixed = move_frames_out(fixed, page, Path(app.outdir))
        fixed = keep_first_viewport(fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


FRAMES = re.compile(r"(<script type='application/json' class='bp-frames'>)(.*?)(</script>)", re.S)
INLINE_FRAMES_LIMIT = 32 * 1024  # smaller figures keep their frames in the page


def move_frames_out(text: str, page: Path, outdir: Path) -> str:
    """Put each large figure's frames in _frames/<digest>.js and point the figure at it."""

    def move(match: re.Match) -> str:
        spec = json.loads(match.group(2))
        if not spec.get("data") or len(spec["data"]) <= INLINE_FRAMES_LIMIT:
            return match.group(0)
        key = hashlib.sha256(spec["data"].encode("ascii")).hexdigest()[:16]
        target = outdir / "_frames" / f"{key}.js"
        target.parent.mkdir(exist_ok=True)
        target.write_text(f'(window.bpFrames = window.bpFrames || {{}})["{key}"] = "{spec["data"]}";\n', encoding="ascii")
        spec.update(data=None, key=key, src=os.path.relpath(target, page.parent).replace(os.sep, "/"))
        return match.group(1) + json.dumps(spec) + match.group(3)

    return FRAMES.sub(move, text)


STATIC = Path(__file__).parent / "static"


def add_static(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", add_static)
    app.add_css_file("book.css")
    app.add_css_file("print.css", media="print")
    app.add_js_file("book.js", defer="defer")
    app.connect("build-finished", fix_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
