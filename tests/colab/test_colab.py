"""Colab's path: each chapter's first cell installs the library from the book's repository.

In Colab, that cell runs `%pip install "backprop-lib[book] @ git+<repository.url>"`.
What such a URL installs is what the repository's branch holds: committed files
only. So the test clones this repository's HEAD (a full `git clone` of the local
repository, which, like the published URL, carries no uncommitted or untracked
file), runs the chapters' exact install command in a fresh virtualenv with a
`git+file://` URL of that clone in place of the repository URL (`%pip` runs the
kernel's `python -m pip`), checks the library is imported from the environment
(not from a source tree), and runs chapter 1, as committed, from a folder outside
any checkout, as a Colab notebook runs in /content. pip's download cache is shared.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
PIP_LINE = re.compile(r"^\s*%pip install (.+)$", re.M)

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
assert not errors, errors
print("ran", sum(c.cell_type == "code" for c in nb.cells), "code cells")
"""


def tasks_module():
    spec = importlib.util.spec_from_file_location("project_tasks", ROOT / ".ci" / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def install_command(chapter: Path) -> str:
    first = next(c for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "code")
    assert "google.colab" in first.source, f"{chapter.name}: the first code cell is Colab's install cell"
    commands = PIP_LINE.findall(first.source)
    assert len(commands) == 1, f"{chapter.name}: one %pip install in the first code cell, found {commands}"
    return commands[0]


def test_every_chapter_installs_the_same_thing_from_the_configured_repository():
    assert CHAPTERS
    url = tasks_module().colab_install_url()  # git+<repository.url> from _config.yml
    commands = {chapter.name: install_command(chapter) for chapter in CHAPTERS}
    assert len(set(commands.values())) == 1, commands
    args = shlex.split(next(iter(commands.values())))
    requirement = [a for a in args if "@" in a]
    assert requirement == [f"backprop-lib[book] @ {url}"], args


def test_the_install_cell_against_a_clone_of_head_installs_a_library_that_runs_chapter_1(tmp_path):
    if shutil.which("git") is None:
        pytest.fail("git is needed to clone the repository", pytrace=False)
    clone = tmp_path / "clone"
    # A full clone: pip's own `git clone` of a shallow repository stalls.
    cloned = subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)],
                            capture_output=True, text=True)
    assert cloned.returncode == 0, cloned.stderr
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

    # The command as committed in chapter 1, with the clone's URL for the repository's.
    committed_chapter = clone / "book" / "01_manual_gradients.ipynb"
    url = tasks_module().colab_install_url()
    command = install_command(committed_chapter)
    assert url in command, f"the committed chapter 1 installs from {url}"
    args = [a.replace(url, f"git+file://{clone}") for a in shlex.split(command)]

    env_dir = tmp_path / "colab-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Colab's pip is current; Python's bundled one (23.x) rejects a git+file:// requirement.
    # Use the pip that the project's set-up installed.
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          f"pip=={importlib.metadata.version('pip')}"], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-2000:]
    install = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", *args],
                             cwd=tmp_path, capture_output=True, text=True)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]

    # Colab runs a notebook in /content, far from any checkout: so does this.
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy2(committed_chapter, content / committed_chapter.name)
    probe = subprocess.run([str(python), "-c", "import backprop_lib, sys; print(backprop_lib.__file__)"],
                           cwd=content, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()).is_relative_to(env_dir), f"imported from {probe.stdout.strip()}, not the fresh environment"

    result = subprocess.run([str(python), "-c", RUN_NOTEBOOK, str(content / committed_chapter.name), str(content)],
                            cwd=content, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    print(f"\nColab install cell against HEAD {head}: {shlex.join(args)}; chapter 1 {result.stdout.strip()}",
          file=sys.stderr)
