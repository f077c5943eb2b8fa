"""Rewrite ONNX ops that torch-mlir converts wrongly into plain ONNX ops it converts right.

Where an op has an ONNX function body, the importer uses that instead
(`onnx_import.CONVERTED_WRONGLY`); the ops here have none, so the rewrite
spells out the op's definition.

QLinearMatMul: torch-mlir turns it into a matmul of quantized tensors, and
its lowering of the batched (3-d) form gives wrong integers (seen with
IREE 3.13: every element of test_qlinearmatmul_3D_* off). The rewrite is the
op's definition as the ONNX reference computes it: an int32 matmul of the
inputs minus their zero points, scaled in float64 by a_scale·b_scale/y_scale,
rounded half to even, shifted by y_zero_point and saturated.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .onnx_names import NameSource


def rewrite_wrongly_converted(model: onnx.ModelProto) -> int:
    """Rewrite, in place, every main-graph QLinearMatMul; returns how many nodes were rewritten."""
    graph = model.graph
    if not any(node.op_type == "QLinearMatMul" and node.domain in ("", "ai.onnx") for node in graph.node):
        return 0
    types = {v.name: v.type.tensor_type.elem_type for v in [*graph.input, *graph.value_info, *graph.output]}
    types.update({i.name: i.data_type for i in graph.initializer})
    names = NameSource(graph)
    nodes, rewritten = [], 0
    for node in graph.node:
        output_type = types.get(node.output[0]) if node.op_type == "QLinearMatMul" else None
        if output_type not in (TensorProto.INT8, TensorProto.UINT8) or node.domain not in ("", "ai.onnx"):
            nodes.append(node)
            continue
        nodes.extend(_qlinear_matmul(node, output_type, graph, names))
        rewritten += 1
    del graph.node[:]
    graph.node.extend(nodes)
    return rewritten


def _qlinear_matmul(node: onnx.NodeProto, output_type: int, graph: onnx.GraphProto, names: NameSource) -> list[onnx.NodeProto]:
    a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero = node.input
    fresh = names.fresh
    limits = np.iinfo(helper.tensor_dtype_to_np_dtype(output_type))
    low, high = (names.constant(graph, np.array(v, np.float64)) for v in (limits.min, limits.max))
    nodes = []

    def centred(value: str, zero: str) -> str:
        as_int, zero_int, difference = fresh("int"), fresh("zero_int"), fresh("centred")
        nodes.extend(
            [
                helper.make_node("Cast", [value], [as_int], to=TensorProto.INT32),
                helper.make_node("Cast", [zero], [zero_int], to=TensorProto.INT32),
                helper.make_node("Sub", [as_int, zero_int], [difference]),
            ]
        )
        return difference

    products, scales, multiplier, wide_multiplier = fresh("products"), fresh("scales"), fresh("multiplier"), fresh("multiplier_f64")
    wide, scaled, wide_zero, shifted, rounded, clipped = (fresh(s) for s in ("wide", "scaled", "zero_f64", "shifted", "rounded", "clipped"))
    nodes.append(helper.make_node("MatMul", [centred(a, a_zero), centred(b, b_zero)], [products]))
    nodes += [
        helper.make_node("Mul", [a_scale, b_scale], [scales]),
        helper.make_node("Div", [scales, y_scale], [multiplier]),
        helper.make_node("Cast", [multiplier], [wide_multiplier], to=TensorProto.DOUBLE),
        helper.make_node("Cast", [products], [wide], to=TensorProto.DOUBLE),
        helper.make_node("Mul", [wide, wide_multiplier], [scaled]),
        helper.make_node("Cast", [y_zero], [wide_zero], to=TensorProto.DOUBLE),
        helper.make_node("Add", [scaled, wide_zero], [shifted]),
        helper.make_node("Round", [shifted], [rounded]),
        helper.make_node("Clip", [rounded, low, high], [clipped]),
        helper.make_node("Cast", [clipped], [node.output[0]], to=output_type),
    ]
    return nodes
