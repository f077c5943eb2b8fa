"""The gimlet dialect: a compact, target-neutral set of high-level tensor ops.

Ops are unregistered MLIR operations named `gimlet.*`, printed in generic
form, with typed Python views (`view(operation)`) that build, verify and
report the work of each. This package imports nothing else of gimlet's.
"""

from iree.compiler._mlir_libs import _mlir

from .base import DIALECT, OP_CLASSES, VerificationError, Work, location_name, view
from .contraction import Attention, Conv, Matmul
from .data_movement import Broadcast, Concat, Gather, Pad, Reshape, Slice, Transpose
from .elementwise import FUNCTIONS, Elementwise
from .normalization import BatchNorm, LayerNorm
from .reduction import Pool, Reduce, Softmax
from .structure import Constant, Foreign, Transfer, Yield

_mlir.globals.append_dialect_search_prefix(f"{__name__}.namespaces")


def is_gimlet(operation) -> bool:
    return getattr(operation, "operation", operation).name.startswith(DIALECT + ".")


__all__ = [
    "Attention",
    "BatchNorm",
    "Broadcast",
    "Concat",
    "Constant",
    "DIALECT",
    "Elementwise",
    "FUNCTIONS",
    "Foreign",
    "Gather",
    "LayerNorm",
    "Matmul",
    "OP_CLASSES",
    "Pad",
    "Pool",
    "Reduce",
    "Reshape",
    "Slice",
    "Softmax",
    "Transfer",
    "Transpose",
    "VerificationError",
    "Work",
    "Yield",
    "Conv",
    "is_gimlet",
    "location_name",
    "view",
]
