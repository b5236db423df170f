"""Interactive figures: sliders that redraw values, gradients, graphs and plots.

One description, a render function and its sliders, makes the figure, and it
works in two worlds:

* **In a live kernel** (Jupyter, Binder, Colab) the sliders are ipywidgets and
  every move calls the render function.
* **On the static web page** there is no kernel. When the book is built
  (``BACKPROP_STATIC_FIGURES=1``, set by ``make book`` and ``make test``), the
  figure's text/html form carries *frames*: the render function's output at
  slider positions, computed by this library at build time. A figure with
  several sliders carries every combination of their positions (the full grid)
  when there are at most ``GRID_MAX_FRAMES`` of them and they pack into at
  most ``GRID_MAX_BYTES``; otherwise it moves one slider at a time, the
  others at their starting values. A few lines of JavaScript swap frames as a
  slider moves. Without that variable the text/html form shows the initial
  state and says where the sliders are live.
"""

from __future__ import annotations

import base64
import gzip
import html
import io
import itertools
import json
import math
import numbers
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

try:  # in a kernel the sliders are ipywidgets
    import ipywidgets as widgets
except ModuleNotFoundError:  # the page's Python has none: the page draws the sliders and calls render
    widgets = None

__all__ = ["Slider", "InteractiveFigure", "svg_html", "figure_html", "book_links", "STATIC_ENV"]


MAX_POSITIONS = 1001
"""The most positions a slider may have: the static page stores a frame for each."""

GRID_MAX_FRAMES = 1500
"""The most slider combinations a figure renders for the static page's full grid.

Every combination is rendered once while the book is built: at about 0.1 s for a
Matplotlib drawing, 1,500 take some 2.5 minutes, half the build's 300 s limit for a
notebook cell. A figure with more combinations moves one slider at a time."""

GRID_MAX_BYTES = int(1.5 * 2**20)
"""The most a figure's packed grid (gzip, then base64) may weigh: 1.5 MiB.

The frames load on the reader's first touch of the figure, so a chapter page stays
within its 4.5 MiB budget before any interaction (about 2.5 MiB today) and, with a
grid loaded, still within it. A heavier grid falls back to one slider at a time."""


