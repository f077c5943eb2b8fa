"""ONNX → torch IR: load, upgrade, infer shapes, import, convert to torch aten ops.

The ONNX model is read and checked here, in Python, where its errors can name
the file and node. The conversion to torch IR runs in a child process
(`onnx_import_worker`): torch-mlir's ONNX conversion can crash on some
malformed or unusual ops (seen: a one-output `Unique` segfaults), and a crash
must end in an error, never take the user's process down.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import onnx
from iree.compiler import ir

from ..dialects import location_name
from ..errors import ModelImportError
from ..passes.raise_torch import RAISED_ONNX_OPS, onnx_op_type
from ..runtime.checks import CountCheck, PadCheck, SliceCheck, ValuesCheck
from .onnx_axes import AxesInput, specialise_runtime_axes
from .onnx_control import simplify_control_flow
from .onnx_expand import expand_functions, expandable_op_types
from .onnx_fold import fold_constants
from .onnx_index_bounds import specialise_runtime_bounds
from .onnx_rewrite import rewrite_unsupported
from .onnx_shape_inputs import fix_shape_inputs

#: Opset the ONNX importer handles best; older models are upgraded to it.
TARGET_OPSET = 17
#: Shape inference and constant folding alternate at most this often (each round unlocks the next).
MAX_FOLDING_ROUNDS = 8

#: aten ops that gimlet has ops for: the torch backend pipeline must not decompose them.
BACKEND_LEGAL_OPS = (
    "aten.layer_norm",
    "aten.native_layer_norm",
    "aten.softmax.int",
    "aten.log_softmax.int",
    "aten._softmax",
    "aten._log_softmax",
    "aten.scaled_dot_product_attention",
    "aten.gelu",
    "aten.silu",
    "aten.batch_norm",
    "aten.native_batch_norm",
    "aten._native_batch_norm_legit_no_training",
    "aten.linear",
    "aten.matmul",
    "aten.adaptive_avg_pool1d",
    "aten.adaptive_avg_pool2d",
    "aten.adaptive_max_pool2d",
    "aten.leaky_relu",
    "aten.hardtanh",
    "aten.flatten.using_ints",
    "aten.unflatten.int",
    "aten.embedding",
    "aten.index_select",
)


def torch_backend_legal_ops() -> str:
    return ",".join(BACKEND_LEGAL_OPS)


def torch_backend_pipeline() -> str:
    return f"builtin.module(torch-onnx-to-torch-backend-pipeline{{backend-legal-ops={torch_backend_legal_ops()}}})"


@dataclass
class LoadedModel:
    """An ONNX model with the name it is reported under (its path, or '<model>'), the inputs that
    give reductions their axes (compiled for the axis sets the model's shapes allow), and the checks
    the runtime makes of input values that shape results (Slice bounds, pads, Compress conditions,
    AffineGrid sizes, ...)."""

    proto: onnx.ModelProto
    name: str
    axes_inputs: dict[str, AxesInput] = field(default_factory=dict)
    checks: list[SliceCheck | PadCheck | CountCheck | ValuesCheck] = field(default_factory=list)


def load_model(source: str | os.PathLike | bytes | onnx.ModelProto) -> LoadedModel:
    """Read a model from a path, serialized bytes or a ModelProto, with clear errors."""
    if isinstance(source, onnx.ModelProto):
        return LoadedModel(source, "<model>")
    if isinstance(source, (bytes, bytearray)):
        return LoadedModel(_parse(bytes(source), "<model bytes>"), "<model bytes>")
    path = Path(source)
    if not path.exists():
        raise ModelImportError(f"{path}: no such file")
    if path.is_dir():
        raise ModelImportError(f"{path}: is a directory, not an ONNX model file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ModelImportError(f"{path}: cannot read: {error.strerror}") from None
    proto = _parse(data, str(path))
    if any(t.data_location == onnx.TensorProto.EXTERNAL for t in proto.graph.initializer):
        try:
            onnx.load_external_data_for_model(proto, str(path.parent))
        except (OSError, ValueError) as error:
            raise ModelImportError(f"{path}: cannot load external weights: {error}") from None
    return LoadedModel(proto, str(path))


def _parse(data: bytes, name: str) -> onnx.ModelProto:
    if not data:
        raise ModelImportError(f"{name}: the file is empty, not an ONNX model")
    proto = onnx.ModelProto()
    try:
        proto.ParseFromString(data)
    except Exception as error:  # protobuf raises DecodeError or RuntimeError by version
        raise ModelImportError(
            f"{name}: not an ONNX model, or a truncated one (protobuf parse failed: {error}); "
            "check that the file is a complete .onnx export"
        ) from None
    if not proto.graph.node and not proto.graph.output:
        raise ModelImportError(f"{name}: not an ONNX model: it has no graph (is this file really .onnx?)")
    return proto


def default_opset(model: onnx.ModelProto) -> int:
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


def prepare_model(model: LoadedModel, input_shapes: dict[str, list[int]] | None = None) -> LoadedModel:
    """Fix input shapes, upgrade old opsets, infer shapes, fold shape arithmetic, compile reductions
    whose axes are inputs for the axes that fit, compile Slices, Pads and Compresses whose bounds are
    inputs and ops whose shape-giving input is an input for the declared shapes, rewrite or expand
    the ops torch-mlir converts wrongly, and check every tensor has a type."""
    proto = onnx.ModelProto()
    proto.CopyFrom(model.proto)
    if input_shapes:
        _set_input_shapes(proto, input_shapes, model.name)
    # value_info entries for graph inputs and outputs duplicate (and may contradict) their declared
    # types; the importer then builds mismatched function signatures.
    declared = {v.name for v in [*proto.graph.input, *proto.graph.output]}
    stale = [v for v in proto.graph.value_info if v.name in declared]
    for value in stale:
        proto.graph.value_info.remove(value)
    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as error:
        raise ModelImportError(f"{model.name}: the model is not valid ONNX: {_first_line(error)}") from None
    opset = default_opset(proto)
    if opset < TARGET_OPSET:
        try:
            proto = onnx.version_converter.convert_version(proto, TARGET_OPSET)
        except Exception as error:  # the converter raises bare RuntimeErrors
            raise ModelImportError(
                f"{model.name}: cannot upgrade the model from opset {opset} to {TARGET_OPSET}: {_first_line(error)}"
            ) from None
    _name_unnamed_nodes(proto.graph)
    _refuse_ignored_inputs(proto.graph, model.name)
    proto = _infer_and_fold(proto, model.name, check=False)
    axes_inputs, rewritten = specialise_runtime_axes(proto)
    checks = fix_shape_inputs(proto) + specialise_runtime_bounds(proto)
    rewritten += len(checks) + rewrite_unsupported(proto)
    if rewritten:
        proto = _infer_and_fold(proto, model.name, check=False)
    _check_types_known(proto, model.name)
    prepared, _ = expand_ops(LoadedModel(proto, model.name, axes_inputs, checks), CONVERTED_WRONGLY)
    return prepared


#: Inputs torch-mlir's conversion of an op ignores (op type, input index: what it is). Seen with IREE
#: 3.13: test_lstm_with_peepholes ran, and every output element was off.
IGNORED_INPUTS = {("LSTM", 7): "peephole weights (input P)"}


def _refuse_ignored_inputs(graph: onnx.GraphProto, name: str) -> None:
    """A model that gives an input the conversion ignores would run and answer wrongly: refuse it."""
    for node in graph.node:
        for (op_type, index), what in IGNORED_INPUTS.items():
            if node.op_type == op_type and len(node.input) > index and node.input[index]:
                raise ModelImportError(
                    f"{name}: node '{node.name}' ({op_type}) has {what}, which torch-mlir's {op_type} conversion "
                    f"ignores, so the results would be wrong; remove them from the model (or export without them)"
                )


def _name_unnamed_nodes(graph: onnx.GraphProto) -> None:
    """Give nodes without a name `<OpType>_<index>`: errors, `--explain` and pins can then name them."""
    taken = {node.name for node in graph.node if node.name}
    for index, node in enumerate(graph.node):
        if not node.name:
            name = f"{node.op_type}_{index}"
            while name in taken:
                name += "_"
            node.name = name
            taken.add(name)


def _infer_and_fold(proto: onnx.ModelProto, name: str, check: bool = True) -> onnx.ModelProto:
    """Shape inference, alternating with constant folding and with the unrolling of control flow
    whose course folding settles, until nothing changes; then (with `check`) a check that every
    value has a type."""
    proto = _infer_shapes(proto, name)
    for _ in range(MAX_FOLDING_ROUNDS):
        proto, folded = fold_constants(proto)
        folded += simplify_control_flow(proto)
        if not folded:
            break
        _forget_partial_shapes(proto.graph)
        proto = _infer_shapes(proto, name)
    if check:
        _check_types_known(proto, name)
    return proto


def _forget_partial_shapes(graph: onnx.GraphProto) -> None:
    """Drop shapes holding a dimension shape inference named itself (`unk__2`): it keeps such a name even
    once folding lets it see the size, and a Squeeze without axes then loses its rank."""
    partial = [
        v
        for v in graph.value_info
        if v.type.HasField("tensor_type") and any(d.dim_param.startswith("unk__") for d in v.type.tensor_type.shape.dim)
    ]
    for value in partial:
        graph.value_info.remove(value)


def _infer_shapes(proto: onnx.ModelProto, name: str) -> onnx.ModelProto:
    try:
        return onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True, data_prop=True)
    except Exception as error:  # InferenceError, or RuntimeError from the C++ side
        raise ModelImportError(
            f"{name}: shape inference failed: {_first_line(error)}; "
            "fix the node named above, or give the input shapes (input_shapes=...)"
        ) from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _set_input_shapes(proto: onnx.ModelProto, input_shapes: dict[str, list[int]], name: str) -> None:
    inputs = {i.name: i for i in proto.graph.input}
    for input_name, shape in input_shapes.items():
        if input_name not in inputs:
            raise ModelImportError(f"{name}: input_shapes names '{input_name}', which is not a model input; inputs: {sorted(inputs)}")
        tensor_type = inputs[input_name].type.tensor_type
        tensor_type.shape.Clear()
        for size in shape:
            tensor_type.shape.dim.add().dim_value = int(size)


def _check_types_known(proto: onnx.ModelProto, name: str) -> None:
    """Every value a node produces needs an element type and a rank, or the importer emits !torch.none."""
    known = {v.name: v for v in [*proto.graph.value_info, *proto.graph.output, *proto.graph.input]}
    for node in proto.graph.node:
        for output in node.output:
            if not output:
                continue
            info = known.get(output)
            tensor_type = info.type.tensor_type if info is not None and info.type.HasField("tensor_type") else None
            if info is not None and not info.type.HasField("tensor_type"):
                continue  # sequences and optionals carry their own types
            if tensor_type is None or not tensor_type.elem_type or not tensor_type.HasField("shape"):
                raise ModelImportError(
                    f"{name}: node '{node.name or node.op_type}' ({node.op_type}): the type or rank of its output "
                    f"'{output}' cannot be inferred; give the input shapes (input_shapes=...) or simplify the model"
                )


#: Initializers of at least this many bytes become IREE parameters (weights); smaller ones stay inline.
PARAMETER_MIN_BYTES = 1024


#: Rounds of function expansion (bodies may hold function ops torch-mlir lacks too).
MAX_EXPANSION_ROUNDS = 3
#: Ops torch-mlir converts to wrong torch IR: they are imported as their ONNX function bodies
#: (ops without a body are rewritten by `onnx_rewrite`). Seen with IREE 3.13:
#: SoftmaxCrossEntropyLoss with weights and mean reduction sums the weights into an int64
#: (test_sce_mean_weight returned inf); SpaceToDepth ignores mode="CRD" (opset 28).
CONVERTED_WRONGLY = frozenset({"SoftmaxCrossEntropyLoss", "SpaceToDepth"})


def import_model(
    model: LoadedModel,
    context: ir.Context,
    temps: Path | None = None,
    parameters: Path | None = None,
    parameter_min_bytes: int = PARAMETER_MIN_BYTES,
) -> ir.Module:
    """Convert a prepared ONNX model to a module of torch aten ops (backend contract) in `context`.

    With `parameters`, large initializers are written to that IREE parameter
    archive (.irpa) and the module refers to them by name instead of
    holding them; the file exists afterwards only if the model had any.
    Ops torch-mlir leaves unconverted, or fails to convert, are replaced by
    their ONNX function bodies where their schema has one (`onnx_expand`),
    and the model is imported again.
    """
    rounds = 0
    while True:
        try:
            module = _import_once(model, context, parameters, parameter_min_bytes)
        except ModelImportError as error:  # the conversion failed at nodes: their bodies may convert
            if rounds == MAX_EXPANSION_ROUNDS:
                raise
            model, expanded = expand_ops(model, expandable_op_types(model.proto, set(error.nodes)))
            if not expanded:
                raise
        else:
            unconverted = _unconverted_ops(module)
            if not unconverted or rounds == MAX_EXPANSION_ROUNDS:
                break
            model, expanded = expand_ops(model, {op_type for _, op_type in unconverted})
            if not expanded:
                break
        rounds += 1
    if temps is not None:
        (temps / "00-torch.mlir").write_text(module.operation.get_asm(large_elements_limit=16))
    if unconverted:
        first_node, first_op = unconverted[0]
        raise ModelImportError(
            f"{model.name}: no conversion to torch exists for node '{first_node}' ({first_op})"
            + (f" and {len(unconverted) - 1} more" if len(unconverted) > 1 else "")
            + "; replace the op in the model or export it at another opset"
        )
    return module


def expand_ops(model: LoadedModel, op_types: set[str]) -> tuple[LoadedModel, int]:
    """The model with every node of `op_types` replaced by its ONNX function body (where its schema
    has one), shapes inferred again, also inside bodies that hold such nodes (SoftmaxCrossEntropyLoss
    holds a NegativeLogLikelihoodLoss); and how many nodes were expanded."""
    total = 0
    for _ in range(MAX_EXPANSION_ROUNDS):
        if not any(node.op_type in op_types for node in model.proto.graph.node):
            break
        expanded = onnx.ModelProto()
        expanded.CopyFrom(model.proto)
        count = expand_functions(expanded, op_types)
        if not count:
            break
        model = replace(model, proto=_infer_and_fold(expanded, model.name))
        total += count
    return model, total


def _import_once(model: LoadedModel, context: ir.Context, parameters: Path | None, parameter_min_bytes: int) -> ir.Module:
    with tempfile.TemporaryDirectory(prefix="gimlet-import-") as scratch:
        scratch_dir = Path(scratch)
        model_path = scratch_dir / "model.onnx"
        output_path = scratch_dir / "torch.mlirbc"
        error_path = scratch_dir / "error.json"
        model_path.write_bytes(model.proto.SerializeToString())
        command = [sys.executable, "-m", "gimlet.compiler.onnx_import_worker", str(model_path), str(output_path), str(error_path)]
        if parameters is not None:
            command += [str(parameters), str(parameter_min_bytes)]
        completed = subprocess.run(command, capture_output=True, text=True)
        if completed.returncode != 0:
            raise _worker_error(model, completed, error_path)
        with context:
            return ir.Module.parse(output_path.read_bytes())


def _worker_error(model: LoadedModel, completed: subprocess.CompletedProcess, error_path: Path) -> ModelImportError:
    if error_path.exists():
        report = json.loads(error_path.read_text())
        nodes = tuple(d["node"] for d in report.get("diagnostics", []) if d.get("node"))
        return ModelImportError(_describe_diagnostics(model, report), nodes)
    if completed.returncode < 0:
        op_types = sorted({n.op_type for n in model.proto.graph.node})
        return ModelImportError(
            f"{model.name}: the ONNX-to-torch conversion crashed (signal {-completed.returncode}); one of this "
            f"model's op types is mishandled by torch-mlir: {', '.join(op_types)}"
        )
    tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["no output"]
    return ModelImportError(f"{model.name}: the ONNX importer failed: {tail[0]}")


def _describe_diagnostics(model: LoadedModel, report: dict) -> str:
    op_types = {n.name: n.op_type for n in model.proto.graph.node}
    messages = []
    for diagnostic in report.get("diagnostics", [])[:3]:
        node = diagnostic.get("node")
        where = f"node '{node}' ({op_types[node]})" if node in op_types else (f"at {node}" if node else "")
        messages.append(f"{where}: {diagnostic['message']}".strip(": "))
    detail = "; ".join(messages) or report.get("message", "unknown error")
    stage = report.get("stage", "import")
    return f"{model.name}: {stage} failed: {detail}"


def _unconverted_ops(module: ir.Module) -> list[tuple[str, str]]:
    """(node name, ONNX op type) of every op the importer left as torch.operator (no conversion),
    except those gimlet's raise pass converts itself."""
    unconverted: list[tuple[str, str]] = []

    def visit(op):
        if op.name == "torch.operator":
            op_type = onnx_op_type(op)
            if op_type not in RAISED_ONNX_OPS:
                unconverted.append((location_name(op.location), op_type))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return unconverted
