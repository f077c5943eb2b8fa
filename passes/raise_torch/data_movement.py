"""Raise constants and data movement: literals, fills, reshapes, transposes, broadcasts, concat, slices, pads, gathers."""

from __future__ import annotations

import math

import numpy as np
from iree.compiler import ir

from ...dialects import Broadcast, Concat, Constant, Elementwise, Gather, Pad, Reshape, Slice, Transpose
from ...dialects.base import DYNAMIC, is_float, is_integer, is_static, normalize_axis
from ..base import NoMatch, defining_op
from .pattern import RaisePattern, TorchOp, cast_to, scalar_tensor
from .torch_ir import is_vtensor, literal_attribute, to_builtin


class RaiseLiteral(RaisePattern):
    """torch.vtensor.literal → gimlet.constant."""

    ROOTS = ("torch.vtensor.literal",)

    def raise_op(self, op: TorchOp):
        return [Constant.build(literal_attribute(op.operation)).result]


FILL_VALUE = {
    "torch.aten.zeros": lambda op: 0,
    "torch.aten.ones": lambda op: 1,
    "torch.aten.full": lambda op: op.number(1),
    "torch.aten.zeros_like": lambda op: 0,
    "torch.aten.ones_like": lambda op: 1,
    "torch.aten.full_like": lambda op: op.number(1),
    "torch.aten.new_zeros": lambda op: 0,
    "torch.aten.new_ones": lambda op: 1,
}


class RaiseFill(RaisePattern):
    """zeros, ones, full and their *_like forms with static shapes are splat constants."""

    ROOTS = tuple(FILL_VALUE)

    def raise_op(self, op: TorchOp):
        result = op.result_type()
        if not is_static(result.shape):
            raise NoMatch("fill of a dynamic shape")
        return [Constant.splat(FILL_VALUE[op.name](op), result).result]


class RaiseArange(RaisePattern):
    """arange with constant bounds is a constant."""

    ROOTS = ("torch.aten.arange", "torch.aten.arange.start", "torch.aten.arange.start_step")

    def raise_op(self, op: TorchOp):
        result = op.result_type()
        if op.name == "torch.aten.arange":
            start, end, step = 0, op.number(0), 1
        elif op.name == "torch.aten.arange.start":
            start, end, step = op.number(0), op.number(1), 1
        else:
            start, end, step = op.number(0), op.number(1), op.number(2)
        element = result.element_type
        dtype = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i64": np.int64, "i32": np.int32}.get(str(element))
        if dtype is None:
            raise NoMatch(f"arange of {element}")
        values = np.arange(start, end, step, dtype=dtype)
        if list(values.shape) != list(result.shape):
            raise NoMatch(f"arange gives {values.shape}, torch expects {result}")
        return [Constant.from_numpy(values, element_type=element).result]


class RaiseIdentity(RaisePattern):
    """Ops that return their input unchanged in inference: clone, contiguous, detach, dropout (eval), ..."""

    ROOTS = (
        "torch.aten.clone",
        "torch.aten.contiguous",
        "torch.aten.detach",
        "torch.aten.alias",
        "torch.aten.lift_fresh_copy",
        "torch.aten.dropout",
        "torch.aten.feature_dropout",
    )

    def raise_op(self, op: TorchOp):
        if op.name in ("torch.aten.dropout", "torch.aten.feature_dropout") and op.bool(2):
            raise NoMatch("dropout in training mode")
        value = op.tensor(0)
        if value.type != op.result_type():
            raise NoMatch(f"{op.name} changes the type from {value.type} to {op.result_type()}")
        return [value]


class RaiseReshape(RaisePattern):
    """view, reshape, flatten, (un)squeeze, unflatten, collapse: same elements, the result's static shape."""

    ROOTS = (
        "torch.aten.view",
        "torch.aten.reshape",
        "torch.aten._unsafe_view",
        "torch.aten.flatten.using_ints",
        "torch.aten.unflatten.int",
        "torch.aten.unsqueeze",
        "torch.aten.squeeze",
        "torch.aten.squeeze.dim",
        "torch.aten.squeeze.dims",
        "torch.prims.collapse",
        "torch.prims.squeeze",
        "torch.aten.view_as",
        "torch.aten.reshape_as",
    )

    def raise_op(self, op: TorchOp):
        value = op.tensor(0)
        result = op.result_type()
        if not is_static(result.shape) or not is_static(value.type.shape):
            raise NoMatch("reshape with dynamic dimensions")
        if value.type == result:
            return [value]
        if math.prod(value.type.shape) != math.prod(result.shape):
            # Seen from torch-mlir's NonMaxSuppression conversion, which assumes one batch: a
            # squeeze of a dimension of 2 typed as if it were 1. Left to torch-mlir, it fails there.
            raise NoMatch(f"the result type {result} does not hold the {value.type} operand's elements")
        return [Reshape.build(value, result.shape).result]


