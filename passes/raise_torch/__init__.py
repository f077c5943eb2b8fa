"""gimlet-raise-torch: torch aten ops → gimlet ops, the rest wrapped in gimlet.foreign."""

from __future__ import annotations

from iree.compiler import ir

from ..base import ModulePass, apply_patterns, functions, register_pass
from . import contraction, data_movement, elementwise, normalization, reduction
from .boundary import clean_up, convert_signature
from .elementwise import RAISED_ONNX_OPS
from .outline_foreign import outline_foreign_ops
from .torch_ir import onnx_op_type

PATTERNS = [
    *data_movement.PATTERNS,
    *contraction.PATTERNS,
    *elementwise.PATTERNS,
    *reduction.PATTERNS,
    *normalization.PATTERNS,
]


@register_pass
class RaiseTorch(ModulePass):
    """Raise torch-dialect functions into the gimlet dialect.

    Function signatures become builtin tensors; every aten op with a pattern
    becomes gimlet ops; every other torch op ends up inside a gimlet.foreign,
    never dropped and never an error.
    """

    NAME = "gimlet-raise-torch"
    DESCRIPTION = "Raise torch aten ops to gimlet ops; wrap the rest in gimlet.foreign"

    def apply(self, module: ir.Module) -> None:
        for function in functions(module):
            convert_signature(function)
        apply_patterns(module, PATTERNS)
        for function in functions(module):
            for block in function.regions[0].blocks:
                clean_up(block)
                outline_foreign_ops(block)
                clean_up(block)
