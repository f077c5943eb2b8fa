"""Compile Slices, Pads and Compresses whose bounds are model inputs, for the shape the model declares.

gimlet compiles static shapes, and a Slice whose bounds are model inputs has
a result whose length depends on their values. torch-mlir lowers it with
dynamic sizes cast to the declared ones, which was silently wrong whenever
the values gave another length, and wrong for every negative step given at
run time. Here each sliced axis becomes a Gather of `start + step·i` for `i`
below the declared length, with the start clamped as ONNX clamps it: exact
for either sign of step, and static. The values must still give the declared
shape, and only the runtime can see them: each rewritten Slice leaves a
`SliceCheck` (`runtime/checks.py`) for the bundle's manifest, and the runtime refuses, before it
runs anything, values that would give another shape.

Axes given at run time are compiled for every axis set the shapes allow,
picked by the axes value as `onnx_axes` does for reductions.

A Pad whose pads are a model input is the same problem: the output length
of each axis is d + begin + end. Each padded axis becomes a Gather of the
input index every output position reads (clamped for edge, reflected for
reflect, wrapped for wrap; for constant, clamped and then masked to the
constant value), and a `PadCheck` has the runtime check the sums.

A Compress whose condition is a model input selects as many slices as the
condition has trues, which the declared shape fixes at k: the positions of
the first k trues are the top k of `condition · (length - position)` (the
falses score 0), gathered in order, and a `CountCheck` has the runtime
check the count.
"""

from __future__ import annotations

import itertools

import numpy as np
import onnx
from onnx import helper

from ..runtime.checks import PARAMETERS, CountCheck, PadCheck, SliceCheck
from .onnx_axes import axes_key, declared_shape, normalised_axes, select_by_axes
from .onnx_fold import static_shape
from .onnx_names import NameSource


#: The ops whose bounds (every input after the data) this module compiles when they are model inputs.
BOUNDED_OPS = frozenset({"Slice", "Pad", "Compress"})


def specialise_runtime_bounds(model: onnx.ModelProto) -> list[SliceCheck | PadCheck | CountCheck]:
    """Rewrite, in place, every Slice, Pad and Compress whose bounds are model inputs or constants (at
    least one an input) and whose data and output shapes are static; returns one check per rewritten node."""
    graph = model.graph
    constants = {i.name: i for i in graph.initializer}
    graph_inputs = {i.name for i in graph.input if i.name not in constants}
    if not any(node.op_type in BOUNDED_OPS and graph_inputs.intersection(node.input[1:]) for node in graph.node):
        return []
    shapes = {v.name: static_shape(v) for v in [*graph.input, *graph.value_info, *graph.output]}
    names = NameSource(graph)
    checks: list[SliceCheck | PadCheck | CountCheck] = []
    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        rewritten = None
        if node.domain in ("", "ai.onnx") and node.op_type == "Slice" and len(node.input) >= 3:
            rewritten = _specialise_slice(node, graph, shapes, constants, graph_inputs, names, checks)
        elif node.domain in ("", "ai.onnx") and node.op_type == "Pad" and len(node.input) >= 2 and node.input[1] in graph_inputs:
            rewritten = _specialise_pad(node, graph, shapes, constants, graph_inputs, names, checks)
        elif node.domain in ("", "ai.onnx") and node.op_type == "Compress" and node.input[1] in graph_inputs:
            rewritten = _specialise_compress(node, graph, shapes, names, checks)
        nodes.extend(rewritten if rewritten is not None else [node])
    if checks:
        del graph.node[:]
        graph.node.extend(nodes)
    return checks


