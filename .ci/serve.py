"""Serve the built book (_build/html) on 127.0.0.1, so the page's Python can start.

`make serve` runs this. Opened from file://, Chromium won't fetch Pyodide's
WebAssembly, so the exercise boxes can't run; served over http they can. The
MIME types that matter are set here, whatever the system's tables say:
.mjs as text/javascript (module scripts), .wasm as application/wasm.

    python .ci/serve.py [PORT]      (default 8000, or the next free port)
"""

from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path

HTML = Path(__file__).resolve().parent.parent / "_build" / "html"


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
                      ".json": "application/json", ".zip": "application/zip"}

    def log_message(self, *args) -> None:  # one line per request would bury the address
        pass


def main(argv: list[str]) -> int:
    if not (HTML / "index.html").is_file():
        sys.exit("the book is not built yet: run `make book` first")
    first = int(argv[0]) if argv else 8000
    handler = functools.partial(Handler, directory=str(HTML))
    for port in range(first, first + 20):
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
            break
        except OSError:
            continue
    else:
        sys.exit(f"no free port in {first}..{first + 19}")
    print(f"Serving the book at http://127.0.0.1:{port}/  (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
