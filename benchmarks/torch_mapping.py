"""Chapter 3's PyTorch block prints exactly what our engine computes.

Chapter 3 ("The same thing in PyTorch") shows the tanh neuron in PyTorch as a
code block that the book does not run: PyTorch is not one of the book's
requirements. Below the block, the page shows what it prints, with every number
computed by ``backprop_lib``. This script closes the loop:

1. it reads that exact block from ``book/03_neuron.ipynb`` (the ```python fence
   right after the ``(pytorch-block)=`` label);
2. it runs the block with PyTorch in a fresh interpreter and captures its stdout;
3. it computes the same numbers again with ``backprop_lib`` (nothing typed in),
   formats them as the block's ``print`` calls do, and asserts the two printouts
   are identical, and that both equal the printout stored in the chapter.

Run it in the benchmarks venv, which has torch (see benchmarks/README.md):

    benchmarks/.venv/bin/python benchmarks/torch_mapping.py

It is not part of ``make test``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "03_neuron.ipynb"
BLOCK = re.compile(r"^\(pytorch-block\)=\n```python\n(.*?)^```$", re.S | re.M)

sys.path.insert(0, str(ROOT))  # backprop_lib from this checkout, if it is not installed
from backprop_lib import Value  # noqa: E402


def chapter_cells() -> list[dict]:
    return json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]


def pytorch_block() -> str:
    """The PyTorch code block of chapter 3, exactly as the page shows it."""
    found = [m.group(1) for cell in chapter_cells() if cell["cell_type"] == "markdown"
             for m in BLOCK.finditer("".join(cell["source"]))]
    if len(found) != 1:
        sys.exit(f"expected exactly one ```python block after (pytorch-block)= in {CHAPTER.name}, found {len(found)}")
    return found[0]


def stored_printout() -> str:
    """The printout the chapter shows below the block (glued as torch_printout)."""
    for cell in chapter_cells():
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == "torch_printout":
                data = output["data"]
                text = data.get("text/plain") or data.get("application/papermill.record/text/plain")
                return "".join(text) if isinstance(text, list) else text
    sys.exit(f"{CHAPTER.name} stores no torch_printout: re-run `make outputs`")


def engine_printout() -> str:
    """The block's printout, every number computed by backprop_lib's engine."""
    x1, x2 = Value(2.0), Value(0.0)
    w1, w2, b = Value(-3.0), Value(1.0), Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    first = (o.data, n.grad, w1.grad, w2.grad, b.grad)
    (x1 * w1 + x2 * w2 + b).tanh().backward()  # a new graph on the same leaves: their grads accumulate
    return "\n".join([
        f"o = {first[0]:.4f}   do/dn = {first[1]:.4f}   x1.grad = None",
        f"do/dw1 = {first[2]:.4f}   do/dw2 = {first[3]:.4f}   do/db = {first[4]:.4f}",
        f"after a second backward: do/dw1 = {w1.grad:.4f}   do/db = {b.grad:.4f}",
        "after zero_grad: w1.grad = None",
        "under no_grad, o.requires_grad = False",
    ])


def run_with_torch(code: str) -> str:
    """Run the block in a fresh interpreter (this one's, which must have torch); return its stdout."""
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        sys.exit(f"the PyTorch block failed (is torch installed in {sys.executable}?):\n{result.stderr[-3000:]}")
    return result.stdout


def main() -> int:
    import torch  # only to say which version ran; the block imports it itself

    code = pytorch_block()
    got = run_with_torch(code).rstrip("\n")
    want = engine_printout()
    stored = stored_printout()
    print(f"torch {torch.__version__}, Python {sys.version.split()[0]}")
    print(f"the block ({len(code.splitlines())} lines) printed:\n{got}\n")
    assert got == want, f"PyTorch printed\n{got}\nbut our engine computes\n{want}"
    assert stored == want, f"the chapter shows\n{stored}\nbut our engine computes\n{want}: re-run `make outputs`"
    numbers = re.findall(r"-?\d+\.\d+", want)
    print(f"OK: PyTorch prints exactly what the chapter shows; all {len(numbers)} numbers match our engine's.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