class RaiseTranspose(RaisePattern):
    """transpose.int, permute, t: gimlet.transpose."""

    ROOTS = ("torch.aten.transpose.int", "torch.aten.permute", "torch.aten.t", "torch.aten.numpy_T")

    def raise_op(self, op: TorchOp):
        value = op.tensor(0)
        rank = value.type.rank
        permutation = list(range(rank))
        if op.name == "torch.aten.transpose.int":
            a, b = normalize_axis(op.int(1), rank), normalize_axis(op.int(2), rank)
            permutation[a], permutation[b] = permutation[b], permutation[a]
        elif op.name == "torch.aten.permute":
            permutation = [normalize_axis(d, rank) for d in op.ints(1)]
        else:
            permutation = permutation[::-1]
        if permutation == list(range(rank)):
            return [value]
        return [Transpose.build(value, permutation).result]


class RaiseBroadcast(RaisePattern):
    """broadcast_to and expand to the result's static shape."""

    ROOTS = ("torch.aten.broadcast_to", "torch.aten.expand", "torch.aten.expand_as")

    def raise_op(self, op: TorchOp):
        value = op.tensor(0)
        result = op.result_type()
        if not is_static(result.shape):
            raise NoMatch("broadcast to a dynamic shape")
        if value.type == result:
            return [value]
        return [Broadcast.build(value, result.shape).result]


class RaiseConcat(RaisePattern):
    """cat(tensors, dim); operands are cast to the result's element type as torch promotes them."""

    ROOTS = ("torch.aten.cat", "torch.aten.concat")

    def raise_op(self, op: TorchOp):
        result = op.result_type()
        inputs = [cast_to(v, result.element_type) for v in op.tensors(0)]
        inputs = [v for v in inputs if not (v.type.rank == 1 and v.type.shape[0] == 0)]
        if not inputs:
            raise NoMatch("cat of empty tensors")
        if len(inputs) == 1:
            return [inputs[0]]
        return [Concat.build(inputs, op.int(1)).result]


def _slice_bounds(size: int, start, end, step: int) -> tuple[int, int]:
    """PyTorch's clamping of slice bounds."""
    start = 0 if start is None else start
    end = size if end is None else end
    if start < 0:
        start += size
    if end < 0:
        end += size
    start = min(max(start, 0), size)
    end = min(max(end, start), size)
    return start, end


def _reversed_slice_indices(size: int, start: int, end: int, step: int) -> np.ndarray:
    """The indices a negative-step slice takes, by ONNX's clamping: torch has no negative steps,
    but torch-mlir's ONNX Slice conversion passes them on in slice.Tensor with ONNX's meaning."""
    start = min(max(start + size if start < 0 else start, 0), size - 1)
    end = min(max(end + size if end < 0 else end, -1), size - 1)
    return np.arange(start, end, step, dtype=np.int64)


class RaiseSlice(RaisePattern):
    """slice.Tensor, narrow and select.int along one dimension (a negative step is a gather)."""

    ROOTS = ("torch.aten.slice.Tensor", "torch.aten.narrow", "torch.aten.select.int")

    def raise_op(self, op: TorchOp):
        value = op.tensor(0)
        shape = list(value.type.shape)
        rank = len(shape)
        dim = normalize_axis(op.int(1), rank)
        if dim is None or shape[dim] == DYNAMIC:
            raise NoMatch("slice of a dynamic or missing dimension")
        size = shape[dim]
        step = 1
        if op.name == "torch.aten.slice.Tensor":
            step = op.int(4)
            if step < 0:
                indices = _reversed_slice_indices(size, op.int(2), op.int(3), step)
                if [*shape[:dim], len(indices), *shape[dim + 1 :]] != list(op.result_type().shape):
                    raise NoMatch(f"negative-step slice takes {len(indices)} elements, its result type says otherwise")
                return [Gather.build(value, Constant.from_numpy(indices).result, dim).result]
            start, end = _slice_bounds(size, op.constant(2), op.constant(3), step)
        elif op.name == "torch.aten.narrow":
            start = op.int(2) % size if op.int(2) < 0 else op.int(2)
            end = start + op.int(3)
        else:
            start = op.int(2) % size if op.int(2) < 0 else op.int(2)
            end = start + 1
        if step < 1:
            raise NoMatch("slice with a non-positive step")
        starts, limits, strides = [0] * rank, shape[:], [1] * rank
        starts[dim], limits[dim], strides[dim] = start, end, step
        if starts == [0] * rank and limits == shape and step == 1:
            sliced = value
        else:
            sliced = Slice.build(value, starts, limits, strides).result
        result = op.result_type()
        if sliced.type != result:
            sliced = Reshape.build(sliced, result.shape).result
        return [sliced]


