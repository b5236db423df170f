"""Tests of backprop_lib.graph: trace, draw_dot and the missing-Graphviz error.

These run the real ``dot`` program; the missing-binary test empties PATH, which
is exactly what a machine without Graphviz looks like to the graphviz package.
"""

from __future__ import annotations

import re

import graphviz
import pytest

from backprop_lib.engine import Value
from backprop_lib.graph import INSTALL_HINT, OP_SYMBOLS, GraphvizNotInstalled, draw_dot, trace


def worked_example():
    """L = (a*b + c) * f, after backward."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return dict(a=a, b=b, c=c, f=f, e=e, d=d, L=L)


def node_lines(source: str) -> dict[str, str]:
    """Node name -> its line in the DOT source (edges and default attributes left out)."""
    lines = {}
    for line in source.splitlines():
        match = re.match(r"\s*(\w+) \[", line)
        if match and match.group(1) not in ("graph", "node", "edge"):
            lines[match.group(1)] = line
    return lines


def test_trace_returns_nodes_in_topological_order_and_all_edges():
    v = worked_example()
    nodes, edges = trace(v["L"])
    assert [n.label for n in nodes] == ["a", "b", "e", "c", "d", "f", "L"]
    position = {id(n): i for i, n in enumerate(nodes)}
    assert all(position[id(child)] < position[id(node)] for child, node in edges)
    named = {(child.label, node.label) for child, node in edges}
    assert named == {("a", "e"), ("b", "e"), ("e", "d"), ("c", "d"), ("d", "L"), ("f", "L")}
    assert len(edges) == 6


def test_trace_of_a_leaf_and_of_a_reused_value():
    x = Value(1.0)
    assert trace(x) == ([x], [])
    y = x * x
    nodes, edges = trace(y)
    assert nodes == [x, y]
    assert edges == [(x, y), (x, y)]  # two uses, two edges


def test_trace_rejects_non_values():
    with pytest.raises(TypeError, match="trace expects a Value, got float"):
        trace(1.0)


def test_draw_dot_returns_a_digraph_with_every_value_and_operation():
    v = worked_example()
    g = draw_dot(v["L"])
    assert isinstance(g, graphviz.Digraph)
    lines = node_lines(g.source)
    assert set(lines) == {f"v{i}" for i in range(7)} | {"v2_op", "v4_op", "v6_op"}
    assert "{ L | data -8.0000 | grad 1.0000 }" in lines["v6"]
    assert "{ a | data 2.0000 | grad 6.0000 }" in lines["v0"]
    assert f'label="{OP_SYMBOLS["*"]}"' in lines["v6_op"]
    assert repr(g) == "<computational graph: 7 values, 3 operations>"


def test_svg_is_byte_identical_for_the_same_expression():
    first = worked_example()
    second = worked_example()  # both alive: every id() differs between them
    g1, g2 = draw_dot(first["L"]), draw_dot(second["L"])
    assert g1.source == g2.source
    svg1, svg2 = g1.pipe(format="svg"), g2.pipe(format="svg")
    assert svg1.startswith(b"<?xml") and b"<svg" in svg1
    assert svg1 == svg2


def test_node_names_do_not_depend_on_id():
    v = worked_example()
    source = draw_dot(v["L"]).source
    for value in v.values():
        assert str(id(value)) not in source
    assert all(re.fullmatch(r"v\d+(_op)?", name) for name in node_lines(source))


def test_highlight_fills_only_the_named_nodes():
    v = worked_example()
    plain = node_lines(draw_dot(v["L"]).source)
    marked = node_lines(draw_dot(v["L"], highlight=[v["d"], v["a"]]).source)
    changed = {name for name in plain if plain[name] != marked[name]}
    assert changed == {"v0", "v4"}  # a and d
    assert 'fillcolor="#ffd54f"' in marked["v4"] and "style=filled" in marked["v4"]
    assert "fillcolor" not in plain["v4"]


def test_show_grad_and_done():
    v = worked_example()
    hidden = node_lines(draw_dot(v["L"], show_grad=False).source)
    assert "grad" not in hidden["v0"] and "data 2.0000" in hidden["v0"]
    partial = node_lines(draw_dot(v["L"], done=[v["L"]]).source)
    assert "grad 1.0000" in partial["v6"]
    assert "grad ?" in partial["v0"] and "grad 6" not in partial["v0"]


def test_rankdir():
    v = worked_example()
    assert "rankdir=TB" in draw_dot(v["L"], rankdir="TB").source
    with pytest.raises(ValueError, match=r"rankdir must be one of 'LR', 'TB', 'RL', 'BT', got 'XY'"):
        draw_dot(v["L"], rankdir="XY")


def test_labels_are_escaped():
    x = Value(1.0, label="{a|b}")
    line = node_lines(draw_dot(x).source)["v0"]
    assert r"\{a\|b\}" in line


def test_displays_as_svg_when_dot_is_installed():
    bundle = draw_dot(worked_example()["L"])._repr_mimebundle_()
    assert "image/svg+xml" in bundle and "<svg" in bundle["image/svg+xml"]


def test_missing_dot_binary_raises_with_an_install_hint(tmp_path, monkeypatch):
    g = draw_dot(worked_example()["L"])
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    with pytest.raises(GraphvizNotInstalled, match=r"Graphviz's `dot` program is not installed") as info:
        g._repr_mimebundle_()
    assert "apt-get install graphviz" in str(info.value) and str(info.value) == INSTALL_HINT
    assert isinstance(info.value.__cause__, graphviz.ExecutableNotFound)
