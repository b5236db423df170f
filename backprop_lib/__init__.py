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
* :mod:`~backprop_lib.exercises`: self-checking exercises.
"""

from .data import make_moons, make_spiral
from .engine import Value, topological_order
from .exercises import Feedback, check, check_derivative, check_exercise, check_function
from .gradcheck import (
    GradientCheck,
    check_layer,
    check_value_gradients,
    numerical_derivative,
    numerical_gradient,
    relative_error,
)
from .gates import AddNode, MultiplyNode, Node, SubtractNode, TanhNode
from .graph import draw_dot, trace
from .layers import SGD, Dense, MeanSquaredError, ReLU, Sigmoid, SoftmaxCrossEntropy, Tanh
from .nn import MLP, Layer, Module, Neuron

__version__ = "1.0.0"

__all__ = [
    "Value",
    "topological_order",
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
