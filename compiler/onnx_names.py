"""Fresh value names for rewrites of an ONNX graph."""

from __future__ import annotations

import itertools

import numpy as np
import onnx
from onnx import numpy_helper


class NameSource:
    """Value names no value of the graph has yet, and constants under such names."""

    def __init__(self, graph: onnx.GraphProto):
        self.taken = {name for node in graph.node for name in [*node.input, *node.output]}
        self.taken |= {v.name for v in [*graph.input, *graph.output, *graph.initializer]}
        self.counter = itertools.count()

    def fresh(self, stem: str) -> str:
        while True:
            name = f"__gimlet_{stem}{next(self.counter)}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def prefix(self, stem: str) -> str:
        """A prefix no name of the graph starts with: the internal values of an inlined function body
        take it (bodies inlined by an earlier round use the same internal names)."""
        while True:
            candidate = f"__gimlet_{stem}{next(self.counter)}_"
            if not any(name.startswith(candidate) for name in self.taken):
                self.taken.add(candidate)
                return candidate

    def constant(self, graph: onnx.GraphProto, array: np.ndarray) -> str:
        """A new initializer holding `array`; returns its name."""
        name = self.fresh("const")
        graph.initializer.append(numpy_helper.from_array(array, name))
        return name


def renamed_copy(node: onnx.NodeProto, rename) -> onnx.NodeProto:
    """A copy of `node` with every value name it uses or defines, inside its subgraphs too, passed
    through `rename` (empty names, which mark absent optional values, stay empty)."""
    copy = onnx.NodeProto()
    copy.CopyFrom(node)
    _rename_node(copy, rename)
    return copy


def subgraphs(node: onnx.NodeProto) -> list[onnx.GraphProto]:
    """The graphs a node's attributes hold: If branches, Loop and Scan bodies."""
    graphs: list[onnx.GraphProto] = []
    for attribute in node.attribute:
        if attribute.type == onnx.AttributeProto.GRAPH:
            graphs.append(attribute.g)
        elif attribute.type == onnx.AttributeProto.GRAPHS:
            graphs.extend(attribute.graphs)
    return graphs


def _rename_node(node: onnx.NodeProto, rename) -> None:
    node.input[:] = [rename(name) if name else name for name in node.input]
    node.output[:] = [rename(name) if name else name for name in node.output]
    for graph in subgraphs(node):
        _rename_graph(graph, rename)


def _rename_graph(graph: onnx.GraphProto, rename) -> None:
    for value in [*graph.input, *graph.output, *graph.value_info, *graph.initializer]:
        value.name = rename(value.name)
    for node in graph.node:
        _rename_node(node, rename)
