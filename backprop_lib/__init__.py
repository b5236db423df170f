"""backprop_lib: the small library behind *Backprop, by hand and by machine*.

One module per idea, each short enough to read in one sitting:

* :mod:`~backprop_lib.engine`: :class:`Value`, a scalar autograd engine;
* :mod:`~backprop_lib.graph`: :func:`draw_dot` and :func:`trace`;
* :mod:`~backprop_lib.gradcheck`: finite differences and the gradient checker;
* :mod:`~backprop_lib.gates`: gate objects with forward and backward;
* :mod:`~backprop_lib.nn`: neurons, layers and MLPs on :class:`Value`;
* :mod:`~backprop_lib.layers`: batched NumPy layers, losses and SGD;
* :mod:`~backprop_lib.data`: toy data sets made with NumPy;
* :mod:`~backprop_lib.widgets`: interactive figures with sliders;
* :mod:`~backprop_lib.plots`: small SVG plots and HTML tables, drawn without Matplotlib;
* :mod:`~backprop_lib.exercises`: self-checking exercises, graded by
  ``backprop_lib.exercise_bank`` (one module per chapter).
"""

import importlib

# Where each public name lives. Names are imported when first used (module
# __getattr__), so `import backprop_lib` loads no NumPy, Matplotlib or Graphviz:
# the scalar half (engine, graph, gates, nn, exercises) also runs in the page's
# Python, which has none of them.
_HOME = {
    "make_moons": "data", "make_spiral": "data",
    "Value": "engine", "topological_order": "engine", "NonFiniteGradientError": "engine",
    "Feedback": "exercises", "check": "exercises", "check_derivative": "exercises",
    "check_exercise": "exercises", "check_function": "exercises",
    "GradientCheck": "gradcheck", "check_layer": "gradcheck", "check_value_gradients": "gradcheck",
    "numerical_derivative": "gradcheck", "numerical_gradient": "gradcheck", "relative_error": "gradcheck",
    "default_step": "gradcheck",
    "AddNode": "gates", "MultiplyNode": "gates", "Node": "gates", "SubtractNode": "gates", "TanhNode": "gates",
    "draw_dot": "graph", "trace": "graph",
    "SGD": "layers", "Dense": "layers", "MeanSquaredError": "layers", "ReLU": "layers", "Sigmoid": "layers",
    "SoftmaxCrossEntropy": "layers", "Tanh": "layers", "NonFiniteError": "layers",
    "MLP": "nn", "Layer": "nn", "Module": "nn", "Neuron": "nn",
}


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


__version__ = "1.0.0"

__all__ = [
    "Value",
    "topological_order",
    "NonFiniteGradientError",
    "NonFiniteError",
    "default_step",
    "draw_dot",
    "trace",
    "numerical_derivative",
    "numerical_gradient",
    "relative_error",
    "GradientCheck",
    "check_value_gradients",
    "check_layer",
    "Feedback",
    "check",
    "check_derivative",
    "check_function",
    "check_exercise",
    "Node",
    "AddNode",
    "SubtractNode",
    "MultiplyNode",
    "TanhNode",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "Dense",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "MeanSquaredError",
    "SGD",
    "make_moons",
    "make_spiral",
]
