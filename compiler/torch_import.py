"""PyTorch → torch IR: torch.export, IREE's FX importer, torch-mlir's backend pipeline.

A module is traced with `torch.export.export(module, example_args,
dynamic_shapes=...)` (or an ExportedProgram, or a saved `.pt2`, is used as
is). The FX importer turns the program into torch-dialect aten ops, the same
form the ONNX path reaches, so everything after (raise, cost, placement,
lowering, bundle) is shared. Parameters and buffers of 1 KiB or more become
IREE parameters, written once to the bundle's weights archive. torch is an
optional dependency: this module imports it only when a torch model arrives.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from iree.compiler import ir

from ..errors import ModelImportError
from ..passes.raise_torch.torch_ir import FROM_BUILTIN, vtensor_type
from .onnx_import import PARAMETER_MIN_BYTES, torch_backend_legal_ops
from .onnx_import_worker import PARAMETER_SCOPE

INSTALL_HINT = "pip install 'gimlet-compiler[torch]' (CPU-only: pip install torch==2.13.0 first)"


def require_torch():
    try:
        import torch
    except ImportError:
        raise ModelImportError(f"compiling a PyTorch model needs PyTorch, which is not installed: {INSTALL_HINT}") from None
    return torch


def exported_program(model: Any, options) -> tuple[Any, str, str]:
    """The ExportedProgram to import, with the name errors use and the model's own name."""
    torch = require_torch()
    if isinstance(model, (str, Path)):
        path = Path(model)
        if not path.exists():
            raise ModelImportError(f"{path}: no such file")
        try:
            program = torch.export.load(str(path))
        except Exception as error:  # torch raises many kinds for a bad archive
            raise ModelImportError(f"{path}: not a saved torch.export program ({type(error).__name__}: {_first_line(error)})") from None
        return program, str(path), path.stem
    if isinstance(model, torch.export.ExportedProgram):
        return model, "<exported program>", "model"
    if not isinstance(model, torch.nn.Module):
        raise ModelImportError(f"cannot compile a {type(model).__name__}: give an ONNX model, a torch.nn.Module or a torch.export program")
    title = type(model).__name__
    args = options.example_args
    if not isinstance(args, tuple):
        args = (args,)
    if not args:
        raise ModelImportError(f"{title}: compiling a torch.nn.Module needs example inputs: gimlet.compile(module, example_args=(x,))")
    for index, value in enumerate(args):
        if not isinstance(value, torch.Tensor):
            raise ModelImportError(
                f"{title}: example input #{index} is a {type(value).__name__}; gimlet compiles modules whose inputs are "
                "tensors (pass constants as module attributes, and tensors as inputs)"
            )
    if model.training:
        model = model.eval()
    try:
        program = torch.export.export(model, args, dynamic_shapes=options.dynamic_shapes)
    except TypeError as error:
        raise ModelImportError(f"{title}: the example inputs do not match forward(): {_first_line(error)}") from None
    except Exception as error:  # torch.export raises UserError, Unsupported, GuardOnDataDependentSymNode, ...
        raise ModelImportError(
            f"{title}: torch.export could not trace the module ({type(error).__name__}: {_first_line(error)}); "
            "avoid data-dependent Python control flow in forward(), or mark dimensions with torch.export.Dim in dynamic_shapes"
        ) from None
    return program, title, title


def _native_batch_norm(input, weight, bias, running_mean, running_var, momentum, eps):
    torch = require_torch()
    return torch.ops.aten.native_batch_norm.default(input, weight, bias, running_mean, running_var, False, momentum, eps)


def for_import(program):
    """The program in the form IREE's FX importer takes.

    torch.export returns training IR, with in-place ops (relu_, add_) the importer
    cannot represent as value tensors: run_decompositions gives functional inference
    IR. That turns batch norm into _native_batch_norm_legit_no_training, which
    torch-mlir does not know: it becomes native_batch_norm(training=False), which it
    does. Non-persistent buffers (BERT's position_ids, say) live in
    program.constants, but the importer looks for them in the state dict.
    """
    torch = require_torch()
    program = program.run_decompositions({torch.ops.aten._native_batch_norm_legit_no_training.default: _native_batch_norm})
    for target in program.graph_signature.buffers:
        if target not in program.state_dict and target in program.constants:
            program.state_dict[target] = program.constants[target]
    return program


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _spec(name: str, value: Any):
    from .driver import TensorSpec

    torch = require_torch()
    shape = tuple(int(d) if isinstance(d, int) or str(d).isdigit() else None for d in value.shape)
    dtype = torch.empty((), dtype=value.dtype).numpy().dtype.name if value.dtype != torch.bfloat16 else "bfloat16"
    return TensorSpec(name, shape, dtype)


def signature(program) -> tuple[list, list]:
    """Model inputs (the program's user inputs) and outputs, with shapes (None for symbolic sizes)."""
    nodes = {node.name: node for node in program.graph.nodes}
    user_inputs = list(program.graph_signature.user_inputs)
    inputs = [_spec(name, nodes[name].meta["val"]) for name in user_inputs]
    output_node = next(node for node in program.graph.nodes if node.op == "output")
    values = output_node.args[0]
    values = values if isinstance(values, (list, tuple)) else [values]
    names = ["output"] if len(values) == 1 else [f"output_{i}" for i in range(len(values))]
    outputs = [_spec(name, value.meta["val"]) for name, value in zip(names, values)]
    return inputs, outputs


