"""Function signatures and the torch_c conversions between torch value tensors and builtin tensors."""

from __future__ import annotations

from iree.compiler import ir

from ...dialects import is_gimlet
from ..base import block_ops, defining_op, erase_dead_ops
from .torch_ir import CONSTANT_OPS, FROM_BUILTIN, TO_BUILTIN, builtin_tensor_type, is_vtensor


def convert_signature(function: ir.Operation) -> None:
    """Give a function builtin tensor arguments and results in place of `!torch.vtensor`.

    Inside, `torch_c` conversions keep the torch ops type-correct until they
    are raised or wrapped.
    """
    if not function.regions or not function.regions[0].blocks:
        return
    entry = function.regions[0].blocks[0]
    inputs = []
    for argument in entry.arguments:
        builtin = builtin_tensor_type(argument.type) if is_vtensor(argument.type) else None
        if builtin is None:
            inputs.append(argument.type)
            continue
        torch_type = argument.type
        argument.set_type(builtin)
        with ir.InsertionPoint.at_block_begin(entry), argument.location:
            cast = ir.Operation.create(FROM_BUILTIN, results=[torch_type], operands=[argument])
        argument.replace_all_uses_except(cast.results[0], cast)
        inputs.append(builtin)
    results = None
    for block in function.regions[0].blocks:
        terminator = block_ops(block)[-1]
        if terminator.name != "func.return":
            continue
        results = []
        for index, value in enumerate(list(terminator.operands)):
            builtin = builtin_tensor_type(value.type) if is_vtensor(value.type) else None
            if builtin is None:
                results.append(value.type)
                continue
            with ir.InsertionPoint(terminator), terminator.location:
                cast = ir.Operation.create(TO_BUILTIN, results=[builtin], operands=[value])
            terminator.operands[index] = cast.results[0]
            results.append(builtin)
    if results is None:
        results = list(ir.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value).results)
    function.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, results))


def fold_conversions(block: ir.Block) -> None:
    """Cancel to_builtin(from_builtin(x)) and from_builtin(to_builtin(y)) round trips."""
    for op in block_ops(block):
        if op.name not in (TO_BUILTIN, FROM_BUILTIN):
            continue
        producer = defining_op(op.operands[0])
        inverse = FROM_BUILTIN if op.name == TO_BUILTIN else TO_BUILTIN
        if producer is not None and producer.name == inverse and producer.operands[0].type == op.results[0].type:
            op.results[0].replace_all_uses_with(producer.operands[0])


def is_pure_glue(op: ir.Operation) -> bool:
    """Ops that may be erased when unused: gimlet ops, conversions, torch constants."""
    return (
        is_gimlet(op)
        or op.name in (TO_BUILTIN, FROM_BUILTIN, "torch.vtensor.literal")
        or op.name in CONSTANT_OPS
    )


def clean_up(block: ir.Block) -> None:
    fold_conversions(block)
    erase_dead_ops(block, is_pure_glue)
