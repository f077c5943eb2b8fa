"""The gimlet compiler: ONNX import, the pass pipeline, options, and IREE compilation."""

from .driver import LoweredModel, TensorSpec, compile_for_target, lower_model
from .options import SAVE_TEMPS_ENV, CompileOptions
from .pipeline import PIPELINE

__all__ = [
    "PIPELINE",
    "SAVE_TEMPS_ENV",
    "CompileOptions",
    "LoweredModel",
    "TensorSpec",
    "compile_for_target",
    "lower_model",
]
