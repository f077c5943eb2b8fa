"""gimlet-lower-to-linalg: gimlet ops → linalg-on-tensors; foreign bodies through torch-mlir."""

from __future__ import annotations

from iree.compiler import ir, passmanager

from ...dialects import is_gimlet
from ..base import ModulePass, PassFailure, apply_patterns, register_pass
from . import contraction, data_movement, elementwise, normalization, reduction
from .foreign import inline_foreign_ops

PATTERNS = [
    *contraction.PATTERNS,
    *normalization.PATTERNS,
    *reduction.PATTERNS,
    *elementwise.PATTERNS,
    *data_movement.PATTERNS,
]

#: torch-mlir's lowering of the torch ops that foreign regions held.
TORCH_TO_LINALG = "builtin.module(torch-backend-to-linalg-on-tensors-backend-pipeline)"


def _has_torch_ops(module: ir.Module) -> bool:
    found = []

    def visit(op):
        if op.name.startswith("torch.") or op.name.startswith("torch_c."):
            found.append(op.name)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return bool(found)


@register_pass
class LowerToLinalg(ModulePass):
    """Lower every gimlet op to linalg-on-tensors (named ops where they exist, linalg.generic elsewhere).

    Composite ops (attention, softmax, normalisations) first decompose into
    simpler gimlet ops. gimlet.foreign bodies are inlined and lowered by
    torch-mlir's backend pipeline. The result compiles with iree-compile.
    """

    NAME = "gimlet-lower-to-linalg"
    DESCRIPTION = "Lower gimlet ops to linalg-on-tensors and foreign bodies through torch-mlir"

    def apply(self, module: ir.Module) -> None:
        apply_patterns(module, PATTERNS)
        left = []

        def visit(op):
            if is_gimlet(op) and op.name != "gimlet.foreign" and op.name != "gimlet.yield":
                left.append(op)
            return ir.WalkResult.ADVANCE

        module.operation.walk(visit)
        if left:
            raise PassFailure(f"no lowering for {left[0].name} at {left[0].location}")
        inline_foreign_ops(module)
        if _has_torch_ops(module):
            passmanager.PassManager.parse(TORCH_TO_LINALG).run(module.operation)
        passmanager.PassManager.parse("builtin.module(canonicalize,cse)").run(module.operation)
