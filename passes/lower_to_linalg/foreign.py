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


def _inline(op: Foreign) -> None:
    body = op.body
    for argument, operand in zip(body.arguments, op.operation.operands):
        argument.replace_all_uses_with(operand)
    *inner, terminator = block_ops(body)
    for inner_op in inner:
        inner_op.move_before(op.operation)
    for result, value in zip(op.operation.results, terminator.operands):
        result.replace_all_uses_with(value)
    op.operation.erase()
