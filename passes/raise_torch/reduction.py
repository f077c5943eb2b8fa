"""Raise reductions, softmax and pooling."""

from __future__ import annotations

import math

import numpy as np
from iree.compiler import ir

from ...dialects import Constant, Elementwise, Matmul, Pool, Reduce, Reshape, Softmax
from ...dialects.base import is_float, normalize_axis
from ..base import NoMatch
from .pattern import RaisePattern, TorchOp, cast_to, scalar_tensor

REDUCE_KIND = {
    "torch.aten.sum.dim_IntList": "sum",
    "torch.aten.sum": "sum",
    "torch.aten.mean.dim": "mean",
    "torch.aten.mean": "mean",
    "torch.aten.amax": "max",
    "torch.aten.amin": "min",
    "torch.aten.prod.dim_int": "prod",
    "torch.aten.prod": "prod",
}


class RaiseReduce(RaisePattern):
    """sum, mean, amax, amin, prod over constant dims (all dims when none are given)."""

    ROOTS = tuple(REDUCE_KIND)

    def raise_op(self, op: TorchOp):
        input = op.tensor(0)
        result = op.result_type()
        rank = input.type.rank
        whole = op.name in ("torch.aten.sum", "torch.aten.mean", "torch.aten.prod")
        if whole:
            axes, keepdims = list(range(rank)), False
        else:
            axes = list(range(rank)) if op.is_none(1) or op.constant(1) == [] else op.ints(1)
            keepdims = op.bool(2)
        input = cast_to(input, result.element_type)
        return [Reduce.build(REDUCE_KIND[op.name], input, axes, keepdims).result]


class RaiseMaxMinDim(RaisePattern):
    """max.dim / min.dim whose indices are unused are reductions."""

    ROOTS = ("torch.aten.max.dim", "torch.aten.min.dim")

    def raise_op(self, op: TorchOp):
        if op.result_used(1):
            raise NoMatch("the indices are used (arg-reductions have no gimlet op yet)")
        kind = "max" if op.name == "torch.aten.max.dim" else "min"
        return [Reduce.build(kind, op.tensor(0), [op.int(1)], op.bool(2)).result, None]


class RaiseSoftmax(RaisePattern):
    """softmax / log_softmax along a constant dim."""

    ROOTS = ("torch.aten.softmax.int", "torch.aten._softmax", "torch.aten.log_softmax.int", "torch.aten._log_softmax")

    def raise_op(self, op: TorchOp):
        log = "log_softmax" in op.name
        input = cast_to(op.tensor(0), op.result_type().element_type)
        return [Softmax.build(input, op.int(1), log=log).result]


def _spatial(values: list[int], count: int, default: list[int] | None = None) -> list[int]:
    if not values and default is not None:
        return default
    if len(values) == 1:
        return values * count
    if len(values) > count:
        # torch-mlir's ONNX pooling conversion can append extra entries (seen: strides [2, 2, 1, 1]
        # for a 2-d pool); like its own lowering, use the leading ones. The result type check
        # in RaisePattern catches any misreading.
        return values[:count]
    if len(values) != count:
        raise NoMatch(f"{len(values)} window parameters for {count} spatial dimensions")
    return values


def _padding(values: list[int], count: int) -> list[int]:
    """Low then high padding per spatial axis; torch-mlir passes asymmetric ONNX pads as 2n entries
    (1-d pools too: avg_pool1d padding [1, 2] is low 1, high 2)."""
    if len(values) == 2 * count:
        return values
    symmetric = _spatial(values, count)
    return symmetric + symmetric


class RaiseMaxPool(RaisePattern):
    """max_pool{1,2,3}d(x, kernel, stride, padding, dilation, ceil_mode), with unused indices."""

    ROOTS = (
        "torch.aten.max_pool1d",
        "torch.aten.max_pool2d",
        "torch.aten.max_pool3d",
        "torch.aten.max_pool2d_with_indices",
        "torch.aten.max_pool3d_with_indices",
    )

    def raise_op(self, op: TorchOp):
        input = op.tensor(0)
        count = input.type.rank - 2
        kernel = _spatial(op.ints(1), count)
        strides = _spatial(op.ints(2), count, default=kernel)
        padding = _padding(op.ints(3), count)
        dilations = _spatial(op.ints(4), count)
        pool = Pool.build("max", input, kernel, strides, padding, dilations, ceil_mode=op.bool(5))
        extra = [None] * (len(op.operation.results) - 1)
        return [pool.result, *extra]


class RaiseAvgPool(RaisePattern):
    """avg_pool{1,2,3}d(x, kernel, stride, padding, ceil_mode, count_include_pad[, divisor_override])."""

    ROOTS = ("torch.aten.avg_pool1d", "torch.aten.avg_pool2d", "torch.aten.avg_pool3d")

    def raise_op(self, op: TorchOp):
        if op.num_operands > 6 and not op.is_none(6):
            raise NoMatch("avg_pool with divisor_override")
        input = op.tensor(0)
        count = input.type.rank - 2
        kernel = _spatial(op.ints(1), count)
        strides = _spatial(op.ints(2), count, default=kernel)
        pool = Pool.build(
            "avg", input, kernel, strides, _padding(op.ints(3), count), ceil_mode=op.bool(4), count_include_pad=op.bool(5)
        )
        return [pool.result]


