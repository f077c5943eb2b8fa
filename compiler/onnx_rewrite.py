"""Rewrite ONNX ops that torch-mlir converts wrongly, or not at all, into ONNX ops it converts right.

Where an op has an ONNX function body, the importer uses that instead
(`onnx_import.CONVERTED_WRONGLY`); the ops here have none, so the rewrite
spells out the op's definition.

CumProd (opset 26) has no conversion. Along a constant axis of length n it
is a product over a masked copy: out[.., i, ..] = Π_j (mask[i, j] ? x[.., j, ..] : 1),
with mask j ≤ i (j < i when exclusive; j ≥ i, j > i when reversed). The
copy holds n² elements per slice, so axes longer than MAX_CUMPROD_LENGTH
are left alone (and fail to import as before).

QLinearMatMul: torch-mlir turns it into a matmul of quantized tensors, and
its lowering of the batched (3-d) form gives wrong integers (seen with
IREE 3.13: every element of test_qlinearmatmul_3D_* off). The rewrite is the
op's definition as the ONNX reference computes it: an int32 matmul of the
inputs minus their zero points, scaled in float64 by a_scale·b_scale/y_scale,
rounded half to even, shifted by y_zero_point and saturated.

LpNormalization: torch-mlir divides by the norm, so a slice that is all zeros
becomes NaN where ONNX (its reference and ONNX Runtime) gives 0. The rewrite
divides by the norm with 1 in place of a zero norm (the slice is zero, so the
quotient is).

LpPool: torch-mlir has no conversion with dilations or SAME auto-padding. The
rewrite is its definition through AveragePool, which has both: the p-th root
of the window sum of |x|^p, the sum being the average over the whole window
(padding counted) times the window size.

Det: torch-mlir's determinant eliminates without pivoting, so a matrix with a
zero leading entry gave NaN (test_det_2d: det [[0, 1], [2, 3]] came out NaN,
not -2). Matrices up to 3×3 are rewritten into the closed form (cofactor
expansion), which needs no pivot.

BitShift: ONNX defines shifts by the element width or more (a negative
amount of a signed type reads as unsigned, so it is one) as 0, or, shifting a
signed value right, as its sign (-1 or 0). torch-mlir lowers to LLVM's shifts,
whose result is then poison: the int8 cases passed on an AVX-512 CPU and gave
4 and 8 where 0 was right on an AVX2 one. The rewrite shifts by the amount
where it is in range, by 0 elsewhere, and selects the defined result there.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..dialects.contraction import window_output_size, window_tap_counts
from .onnx_fold import static_shape
from .onnx_grid_sample import grid_sample_nodes
from .onnx_names import NameSource


#: The op types this module may rewrite.
REWRITTEN = frozenset(
    {"QLinearMatMul", "CumProd", "AveragePool", "Resize", "LpNormalization", "Det", "GridSample", "LpPool", "BitShift"}
)
#: Longest axis CumProd is rewritten along.
MAX_CUMPROD_LENGTH = 1024
#: Largest matrix whose determinant is written out as its cofactor expansion.
MAX_CLOSED_FORM_DET = 3


def rewrite_unsupported(model: onnx.ModelProto) -> int:
    """Rewrite, in place, every main-graph QLinearMatMul, CumProd (along a constant axis), ceil-mode
    AveragePool that counts padding, Resize with axes, LpNormalization, small Det, GridSample
    (`onnx_grid_sample`) and BitShift; returns how many nodes were rewritten."""
    graph = model.graph
    if not any(node.op_type in REWRITTEN and node.domain in ("", "ai.onnx") for node in graph.node):
        return 0
    infos = {v.name: v for v in [*graph.input, *graph.value_info, *graph.output]}
    types = {name: info.type.tensor_type.elem_type for name, info in infos.items()}
    types.update({i.name: i.data_type for i in graph.initializer})
    initializers = {i.name: i for i in graph.initializer}
    names = NameSource(graph)
    nodes, rewritten = [], 0
    for node in graph.node:
        replacement = None
        if node.domain in ("", "ai.onnx") and node.op_type in REWRITTEN:
            shapes = [static_shape(infos.get(name)) for name in node.input]
            replacement = _rewrite(node, shapes, types, initializers, graph, names)
        nodes.extend(replacement if replacement is not None else [node])
        rewritten += replacement is not None
    del graph.node[:]
    graph.node.extend(nodes)
    return rewritten


def _rewrite(node, shapes, types, initializers, graph, names) -> list[onnx.NodeProto] | None:
    """The nodes that replace `node` (an op of REWRITTEN whose inputs have `shapes`), or None to keep it."""
    shape = shapes[0]
    if node.op_type == "QLinearMatMul":
        output_type = types.get(node.output[0])
        return _qlinear_matmul(node, output_type, graph, names) if output_type in (TensorProto.INT8, TensorProto.UINT8) else None
    if node.op_type == "CumProd":
        axis = initializers.get(node.input[1])
        return None if axis is None else _cumprod(node, shape, int(numpy_helper.to_array(axis).reshape(-1)[0]), types, graph, names)
    if node.op_type == "AveragePool":
        return _ceil_average_pool(node, shape, types, graph, names)
    if node.op_type == "LpNormalization":
        return _lp_normalization(node, shape, types.get(node.input[0]), graph, names)
    if node.op_type == "Det":
        return _closed_form_det(node, shape, graph, names)
    if node.op_type == "GridSample":
        return grid_sample_nodes(node, shape, shapes[1], graph, names)
    if node.op_type == "LpPool":
        return _lp_pool(node, types.get(node.input[0]), graph, names)
    if node.op_type == "BitShift":
        return _bit_shift(node, types.get(node.input[0]), graph, names)
    return _full_rank_resize(node, shape, graph, names)


def _lp_normalization(node, shape, element_type, graph, names) -> list[onnx.NodeProto] | None:
    attributes = {a.name: a.i for a in node.attribute}
    axis, p = attributes.get("axis", -1), attributes.get("p", 2)
    if shape is None or not element_type or p not in (1, 2) or not -len(shape) <= axis < len(shape):
        return None
    x, dtype = node.input[0], helper.tensor_dtype_to_np_dtype(element_type)
    magnitude, total, norm, zero_norm, divisor = (names.fresh(s) for s in ("magnitude", "norm_total", "norm", "zero_norm", "divisor"))
    axes = names.constant(graph, np.array([axis], dtype=np.int64))
    zero, one = names.constant(graph, np.array(0, dtype=dtype)), names.constant(graph, np.array(1, dtype=dtype))
    nodes = [
        helper.make_node("Abs", [x], [magnitude]) if p == 1 else helper.make_node("Mul", [x, x], [magnitude]),
        helper.make_node("ReduceSum", [magnitude, axes], [total if p == 2 else norm], keepdims=1),
    ]
    if p == 2:
        nodes.append(helper.make_node("Sqrt", [total], [norm]))
    return nodes + [
        helper.make_node("Equal", [norm, zero], [zero_norm]),
        helper.make_node("Where", [zero_norm, one, norm], [divisor]),
        helper.make_node("Div", [x, divisor], [node.output[0]]),
    ]


def _lp_pool(node, element_type, graph, names) -> list[onnx.NodeProto] | None:
    """(Σ_window |x|^p)^(1/p), the window sum an AveragePool that counts padding times the window size
    (not in ceil mode, where a last window past the padding is averaged over fewer taps)."""
    attributes = {a.name: a for a in node.attribute}
    if not element_type or ("ceil_mode" in attributes and attributes["ceil_mode"].i):
        return None
    p = attributes["p"].i if "p" in attributes else 2
    window = int(np.prod(attributes["kernel_shape"].ints))
    dtype = helper.tensor_dtype_to_np_dtype(element_type)
    pool = helper.make_node("AveragePool", [], [], count_include_pad=1)
    pool.attribute.extend(a for a in node.attribute if a.name != "p")
    magnitude, powered, mean, total = (names.fresh(s) for s in ("lp_magnitude", "lp_powered", "lp_mean", "lp_total"))
    pool.input[:], pool.output[:] = [powered], [mean]
    return [
        helper.make_node("Abs", [node.input[0]], [magnitude]),
        helper.make_node("Pow", [magnitude, names.constant(graph, np.array(p, dtype=dtype))], [powered]),
        pool,
        helper.make_node("Mul", [mean, names.constant(graph, np.array(window, dtype=dtype))], [total]),
        helper.make_node("Pow", [total, names.constant(graph, np.array(1.0 / p, dtype=dtype))], [node.output[0]]),
    ]


def _bit_shift(node, element_type, graph, names) -> list[onnx.NodeProto] | None:
    """x shifted by s where 0 ≤ s < the element width; elsewhere 0, or x's sign shifting a signed x right."""
    if not element_type:
        return None
    dtype = helper.tensor_dtype_to_np_dtype(element_type)
    signed = dtype.kind == "i"
    right = any(a.name == "direction" and a.s == b"RIGHT" for a in node.attribute)
    x, amount = node.input
    zero = names.constant(graph, np.array(0, dtype=dtype))
    below, safe, shifted = (names.fresh(s) for s in ("shift_below_width", "shift_safe", "shifted"))
    nodes = [helper.make_node("Less", [amount, names.constant(graph, np.array(dtype.itemsize * 8, dtype=dtype))], [below])]
    in_range = below
    if signed:
        not_negative, in_range = names.fresh("shift_not_negative"), names.fresh("shift_in_range")
        nodes += [
            helper.make_node("GreaterOrEqual", [amount, zero], [not_negative]),
            helper.make_node("And", [below, not_negative], [in_range]),
        ]
    nodes += [
        helper.make_node("Where", [in_range, amount, zero], [safe]),
        helper.make_node("BitShift", [x, safe], [shifted], direction="RIGHT" if right else "LEFT"),
    ]
    fill = zero
    if signed and right:
        negative, fill = names.fresh("shifted_negative"), names.fresh("shift_sign")
        nodes += [
            helper.make_node("Less", [x, zero], [negative]),
            helper.make_node("Where", [negative, names.constant(graph, np.array(-1, dtype=dtype)), zero], [fill]),
        ]
    return nodes + [helper.make_node("Where", [in_range, shifted, fill], [node.output[0]])]


