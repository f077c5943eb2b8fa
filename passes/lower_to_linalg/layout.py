"""Channels-last layout: transposes sunk through pointwise ops and cancelled in pairs.

With `conv-layout=nhwc`, every 2-d convolution runs NHWC between a transpose
in and a transpose out. IREE cancels those pairs only where a value has one
user: a residual add, whose result feeds both the next convolution and the
next add, stays NCHW, and IREE folds the transposes into the convolutions
around it, which then lose data tiling (11 of MobileNetV2's 52 contractions
wrote channels-first). Sinking the transposes through pointwise ops here, as
the convolutions are lowered, keeps such chains NHWC from end to end.
"""

from __future__ import annotations

import math

from iree.compiler import ir

from ...dialects import Elementwise, Pad, Reshape, Transpose
from ..base import NoMatch, RewritePattern, defining_op


def _transposed(value: ir.Value) -> list[int] | None:
    """The permutation of the gimlet.transpose that made `value`, if one did."""
    producer = defining_op(value)
    if producer is None or producer.name != Transpose.operation_name():
        return None
    return Transpose(producer).permutation


def _inverse(permutation: list[int]) -> list[int]:
    inverse = [0] * len(permutation)
    for position, axis in enumerate(permutation):
        inverse[axis] = position
    return inverse


def applied_to(op: Elementwise, operands: list[ir.Value]) -> ir.Value:
    """`op`'s function, with its attributes, applied to other operands."""
    attributes = {name: op.float(name) for name in ("alpha", "min", "max") if op.attr(name) is not None}
    if op.attr("approximate") is not None:
        attributes["approximate"] = op.string("approximate")
    return Elementwise.build(op.fn, operands, element_type=op.result_type.element_type, **attributes).result


class SinkTransposeThroughElementwise(RewritePattern):
    """f(T(a), T(b), c) → T(f(a, b, T⁻¹(c))) for a pointwise f, where every full-size operand is
    transposed by the same T and the others are smaller broadcasts (a bias, a scale, a scalar),
    which are cheap to permute."""

    ROOTS = (Elementwise.operation_name(),)

    def rewrite(self, operation):
        op = Elementwise(operation)
        result_shape = list(op.result_type.shape)
        permutations = [_transposed(v) for v in op.operands]
        chosen = next((p for p in permutations if p is not None), None)
        if chosen is None:
            raise NoMatch("no operand is transposed")
        rank = len(chosen)
        size = math.prod(result_shape)
        inverse = _inverse(chosen)
        operands = []
        for value, permutation in zip(op.operands, permutations):
            if permutation == chosen:
                operands.append(defining_op(value).operands[0])
                continue
            shape = list(value.type.shape)
            if permutation is not None or len(shape) > rank or (size > 1 and math.prod(shape) >= size):
                raise NoMatch("an operand is full-size and not transposed the same way")
            if all(d == 1 for d in shape):
                operands.append(value)  # a scalar broadcasts in any layout
                continue
            padded = [1] * (rank - len(shape)) + shape
            if padded != shape:
                value = Reshape.build(value, padded).result
            operands.append(Transpose.build(value, inverse).result)
        return [Transpose.build(applied_to(op, operands), chosen).result]


class SinkTransposeThroughPad(RewritePattern):
    """pad(T(a)) → T(pad'(a)), pad' padding a's axes as pad did T(a)'s: a 1×1 convolution that
    computes over its padded grid (pointwise.ComputePaddedOutput) pads its NCHW input, between
    the previous layer's transpose back and its own transpose in, which then cancel."""

    ROOTS = (Pad.operation_name(),)

    def rewrite(self, operation):
        op = Pad(operation)
        permutation = _transposed(op.input)
        if permutation is None:
            raise NoMatch("its input is not transposed")
        inverse = _inverse(permutation)
        low, high = op.pad_low, op.pad_high
        inner = Pad.build(
            defining_op(op.input).operands[0], [low[i] for i in inverse], [high[i] for i in inverse], op.mode, op.value
        ).result
        return [Transpose.build(inner, permutation).result]


class CancelTransposes(RewritePattern):
    """T_q(T_p(x)) → x where q undoes p."""

    ROOTS = (Transpose.operation_name(),)

    def rewrite(self, operation):
        op = Transpose(operation)
        inner = _transposed(op.input)
        if inner is None or [inner[axis] for axis in op.permutation] != list(range(len(inner))):
            raise NoMatch("not the inverse of the transpose that made its input")
        return [defining_op(op.input).operands[0]]


PATTERNS = [SinkTransposeThroughElementwise(), SinkTransposeThroughPad(), CancelTransposes()]
