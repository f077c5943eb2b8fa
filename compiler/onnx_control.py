"""Turn ONNX control flow whose course is known at compile time into straight-line ops.

Recent opsets define ops through function bodies that hold control flow:
LinearAttention's recurrence is a Scan over the sequence, and AffineGrid
chooses its 2-d or 3-d form with Ifs on the length of its size input. Once
shapes are static and shape arithmetic is folded, a Scan's trip count and
such an If's condition are constants. Unrolled and inlined, what remains is
MatMul, Add, Gather and the like, which gimlet raises and lowers as it does
any other model; torch-mlir would otherwise keep a loop (or nothing at all)
that shape inference cannot type.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .onnx_fold import static_shape
from .onnx_names import NameSource, renamed_copy

#: A Scan is unrolled only while its body, copied once per step, stays within this many nodes.
MAX_UNROLLED_NODES = 8192
#: Scan-9 and later: no batch axis, per-input axes and directions (Scan-8 is left to torch-mlir).
FIRST_UNROLLED_SCAN_OPSET = 9


def simplify_control_flow(model: onnx.ModelProto) -> int:
    """Inline, in place, each main-graph If whose condition is a constant and unroll each Scan whose
    length is static (within `MAX_UNROLLED_NODES`); returns how many nodes were replaced."""
    graph = model.graph
    if not any(node.op_type in ("If", "Scan") for node in graph.node):
        return 0  # the common case, every folding round: no graph-wide tables to build
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    constants = {init.name: init for init in graph.initializer}
    shapes = {v.name: static_shape(v) for v in [*graph.input, *graph.value_info, *graph.output]}
    shapes.update({init.name: list(init.dims) for init in graph.initializer})
    names = NameSource(graph)
    nodes, replaced = [], 0
    for node in graph.node:
        replacement = None
        if node.domain in ("", "ai.onnx") and node.op_type == "If":
            replacement = _inline_branch(node, constants, graph, names)
        elif node.domain in ("", "ai.onnx") and node.op_type == "Scan" and opset >= FIRST_UNROLLED_SCAN_OPSET:
            replacement = _unroll_scan(node, shapes, graph, names)
        if replacement is None:
            nodes.append(node)
            continue
        nodes.extend(replacement)
        replaced += 1
    if replaced:
        del graph.node[:]
        graph.node.extend(nodes)
    return replaced


def _inline_branch(node, constants, graph, names) -> list[onnx.NodeProto] | None:
    condition = constants.get(node.input[0])
    if condition is None:
        return None
    taken = "then_branch" if bool(numpy_helper.to_array(condition).reshape(-1)[0]) else "else_branch"
    branch = next(a.g for a in node.attribute if a.name == taken)
    rename = _local_renaming(branch, [], names.prefix("branch"))
    nodes = _copy_body(branch, rename, f"{node.name}/{taken}", graph)
    nodes += [
        helper.make_node("Identity", [rename(result.name)], [output], name=f"{node.name}/{output}")
        for result, output in zip(branch.output, node.output)
        if output
    ]
    return nodes


def _unroll_scan(node, shapes, graph, names) -> list[onnx.NodeProto] | None:
    attributes = {a.name: a for a in node.attribute}
    body = attributes["body"].g
    scanned_count = attributes["num_scan_inputs"].i
    state_count = len(node.input) - scanned_count
    output_count = len(body.output) - state_count
    input_axes = _ints(attributes, "scan_input_axes", scanned_count)
    input_reversed = _ints(attributes, "scan_input_directions", scanned_count)
    output_axes = _ints(attributes, "scan_output_axes", output_count)
    output_reversed = _ints(attributes, "scan_output_directions", output_count)
    scanned = node.input[state_count:]
    lengths = set()
    for name, axis in zip(scanned, input_axes):
        shape = shapes.get(name)
        if shape is None:
            return None
        lengths.add(shape[axis])
    if len(lengths) != 1:
        return None
    length = lengths.pop()
    if length == 0 or length * len(body.node) > MAX_UNROLLED_NODES:
        return None

    nodes: list[onnx.NodeProto] = []
    states = list(node.input[:state_count])
    step_outputs: list[list[str]] = [[] for _ in range(output_count)]
    for step in range(length):
        where = f"{node.name}/step{step}"
        rename = _local_renaming(body, body.input, names.prefix(f"scan{step}_"))
        formals = [rename(value.name) for value in body.input]
        nodes += [
            helper.make_node("Identity", [state], [formal], name=f"{where}/{formal}")
            for state, formal in zip(states, formals[:state_count])
        ]
        for source, formal, axis, backwards in zip(scanned, formals[state_count:], input_axes, input_reversed):
            index = names.constant(graph, np.array(length - 1 - step if backwards else step, dtype=np.int64))
            nodes.append(helper.make_node("Gather", [source, index], [formal], axis=axis, name=f"{where}/{formal}"))
        nodes += _copy_body(body, rename, where, graph)
        results = [rename(value.name) for value in body.output]
        states = results[:state_count]
        for collected, result in zip(step_outputs, results[state_count:]):
            collected.append(result)

    nodes += [
        helper.make_node("Identity", [state], [final], name=f"{node.name}/{final}")
        for state, final in zip(states, node.output[:state_count])
        if final
    ]
    for output, collected, axis, backwards in zip(node.output[state_count:], step_outputs, output_axes, output_reversed):
        if not output:
            continue
        axes = names.constant(graph, np.array([axis], dtype=np.int64))
        stacked = []
        for result in reversed(collected) if backwards else collected:
            stacked.append(names.fresh("scan_slice"))
            nodes.append(helper.make_node("Unsqueeze", [result, axes], [stacked[-1]], name=f"{node.name}/{stacked[-1]}"))
        nodes.append(helper.make_node("Concat", stacked, [output], axis=axis, name=f"{node.name}/{output}"))
    return nodes


def _ints(attributes: dict[str, onnx.AttributeProto], name: str, count: int) -> list[int]:
    return list(attributes[name].ints) if name in attributes else [0] * count


def _local_renaming(body: onnx.GraphProto, formals, prefix: str):
    """A renaming that gives the body's own values (its formals, initializers and node outputs) the
    prefix, so that every copy of a body has fresh names, and leaves the outer scope's names alone."""
    local = {value.name for value in [*formals, *body.initializer]}
    local |= {name for inner in body.node for name in inner.output}
    return lambda name: prefix + name if name in local else name


def _copy_body(body: onnx.GraphProto, rename, where: str, graph: onnx.GraphProto) -> list[onnx.NodeProto]:
    """The body's nodes renamed (its initializers move to the main graph under their new names)."""
    for initializer in body.initializer:
        moved = onnx.TensorProto()
        moved.CopyFrom(initializer)
        moved.name = rename(initializer.name)
        graph.initializer.append(moved)
    copies = []
    for index, inner in enumerate(body.node):
        copy = renamed_copy(inner, rename)
        copy.name = f"{where}/{inner.name or f'{inner.op_type}_{index}'}"
        copies.append(copy)
    return copies
