"""Run one exercise cell as a reader who copied it out would: alone, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Execute the cell, then show its last expression (the verdict) as the notebook would.
RUNNER = (
    "import ast, sys\n"
    "tree = ast.parse(sys.argv[1])\n"
    "last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None\n"
    "namespace = {'__name__': '__main__'}\n"
    "exec(compile(tree, 'exercise', 'exec'), namespace)\n"
    "if last is not None:\n"
    "    print(repr(eval(compile(ast.Expression(last.value), 'exercise', 'eval'), namespace)))\n"
)


def run_alone(source: str, folder: Path) -> subprocess.CompletedProcess:
    """The cell run by ``python -I`` in ``folder`` (no project paths): its exit code, stdout and stderr."""
    return subprocess.run([sys.executable, "-I", "-c", RUNNER, source], cwd=folder, capture_output=True,
                          text=True, timeout=120)
