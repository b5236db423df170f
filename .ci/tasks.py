"""The project's tasks, run by `make book`, `make test` and `make outputs`.

    python .ci/tasks.py book      build the HTML book (incremental) and say where it is
    python .ci/tasks.py test      every test: pytest, a clean strict build, the built book in Chromium,
                                  and beside them Binder (strict nbval), Colab, JupyterLab
    python .ci/tasks.py outputs [NOTEBOOK ...]
                                  re-execute the chapters (or only those named) in place
                                  and store their outputs

Set-up (Graphviz, the virtualenv, the pinned requirements) is done by
.ci/setup.sh before any of these run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BUILD = ROOT / "_build"
BIN = Path(sys.executable).parent


def chapters() -> list[Path]:
    return sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def appendices() -> list[Path]:
    """Notebook appendices (A1_*.ipynb, ...): executed and compared like chapters, without their rules."""
    return sorted(BOOK.glob("A[0-9]_*.ipynb"))


def notebooks() -> list[Path]:
    return chapters() + appendices()


def run(title: str, command: list[str], env: dict[str, str] | None = None) -> tuple[str, bool, float]:
    print(f"\n=== {title}\n$ {' '.join(command)}", flush=True)
    start = time.perf_counter()
    ok = subprocess.call(command, cwd=ROOT, env={**os.environ, **(env or {})}) == 0
    return title, ok, time.perf_counter() - start


_print_lock = threading.Lock()


def run_captured(title: str, command: list[str], env: dict[str, str] | None = None) -> tuple[str, bool, float]:
    """Like run(), for a step beside another: its output is printed whole when it ends, not interleaved."""
    with _print_lock:
        print(f"\n--- started beside the main steps: {title}", flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    seconds = time.perf_counter() - start
    with _print_lock:
        print(f"\n=== {title}\n$ {' '.join(command)}\n{done.stdout}", end="", flush=True)
    return title, done.returncode == 0, seconds


def jupyter_book(*args: str) -> list[str]:
    return [str(BIN / "jupyter-book"), "build", *args, str(ROOT)]


VENDOR = ROOT / "_vendor"  # listed in html_static_path; never _static/, which jupyter-book injects into every page
NODE = ROOT / "node_modules"
VENDORED = {  # what the built book serves from its own files, from the pinned npm packages
    "mathjax": NODE / "mathjax" / "es5",
    # The page's Python (the interpreter alone, no NumPy), loaded only when a reader
    # presses Run: see backprop_lib/page/. Only the files loadPyodide fetches.
    "pyodide": [NODE / "pyodide" / name for name in (
        "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")],
    # Graphviz as WebAssembly: draws a live figure's graphs in the page (no `dot` program there).
    "graphviz": [NODE / "@hpcc-js" / "wasm-graphviz" / "dist" / "index.js"],
}


def vendor() -> None:
    """Copy the front-end assets from node_modules into _vendor/ (when they changed)."""
    stamp = VENDOR / ".stamp"
    # The pins and what is copied: a change to either vendors afresh.
    lock = (ROOT / "package-lock.json").read_text() + repr(sorted((k, str(v)) for k, v in VENDORED.items()))
    if stamp.is_file() and stamp.read_text() == lock:
        return
    shutil.rmtree(VENDOR, ignore_errors=True)
    VENDOR.mkdir()
    for name, source in VENDORED.items():
        if isinstance(source, list):  # a folder of its own holding just these files
            (VENDOR / name).mkdir()
            for path in source:
                if not path.exists():
                    sys.exit(f"missing {path}: run `npm ci` (make book and make test do it for you)")
                shutil.copy2(path, VENDOR / name / path.name)
            continue
        if not source.exists():
            sys.exit(f"missing {source}: run `npm ci` (make book and make test do it for you)")
        if source.is_dir():
            ignore = shutil.ignore_patterns("*.map", "*.LICENSE.txt")
            shutil.copytree(source, VENDOR / name, ignore=ignore)
        else:
            shutil.copy2(source, VENDOR / name)
    stamp.write_text(lock)


# While the book is built, interactive figures carry frames for the static page
# (see backprop_lib.widgets); stored outputs and nbval stay small without them.
BUILD_ENV = {"BACKPROP_STATIC_FIGURES": "1"}


def forget_stale_executions() -> bool:
    """Drop the execution cache when the library or the pins changed; say if it did.

    jupyter-book's cache keys a notebook by its own content only, so an edit to
    backprop_lib would otherwise leave pages showing what the old code printed.
    """
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("backprop_lib/*.py")) + [ROOT / "requirements.txt"]:
        digest.update(path.read_bytes())
    stamp = BUILD / ".library-stamp"
    if not stamp.is_file() or stamp.read_text() != digest.hexdigest():
        shutil.rmtree(BUILD / ".jupyter_cache", ignore_errors=True)
        BUILD.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
        return True
    return False


def book() -> int:
    vendor()
    # After a library change every page is read again, so every chapter re-runs.
    rebuild = ("--all",) if forget_stale_executions() else ()
    title, ok, seconds = run("build the book", jupyter_book(*rebuild), BUILD_ENV)
    index = BUILD / "html" / "index.html"
    if ok:
        print(f"\nThe book is built ({seconds:.0f} s). Open it at:\n  file://{index}\n"
              "or, to run the exercises and live figures in the page (browsers load no WebAssembly from file://):\n"
              "  make serve    (serves _build/html on 127.0.0.1 and prints the URL)")
    return 0 if ok else 1


def test() -> int:
    """Every check, in two lanes that share the machine: the main lane builds the book and reads it
    in Chromium; beside it run the checks that need no build (Binder's environment, Colab's install)
    and, once the build is there, those that compare it with a live kernel or JupyterLab."""
    pytest = str(BIN / "pytest")
    built = threading.Event()
    build_ok = [False]
    beside: list[tuple[str, bool, float]] = []

    def second_lane() -> None:
        beside.append(run_captured(
            "Binder: repo2docker's files, and a fresh environment from requirements.txt runs every notebook under strict nbval",
            [pytest, "-q", "-s", "tests/binder"]))
        beside.append(run_captured("Colab: the install cell, against a clone of HEAD, installs a library that runs chapter 1 (pytest tests/colab)",
                                   [pytest, "-q", "-s", "tests/colab"]))
        # -s: a line per chapter (run time, slider round trip) and the median round trip.
        beside.append(run_captured("JupyterLab in Chromium: every chapter runs, a keyboard step of each figure's slider redraws it (pytest tests/lab)",
                                   [pytest, "-q", "-s", "tests/lab"]))
        built.wait()
        title = "the built book's slider frames equal a live kernel's renders (pytest tests/browser/test_static_frames.py)"
        if build_ok[0]:
            beside.append(run_captured(title, [pytest, "-q", "tests/browser/test_static_frames.py"]))
        else:
            beside.append((title + ": not run, the build failed", False, 0.0))

    lane = threading.Thread(target=second_lane)
    results = []
    lane.start()
    try:
        results.append(run("library and book tests (pytest)", [pytest, "-q", "tests", "--ignore=tests/browser", "--ignore=tests/binder",
                                                                   "--ignore=tests/lab", "--ignore=tests/colab"]))
        # A clean build: incremental builds hide warnings, and -W turns each into an error.
        shutil.rmtree(BUILD, ignore_errors=True)
        vendor()
        forget_stale_executions()  # records which library this build executed with
        results.append(run("clean strict build of the book", jupyter_book("--all", "-W", "-n", "--keep-going"), BUILD_ENV))
        build_ok[0] = results[-1][1]
    finally:
        built.set()
    # -s: the browser tests print a line per page (its checks and its weight).
    results.append(run("the built book in Chromium, network cut (pytest tests/browser)",
                       [pytest, "-q", "-s", "tests/browser", "--ignore=tests/browser/test_static_frames.py"]))
    if any(t.is_alive() for t in [lane]):
        print("\n(waiting for the steps beside the main lane)", flush=True)
    lane.join()
    results += beside

    print("\n=== summary (the last four ran beside the build and the browser tests)")
    for title, ok, seconds in results:
        print(f"{'ok  ' if ok else 'FAIL'}  {seconds:7.1f} s  {title}")
    print(f"      {time.perf_counter() - STARTED:7.1f} s  in all, wall clock")
    return 0 if all(ok for _, ok, _ in results) else 1


STARTED = time.perf_counter()


def colab_install_url() -> str:
    """The install target of each chapter's Colab cell, from repository.url in _config.yml."""
    import yaml

    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    return f"git+{url}"


def outputs(*names: str) -> int:
    import nbformat
    from nbclient import NotebookClient

    paths = [Path(name).resolve() for name in names] or notebooks()
    for path in paths:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        # The repository URL lives in _config.yml; the Colab cell follows it.
        setup = next(cell for cell in nb.cells if cell.cell_type == "code")
        setup.source = re.sub(r"git\+https://[^\s\"']+", colab_install_url(), setup.source)
        client = NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}},
            record_timing=False, store_widget_state=False,
            # One print is one output, however the kernel happens to flush stdout.
            coalesce_streams=True,
        )
        # Widgets render from their own state in a live kernel; none is stored in the file.
        client.comm_open_handlers = {}
        client.execute()
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                # A widget view names a random model id that no kernel will know when the
                # file is opened again; the output's text/html (its static form) stays.
                output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        nbformat.write(nb, path)
        print(f"stored outputs of {path.relative_to(ROOT)} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    tasks = {"book": book, "test": test, "outputs": outputs}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks or (len(sys.argv) > 2 and sys.argv[1] != "outputs"):
        sys.exit(__doc__)
    sys.exit(tasks[sys.argv[1]](*sys.argv[2:]))
