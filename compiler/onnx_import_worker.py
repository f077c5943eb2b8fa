"""Child process of `onnx_import`: ONNX file → torch backend IR as MLIR bytecode.

Usage: python -m gimlet.compiler.onnx_import_worker MODEL.onnx OUT.mlirbc ERROR.json

On failure it writes ERROR.json ({"stage", "message", "diagnostics": [{"node", "message"}]})
and exits 1; a crash leaves no ERROR.json and the parent reports the signal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import onnx
from iree.compiler import ir, passmanager
from iree.compiler.extras import onnx_importer

from ..dialects import location_name
from .onnx_import import torch_backend_pipeline


def _fail(error_path: Path, stage: str, message: str, diagnostics=()) -> None:
    error_path.write_text(json.dumps({"stage": stage, "message": message, "diagnostics": list(diagnostics)}))
    sys.exit(1)


def main(model_path: str, output_path: str, error_path: str) -> None:
    errors = Path(error_path)
    model = onnx.load(model_path)
    context = ir.Context()
    try:
        info = onnx_importer.ModelInfo(model)
        module = info.create_module(context)
        importer = onnx_importer.NodeImporter.define_function(info.main_graph, module.operation)
        importer.import_all()
    except Exception as error:  # OnnxImportError, or ValueError/KeyError on unsupported types
        _fail(errors, "ONNX import", f"{type(error).__name__}: {error}")
    with context:
        try:
            passmanager.PassManager.parse(torch_backend_pipeline()).run(module.operation)
        except ir.MLIRError as error:
            diagnostics = [
                {"node": location_name(d.location), "message": d.message.splitlines()[0]} for d in error.error_diagnostics
            ]
            _fail(errors, "conversion to torch", str(error).splitlines()[0], diagnostics)
    with open(output_path, "wb") as output:
        module.operation.write_bytecode(output)


if __name__ == "__main__":
    main(*sys.argv[1:4])
