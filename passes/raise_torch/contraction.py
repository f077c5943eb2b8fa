"""Raise matrix products, convolutions and attention."""

from __future__ import annotations

from ...dialects import Attention, Conv, Elementwise, Matmul, Transpose
from ..base import NoMatch
from .pattern import RaisePattern, TorchOp, cast_to


class RaiseMatmul(RaisePattern):
    """mm, bmm and matmul are one gimlet.matmul (NumPy semantics covers all three)."""

    ROOTS = ("torch.aten.mm", "torch.aten.bmm", "torch.aten.matmul")

    def raise_op(self, op: TorchOp):
        return [Matmul.build(op.tensor(0), op.tensor(1)).result]


def _transposed_matrix(value):
    rank = value.type.rank
    permutation = list(range(rank - 2)) + [rank - 1, rank - 2]
    return Transpose.build(value, permutation).result


class RaiseLinear(RaisePattern):
    """linear(x, w, b) = x·wᵀ + b."""

    ROOTS = ("torch.aten.linear",)

    def raise_op(self, op: TorchOp):
        weight = op.tensor(1)
        if weight.type.rank != 2:
            raise NoMatch("linear needs a 2-d weight")
        value = Matmul.build(op.tensor(0), _transposed_matrix(weight)).result
        bias = op.optional_tensor(2)
        if bias is not None:
            value = Elementwise.build("add", [value, bias]).result
        return [value]


class RaiseAddmm(RaisePattern):
    """addmm(bias, a, b) = bias + a·b (beta = alpha = 1 only)."""

    ROOTS = ("torch.aten.addmm",)

    def raise_op(self, op: TorchOp):
        if op.number(3) != 1 or op.number(4) != 1:
            raise NoMatch("addmm with beta or alpha other than 1")
        product = Matmul.build(op.tensor(1), op.tensor(2)).result
        return [Elementwise.build("add", [product, op.tensor(0)]).result]


def _per_dim(values: list[int], count: int, name: str) -> list[int]:
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise NoMatch(f"{name} has {len(values)} entries for {count} spatial dimensions")
    return values


class RaiseConvolution(RaisePattern):
    """convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)."""

    ROOTS = ("torch.aten.convolution", "torch.aten._convolution")

    def raise_op(self, op: TorchOp):
        if op.bool(6):
            raise NoMatch("transposed convolution has no gimlet op yet")
        input, weight = op.tensor(0), op.tensor(1)
        spatial = input.type.rank - 2
        strides = _per_dim(op.ints(3), spatial, "stride")
        padding = _per_dim(op.ints(4), spatial, "padding")
        dilations = _per_dim(op.ints(5), spatial, "dilation")
        conv = Conv.build(input, weight, op.optional_tensor(2), strides, padding + padding, dilations, op.int(8))
        return [conv.result]


class RaiseConvNd(RaisePattern):
    """conv1d/2d/3d(input, weight, bias, stride, padding, dilation, groups) with numeric padding."""

    ROOTS = ("torch.aten.conv1d", "torch.aten.conv2d", "torch.aten.conv3d")

    def raise_op(self, op: TorchOp):
        input, weight = op.tensor(0), op.tensor(1)
        spatial = input.type.rank - 2
        padding = _per_dim(op.ints(4), spatial, "padding")
        conv = Conv.build(
            input,
            weight,
            op.optional_tensor(2),
            _per_dim(op.ints(3), spatial, "stride"),
            padding + padding,
            _per_dim(op.ints(5), spatial, "dilation"),
            op.int(6),
        )
        return [conv.result]


class RaiseScaledDotProductAttention(RaisePattern):
    """scaled_dot_product_attention(q, k, v, mask, dropout_p, is_causal, scale, enable_gqa)."""

    ROOTS = ("torch.aten.scaled_dot_product_attention",)

    def raise_op(self, op: TorchOp):
        if op.num_operands > 4 and not op.is_none(4) and op.number(4) != 0:
            raise NoMatch("attention with dropout")
        if op.num_operands > 7 and not op.is_none(7) and op.bool(7):
            raise NoMatch("grouped-query attention has no gimlet form yet")
        causal = op.num_operands > 5 and not op.is_none(5) and op.bool(5)
        scale = None if op.num_operands <= 6 or op.is_none(6) else float(op.number(6))
        q, k, v = op.tensor(0), op.tensor(1), op.tensor(2)
        mask = op.optional_tensor(3)
        if mask is not None and str(mask.type.element_type) != "i1":
            mask = cast_to(mask, q.type.element_type)
        if Attention.infer_shape(q.type.shape, k.type.shape, v.type.shape) is None:
            raise NoMatch("query, key and value shapes need broadcasting")
        return [Attention.build(q, k, v, mask, scale=scale, causal=causal).result]


PATTERNS = [
    RaiseMatmul(),
    RaiseLinear(),
    RaiseAddmm(),
    RaiseConvolution(),
    RaiseConvNd(),
    RaiseScaledDotProductAttention(),
]