class RaiseAdaptivePool(RaisePattern):
    """Adaptive pooling whose output size divides the input evenly is plain pooling."""

    ROOTS = (
        "torch.aten.adaptive_avg_pool1d",
        "torch.aten.adaptive_avg_pool2d",
        "torch.aten.adaptive_avg_pool3d",
        "torch.aten.adaptive_max_pool2d",
    )

    def raise_op(self, op: TorchOp):
        input = op.tensor(0)
        spatial_in = list(input.type.shape[2:])
        spatial_out = list(op.result_type().shape[2:])
        if len(spatial_in) != len(spatial_out) or any(o < 1 or i % o for i, o in zip(spatial_in, spatial_out)):
            raise NoMatch(f"output size {spatial_out} does not divide input size {spatial_in}")
        kernel = [i // o for i, o in zip(spatial_in, spatial_out)]
        kind = "max" if "max" in op.name else "avg"
        pool = Pool.build(kind, input, kernel, kernel, [0] * (2 * len(kernel)))
        return [pool.result] + [None] * (len(op.operation.results) - 1)


class RaiseVectorNorm(RaisePattern):
    """linalg_vector_norm(x, ord, dim, keepdim, dtype) and norm.ScalarOpt_dim(x, p, dim, keepdim).

    ord 2: sqrt(sum(x·x)); 1: sum(|x|); inf / -inf: max / min of |x|; other p:
    sum(|x|^p)^(1/p). (ord 0, a count of non-zeros, stays foreign.)
    """

    ROOTS = ("torch.aten.linalg_vector_norm", "torch.aten.norm.ScalarOpt_dim")

    def raise_op(self, op: TorchOp):
        result = op.result_type()
        element = result.element_type
        if not is_float(element):
            raise NoMatch(f"norm computed in {element}")
        order = 2.0 if op.is_none(1) else float(op.number(1))
        if order == 0:
            raise NoMatch("ord 0 counts non-zeros; no gimlet form yet")
        keepdims = op.bool(3)
        input = cast_to(op.tensor(0), element)
        rank = input.type.rank
        axes = list(range(rank)) if op.is_none(2) or op.constant(2) == [] else op.ints(2)
        if order == 2:
            squares = Elementwise.build("mul", [input, input]).result
            return [Elementwise.build("sqrt", [Reduce.build("sum", squares, axes, keepdims).result]).result]
        magnitude = Elementwise.build("abs", [input]).result
        if order == 1:
            return [Reduce.build("sum", magnitude, axes, keepdims).result]
        if order in (math.inf, -math.inf):
            return [Reduce.build("max" if order > 0 else "min", magnitude, axes, keepdims).result]
        powered = Elementwise.build("pow", [magnitude, scalar_tensor(order, element)]).result
        total = Reduce.build("sum", powered, axes, keepdims).result
        return [Elementwise.build("pow", [total, scalar_tensor(1.0 / order, element)]).result]


#: Longest axis a cumulative sum is raised along (its mask has length² elements).
MAX_CUMSUM_LENGTH = 4096


class RaiseCumsum(RaisePattern):
    """cumsum along a constant dim, as a product with a lower-triangular mask of ones:
    out[p, i, q] = Σ_j tril[i, j]·x[p, j, q]. torch-mlir lowers cumsum only to its TMTensor
    dialect, which IREE's torch input path does not take here; the product is O(n²) in the axis
    length, so long axes stay foreign."""

    ROOTS = ("torch.aten.cumsum",)

    def raise_op(self, op: TorchOp):
        element_type = op.result_type().element_type
        input = cast_to(op.tensor(0), element_type)
        shape = list(input.type.shape)
        if not shape:
            return [input]
        axis = normalize_axis(op.int(1), len(shape))
        length = shape[axis]
        if length > MAX_CUMSUM_LENGTH:
            raise NoMatch(f"cumsum along an axis of {length} (> {MAX_CUMSUM_LENGTH}) elements")
        mask = Constant.from_numpy(np.tril(np.ones((length, length), dtype=np.bool_)), element_type=ir.IntegerType.get_signless(1))
        rows = [math.prod(shape[:axis]), length, math.prod(shape[axis + 1 :])]
        product = Matmul.build(cast_to(mask.result, element_type), Reshape.build(input, rows).result).result
        return [Reshape.build(product, shape).result]


PATTERNS = [
    RaiseReduce(),
    RaiseCumsum(),
    RaiseMaxMinDim(),
    RaiseSoftmax(),
    RaiseMaxPool(),
    RaiseAvgPool(),
    RaiseAdaptivePool(),
    RaiseVectorNorm(),
]
