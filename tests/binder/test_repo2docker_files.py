"""The files Binder reads: repo2docker builds this repository with its Python build pack.

What is checked follows repo2docker's own detection (repo2docker 2026.04.0,
repo2docker/buildpacks/): a `binder/` or `.binder/` folder would make it ignore
every file at the top level; a Dockerfile, environment.yml, Pipfile, Project.toml,
REQUIRE, default.nix, DESCRIPTION or install.R would hand the build to another
build pack, which ignores requirements.txt. With none of them, `runtime.txt`
(`python-X.Y`) picks the Python build pack, which installs `apt.txt` with apt-get,
then `requirements.txt` with pip (and, since pyproject.toml declares a package,
`pip install .`). No `postBuild` or `start` is there, and none is needed: JupyterLab
needs no build (tests/binder/test_binder.py checks that in a fresh environment).
Binder opens JupyterLab at the chapter (`urlpath=lab/tree/book/...`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from backprop_lib.widgets import book_links

ROOT = Path(__file__).resolve().parents[2]
OTHER_BUILD_PACKS = ["Dockerfile", "environment.yml", "environment.yaml", "Pipfile", "Pipfile.lock", "Project.toml",
                     "JuliaProject.toml", "REQUIRE", "default.nix", "DESCRIPTION", "install.R"]
REPO2DOCKER_PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14")  # SUPPORTED_PYTHON_VERSION


def test_repo2docker_reads_the_top_level_files_with_its_python_build_pack():
    for folder in ("binder", ".binder"):
        assert not (ROOT / folder).exists(), f"{folder}/ would make repo2docker ignore the top-level files"
    present = [name for name in OTHER_BUILD_PACKS if (ROOT / name).exists()]
    assert present == [], f"{present} would make repo2docker use another build pack and skip requirements.txt"
    for name in ("requirements.txt", "apt.txt", "runtime.txt"):
        assert (ROOT / name).is_file(), name


def test_runtime_txt_names_a_python_that_repo2docker_and_the_package_accept():
    runtime = (ROOT / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"runtime.txt is python-X.Y, got {runtime!r}"
    version = match.group(1)
    assert version in REPO2DOCKER_PYTHONS
    # repo2docker stops when runtime.txt contradicts pyproject.toml's requires-python.
    from packaging.specifiers import SpecifierSet

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert version in SpecifierSet(requires), f"python {version} vs requires-python {requires}"


def test_apt_txt_lists_package_names_that_repo2docker_accepts():
    packages = [line.partition("#")[0].strip() for line in (ROOT / "apt.txt").read_text().splitlines()]
    packages = [p for p in packages if p]
    assert "graphviz" in packages
    assert all(re.fullmatch(r"[a-z0-9.+-]+", p) for p in packages), packages


def test_no_post_build_or_start_script_is_needed():
    for folder in (ROOT, ROOT / "binder", ROOT / ".binder"):
        for name in ("postBuild", "start"):
            assert not (folder / name).exists(), f"{name}: JupyterLab's extensions are prebuilt; nothing to run"


def test_binder_opens_jupyterlab_at_the_chapter():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"  # the rocket menu's Binder button
    link = book_links("01_manual_gradients.ipynb", start=ROOT)["binder"]
    assert link.endswith("?urlpath=lab/tree/book/01_manual_gradients.ipynb"), link
