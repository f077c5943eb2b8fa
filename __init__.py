"""gimlet: an MLIR-based compiler that places AI models across heterogeneous devices.

    bundle = gimlet.compile("model.onnx", targets=["cpu"])
    bundle.save("model.gimlet")
    session = gimlet.load("model.gimlet")
    outputs = session.run({"x": x})

`gimlet.load` and the runtime need only iree-base-runtime and numpy; the
compiler (and its dependencies) is imported on the first `gimlet.compile`.
"""

from gimlet.errors import CompilationError, GimletError, ModelImportError, OptionError

__version__ = "0.1.0"


def compile(model, targets=("cpu",), options=None, **settings):
    """Compile a model (path, ONNX ModelProto or bytes) into a Bundle; see gimlet.compiler.compile."""
    from gimlet.compiler.api import compile as compile_model

    return compile_model(model, targets=targets, options=options, **settings)


def load(path, devices=None):
    """Open a .gimlet bundle for running; see gimlet.runtime.load."""
    from gimlet.runtime import load as load_bundle

    return load_bundle(path, devices=devices)


__all__ = [
    "CompilationError",
    "GimletError",
    "ModelImportError",
    "OptionError",
    "__version__",
    "compile",
    "load",
]
