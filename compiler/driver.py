"""The compiler driver: a model in, linalg-on-tensors and IREE modules out, intermediates kept on request."""

from __future__ import annotations

import io
import re
import shlex
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

import numpy as np
import onnx
from iree.compiler import ir
from iree.compiler import tools as iree_tools

from ..dialects import VerificationError, location_name
from ..errors import CompilationError, GimletError
from ..passes import PASSES, PassFailure
from ..passes.coverage import Coverage, measure_coverage
from ..passes.verify import verify_module
from ..targets import Target, get_target, split_target_list
from ..targets.devices import parse_devices
from .context import new_context
from .onnx_axes import AxesInput
from .onnx_expand import expandable_op_types
from .onnx_import import expand_ops, import_model, load_model, prepare_model
from .options import CompileOptions
from .pipeline import ANALYSES, UNPLACED_PIPELINE


T = TypeVar("T")


@dataclass(frozen=True)
class TensorSpec:
    """One input or output of a model: its name, shape (None for a symbolic dimension) and NumPy dtype;
    for an input that gives a reduction's axes, the axis sets it may take."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str
    axes: AxesInput | None = None

    def to_dict(self) -> dict:
        entry = {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}
        if self.axes is not None:
            entry["axes"] = self.axes.to_dict()
        return entry


@dataclass
class LoweredModel:
    """A model taken through the gimlet pipeline: linalg-on-tensors, ready for iree-compile."""

    name: str
    context: ir.Context
    module: ir.Module
    entry: str
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    coverage: Coverage
    temps: Path | None


def _specs(values, skip: set[str] = frozenset(), axes_inputs: dict[str, AxesInput] | None = None) -> list[TensorSpec]:
    specs = []
    for value in values:
        if value.name in skip:
            continue
        tensor_type = value.type.tensor_type
        shape = tuple(d.dim_value if d.HasField("dim_value") else None for d in tensor_type.shape.dim)
        dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)).name
        specs.append(TensorSpec(value.name, shape, dtype, (axes_inputs or {}).get(value.name)))
    return specs


class Progress:
    """Hears about the long steps of a compilation; the command line shows them, the API stays quiet."""

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        yield


def lower_model(
    model,
    options: CompileOptions | None = None,
    parameters: Path | None = None,
    progress: Progress | None = None,
) -> LoweredModel:
    """Import a model (path, bytes or ModelProto) and lower it whole, unplaced, to linalg-on-tensors.

    This is the one-module view of a model (UNPLACED_PIPELINE), for one target;
    `place_model` is the placed, partitioned view `gimlet.compile` uses. With
    `parameters`, the weights go to that IREE parameter archive.
    """
    options = options or CompileOptions()

    specs = [spec for text in options.targets for spec in split_target_list(text)]
    lowering = parse_devices(specs, get_target)[0].target.lowering_options() if specs else ""

    def lower(imported: ImportedModel) -> LoweredModel:
        coverage = run_passes(imported, UNPLACED_PIPELINE, options, progress, {"gimlet-lower-to-linalg": lowering})
        return imported.lowered(_entry_name(imported.module), coverage)

    return import_and_lower(model, options, parameters, progress, lower)


def import_and_lower(model, options: CompileOptions, parameters: Path | None, progress: Progress | None, lower: Callable[["ImportedModel"], T]) -> T:
    """Import the model and run `lower` on it. Where lowering fails at nodes of ONNX ops whose schema
    has a function body, import again with those ops replaced by their bodies and lower that:
    torch-mlir converts some ops (NegativeLogLikelihoodLoss, RotaryEmbedding) to torch ops it can
    lower only in some configurations, while their bodies are made of ops it always lowers."""
    expand: set[str] = set()
    while True:
        imported = import_step(model, options, parameters, progress, frozenset(expand))
        try:
            return lower(imported)
        except CompilationError as error:
            if imported.onnx_model is None:
                raise
            failed = expandable_op_types(imported.onnx_model, set(error.nodes)) - expand
            if not failed:
                raise
            expand |= failed


@dataclass
class ImportedModel:
    """A model in torch IR, whichever frontend it came through, with what later steps report against."""

    name: str  # how errors and the manifest refer to it: its path, or <model>, or the module's class
    title: str  # the model's own name (ONNX graph name, torch module class)
    context: ir.Context
    module: ir.Module
    temps: Path | None
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    step: int = 0  # index of the next intermediate file kept
    onnx_model: onnx.ModelProto | None = None  # the prepared model, for ONNX models
    checks: list[dict] = field(default_factory=list)  # of input values, before running (manifest `checks`)

    def lowered(self, entry: str, coverage: Coverage) -> LoweredModel:
        return LoweredModel(self.name, self.context, self.module, entry, self.inputs, self.outputs, coverage, self.temps)

    def keep(self, suffix: str, module: ir.Module | None = None) -> None:
        """Keep an intermediate (with GIMLET_SAVE_TEMPS): NN-<suffix>.mlir."""
        self.step += 1
        if self.temps is not None:
            text = (module or self.module).operation.get_asm(large_elements_limit=16, enable_debug_info=True)
            (self.temps / f"{self.step:02d}-{suffix}.mlir").write_text(text)


def import_step(
    model, options: CompileOptions, parameters: Path | None, progress: Progress | None, expand: frozenset[str] = frozenset()
) -> ImportedModel:
    """Import an ONNX model (path, bytes, ModelProto), a torch.export program (.pt2 path or
    ExportedProgram) or a torch.nn.Module (with `options.example_args`) into torch IR; the ONNX
    ops in `expand` are replaced by their function bodies first."""
    progress = progress or Progress()
    temps = options.temps_dir()
    with progress.step("import"):
        if is_torch_model(model):
            from .torch_import import import_torch

            return import_torch(model, options, new_context(), temps, parameters)
        loaded = prepare_model(load_model(model), options.input_shapes)
        if expand:
            loaded, _ = expand_ops(loaded, set(expand))
        if temps is not None:
            onnx.save(loaded.proto, str(temps / "00-prepared.onnx"))
        context = new_context()
        module = import_model(loaded, context, temps, parameters=parameters)
    initializers = {i.name for i in loaded.proto.graph.initializer}
    return ImportedModel(
        loaded.name,
        loaded.proto.graph.name,
        context,
        module,
        temps,
        _specs(loaded.proto.graph.input, initializers, loaded.axes_inputs),
        _specs(loaded.proto.graph.output),
        onnx_model=loaded.proto,
        checks=[check.to_dict() for check in loaded.checks],
    )


def is_torch_model(model) -> bool:
    """A torch.nn.Module, a torch.export.ExportedProgram, or a path to a saved program (.pt2)."""
    if isinstance(model, (str, Path)):
        return str(model).endswith(".pt2")
    module = type(model).__module__
    return module.startswith("torch") or any(c.__module__.startswith("torch.nn") for c in type(model).__mro__)


def run_passes(
    imported: ImportedModel,
    names: list[str],
    options: CompileOptions,
    progress: Progress | None = None,
    pass_options: dict[str, str] | None = None,
    module: ir.Module | None = None,
    label: str = "",
) -> Coverage:
    """Run gimlet passes in order over `module` (default: the whole model), verifying after each.

    Returns the native coverage measured right after raising (empty if not raised here).
    """
    progress = progress or Progress()
    module = module or imported.module
    coverage = Coverage()
    with imported.context, ir.Location.unknown():
        for name in names:
            with progress.step(f"{name}{label}"):
                _run_pass(name, (pass_options or {}).get(name, ""), module, imported.name, options)
            if name == "gimlet-raise-torch":
                coverage = measure_coverage(module)
            imported.keep(name + label.replace(" ", "-"), module)
    return coverage


def _entry_name(module: ir.Module) -> str:
    entry = next(op for op in module.body.operations if op.operation.name == "func.func")
    return ir.StringAttr(entry.attributes["sym_name"]).value


def _run_pass(name: str, option_string: str, module: ir.Module, model_name: str, options: CompileOptions) -> None:
    try:
        PASSES[name].from_option_string(option_string).apply(module)
        if options.verify_each and name not in ANALYSES:
            verify_module(module)
    except ir.MLIRError as error:
        nodes = tuple(location_name(d.location) for d in error.error_diagnostics)
        raise CompilationError(f"{model_name}: {name} failed: {describe_mlir_error(error)}", nodes) from None
    except (PassFailure, VerificationError) as error:
        raise CompilationError(f"{model_name}: {name} failed (a gimlet bug; please report it): {error}") from None
    except GimletError as error:
        raise type(error)(f"{model_name}: {error}") from None


def describe_mlir_error(error: ir.MLIRError) -> str:
    """The first diagnostics of an MLIR error, each with the ONNX node its location names."""
    parts = []
    for diagnostic in error.error_diagnostics[:3]:
        message = diagnostic.message.splitlines()[0]
        where = location_name(diagnostic.location)
        # Name locations are ONNX node names; file locations come from parsing .mlir text.
        prefix = f"at {where}" if where.startswith('"') or where == "unknown" else f"node '{where}'"
        parts.append(f"{prefix}: {message}")
    return "; ".join(parts) or str(error).splitlines()[0]


def compile_for_target(lowered: LoweredModel, target: Target, options: CompileOptions | None = None) -> bytes:
    """iree-compile the lowered module for one target; returns the IREE module (.vmfb) bytes."""
    return compile_module(lowered.module, target, options or CompileOptions(), lowered.name, lowered.temps, f"{target.NAME}")


def compile_module(module: ir.Module, target: Target, options: CompileOptions, name: str, temps: Path | None, stem: str) -> bytes:
    """iree-compile one linalg module for `target`, keeping its input and command line under `temps`."""
    return compile_bytecode(bytecode(module), target, options, name, temps, stem)


def bytecode(module: ir.Module) -> bytes:
    """The module as MLIR bytecode: what iree-compile reads, and safe to hand to another thread."""
    stream = io.BytesIO()
    module.operation.write_bytecode(stream)
    return stream.getvalue()


def compile_bytecode(
    source: bytes,
    target: Target,
    options: CompileOptions,
    name: str,
    temps: Path | None,
    stem: str,
    strategy_flags: Sequence[str] = (),
    after_global_optimization: Sequence[str] = (),
) -> bytes:
    """iree-compile MLIR bytecode for `target` (a child process, so several may run at once). With
    `after_global_optimization` (gimlet pass names), in two runs: to the end of IREE's global
    optimization, where the passes run on IREE's IR, then from there to the module."""
    flags = [*target.compile_flags(), *strategy_flags, IREE_INPUT_FLAG, *options.extra_iree_flags]
    run = _IreeCompile(target, name, temps, stem)
    if not after_global_optimization:
        return run(source, "input.mlirbc", flags, "vmfb")
    # With locations, so that errors of the second run still name the model's nodes.
    optimized = run(source, "input.mlirbc", [*flags, f"--compile-to={GLOBAL_OPTIMIZATION}", "--mlir-print-debuginfo"], f"{GLOBAL_OPTIMIZATION}.mlir")
    passed = _run_passes(optimized, after_global_optimization, f"{name} ({stem})")
    run.note(f"gimlet-opt {' '.join('--' + p for p in after_global_optimization)} iree-{stem}.{GLOBAL_OPTIMIZATION}.mlir -o iree-{stem}.{AFTER_PASSES}.mlir")
    return run(passed, f"{AFTER_PASSES}.mlir", [*flags, f"--compile-from={GLOBAL_OPTIMIZATION}"], "vmfb")


