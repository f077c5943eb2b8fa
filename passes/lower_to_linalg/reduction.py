"""Reductions: reduce → linalg.generic, softmax → gimlet ops, pool → linalg.generic over windows."""

from __future__ import annotations

import math

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith

from ...dialects import Constant, Elementwise, Pad, Pool, Reduce, Slice, Softmax, Transpose
from ...dialects.contraction import window_tap_counts
from ..base import RewritePattern
from .builders import PARALLEL, REDUCTION, affine_map, dims, empty, filled, float_maximum, float_minimum, generic, highest, is_16bit_float, lowest

_IDENTITY = {"sum": lambda t: 0, "prod": lambda t: 1, "max": lowest, "min": highest}


def _combine(kind: str, acc: ir.Value, x: ir.Value) -> ir.Value:
    if isinstance(x.type, ir.FloatType):
        ops = {"sum": arith.addf, "prod": arith.mulf, "max": float_maximum, "min": float_minimum}
    elif x.type.width == 1:
        # i1 is signed -1/0 to maxsi and minsi; bools need unsigned max (or) and min (and).
        ops = {"sum": arith.addi, "prod": arith.muli, "max": arith.maxui, "min": arith.minui}
    else:
        ops = {"sum": arith.addi, "prod": arith.muli, "max": arith.maxsi, "min": arith.minsi}
    return ops[kind](acc, x)


class LowerReduce(RewritePattern):
    """sum, prod, max, min as a linalg.generic with reduction loops; mean as sum / count."""

    ROOTS = (Reduce.operation_name(),)

    def rewrite(self, operation):
        op = Reduce(operation)
        input, axes = op.input, op.axes
        element = input.type.element_type
        kind = "sum" if op.kind == "mean" else op.kind
        rank = input.type.rank
        loops = dims(rank)
        if op.keepdims:
            out_exprs = [ir.AffineConstantExpr.get(0) if i in axes else loops[i] for i in range(rank)]
        else:
            out_exprs = [loops[i] for i in range(rank) if i not in axes]
        init = filled(op.result_type.shape, element, _IDENTITY[kind](element))
        iterators = [REDUCTION if i in axes else PARALLEL for i in range(rank)]
        maps = [affine_map(rank, loops), affine_map(rank, out_exprs)]
        value = generic([input], init, maps, iterators, lambda x, acc: _combine(kind, acc, x))
        if op.kind == "mean":
            count = math.prod(input.type.shape[a] for a in axes)
            divisor = Constant.splat(float(count), ir.RankedTensorType.get([], element)).result
            value = Elementwise.build("div", [value, divisor]).result
        return [value]


class DecomposeSoftmax(RewritePattern):
    """exp(x - max) / sum(exp(x - max)); log-softmax as (x - max) - log(sum(exp(x - max))).

    16-bit floats are computed in f32 and rounded once at the end, as ONNX
    Runtime does: a sum of exponentials accumulated in f16 is off by ulps.
    """

    ROOTS = (Softmax.operation_name(),)

    def rewrite(self, operation):
        op = Softmax(operation)
        x, axis = op.input, op.axis
        element = x.type.element_type
        if is_16bit_float(element):
            wide = Elementwise.build("cast", [x], element_type=ir.F32Type.get()).result
            result = Softmax.build(wide, axis, log=op.log).result
            return [Elementwise.build("cast", [result], element_type=element).result]
        peak = Reduce.build("max", x, [axis], keepdims=True).result
        shifted = Elementwise.build("sub", [x, peak]).result
        exponentials = Elementwise.build("exp", [shifted]).result
        total = Reduce.build("sum", exponentials, [axis], keepdims=True).result
        if op.log:
            return [Elementwise.build("sub", [shifted, Elementwise.build("log", [total]).result]).result]
        return [Elementwise.build("div", [exponentials, total]).result]


def _placed(channels_last: bool, batch, channel, spatial: list) -> list:
    """[batch, channel, *spatial] in NHWC order where `channels_last`, else as given."""
    return [batch, *spatial, channel] if channels_last else [batch, channel, *spatial]


