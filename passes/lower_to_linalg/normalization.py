"""Normalisations decompose into gimlet reductions and elementwise ops, which lower further."""

from __future__ import annotations

from iree.compiler import ir

from ...dialects import BatchNorm, Constant, Elementwise, LayerNorm, Reduce, Reshape
from ..base import RewritePattern


def _scalar(value: float, element: ir.Type) -> ir.Value:
    return Constant.splat(value, ir.RankedTensorType.get([], element)).result


def _ew(fn: str, *operands: ir.Value) -> ir.Value:
    return Elementwise.build(fn, list(operands)).result


class DecomposeLayerNorm(RewritePattern):
    """d = x - mean(x); y = d · rsqrt(mean(d²) + ε) · weight + bias."""

    ROOTS = (LayerNorm.operation_name(),)

    def rewrite(self, operation):
        op = LayerNorm(operation)
        x = op.input
        axes = list(range(op.axis, x.type.rank))
        element = x.type.element_type
        centered = _ew("sub", x, Reduce.build("mean", x, axes, keepdims=True).result)
        variance = Reduce.build("mean", _ew("mul", centered, centered), axes, keepdims=True).result
        inverse = _ew("rsqrt", _ew("add", variance, _scalar(op.epsilon, element)))
        y = _ew("mul", centered, inverse)
        if op.weight is not None:
            y = _ew("mul", y, op.weight)
        if op.bias is not None:
            y = _ew("add", y, op.bias)
        return [y]


class DecomposeBatchNorm(RewritePattern):
    """y = x · a + b per channel, a = scale · rsqrt(var + ε), b = bias - mean · a (constants fold in IREE)."""

    ROOTS = (BatchNorm.operation_name(),)

    def rewrite(self, operation):
        op = BatchNorm(operation)
        x = op.input
        element = x.type.element_type
        a = _ew("mul", op.scale, _ew("rsqrt", _ew("add", op.var, _scalar(op.epsilon, element))))
        b = _ew("sub", op.bias, _ew("mul", op.mean, a))
        per_channel = [x.type.shape[1]] + [1] * (x.type.rank - 2)
        a = Reshape.build(a, per_channel).result
        b = Reshape.build(b, per_channel).result
        return [_ew("add", _ew("mul", x, a), b)]


PATTERNS = [DecomposeLayerNorm(), DecomposeBatchNorm()]