#: How iree-compile reads a module gimlet lowered (linalg on tensors, with any torch ops left).
IREE_INPUT_FLAG = "--iree-input-type=auto"

#: The iree-compile phase after which `compile_bytecode` may run gimlet passes on IREE's own IR,
#: and the name its temps give their output.
GLOBAL_OPTIMIZATION = "global-optimization"
AFTER_PASSES = f"{GLOBAL_OPTIMIZATION}.after-passes"


@dataclass
class _IreeCompile:
    """iree-compile runs for one module; with temps, each input and output is kept and each
    command line added to a script that redoes them (inputs are kept first, for failures)."""

    target: Target
    name: str
    temps: Path | None
    stem: str
    commands: list[str] = field(default_factory=list)

    def __call__(self, source: bytes, input_suffix: str, flags: list[str], output_suffix: str) -> bytes:
        self._keep(input_suffix, source)
        self.note(shlex.join(["iree-compile", f"iree-{self.stem}.{input_suffix}", *flags, "-o", f"iree-{self.stem}.{output_suffix}"]))
        with tempfile.TemporaryDirectory(prefix="gimlet-compile-") as scratch:
            path = Path(scratch) / input_suffix
            path.write_bytes(source)
            try:
                output = iree_tools.compile_file(str(path), extra_args=flags)
            except iree_tools.CompilerToolError as error:
                raise CompilationError(f"{self.name}: iree-compile failed for {self.target.describe()} ({self.stem}): {_first_error(error)}") from None
        self._keep(output_suffix, output)
        return output

    def note(self, command: str) -> None:
        """Add a step to the temps' script."""
        self.commands.append(command)
        self._keep("iree-compile.sh", "\n".join(self.commands).encode() + b"\n")

    def _keep(self, suffix: str, content: bytes) -> None:
        if self.temps is not None:
            (self.temps / f"iree-{self.stem}.{suffix}").write_bytes(content)