def _specialise_slice(node, graph, shapes, constants, graph_inputs, names, checks) -> list[onnx.NodeProto] | None:
    given = [node.input[i] if i < len(node.input) else "" for i in range(1, 5)]
    if not any(name in graph_inputs for name in given) or not all(not n or n in graph_inputs or n in constants for n in given):
        return None
    data_shape = shapes.get(node.input[0])
    output_shape = declared_shape(node.output[0], graph, shapes)
    count_shape = shapes.get(given[0])
    if data_shape is None or output_shape is None or count_shape is None or len(count_shape) != 1:
        return None
    rank, count = len(data_shape), count_shape[0]
    if len(output_shape) != rank or count > rank:
        return None
    axes_name = given[2]
    if axes_name in graph_inputs:
        unchanged = [d for d in range(rank) if data_shape[d] == output_shape[d]]
        candidates = [axes for axes in itertools.combinations(range(rank), count) if set(range(rank)) - set(axes) <= set(unchanged)]
    else:
        fixed = _constant_axes(constants[axes_name], rank) if axes_name else list(range(count))
        if fixed is None:
            return None
        candidates = [tuple(fixed)]
    if not candidates:
        return None
    parameters = {
        parameter: name if name in graph_inputs else (_values(constants[name]) if name else None)
        for parameter, name in zip(PARAMETERS, given)
    }
    checks.append(SliceCheck(node.name, tuple(data_shape), tuple(output_shape), parameters))
    builder = _GatherSlice(node, given, data_shape, output_shape, graph, constants, names)
    if len(candidates) == 1:
        return builder.nodes_for(candidates[0], node.output[0])
    nodes, key = axes_key(axes_name, rank, count, graph, names)
    results = []
    for axes in candidates:
        results.append(names.fresh("sliced"))
        nodes += builder.nodes_for(axes, results[-1])
    return nodes + select_by_axes(key, candidates, results, node.output[0], graph, names)


def _values(initializer: onnx.TensorProto) -> list[int]:
    """A constant bound's values, flattened (read only for the nodes rewritten, never for weights)."""
    return onnx.numpy_helper.to_array(initializer).reshape(-1).tolist()


def _constant_axes(initializer: onnx.TensorProto, rank: int) -> list[int] | None:
    """Constant axes, negative ones counted from the end; None if one is repeated or out of range."""
    axes = [a + rank if a < 0 else a for a in _values(initializer)]
    return axes if len(set(axes)) == len(axes) and all(0 <= a < rank for a in axes) else None


class _Gathers:
    """Builds the index arithmetic of one node rewritten into Gathers."""

    def __init__(self, node, given, data_shape, output_shape, graph, constants, names: NameSource):
        self.node, self.given, self.graph, self.names = node, given, graph, names
        self.data_shape, self.output_shape, self.constants = data_shape, output_shape, constants

    def _constant(self, value) -> str:
        return self.names.constant(self.graph, np.array(value, dtype=np.int64))

    def _element(self, name: str, position: str, nodes) -> str:
        """Element `position` of a parameter, as a 0-d int64."""
        element, wide = self.names.fresh("bound"), self.names.fresh("bound_wide")
        nodes += [
            helper.make_node("Gather", [name, position], [element], axis=0),
            helper.make_node("Cast", [element], [wide], to=onnx.TensorProto.INT64),
        ]
        return wide


class _GatherSlice(_Gathers):
    """The nodes of one Slice as a Gather per sliced axis, for one set of axes."""

    def nodes_for(self, axes: tuple[int, ...], output: str) -> list[onnx.NodeProto]:
        starts, _, axes_name, steps = self.given
        nodes: list[onnx.NodeProto] = []
        value = self.node.input[0]
        if not axes:
            return [helper.make_node("Identity", [value], [output], name=self.node.name)]
        for number, axis in enumerate(axes):  # every given axis: a full-length one may still be reversed
            position = self._position(axis, axes, axes_name, nodes)
            start = self._element(starts, position, nodes)
            step = self._element(steps, position, nodes) if steps else self._constant(1)
            indices = self._indices(axis, start, step, nodes)
            result = output if number == len(axes) - 1 else self.names.fresh("sliced_axis")
            nodes.append(helper.make_node("Gather", [value, indices], [result], axis=axis, name=f"{self.node.name}/axis{axis}"))
            value = result
        return nodes

    def _position(self, axis: int, axes: tuple[int, ...], axes_name: str, nodes) -> str:
        """Where `axis` stands in the axes input: known for constant axes (`axes` is then their order),
        looked up for given ones."""
        if not axes_name or axes_name in self.constants:
            return self._constant(axes.index(axis))
        found, normalised = normalised_axes(axes_name, len(self.data_shape), self.graph, self.names)
        hits, as_int, position = (self.names.fresh(s) for s in ("axes_hits", "axes_hit_ints", "axes_position"))
        nodes += found + [
            helper.make_node("Equal", [normalised, self._constant(axis)], [hits]),
            helper.make_node("Cast", [hits], [as_int], to=onnx.TensorProto.INT32),
            helper.make_node("ArgMax", [as_int], [position], axis=0, keepdims=0),
        ]
        return position

    def _indices(self, axis: int, start: str, step: str, nodes) -> str:
        """start + step·i for i below the output length, the start clamped by ONNX's rule (negative
        counts from the end; into [0, size] for a positive step, [0, size - 1] for a negative one)."""
        size, length = self.data_shape[axis], self.output_shape[axis]
        fresh = self.names.fresh
        negative, wrapped, normalised, forwards, upper, clamped, offsets, indices = (
            fresh(s) for s in ("start_negative", "start_wrapped", "start_normalised", "step_forwards", "start_upper", "start", "offsets", "indices")
        )
        nodes += [
            helper.make_node("Less", [start, self._constant(0)], [negative]),
            helper.make_node("Add", [start, self._constant(size)], [wrapped]),
            helper.make_node("Where", [negative, wrapped, start], [normalised]),
            helper.make_node("Greater", [step, self._constant(0)], [forwards]),
            helper.make_node("Where", [forwards, self._constant(size), self._constant(size - 1)], [upper]),
            helper.make_node("Clip", [normalised, self._constant(0), upper], [clamped]),
            helper.make_node("Mul", [step, self._constant(np.arange(length))], [offsets]),
            helper.make_node("Add", [clamped, offsets], [indices]),
        ]
        return indices


