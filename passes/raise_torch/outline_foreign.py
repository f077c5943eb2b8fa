"""Wrap the torch ops that no pattern raised into gimlet.foreign regions.

Foreign ops that follow one another in a block, with only constants and
torch_c conversions between them, share one region. Such a run can always
be replaced by one op placed where it starts: everything it reads from
outside is defined before the run, so no cycle can arise. Constants a
region reads are cloned into it, keeping it isolated.
"""

from __future__ import annotations

from iree.compiler import ir

from ...dialects import Foreign, Yield, location_name
from ...errors import CompilationError
from ..base import block_ops, defining_op
from .torch_ir import CONSTANT_OPS, FROM_BUILTIN, TO_BUILTIN, builtin_tensor_type, from_builtin, is_vtensor


def is_free(op: ir.Operation) -> bool:
    """Constants, and lists of constants: cloned into each region that reads them."""
    if op.name == "torch.prim.ListConstruct":
        return all(_is_free_value(v) for v in op.operands)
    return op.name in CONSTANT_OPS


def _is_free_value(value: ir.Value) -> bool:
    producer = defining_op(value)
    return producer is not None and is_free(producer)


def is_glue(op: ir.Operation) -> bool:
    return op.name in (TO_BUILTIN, FROM_BUILTIN)


def is_foreign_candidate(op: ir.Operation) -> bool:
    return op.name.startswith("torch.") and not is_free(op)


def outline_foreign_ops(block: ir.Block) -> int:
    """Replace every run of unraised torch ops in `block` with a gimlet.foreign; returns how many."""
    runs: list[list[ir.Operation]] = [[]]
    for op in block_ops(block):
        if is_foreign_candidate(op):
            runs[-1].append(op)
        elif not (is_free(op) or is_glue(op)) and runs[-1]:
            runs.append([])
    runs = [run for run in runs if run]
    outlined = 0
    for run in runs:
        if _is_dead(run):
            # Value semantics (the torch backend contract): unused results mean no effect at all.
            for op in reversed(run):
                op.erase()
        else:
            _outline(run)
            outlined += 1
    return outlined


def _with_nested(cluster: list[ir.Operation]) -> dict:
    """The cluster's ops and every op nested in their regions (torch.prim.If and Loop bodies),
    each mapped to the cluster op it is in."""
    found = {}

    def visit(op: ir.Operation, top: ir.Operation) -> None:
        found[op] = top
        for region in op.regions:
            for block in region.blocks:
                for nested in block_ops(block):
                    visit(nested, top)

    for op in cluster:
        visit(op, op)
    return found


def _reads(within: dict) -> list[tuple[ir.Operation, ir.Value]]:
    """(reader, value) for every value a cluster op, or an op nested in one, reads from outside the
    cluster; in program order (`within` lists each op before those nested in it)."""
    reads = []
    for op in within:
        for value in op.operands:
            producer = defining_op(value)
            if producer in within or (producer is None and _owner_op(value) in within):
                continue
            reads.append((op, value))
    return reads


def _owner_op(argument: ir.Value):
    """The op whose region holds the block `argument` belongs to (None for a function's)."""
    parent = ir.BlockArgument(argument).owner.owner
    return getattr(parent, "operation", parent)


def _is_dead(cluster: list[ir.Operation]) -> bool:
    within = _with_nested(cluster)
    return all(u.owner in within for op in cluster for r in op.results for u in r.uses)


def _outline(cluster: list[ir.Operation]) -> None:
    first = cluster[0]
    within = _with_nested(cluster)
    reads = _reads(within)

    # What the cluster reads from outside, and what it gives to the outside.
    inputs: list[ir.Value] = []
    for _, value in reads:
        producer = defining_op(value)
        if (producer is not None and is_free(producer)) or value in inputs:
            continue
        inputs.append(value)
    outputs = [r for op in cluster for r in op.results if any(u.owner not in within for u in r.uses)]

    operands = []
    for value in inputs:
        producer = defining_op(value)
        operands.append(producer.operands[0] if producer is not None and producer.name == FROM_BUILTIN else value)
    result_types = [builtin_tensor_type(r.type) if is_vtensor(r.type) else r.type for r in outputs]
    untyped = [r.type for r, t in zip(outputs, result_types) if t is None]
    if untyped:
        raise CompilationError(
            f"{location_name(first.location) or first.name}: torch type {untyped[0]} has no builtin tensor type "
            "in gimlet (float8 and complex tensors are not supported yet); compute in f32, f16 or bf16 instead"
        )

    location = ir.Location.fused([op.location for op in cluster]) if len(cluster) > 1 else first.location
    with ir.InsertionPoint(first), location:
        foreign = Foreign.build(operands, result_types)
        outside = [
            from_builtin(result, output.type) if is_vtensor(output.type) else result
            for result, output in zip(foreign.operation.results, outputs)
        ]

    body = foreign.body
    mapping: dict = {}
    with ir.InsertionPoint(body), location:
        for value, operand, argument in zip(inputs, operands, body.arguments):
            mapping[value] = (
                ir.Operation.create(FROM_BUILTIN, results=[value.type], operands=[argument]).results[0]
                if operand is not value
                else argument
            )
    # Rewire the readers first (Python handles to nested ops do not survive moving their parent),
    # with constants cloned into the body ahead of the cluster's ops.
    for reader, value in reads:
        inner = mapping.get(value)
        if inner is None and _is_free_value(value):
            inner = _clone_free(value, body, mapping)
        if inner is not None:
            reader.replace_uses_of_with(value, inner)
    for op in cluster:
        body.append(op)

    with ir.InsertionPoint(body), location:
        yielded = []
        inner_users = list(cluster)
        for output in outputs:
            if is_vtensor(output.type):
                cast = ir.Operation.create(TO_BUILTIN, results=[builtin_tensor_type(output.type)], operands=[output])
                inner_users.append(cast)
                yielded.append(cast.results[0])
            else:
                yielded.append(output)
        # The yield reads non-tensor outputs directly: it must keep reading them.
        inner_users.append(Yield.build(yielded).operation)
    for output, replacement in zip(outputs, outside):
        output.replace_all_uses_except(replacement, inner_users)


def _clone_free(value: ir.Value, body: ir.Block, mapping: dict) -> ir.Value:
    """Clone the constant (or list of constants) defining `value` at the end of `body`."""
    if value in mapping:
        return mapping[value]
    producer = defining_op(value)
    operands = [_clone_free(v, body, mapping) for v in producer.operands]
    clone = producer.clone(ip=ir.InsertionPoint(body)).operation
    for old, new in zip(producer.operands, operands):
        clone.replace_uses_of_with(old, new)
    mapping[value] = clone.results[value.result_number]
    return mapping[value]

