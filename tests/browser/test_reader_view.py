"""The built chapter pages as a learner reads them: teaching code in front, checks behind.

The checks still run (strict nbval executes every cell, removed or not); these
tests read the HTML that `make test` built and look at what is left visible.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from conftest import HTML, ROOT

CHAPTER_PAGES = sorted((HTML / "book").glob("[0-9][0-9]_*.html")) if (HTML / "book").is_dir() else []


def all_hints() -> dict[str, str]:
    """Every registered exercise's hint, from the checker's own registry."""
    import importlib

    from backprop_lib import exercises

    for module in sorted((ROOT / "backprop_lib" / "exercise_bank").glob("ch*.py")):
        importlib.import_module(f"backprop_lib.exercise_bank.{module.stem}")
    return {ex.id: ex.hint for ex in exercises._REGISTRY.values()}


def test_the_chapters_were_built():
    notebooks = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    assert [p.stem for p in CHAPTER_PAGES] == [p.stem for p in notebooks]


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=lambda p: p.stem)
def test_the_page_shows_teaching_code_not_checking_machinery(page):
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    code = "\n".join(pre.get_text() for pre in soup.select("div.cell_input pre"))
    assert not re.search(r"^\s*assert\b", code, re.M), "a visible assert on the page"
    glue_lines = len(re.findall(r"^.*\bglue\(", code, re.M))
    assert glue_lines <= 5, f"{glue_lines} visible glue( lines"
    text = soup.select_one("main, article, body").get_text(" ")
    assert not re.search(r"\bthe source\b|\bsource's\b", text, re.I), "the page speaks of source documents"
    print(f"{page.stem}: {len(soup.select('div.cell_input'))} visible code cells, {glue_lines} glue lines")


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=lambda p: p.stem)
def test_no_exercise_hint_is_on_the_page_before_a_wrong_try(page):
    hints = all_hints()
    number = str(int(page.stem[:2]))
    mine = {k: v for k, v in hints.items() if k.split("-")[0] == number}
    assert len(mine) >= 4, f"chapter {number} registers {len(mine)} exercises"
    text = " ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())
    for exercise_id, hint in mine.items():
        assert " ".join(hint.split()) not in text, f"exercise {exercise_id}'s hint is on the page"
