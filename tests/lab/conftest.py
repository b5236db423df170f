"""Fixtures for the live-notebook test: JupyterLab from the project's .venv, and Chromium.

The server runs on 127.0.0.1 with a random token, on a temporary copy of
`book/` (JupyterLab saves the notebooks it runs), with its own config, data,
runtime, settings and workspace folders, so nothing of the user's Jupyter set-up
is read and nothing of it is written. It is stopped when the tests end, also
when they fail.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent  # the project's .venv when run by `make test`
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# JupyterLab settings for a test run: every cell stays in the page (no windowing, so
# every prompt and output can be read), and no news prompt asks to fetch anything.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab server: its URL, token, folders and REST calls."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.root = home / "root"  # what the server serves: book/ and _config.yml, as in the repository
        self.runtime = home / "runtime"
        self.log = home / "server.log"
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        (self.root).mkdir(parents=True)
        shutil.copytree(ROOT / "book", self.root / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build"))
        shutil.copy2(ROOT / "_config.yml", self.root / "_config.yml")  # the chapters' launch links read it
        for name, values in LAB_SETTINGS.items():
            path = self.home / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(self.home / "config"),
            "JUPYTER_DATA_DIR": str(self.home / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.runtime),
            "JUPYTERLAB_SETTINGS_DIR": str(self.home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.home / "workspaces"),
        }
        command = [
            str(VENV_BIN / "jupyter-lab"), "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if os.geteuid() == 0:  # containers and CI often run as root; Jupyter refuses without this
            command.append("--allow-root")
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=self.root, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}", pytrace=False)
            try:
                self.api("GET", "status")
                return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}", pytrace=False)

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def session_for(self, notebook: str) -> dict:
        sessions = [s for s in self.api("GET", "sessions") if s["path"] == notebook]
        assert len(sessions) == 1, f"one kernel session for {notebook}, found {len(sessions)}"
        return sessions[0]

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.is_file() else ""

    def stop(self) -> None:
        """Stop the server and every kernel it started; kill what does not stop."""
        if self.process is None or self.process.poll() is not None:
            return
        import psutil

        children = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGTERM)  # the server then shuts down its kernels
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for child in children:  # kernels run in their own sessions: make sure none outlives the server
            try:
                child.wait(timeout=5)
            except psutil.TimeoutExpired:
                child.kill()
            except psutil.NoSuchProcess:
                pass


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def lab_context(browser):
    """One browser context for every chapter, so JupyterLab's own files come from its cache."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def lab_page(lab_context, lab):
    """A new page whose requests to any host but the server are aborted and listed."""
    page = lab_context.new_page()
    page.blocked = []
    page.errors = []
    local = urlparse(lab.url).netloc

    def route(r):
        if urlparse(r.request.url).netloc in (local, ""):
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.close()


ROUND_TRIPS_MS: list[float] = []


def pytest_terminal_summary(terminalreporter):
    if ROUND_TRIPS_MS:
        terminalreporter.write_line(
            f"slider round trip in JupyterLab (keypress to redrawn figure), {len(ROUND_TRIPS_MS)} figures: "
            f"median {statistics.median(ROUND_TRIPS_MS):.0f} ms, max {max(ROUND_TRIPS_MS):.0f} ms "
            f"(goal for the median: 250 ms; a figure fails above 2000 ms)"
        )