def _specialise_pad(node, graph, shapes, constants, graph_inputs, names, checks) -> list[onnx.NodeProto] | None:
    """Pad whose pads are a model input, with constant (or no) axes."""
    pads_name = node.input[1]
    value_name = node.input[2] if len(node.input) > 2 else ""
    axes_name = node.input[3] if len(node.input) > 3 else ""
    data_shape = shapes.get(node.input[0])
    output_shape = declared_shape(node.output[0], graph, shapes)
    if data_shape is None or output_shape is None or len(output_shape) != len(data_shape) or (axes_name and axes_name not in constants):
        return None
    rank = len(data_shape)
    axes = _constant_axes(constants[axes_name], rank) if axes_name else list(range(rank))
    if axes is None:
        return None
    if any(data_shape[d] != output_shape[d] for d in range(rank) if d not in axes):
        return None
    mode = next((a.s.decode() for a in node.attribute if a.name == "mode"), "constant")
    if mode not in _PAD_INDEX or any(data_shape[a] == 0 for a in axes):
        return None
    checks.append(PadCheck(node.name, tuple(data_shape), tuple(output_shape), pads_name, tuple(axes)))
    return _GatherPad(node, [pads_name, value_name], data_shape, output_shape, graph, constants, names).nodes_for(axes, mode)


