"""Ops that hold a program together: constants, and foreign regions of torch ops."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from iree.compiler import ir

from .base import Op, Work, register, tensor_bytes


@register
class Constant(Op):
    """A tensor known at compile time (weights, and scalars made into 0-d tensors)."""

    NAME = "constant"
    REQUIRED_ATTRIBUTES = {"value": ir.Attribute}
    MIN_OPERANDS = 0
    MAX_OPERANDS = 0

    @classmethod
    def build(cls, value: ir.Attribute, loc: ir.Location | None = None) -> "Constant":
        return cls.create([], [value.type], {"value": value}, loc=loc)

    @classmethod
    def from_numpy(cls, array: np.ndarray, element_type: ir.Type | None = None, loc=None) -> "Constant":
        """A constant from an array; `element_type` overrides the inferred one (e.g. i1 for bools)."""
        array = np.ascontiguousarray(array)
        if element_type is None:
            attribute = ir.DenseElementsAttr.get(array)
        else:
            attribute = ir.DenseElementsAttr.get(array, type=element_type)
        return cls.build(attribute, loc)

    @classmethod
    def splat(cls, value: float | int | bool, tensor_type: ir.RankedTensorType, loc=None) -> "Constant":
        element = tensor_type.element_type
        if isinstance(element, ir.FloatType):
            scalar = ir.FloatAttr.get(element, float(value))
        else:
            scalar = ir.IntegerAttr.get(element, int(value))
        return cls.build(ir.DenseElementsAttr.get_splat(tensor_type, scalar), loc)

    @property
    def value(self) -> ir.Attribute:
        return self.operation.attributes["value"]

    def splat_value(self) -> float | int | None:
        """The single value of a splat constant, or None."""
        value = self.value
        if isinstance(value, (ir.DenseFPElementsAttr, ir.DenseIntElementsAttr)) and value.is_splat:
            scalar = value.get_splat_value()
            return scalar.value if hasattr(scalar, "value") else None
        return None

    def verify_op(self) -> None:
        value_type = getattr(self.value, "type", None)
        if value_type != self.result.type:
            raise self.fail(f"value of type {value_type} does not match the result type {self.result.type}")

    def work(self) -> Work:
        return Work()


@register
class Yield(Op):
    """Terminates a gimlet region, returning its values."""

    NAME = "yield"
    NUM_RESULTS = 0
    MIN_OPERANDS = 0
    MAX_OPERANDS = None

    @classmethod
    def build(cls, values: Sequence[ir.Value], loc=None) -> "Yield":
        return cls.create(values, [], loc=loc)

    def tensor_operands_only(self) -> bool:
        return False

    def work(self) -> Work:
        return Work()


@register
class Foreign(Op):
    """Torch ops that have no gimlet op yet, kept whole in an isolated region.

    Tensor operands and results are builtin tensors; inside, the region
    converts them with `torch_c` ops. Non-tensor torch values (ints, lists)
    pass through unchanged. The region has one block whose arguments mirror
    the operands and which ends in `gimlet.yield`.
    """

    NAME = "foreign"
    NUM_RESULTS = None
    MIN_OPERANDS = 0
    MAX_OPERANDS = None

    @classmethod
    def build(cls, operands: Sequence[ir.Value], result_types: Sequence[ir.Type], loc=None) -> "Foreign":
        op = cls.create(operands, result_types, regions=1, loc=loc)
        op.operation.regions[0].blocks.append(*[v.type for v in operands])
        return op

    def tensor_operands_only(self) -> bool:
        return False

    @property
    def body(self) -> ir.Block:
        return self.operation.regions[0].blocks[0]

    def inner_ops(self) -> list[ir.Operation]:
        """The torch ops in the body, without the torch_c conversions and the terminator."""
        return [
            op.operation
            for op in self.body.operations
            if op.operation.name != Yield.operation_name() and not op.operation.name.startswith("torch_c.")
        ]

    def op_names(self) -> list[str]:
        """Names of the compute ops inside (constants and list construction left out)."""
        skipped = ("torch.constant.", "torch.prim.ListConstruct", "torch.vtensor.literal")
        return [op.name for op in self.inner_ops() if not op.name.startswith(skipped)]

    def verify_op(self) -> None:
        if len(self.operation.regions) != 1 or len(self.operation.regions[0].blocks) != 1:
            raise self.fail("must have one region with one block")
        block = self.body
        arg_types = [a.type for a in block.arguments]
        operand_types = [v.type for v in self.operation.operands]
        if arg_types != operand_types:
            raise self.fail(
                f"block argument types [{', '.join(map(str, arg_types))}] do not match "
                f"operand types [{', '.join(map(str, operand_types))}]"
            )
        operations = list(block.operations)
        if not operations or operations[-1].operation.name != Yield.operation_name():
            raise self.fail("body must end in gimlet.yield")
        yielded = [v.type for v in operations[-1].operation.operands]
        result_types = [r.type for r in self.operation.results]
        if yielded != result_types:
            raise self.fail(
                f"yielded types [{', '.join(map(str, yielded))}] do not match result types [{', '.join(map(str, result_types))}]"
            )
        self._verify_isolated(block)

    def _verify_isolated(self, block: ir.Block) -> None:
        defined = set(block.arguments)
        for op in block.operations:
            for operand in op.operation.operands:
                if operand not in defined:
                    raise self.fail(f"region uses {operand.get_name()} defined outside it; foreign regions are isolated")
            # Ops nested in the regions of body ops (torch.prim.If, torch.prim.Loop) must not reach outside either.
            for operand in self._nested_operands(op.operation):
                if not self._defined_inside(operand):
                    raise self.fail(f"region uses {operand.get_name()} defined outside it; foreign regions are isolated")
            defined.update(op.operation.results)

    @staticmethod
    def _nested_operands(operation: ir.Operation) -> list[ir.Value]:
        operands: list[ir.Value] = []

        def visit(nested):
            operands.extend(nested.operands)
            return ir.WalkResult.ADVANCE

        for region in operation.regions:
            for nested_block in region.blocks:
                for nested_op in nested_block.operations:
                    nested_op.operation.walk(visit)
        return operands

    def _defined_inside(self, value: ir.Value) -> bool:
        """Whether `value` is a result or block argument somewhere inside this op."""
        owner = value.owner
        operation = owner.owner if isinstance(owner, ir.Block) else owner
        while operation is not None:
            operation = getattr(operation, "operation", operation)
            if operation == self.operation:
                return True
            operation = operation.parent
        return False


@register
class Transfer(Op):
    """Moves a tensor from one device to another; the value is unchanged.

    Device names are the named device instances of the placement (e.g. cpu,
    cuda, edge, cloud).
    """

    NAME = "transfer"
    REQUIRED_ATTRIBUTES = {"from": ir.StringAttr, "to": ir.StringAttr}

    @classmethod
    def build(cls, value: ir.Value, source: str, destination: str, loc=None) -> "Transfer":
        attributes = {"from": ir.StringAttr.get(source), "to": ir.StringAttr.get(destination)}
        return cls.create([value], [value.type], attributes, loc=loc)

    @property
    def source(self) -> str:
        return self.string("from")

    @property
    def destination(self) -> str:
        return self.string("to")

    def verify_op(self) -> None:
        if self.source == self.destination:
            raise self.fail(f"moves a value from '{self.source}' to itself")
        self.expect_result_type(self.operation.operands[0].type)

    def work(self) -> Work:
        size = tensor_bytes(self.result_type)
        return Work({}, size, size)
