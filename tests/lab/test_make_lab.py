"""`make lab`: JupyterLab from .venv on 127.0.0.1, at book/, and it prints the URL to open."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

from conftest import ROOT

URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab/tree/book\?token=(\w+)")


def test_make_lab_serves_the_chapters_on_localhost_and_prints_the_url(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    # Only so that the test opens no browser; everything else is what `make lab` does.
    (config / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"open_browser": False}}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    make = subprocess.Popen(["make", "--no-print-directory", "lab"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 120
        match = None
        while match is None and time.monotonic() < deadline and make.poll() is None:
            line = make.stdout.readline()
            seen.append(line)
            match = URL.search(line)
        assert match, "make lab printed no http://127.0.0.1:PORT/lab/tree/book?token=... URL:\n" + "".join(seen[-30:])
        port, token = match.groups()
        # The URL is printed as the server starts listening: wait until it answers.
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=10).close()
                break
            except urllib.error.URLError:
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/book?token={token}", timeout=10) as r:
            listing = json.load(r)
        names = {item["name"] for item in listing["content"]}
        chapters = {p.name for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
        assert chapters and chapters <= names, "the server's book/ is the repository's"
        print(f"\nmake lab: {match.group(0).split('?')[0]}?token=… serves {len(chapters)} chapters")
    finally:
        os.killpg(make.pid, signal.SIGTERM)  # make and the server it started
        try:
            make.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait(timeout=10)
