"""Constants and data movement → arith, tensor and linalg ops."""

from __future__ import annotations

from iree.compiler import ir
from iree.compiler.dialects import arith, linalg, tensor

from ...dialects import Broadcast, Concat, Constant, Gather, Pad, Reshape, Slice, Transpose
from ..base import RewritePattern
from .builders import PARALLEL, empty, generic, identity_map, index_cast, loop_index, map_elements, reshape, scalar


class LowerConstant(RewritePattern):
    ROOTS = (Constant.operation_name(),)

    def rewrite(self, operation):
        op = Constant(operation)
        return [arith.constant(op.result_type, op.value)]


class LowerReshape(RewritePattern):
    ROOTS = (Reshape.operation_name(),)

    def rewrite(self, operation):
        op = Reshape(operation)
        return [reshape(op.input, op.result_type.shape)]


class LowerTranspose(RewritePattern):
    ROOTS = (Transpose.operation_name(),)

    def rewrite(self, operation):
        op = Transpose(operation)
        init = empty(op.result_type.shape, op.result_type.element_type)
        return [linalg.transpose(op.input, outs=[init], permutation=op.permutation).results[0]]


class LowerBroadcast(RewritePattern):
    ROOTS = (Broadcast.operation_name(),)

    def rewrite(self, operation):
        op = Broadcast(operation)
        return [map_elements([op.input], op.result_type, lambda x: x)]


class LowerConcat(RewritePattern):
    """Each input inserted at its offset along the axis into an empty result."""

    ROOTS = (Concat.operation_name(),)

    def rewrite(self, operation):
        op = Concat(operation)
        result = op.result_type
        value = empty(result.shape, result.element_type)
        offset = 0
        for input in op.inputs:
            shape = list(input.type.shape)
            offsets = [0] * result.rank
            offsets[op.axis] = offset
            value = tensor.insert_slice(input, value, [], [], [], offsets, shape, [1] * result.rank)
            offset += shape[op.axis]
        return [value]


class LowerSlice(RewritePattern):
    ROOTS = (Slice.operation_name(),)

    def rewrite(self, operation):
        op = Slice(operation)
        result = op.result_type
        return [tensor.extract_slice(result, op.input, [], [], [], op.starts, list(result.shape), op.strides)]


class LowerPad(RewritePattern):
    """Constant padding as tensor.pad; reflect and edge padding as a gather from clamped indices."""

    ROOTS = (Pad.operation_name(),)

    def rewrite(self, operation):
        op = Pad(operation)
        if op.mode == "constant":
            return [self._constant(op)]
        return [self._mirrored(op)]

    @staticmethod
    def _constant(op: Pad) -> ir.Value:
        pad = tensor.PadOp(op.result_type, op.input, [], [], op.pad_low, op.pad_high)
        block = pad.regions[0].blocks.append(*[ir.IndexType.get()] * op.input.type.rank)
        with ir.InsertionPoint(block):
            tensor.YieldOp(scalar(op.value, op.input.type.element_type))
        return pad.result

    @staticmethod
    def _mirrored(op: Pad) -> ir.Value:
        source = op.input
        result = op.result_type
        reflect = op.mode == "reflect"

        def body(_out):
            indices = []
            for axis, (size, low) in enumerate(zip(source.type.shape, op.pad_low)):
                i = arith.subi(loop_index(axis), scalar(low, ir.IndexType.get()))
                last = scalar(size - 1, ir.IndexType.get())
                zero = scalar(0, ir.IndexType.get())
                if reflect:
                    # j = last - |last - |i||, valid while the padding is smaller than the size.
                    magnitude = arith.maxsi(i, arith.subi(zero, i))
                    distance = arith.subi(last, magnitude)
                    i = arith.subi(last, arith.maxsi(distance, arith.subi(zero, distance)))
                else:
                    i = arith.minsi(arith.maxsi(i, zero), last)
                indices.append(i)
            return tensor.extract(source, indices)

        init = empty(result.shape, result.element_type)
        return generic([], init, [identity_map(result.rank)], [PARALLEL] * result.rank, body)


class LowerGather(RewritePattern):
    """A linalg.generic over the result that reads each index and extracts from the data."""

    ROOTS = (Gather.operation_name(),)

    def rewrite(self, operation):
        op = Gather(operation)
        data, indices, axis = op.data, op.indices, op.axis
        result = op.result_type
        index_rank = indices.type.rank
        size = data.type.shape[axis]
        loops = [ir.AffineDimExpr.get(i) for i in range(result.rank)]
        index_map = ir.AffineMap.get(result.rank, 0, loops[axis : axis + index_rank])

        def body(index, _out):
            position = index_cast(index)
            negative = arith.cmpi(arith.CmpIPredicate.slt, position, scalar(0, ir.IndexType.get()))
            position = arith.select(negative, arith.addi(position, scalar(size, ir.IndexType.get())), position)
            leading = [loop_index(i) for i in range(axis)]
            trailing = [loop_index(axis + index_rank + i) for i in range(data.type.rank - axis - 1)]
            return tensor.extract(data, [*leading, position, *trailing])

        init = empty(result.shape, result.element_type)
        maps = [index_map, identity_map(result.rank)]
        return [generic([indices], init, maps, [PARALLEL] * result.rank, body)]


PATTERNS = [
    LowerConstant(),
    LowerReshape(),
    LowerTranspose(),
    LowerBroadcast(),
    LowerConcat(),
    LowerSlice(),
    LowerPad(),
    LowerGather(),
]
