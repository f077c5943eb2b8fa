"""gimlet-verify: every gimlet op's own rules, then MLIR's verifier for the rest."""

from __future__ import annotations

from iree.compiler import ir

from ..dialects import VerificationError, view
from .base import ModulePass, register_pass


def verify_module(module: ir.Module) -> None:
    """Raise VerificationError for the first gimlet op that breaks a rule (walk order)."""
    errors: list[VerificationError] = []

    def visit(op):
        gimlet_op = view(op)
        if gimlet_op is not None:
            try:
                gimlet_op.verify()
            except VerificationError as error:
                errors.append(error)
                return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    if errors:
        raise errors[0]
    module.operation.verify()


@register_pass
class Verify(ModulePass):
    """Check every gimlet op against its verifier; run after every gimlet pass in tests."""

    NAME = "gimlet-verify"
    DESCRIPTION = "Verify gimlet ops (operand/result types, attributes, regions)"

    def apply(self, module: ir.Module) -> None:
        verify_module(module)