def _weight_hooks(min_bytes: int):
    """FxImporter hooks that turn large parameters and buffers into IREE parameters."""
    from iree.compiler.dialects import util
    from iree.compiler.extras.fx_importer import FxImporterHooks

    torch = require_torch()

    class WeightHooks(FxImporterHooks):
        def __init__(self):
            self.module_op = None
            self.arrays: dict[str, np.ndarray] = {}
            self.globals: dict[int, tuple[str, ir.RankedTensorType]] = {}

        def prepare_module(self, module_op):
            self.module_op = module_op

        def resolve_literal(self, gni, literal, info):
            if not isinstance(literal, torch.Tensor) or literal.dtype == torch.bfloat16:
                return None
            if literal.numel() * literal.element_size() < min_bytes:
                return None
            key = id(literal)
            if key not in self.globals:
                base = info.input_spec.target if info is not None and getattr(info.input_spec, "target", None) else "constant"
                name = re.sub(r"[^A-Za-z0-9_.]", "_", base)
                while name in self.arrays:
                    name += "_"
                array = literal.detach().cpu().contiguous().numpy()
                self.arrays[name] = array
                element = ir.Type.parse({"float32": "f32", "float16": "f16", "float64": "f64", "int64": "i64", "int32": "i32",
                                         "int8": "i8", "uint8": "i8", "bool": "i1"}[array.dtype.name])
                tensor_type = ir.RankedTensorType.get(list(array.shape), element)
                with ir.InsertionPoint.at_block_begin(self.module_op.regions[0].blocks[0]), ir.Location.unknown():
                    util.GlobalOp(
                        ir.StringAttr.get(name),
                        ir.TypeAttr.get(tensor_type),
                        sym_visibility=ir.StringAttr.get("private"),
                        initial_value=ir.Attribute.parse(f'#stream.parameter.named<"{PARAMETER_SCOPE}"::"{name}"> : {tensor_type}'),
                    )
                self.globals[key] = (name, tensor_type)
            name, tensor_type = self.globals[key]
            with ir.InsertionPoint(gni._b), ir.Location.name(name):
                loaded = util.GlobalLoadOp(tensor_type, name).result
                return ir.Operation.create(FROM_BUILTIN, results=[vtensor_type(tensor_type)], operands=[loaded]).results[0]

    return WeightHooks()


def import_torch(model: Any, options, context: ir.Context, temps: Path | None, parameters: Path | None):
    """Trace (if needed) and import a PyTorch model to torch backend IR in `context`."""
    from .driver import ImportedModel

    program, name, title = exported_program(model, options)
    from iree.compiler.extras.fx_importer import FxImporter  # imports torch: only once it is known present

    try:
        program = for_import(program)
    except Exception as error:  # a decomposition torch cannot apply to this program
        raise ModelImportError(f"{name}: torch could not turn the program into inference IR ({type(error).__name__}: {_first_line(error)})") from None

    inputs, outputs = signature(program)
    hooks = _weight_hooks(PARAMETER_MIN_BYTES if parameters is not None else 1 << 62)
    importer = FxImporter(context=context, hooks=hooks)
    function_name = re.sub(r"[^A-Za-z0-9_]", "_", title) or "main"
    try:
        importer.import_frozen_program(program, func_name=function_name)
    except Exception as error:  # the FX importer raises NotImplementedError/TypeError on unsupported nodes
        raise ModelImportError(f"{name}: the FX importer cannot import this program ({type(error).__name__}: {_first_line(error)})") from None
    if parameters is not None and hooks.arrays:
        import iree.runtime as ireert

        index = ireert.ParameterIndex()
        for parameter, array in hooks.arrays.items():
            index.add_buffer(parameter, array)
        index.create_archive_file(str(parameters))
    module = _to_backend_contract(importer.module, context, name)
    if temps is not None:
        (temps / "00-torch.mlir").write_text(module.operation.get_asm(large_elements_limit=16))
    return ImportedModel(name, title, context, module, temps, inputs, outputs)


def _to_backend_contract(module: ir.Module, context: ir.Context, name: str) -> ir.Module:
    """torch-mlir's torchdynamo-export pipeline, in a child process (see pipeline_worker)."""
    pipeline = f"builtin.module(torchdynamo-export-to-torch-backend-pipeline{{backend-legal-ops={torch_backend_legal_ops()}}})"
    with tempfile.TemporaryDirectory(prefix="gimlet-torch-") as scratch:
        source, output, error_path = (Path(scratch) / n for n in ("in.mlirbc", "out.mlirbc", "error.json"))
        with open(source, "wb") as stream:
            module.operation.write_bytecode(stream)
        command = [sys.executable, "-m", "gimlet.compiler.pipeline_worker", str(source), pipeline, str(output), str(error_path)]
        completed = subprocess.run(command, capture_output=True, text=True)
        if completed.returncode != 0:
            if error_path.exists():
                report = json.loads(error_path.read_text())
                details = "; ".join(f"at {d['node']}: {d['message']}" for d in report["diagnostics"][:3]) or report["message"]
                raise ModelImportError(f"{name}: conversion to torch backend IR failed: {details}")
            raise ModelImportError(f"{name}: the torch-mlir pipeline crashed (exit status {completed.returncode})")
        with context:
            return ir.Module.parse(output.read_bytes())