def _closed_form_det(node, shape, graph, names) -> list[onnx.NodeProto] | None:
    if shape is None or len(shape) < 2 or shape[-1] != shape[-2] or shape[-1] > MAX_CLOSED_FORM_DET:
        return None
    size, batch = shape[-1], shape[:-2]
    flat = names.fresh("det_entries")
    entries = [names.fresh("det_entry") for _ in range(size * size)]
    nodes = [
        helper.make_node("Reshape", [node.input[0], names.constant(graph, np.array([*batch, size * size], dtype=np.int64))], [flat]),
        helper.make_node("Split", [flat, names.constant(graph, np.ones(size * size, dtype=np.int64))], entries, axis=-1),
    ]

    def combine(op: str, a: str, b: str) -> str:
        result = names.fresh("det_term")
        nodes.append(helper.make_node(op, [a, b], [result]))
        return result

    def det(rows: list[int], columns: list[int]) -> str:
        """Cofactor expansion along the first of `rows`."""
        if len(rows) == 1:
            return entries[rows[0] * size + columns[0]]
        total = None
        for position, column in enumerate(columns):
            term = combine("Mul", entries[rows[0] * size + column], det(rows[1:], columns[:position] + columns[position + 1 :]))
            total = term if total is None else combine("Sub" if position % 2 else "Add", total, term)
        return total

    determinant = det(list(range(size)), list(range(size)))
    nodes.append(helper.make_node("Reshape", [determinant, names.constant(graph, np.array(batch, dtype=np.int64))], [node.output[0]]))
    return nodes


