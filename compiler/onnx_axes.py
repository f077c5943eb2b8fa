"""Compile reductions (and cumulative sums and products) whose axes are a model input, for the axes the model's shapes allow.

Since opset 18 a Reduce op takes its axes as an input, and a model may leave
that input to the caller. The axes decide which dimensions the result has,
so torch-mlir (which needs static reduction dimensions) cannot lower such a
reduction, and ONNX shape inference cannot type what follows it. The model
does say what shape it produces, though: where the input shape and the
declared output shape are both static, only a few axis sets fit. This step
compiles the reduction once per fitting set (with constant axes) and picks
the result at run time from the axes value; the runtime checks, before it
runs anything, that the value is one of the sets (`TensorSpec.axes`), so a
value the bundle was not compiled for is an error, never a wrong answer.
CumSum's and CumProd's axis leaves the shape alone, so every axis fits.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper

from .onnx_fold import static_shape
from .onnx_names import NameSource

#: Reductions that take their axes as the second input (ReduceSum since opset 13, the rest since 18).
REDUCE_OPS = frozenset(
    {
        "ReduceSum",
        "ReduceMean",
        "ReduceMax",
        "ReduceMin",
        "ReduceProd",
        "ReduceL1",
        "ReduceL2",
        "ReduceLogSum",
        "ReduceLogSumExp",
        "ReduceSumSquare",
    }
)
#: Ops whose output has their first input's shape: a declared output shape reaches back through them.
SHAPE_PRESERVING = frozenset(
    {"Cast", "CastLike", "Identity", "Abs", "Neg", "Sqrt", "Exp", "Log", "Relu", "Sigmoid", "Tanh", "Reciprocal"}
)


@dataclass(frozen=True)
class AxesInput:
    """A model input that gives a reduction's axes, and the axis sets (normalised, sorted) it may take."""

    rank: int
    allowed: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict:
        return {"rank": self.rank, "allowed": [list(axes) for axes in self.allowed]}


def specialise_runtime_axes(model: onnx.ModelProto) -> tuple[dict[str, AxesInput], int]:
    """Rewrite, in place, every reduction whose axes are a graph input into constant-axes copies and a
    selection by the axes value; returns the axes inputs with the sets they may take (an always-empty
    input takes no check) and how many reductions were rewritten."""
    graph = model.graph
    initializers = {i.name for i in graph.initializer}
    graph_inputs = {i.name for i in graph.input if i.name not in initializers}
    shapes = {v.name: static_shape(v) for v in [*graph.input, *graph.value_info, *graph.output]}
    names = NameSource(graph)
    constraints: dict[str, AxesInput] = {}
    nodes: list[onnx.NodeProto] = []
    rewritten_count = 0
    for node in graph.node:
        rewritten = None
        if node.domain in ("", "ai.onnx") and len(node.input) > 1 and node.input[1] in graph_inputs:
            if node.op_type in REDUCE_OPS:
                rewritten = _specialise_reduction(node, graph, shapes, names, constraints)
            elif node.op_type in ("CumSum", "CumProd"):
                rewritten = _specialise_cumulative(node, graph, shapes, names, constraints)
        nodes.extend(rewritten if rewritten is not None else [node])
        rewritten_count += rewritten is not None
    if rewritten_count:
        del graph.node[:]
        graph.node.extend(nodes)
    return constraints, rewritten_count


def _specialise_reduction(node, graph, shapes, names, constraints) -> list[onnx.NodeProto] | None:
    axes_name = node.input[1]
    data_shape, axes_shape = shapes.get(node.input[0]), shapes.get(axes_name)
    if data_shape is None or axes_shape is None or len(axes_shape) != 1:
        return None
    keepdims = next((a.i for a in node.attribute if a.name == "keepdims"), 1)
    rank, count = len(data_shape), axes_shape[0]
    if count == 0:  # always empty: the node means what it means without the input
        return [_with_axes(node, None, node.output[0], graph, names)]
    out_shape = declared_shape(node.output[0], graph, shapes)
    if out_shape is None:
        return None
    candidates = [axes for axes in itertools.combinations(range(rank), count) if _reduced(data_shape, axes, keepdims) == out_shape]
    return _select(node, rank, count, candidates, graph, names, constraints)


def _specialise_cumulative(node, graph, shapes, names, constraints) -> list[onnx.NodeProto] | None:
    """A cumulative op's axis (a 0-d or one-element input) may be any axis: the result has the input's shape."""
    data_shape, axis_shape = shapes.get(node.input[0]), shapes.get(node.input[1])
    if data_shape is None or axis_shape not in ([], [1]):
        return None
    return _select(node, len(data_shape), 1, [(d,) for d in range(len(data_shape))], graph, names, constraints, scalar=True)


