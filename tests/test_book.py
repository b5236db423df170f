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
# Notebook appendices: executed and compared like chapters, without the chapter rules.
APPENDICES = sorted(BOOK.glob("A[0-9]_*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())

EXCUSED = ("nbval-ignore-output", "nbval-skip", "raises-exception")
HIDDEN = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
MAX_VISIBLE_LINES = 18  # "about 15": a visible teaching cell teaches one idea
MAX_MAIN_PATH_WORDS = 3300  # "at most about 3,000" words before the exercises
# Executed checks in the chapters and appendices (the assert keyword, assert_*( and check*( calls),
# counted when the checks were moved out of the reader's way: they may move, never fall below this.
CHECK_FLOOR = 159


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def visible(cell) -> bool:
    return not set(cell.metadata.get("tags", [])) & HIDDEN


def chapter_number(path: Path) -> int:
    return int(path.name[:2])


def exercise_cells(nb):
    return [c for c in code_cells(nb) if "check_exercise(" in c.source]


def checks_in(source: str) -> int:
    """Executed checks in a cell: the assert keyword, assert_*( calls and check*( calls."""
    return len(re.findall(r"\bassert\b", source)) + len(re.findall(r"\bassert_\w+\(|\bcheck(?:_\w+)?\(", source))


def test_there_are_chapters_and_the_toc_lists_them_in_order():
    assert CHAPTERS, "no chapter notebooks in book/"
    listed = [entry["file"] for part in TOC["parts"] for entry in part["chapters"]]
    assert [f for f in listed if re.match(r"book/\d\d_", f)] == [f"book/{p.stem}" for p in CHAPTERS]
    assert [f for f in listed if re.match(r"book/A\d_", f)] == [f"book/{p.stem}" for p in APPENDICES]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
class TestChapter:
    def test_opens_with_title_overview_and_what_you_will_learn(self, path):
        nb = load(path)
        first = nb.cells[0]
        assert first.cell_type == "markdown" and re.match(r"# \S", first.source), "the first cell must be the '# Title'"
        assert "## Overview" in first.source
        assert "What you will learn" in first.source

    def test_closes_with_summary_and_at_least_four_self_contained_exercises_with_hidden_solutions(self, path):
        nb = load(path)
        text = markdown(nb)
        assert "## Summary" in text and "## Exercises" in text
        assert text.index("## Summary") < text.index("## Exercises")
        start = next(i for i, c in enumerate(nb.cells) if "## Exercises" in c.source)
        after = nb.cells[start:]
        cells = [c for c in after if c.cell_type == "code" and "check_exercise(" in c.source]
        ids = [re.search(r"check_exercise\(\s*[\"'](\d+)-(\d+)[\"']", c.source) for c in cells]
        assert all(ids), "every exercise is checked as check_exercise('<chapter>-<n>', answer)"
        number = chapter_number(path)
        assert [(int(m.group(1)), int(m.group(2))) for m in ids] == [(number, k) for k in range(1, len(ids) + 1)], \
            "exercise ids follow the chapter and the order on the page"
        assert len(cells) >= 4, f"{len(cells)} exercises; a chapter has at least 4"
        shown = re.findall(r"\*\*Exercise (\d+)\.\*\*", "\n".join(c.source for c in after if c.cell_type == "markdown"))
        assert [int(k) for k in shown] == list(range(1, len(cells) + 1)), "each exercise is introduced as **Exercise k.**"
        solutions = [c for c in after if c.cell_type == "markdown" and ":::{admonition} Solution" in c.source
                     and ":class: dropdown" in c.source]
        assert len(solutions) >= len(cells), "every exercise needs a worked solution in a dropdown"
        for cell in cells:  # the stored answer is the starting point, not a solution
            stored = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            assert "Not answered yet" in stored, cell.source[:80]

    def test_hints_live_with_the_checker_not_in_the_cells(self, path):
        for cell in code_cells(load(path)):
            assert "hint=" not in cell.source, f"a hint shows before the learner tries: {cell.source[:80]}"

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

    def test_has_a_predict_then_run_section_and_two_interactive_figures(self, path):
        nb = load(path)
        assert re.search(r"predict,? then run", markdown(nb), re.I)
        figures = sum(c.source.count("InteractiveFigure(") for c in code_cells(nb))
        assert figures >= 2, f"{figures} interactive figure(s); a chapter has at least two"

    def test_the_main_path_is_at_most_about_3000_words(self, path):
        nb = load(path)
        text = markdown(nb)
        main = text[:text.index("## Exercises")] if "## Exercises" in text else text
        words = len(re.findall(r"\S+", main))
        assert words <= MAX_MAIN_PATH_WORDS, f"{words} words before the exercises"

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


NOTEBOOKS = CHAPTERS + APPENDICES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
class TestReaderView:
    """What the reader sees: teaching code in front, the checking machinery behind it."""

    def test_no_visible_assert_and_at_most_five_visible_glue_lines(self, path):
        cells = [c for c in code_cells(load(path)) if visible(c)]
        asserts = [c.source[:60] for c in cells if re.search(r"^\s*assert\b", c.source, re.M)]
        assert not asserts, f"visible cells with an assert: {asserts}"
        glue_lines = sum(len(re.findall(r"^.*\bglue\(", c.source, re.M)) for c in cells)
        assert glue_lines <= 5, f"{glue_lines} visible glue( lines"

    def test_removed_cells_open_collapsed_in_jupyter(self, path):
        for cell in code_cells(load(path)):
            if set(cell.metadata.get("tags", [])) & {"remove-cell", "remove-input"}:
                assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:80]

    def test_every_assert_says_what_it_checks(self, path):
        import ast

        for cell in code_cells(load(path)):
            # IPython magics and shell lines are not Python; blank them out before parsing.
            source = re.sub(r"^\s*[%!].*$", "", cell.source, flags=re.M)
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Assert):
                    assert node.msg is not None, f"assert without a message: {ast.unparse(node)[:80]}"

    def test_visible_teaching_cells_are_short(self, path):
        for cell in code_cells(load(path)):
            if visible(cell):
                lines = len(cell.source.splitlines())
                assert lines <= MAX_VISIBLE_LINES, f"{lines}-line visible cell: {cell.source[:80]}"

    def test_speaks_to_the_learner_not_about_source_documents(self, path):
        nb = load(path)
        text = "\n".join(c.source for c in nb.cells)
        assert not re.search(r"\bthe source\b|\bsource's\b|\bsource documents?\b", markdown(nb), re.I)
        assert not re.search(r"\bSOURCE_[A-Z]", text), "no SOURCE_* names"
        assert not re.search(r"\bseeds?/|\b00[034]_\w+\.txt", text)