def _cumprod(node, shape, axis, types, graph, names) -> list[onnx.NodeProto] | None:
    if shape is None or not -len(shape) <= axis < len(shape):
        return None
    axis %= len(shape)
    length = shape[axis]
    if length > MAX_CUMPROD_LENGTH:
        return None
    attributes = {a.name: a.i for a in node.attribute}
    i, j = np.indices((length, length))
    exclusive, reverse = attributes.get("exclusive", 0), attributes.get("reverse", 0)
    mask = (j > i if exclusive else j >= i) if reverse else (j < i if exclusive else j <= i)
    trailing = len(shape) - axis - 1
    mask_name = names.constant(graph, mask.reshape(mask.shape + (1,) * trailing))
    element_type = helper.tensor_dtype_to_np_dtype(types[node.input[0]])
    one = names.constant(graph, np.array(1, dtype=element_type))
    row_axis = names.constant(graph, np.array([axis], dtype=np.int64))
    column_axis = names.constant(graph, np.array([axis + 1], dtype=np.int64))
    rows, masked = names.fresh("cumprod_rows"), names.fresh("cumprod_masked")
    return [
        helper.make_node("Unsqueeze", [node.input[0], row_axis], [rows]),
        helper.make_node("Where", [mask_name, rows, one], [masked]),
        helper.make_node("ReduceProd", [masked, column_axis], [node.output[0]], keepdims=0),
    ]


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