class _GatherPad(_Gathers):
    """The nodes of one Pad as a Gather per padded axis of the input index each output position reads."""

    def nodes_for(self, axes: list[int], mode: str) -> list[onnx.NodeProto]:
        pads_name, value_name = self.given
        nodes: list[onnx.NodeProto] = []
        value, masks = self.node.input[0], []
        for number, axis in enumerate(axes):
            begin = self._element(pads_name, self._constant(number), nodes)
            size, length = self.data_shape[axis], self.output_shape[axis]
            source = self.names.fresh("pad_source")
            nodes.append(helper.make_node("Sub", [self._constant(np.arange(length)), begin], [source]))
            indices = _PAD_INDEX[mode](self, source, size, nodes)
            if mode == "constant":
                masks.append(self._inside(source, size, axis, nodes))
            gathered = self.node.output[0] if number == len(axes) - 1 and mode != "constant" else self.names.fresh("padded_axis")
            nodes.append(helper.make_node("Gather", [value, indices], [gathered], axis=axis, name=f"{self.node.name}/axis{axis}"))
            value = gathered
        if mode == "constant":
            nodes += self._fill_outside(value, masks, value_name)
        return nodes

    def _clamped(self, source: str, size: int, nodes) -> str:
        clamped = self.names.fresh("pad_clamped")
        nodes.append(helper.make_node("Clip", [source, self._constant(0), self._constant(size - 1)], [clamped]))
        return clamped

    def _wrapped(self, source: str, size: int, nodes) -> str:
        wrapped = self.names.fresh("pad_wrapped")
        nodes.append(helper.make_node("Mod", [source, self._constant(size)], [wrapped]))  # sign of the divisor
        return wrapped

    def _reflected(self, source: str, size: int, nodes) -> str:
        """Reflection without repeating the edge: period 2(size - 1), the second half mirrored."""
        if size == 1:
            return self._clamped(source, size, nodes)
        period = 2 * (size - 1)
        phase, below, mirrored, reflected = (self.names.fresh(s) for s in ("pad_phase", "pad_below", "pad_mirrored", "pad_reflected"))
        nodes += [
            helper.make_node("Mod", [source, self._constant(period)], [phase]),
            helper.make_node("Less", [phase, self._constant(size)], [below]),
            helper.make_node("Sub", [self._constant(period), phase], [mirrored]),
            helper.make_node("Where", [below, phase, mirrored], [reflected]),
        ]
        return reflected

    def _inside(self, source: str, size: int, axis: int, nodes) -> str:
        """Which output positions along `axis` read the input, shaped to broadcast against the result."""
        not_below, below_end, inside, shaped = (self.names.fresh(s) for s in ("pad_not_below", "pad_below_end", "pad_inside", "pad_mask"))
        shape = [1] * len(self.data_shape)
        shape[axis] = self.output_shape[axis]
        nodes += [
            helper.make_node("GreaterOrEqual", [source, self._constant(0)], [not_below]),
            helper.make_node("Less", [source, self._constant(size)], [below_end]),
            helper.make_node("And", [not_below, below_end], [inside]),
            helper.make_node("Reshape", [inside, self._constant(shape)], [shaped]),
        ]
        return shaped

    def _fill_outside(self, gathered: str, masks: list[str], value_name: str) -> list[onnx.NodeProto]:
        nodes, mask = [], masks[0]
        for other in masks[1:]:
            joined = self.names.fresh("pad_mask")
            nodes.append(helper.make_node("And", [mask, other], [joined]))
            mask = joined
        fill = self.names.fresh("pad_value")
        if value_name:
            nodes.append(helper.make_node("CastLike", [value_name, gathered], [fill]))
        else:
            nodes.append(helper.make_node("CastLike", [self._constant(0), gathered], [fill]))
        nodes.append(helper.make_node("Where", [mask, gathered, fill], [self.node.output[0]]))
        return nodes


#: How an output position's source index (position - begin, maybe outside the input) becomes an
#: index into the input, per Pad mode (constant positions outside are masked afterwards).
_PAD_INDEX = {
    "constant": _GatherPad._clamped,
    "edge": _GatherPad._clamped,
    "wrap": _GatherPad._wrapped,
    "reflect": _GatherPad._reflected,
}


def _specialise_compress(node, graph, shapes, names, checks) -> list[onnx.NodeProto] | None:
    """Compress whose condition is a model input, along an axis or over the flattened input."""
    data_shape, condition_shape = shapes.get(node.input[0]), shapes.get(node.input[1])
    output_shape = declared_shape(node.output[0], graph, shapes)
    if data_shape is None or condition_shape is None or output_shape is None or len(condition_shape) != 1:
        return None
    axis = next((a.i for a in node.attribute if a.name == "axis"), None)
    flattened = axis is None
    nodes: list[onnx.NodeProto] = []
    data = node.input[0]
    if flattened:
        data, axis, extent = names.fresh("compress_flat"), 0, int(np.prod(data_shape))
        nodes.append(helper.make_node("Reshape", [node.input[0], names.constant(graph, np.array([-1], dtype=np.int64))], [data]))
    else:
        axis = axis + len(data_shape) if axis < 0 else axis
        extent = data_shape[axis]
    length = condition_shape[0]
    if len(output_shape) != (1 if flattened else len(data_shape)) or length > extent or output_shape[axis] > length:
        return None
    selected = output_shape[axis]
    checks.append(CountCheck(node.name, node.input[1], selected))
    ints, scores, values, positions = (names.fresh(s) for s in ("compress_ints", "compress_scores", "compress_top", "compress_positions"))
    nodes += [
        helper.make_node("Cast", [node.input[1]], [ints], to=onnx.TensorProto.INT64),
        helper.make_node("Mul", [ints, names.constant(graph, np.arange(length, 0, -1, dtype=np.int64))], [scores]),
        helper.make_node("TopK", [scores, names.constant(graph, np.array([selected], dtype=np.int64))], [values, positions], axis=0, largest=1, sorted=1),
        helper.make_node("Gather", [data, positions], [node.output[0]], axis=axis, name=f"{node.name}/gather"),
    ]
    return nodes