def test_the_checks_executed_have_not_fallen_below_the_floor():
    counts = {p.stem: sum(checks_in(c.source) for c in code_cells(load(p))) for p in NOTEBOOKS}
    print(f"executed checks: {sum(counts.values())} (floor {CHECK_FLOOR}) {counts}")
    assert sum(counts.values()) >= CHECK_FLOOR, counts


def test_the_common_mistakes_are_boxes_a_learner_can_learn_from():
    boxes = [m for p in CHAPTERS for m in re.findall(r":::\{admonition\} Common mistake", markdown(load(p)))]
    assert len(boxes) >= 6, f"{len(boxes)} Common mistake boxes"


EXERCISE_CELLS = [(p, k, c.source) for p in CHAPTERS for k, c in enumerate(exercise_cells(load(p)), 1)]


@pytest.mark.parametrize("path,number,source", EXERCISE_CELLS,
                         ids=[f"{p.stem[:2]}-{k}" for p, k, _ in EXERCISE_CELLS])
def test_each_exercise_cell_runs_alone_in_a_fresh_interpreter(path, number, source, tmp_path):
    """Readers copy exercises out: a cell needs only backprop_lib and what it defines itself."""
    from exercise_cells import run_alone

    result = run_alone(source, tmp_path)
    assert result.returncode == 0, f"{path.name} Exercise {number}:\n{result.stderr[-2000:]}"
    assert "Not answered yet" in result.stdout, result.stdout[-500:]


@pytest.mark.parametrize("path", APPENDICES, ids=lambda p: p.stem)
def test_an_appendix_opens_with_a_title_and_says_where_it_is_linked_from(path):
    nb = load(path)
    assert nb.cells[0].cell_type == "markdown" and re.match(r"# \S", nb.cells[0].source)
    chapters_text = "\n".join(markdown(load(p)) for p in CHAPTERS)
    assert "appendix-" in chapters_text, "the chapters link to the appendix where its tangents came up"
