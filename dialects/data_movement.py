"""Ops that move data without arithmetic: gather, reshape, transpose, broadcast, concat, slice, pad."""

from __future__ import annotations

from typing import Sequence

from iree.compiler import ir

from .base import (
    DYNAMIC,
    Op,
    Work,
    broadcast_shapes,
    f64,
    i64,
    i64_array,
    is_integer,
    normalize_axis,
    num_elements,
    register,
    string,
    tensor_bytes,
)

PAD_MODES = ("constant", "reflect", "edge")


@register
class Gather(Op):
    """Takes slices of `data` along `axis` at `indices` (negative indices count from the end).

    Result shape: data[:axis] + indices.shape + data[axis+1:].
    """

    NAME = "gather"
    MIN_OPERANDS = 2
    MAX_OPERANDS = 2
    REQUIRED_ATTRIBUTES = {"axis": ir.IntegerAttr}

    @staticmethod
    def infer_shape(data: Sequence[int], indices: Sequence[int], axis: int) -> list[int]:
        return [*data[:axis], *indices, *data[axis + 1 :]]

    @classmethod
    def build(cls, data: ir.Value, indices: ir.Value, axis: int, loc=None) -> "Gather":
        axis = normalize_axis(axis, data.type.rank)
        shape = cls.infer_shape(data.type.shape, indices.type.shape, axis)
        return cls.create([data, indices], [ir.RankedTensorType.get(shape, data.type.element_type)], {"axis": i64(axis)}, loc=loc)

    @property
    def data(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def indices(self) -> ir.Value:
        return self.operation.operands[1]

    @property
    def axis(self) -> int:
        return self.int("axis")

    def verify_op(self) -> None:
        if not 0 <= self.axis < self.data.type.rank:
            raise self.fail(f"axis {self.axis} is outside rank {self.data.type.rank}")
        if not is_integer(self.indices.type.element_type):
            raise self.fail(f"indices must be integers, got {self.indices.type.element_type}")
        shape = self.infer_shape(self.data.type.shape, self.indices.type.shape, self.axis)
        self.expect_result_type(ir.RankedTensorType.get(shape, self.data.type.element_type))

    def work(self) -> Work:
        # Only the gathered slices of `data` are read.
        written = tensor_bytes(self.result_type)
        return Work({}, written + tensor_bytes(self.indices.type), written)


@register
class Reshape(Op):
    """The same elements in row-major order, in the result's shape."""

    NAME = "reshape"

    @classmethod
    def build(cls, input: ir.Value, shape: Sequence[int], loc=None) -> "Reshape":
        return cls.create([input], [ir.RankedTensorType.get(list(shape), input.type.element_type)], loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    def verify_op(self) -> None:
        source, result = self.input.type, self.result_type
        if source.element_type != result.element_type:
            raise self.fail("reshape keeps the element type")
        if DYNAMIC not in source.shape and DYNAMIC not in result.shape and num_elements(source) != num_elements(result):
            raise self.fail(f"cannot reshape {source} ({num_elements(source)} elements) to {result}")


@register
class Transpose(Op):
    """Permutes dimensions: result dimension i is input dimension permutation[i]."""

    NAME = "transpose"
    REQUIRED_ATTRIBUTES = {"permutation": ir.DenseI64ArrayAttr}

    @classmethod
    def build(cls, input: ir.Value, permutation: Sequence[int], loc=None) -> "Transpose":
        shape = [input.type.shape[p] for p in permutation]
        return cls.create(
            [input], [ir.RankedTensorType.get(shape, input.type.element_type)], {"permutation": i64_array(permutation)}, loc=loc
        )

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def permutation(self) -> list[int]:
        return self.i64_array("permutation")

    def verify_op(self) -> None:
        permutation = self.permutation
        if sorted(permutation) != list(range(self.input.type.rank)):
            raise self.fail(f"permutation {permutation} is not a permutation of {self.input.type.rank} dimensions")
        shape = [self.input.type.shape[p] for p in permutation]
        self.expect_result_type(ir.RankedTensorType.get(shape, self.input.type.element_type))


@register
class Broadcast(Op):
    """Expands the input to the result shape by NumPy broadcasting rules."""

    NAME = "broadcast"

    @classmethod
    def build(cls, input: ir.Value, shape: Sequence[int], loc=None) -> "Broadcast":
        return cls.create([input], [ir.RankedTensorType.get(list(shape), input.type.element_type)], loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    def verify_op(self) -> None:
        source, result = self.input.type, self.result_type
        if source.element_type != result.element_type:
            raise self.fail("broadcast keeps the element type")
        if source.rank > result.rank or broadcast_shapes(source.shape, result.shape) != list(result.shape):
            raise self.fail(f"{source} does not broadcast to {result}")


@register
class Concat(Op):
    """Joins tensors of one rank and element type along `axis`."""

    NAME = "concat"
    MIN_OPERANDS = 1
    MAX_OPERANDS = None
    REQUIRED_ATTRIBUTES = {"axis": ir.IntegerAttr}

    @staticmethod
    def infer_shape(shapes: Sequence[Sequence[int]], axis: int) -> list[int]:
        shape = list(shapes[0])
        sizes = [s[axis] for s in shapes]
        shape[axis] = DYNAMIC if DYNAMIC in sizes else sum(sizes)
        return shape

    @classmethod
    def build(cls, inputs: Sequence[ir.Value], axis: int, loc=None) -> "Concat":
        axis = normalize_axis(axis, inputs[0].type.rank)
        shape = cls.infer_shape([v.type.shape for v in inputs], axis)
        return cls.create(inputs, [ir.RankedTensorType.get(shape, inputs[0].type.element_type)], {"axis": i64(axis)}, loc=loc)

    @property
    def inputs(self) -> list[ir.Value]:
        return self.operands

    @property
    def axis(self) -> int:
        return self.int("axis")

    def verify_op(self) -> None:
        types = [v.type for v in self.inputs]
        rank, axis = types[0].rank, self.axis
        if not 0 <= axis < rank:
            raise self.fail(f"axis {axis} is outside rank {rank}")
        for t in types[1:]:
            if t.rank != rank or t.element_type != types[0].element_type:
                raise self.fail(f"inputs must share rank and element type, got {types[0]} and {t}")
            if any(a != b for i, (a, b) in enumerate(zip(t.shape, types[0].shape)) if i != axis):
                raise self.fail(f"inputs {types[0]} and {t} differ outside axis {axis}")
        self.expect_result_type(ir.RankedTensorType.get(self.infer_shape([t.shape for t in types], axis), types[0].element_type))


@register
class Slice(Op):
    """A strided window: along each dimension, indices start, start+stride, ... below limit.

    `starts`, `limits` and `strides` have one entry per dimension; starts and
    limits are within the dimension and strides are positive.
    """

    NAME = "slice"
    REQUIRED_ATTRIBUTES = {"starts": ir.DenseI64ArrayAttr, "limits": ir.DenseI64ArrayAttr, "strides": ir.DenseI64ArrayAttr}

    @staticmethod
    def infer_shape(starts, limits, strides) -> list[int]:
        return [max(0, -(-(limit - start) // stride)) for start, limit, stride in zip(starts, limits, strides)]

    @classmethod
    def build(cls, input: ir.Value, starts, limits, strides, loc=None) -> "Slice":
        shape = cls.infer_shape(starts, limits, strides)
        attributes = {"starts": i64_array(starts), "limits": i64_array(limits), "strides": i64_array(strides)}
        return cls.create([input], [ir.RankedTensorType.get(shape, input.type.element_type)], attributes, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def starts(self) -> list[int]:
        return self.i64_array("starts")

    @property
    def limits(self) -> list[int]:
        return self.i64_array("limits")

    @property
    def strides(self) -> list[int]:
        return self.i64_array("strides")

    def verify_op(self) -> None:
        shape = self.input.type.shape
        rank = len(shape)
        if not (len(self.starts) == len(self.limits) == len(self.strides) == rank):
            raise self.fail(f"starts, limits and strides need {rank} entries each")
        for dim, (size, start, limit, stride) in enumerate(zip(shape, self.starts, self.limits, self.strides)):
            if stride < 1:
                raise self.fail(f"stride {stride} of dimension {dim} must be positive")
            if size != DYNAMIC and not (0 <= start <= size and start <= limit <= size):
                raise self.fail(f"dimension {dim}: need 0 <= start ({start}) <= limit ({limit}) <= size ({size})")
        inferred = self.infer_shape(self.starts, self.limits, self.strides)
        self.expect_result_type(ir.RankedTensorType.get(inferred, self.input.type.element_type))

    def work(self) -> Work:
        written = tensor_bytes(self.result_type)
        return Work({}, written, written)


@register
class Pad(Op):
    """Pads each dimension by `pad_low` before and `pad_high` after.

    `mode` constant fills with `value`; reflect mirrors without repeating the
    edge; edge repeats the edge element.
    """

    NAME = "pad"
    REQUIRED_ATTRIBUTES = {"pad_low": ir.DenseI64ArrayAttr, "pad_high": ir.DenseI64ArrayAttr, "mode": ir.StringAttr}
    OPTIONAL_ATTRIBUTES = {"value": ir.FloatAttr}

    @classmethod
    def build(cls, input: ir.Value, pad_low, pad_high, mode: str = "constant", value: float = 0.0, loc=None) -> "Pad":
        shape = [d if d == DYNAMIC else d + lo + hi for d, lo, hi in zip(input.type.shape, pad_low, pad_high)]
        attributes = {"pad_low": i64_array(pad_low), "pad_high": i64_array(pad_high), "mode": string(mode)}
        if mode == "constant":
            attributes["value"] = f64(value)
        return cls.create([input], [ir.RankedTensorType.get(shape, input.type.element_type)], attributes, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def pad_low(self) -> list[int]:
        return self.i64_array("pad_low")

    @property
    def pad_high(self) -> list[int]:
        return self.i64_array("pad_high")

    @property
    def mode(self) -> str:
        return self.string("mode")

    @property
    def value(self) -> float:
        return self.float("value", 0.0)

    def verify_op(self) -> None:
        shape = self.input.type.shape
        rank = len(shape)
        if len(self.pad_low) != rank or len(self.pad_high) != rank:
            raise self.fail(f"pad_low and pad_high need {rank} entries each")
        if min(self.pad_low + self.pad_high, default=0) < 0:
            raise self.fail("padding must be non-negative")
        if self.mode not in PAD_MODES:
            raise self.fail(f"mode must be one of {PAD_MODES}, got '{self.mode}'")
        if self.mode == "reflect" and any(
            d != DYNAMIC and (lo >= d or hi >= d) for d, lo, hi in zip(shape, self.pad_low, self.pad_high)
        ):
            raise self.fail("reflect padding must be smaller than the dimension it pads")
        inferred = [d if d == DYNAMIC else d + lo + hi for d, lo, hi in zip(shape, self.pad_low, self.pad_high)]
        self.expect_result_type(ir.RankedTensorType.get(inferred, self.input.type.element_type))
