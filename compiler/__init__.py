"""The gimlet compiler: ONNX import, the pass pipeline, options, and IREE compilation."""

from .driver import LoweredModel, TensorSpec, compile_for_target, lower_model
from .options import SAVE_TEMPS_ENV, CompileOptions
from .pipeline import MODEL_PASSES, PARTITION_PASSES

__all__ = [
    "MODEL_PASSES",
    "PARTITION_PASSES",
    "SAVE_TEMPS_ENV",
    "CompileOptions",
    "LoweredModel",
    "TensorSpec",
    "compile_for_target",
    "lower_model",
]