def _select(node, rank, count, candidates, graph, names, constraints, scalar=False) -> list[onnx.NodeProto] | None:
    """One copy of `node` per candidate axis set, and Where nodes picking the copy the axes value names."""
    axes_name = node.input[1]
    previous = constraints.get(axes_name)
    if previous is not None:  # one axes input feeding several nodes: the sets all of them allow
        candidates = [axes for axes in candidates if axes in previous.allowed]
    if not candidates:
        return None
    constraints[axes_name] = AxesInput(rank, tuple(candidates))
    if len(candidates) == 1:
        return [_with_axes(node, candidates[0], node.output[0], graph, names, scalar)]
    nodes, key = axes_key(axes_name, rank, count, graph, names)
    results = []
    for axes in candidates:
        output = names.fresh("specialised")
        nodes.append(_with_axes(node, axes, output, graph, names, scalar))
        results.append(output)
    return nodes + select_by_axes(key, candidates, results, node.output[0], graph, names)


def select_by_axes(key: str, candidates, results: list[str], output: str, graph, names) -> list[onnx.NodeProto]:
    """Where nodes that give `output` the result computed for the axis set the key (`axes_key`) names;
    the last candidate is taken when no other matches (the runtime has checked the value)."""
    count = len(candidates[0])
    nodes, chosen = [], results[-1]
    for axes, result in zip(reversed(candidates[:-1]), reversed(results[:-1])):
        matches = names.fresh("matches")
        code = names.constant(graph, np.array(_encode_axes(axes, count), dtype=np.int64))
        nodes.append(helper.make_node("Equal", [key, code], [matches]))
        selected = output if result == results[0] else names.fresh("selected")
        nodes.append(helper.make_node("Where", [matches, result, chosen], [selected]))
        chosen = selected
    return nodes


def _with_axes(node, axes, output, graph, names, scalar=False) -> onnx.NodeProto:
    """The node with constant axes (a 0-d axis with `scalar`), or without its axes input (None)."""
    copy = onnx.NodeProto()
    copy.CopyFrom(node)
    value = None if axes is None else np.array(axes[0] if scalar else axes, dtype=np.int64)
    axes_input = "" if value is None else names.constant(graph, value)
    copy.input[:] = [node.input[0], axes_input] if axes_input else [node.input[0]]
    copy.output[:] = [output]
    return copy


def normalised_axes(axes_name, rank, graph, names) -> tuple[list[onnx.NodeProto], str]:
    """Nodes giving the axes input as a 1-d int64 with negative axes counted from the end."""
    as_list, wide, negative, wrapped, normalised = (names.fresh(s) for s in ("as_list", "wide", "negative", "wrapped", "normalised"))
    nodes = [
        helper.make_node("Reshape", [axes_name, names.constant(graph, np.array([-1], dtype=np.int64))], [as_list]),
        helper.make_node("Cast", [as_list], [wide], to=onnx.TensorProto.INT64),
        helper.make_node("Less", [wide, names.constant(graph, np.array(0, dtype=np.int64))], [negative]),
        helper.make_node("Add", [wide, names.constant(graph, np.array(rank, dtype=np.int64))], [wrapped]),
        helper.make_node("Where", [negative, wrapped, wide], [normalised]),
    ]
    return nodes, normalised


def axes_key(axes_name, rank, count, graph, names) -> tuple[list[onnx.NodeProto], str]:
    """Nodes computing one integer that tells the axis sets apart: Σ_d hits(d)·(count+1)^d, with
    hits(d) how many of the (normalised) axes are d."""
    nodes, normalised = normalised_axes(axes_name, rank, graph, names)
    column, hits, hit_counts, counts, weighted, key = (names.fresh(s) for s in ("column", "hits", "hit_counts", "counts", "weighted", "key"))
    dims = names.constant(graph, np.arange(rank, dtype=np.int64))
    weights = names.constant(graph, (count + 1) ** np.arange(rank, dtype=np.int64))
    first_axis = names.constant(graph, np.array([0], dtype=np.int64))
    last_axis = names.constant(graph, np.array([1], dtype=np.int64))
    nodes += [
        helper.make_node("Unsqueeze", [normalised, last_axis], [column]),
        helper.make_node("Equal", [column, dims], [hits]),
        helper.make_node("Cast", [hits], [hit_counts], to=onnx.TensorProto.INT64),
        helper.make_node("ReduceSum", [hit_counts, first_axis], [counts], keepdims=0),
        helper.make_node("Mul", [counts, weights], [weighted]),
        helper.make_node("ReduceSum", [weighted, first_axis], [key], keepdims=0),
    ]
    return nodes, key


def _encode_axes(axes: tuple[int, ...], count: int) -> int:
    return sum((count + 1) ** d for d in axes)


def _reduced(shape: list[int], axes: tuple[int, ...], keepdims: int) -> list[int]:
    if keepdims:
        return [1 if d in axes else size for d, size in enumerate(shape)]
    return [size for d, size in enumerate(shape) if d not in axes]


def declared_shape(value: str, graph: onnx.GraphProto, shapes: dict) -> list[int] | None:
    """The value's static shape: inferred or declared, else the declared shape of the graph output it
    reaches through shape-preserving ops only."""
    if shapes.get(value) is not None:
        return shapes[value]
    consumers = [n for n in graph.node if value in n.input]
    for consumer in consumers:
        if consumer.op_type in SHAPE_PRESERVING and consumer.input[0] == value:
            shape = declared_shape(consumer.output[0], graph, shapes)
            if shape is not None:
                return shape
    return None
