"""gimlet-outline-partitions: group placed ops into partitions, one function each, joined by transfers.

A partition is a set of ops on one device that can run as one call: ops join
the partition of a same-device producer where that creates no cycle between
partitions (else another same-device partition, else a new one), so a model
placed on one device is one partition. Each partition becomes a public
function `@<name>_p<k>` with attribute `gimlet.device`; constants and weight
loads it reads are cloned into it. The original function becomes the
partition graph: calls in dependency order, with a `gimlet.transfer` on every
value that crosses devices (once per value and destination) and on outputs
that must return to the source device.
"""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir

from ...dialects import Transfer
from ..base import ModulePass, PassFailure, block_ops, defining_op, functions, register_pass
from .cost import is_costed
from .place import PLACEMENT_ATTR, TARGET_ATTR

DEVICE_ATTR = "gimlet.device"
PARTITION_ATTR = "gimlet.partition"


def _is_free(op: ir.Operation) -> bool:
    """Producers every partition may have its own copy of: constants and weight loads."""
    return op.name in ("gimlet.constant", "util.global.load", "arith.constant") or op.name.startswith("torch.constant.")


@dataclass
class _Partition:
    index: int
    device: str
    ops: list
    ancestors: int = 0  # bitset of partition indices this one depends on


def form_partitions(ops: list[ir.Operation]) -> tuple[list[_Partition], dict]:
    """Assign each placed op to a partition; returns partitions (in dependency order) and op → partition."""
    partitions: list[_Partition] = []
    member_of: dict = {}
    for op in ops:
        device = ir.StringAttr(op.attributes[TARGET_ATTR]).value
        preds = []
        for value in op.operands:
            producer = defining_op(value)
            if producer in member_of and member_of[producer] not in preds:
                preds.append(member_of[producer])

        def acyclic(candidate: _Partition) -> bool:
            bit = 1 << candidate.index
            return all(q is candidate or not (q.ancestors & bit) for q in preds)

        same = [p for p in preds if p.device == device and acyclic(p)]
        others = [p for p in reversed(partitions) if p.device == device and p not in same and acyclic(p)]
        chosen = (same or others or [None])[0]
        if chosen is None:
            chosen = _Partition(len(partitions), device, [])
            partitions.append(chosen)
        chosen.ops.append(op)
        member_of[op] = chosen
        gained = 0
        for q in preds:
            if q is not chosen:
                gained |= q.ancestors | (1 << q.index)
        if gained & ~chosen.ancestors:
            chosen.ancestors |= gained
            bit = 1 << chosen.index
            for other in partitions:  # whoever depended on `chosen` now depends on its new ancestors too
                if other.ancestors & bit:
                    other.ancestors |= chosen.ancestors
    ordered = sorted(partitions, key=lambda p: bin(p.ancestors).count("1"))
    return ordered, member_of


