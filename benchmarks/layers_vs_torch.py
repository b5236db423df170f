"""One training step of backprop_lib's NumPy layers against PyTorch on the CPU.

The network: Dense(784 -> 128) - ReLU - Dense(128 -> 10) - softmax
cross-entropy, a batch of 256, float32, one thread on each side. A step is
forward, backward and a plain SGD update. Both sides start from the same
weights and are checked to compute the same loss, gradients and updated
weights before anything is timed. Runs alternate between the two sides, in
one process, so a slow moment of the machine hits both alike.

Two comparisons, each doing the same arithmetic on both sides:

* "training step": neither side computes d(loss)/d(inputs), which training
  never uses (PyTorch skips it because the data does not require a gradient;
  ours is told to with ``backward(..., compute_dinputs=False)``);
* "with dinputs": both compute it (``X.requires_grad_(True)`` in PyTorch).

Run it with OpenBLAS's tuning variables unset, as they slow NumPy here::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/layers_vs_torch.py
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from typing import Callable

import numpy as np

BATCH, N_IN, N_HIDDEN, N_OUT = 256, 784, 128, 10
LEARNING_RATE = 0.05
BLOCKS, STEPS_PER_BLOCK = 40, 10

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("PyTorch is not installed, so there is nothing to compare against; skipping.")
    print("Install it in the benchmark venv: pip install torch==2.13.0 (see benchmarks/requirements.txt)")
    sys.exit(0)

from threadpoolctl import threadpool_info, threadpool_limits

from backprop_lib.layers import SGD, Dense, ReLU, SoftmaxCrossEntropy


def describe_environment() -> None:
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        value = os.environ.get(name)
        state = "not set" if value is None else f"set to {value!r} (slows NumPy: unset it for this benchmark)"
        print(f"{name}: {state}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, cpus {os.cpu_count()}")
    for lib in threadpool_info():
        if lib["user_api"] == "blas":
            keys = ("internal_api", "version", "architecture", "threading_layer", "num_threads")
            fields = ", ".join(f"{k}={lib.get(k)}" for k in keys)
            print(f"NumPy BLAS: {fields} ({os.path.basename(lib['filepath'])})")
    print(f"torch: {torch.get_num_threads()} thread(s), CPU capability {torch.backends.cpu.get_cpu_capability()}, "
          f"MKL {'yes' if torch.backends.mkl.is_available() else 'no'}")


class Ours:
    """The network built from backprop_lib.layers."""

    def __init__(self, params: dict[str, np.ndarray], dinputs: bool) -> None:
        self.dense1 = Dense(N_IN, N_HIDDEN, dtype=np.float32)
        self.relu = ReLU()
        self.dense2 = Dense(N_HIDDEN, N_OUT, dtype=np.float32)
        self.loss_fn = SoftmaxCrossEntropy()
        self.optimizer = SGD(LEARNING_RATE)
        self.layers = [self.dense1, self.relu, self.dense2]
        self.dinputs = dinputs
        for name, array in params.items():
            layer, attr = name.split(".")
            setattr(getattr(self, layer), attr, array.copy())

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        self.dense1.forward(X)
        self.relu.forward(self.dense1.output)
        self.dense2.forward(self.relu.output)
        loss = self.loss_fn.forward(self.dense2.output, y)
        self.loss_fn.backward()
        self.dense2.backward(self.loss_fn.dinputs)
        self.relu.backward(self.dense2.dinputs)
        self.dense1.backward(self.relu.dinputs, compute_dinputs=self.dinputs)
        self.optimizer.step(self.layers)
        return loss


class Torch:
    """The same network in PyTorch: addmm (as nn.Linear), relu, cross_entropy, manual SGD."""

    def __init__(self, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, dinputs: bool) -> None:
        self.p = {name: torch.tensor(array, requires_grad=True) for name, array in params.items()}
        self.X = torch.tensor(X, requires_grad=dinputs)
        self.y = torch.tensor(y)

    def step(self) -> torch.Tensor:
        p = self.p
        hidden = torch.relu(torch.addmm(p["dense1.biases"], self.X, p["dense1.weights"]))
        logits = torch.addmm(p["dense2.biases"], hidden, p["dense2.weights"])
        loss = F.cross_entropy(logits, self.y)
        loss.backward()
        self.grads = {name: t.grad for name, t in p.items()}  # kept for the check; no copy
        self.dX = self.X.grad
        with torch.no_grad():
            for t in p.values():
                t.add_(t.grad, alpha=-LEARNING_RATE)
                t.grad = None  # what optimizer.zero_grad() does by default
        self.X.grad = None
        return loss


def verify(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> None:
    """One step on each side from the same weights: same loss, gradients and new weights."""
    ours, theirs = Ours(params, dinputs=True), Torch(params, X, y, dinputs=True)
    loss = ours.step(X, y)
    torch_loss = theirs.step()
    np.testing.assert_allclose(loss, torch_loss.item(), rtol=1e-5)
    tol = dict(rtol=1e-4, atol=1e-6)
    for name, grad in theirs.grads.items():
        layer, attr = name.split(".")
        mine = getattr(getattr(ours, layer), "d" + attr)
        assert mine.dtype == np.float32, f"{name}: ours is {mine.dtype}, not float32"
        np.testing.assert_allclose(mine, grad.numpy(), err_msg=f"d{name}", **tol)
        np.testing.assert_allclose(getattr(getattr(ours, layer), attr), theirs.p[name].detach().numpy(), err_msg=name, **tol)
    # d(loss)/d(inputs): ours computed it before the update, from the same weights as PyTorch.
    np.testing.assert_allclose(ours.dense1.dinputs, theirs.dX.numpy(), err_msg="dinputs", **tol)
    print(f"check: same loss ({loss:.6f} vs {torch_loss.item():.6f}), gradients, updated weights and dinputs (float32 tolerance)")


def alternate(step_a: Callable[[], object], step_b: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Per-step times (seconds) of blocks of each, alternating A, B, A, B, ..."""
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(3):  # warm up caches and allocators
        step_a(); step_b()
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection must not land in one side's block
    try:
        for block in range(BLOCKS):
            order = [(step_a, times_a), (step_b, times_b)] if block % 2 == 0 else [(step_b, times_b), (step_a, times_a)]
            for step, times in order:
                start = time.perf_counter()
                for _ in range(STEPS_PER_BLOCK):
                    step()
                times.append((time.perf_counter() - start) / STEPS_PER_BLOCK)
    finally:
        if gc_was_enabled:
            gc.enable()
    return times_a, times_b


