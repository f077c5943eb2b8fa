"""Reading torch-dialect IR from Python: value tensor types, constants, and builtin conversions.

The torch dialect has no Python op classes in the IREE bindings, so its
types are read from their textual form and its constants from their
attributes.
"""

from __future__ import annotations

import re

import numpy as np
from iree.compiler import ir

from ..base import NoMatch, defining_op

_VTENSOR = re.compile(r"^!torch\.vtensor<\[([^\]]*)\],([a-z0-9]+)>$")
_TORCH_TO_BUILTIN_ELEMENT = {
    "f16": "f16",
    "bf16": "bf16",
    "f32": "f32",
    "f64": "f64",
    "i1": "i1",
    "si8": "i8",
    "ui8": "i8",
    "ui16": "i16",
    "ui32": "i32",
    "ui64": "i64",
    "si16": "i16",
    "si32": "i32",
    "si64": "i64",
}
_BUILTIN_TO_TORCH_ELEMENT = {
    "f16": "f16",
    "bf16": "bf16",
    "f32": "f32",
    "f64": "f64",
    "i1": "i1",
    "i8": "si8",
    "i16": "si16",
    "i32": "si32",
    "i64": "si64",
}

TO_BUILTIN = "torch_c.to_builtin_tensor"
FROM_BUILTIN = "torch_c.from_builtin_tensor"
CONSTANT_OPS = (
    "torch.constant.int",
    "torch.constant.float",
    "torch.constant.bool",
    "torch.constant.none",
    "torch.constant.str",
    "torch.constant.device",
    "torch.prim.ListConstruct",
)


def onnx_op_type(operation) -> str:
    """The ONNX op type a `torch.operator` stands for (the importer names it "onnx.<OpType>")."""
    return ir.StringAttr(operation.attributes["name"]).value.removeprefix("onnx.")


def is_vtensor(type_: ir.Type) -> bool:
    return str(type_).startswith("!torch.vtensor<")


def builtin_tensor_type(type_: ir.Type) -> ir.RankedTensorType | None:
    """The builtin tensor type that a `!torch.vtensor` converts to, or None if it has none."""
    match = _VTENSOR.match(str(type_))
    if not match or match.group(2) not in _TORCH_TO_BUILTIN_ELEMENT:
        return None
    dims = [d.strip() for d in match.group(1).split(",") if d.strip()]
    shape = [ir.ShapedType.get_dynamic_size() if d == "?" else int(d) for d in dims]
    return ir.RankedTensorType.get(shape, ir.Type.parse(_TORCH_TO_BUILTIN_ELEMENT[match.group(2)]))


def is_unsigned_vtensor(type_: ir.Type) -> bool:
    """A `!torch.vtensor` of unsigned integers (its builtin type is signless: the sign is lost)."""
    match = _VTENSOR.match(str(type_))
    return bool(match) and match.group(2).startswith("ui")


def vtensor_type(type_: ir.RankedTensorType) -> ir.Type:
    """The `!torch.vtensor` type of a builtin tensor type."""
    dims = ",".join("?" if d == ir.ShapedType.get_dynamic_size() else str(d) for d in type_.shape)
    return ir.Type.parse(f"!torch.vtensor<[{dims}],{_BUILTIN_TO_TORCH_ELEMENT[str(type_.element_type)]}>")


def to_builtin(value: ir.Value) -> ir.Value:
    """`value` as a builtin tensor, looking through a `from_builtin_tensor` where there is one."""
    producer = defining_op(value)
    if producer is not None and producer.name == FROM_BUILTIN:
        return producer.operands[0]
    builtin = builtin_tensor_type(value.type)
    if builtin is None:
        raise NoMatch(f"operand of type {value.type} has no builtin tensor type")
    return ir.Operation.create(TO_BUILTIN, results=[builtin], operands=[value]).results[0]


def from_builtin(value: ir.Value, torch_type: ir.Type) -> ir.Value:
    """`value` as the torch value tensor `torch_type`, looking through a `to_builtin_tensor`."""
    producer = defining_op(value)
    if producer is not None and producer.name == TO_BUILTIN and producer.operands[0].type == torch_type:
        return producer.operands[0]
    return ir.Operation.create(FROM_BUILTIN, results=[torch_type], operands=[value]).results[0]


def constant_value(value: ir.Value):
    """The Python value of a torch constant (int, float, bool, None, str, or list of those).

    Raises NoMatch when the value is not a compile-time constant.
    """
    producer = defining_op(value)
    if producer is None:
        raise NoMatch(f"{value.get_name()} is a block argument, not a constant")
    name = producer.name
    if name == "torch.constant.none":
        return None
    if name in ("torch.constant.int", "torch.constant.float", "torch.constant.bool", "torch.constant.str"):
        return producer.attributes["value"].value
    if name == "torch.prim.ListConstruct":
        return [constant_value(v) for v in producer.operands]
    raise NoMatch(f"{value.get_name()} is produced by {name}, not a constant")


def literal_attribute(op: ir.Operation) -> ir.Attribute:
    """The value of a `torch.vtensor.literal` as an attribute of its builtin tensor type."""
    value = op.attributes["value"]
    builtin = builtin_tensor_type(op.results[0].type)
    if builtin is None:
        raise NoMatch(f"literal of type {op.results[0].type} has no builtin tensor type")
    if value.type == builtin:
        return value
    if isinstance(value, ir.DenseIntElementsAttr):
        # Signed or unsigned integer literals become signless.
        array = np.array(value)
        if value.is_splat and array.size:  # (an empty literal is a splat with no element to repeat)
            scalar = ir.IntegerAttr.get(builtin.element_type, int(array.reshape(-1)[0]))
            return ir.DenseElementsAttr.get_splat(builtin, scalar)
        return ir.DenseElementsAttr.get(np.ascontiguousarray(array), type=builtin.element_type, shape=list(builtin.shape))
    raise NoMatch(f"cannot convert a literal of type {value.type} to {builtin}")