PAD_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}


class RaisePad(RaisePattern):
    """constant_pad_nd, pad, reflection_pad*d and replication_pad*d; negative constant padding crops."""

    ROOTS = (
        "torch.aten.constant_pad_nd",
        "torch.aten.pad",
        "torch.aten.reflection_pad1d",
        "torch.aten.reflection_pad2d",
        "torch.aten.reflection_pad3d",
        "torch.aten.replication_pad1d",
        "torch.aten.replication_pad2d",
        "torch.aten.replication_pad3d",
    )

    def raise_op(self, op: TorchOp):
        value = op.tensor(0)
        pads = op.ints(1)
        mode, fill = "constant", 0.0
        if op.name == "torch.aten.constant_pad_nd":
            fill = op.number(2)
        elif op.name == "torch.aten.pad":
            torch_mode = op.constant(2)
            if torch_mode not in PAD_MODE:
                raise NoMatch(f"pad mode {torch_mode!r}")
            mode = PAD_MODE[torch_mode]
            fill = 0.0 if op.is_none(3) else op.number(3)
        else:
            mode = "reflect" if "reflection" in op.name else "edge"
        if len(pads) % 2 or len(pads) // 2 > value.type.rank:
            raise NoMatch(f"padding {pads} is odd or too long")
        if min(pads, default=0) < 0 and mode != "constant":
            raise NoMatch(f"negative {mode} padding {pads}")
        rank = value.type.rank
        low, high = [0] * rank, [0] * rank
        for i in range(len(pads) // 2):
            low[rank - 1 - i], high[rank - 1 - i] = pads[2 * i], pads[2 * i + 1]
        if not is_float(value.type.element_type) and fill != int(fill):
            raise NoMatch("fractional fill value for an integer tensor")
        if min(low + high) < 0:
            # Negative constant padding crops (ONNX Pad allows it): a slice, then the rest as padding.
            shape = list(value.type.shape)
            if any(shape[d] == DYNAMIC for d in range(rank) if min(low[d], high[d]) < 0):
                raise NoMatch("cropping a dynamic dimension")
            starts = [max(-lo, 0) for lo in low]
            limits = [size - max(-hi, 0) for size, hi in zip(shape, high)]
            if any(start > limit for start, limit in zip(starts, limits)):
                raise NoMatch(f"padding {pads} crops more than the tensor holds")
            value = Slice.build(value, starts, limits, [1] * rank).result
            low, high = [max(lo, 0) for lo in low], [max(hi, 0) for hi in high]
            if not any(low + high):
                return [value]
        return [Pad.build(value, low, high, mode, float(fill)).result]


class RaiseGather(RaisePattern):
    """index_select(x, dim, index) and embedding(weight, indices) take whole slices: gimlet.gather."""

    ROOTS = ("torch.aten.index_select", "torch.aten.embedding")

    def raise_op(self, op: TorchOp):
        if op.name == "torch.aten.embedding":
            return [Gather.build(op.tensor(0), op.tensor(1), 0).result]
        return [Gather.build(op.tensor(0), op.tensor(2), op.int(1)).result]


def _i64() -> ir.Type:
    return ir.IntegerType.get_signless(64)


def _normalized_index(index: ir.Value, size: int) -> ir.Value:
    """An i64 index tensor with negative entries counted from the end of a dimension of `size`."""
    index = cast_to(index, _i64())
    negative = Elementwise.build("lt", [index, scalar_tensor(0, _i64())]).result
    wrapped = Elementwise.build("add", [index, scalar_tensor(size, _i64())]).result
    return Elementwise.build("where", [negative, wrapped, index]).result


def _optional_tensor_list(op: TorchOp, index: int) -> list[ir.Value | None]:
    """Operand `index`, a `torch.prim.ListConstruct` of tensors and Nones, as builtin tensors and Nones."""
    producer = defining_op(op.operand(index))
    if producer is None or producer.name != "torch.prim.ListConstruct":
        raise NoMatch(f"operand #{index} is not a list built in this function")
    values: list[ir.Value | None] = []
    for value in producer.operands:
        if str(value.type) == "!torch.none":
            values.append(None)
        elif is_vtensor(value.type):
            values.append(to_builtin(value))
        else:
            raise NoMatch(f"operand #{index} holds a {value.type}, not a tensor or None")
    return values


class RaiseIndexTensor(RaisePattern):
    """Advanced indexing x[i0, i1, ...] with integer index tensors: one gimlet.gather.

    The index tensors broadcast together; more than one is folded into one linear index
    i0·size1 + i1 over the indexed dimensions merged, after negative indices are wrapped.
    Adjacent indexed dimensions (x[:, i, j]) are replaced in place by the index shape;
    apart (x[i, :, j]), torch puts the index shape first, so they are transposed to the
    front first. Boolean (mask) indices have data-dependent shapes and stay foreign.
    """

    ROOTS = ("torch.aten.index.Tensor", "torch.aten.index.Tensor_hacked_twin")

    def raise_op(self, op: TorchOp):
        data = op.tensor(0)
        shape = list(data.type.shape)
        indices = _optional_tensor_list(op, 1)
        while indices and indices[-1] is None:
            indices.pop()
        positions = [d for d, index in enumerate(indices) if index is not None]
        if not positions:
            raise NoMatch("indexing without index tensors")
        if len(indices) > len(shape):
            raise NoMatch(f"{len(indices)} indices for a rank-{len(shape)} tensor")
        tensors = [indices[d] for d in positions]
        if any(not is_integer(t.type.element_type) or str(t.type.element_type) == "i1" for t in tensors):
            raise NoMatch("boolean (mask) or non-integer indices")
        if positions != list(range(positions[0], positions[-1] + 1)):
            others = [d for d in range(len(shape)) if d not in positions]
            data = Transpose.build(data, positions + others).result
            shape = [shape[d] for d in positions + others]
            positions = list(range(len(positions)))
        first = positions[0]
        if len(tensors) == 1:
            return [Gather.build(data, tensors[0], first).result]
        sizes = [shape[d] for d in positions]
        linear = None
        for d, (index, size) in enumerate(zip(tensors, sizes)):
            term = _normalized_index(index, size)
            stride = int(np.prod(sizes[d + 1 :], dtype=np.int64))
            if stride != 1:
                term = Elementwise.build("mul", [term, scalar_tensor(stride, _i64())]).result
            linear = term if linear is None else Elementwise.build("add", [linear, term]).result
        merged = shape[:first] + [int(np.prod(sizes, dtype=np.int64))] + shape[positions[-1] + 1 :]
        return [Gather.build(Reshape.build(data, merged).result, linear, first).result]


class RaiseTorchGather(RaisePattern):
    """torch.gather(x, dim, index): out[..., i_dim, ...] = x[..., index[..., i_dim, ...], ...].

    One gimlet.gather from x flattened, at the linear index base + index·stride(dim), where
    the constant base holds every other coordinate's share of the offset.
    """

    ROOTS = ("torch.aten.gather",)

    def raise_op(self, op: TorchOp):
        data, index = op.tensor(0), op.tensor(2)
        shape, index_shape = list(data.type.shape), list(index.type.shape)
        rank = len(shape)
        dim = normalize_axis(op.int(1), rank)
        if dim is None or len(index_shape) != rank or rank == 0:
            raise NoMatch("gather needs an index of the data's rank and a valid dim")
        if any(i > s for d, (i, s) in enumerate(zip(index_shape, shape)) if d != dim):
            raise NoMatch(f"index shape {index_shape} exceeds data shape {shape} outside dim {dim}")
        strides = [int(np.prod(shape[d + 1 :], dtype=np.int64)) for d in range(rank)]
        base = np.zeros(index_shape, dtype=np.int64)
        for d in range(rank):
            if d != dim:
                coordinate = np.arange(index_shape[d], dtype=np.int64).reshape([-1 if e == d else 1 for e in range(rank)])
                base = base + coordinate * strides[d]
        linear = _normalized_index(index, shape[dim])
        if strides[dim] != 1:
            linear = Elementwise.build("mul", [linear, scalar_tensor(strides[dim], _i64())]).result
        if base.any():
            linear = Elementwise.build("add", [linear, Constant.from_numpy(base, element_type=_i64()).result]).result
        flat = Reshape.build(data, [int(np.prod(shape, dtype=np.int64))]).result
        return [Gather.build(flat, linear, 0).result]


class RaiseFlip(RaisePattern):
    """flip(x, dims): a gather of each flipped axis at its indices in reverse order."""

    ROOTS = ("torch.aten.flip",)

    def raise_op(self, op: TorchOp):
        value = op.tensor(0)
        rank = value.type.rank
        for axis in sorted({normalize_axis(d, rank) for d in op.ints(1)}):
            length = value.type.shape[axis]
            if length == DYNAMIC:
                raise NoMatch("flip along a dynamic axis")
            reversed_indices = Constant.from_numpy(np.arange(length - 1, -1, -1, dtype=np.int64)).result
            value = Gather.build(value, reversed_indices, axis).result
        return [value]


PATTERNS = [
    RaiseLiteral(),
    RaiseFlip(),
    RaiseFill(),
    RaiseArange(),
    RaiseIdentity(),
    RaiseReshape(),
    RaiseTranspose(),
    RaiseBroadcast(),
    RaiseConcat(),
    RaiseSlice(),
    RaisePad(),
    RaiseGather(),
    RaiseIndexTensor(),
    RaiseTorchGather(),
]

