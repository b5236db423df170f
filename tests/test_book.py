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


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"^## Quick start\s*\n+```\w*\n(.*?)^```", text, re.M | re.S)
    assert block, "README needs a '## Quick start' code block"
    commands = [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(commands) == 2
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


def test_requirements_are_exact_pins_and_install_the_library():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert "-e ." in lines
    for line in lines:
        if line != "-e .":
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), line
    names = {l.split("==")[0].lower() for l in lines}
    assert {"jupyter-book", "numpy", "matplotlib", "graphviz", "ipywidgets", "nbval", "pytest", "ipykernel"} <= names
    version = next(l.split("==")[1] for l in lines if l.lower().startswith("jupyter-book=="))
    assert version.startswith("1."), "the book is built with Jupyter Book 1.x"


def test_binder_files_name_graphviz_and_python_311():
    assert "graphviz" in (ROOT / "apt.txt").read_text().split()
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def test_config_sets_the_repository_once_and_launch_buttons():
    assert re.fullmatch(r"https://github\.com/[^/]+/[^/]+", CONFIG["repository"]["url"])
    assert CONFIG["launch_buttons"]["binderhub_url"] and CONFIG["launch_buttons"]["colab_url"]
    assert CONFIG["execute"]["execute_notebooks"] == "cache"
    assert CONFIG["execute"]["raise_on_error"] is True
    others = [p for p in ROOT.rglob("*") if p.is_file() and p.suffix in {".py", ".md", ".yml", ".toml", ".txt", ".cfg"}
              and not {".venv", "_build", "node_modules", ".git"} & set(p.parts) and p.name != "_config.yml"
              and p.parent != ROOT / "tests"]
    url = CONFIG["repository"]["url"]
    assert not [str(p) for p in others if url in p.read_text(errors="ignore")], "the repository URL is set in _config.yml only"


def test_pages_workflow_runs_the_readme_build_command_and_publishes_the_built_book():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"^## Quick start\s*\n+```\w*\n(.*?)^```", text, re.M | re.S).group(1)
    build_command = [l.strip() for l in block.splitlines() if l.strip()][0]
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert [s.get("run") for s in steps if "run" in s] == [build_command]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
