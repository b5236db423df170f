"""What the static page shows for a slider position is what a live kernel computes there.

Each chapter runs in a fresh Jupyter kernel; its interactive figures are moved
to sampled positions from code, exactly as a reader's slider would move them,
and the figure's live HTML is compared with the frame that the built page
carries for that position: each slider alone (the others at their start), and,
for a figure that carries the full grid, combinations of every slider's position
(drawn at random, seeded by the figure's place in the chapter).
"""

from __future__ import annotations

import base64
import gzip
import json
import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import HTML, ROOT, frames_payload

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))

PROBE = r'''
import json as _json
import random as _random
from ipywidgets.widgets.widget import _instances as _widgets
from backprop_lib.widgets import InteractiveFigure as _IF
_samples = []
for _f, _fig in enumerate(w for w in list(_widgets.values()) if isinstance(w, _IF)):
    _start = {s.name: s.positions()[s.start_index()] for s in _fig.specs}
    for _s, _spec in enumerate(_fig.specs):
        _grid = _spec.positions()
        for _j in sorted({0, len(_grid) // 3, (2 * len(_grid)) // 3, len(_grid) - 1}):
            _fig.set(**_start)
            _fig.set(**{_spec.name: _grid[_j]})
            _samples.append({"figure": _f, "slider": _s, "position": _j, "html": _fig.pane.value})
    if len(_fig.specs) > 1:  # combinations, for a figure whose page carries the full grid
        _rng = _random.Random(_f)
        _grids = [s.positions() for s in _fig.specs]
        for _ in range(8):
            _at = [_rng.randrange(len(g)) for g in _grids]
            _fig.set(**{s.name: g[j] for s, g, j in zip(_fig.specs, _grids, _at)})
            _samples.append({"figure": _f, "combination": _at, "html": _fig.pane.value})
print(_json.dumps(_samples))
'''


def page_frames(chapter) -> list[tuple[list[str], dict]]:
    page = (HTML / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8")
    figures = []
    for raw in re.findall(r"<script type='application/json' class='bp-frames'>(.*?)</script>", page, re.S):
        spec = json.loads(raw)
        payload = frames_payload(spec, f"book/{chapter.stem}.html")
        figures.append((json.loads(gzip.decompress(base64.b64decode(payload))), spec))
    return figures


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_static_frames_equal_the_live_kernel_at_sampled_positions(chapter):
    if not (HTML / "book" / f"{chapter.stem}.html").is_file():
        pytest.fail("the built book is missing: run `make test` (or `make book`) first", pytrace=False)
    figures = page_frames(chapter)
    assert figures, "the built chapter carries its figures' frames"

    nb = nbformat.read(chapter, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(chapter.parent)}}).execute()
    samples = json.loads("".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream"))

    assert {s["figure"] for s in samples} == set(range(len(figures))), "one live figure per figure on the page"
    combined = {f: 0 for f, (_, spec) in enumerate(figures) if "grid" in spec}
    for sample in samples:
        frames, spec = figures[sample["figure"]]
        if "combination" in sample:
            if "grid" not in spec:  # this figure moves one slider at a time on the page
                continue
            flat = 0
            for size, j in zip(spec["grid"]["shape"], sample["combination"]):
                flat = flat * size + j
            shown = frames[spec["grid"]["index"][flat]]
            assert shown == sample["html"], f"figure {sample['figure']}, sliders at positions {sample['combination']}"
            combined[sample["figure"]] += 1
            continue
        shown = frames[spec["index"][sample["slider"]][sample["position"]]]
        assert shown == sample["html"], f"figure {sample['figure']}, slider {sample['slider']}, position {sample['position']}"
    assert all(count == 8 for count in combined.values()), f"combinations compared per grid figure: {combined}"
    print(f"\n{chapter.stem}: {len(samples)} positions compared, of which combined in a full grid: {sum(combined.values())}")
