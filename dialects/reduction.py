"""Reductions over axes and windows: reduce, softmax, pooling."""

from __future__ import annotations

import math
from typing import Sequence

from iree.compiler import ir

from .base import (
    DYNAMIC,
    Op,
    Work,
    boolean,
    dtype_name,
    i64,
    i64_array,
    is_float,
    normalize_axis,
    num_elements,
    register,
    string,
)
from .contraction import window_output_size

REDUCE_KINDS = ("sum", "mean", "max", "min", "prod")
POOL_KINDS = ("max", "avg")


@register
class Reduce(Op):
    """Reduces `axes` (sorted, non-negative) with `kind`; `keepdims` keeps them as size 1."""

    NAME = "reduce"
    REQUIRED_ATTRIBUTES = {"kind": ir.StringAttr, "axes": ir.DenseI64ArrayAttr, "keepdims": ir.BoolAttr}

    @staticmethod
    def infer_shape(shape: Sequence[int], axes: Sequence[int], keepdims: bool) -> list[int]:
        if keepdims:
            return [1 if i in axes else d for i, d in enumerate(shape)]
        return [d for i, d in enumerate(shape) if i not in axes]

    @classmethod
    def build(cls, kind: str, input: ir.Value, axes: Sequence[int], keepdims: bool, loc=None) -> "Reduce":
        rank = input.type.rank
        axes = sorted({normalize_axis(a, rank) for a in axes})
        shape = cls.infer_shape(input.type.shape, axes, keepdims)
        attributes = {"kind": string(kind), "axes": i64_array(axes), "keepdims": boolean(keepdims)}
        return cls.create([input], [ir.RankedTensorType.get(shape, input.type.element_type)], attributes, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def kind(self) -> str:
        return self.string("kind")

    @property
    def axes(self) -> list[int]:
        return self.i64_array("axes")

    @property
    def keepdims(self) -> bool:
        return self.bool("keepdims")

    def verify_op(self) -> None:
        if self.kind not in REDUCE_KINDS:
            raise self.fail(f"kind must be one of {REDUCE_KINDS}, got '{self.kind}'")
        rank = self.input.type.rank
        axes = self.axes
        if axes != sorted(set(axes)) or any(not 0 <= a < rank for a in axes):
            raise self.fail(f"axes {axes} must be sorted, unique and within rank {rank}")
        if self.kind == "mean" and not is_float(self.input.type.element_type):
            raise self.fail("mean takes a floating-point input")
        shape = self.infer_shape(self.input.type.shape, axes, self.keepdims)
        self.expect_result_type(ir.RankedTensorType.get(shape, self.input.type.element_type))

    def work(self) -> Work:
        inputs, outputs = num_elements(self.input.type), num_elements(self.result_type)
        flops = inputs - outputs + (outputs if self.kind == "mean" else 0)
        base = super().work()
        return Work({dtype_name(self.input.type.element_type): flops}, base.bytes_read, base.bytes_written)


@register
class Softmax(Op):
    """exp(x - max) / sum(exp(x - max)) along `axis`; with `log`, its logarithm."""

    NAME = "softmax"
    REQUIRED_ATTRIBUTES = {"axis": ir.IntegerAttr}
    OPTIONAL_ATTRIBUTES = {"log": ir.BoolAttr}

    @classmethod
    def build(cls, input: ir.Value, axis: int, log: bool = False, loc=None) -> "Softmax":
        axis = normalize_axis(axis, input.type.rank)
        attributes = {"axis": i64(axis), "log": boolean(log)}
        return cls.create([input], [input.type], attributes, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def axis(self) -> int:
        return self.int("axis")

    @property
    def log(self) -> bool:
        return self.bool("log")

    def verify_op(self) -> None:
        if not 0 <= self.axis < self.input.type.rank:
            raise self.fail(f"axis {self.axis} is outside rank {self.input.type.rank}")
        if not is_float(self.input.type.element_type):
            raise self.fail("softmax takes a floating-point input")
        self.expect_result_type(self.input.type)

    def work(self) -> Work:
        n = self.input.type.shape[self.axis]
        rows = num_elements(self.input.type) // max(n, 1)
        # max (n-1), subtract (n), exp (n), sum (n-1), then divide (n) or log + subtract (1 + n)
        per_row = 5 * n - 2 if not self.log else 5 * n - 1
        base = super().work()
        return Work({dtype_name(self.input.type.element_type): rows * per_row}, base.bytes_read, base.bytes_written)


@register
class Pool(Op):
    """Max or average pooling over the spatial dimensions of [N, C, *spatial].

    `padding` lists the low padding of every spatial dimension, then the high.
    Average pooling divides by the window's size within the padded input when
    `count_include_pad`, else by the number of input elements it covers.
    """

    NAME = "pool"
    REQUIRED_ATTRIBUTES = {
        "kind": ir.StringAttr,
        "kernel": ir.DenseI64ArrayAttr,
        "strides": ir.DenseI64ArrayAttr,
        "padding": ir.DenseI64ArrayAttr,
        "dilations": ir.DenseI64ArrayAttr,
    }
    OPTIONAL_ATTRIBUTES = {"ceil_mode": ir.BoolAttr, "count_include_pad": ir.BoolAttr}

    @staticmethod
    def infer_shape(shape, kernel, strides, padding, dilations, ceil_mode) -> list[int]:
        n = len(kernel)
        spatial = [
            window_output_size(shape[2 + i], kernel[i], strides[i], padding[i], padding[n + i], dilations[i], ceil_mode)
            for i in range(n)
        ]
        return [shape[0], shape[1], *spatial]

    @classmethod
    def build(
        cls,
        kind: str,
        input: ir.Value,
        kernel: Sequence[int],
        strides: Sequence[int],
        padding: Sequence[int],
        dilations: Sequence[int] | None = None,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        loc=None,
    ) -> "Pool":
        dilations = list(dilations or [1] * len(kernel))
        shape = cls.infer_shape(input.type.shape, kernel, strides, padding, dilations, ceil_mode)
        attributes = {
            "kind": string(kind),
            "kernel": i64_array(kernel),
            "strides": i64_array(strides),
            "padding": i64_array(padding),
            "dilations": i64_array(dilations),
            "ceil_mode": boolean(ceil_mode),
            "count_include_pad": boolean(count_include_pad),
        }
        return cls.create([input], [ir.RankedTensorType.get(shape, input.type.element_type)], attributes, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def kind(self) -> str:
        return self.string("kind")

    @property
    def kernel(self) -> list[int]:
        return self.i64_array("kernel")

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
    def ceil_mode(self) -> bool:
        return self.bool("ceil_mode")

    @property
    def count_include_pad(self) -> bool:
        return self.bool("count_include_pad", True)

    def verify_op(self) -> None:
        if self.kind not in POOL_KINDS:
            raise self.fail(f"kind must be one of {POOL_KINDS}, got '{self.kind}'")
        n = self.input.type.rank - 2
        if n < 1:
            raise self.fail(f"input {self.input.type} needs [N, C, *spatial] with at least one spatial dimension")
        if len(self.kernel) != n or len(self.strides) != n or len(self.dilations) != n or len(self.padding) != 2 * n:
            raise self.fail(f"kernel, strides and dilations need {n} entries and padding {2 * n}")
        if min(self.kernel) < 1 or min(self.strides) < 1 or min(self.dilations) < 1 or min(self.padding) < 0:
            raise self.fail("kernel, strides and dilations must be positive and padding non-negative")
        if any(p >= k for p, k in zip(self.padding, self.kernel * 2)):
            raise self.fail(f"padding {self.padding} must be smaller than the kernel {self.kernel}")
        shape = self.infer_shape(
            self.input.type.shape, self.kernel, self.strides, self.padding, self.dilations, self.ceil_mode
        )
        if any(d != DYNAMIC and d < 1 for d in shape):
            raise self.fail(f"the window does not fit the padded input (output shape {shape})")
        self.expect_result_type(ir.RankedTensorType.get(shape, self.input.type.element_type))

    def work(self) -> Work:
        outputs = num_elements(self.result_type)
        window = math.prod(self.kernel)
        flops = outputs * (window - 1) + (outputs if self.kind == "avg" else 0)
        base = super().work()
        return Work({dtype_name(self.input.type.element_type): flops}, base.bytes_read, base.bytes_written)
