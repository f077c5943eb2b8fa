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


def _inline(op: Foreign) -> None:
    body = op.body
    for argument, operand in zip(body.arguments, op.operation.operands):
        argument.replace_all_uses_with(operand)
    *inner, terminator = block_ops(body)
    for inner_op in inner:
        inner_op.move_before(op.operation)
        if inner_op.name in RENAMED:
            _renamed(inner_op)
    for result, value in zip(op.operation.results, terminator.operands):
        result.replace_all_uses_with(value)
    op.operation.erase()
