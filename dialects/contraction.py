"""Contractions: matrix products, convolutions and attention."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from iree.compiler import ir

from .base import (
    DYNAMIC,
    Op,
    Work,
    boolean,
    broadcast_shapes,
    dtype_name,
    f64,
    i64,
    i64_array,
    num_elements,
    register,
    tensor_bytes,
)


def window_output_size(size: int, kernel: int, stride: int, low: int, high: int, dilation: int, ceil_mode: bool = False) -> int:
    """Output extent of a sliding window, as PyTorch and ONNX define it."""
    if size == DYNAMIC:
        return DYNAMIC
    span = size + low + high - dilation * (kernel - 1) - 1
    if ceil_mode:
        out = -(-span // stride) + 1
        # The last window must start inside the input or its low padding.
        if (out - 1) * stride >= size + low:
            out -= 1
        return out
    return span // stride + 1


def window_tap_counts(size: int, kernel: int, stride: int, low: int, high: int, dilation: int, out: int, include_pad: bool):
    """For each output position along one axis, how many window taps fall in the counted range."""
    start_limit, end_limit = (-low, size + high) if include_pad else (0, size)
    counts = []
    for o in range(out):
        taps = [o * stride - low + k * dilation for k in range(kernel)]
        counts.append(sum(start_limit <= t < end_limit for t in taps))
    return np.array(counts, dtype=np.float64)


@register
class Matmul(Op):
    """Matrix product with NumPy `matmul` semantics: batched and broadcasting.

    A 1-D operand is a vector (its dimension is dropped from the result).
    """

    NAME = "matmul"
    MIN_OPERANDS = 2
    MAX_OPERANDS = 2

    @staticmethod
    def infer_shape(lhs: Sequence[int], rhs: Sequence[int]) -> list[int] | None:
        if not lhs or not rhs:
            return None
        lhs_matrix = list(lhs) if len(lhs) > 1 else [1, lhs[0]]
        rhs_matrix = list(rhs) if len(rhs) > 1 else [rhs[0], 1]
        if DYNAMIC not in (lhs_matrix[-1], rhs_matrix[-2]) and lhs_matrix[-1] != rhs_matrix[-2]:
            return None
        batch = broadcast_shapes(lhs_matrix[:-2], rhs_matrix[:-2])
        if batch is None:
            return None
        shape = batch
        if len(lhs) > 1:
            shape.append(lhs_matrix[-2])
        if len(rhs) > 1:
            shape.append(rhs_matrix[-1])
        return shape

    @classmethod
    def build(cls, lhs: ir.Value, rhs: ir.Value, loc=None) -> "Matmul":
        shape = cls.infer_shape(lhs.type.shape, rhs.type.shape)
        if shape is None:
            raise ValueError(f"matmul of {lhs.type} and {rhs.type} does not type-check")
        return cls.create([lhs, rhs], [ir.RankedTensorType.get(shape, lhs.type.element_type)], loc=loc)

    @property
    def lhs(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def rhs(self) -> ir.Value:
        return self.operation.operands[1]

    def verify_op(self) -> None:
        lhs, rhs = self.lhs.type, self.rhs.type
        if lhs.element_type != rhs.element_type:
            raise self.fail(f"operand element types differ: {lhs.element_type} and {rhs.element_type}")
        shape = self.infer_shape(lhs.shape, rhs.shape)
        if shape is None:
            raise self.fail(f"operands {lhs} and {rhs} have mismatched contraction or batch dimensions")
        self.expect_result_type(ir.RankedTensorType.get(shape, lhs.element_type))

    def contraction_size(self) -> int:
        return self.lhs.type.shape[-1]

    def work(self) -> Work:
        macs = num_elements(self.result_type) * self.contraction_size()
        base = super().work()
        return Work({dtype_name(self.result_type.element_type): 2 * macs}, base.bytes_read, base.bytes_written)


@register
class Conv(Op):
    """N-d convolution, channels first: input [N, C, *spatial], filter [F, C/groups, *kernel], bias [F].

    `padding` lists the low padding of every spatial dimension, then the high.
    """

    NAME = "conv"
    MIN_OPERANDS = 2
    MAX_OPERANDS = 3
    REQUIRED_ATTRIBUTES = {
        "strides": ir.DenseI64ArrayAttr,
        "padding": ir.DenseI64ArrayAttr,
        "dilations": ir.DenseI64ArrayAttr,
        "groups": ir.IntegerAttr,
    }

    @staticmethod
    def infer_shape(input_shape, filter_shape, strides, padding, dilations) -> list[int]:
        n = len(strides)
        spatial = [
            window_output_size(input_shape[2 + i], filter_shape[2 + i], strides[i], padding[i], padding[n + i], dilations[i])
            for i in range(n)
        ]
        return [input_shape[0], filter_shape[0], *spatial]

    @classmethod
    def build(
        cls,
        input: ir.Value,
        filter: ir.Value,
        bias: ir.Value | None,
        strides: Sequence[int],
        padding: Sequence[int],
        dilations: Sequence[int],
        groups: int = 1,
        loc=None,
    ) -> "Conv":
        shape = cls.infer_shape(input.type.shape, filter.type.shape, strides, padding, dilations)
        operands = [input, filter] + ([bias] if bias is not None else [])
        attributes = {
            "strides": i64_array(strides),
            "padding": i64_array(padding),
            "dilations": i64_array(dilations),
            "groups": i64(groups),
        }
        return cls.create(operands, [ir.RankedTensorType.get(shape, input.type.element_type)], attributes, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def filter(self) -> ir.Value:
        return self.operation.operands[1]

    @property
    def bias(self) -> ir.Value | None:
        return self.operation.operands[2] if len(self.operation.operands) > 2 else None

    @property
    def strides(self) -> list[int]:
        return self.i64_array("strides")

    @property
    def padding(self) -> list[int]:
        return self.i64_array("padding")

    @property
    def dilations(self) -> list[int]:
        return self.i64_array("dilations")

    @property
    def groups(self) -> int:
        return self.int("groups")

    @property
    def spatial_rank(self) -> int:
        return self.input.type.rank - 2

    def verify_op(self) -> None:
        input_type, filter_type = self.input.type, self.filter.type
        if input_type.rank < 3 or input_type.rank != filter_type.rank:
            raise self.fail(f"input {input_type} and filter {filter_type} must have the same rank, at least 3")
        n = self.spatial_rank
        if len(self.strides) != n or len(self.dilations) != n or len(self.padding) != 2 * n:
            raise self.fail(f"strides and dilations need {n} entries and padding {2 * n} for {n} spatial dimensions")
        if min(self.strides) < 1 or min(self.dilations) < 1 or min(self.padding) < 0:
            raise self.fail("strides and dilations must be positive and padding non-negative")
        groups = self.groups
        channels, filters, filter_channels = input_type.shape[1], filter_type.shape[0], filter_type.shape[1]
        if groups < 1 or (channels != DYNAMIC and channels != filter_channels * groups) or filters % groups:
            raise self.fail(
                f"with {groups} group(s), input channels ({channels}) must equal filter channels ({filter_channels}) "
                f"times groups, and filters ({filters}) must divide into groups"
            )
        if self.bias is not None and list(self.bias.type.shape) != [filters]:
            raise self.fail(f"bias must have shape [{filters}], got {self.bias.type}")
        for operand in self.operands[1:]:
            if operand.type.element_type != input_type.element_type:
                raise self.fail("input, filter and bias must have the same element type")
        shape = self.infer_shape(input_type.shape, filter_type.shape, self.strides, self.padding, self.dilations)
        if any(d != DYNAMIC and d < 1 for d in shape):
            raise self.fail(f"the window does not fit the padded input (output shape {shape})")
        self.expect_result_type(ir.RankedTensorType.get(shape, input_type.element_type))

    def work(self) -> Work:
        filter_shape = self.filter.type.shape
        window = math.prod(filter_shape[1:])
        outputs = num_elements(self.result_type)
        flops = 2 * outputs * window + (outputs if self.bias is not None else 0)
        base = super().work()
        return Work({dtype_name(self.result_type.element_type): flops}, base.bytes_read, base.bytes_written)


@register
class Attention(Op):
    """Scaled dot-product attention: softmax(q·kᵀ·scale + mask)·v.

    q [..., L, E], k [..., S, E], v [..., S, Ev] → [..., L, Ev]. The optional
    mask broadcasts to [..., L, S]: i1 keeps where true, a float mask is
    added. `causal` masks out keys after the query's position.
    """

    NAME = "attention"
    MIN_OPERANDS = 3
    MAX_OPERANDS = 4
    OPTIONAL_ATTRIBUTES = {"scale": ir.FloatAttr, "causal": ir.BoolAttr}

    @staticmethod
    def infer_shape(q, k, v) -> list[int] | None:
        if min(len(q), len(k), len(v)) < 2 or not (len(q) == len(k) == len(v)):
            return None
        if q[-1] != k[-1] or k[-2] != v[-2] or list(q[:-2]) != list(k[:-2]) or list(k[:-2]) != list(v[:-2]):
            return None
        return [*q[:-1], v[-1]]

    @classmethod
    def build(cls, q, k, v, mask=None, scale: float | None = None, causal: bool = False, loc=None) -> "Attention":
        shape = cls.infer_shape(q.type.shape, k.type.shape, v.type.shape)
        if shape is None:
            raise ValueError(f"attention of {q.type}, {k.type}, {v.type} does not type-check")
        attributes = {"causal": boolean(causal)}
        if scale is not None:
            attributes["scale"] = f64(scale)
        operands = [q, k, v] + ([mask] if mask is not None else [])
        return cls.create(operands, [ir.RankedTensorType.get(shape, q.type.element_type)], attributes, loc=loc)

    @property
    def query(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def key(self) -> ir.Value:
        return self.operation.operands[1]

    @property
    def value(self) -> ir.Value:
        return self.operation.operands[2]

    @property
    def mask(self) -> ir.Value | None:
        return self.operation.operands[3] if len(self.operation.operands) > 3 else None

    @property
    def causal(self) -> bool:
        return self.bool("causal")

    @property
    def scale(self) -> float:
        """The scale applied to q·kᵀ; 1/sqrt(E) unless the op says otherwise."""
        return self.float("scale", 1.0 / math.sqrt(self.query.type.shape[-1]))

    def scores_shape(self) -> list[int]:
        return [*self.query.type.shape[:-1], self.key.type.shape[-2]]

    def verify_op(self) -> None:
        q, k, v = self.query.type, self.key.type, self.value.type
        if not (q.element_type == k.element_type == v.element_type):
            raise self.fail("query, key and value must have the same element type")
        shape = self.infer_shape(q.shape, k.shape, v.shape)
        if shape is None:
            raise self.fail(f"query {q}, key {k} and value {v} need shapes [..., L, E], [..., S, E], [..., S, Ev]")
        if self.mask is not None:
            mask = self.mask.type
            if broadcast_shapes(mask.shape, self.scores_shape()) != self.scores_shape():
                raise self.fail(f"mask {mask} does not broadcast to the scores shape {self.scores_shape()}")
            if not (mask.element_type == q.element_type or str(mask.element_type) == "i1"):
                raise self.fail(f"mask must be i1 or {q.element_type}, got {mask.element_type}")
        self.expect_result_type(ir.RankedTensorType.get(shape, q.element_type))

    def work(self) -> Work:
        q, v = self.query.type, self.value.type
        scores = num_elements(ir.RankedTensorType.get(self.scores_shape(), q.element_type))
        keys = self.key.type.shape[-2]
        flops = 2 * scores * q.shape[-1]  # q·kᵀ
        flops += scores  # scale
        if self.mask is not None or self.causal:
            flops += scores  # masking
        rows = scores // max(keys, 1)
        flops += rows * (5 * keys - 2)  # softmax: max, subtract, exp, sum, divide
        flops += 2 * scores * v.shape[-1]  # probabilities·v
        return Work(
            {dtype_name(q.element_type): flops},
            sum(tensor_bytes(o.type) for o in self.operands),
            tensor_bytes(self.result_type),
        )
