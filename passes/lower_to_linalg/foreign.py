"""Inline gimlet.foreign bodies back into their function, for torch-mlir to lower."""

from __future__ import annotations

from iree.compiler import ir

from ...dialects import Foreign
from ..base import block_ops, functions


def inline_foreign_ops(module: ir.Module) -> int:
    """Replace every gimlet.foreign with the ops of its body; returns how many."""
    count = 0
    for function in functions(module):
        for block in function.regions[0].blocks:
            for operation in block_ops(block):
                if operation.name == Foreign.operation_name():
                    _inline(Foreign(operation))
                    count += 1
    return count


#: torch ops torch-mlir's linalg conversion lacks, and the equivalent op it converts:
#: `a & b` on tensors imports as __and__.Tensor (seen in transformers' attention masks),
#: which has no conversion (__or__.Tensor has one).
RENAMED = {"torch.aten.__and__.Tensor": "torch.aten.bitwise_and.Tensor"}


def _renamed(operation: ir.Operation) -> None:
    """Replace `operation` by the op of the same operands and results that torch-mlir can lower."""
    replacement = ir.Operation.create(
        RENAMED[operation.name],
        results=[r.type for r in operation.results],
        operands=list(operation.operands),
        loc=operation.location,
        ip=ir.InsertionPoint(operation),
    )
    for old, new in zip(operation.results, replacement.results):
        old.replace_all_uses_with(new)
    operation.erase()


#: Unsigned torch dtypes, and the signed one wide enough for all their values (torch dtype code).
_WIDER_SIGNED = {"ui8": ("si32", 3), "ui16": ("si32", 3), "ui32": ("si64", 4)}


def _through_signed(operation: ir.Operation) -> None:
    """A float tensor's aten.to.dtype to an unsigned dtype, made a cast to a wider signed dtype first.

    torch-mlir converts float → ui8 with fptosi to i8, whose result for 128-255 is poison: LLVM
    saturated it to 127 on an AVX2 CPU and wrapped it (right) on AVX-512, so QLinearMatMul to
    uint8 gave 127 for 168 on AVX2. Float → si32 holds every uint8 value, and torch-mlir converts
    si32 → ui8 by truncation."""
    source, result = str(operation.operands[0].type), str(operation.results[0].type)
    unsigned = result.rpartition(",")[2].rstrip(">")
    if unsigned not in _WIDER_SIGNED or not source.rpartition(",")[2].rstrip(">").startswith(("f", "bf")):
        return
    signed, code = _WIDER_SIGNED[unsigned]
    at = ir.InsertionPoint(operation)
    dtype = ir.Operation.create(
        "torch.constant.int",
        results=[ir.Type.parse("!torch.int")],
        attributes={"value": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), code)},
        loc=operation.location,
        ip=at,
    )
    wider = ir.Operation.create(
        "torch.aten.to.dtype",
        results=[ir.Type.parse(result.rpartition(",")[0] + f",{signed}>")],
        operands=[operation.operands[0], dtype.result, *list(operation.operands)[2:]],
        loc=operation.location,
        ip=at,
    )
    operation.operands[0] = wider.result


def _inline(op: Foreign) -> None:
    body = op.body
    for argument, operand in zip(body.arguments, op.operation.operands):
        argument.replace_all_uses_with(operand)
    *inner, terminator = block_ops(body)
    for inner_op in inner:
        inner_op.move_before(op.operation)
        if inner_op.name in RENAMED:
            _renamed(inner_op)
        elif inner_op.name == "torch.aten.to.dtype":
            _through_signed(inner_op)
    for result, value in zip(op.operation.results, terminator.operands):
        result.replace_all_uses_with(value)
    op.operation.erase()