def outline_function(module: ir.Module, function: ir.Operation) -> int:
    block = function.regions[0].blocks[0]
    placed = [op for op in block_ops(block) if is_costed(op)]
    missing = [op for op in placed if TARGET_ATTR not in op.attributes]
    if missing:
        raise PassFailure(f"{missing[0].name} at {missing[0].location} has no gimlet.target; run gimlet-partition first")
    terminator = block_ops(block)[-1]
    returned_free = _returned_free_ops(terminator)
    if not placed and not returned_free:
        return 0
    partitions, member_of = form_partitions(placed)
    name = ir.StringAttr(function.attributes["sym_name"]).value
    placement = ir.DictAttr(function.attributes[PLACEMENT_ATTR]) if PLACEMENT_ATTR in function.attributes else None
    if placement is None and not partitions:
        raise PassFailure(f"@{name} has no {PLACEMENT_ATTR}; run gimlet-partition first")
    source = ir.StringAttr(placement["source"]).value if placement is not None else partitions[0].device
    if returned_free:
        # Constants the model returns are made by a partition of their own on the source device: a
        # runtime that runs partitions has nothing else to produce them with.
        partitions.append(_Partition(len(partitions), source, returned_free))

    current: dict = {}  # original value → its value in the partition graph, on its producer's device
    device_of: dict = {}  # original value → device it is produced on
    moved: dict = {}  # (original value, device) → transferred value
    for argument in block.arguments:
        current[argument] = argument
        device_of[argument] = source

    def on_device(value: ir.Value, device: str) -> ir.Value:
        if value not in current:
            producer = defining_op(value)
            raise PassFailure(f"{producer.name if producer else value} feeds a partition but is neither placed nor a constant")
        if device_of[value] == device:
            return current[value]
        key = (value, device)
        if key not in moved:
            with ir.InsertionPoint(terminator), terminator.location:
                moved[key] = Transfer.build(current[value], device_of[value], device).result
        return moved[key]

    for order, partition in enumerate(partitions):
        members = set(partition.ops)
        inputs, outputs = [], []
        for op in partition.ops:
            for value in op.operands:
                producer = defining_op(value)
                if producer in members or (producer is not None and _is_free(producer)) or value in inputs:
                    continue
                inputs.append(value)
            for result in op.results:
                if any(use.owner not in members for use in result.uses):
                    outputs.append(result)
        callee = _make_function(module, f"{name}_p{order}", partition, inputs, outputs)
        with ir.InsertionPoint(terminator), terminator.location:
            call = ir.Operation.create(
                "func.call",
                results=[v.type for v in outputs],
                operands=[on_device(v, partition.device) for v in inputs],
                attributes={"callee": ir.FlatSymbolRefAttr.get(callee)},
            )
        for output, result in zip(outputs, call.results):
            current[output] = result
            device_of[output] = partition.device

    for index, value in enumerate(list(terminator.operands)):
        if value in current:
            terminator.operands[index] = on_device(value, source)
    _erase_dead_free_ops(block)
    function.attributes[PARTITION_ATTR] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), len(partitions))
    return len(partitions)


def _returned_free_ops(terminator: ir.Operation) -> list[ir.Operation]:
    """Constants and weight loads the function returns as they are, each once."""
    found = []
    for value in terminator.operands:
        producer = defining_op(value)
        if producer is not None and _is_free(producer) and producer not in found:
            found.append(producer)
    return found


def _make_function(module: ir.Module, symbol: str, partition: _Partition, inputs, outputs) -> str:
    with ir.InsertionPoint(module.body), partition.ops[0].location:
        function = ir.Operation.create(
            "func.func",
            regions=1,
            attributes={
                "sym_name": ir.StringAttr.get(symbol),
                "function_type": ir.TypeAttr.get(ir.FunctionType.get([v.type for v in inputs], [v.type for v in outputs])),
                DEVICE_ATTR: ir.StringAttr.get(partition.device),
            },
        )
    body = function.regions[0].blocks.append(*[v.type for v in inputs])
    mapping = dict(zip(inputs, body.arguments))
    for op in partition.ops:
        body.append(op)
    for op in partition.ops:
        for value in list(op.operands):
            replacement = mapping.get(value)
            producer = defining_op(value)
            if replacement is None and producer is not None and _is_free(producer):
                replacement = mapping[value] = _clone(producer, value, body)
            if replacement is not None:
                op.replace_uses_of_with(value, replacement)
    with ir.InsertionPoint(body), partition.ops[-1].location:
        ir.Operation.create("func.return", operands=outputs)
    return symbol


def _clone(producer: ir.Operation, value: ir.Value, body: ir.Block) -> ir.Value:
    clone = producer.clone(ip=ir.InsertionPoint.at_block_begin(body)).operation
    return clone.results[value.result_number]


def _erase_dead_free_ops(block: ir.Block) -> None:
    for op in reversed(block_ops(block)):
        if _is_free(op) and all(not list(r.uses) for r in op.results):
            op.erase()


@register_pass
@dataclass
class OutlinePartitions(ModulePass):
    """Outline placed ops into one function per partition, joined by calls and gimlet.transfer ops."""

    NAME = "gimlet-outline-partitions"
    DESCRIPTION = "Outline placed ops into per-partition functions joined by calls and gimlet.transfer"

    def apply(self, module: ir.Module) -> None:
        for function in functions(module):
            if function.regions[0].blocks and DEVICE_ATTR not in function.attributes:
                outline_function(module, function)