@dataclass(frozen=True)
class Slider:
    """One slider of an :class:`InteractiveFigure`.

    ``value`` is the starting position. With ``log=True`` the slider moves over
    ``log10`` of the value, between ``10**min_exp`` and ``10**max_exp``: give
    ``min``/``max``/``value`` as the real values (e.g. 1e-12 .. 1e-1).
    """

    name: str
    min: float
    max: float
    value: float
    step: float = 0.1
    description: str = ""
    log: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"a slider's name must be a Python identifier (it becomes an argument), got {self.name!r}")
        for field_name in ("min", "max", "value", "step"):
            x = getattr(self, field_name)
            if isinstance(x, bool) or not isinstance(x, numbers.Real):
                raise TypeError(f"slider {self.name!r}: {field_name} must be a real number, got {type(x).__name__} ({x!r})")
            if not math.isfinite(x):
                raise ValueError(f"slider {self.name!r}: {field_name} must be finite, got {x!r}")
        if not isinstance(self.log, bool):
            raise TypeError(f"slider {self.name!r}: log must be True or False, got {self.log!r}")
        if not self.min < self.max:
            raise ValueError(f"slider {self.name!r} needs min < max, got {self.min!r} and {self.max!r}")
        if not self.min <= self.value <= self.max:
            raise ValueError(f"slider {self.name!r} starts at {self.value!r}, outside [{self.min!r}, {self.max!r}]")
        if self.log and self.min <= 0:
            raise ValueError(f"log slider {self.name!r} needs min > 0, got {self.min!r}")
        if not self.step > 0:
            raise ValueError(f"slider {self.name!r} needs a positive step, got {self.step!r}")
        count = self._steps() + 1
        if count > MAX_POSITIONS:
            span = f"10**{math.log10(self.min):g} to 10**{math.log10(self.max):g}" if self.log else f"{self.min!r} to {self.max!r}"
            raise ValueError(
                f"slider {self.name!r} would have {count:,} positions ({span} in steps of {self.step!r}); "
                f"at most {MAX_POSITIONS:,}, since the book renders every one: use a larger step"
            )

    def _steps(self) -> int:
        """How many whole steps fit between min and max: never one that passes max."""
        low, high = (math.log10(self.min), math.log10(self.max)) if self.log else (self.min, self.max)
        # The small slack keeps a step that lands on max up to rounding (0.1 * 10 == 1.0000000000000002).
        return int(math.floor((high - low) / self.step * (1 + 1e-12) + 1e-9))

    def positions(self) -> list[float]:
        """Every value the slider can take: the live widget's steps, and the start.

        Positions never pass ``max``: with ``step=0.35`` on [0, 1] they are 0,
        0.35 and 0.7. The starting value is kept exactly even when it is off the
        grid (e.g. a bias of 6.8813735870195432), so the static page starts where
        the chapter does.
        """
        count = self._steps()
        if self.log:
            low = math.log10(self.min)
            grid = [min(max(10 ** (low + i * self.step), self.min), self.max) for i in range(count + 1)]
        else:
            # Rounded to 12 decimals (0.30000000000000004 reads 0.3), then kept inside [min, max].
            grid = [min(max(round(self.min + i * self.step, 12), self.min), self.max) for i in range(count + 1)]
        if not any(math.isclose(x, self.value, rel_tol=1e-12, abs_tol=1e-15) for x in grid):
            grid = sorted(grid + [float(self.value)])
        return grid

    def start_index(self) -> int:
        """The index of the starting value among :meth:`positions`."""
        grid = self.positions()
        return min(range(len(grid)), key=lambda i: abs(grid[i] - self.value))

    def readout(self, value: float) -> str:
        """The value as the slider shows it: "1.0e-04" on a log scale, "30" for whole steps."""
        if self.log:
            return f"{value:.1e}"
        if all(float(x).is_integer() for x in (self.min, self.step, self.value)):
            return f"{value:.0f}"
        return f"{value:.2f}"

    def widget(self) -> widgets.Widget:
        label = self.description or self.name
        style = {"description_width": "initial"}
        if self.log:
            return widgets.FloatLogSlider(
                value=self.value, base=10, min=math.log10(self.min), max=math.log10(self.max),
                step=self.step, description=label, readout_format=".1e", style=style,
                continuous_update=True,
            )
        return widgets.FloatSlider(
            value=self.value, min=self.min, max=self.max, step=self.step, description=label,
            readout_format=".0f" if self.readout(self.value) == f"{self.value:.0f}" else ".2f", style=style,
            continuous_update=True,
        )


def svg_html(graph) -> str:
    """Inline SVG of a Graphviz graph (from :func:`backprop_lib.draw_dot`), with its text alternative.

    The same HTML a drawing displays as by itself: see :func:`backprop_lib.graph.graph_html`.
    """
    from .graph import graph_html

    return graph_html(graph)


def figure_html(fig, alt: str, close: bool = True) -> str:
    """A Matplotlib figure as an ``<img>`` with alt text (PNG, byte-stable)."""
    if not alt:
        raise ValueError("figure_html needs alt text describing the plot")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img src='data:image/png;base64,{data}' alt='{html.escape(alt, quote=True)}' style='max-width:100%'/>"


