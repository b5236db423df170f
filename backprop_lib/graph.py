"""Drawing a computational graph of :class:`~backprop_lib.Value` nodes with Graphviz.

Node names come from each value's position in topological order, never from
``id()``, so the same graph always gives byte-identical DOT source and SVG.
That is what lets strict nbval compare the drawings stored in the chapters.
"""

from __future__ import annotations

from typing import Iterable

import graphviz

from .engine import Value, topological_order

__all__ = ["trace", "draw_dot", "GraphvizNotInstalled", "OP_SYMBOLS"]

OP_SYMBOLS = {
    "+": "+", "-": "−", "*": "×", "/": "÷", "**": "^", "pow": "^", "exp_base": "^",
    "neg": "−x", "exp": "exp", "log": "log", "tanh": "tanh", "sigmoid": "σ", "relu": "ReLU", "abs": "|x|",
}
"""How each operation is written inside its op node."""

INSTALL_HINT = (
    "Graphviz's `dot` program is not installed, so the graph cannot be drawn. "
    "Install it with `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz`, "
    "or run `make book` / `make test`, which install it for you."
)


class GraphvizNotInstalled(RuntimeError):
    """Raised when a graph is displayed but Graphviz's ``dot`` binary is missing."""


class GraphDrawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` with a stable ``repr`` and a clear error
    when the ``dot`` program is missing."""

    def __repr__(self) -> str:  # the default repr shows a memory address
        return f"<computational graph: {self.comment}>"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotInstalled(INSTALL_HINT) from error


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """Return ``(nodes, edges)`` of the graph that produced ``root``.

    ``nodes`` are in topological order (inputs before the values computed from
    them); ``edges`` are ``(input, output)`` pairs, in the same order.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace expects a Value, got {type(root).__name__}")
    nodes = topological_order(root)
    edges = [(child, node) for node in nodes for child in node._prev]
    return nodes, edges


def _fmt(x: float) -> str:
    return f"{x:.4f}"


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    highlight: Iterable[Value] = (),
    show_grad: bool = True,
    done: Iterable[Value] | None = None,
) -> graphviz.Digraph:
    """Draw the graph that produced ``root``.

    Args:
        root: the value whose history to draw.
        rankdir: ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
        highlight: values to fill in colour, e.g. the node that backward is
            processing now.
        show_grad: include each value's ``grad`` in its record.
        done: if given, only these values show their grad; the others show
            ``grad ?``. Used to step through the backward pass.

    Returns:
        A :class:`graphviz.Digraph`. In Jupyter it displays as SVG.
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'TB', 'RL', 'BT', got {rankdir!r}")
    nodes, edges = trace(root)
    name = {id(n): f"v{i}" for i, n in enumerate(nodes)}
    marked = {id(v) for v in highlight}
    known = None if done is None else {id(v) for v in done}

    dot = GraphDrawing(
        name="computational_graph",
        comment=f"{len(nodes)} values, {sum(1 for n in nodes if n._prev)} operations",
        format="svg",
        graph_attr={"rankdir": rankdir, "bgcolor": "transparent"},
        node_attr={"fontname": "DejaVu Sans", "fontsize": "11"},
    )
    for node in nodes:
        uid = name[id(node)]
        fields = [node.label] if node.label else []
        fields.append(f"data {_fmt(node.data)}")
        if show_grad:
            shown = known is None or id(node) in known
            fields.append(f"grad {_fmt(node.grad)}" if shown else "grad ?")
        style = {"style": "filled", "fillcolor": "#ffd54f"} if id(node) in marked else {}
        dot.node(uid, label="{ " + " | ".join(_escape(f) for f in fields) + " }", shape="record", **style)
        if node._prev:
            dot.node(uid + "_op", label=_escape(OP_SYMBOLS.get(node._op, node._op)), shape="circle")
            dot.edge(uid + "_op", uid)
    for child, node in edges:
        dot.edge(name[id(child)], name[id(node)] + "_op")
    return dot


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a Graphviz record label."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text
