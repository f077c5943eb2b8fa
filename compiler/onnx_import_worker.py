"""Child process of `onnx_import`: ONNX file → torch backend IR as MLIR bytecode.

Usage: python -m gimlet.compiler.onnx_import_worker MODEL.onnx OUT.mlirbc ERROR.json [PARAMS.irpa MIN_BYTES]

With PARAMS.irpa, initializers of at least MIN_BYTES become IREE parameters
(`util.global` with `#stream.parameter.named<"model"::name>`) written to
that archive, so that the compiled modules hold no weights.

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
from iree.compiler.tools.import_onnx.importer_externalization_overrides import IREENodeImporter, ParamData

from ..dialects import location_name
from .onnx_import import torch_backend_pipeline


def _fail(error_path: Path, stage: str, message: str, diagnostics=()) -> None:
    error_path.write_text(json.dumps({"stage": stage, "message": message, "diagnostics": list(diagnostics)}))
    sys.exit(1)


PARAMETER_SCOPE = "model"


class WeightImporter(IREENodeImporter):
    """Externalizes initializers of at least `min_bytes`; smaller ones (shapes, axes, scalars) stay inline,
    where torch-mlir can read them as constants."""

    min_bytes = 0

    def import_initializer(self, initializer, extern_name=None):
        if isinstance(initializer, onnx.TensorProto) and _byte_size(initializer) < self.min_bytes:
            value = onnx_importer.NodeImporter.import_initializer(self, initializer, extern_name)
            self._nv_map[extern_name or initializer.name] = value
            return value
        return super().import_initializer(initializer, extern_name)


def _byte_size(tensor: onnx.TensorProto) -> int:
    count = 1
    for dim in tensor.dims:
        count *= dim
    return count * onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type).itemsize


def main(model_path: str, output_path: str, error_path: str, params_path: str | None = None, min_bytes: str = "0") -> None:
    errors = Path(error_path)
    model = onnx.load(model_path)
    context = ir.Context()
    try:
        info = onnx_importer.ModelInfo(model)
        module = info.create_module(context)
        if params_path:
            WeightImporter.min_bytes = int(min_bytes)
            param_data = ParamData(
                param_bit_threshold=None,
                num_elements_threshold=0,
                params_scope=PARAMETER_SCOPE,
                data_dir=str(Path(model_path).parent),
                param_path=params_path,
                input_index_threshold=None,
            )
            importer = IREENodeImporter.define_function(info.main_graph, module.operation, param_data)
            # define_function constructs an IREENodeImporter by name, not cls(...); adopt it.
            importer.__class__ = WeightImporter
        else:
            importer = onnx_importer.NodeImporter.define_function(info.main_graph, module.operation)
        importer.import_all()
        if params_path and importer.globals:
            importer.save_params()
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
    main(*sys.argv[1:6])
