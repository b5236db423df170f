"""The book's own rules, checked on every chapter file.

These read the notebooks as data (nbformat); whether their stored outputs
reproduce is checked separately by strict nbval.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())

EXCUSED = ("nbval-ignore-output", "nbval-skip", "raises-exception")


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_chapters_and_the_toc_lists_them_in_order():
    assert CHAPTERS, "no chapter notebooks in book/"
    listed = [entry["file"] for part in TOC["parts"] for entry in part["chapters"] if entry["file"].startswith("book/0")]
    assert listed == [f"book/{p.stem}" for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
class TestChapter:
    def test_opens_with_title_overview_and_what_you_will_learn(self, path):
        nb = load(path)
        first = nb.cells[0]
        assert first.cell_type == "markdown" and re.match(r"# \S", first.source), "the first cell must be the '# Title'"
        assert "## Overview" in first.source
        assert "What you will learn" in first.source

    def test_closes_with_summary_and_three_self_checking_exercises_with_hidden_solutions(self, path):
        nb = load(path)
        text = markdown(nb)
        assert "## Summary" in text and "## Exercises" in text
        assert text.index("## Summary") < text.index("## Exercises")
        after = nb.cells[next(i for i, c in enumerate(nb.cells) if "## Exercises" in c.source):]
        checks = [c for c in after if c.cell_type == "code" and re.search(r"\bcheck(_derivative|_function)?\(", c.source)]
        solutions = [c for c in after if c.cell_type == "markdown" and ":::{admonition} Solution" in c.source
                     and ":class: dropdown" in c.source]
        assert len(checks) >= 3, f"{len(checks)} self-checking exercises"
        assert len(solutions) >= len(checks), "every exercise needs a worked solution in a dropdown"
        for cell in checks:  # the stored answer is the starting point, not a solution
            shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            assert "Not answered yet" in shown, cell.source[:80]

    def test_first_code_cell_installs_the_library_in_colab_only_from_the_configured_repository(self, path):
        cell = code_cells(load(path))[0]
        url = CONFIG["repository"]["url"]
        assert 'if "google.colab" in sys.modules:' in cell.source
        assert f"git+{url}" in cell.source, "the Colab cell must install from repository.url in _config.yml"
        assert cell.outputs == [], "outside Colab the set-up cell does nothing"

    def test_at_least_90_percent_of_code_cells_are_compared_and_each_excuse_is_explained(self, path):
        cells = code_cells(load(path))
        excused = [c for c in cells if set(c.metadata.get("tags", [])) & set(EXCUSED)
                   or any(mark in c.source for mark in ("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP"))]
        assert len(excused) <= 0.1 * len(cells)
        for cell in excused:
            assert re.search(r"#.*(timing|wall-clock|non-deterministic)", cell.source, re.I), cell.source[:80]

    def test_every_stored_code_cell_ran_without_error_or_stderr(self, path):
        for cell in code_cells(load(path)):
            for output in cell.outputs:
                assert output.output_type != "error", cell.source[:80]
                assert not (output.output_type == "stream" and output.name == "stderr"), cell.source[:80]

    def test_every_plot_has_alt_text(self, path):
        for cell in code_cells(load(path)):
            if any("image/png" in o.get("data", {}) for o in cell.outputs):
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
                assert len(alt) > 20, f"plot without alt text: {cell.source[:80]}"

    def test_has_a_predict_then_run_section_and_an_interactive_figure(self, path):
        nb = load(path)
        assert re.search(r"predict,? then run", markdown(nb), re.I)
        assert any("InteractiveFigure(" in c.source for c in code_cells(nb))

    def test_numbers_in_prose_are_glued_from_cells(self, path):
        nb = load(path)
        glued = set(re.findall(r"\{glue:text\}`([A-Za-z_][A-Za-z0-9_]*)", markdown(nb)))
        stored = {o.get("metadata", {}).get("scrapbook", {}).get("name") for c in code_cells(nb) for o in c.outputs}
        assert glued, "prose quotes computed numbers through glue"
        assert glued <= stored, f"glued in prose but never stored by a cell: {glued - stored}"
