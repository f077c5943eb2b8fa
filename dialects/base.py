"""The machinery every gimlet op is built from.

The IREE-bundled MLIR bindings have no IRDL, so gimlet ops are unregistered
operations (`Context.allow_unregistered_dialects = True`) printed in generic
form. Each op kind is a Python class that wraps an `ir.Operation` and gives it
what ODS would: a builder that infers the result type, typed accessors, a
verifier whose errors name the op and the rule broken, and the op's work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar, Iterable, Sequence

from iree.compiler import ir

DIALECT = "gimlet"
DYNAMIC = ir.ShapedType.get_dynamic_size()


class VerificationError(ValueError):
    """A gimlet op breaks one of its rules."""

    def __init__(self, op_name: str, location: str, rule: str):
        self.op_name = op_name
        self.location = location
        self.rule = rule
        super().__init__(f"'{op_name}' op at {location}: {rule}")


def location_name(location: ir.Location) -> str:
    """The most useful short name of a location: the ONNX node name where there is one."""
    text = str(location)
    if text.startswith('loc("') and text.endswith('")'):
        return text[5:-2]
    if text.startswith("loc(") and text.endswith(")"):
        return text[4:-1]
    return text


# ----------------------------------------------------------------------------
# Work: what every compute op reports, for the cost model.
# ----------------------------------------------------------------------------


@dataclass
class Work:
    """The arithmetic and memory traffic of one op.

    `flops` counts arithmetic operations by the element type they are done in.
    `bytes_read` and `bytes_written` are the compulsory traffic: every operand
    byte the op needs read once, every result byte written once.
    """

    flops: dict[str, int] = field(default_factory=dict)
    bytes_read: int = 0
    bytes_written: int = 0

    @property
    def total_flops(self) -> int:
        return sum(self.flops.values())

    def __add__(self, other: "Work") -> "Work":
        flops = dict(self.flops)
        for dtype, count in other.flops.items():
            flops[dtype] = flops.get(dtype, 0) + count
        return Work(flops, self.bytes_read + other.bytes_read, self.bytes_written + other.bytes_written)


# ----------------------------------------------------------------------------
# Tensor type helpers.
# ----------------------------------------------------------------------------


def ranked_tensor(type_: ir.Type) -> ir.RankedTensorType | None:
    return type_ if isinstance(type_, ir.RankedTensorType) else None


def is_static(shape: Sequence[int]) -> bool:
    return all(d != DYNAMIC for d in shape)


def num_elements(type_: ir.RankedTensorType) -> int:
    """Element count of a static tensor type; dynamic dimensions count as 1."""
    return math.prod(d if d != DYNAMIC else 1 for d in type_.shape)


def element_bits(element_type: ir.Type) -> int:
    if isinstance(element_type, (ir.IntegerType, ir.FloatType)):
        return element_type.width
    if isinstance(element_type, ir.IndexType):
        return 64
    if isinstance(element_type, ir.ComplexType):
        return 2 * element_bits(element_type.element_type)
    raise ValueError(f"unsupported element type {element_type}")


def tensor_bytes(type_: ir.Type) -> int:
    """Storage size in bytes of a tensor type (sub-byte elements round up to a byte)."""
    tensor = ranked_tensor(type_)
    if tensor is None:
        return 0
    return num_elements(tensor) * max(1, (element_bits(tensor.element_type) + 7) // 8)


def is_float(element_type: ir.Type) -> bool:
    return isinstance(element_type, ir.FloatType)


def is_integer(element_type: ir.Type) -> bool:
    return isinstance(element_type, ir.IntegerType)


def dtype_name(element_type: ir.Type) -> str:
    return str(element_type)


def broadcast_shapes(*shapes: Sequence[int]) -> list[int] | None:
    """NumPy broadcasting of static or dynamic shapes; None when they do not broadcast."""
    rank = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(rank):
        dims = {s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0}
        dims.discard(1)
        if not dims:
            result.append(1)
        elif len(dims) == 1:
            result.append(dims.pop())
        elif DYNAMIC in dims and len(dims) == 2:
            result.append(next(d for d in dims if d != DYNAMIC))
        else:
            return None
    return result


def normalize_axis(axis: int, rank: int) -> int | None:
    """A possibly negative axis as a non-negative one, or None when out of range."""
    if -rank <= axis < rank:
        return axis % rank if rank else 0
    return None


# ----------------------------------------------------------------------------
# Attribute helpers.
# ----------------------------------------------------------------------------


def i64_array(values: Iterable[int]) -> ir.DenseI64ArrayAttr:
    return ir.DenseI64ArrayAttr.get([int(v) for v in values])


def string(value: str) -> ir.StringAttr:
    return ir.StringAttr.get(value)


def f64(value: float) -> ir.FloatAttr:
    return ir.FloatAttr.get_f64(float(value))


def i64(value: int) -> ir.IntegerAttr:
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))


def boolean(value: bool) -> ir.BoolAttr:
    return ir.BoolAttr.get(bool(value))


# ----------------------------------------------------------------------------
# The op base class and registry.
# ----------------------------------------------------------------------------

OP_CLASSES: dict[str, type["Op"]] = {}


def register(cls: type["Op"]) -> type["Op"]:
    """Class decorator: make `cls` the view of operations named `gimlet.<cls.NAME>`."""
    OP_CLASSES[cls.operation_name()] = cls
    return cls


def view(operation: ir.Operation | ir.OpView) -> "Op | None":
    """The typed view of a gimlet operation, or None for any other operation."""
    operation = getattr(operation, "operation", operation)
    cls = OP_CLASSES.get(operation.name)
    return cls(operation) if cls else None


class Op:
    """A typed view over one `gimlet.*` operation.

    Subclasses set NAME, give a `build` classmethod that infers the result
    type, typed accessors for operands and attributes, `verify_op` for their
    own rules and `work` for their arithmetic and traffic.
    """

    NAME: ClassVar[str]
    #: Attributes every op of this kind must carry, with their attribute class.
    REQUIRED_ATTRIBUTES: ClassVar[dict[str, type]] = {}
    #: Attributes an op of this kind may carry.
    OPTIONAL_ATTRIBUTES: ClassVar[dict[str, type]] = {}
    #: The number of results (all ops but foreign have exactly one).
    NUM_RESULTS: ClassVar[int | None] = 1
    #: Bounds on the number of operands.
    MIN_OPERANDS: ClassVar[int] = 1
    MAX_OPERANDS: ClassVar[int | None] = 1

    def __init__(self, operation: ir.Operation | ir.OpView):
        self.operation: ir.Operation = getattr(operation, "operation", operation)

    # -- construction --------------------------------------------------------

    @classmethod
    def operation_name(cls) -> str:
        return f"{DIALECT}.{cls.NAME}"

    @classmethod
    def create(
        cls,
        operands: Sequence[ir.Value],
        result_types: Sequence[ir.Type],
        attributes: dict[str, ir.Attribute] | None = None,
        regions: int = 0,
        loc: ir.Location | None = None,
    ):
        operation = ir.Operation.create(
            cls.operation_name(),
            results=list(result_types),
            operands=list(operands),
            attributes=attributes or {},
            regions=regions,
            loc=loc,
        )
        return cls(operation)

    # -- accessors -----------------------------------------------------------

    @property
    def operands(self) -> list[ir.Value]:
        return list(self.operation.operands)

    @property
    def result(self) -> ir.Value:
        return self.operation.results[0]

    @property
    def result_type(self) -> ir.RankedTensorType:
        return self.result.type

    @property
    def location(self) -> str:
        return location_name(self.operation.location)

    def attr(self, name: str):
        return self.operation.attributes[name] if name in self.operation.attributes else None

    def i64_array(self, name: str) -> list[int]:
        return list(ir.DenseI64ArrayAttr(self.operation.attributes[name]))

    def string(self, name: str) -> str:
        return ir.StringAttr(self.operation.attributes[name]).value

    def float(self, name: str, default: float | None = None) -> float | None:
        attribute = self.attr(name)
        return ir.FloatAttr(attribute).value if attribute is not None else default

    def int(self, name: str) -> int:
        return ir.IntegerAttr(self.operation.attributes[name]).value

    def bool(self, name: str, default: bool = False) -> bool:
        attribute = self.attr(name)
        return ir.BoolAttr(attribute).value if attribute is not None else default

    # -- verification --------------------------------------------------------

    def fail(self, rule: str) -> VerificationError:
        return VerificationError(self.operation_name(), self.location, rule)

    def verify(self) -> None:
        """Check the rules every gimlet op shares, then the op's own."""
        count = len(self.operation.operands)
        if count < self.MIN_OPERANDS or (self.MAX_OPERANDS is not None and count > self.MAX_OPERANDS):
            expected = (
                f"{self.MIN_OPERANDS}"
                if self.MIN_OPERANDS == self.MAX_OPERANDS
                else f"{self.MIN_OPERANDS} to {self.MAX_OPERANDS if self.MAX_OPERANDS is not None else 'any number of'}"
            )
            raise self.fail(f"expects {expected} operands, has {count}")
        if self.NUM_RESULTS is not None and len(self.operation.results) != self.NUM_RESULTS:
            raise self.fail(f"expects {self.NUM_RESULTS} result(s), has {len(self.operation.results)}")
        for name, kind in self.REQUIRED_ATTRIBUTES.items():
            if name not in self.operation.attributes:
                raise self.fail(f"requires attribute '{name}'")
        for name, kind in {**self.REQUIRED_ATTRIBUTES, **self.OPTIONAL_ATTRIBUTES}.items():
            if name in self.operation.attributes and not isinstance(self.operation.attributes[name], kind):
                raise self.fail(f"attribute '{name}' must be a {kind.__name__}, got {self.operation.attributes[name]}")
        for index, operand in enumerate(self.operation.operands):
            if self.tensor_operands_only() and ranked_tensor(operand.type) is None:
                raise self.fail(f"operand #{index} must be a ranked tensor, got {operand.type}")
        for index, result in enumerate(self.operation.results):
            if self.tensor_operands_only() and ranked_tensor(result.type) is None:
                raise self.fail(f"result #{index} must be a ranked tensor, got {result.type}")
        self.verify_op()

    def tensor_operands_only(self) -> bool:
        return True

    def verify_op(self) -> None:
        """The op's own rules; raise `self.fail(...)` on the first one broken."""

    def expect_result_type(self, inferred: ir.Type) -> None:
        """Rule shared by ops whose result type follows from their operands."""
        if self.result.type != inferred:
            raise self.fail(f"result type {self.result.type} does not match the inferred type {inferred}")

    # -- work ----------------------------------------------------------------

    def work(self) -> Work:
        """Default traffic: read every operand, write every result; no arithmetic."""
        return Work(
            {},
            sum(tensor_bytes(v.type) for v in self.operation.operands),
            sum(tensor_bytes(v.type) for v in self.operation.results),
        )

    def __repr__(self) -> str:
        return f"<{self.operation_name()} at {self.location}>"
