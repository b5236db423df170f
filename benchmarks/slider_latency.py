"""How long each chapter's slider callbacks take in a live kernel.

Runs every chapter in a fresh Jupyter kernel (as a reader would), then moves each
slider of each interactive figure to several positions and reports the slowest
redraw. The book's budget is 100 ms per callback.

    .venv/bin/python benchmarks/slider_latency.py [book/NN_name.ipynb ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 0.100

PROBE = r'''
import json as _json
from backprop_lib.widgets import InteractiveFigure as _IF
_report, _seen = [], set()
for _name, _fig in list(globals().items()):
    if not isinstance(_fig, _IF) or id(_fig) in _seen:
        continue
    _seen.add(id(_fig))
    for _spec in _fig.specs:
        _control = _fig.controls[_spec.name]
        _start = _control.value
        _times = []
        _positions = _spec.positions()
        for _i in range(1, 6):  # five positions spread over the slider's range, each a new value
            _control.value = _positions[(len(_positions) - 1) * _i // 6]
            _times.append(_fig.last_render_seconds)
        _control.value = _start
        _report.append({"figure": _fig.title or _name, "slider": _spec.name, "max_ms": 1000 * max(_times),
                        "median_ms": 1000 * sorted(_times)[2]})
print(_json.dumps(_report))
'''


def measure(path: Path) -> list[dict]:
    nb = nbformat.read(path, as_version=4)
    # Keep a handle on each figure: the probe finds figures among the notebook's globals.
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.lstrip().startswith("InteractiveFigure("):
            cell.source = f"_figure_{index} = " + cell.source.lstrip() + f"\n_figure_{index}"
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    stdout = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(stdout)


def main(paths: list[str]) -> int:
    notebooks = [Path(p).resolve() for p in paths] or sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    worst = 0.0
    print(f"{'chapter':<28} {'figure':<48} {'slider':<10} {'median ms':>9} {'max ms':>7}")
    for path in notebooks:
        for row in measure(path):
            worst = max(worst, row["max_ms"])
            print(f"{path.stem:<28} {row['figure'][:48]:<48} {row['slider']:<10} {row['median_ms']:9.1f} {row['max_ms']:7.1f}")
    verdict = "within" if worst <= 1000 * BUDGET_SECONDS else "OVER"
    print(f"slowest callback: {worst:.1f} ms ({verdict} the {1000 * BUDGET_SECONDS:.0f} ms budget)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