class LowerPool(RewritePattern):
    """Pooling as a linalg.generic over (n, c, out..., window...) after explicit padding.

    Average pooling sums, then divides by a divisor computed here from the
    shapes, which is exact for every padding and ceil-mode combination. With
    `channels_last`, 2-d pools run in NHWC between transposes, as convolutions
    do, with the channel loop innermost: an NCHW max pool after ResNet-18's
    stem kept every residual add after it NCHW, and cost 209 µs against 40.
    """

    ROOTS = (Pool.operation_name(),)

    def __init__(self, channels_last: bool = False):
        self.channels_last = channels_last

    def rewrite(self, operation):
        op = Pool(operation)
        input = op.input
        element = input.type.element_type
        n = input.type.rank - 2
        kernel, strides, dilations, padding = op.kernel, op.strides, op.dilations, op.padding
        in_spatial = list(input.type.shape[2:])
        out_spatial = list(op.result_type.shape[2:])
        channels_last = self.channels_last and n == 2
        batch, channels = op.result_type.shape[:2]

        if channels_last:
            input = Transpose.build(input, [0, 2, 3, 1]).result
        low = padding[:n]
        # The windows read exactly `used` elements per axis: ceil mode may push the last window
        # past the padding (pad more), and the last rows may fall in no window (slice them off;
        # IREE infers loop ranges from operand extents and rejects a larger input).
        used = [(out_spatial[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 for i in range(n)]
        high = [used[i] - in_spatial[i] - low[i] for i in range(n)]
        kind = "max" if op.kind == "max" else "sum"
        fill = lowest(element) if kind == "max" else 0.0
        if any(low) or any(h > 0 for h in high):
            input = Pad.build(input, _placed(channels_last, 0, 0, low), _placed(channels_last, 0, 0, [max(h, 0) for h in high]), "constant", float(fill)).result
        if any(h < 0 for h in high):
            input = Slice.build(input, [0] * (n + 2), _placed(channels_last, batch, channels, used), [1] * (n + 2)).result
        pooled = self._window_reduce(kind, input, _placed(channels_last, batch, channels, out_spatial), element, kernel, strides, dilations, channels_last)
        if channels_last:
            pooled = Transpose.build(pooled, [0, 3, 1, 2]).result
        if op.kind == "avg":
            divisor = np.ones(out_spatial)
            for i in range(n):
                counts = window_tap_counts(
                    in_spatial[i], kernel[i], strides[i], padding[i], padding[n + i], dilations[i], out_spatial[i], op.count_include_pad
                )
                shape = [1] * n
                shape[i] = out_spatial[i]
                divisor = divisor * counts.reshape(shape)
            if np.all(divisor == divisor.flat[0]):
                divisor_value = Constant.splat(float(divisor.flat[0]), ir.RankedTensorType.get([], element)).result
            else:
                divisor_value = Constant.from_numpy(divisor.astype(np.float32)).result
                if element != divisor_value.type.element_type:
                    divisor_value = Elementwise.build("cast", [divisor_value], element_type=element).result
            pooled = Elementwise.build("div", [pooled, divisor_value]).result
        return [pooled]

    @staticmethod
    def _window_reduce(kind, input, result_shape, element, kernel, strides, dilations, channels_last: bool) -> ir.Value:
        """Loops in the result's layout order (channels innermost when it is last, where IREE
        vectorises), then the window's."""
        n = len(kernel)
        loop_count = 2 + 2 * n
        loops = dims(loop_count)
        batch, *parallel = loops[: 2 + n]
        channel, outs = (parallel[-1], parallel[:-1]) if channels_last else (parallel[0], parallel[1:])
        windows = loops[2 + n :]
        spatial = [outs[i] * strides[i] + windows[i] * dilations[i] for i in range(n)]
        maps = [
            affine_map(loop_count, _placed(channels_last, batch, channel, spatial)),
            affine_map(loop_count, windows),
            affine_map(loop_count, _placed(channels_last, batch, channel, outs)),
        ]
        window = empty(kernel, element)
        init = filled(result_shape, element, lowest(element) if kind == "max" else 0)
        iterators = [PARALLEL] * (2 + n) + [REDUCTION] * n
        return generic([input, window], init, maps, iterators, lambda x, _w, acc: _combine(kind, acc, x))


def patterns(channels_last: bool = False) -> list[RewritePattern]:
    return [LowerReduce(), DecomposeSoftmax(), LowerPool(channels_last)]
