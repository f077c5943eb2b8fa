"""gimlet: an MLIR-based compiler that places AI models across heterogeneous devices."""

from gimlet.errors import CompilationError, GimletError, ModelImportError, OptionError

__version__ = "0.1.0"

__all__ = [
    "CompilationError",
    "GimletError",
    "ModelImportError",
    "OptionError",
    "__version__",
]
