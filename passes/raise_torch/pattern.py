"""The base of every raise pattern: a view of one torch op and the conversion of its results."""

from __future__ import annotations

from typing import ClassVar, Sequence

import numpy as np
from iree.compiler import ir

from ...dialects import Constant, Elementwise
from ...dialects.base import is_static
from ..base import NoMatch, RewritePattern, defining_op
from .torch_ir import builtin_tensor_type, constant_value, from_builtin, is_unsigned_vtensor, is_vtensor, to_builtin


class TorchOp:
    """Typed reading of one torch op's operands, for patterns."""

    def __init__(self, operation: ir.Operation):
        self.operation = operation

    @property
    def name(self) -> str:
        return self.operation.name

    @property
    def num_operands(self) -> int:
        return len(self.operation.operands)

    def operand(self, index: int) -> ir.Value:
        return self.operation.operands[index]

    def tensor(self, index: int) -> ir.Value:
        """Operand `index` as a builtin tensor value."""
        value = self.operand(index)
        if not is_vtensor(value.type):
            raise NoMatch(f"operand #{index} is {value.type}, not a tensor")
        return to_builtin(value)

    def optional_tensor(self, index: int) -> ir.Value | None:
        if index >= self.num_operands or str(self.operand(index).type) == "!torch.none":
            return None
        return self.tensor(index)

    def tensors(self, index: int) -> list[ir.Value]:
        """Operand `index`, a `torch.prim.ListConstruct` of tensors, as builtin tensor values."""
        producer = defining_op(self.operand(index))
        if producer is None or producer.name != "torch.prim.ListConstruct":
            raise NoMatch(f"operand #{index} is not a list built in this function")
        values = list(producer.operands)
        if not all(is_vtensor(v.type) for v in values):
            raise NoMatch(f"operand #{index} is not a list of tensors")
        return [to_builtin(v) for v in values]

    def constant(self, index: int):
        if index >= self.num_operands:
            raise NoMatch(f"operand #{index} is missing")
        return constant_value(self.operand(index))

    def int(self, index: int) -> int:
        value = self.constant(index)
        if not isinstance(value, int) or isinstance(value, bool):
            raise NoMatch(f"operand #{index} is {value!r}, not an int")
        return value

    def ints(self, index: int) -> list[int]:
        value = self.constant(index)
        if isinstance(value, int):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
            raise NoMatch(f"operand #{index} is {value!r}, not a list of ints")
        return value

    def number(self, index: int) -> float | int:
        value = self.constant(index)
        if not isinstance(value, (int, float)):
            raise NoMatch(f"operand #{index} is {value!r}, not a number")
        return value

    def bool(self, index: int) -> bool:
        value = self.constant(index)
        if not isinstance(value, (bool, int)):
            raise NoMatch(f"operand #{index} is {value!r}, not a bool")
        return bool(value)

    def is_none(self, index: int) -> bool:
        return index >= self.num_operands or str(self.operand(index).type) == "!torch.none"

    def result_type(self, index: int = 0) -> ir.RankedTensorType:
        builtin = builtin_tensor_type(self.operation.results[index].type)
        if builtin is None:
            raise NoMatch(f"result #{index} of type {self.operation.results[index].type} is not a tensor")
        return builtin

    def result_used(self, index: int) -> bool:
        return bool(list(self.operation.results[index].uses))


class RaisePattern(RewritePattern):
    """Raises torch ops named in ROOTS to gimlet ops.

    Subclasses implement `raise_op`, returning one builtin tensor value per
    torch result (None for a result that is unused and has no counterpart).
    """

    ROOTS: ClassVar[tuple[str, ...]]
    #: The gimlet op only moves bits, so signless integers cannot change its meaning.
    SIGN_AGNOSTIC: ClassVar[bool] = False

    def raise_op(self, op: TorchOp) -> Sequence[ir.Value | None]:
        raise NotImplementedError

    def rewrite(self, operation: ir.Operation) -> list[ir.Value | None]:
        for value in [*operation.operands, *operation.results]:
            builtin = builtin_tensor_type(value.type) if is_vtensor(value.type) else None
            if builtin is not None and not is_static(builtin.shape):
                # gimlet's lowering needs static shapes; torch-mlir lowers dynamic ones.
                raise NoMatch(f"dynamic shape {value.type}")
            if is_unsigned_vtensor(value.type) and not self.SIGN_AGNOSTIC:
                # gimlet's integers are signless and its lowering treats them as signed (sitofp,
                # divsi, maxsi): unsigned values would be silently wrong. torch-mlir keeps the sign.
                raise NoMatch(f"unsigned integers {value.type}")
        op = TorchOp(operation)
        values = self.raise_op(op)
        replacements: list[ir.Value | None] = []
        for index, (result, value) in enumerate(zip(operation.results, values)):
            if value is None:
                if op.result_used(index):
                    raise NoMatch(f"result #{index} is used but has no gimlet counterpart")
                replacements.append(None)
                continue
            expected = op.result_type(index)
            if value.type != expected:
                raise NoMatch(f"result #{index}: gimlet gives {value.type}, torch expects {expected}")
            replacements.append(from_builtin(value, result.type))
        return replacements


def scalar_tensor(value: float | int | bool, element_type: ir.Type) -> ir.Value:
    """A 0-d gimlet.constant holding `value` as `element_type`."""
    return Constant.splat(value, ir.RankedTensorType.get([], element_type)).result


def cast_to(value: ir.Value, element_type: ir.Type) -> ir.Value:
    if value.type.element_type == element_type:
        return value
    return Elementwise.build("cast", [value], element_type=element_type).result


def same_values(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all(a == b))
