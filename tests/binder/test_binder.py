"""Binder's path: a fresh environment from requirements.txt runs every chapter in JupyterLab.

Binder (repo2docker's Python build pack, chosen by runtime.txt) starts from an image
whose environment already holds the Jupyter front ends, installs `requirements.txt`
on top (and the `apt.txt` packages) and opens the notebooks from their own folder.
This test does the same on this machine: a fresh virtualenv gets `requirements.txt`,
plus what the image keeps of its own (the `notebook` front end), and every
requirement must agree (`pip check`); nothing from the project's own .venv is used. Its JupyterLab then needs no build (every extension ships prebuilt, so no
postBuild), and every chapter runs there under strict nbval: each notebook's stored outputs
must come out again byte for byte (the same check `make test` makes of the chapters; it is made
here, in Binder's environment, rather than twice).
"""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The chapters, then the notebook appendices (A1_*.ipynb, ...).
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "book").glob("A[0-9]_*.ipynb"))

# What repo2docker's Python 3.11 image keeps of its own Jupyter front end after
# requirements.txt is installed over it (repo2docker 2026.04.0,
# environment.py-3.11-linux-64.lock, frozen 2025-10-16). Its other Jupyter packages
# (jupyterlab, jupyter_server, ipywidgets, ...) are replaced by our pins; notebook is
# not, and requires jupyterlab>=4.4.9,<4.5 and more: `pip check` says if our pins agree.
BINDER_IMAGE_KEEPS = ["notebook==7.4.7"]

CHECK_LAB = """
from jupyterlab.commands import build_check
print("build needed:" if build_check() else "no build needed", build_check())
"""



def test_a_fresh_environment_from_requirements_runs_every_chapter(tmp_path):
    env_dir = tmp_path / "binder-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # --no-compile: Python compiles what is imported on first import; compiling every installed file
    # ahead (about a third of the install's time here) checks nothing.
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    install = subprocess.run([*pip, "-r", "requirements.txt"], cwd=ROOT, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    kept = subprocess.run([*pip, "--no-deps", *BINDER_IMAGE_KEEPS], cwd=ROOT, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stderr[-3000:]
    # pip installs over the image's packages without re-resolving them: check they all agree.
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    # JupyterLab is the pinned one, and needs no build: its extensions ship prebuilt.
    bindir = env_dir / "bin"
    pinned = next(l.split("==")[1] for l in (ROOT / "requirements.txt").read_text().splitlines() if l.startswith("jupyterlab=="))
    version = subprocess.run([str(bindir / "jupyter"), "lab", "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == pinned, version.stdout + version.stderr
    listing = subprocess.run([str(bindir / "jupyter"), "labextension", "list"], capture_output=True, text=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    extensions = re.findall(r"^\s+(\S+) v\S+ (.*)$", text, re.M)
    assert ("@jupyter-widgets/jupyterlab-manager", "enabled OK (python, jupyterlab_widgets)") in extensions, text
    assert all(state.startswith("enabled OK") for _, state in extensions), text
    build = subprocess.run([str(python), "-c", CHECK_LAB], capture_output=True, text=True)
    assert build.returncode == 0 and build.stdout.startswith("no build needed"), build.stdout + build.stderr
    print(f"\nBinder-like environment: JupyterLab {pinned}, {len(extensions)} prebuilt extensions, {build.stdout.strip()}",
          file=sys.stderr)

    # The library is importable from the notebooks' folder without touching sys.path.
    probe = subprocess.run([str(python), "-c", "import backprop_lib; print(backprop_lib.__file__)"],
                           cwd=ROOT / "book", capture_output=True, text=True)
    assert probe.returncode == 0 and str(ROOT / "backprop_lib") in probe.stdout, probe.stderr
    assert CHAPTERS
    # Strict nbval (--nbval, never the lax mode) on every chapter and appendix, from the notebooks' folder's
    # parent as `make test` always ran it; -p no:cacheprovider keeps the repository clean.
    nbval = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-sanitize-with", "tests/sanitize.cfg", *[str(c.relative_to(ROOT)) for c in CHAPTERS]],
        cwd=ROOT, capture_output=True, text=True)
    summary = nbval.stdout.strip().splitlines()[-1:] or ["(no output)"]
    assert nbval.returncode == 0, f"strict nbval in the Binder environment failed:\n{nbval.stdout[-6000:]}\n{nbval.stderr[-2000:]}"
    assert re.search(r"\b\d+ passed\b", summary[0]) and "failed" not in summary[0], nbval.stdout[-3000:]
    print(f"strict nbval in the Binder environment, {len(CHAPTERS)} notebooks: {summary[0]}", file=sys.stderr)