def _ceil_average_pool(node, shape, types, graph, names) -> list[onnx.NodeProto] | None:
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if not attributes.get("ceil_mode") or not attributes.get("count_include_pad") or shape is None:
        return None
    if attributes.get("auto_pad", b"NOTSET") != b"NOTSET":
        return None
    kernel = list(attributes["kernel_shape"])
    spatial = len(kernel)
    strides = list(attributes.get("strides", [1] * spatial))
    dilations = list(attributes.get("dilations", [1] * spatial))
    pads = list(attributes.get("pads", [0] * 2 * spatial))
    low, high = pads[:spatial], pads[spatial:]
    reach, counts = [], []
    for i in range(spatial):
        size = shape[2 + i]
        out = window_output_size(size, kernel[i], strides[i], low[i], high[i], dilations[i], ceil_mode=True)
        reach.append((out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - size - low[i])
        counts.append(window_tap_counts(size, kernel[i], strides[i], low[i], high[i], dilations[i], out, include_pad=True))
    if all(r <= h for r, h in zip(reach, high)) or any(r < 0 for r in reach):
        return None  # no window passes the padding (every convention agrees), or rows no window reads
    counted = np.ones([len(c) for c in counts])
    for i, count in enumerate(counts):
        counted = counted * count.reshape([-1 if j == i else 1 for j in range(spatial)])
    element_type = helper.tensor_dtype_to_np_dtype(types[node.input[0]])
    rescale = names.constant(graph, (np.prod(kernel) / counted).astype(element_type))
    pad_widths = names.constant(graph, np.array([0, 0, *low, 0, 0, *reach], dtype=np.int64))
    padded, whole = names.fresh("padded"), names.fresh("whole_windows")
    pool = onnx.NodeProto()
    pool.CopyFrom(node)
    pool.input[:] = [padded]
    pool.output[:] = [whole]
    kept = [a for a in pool.attribute if a.name not in ("ceil_mode", "pads")]
    del pool.attribute[:]
    pool.attribute.extend(kept)
    return [
        helper.make_node("Pad", [node.input[0], pad_widths], [padded], mode="constant"),
        pool,
        helper.make_node("Mul", [whole, rescale], [node.output[0]]),
    ]


def _full_rank_resize(node, shape, graph, names) -> list[onnx.NodeProto] | None:
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    axes = attributes.get("axes")
    if axes is None or shape is None or attributes.get("keep_aspect_ratio_policy", b"stretch") != b"stretch":
        return None
    rank = len(shape)
    axes = [a % rank for a in axes]
    inputs = list(node.input) + [""] * (4 - len(node.input))
    if inputs[1]:
        return None  # roi per axis (tf_crop_and_resize) has no torch-mlir conversion either way
    nodes = []
    for slot, fill, dtype in ((2, np.ones(1), np.float32), (3, np.array(shape), np.int64)):
        if not inputs[slot]:
            continue
        # Concat(fill, given) then Gather: axis d takes the given value for it, else its fill.
        source = names.constant(graph, fill.astype(dtype))
        offset = len(fill)
        picks = [offset + axes.index(d) if d in axes else (d if len(fill) > 1 else 0) for d in range(rank)]
        joined, full = names.fresh("resize_values"), names.fresh("resize_full")
        nodes += [
            helper.make_node("Concat", [source, inputs[slot]], [joined], axis=0),
            helper.make_node("Gather", [joined, names.constant(graph, np.array(picks, dtype=np.int64))], [full], axis=0),
        ]
        inputs[slot] = full
    resize = onnx.NodeProto()
    resize.CopyFrom(node)
    resize.input[:] = inputs[: 4 if inputs[3] else 3]
    kept = [a for a in resize.attribute if a.name != "axes"]
    del resize.attribute[:]
    resize.attribute.extend(kept)
    return [*nodes, resize]
