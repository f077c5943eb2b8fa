"""The placed view of a model: partitions on devices, each its own lowered module, and what joins them.

`place_model` runs MODEL_PASSES (raise, cost, place, outline) and then
PARTITION_PASSES on each partition's own module, with its device's options;
`module_for` lowers it again for a fallback target whose options differ. It
names every tensor that crosses between partitions (model inputs and outputs
keep their names) and collects, per op, the estimates and the decision that
`--explain` shows and the manifest keeps.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from iree.compiler import ir

from ..errors import OptionError
from ..passes.base import block_ops, defining_op, functions
from ..runtime.profiling import device_scales
from ..passes.coverage import Coverage
from ..passes.partition.annotate import COST_ATTR, WORK_ATTR, devices_of, profiles_of
from ..passes.partition.outline import DEVICE_ATTR
from ..passes.partition.place import PLACEMENT_ATTR, REASON_ATTR, TARGET_ATTR, node_names
from ..targets import Target
from ..targets.devices import Device, parse_link, transfer_model
from .driver import ImportedModel, Progress, bytecode, import_and_lower, run_passes
from .options import CompileOptions
from .pipeline import MODEL_PASSES, PARTITION_PASSES


@dataclass
class Partition:
    """One partition: its device, the tensors it takes and gives, and its own lowered module."""

    name: str
    function: str
    device: Device
    inputs: list[str]
    outputs: list[str]
    module: ir.Module
    #: The module before lowering (bytecode), for lowering it again with a fallback target's options.
    unlowered: bytes = b""
    #: The module lowered with other targets' options, by those options (`module_for`).
    relowered: dict[str, ir.Module] = field(default_factory=dict)


@dataclass
class PlacedModel:
    imported: ImportedModel
    devices: list[Device]
    profiles: list
    partitions: list[Partition]
    transfers: list[dict]
    summary: dict
    ops: list[dict]
    coverage: Coverage = field(default_factory=Coverage)
    #: Model outputs that are another tensor (a model input, or an output returned twice) → its name.
    output_aliases: dict[str, str] = field(default_factory=dict)


def pass_options(options: CompileOptions) -> dict[str, str]:
    """The command-line options of the placement passes, from the compile options."""
    annotate = [f"targets={','.join(options.targets)}"]
    profiles = options.profiles_path()
    if profiles is not None:
        annotate.append(f"profiles={profiles}")
    if options.profile_feedback is not None:
        annotate += [f"scale={device}={factor:.6g}" for device, factor in _feedback_scales(options.profile_feedback).items()]
    partition = [f"objective={options.objective}", f"method={options.placement_method}"]
    if options.sla:
        partition.append(f"sla={options.sla}")
    partition += [f"pin={pin}" for pin in options.pins]
    partition += [f"link={link}" for link in options.links]
    return {"gimlet-annotate-cost": shlex.join(annotate), "gimlet-partition": shlex.join(partition)}


def _feedback_scales(path: Path) -> dict[str, float]:
    try:
        return device_scales(json.loads(Path(path).read_text()))
    except (OSError, ValueError) as error:
        raise OptionError(f"--profile-feedback {path}: {error}") from None


def place_model(model, options: CompileOptions, parameters: Path | None = None, progress: Progress | None = None) -> PlacedModel:
    return import_and_lower(model, options, parameters, progress, lambda imported: _place(imported, options, progress))


def _place(imported: ImportedModel, options: CompileOptions, progress: Progress | None) -> PlacedModel:
    coverage = run_passes(imported, MODEL_PASSES, options, progress, pass_options(options))
    module = imported.module
    with imported.context, ir.Location.unknown():
        devices = devices_of(module)
        profiles = profiles_of(module, devices)
        graph = next(f for f in functions(module) if DEVICE_ATTR not in f.attributes)
        partition_functions = {ir.StringAttr(f.attributes["sym_name"]).value: f for f in functions(module) if DEVICE_ATTR in f.attributes}
        names, aliases = _name_tensors(graph, imported)
        partitions, transfers = _read_graph(graph, names, devices, partition_functions)
        bandwidth, latency = transfer_model(devices, profiles, [parse_link(spec, devices) for spec in options.links])
        index = {d.name: i for i, d in enumerate(devices)}
        for transfer in transfers:
            s, t = index[transfer["from"]], index[transfer["to"]]
            transfer["seconds"] = latency[s][t] + transfer["bytes"] / bandwidth[s][t]
        ops = _op_rows(partitions, partition_functions, devices)
        summary = _summary(graph)
        for partition in partitions:
            partition.module = _own_module(module, partition_functions[partition.function])
    for partition in partitions:
        partition.unlowered = bytecode(partition.module)
        lowering = {"gimlet-lower-to-linalg": partition.device.target.lowering_options()}
        run_passes(imported, PARTITION_PASSES, options, progress, lowering, module=partition.module, label=f" {partition.name}")
    return PlacedModel(imported, devices, profiles, partitions, transfers, summary, ops, coverage, aliases)


def module_for(
    placed: PlacedModel, partition: Partition, key: str, target: Target, options: CompileOptions, progress: Progress | None = None
) -> ir.Module:
    """The partition's module lowered with `target`'s options (module `key` of the bundle): its own
    module where they are its device's, else the unlowered module lowered again with them, once per
    set of options. A fallback so gets its own target's layout and tiles: IREE's other backends
    reject the CPU's tiles, and another CPU's vector extension wants other ones."""
    lowering = target.lowering_options()
    if lowering == partition.device.target.lowering_options():
        return partition.module
    if lowering not in partition.relowered:
        with placed.imported.context:
            module = ir.Module.parse(partition.unlowered)
        label = f" {partition.name}.{key}"
        passes = {"gimlet-lower-to-linalg": lowering}
        run_passes(placed.imported, PARTITION_PASSES, options, progress, passes, module=module, label=label)
        partition.relowered[lowering] = module
    return partition.relowered[lowering]


def _through_transfers(value: ir.Value) -> ir.Value:
    """The value a chain of gimlet.transfer ops moves."""
    producer = defining_op(value)
    while producer is not None and producer.name == "gimlet.transfer":
        value = producer.operands[0]
        producer = defining_op(value)
    return value


def _name_tensors(graph: ir.Operation, imported: ImportedModel) -> tuple[dict, dict[str, str]]:
    """Tensor names for the values of the partition graph: model inputs and outputs by their names,
    the rest `<partition>.<result>`; and the outputs whose value already has a name (an input passed
    through, a value returned twice), mapped to that name."""
    block = graph.regions[0].blocks[0]
    names = {arg: spec.name for arg, spec in zip(block.arguments, imported.inputs)}
    aliases = {}
    terminator = block_ops(block)[-1]
    for operand, spec in zip(terminator.operands, imported.outputs):
        value = _through_transfers(operand)
        if names.setdefault(value, spec.name) != spec.name:
            aliases[spec.name] = names[value]
    return names, aliases


def _read_graph(graph, names: dict, devices: list[Device], partition_functions: dict) -> tuple[list[Partition], list[dict]]:
    by_name = {d.name: d for d in devices}
    partitions, transfers = [], []
    for op in block_ops(graph.regions[0].blocks[0]):
        if op.name == "func.call":
            callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
            name = f"p{len(partitions)}"
            for index, result in enumerate(op.results):
                names.setdefault(result, f"{name}.{index}")
            inputs = [names[_through_transfers(v)] for v in op.operands]
            outputs = [names[r] for r in op.results]
            device = by_name[ir.StringAttr(partition_functions[callee].attributes[DEVICE_ATTR]).value]
            partitions.append(Partition(name, callee, device, inputs, outputs, None))
        elif op.name == "gimlet.transfer":
            moved = _through_transfers(op.results[0])
            size = op.results[0].type
            transfers.append(
                {
                    "tensor": names.get(moved, "?"),
                    "from": ir.StringAttr(op.attributes["from"]).value,
                    "to": ir.StringAttr(op.attributes["to"]).value,
                    "bytes": _bytes(size),
                }
            )
    return partitions, transfers


def _bytes(type_: ir.Type) -> int:
    from ..dialects.base import tensor_bytes

    return tensor_bytes(type_)


def _op_rows(partitions: list[Partition], partition_functions: dict, devices: list[Device]) -> list[dict]:
    rows = []
    for partition in partitions:
        function = partition_functions[partition.function]
        for op in block_ops(function.regions[0].blocks[0]):
            if COST_ATTR not in op.attributes:
                continue
            costs = ir.DictAttr(op.attributes[COST_ATTR])
            work = ir.DictAttr(op.attributes[WORK_ATTR])
            rows.append(
                {
                    "node": ", ".join(node_names(op)),
                    "op": _op_label(op),
                    "flops": ir.IntegerAttr(work["flops"]).value,
                    "bytes": ir.IntegerAttr(work["bytes"]).value,
                    "estimates": {d.name: ir.FloatAttr(costs[d.name]).value for d in devices},
                    "device": ir.StringAttr(op.attributes[TARGET_ATTR]).value,
                    "reason": ir.StringAttr(op.attributes[REASON_ATTR]).value,
                    "partition": partition.name,
                }
            )
    return rows


def _op_label(op: ir.Operation) -> str:
    """The op's name, with what sets it apart for compile strategies: an elementwise op's function,
    `[grouped]` for a grouped (e.g. depthwise) convolution."""
    if op.name == "gimlet.elementwise":
        return f"gimlet.elementwise[{ir.StringAttr(op.attributes['fn']).value}]"
    if op.name == "gimlet.conv" and ir.IntegerAttr(op.attributes["groups"]).value > 1:
        return "gimlet.conv[grouped]"
    return op.name


def _summary(graph) -> dict:
    placement = ir.DictAttr(graph.attributes[PLACEMENT_ATTR])
    return {
        "objective": ir.StringAttr(placement["objective"]).value,
        "latency_s": ir.FloatAttr(placement["latency"]).value,
        "cost_usd": ir.FloatAttr(placement["cost"]).value,
        "method": ir.StringAttr(placement["method"]).value,
        "optimal": ir.BoolAttr(placement["optimal"]).value,
        "source": ir.StringAttr(placement["source"]).value,
    }


def _own_module(module: ir.Module, function: ir.Operation) -> ir.Module:
    """A module of one partition function and the weight globals it loads."""
    loaded = set()

    def visit(op):
        if op.name == "util.global.load":
            loaded.add(ir.FlatSymbolRefAttr(op.attributes["global"]).value)
        return ir.WalkResult.ADVANCE

    function.walk(visit)
    own = ir.Module.create()
    with ir.InsertionPoint(own.body):
        for op in module.body.operations:
            op = op.operation
            if op.name == "util.global" and ir.StringAttr(op.attributes["sym_name"]).value in loaded:
                op.clone()
        function.clone()
    return own