def _run_passes(source: bytes, pass_names: Sequence[str], what: str) -> bytes:
    """Run gimlet passes on IREE's IR between two iree-compile runs; the result as MLIR text, for
    temps to keep and gimlet-opt to reproduce (IREE's weights are parameters, so it is small)."""
    with new_context():
        module = ir.Module.parse(source)
        for pass_name in pass_names:
            try:
                PASSES[pass_name]().apply(module)
            except PassFailure as error:
                raise CompilationError(f"{what}: {pass_name} failed on IREE's {GLOBAL_OPTIMIZATION} output: {error}") from None
        return module.operation.get_asm(enable_debug_info=True).encode()


def _first_error(error: Exception) -> str:
    """iree-compile's first `error:` line; where it crashed instead, the pass it crashed in, from its
    stack dump, rather than the tool's bare "Error invoking IREE compiler tool"."""
    text = str(error)
    lines = text.splitlines()
    for line in lines:
        if "error:" in line:
            return line.strip()
    if "Stack dump" in text:
        code = re.search(r"Error code: (-?\d+)", text)
        passes = re.findall(r"::(\w+Pass)::runOnOperation", text)
        where = f" in its {passes[0]}" if passes else ""
        return (
            f"iree-compile crashed{where} (exit code {code.group(1) if code else 'unknown'}), an IREE defect; keeping "
            "the intermediates (gimletc --save-temps DIR) gives its input and an iree-compile.sh that reproduces it"
        )
    return lines[0] if lines else type(error).__name__
