"""Fixtures for the browser tests: the built book on a local server, and Chromium.

These tests read the book that `make test` has just built in `_build/html`.
Every request to a host other than the local server is aborted and counted.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def frames_payload(spec: dict, page: str) -> str:
    """A figure's packed frames: inline, or in the script the build moved them to."""
    if spec.get("data"):
        return spec["data"]
    script = (HTML / page).parent / spec["src"]
    match = re.fullmatch(r'\(window\.bpFrames = window\.bpFrames \|\| \{\}\)\["(\w+)"\] = "([A-Za-z0-9+/=]+)";\n',
                         script.read_text(encoding="ascii"))
    assert match and match.group(1) == spec["key"], f"{script} holds the frames for key {spec['key']}"
    return match.group(2)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output for results
        pass


@pytest.fixture(scope="session")
def book_url():
    if not (HTML / "index.html").is_file():
        pytest.fail("the built book is missing: run `make test` (or `make book`) first", pytrace=False)
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page opened in a fresh context, with what it asked for and what it said."""

    def __init__(self, browser, book_url: str, path: str, context_options: dict | None = None,
                 init_script: str = "") -> None:
        self.context = browser.new_context(**(context_options or {"viewport": {"width": 1280, "height": 900}}))
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.requests = 0
        self.urls: list[str] = []
        self.not_found: list[str] = []
        self.local_host = urlparse(book_url).netloc
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.bytes = {"page": 0, "shared": 0}
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("response", self._count)
        self.page.goto(f"{book_url}/{path}", wait_until="load")
        # A redirect page (index.html) refreshes to its target: check where it lands.
        target = re.search(r'http-equiv="refresh" content="\d+; url=([^"]+)"', (HTML / re.split(r"[?#]", path)[0]).read_text(), re.I)
        if target:
            self.page.wait_for_url(f"**/{target.group(1).lstrip('./')}", wait_until="load")

    def _route(self, route) -> None:
        if urlparse(route.request.url).netloc in (self.local_host, ""):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _count(self, response) -> None:
        self.requests += 1
        self.urls.append(response.url)
        if response.status >= 400:
            self.not_found.append(f"{response.status} {response.url}")
        try:
            size = len(response.body())
        except Exception:  # aborted or redirected responses have no body
            return
        shared = "/_static/" in urlparse(response.url).path
        self.bytes["shared" if shared else "page"] += size

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, book_url):
    opened = []

    def open_page(path: str) -> Visit:
        v = Visit(browser, book_url, path)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()
