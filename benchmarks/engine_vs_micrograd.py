"""Our scalar engine against micrograd 0.1.0, on micrograd's own demo workload.

The workload is the training loop of micrograd's ``demo.ipynb``: an MLP
2-16-16-1 on 100 "moons" points with labels ±1, the SVM max-margin loss
``mean(relu(1 - y * score))`` plus ``1e-4 * sum(p * p)``, and SGD with learning
rate ``1.0 - 0.9 * k / 100``. Both engines start from the same weights (ours,
copied into micrograd's network) and must compute the same loss before
anything is timed. The runs alternate between the engines in one process, so
a slow moment of the machine hurts both.

Run it from the repository root, in the benchmark venv (see benchmarks/README.md)::

    python3 -m venv benchmarks/.venv
    benchmarks/.venv/bin/pip install micrograd==0.1.0 numpy==2.4.6 -e .
    benchmarks/.venv/bin/python benchmarks/engine_vs_micrograd.py [--steps 3] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import platform
import statistics
import time
import tracemalloc
from typing import Callable

import micrograd.engine as mg_engine
import micrograd.nn as mg_nn
import numpy as np

from backprop_lib.data import make_moons
from backprop_lib.engine import Value
from backprop_lib.nn import MLP

ALPHA = 1e-4  # the L2 weight of the demo


def demo_loss(model, params: list, value: Callable, X: list, y: list):
    """The demo's loss, written once for both engines (``value`` makes a leaf)."""
    inputs = [[value(a), value(b)] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in params)
    return data_loss + reg_loss


def train(model, params: list, value: Callable, X: list, y: list, steps: int) -> float:
    """``steps`` steps of the demo's SGD loop; returns the last loss."""
    for k in range(steps):
        loss = demo_loss(model, params, value, X, y)
        model.zero_grad()
        loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= learning_rate * p.grad
    return loss.data


def count_new_nodes(root, prev: Callable, params: list) -> int:
    """Nodes of the graph under ``root``, less the parameters (allocated before it)."""
    seen, stack = {id(root)}, [root]
    while stack:
        for child in prev(stack.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen) - len({id(p) for p in params} & seen)


def bytes_per_node(model, params, value, prev, X, y) -> tuple[float, int]:
    """Memory held by one forward pass's graph, per node (measured with tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = demo_loss(model, params, value, X, y)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = count_new_nodes(loss, prev, params)
    return held / nodes, nodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3, help="training steps per timed run")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per engine, alternating")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, micrograd {importlib.metadata.version('micrograd')}, "
          f"numpy {np.__version__}; {args.rounds} runs of {args.steps} steps per engine")

    X_np, y_np = make_moons(100, noise=0.1, seed=1)
    X = [(float(a), float(b)) for a, b in X_np]
    y = [float(2 * label - 1) for label in y_np]  # labels 0/1 -> -1/+1, as in the demo

    ours = MLP(2, [16, 16, 1], rng=1)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    ours_params, theirs_params = ours.parameters(), theirs.parameters()
    initial = [p.data for p in ours_params]
    assert len(initial) == len(theirs_params) == 337

    def reset() -> None:
        for p, q, w in zip(ours_params, theirs_params, initial):
            p.data, q.data = w, w
            p.grad, q.grad = 0.0, 0.0

    sides = {
        "backprop_lib": (ours, ours_params, Value, lambda v: v._prev),
        "micrograd": (theirs, theirs_params, mg_engine.Value, lambda v: v._prev),
    }

    # Same weights, same workload: the same loss, before any timing.
    reset()
    losses = {name: demo_loss(m, ps, value, X, y).data for name, (m, ps, value, _) in sides.items()}
    assert abs(losses["backprop_lib"] - losses["micrograd"]) <= 1e-9, losses
    reset()
    trained = {name: train(m, ps, value, X, y, 3) for name, (m, ps, value, _) in sides.items()}
    assert abs(trained["backprop_lib"] - trained["micrograd"]) <= 1e-9, trained
    print(f"initial loss {losses['backprop_lib']:.12f} on both engines "
          f"(difference {abs(losses['backprop_lib'] - losses['micrograd']):.1e}); "
          f"after 3 steps {trained['backprop_lib']:.12f} on both")

    times: dict[str, list[float]] = {name: [] for name in sides}
    # CPU time of this process as well as wall time: on a shared machine the
    # other processes stretch the wall time of whichever engine is running.
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    for r in range(args.rounds):
        names = list(sides) if r % 2 == 0 else list(reversed(sides))  # alternate who goes first
        for name in names:
            model, params, value, _ = sides[name]
            reset()
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            train(model, params, value, X, y, args.steps)
            times[name].append((time.perf_counter() - start) / args.steps)
            cpu[name].append((time.process_time() - start_cpu) / args.steps)

    memory = {}
    for name, (model, params, value, prev) in sides.items():
        reset()
        memory[name] = bytes_per_node(model, params, value, prev, X, y)

    print(f"{'engine':<14}{'s/step (median)':>16}{'min':>9}{'max':>9}{'graph nodes':>13}{'bytes/node':>12}")
    for name in sides:
        t = times[name]
        per_node, nodes = memory[name]
        print(f"{name:<14}{statistics.median(t):>16.4f}{min(t):>9.4f}{max(t):>9.4f}{nodes:>13}{per_node:>12.1f}")
    speedup = statistics.median(times["micrograd"]) / statistics.median(times["backprop_lib"])
    best = min(times["micrograd"]) / min(times["backprop_lib"])
    memory_ratio = memory["backprop_lib"][0] / memory["micrograd"][0]
    print(f"speed-up: {speedup:.1f}x faster per step, median against median ({best:.1f}x best against best; target >= 10x)")
    cpu_speedup = statistics.median(cpu["micrograd"]) / statistics.median(cpu["backprop_lib"])
    print(f"CPU time per step (median): backprop_lib {statistics.median(cpu['backprop_lib']):.4f} s, "
          f"micrograd {statistics.median(cpu['micrograd']):.4f} s: {cpu_speedup:.1f}x")
    print(f"memory per node: {memory_ratio:.2f} of micrograd's (target <= 0.25)")


if __name__ == "__main__":
    main()