def _find_config(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "_config.yml"
        if candidate.is_file():
            return candidate
    return None


def book_links(notebook: str | None = None, start: Path | None = None) -> dict[str, str]:
    """Binder and Colab links for ``notebook`` (a file in ``book/``), from ``_config.yml``.

    The repository URL and branch are read from the book's ``_config.yml``, the
    one place where a fork sets them. Returns ``{}`` when no config is found.
    """
    config_path = _find_config((start or Path.cwd()).resolve())
    if config_path is None:
        return {}
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    repo = config.get("repository", {}) or {}
    url = str(repo.get("url", "")).rstrip("/")
    branch = str(repo.get("branch", "main"))
    binder_hub = (config.get("launch_buttons", {}) or {}).get("binderhub_url", "https://mybinder.org").rstrip("/")
    match = re.match(r"https://github\.com/([^/]+)/([^/]+)$", url)
    if not match:
        return {}
    owner, name = match.groups()
    path = f"book/{notebook}" if notebook else "book"
    links = {
        "repository": url,
        "binder": f"{binder_hub}/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/{path}",
    }
    if notebook:
        links["colab"] = f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/{path}"
    return links


STATIC_ENV = "BACKPROP_STATIC_FIGURES"
"""Set to 1 while the book is built: figures then carry their frames for the static page."""


def _where(notebook: str | None) -> str:
    links = book_links(notebook)
    parts = [f"<a href='{links[k]}'>{name}</a>" for k, name in (("binder", "Binder"), ("colab", "Colab")) if k in links]
    return " or ".join(parts) if parts else "Binder or Colab (launch buttons at the top of the page)"


def _live_note(notebook: str | None) -> str:
    return (
        "<p class='bp-live-note'><strong>Interactive figure.</strong> Here the sliders cannot run Python. "
        f"They are live when the notebook runs: open it in {_where(notebook)}, or in Jupyter locally.</p>"
    )


ONE_AT_A_TIME = "One slider moves at a time here: moving one returns the others to their starting values."
"""The note of a figure whose sliders don't combine on the page (the build may say why)."""
GRID_NOTE = "The sliders combine: the page holds every combination of their positions."
"""The note of a figure that carries the full grid."""


def _frames_note(notebook: str | None, several: bool, grid: bool) -> str:
    sentence = f" {GRID_NOTE}" if grid else f" {ONE_AT_A_TIME}" if several else ""
    ending = ("To try positions between these steps or edit the code" if grid
              else "To combine sliders freely or edit the code")
    return (
        "<p class='bp-live-note'><strong>Live on this page.</strong> Each position shows what "
        f"<code>backprop_lib</code> computed for it when the book was built.{sentence} "
        f"{ending}, open the notebook in {_where(notebook)}.</p>"
    )


def _at(values: dict[str, float]) -> str:
    """Slider values as an error message names them: ``a = 1.5, b = 0``."""
    return ", ".join(f"{name} = {value!r}" for name, value in values.items())


def _pack(frames: list[str]) -> str:
    """Frames as the page carries them: JSON, gzip (byte-stable), base64."""
    return base64.b64encode(gzip.compress(json.dumps(frames).encode("utf-8"), mtime=0)).decode("ascii")


# Layout for both static forms; scoped to the figure's own classes, with the theme's
# colours where there is a theme (the book) and the notebook's own otherwise.
_STYLE = (
    "<style>.bp-interactive .bp-controls{display:grid;grid-template-columns:max-content 1fr max-content;"
    "gap:.25em .6em;align-items:center;margin:.3em 0}.bp-interactive .bp-control{display:contents}"
    ".bp-interactive .bp-control-label{white-space:nowrap}"
    ".bp-interactive .bp-control-input{display:flex;align-items:center;gap:.3em;min-width:0}"
    ".bp-interactive input.bp-slider{width:100%;min-width:6em;height:28px;margin:0}"
    ".bp-interactive .bp-step{min-width:28px;min-height:28px;line-height:1}"
    ".bp-interactive output{font-family:monospace;white-space:nowrap;min-width:5.5em}"
    ".bp-interactive .bp-figure-title{font-weight:600;margin:.2em 0 .3em}"
    ".bp-interactive .bp-pane{overflow-x:auto}.bp-interactive .bp-print-state{display:none}"
    ".bp-interactive .bp-sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap}"
    ".bp-interactive table{margin:.5em 0}</style>"
)

# Swaps frames as a slider moves. Defined once per page, called once per figure.
_FRAMES_JS = """
window.bpFigure = window.bpFigure || function (root) {
  const spec = JSON.parse(root.querySelector("script.bp-frames").textContent);
  // The frames ship inline (spec.data), or, for large figures in the built book, in a script
  // of their own (spec.src) that is fetched on the reader's first touch of the figure.
  const payload = () => spec.data ? Promise.resolve(spec.data) : new Promise((resolve, reject) => {
    const have = () => (window.bpFrames || {})[spec.key];
    if (have()) return resolve(have());
    const script = document.createElement("script");
    script.src = spec.src;
    script.onload = () => have() ? resolve(have()) : reject(new Error("no frames in " + spec.src));
    script.onerror = () => reject(new Error("could not load " + spec.src));
    document.head.appendChild(script);
  });
  let loading = null;
  const frames = () => loading || (loading = payload().then(async data => {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const decoded = JSON.parse(await new Response(stream).text());
    root.dataset.loaded = "true";
    return decoded;
  }));
  const pane = root.querySelector(".bp-pane");
  const status = root.querySelector(".bp-status");
  const inputs = Array.from(root.querySelectorAll("input.bp-slider"));
  const show = (input, t, j) => {
    input.value = j;
    input.setAttribute("aria-valuetext", spec.names[t] + " = " + spec.labels[t][j]);
    input.closest(".bp-control").querySelector("output").textContent = spec.labels[t][j];
  };
  const summary = () => {
    const marked = pane.querySelector("[data-bp-summary]");
    if (marked) return marked.getAttribute("data-bp-summary");
    const described = pane.querySelector("[role=img][aria-label], img[alt]");
    const text = described ? (described.getAttribute("aria-label") || described.getAttribute("alt")) : pane.textContent;
    const words = text.replace(/\\s+/g, " ").trim();
    return words.length > 240 ? words.slice(0, 237) + "..." : words;
  };
  // The state of the figure last moved lives in the URL's fragment, e.g. #fig-nudge:da=0.25,db=0,
  // so a link opens the figure exactly there.
  const writeState = () => {
    if (!spec.id || !spec.keys) return;
    const state = inputs.map((input, t) => spec.keys[t] + "=" + spec.values[t][Number(input.value)]).join(",");
    history.replaceState(history.state, "", "#" + spec.id + ":" + state);
  };
  // Live: when the build found the figure's cell runs alone in the page's Python (no NumPy), the
  // reader's first move starts that Python (window.bpPython), which runs the cell; from then on
  // every move calls the real render function with all sliders where the reader left them.
  const source = root.querySelector("script.bp-figure-source");
  let live = null;  // null, or a promise: true once live, false if Python could not start
  root.bpLatencies = [];
  const goLive = () => live || (live = (async () => {
    if (document.readyState === "loading") {  // the page's loader (a deferred script) runs before this event
      await new Promise(done => document.addEventListener("DOMContentLoaded", done, {once: true}));
    } else if (!window.bpPython && document.readyState === "interactive") {
      // Parsed, but deferred scripts may not have run yet (and DOMContentLoaded may be past): wait for load.
      await new Promise(done => window.addEventListener("load", done, {once: true}));
    }
    if (!source || !window.bpPython || location.protocol === "file:") return false;
    try {
      await window.bpPython.call("define_figure", [spec.id, JSON.parse(source.textContent)]);
      root.dataset.bpMode = "live";
      await drawLive();
      return true;
    } catch (error) {
      root.dataset.bpLiveError = String(error.message || error);
      return false;  // the frames stay
    }
  })());
  let busy = false, again = false;
  const drawLive = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        const values = {};
        inputs.forEach((input, t) => { values[spec.keys[t]] = spec.values[t][Number(input.value)]; });
        const started = performance.now();
        pane.innerHTML = await window.bpPython.call("render_figure", [spec.id, values]);
        await window.bpPython.drawGraphs(pane);  // graphs come as DOT: Graphviz-wasm draws them
        root.bpLatencies.push(performance.now() - started);
        root.dataset.renders = String(root.bpLatencies.length);
      } while (again);
    } finally {
      busy = false;
    }
    status.textContent = inputs.map((input, t) => spec.names[t] + " = " + spec.labels[t][Number(input.value)]).join(", ") +
      ". " + summary();
  };
  // The full grid (spec.grid), when the build stored every combination: the frame for all
  // sliders where they are, positions in row-major order (the last slider moving fastest).
  const grid = spec.grid || null;
  const drawGrid = async () => {
    const all = await frames();
    const flat = inputs.reduce((at, input, t) => at * grid.shape[t] + Number(input.value), 0);
    pane.innerHTML = all[grid.index[flat]];
    root.dataset.frame = String(grid.index[flat]);
    status.textContent = inputs.map((input, t) => spec.names[t] + " = " + spec.labels[t][Number(input.value)]).join(", ") +
      ". " + summary();
  };
  const move = async (s, j, fromLink) => {
    if (root.dataset.bpMode === "live") {
      show(inputs[s], s, j);
      if (!fromLink) writeState();
      return drawLive();
    }
    if (grid) {  // the other sliders stay where the reader left them
      show(inputs[s], s, j);
      await drawGrid();
      if (!fromLink) writeState();
      if (source && !fromLink) goLive();
      return;
    }
    const all = await frames();
    inputs.forEach((other, t) => { if (t !== s) show(other, t, spec.start[t]); });
    show(inputs[s], s, j);
    pane.innerHTML = all[spec.index[s][j]];
    root.dataset.frame = String(spec.index[s][j]);
    status.textContent = spec.names[s] + " = " + spec.labels[s][j] + ". " + summary();
    if (!fromLink) writeState();
    if (source && !fromLink) goLive();
  };
  const nearest = (t, x) => spec.values[t].reduce((best, v, j) =>
    Math.abs(v - x) < Math.abs(spec.values[t][best] - x) ? j : best, 0);
  const fromLink = async () => {
    const hash = decodeURIComponent(location.hash.slice(1));
    const colon = hash.indexOf(":");
    if (!spec.id || !spec.keys || colon < 0 || hash.slice(0, colon) !== spec.id) return;
    const wanted = {};
    hash.slice(colon + 1).split(",").forEach(pair => {
      const [key, text] = pair.split("=");
      if (key && text !== undefined && text.trim() !== "" && isFinite(Number(text))) wanted[key.trim()] = Number(text);
    });
    const moves = [];
    spec.keys.forEach((key, t) => {
      if (key in wanted && nearest(t, wanted[key]) !== spec.start[t]) moves.push([t, nearest(t, wanted[key])]);
    });
    root.scrollIntoView({block: "center"});
    if (!moves.length) return;
    if (grid && root.dataset.bpMode !== "live") {  // the grid shows the combination at once
      spec.keys.forEach((key, t) => show(inputs[t], t, key in wanted ? nearest(t, wanted[key]) : spec.start[t]));
      await drawGrid();
      const stale = root.querySelector(".bp-link-note");
      if (stale) stale.remove();
      if (moves.length > 1 && source) await goLive();  // a live figure's Python then takes over, as without a grid
      return;
    }
    if (moves.length > 1 && source && await goLive()) {  // several sliders: combine them in the page's Python
      moves.forEach(([t, j]) => show(inputs[t], t, j));
      return drawLive();
    }
    await move(moves[0][0], moves[0][1], true);
    let note = root.querySelector(".bp-link-note");
    if (moves.length > 1) {
      if (!note) {
        note = document.createElement("p");
        note.className = "bp-link-note";
        root.querySelector(".bp-controls").before(note);
      }
      note.textContent = "This link sets " + moves.length + " sliders, but this figure moves one at a time on the page: " +
        "it shows " + spec.names[moves[0][0]] + " = " + spec.labels[moves[0][0]][moves[0][1]] + " alone.";
    } else if (note) {
      note.remove();
    }
  };
  inputs.forEach((input, s) => {
    input.addEventListener("input", () => move(s, Number(input.value)));
    input.closest(".bp-control").querySelectorAll("button.bp-step").forEach(button => {
      button.addEventListener("click", () => {
        const j = Math.min(Number(input.max), Math.max(0, Number(input.value) + Number(button.dataset.step)));
        if (j !== Number(input.value)) move(s, j);
      });
    });
  });
  ["pointerdown", "touchstart", "focusin"].forEach(kind =>
    root.querySelector(".bp-controls").addEventListener(kind, () => frames(), {once: true, passive: true}));
  window.addEventListener("hashchange", fromLink);
  root.dataset.ready = "true";
  fromLink().finally(() => { root.dataset.linked = "true"; });
};
"""


class _PageControl:
    """Where ipywidgets is missing (the page's Python): a slider's or the pane's value, nothing drawn."""

    def __init__(self, value: object) -> None:
        self.value = value


class InteractiveFigure(widgets.VBox if widgets is not None else object):
    """Sliders plus an HTML pane that ``render(**slider_values)`` fills.

    Args:
        render: returns the HTML to show for the given slider values; build it
            with :func:`svg_html`, :func:`figure_html` and plain HTML.
        sliders: the sliders, whose names are ``render``'s keyword arguments.
        title: a heading shown above the sliders.
        notebook: the chapter's file name in ``book/``, for the launch links.

    The render function should be fast (well under 100 ms): it runs on every
    slider move. The last render time is kept in ``last_render_seconds``.
    """

    def __init__(self, render: Callable[..., str], sliders: Sequence[Slider], title: str = "", notebook: str | None = None) -> None:
        if not callable(render):
            raise TypeError(f"render must be a function returning HTML, got {type(render).__name__}")
        sliders = list(sliders)
        if not sliders or not all(isinstance(s, Slider) for s in sliders):
            raise TypeError("sliders must be a non-empty sequence of Slider objects")
        names = [s.name for s in sliders]
        if len(set(names)) != len(names):
            raise ValueError(f"slider names must be unique, got {names}")
        self.render = render
        self.specs = sliders
        self.title = title
        self.notebook = notebook
        self.last_render_seconds = 0.0
        if widgets is None:  # the page's Python: the page's own sliders call set(); see backprop_lib._page
            self.controls = {s.name: _PageControl(float(s.value)) for s in sliders}
            self.pane = _PageControl(self._render_now())
            return
        self.controls = {s.name: s.widget() for s in sliders}
        self.pane = widgets.HTML(value=self._render_now())
        header = [widgets.HTML(value=self._heading())] if title else []
        super().__init__(children=[*header, *self.controls.values(), self.pane])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def values(self) -> dict[str, float]:
        """The sliders' current values, by name."""
        return {name: float(control.value) for name, control in self.controls.items()}

    def set(self, **values: float) -> None:
        """Move sliders from code (as a reader would), which redraws the figure once.

        All or nothing: every value is checked first (a known slider, a finite
        number inside its range); if the redraw raises, the sliders go back to
        where they were and the pane keeps its content.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"no slider named {sorted(unknown)}; the sliders are {list(self.controls)}")
        specs = {spec.name: spec for spec in self.specs}
        for name, value in values.items():
            spec = specs[name]
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"slider {name!r} takes a real number, got {type(value).__name__} ({value!r})")
            if not math.isfinite(value):
                raise ValueError(f"slider {name!r} takes a finite number, got {value!r}")
            if not spec.min <= value <= spec.max:
                raise ValueError(f"slider {name!r} goes from {spec.min!r} to {spec.max!r}, got {value!r}")
        before = {name: self.controls[name].value for name in values}
        self._quiet = True  # one redraw for all the values, not one per slider
        try:
            for name, value in values.items():
                self.controls[name].value = value
            content = self._render_now()
        except BaseException:
            for name, value in before.items():
                self.controls[name].value = value
            raise
        finally:
            self._quiet = False
        self.pane.value = content

    def _render_now(self) -> str:
        import time

        start = time.perf_counter()
        content = self.render(**self.values())
        self.last_render_seconds = time.perf_counter() - start
        if not isinstance(content, str):
            raise TypeError(f"render must return an HTML string, got {type(content).__name__}")
        return content

    def _on_change(self, change) -> None:
        if getattr(self, "_quiet", False):
            return
        try:
            self.pane.value = self._render_now()
        except Exception as error:
            # A reader dragged a slider to where render fails: the pane says so,
            # so the slider and the pane still agree.
            where = ", ".join(f"{name} = {value:g}" for name, value in self.values().items())
            self.pane.value = (
                f"<p class='bp-render-error' role='alert'><strong>This figure cannot be drawn at {html.escape(where)}:</strong> "
                f"{html.escape(type(error).__name__)}: {html.escape(str(error))}</p>"
            )

    def __repr__(self) -> str:  # the default widget repr is long; this one is stable
        sliders = ", ".join(f"{name}={value:g}" for name, value in self.values().items())
        return f"InteractiveFigure({self.title!r}; sliders: {sliders})"

    def frames(self) -> tuple[list[str], list[list[int]]]:
        """The render function's output at every slider position, one slider at a time.

        Returns ``(frames, index)``: ``frames`` holds each distinct HTML once and
        ``index[s][j]`` is the frame for slider ``s`` at its ``j``-th position,
        the other sliders at their starting values.
        """
        start = {spec.name: spec.positions()[spec.start_index()] for spec in self.specs}
        frames: list[str] = []
        seen: dict[str, int] = {}
        index = []
        for spec in self.specs:
            row = []
            for value in spec.positions():
                try:
                    frame = self.render(**{**start, spec.name: value})
                except Exception as error:
                    raise RuntimeError(
                        f"rendering the figure {self.title!r} with slider {spec.name!r} at {value!r} raised "
                        f"{type(error).__name__}: {error}"
                    ) from error
                if not isinstance(frame, str):
                    raise TypeError(
                        f"render must return an HTML string, but with slider {spec.name!r} at {value!r} "
                        f"it returned {type(frame).__name__}"
                    )
                if frame not in seen:
                    seen[frame] = len(frames)
                    frames.append(frame)
                row.append(seen[frame])
            index.append(row)
        return frames, index

    def combinations(self) -> int:
        """How many combinations of slider positions there are: the size of the full grid."""
        return math.prod(len(spec.positions()) for spec in self.specs)

    def grid_frames(self) -> tuple[list[str], list[int], list[int]]:
        """The render function's output at every combination of slider positions (the full grid).

        Returns ``(frames, shape, index)``: ``frames`` holds each distinct HTML once,
        ``shape[s]`` is how many positions slider ``s`` has, and ``index`` lists the
        frame of each combination in row-major order (the last slider moving fastest):
        positions ``(j0, j1, ...)`` are at ``(j0 * shape[1] + j1) * shape[2] + ...``.
        Refuses a grid of more than ``GRID_MAX_FRAMES`` combinations.
        """
        count = self.combinations()
        if count > GRID_MAX_FRAMES:
            raise ValueError(
                f"the figure {self.title!r} has {count:,} combinations of slider positions; "
                f"the full grid renders at most {GRID_MAX_FRAMES:,}"
            )
        grids = [spec.positions() for spec in self.specs]
        frames: list[str] = []
        seen: dict[str, int] = {}
        index = []
        for values in itertools.product(*grids):
            where = dict(zip((spec.name for spec in self.specs), values))
            try:
                frame = self.render(**where)
            except Exception as error:
                raise RuntimeError(
                    f"rendering the figure {self.title!r} with sliders {_at(where)} raised {type(error).__name__}: {error}"
                ) from error
            if not isinstance(frame, str):
                raise TypeError(
                    f"render must return an HTML string, but with sliders {_at(where)} it returned {type(frame).__name__}"
                )
            if frame not in seen:
                seen[frame] = len(frames)
                frames.append(frame)
            index.append(seen[frame])
        return frames, [len(g) for g in grids], index

    def static_frames(self) -> tuple[list[str], list[list[int]], dict | None, str]:
        """What the static page carries: ``(frames, index, grid, why_no_grid)``.

        ``index`` is :meth:`frames`' one-slider-at-a-time index. ``grid`` is
        ``{"shape", "index"}`` from :meth:`grid_frames` when the figure has several
        sliders, at most ``GRID_MAX_FRAMES`` combinations, and frames that pack
        into at most ``GRID_MAX_BYTES``; else ``None``, and ``why_no_grid`` says
        why in the reader's words ("" for a figure with one slider).
        """
        if len(self.specs) < 2:
            return (*self.frames(), None, "")
        count = self.combinations()
        if count > GRID_MAX_FRAMES:
            return (*self.frames(), None, f"its {count:,} combinations of slider positions are too many to store in the page")
        frames, shape, flat = self.grid_frames()
        starts = [spec.start_index() for spec in self.specs]

        def at(s: int, j: int) -> int:
            """The flat grid index of slider s at position j, the others at their start."""
            where = 0
            for t, size in enumerate(shape):
                where = where * size + (j if t == s else starts[t])
            return where

        index = [[flat[at(s, j)] for j in range(shape[s])] for s in range(len(shape))]
        packed = len(_pack(frames))
        if packed <= GRID_MAX_BYTES:
            return frames, index, {"shape": shape, "index": flat}, ""
        # Too heavy: keep only the frames one slider at a time needs (rendered already), renumbered
        # in the order they first appear, so the result is what frames() gives.
        used = list(dict.fromkeys(i for row in index for i in row))
        renumber = {old: new for new, old in enumerate(used)}
        return ([frames[i] for i in used], [[renumber[i] for i in row] for row in index], None,
                f"its {count:,} combinations of slider positions would weigh {packed / 2**20:.1f} MiB")

    def static_html(self) -> str:
        """The figure for a page with no kernel: frames and sliders that switch them."""
        frames, index, grid, why_no_grid = self.static_frames()
        spec = {
            "data": _pack(frames),
            "index": index,
            "start": [s.start_index() for s in self.specs],
            "labels": [[s.readout(v) for v in s.positions()] for s in self.specs],
        }
        if grid is not None:
            spec["grid"] = grid
        names = [s.description or s.name for s in self.specs]
        spec["names"] = names
        # For links to a state (#fig-id:name=value,...): the figure's id, its sliders' names and values.
        spec["id"] = self.figure_id()
        spec["keys"] = [s.name for s in self.specs]
        spec["values"] = [s.positions() for s in self.specs]
        controls = "".join(self._static_control(s, name) for s, name in zip(self.specs, names))
        first = frames[index[0][self.specs[0].start_index()]]
        state = ", ".join(f"{name} = {s.readout(s.positions()[s.start_index()])}" for s, name in zip(self.specs, names))
        # Why the sliders don't combine on the page, for the build to complete (book/_ext/page_python.py).
        no_grid = f" data-bp-no-grid='{html.escape(why_no_grid, quote=True)}'" if why_no_grid else ""
        return (
            f"<div class='bp-interactive bp-static' id='{self.figure_id()}' data-bp-mode='frames'{no_grid} role='group' "
            f"aria-label='{html.escape(self.title or 'interactive figure', quote=True)}'>"
            f"{_STYLE}{self._heading()}"
            f"{_frames_note(self.notebook, len(self.specs) > 1, grid is not None)}"
            f"<p class='bp-print-state'>Shown at the starting values: {html.escape(state)}.</p>"
            f"<div class='bp-controls'>{controls}</div>"
            f"<p class='bp-status bp-sr-only' aria-live='polite'></p>"
            f"<div class='bp-pane'>{first}</div>"
            f"<script type='application/json' class='bp-frames'>{json.dumps(spec)}</script>"
            f"<script>{_FRAMES_JS}bpFigure(document.currentScript.parentElement);</script></div>"
        )

    def figure_id(self) -> str:
        """The figure's id on the page and in links to a state: ``fig-`` and its render function's name
        (``nudge_view`` gives ``fig-nudge``), or its title's words."""
        name = re.sub(r"_(view|figure|render)$", "", getattr(self.render, "__name__", ""))
        if not name.isidentifier():  # a lambda
            name = self.title or "figure"
        return "fig-" + ("-".join(re.findall(r"[a-z0-9]+", name.lower())) or "figure")

    @staticmethod
    def _static_control(slider: Slider, name: str) -> str:
        """One slider row: its label, the range input with step buttons, and the readout."""
        positions = slider.positions()
        j = slider.start_index()
        label = html.escape(name)
        value_text = html.escape(f"{name} = {slider.readout(positions[j])}", quote=True)
        return (
            f"<div class='bp-control'><span class='bp-control-label' aria-hidden='true'>{label}</span>"
            f"<span class='bp-control-input'>"
            f"<button type='button' class='bp-step' data-step='-1' aria-label='{label}: one step down'>&minus;</button>"
            f"<input class='bp-slider' type='range' min='0' max='{len(positions) - 1}' step='1' "
            f"value='{j}' data-name='{slider.name}' aria-label='{label}' aria-valuetext='{value_text}'/>"
            f"<button type='button' class='bp-step' data-step='1' aria-label='{label}: one step up'>+</button></span>"
            f"<output aria-hidden='true'>{slider.readout(positions[j])}</output></div>"
        )

    def _heading(self) -> str:
        # Not a heading element: a figure's title must not break the page's heading order.
        return f"<p class='bp-figure-title'>{html.escape(self.title)}</p>" if self.title else ""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) if widgets is not None else {}
        # What a page with no kernel shows: live frames when the book is built,
        # otherwise the current state and where the sliders are live.
        if os.environ.get(STATIC_ENV) == "1":
            bundle["text/html"] = self.static_html()
        else:
            bundle["text/html"] = (
                f"<div class='bp-interactive'>{_STYLE}{self._heading()}{_live_note(self.notebook)}"
                f"<div class='bp-pane'>{self.pane.value}</div></div>"
            )
        return bundle
