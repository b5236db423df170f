"""Binder's path: a fresh virtualenv from requirements.txt alone runs every chapter.

Binder installs `requirements.txt` (and the `apt.txt` packages) into a clean
environment and opens the notebooks from their own folder. This test does the
same on this machine: nothing from the project's own .venv is used.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The chapters, then the notebook appendices (A1_*.ipynb, ...).
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "book").glob("A[0-9]_*.ipynb"))

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
print("ran", len([c for c in nb.cells if c.cell_type == "code"]), "code cells")
"""


def test_a_fresh_environment_from_requirements_runs_every_chapter(tmp_path):
    env_dir = tmp_path / "binder-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # The library is importable from the notebooks' folder without touching sys.path.
    probe = subprocess.run([str(python), "-c", "import backprop_lib; print(backprop_lib.__file__)"],
                           cwd=ROOT / "book", capture_output=True, text=True)
    assert probe.returncode == 0 and str(ROOT / "backprop_lib") in probe.stdout, probe.stderr
    assert CHAPTERS
    for chapter in CHAPTERS:
        result = subprocess.run([str(python), "-c", RUN_NOTEBOOK, str(chapter), str(chapter.parent)],
                                cwd=chapter.parent, capture_output=True, text=True)
        assert result.returncode == 0, f"{chapter.name}:\n{result.stderr[-3000:]}"
        print(f"{chapter.name}: {result.stdout.strip()}", file=sys.stderr)