def report(title: str, ours: list[float], theirs: list[float]) -> float:
    mo, mt = statistics.median(ours), statistics.median(theirs)
    ratio = mo / mt
    print(f"{title}:")
    print(f"  ours  median {mo * 1e3:7.3f} ms  (min {min(ours) * 1e3:.3f})")
    print(f"  torch median {mt * 1e3:7.3f} ms  (min {min(theirs) * 1e3:.3f})")
    print(f"  ratio ours/torch {ratio:.2f}x")
    return ratio


def main() -> None:
    torch.set_num_threads(1)
    with threadpool_limits(limits=1, user_api="blas"):
        describe_environment()
        rng = np.random.default_rng(0)
        X = rng.random((BATCH, N_IN), dtype=np.float32)  # like MNIST pixels in [0, 1)
        y = rng.integers(0, N_OUT, size=BATCH)
        start1 = Dense(N_IN, N_HIDDEN, rng=1, weight_scale=0.05, dtype=np.float32)
        start2 = Dense(N_HIDDEN, N_OUT, rng=2, weight_scale=0.1, dtype=np.float32)
        start2.biases = rng.standard_normal(start2.biases.shape).astype(np.float32) * 0.1
        params = {
            "dense1.weights": start1.weights, "dense1.biases": start1.biases,
            "dense2.weights": start2.weights, "dense2.biases": start2.biases,
        }
        verify(params, X, y)
        print(f"timing: {BLOCKS} alternating blocks of {STEPS_PER_BLOCK} steps per side, batch {BATCH}, float32, 1 thread")

        ours, theirs = Ours(params, dinputs=False), Torch(params, X, y, dinputs=False)
        ratio = report("training step (neither side computes d(loss)/d(inputs))", *alternate(lambda: ours.step(X, y), theirs.step))

        ours, theirs = Ours(params, dinputs=True), Torch(params, X, y, dinputs=True)
        report("with dinputs (both sides also compute d(loss)/d(inputs))", *alternate(lambda: ours.step(X, y), theirs.step))

        print(f"target ours <= 1.0x torch on the training step: {'met' if ratio <= 1.0 else 'NOT met'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
