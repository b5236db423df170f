"""backprop_lib: the small library behind *Backprop, by hand and by machine*.

One module per idea, each short enough to read in one sitting:

* :mod:`~backprop_lib.engine`: :class:`Value`, a scalar autograd engine;
* :mod:`~backprop_lib.graph`: :func:`draw_dot` and :func:`trace`;
* :mod:`~backprop_lib.gradcheck`: finite differences and the gradient checker;
* :mod:`~backprop_lib.widgets`: interactive figures with sliders;
* :mod:`~backprop_lib.exercises`: self-checking exercises.
"""

from .engine import Value, topological_order
from .exercises import Feedback, check, check_derivative, check_function
from .gradcheck import (
    GradientCheck,
    check_layer,
    check_value_gradients,
    numerical_derivative,
    numerical_gradient,
    relative_error,
)
from .graph import draw_dot, trace

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
]
