"""Elementwise functions of one or more broadcasting tensors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from iree.compiler import ir

from .base import Op, Work, broadcast_shapes, dtype_name, element_bits, f64, is_float, is_integer, num_elements, register, string


@dataclass(frozen=True)
class Fn:
    """One elementwise function: how many operands, its FLOPs per element, its typing rule.

    `flops` counts the arithmetic of the function's definition, a
    transcendental call (exp, erf, tanh, ...) counting as one.
    """

    name: str
    arity: int
    flops: int
    kind: str = "arith"  # arith | float | compare | logic | select | cast
    attributes: tuple[str, ...] = ()


_FNS = [
    Fn("add", 2, 1),
    Fn("sub", 2, 1),
    Fn("mul", 2, 1),
    Fn("div", 2, 1),
    Fn("max", 2, 1),
    Fn("min", 2, 1),
    Fn("pow", 2, 1, "float"),
    Fn("neg", 1, 1),
    Fn("abs", 1, 1),
    Fn("relu", 1, 1),
    Fn("leaky_relu", 1, 2, "float", ("alpha",)),
    Fn("clamp", 1, 2, "arith", ("min", "max")),
    # 0.5·x·(1 + erf(x/√2)); with approximate="tanh", 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    Fn("gelu", 1, 5, "float", ("approximate",)),
    Fn("sigmoid", 1, 4, "float"),  # 1 / (1 + exp(-x))
    Fn("silu", 1, 5, "float"),  # x · sigmoid(x)
    Fn("tanh", 1, 1, "float"),
    Fn("exp", 1, 1, "float"),
    Fn("log", 1, 1, "float"),
    Fn("sqrt", 1, 1, "float"),
    Fn("rsqrt", 1, 1, "float"),
    Fn("reciprocal", 1, 1, "float"),
    Fn("erf", 1, 1, "float"),
    Fn("sin", 1, 1, "float"),
    Fn("cos", 1, 1, "float"),
    Fn("floor", 1, 1, "float"),
    Fn("ceil", 1, 1, "float"),
    Fn("eq", 2, 1, "compare"),
    Fn("ne", 2, 1, "compare"),
    Fn("lt", 2, 1, "compare"),
    Fn("le", 2, 1, "compare"),
    Fn("gt", 2, 1, "compare"),
    Fn("ge", 2, 1, "compare"),
    Fn("and", 2, 1, "logic"),
    Fn("or", 2, 1, "logic"),
    Fn("xor", 2, 1, "logic"),
    Fn("not", 1, 1, "logic"),
    Fn("where", 3, 1, "select"),
    Fn("cast", 1, 1, "cast"),
    # The same bits read as another type of the same width (ONNX BitCast): no arithmetic.
    Fn("bitcast", 1, 0, "cast"),
]

FUNCTIONS: dict[str, Fn] = {fn.name: fn for fn in _FNS}
GELU_APPROXIMATIONS = ("none", "tanh")


def _i1() -> ir.Type:
    return ir.IntegerType.get_signless(1)


def result_element_type(fn: Fn, operands: Sequence[ir.Value]) -> ir.Type:
    if fn.kind == "compare":
        return _i1()
    if fn.kind == "select":
        return operands[1].type.element_type
    return operands[0].type.element_type


@register
class Elementwise(Op):
    """`fn` applied elementwise to operands that broadcast (NumPy rules) to the result shape."""

    NAME = "elementwise"
    MIN_OPERANDS = 1
    MAX_OPERANDS = 3
    REQUIRED_ATTRIBUTES = {"fn": ir.StringAttr}
    OPTIONAL_ATTRIBUTES = {
        "alpha": ir.FloatAttr,
        "min": ir.FloatAttr,
        "max": ir.FloatAttr,
        "approximate": ir.StringAttr,
    }

    @classmethod
    def build(
        cls,
        fn: str,
        operands: Sequence[ir.Value],
        element_type: ir.Type | None = None,
        loc=None,
        **attributes: float | str,
    ) -> "Elementwise":
        spec = FUNCTIONS[fn]
        shape = broadcast_shapes(*[v.type.shape for v in operands])
        if shape is None:
            raise ValueError(f"operands of {fn} do not broadcast: {[str(v.type) for v in operands]}")
        element = element_type or result_element_type(spec, operands)
        attrs = {"fn": string(fn)}
        for name, value in attributes.items():
            if value is not None:
                attrs[name] = string(value) if isinstance(value, str) else f64(value)
        return cls.create(operands, [ir.RankedTensorType.get(shape, element)], attrs, loc=loc)

    @property
    def fn(self) -> str:
        return self.string("fn")

    @property
    def spec(self) -> Fn:
        return FUNCTIONS[self.fn]

    def verify_op(self) -> None:
        name = self.fn
        if name not in FUNCTIONS:
            raise self.fail(f"unknown fn '{name}'; known: {', '.join(sorted(FUNCTIONS))}")
        fn = FUNCTIONS[name]
        operands = self.operands
        if len(operands) != fn.arity:
            raise self.fail(f"fn '{name}' takes {fn.arity} operand(s), has {len(operands)}")
        for attribute_name in self.operation.attributes:
            # Dotted names are discardable annotations (gimlet.cost, gimlet.target, ...), not parameters.
            if attribute_name != "fn" and "." not in attribute_name and attribute_name not in fn.attributes:
                raise self.fail(f"fn '{name}' takes no attribute '{attribute_name}'")
        if name == "gelu" and self.attr("approximate") is not None and self.string("approximate") not in GELU_APPROXIMATIONS:
            raise self.fail(f"approximate must be one of {GELU_APPROXIMATIONS}")
        elements = [v.type.element_type for v in operands]
        if fn.kind == "select":
            if str(elements[0]) != "i1" or elements[1] != elements[2]:
                raise self.fail("where takes an i1 condition and two operands of one element type")
        elif fn.kind == "logic":
            if any(str(e) != "i1" for e in elements):
                raise self.fail(f"fn '{name}' takes i1 operands")
        elif fn.kind != "cast" and len(set(map(str, elements))) != 1:
            raise self.fail(f"operands of fn '{name}' must share one element type, got {[str(e) for e in elements]}")
        if fn.kind == "float" and not is_float(elements[0]):
            raise self.fail(f"fn '{name}' takes floating-point operands, got {elements[0]}")
        if fn.kind == "cast" and not all(is_float(e) or is_integer(e) for e in (elements[0], self.result_type.element_type)):
            raise self.fail(f"cast converts between integer and floating-point types, not {elements[0]} to {self.result_type.element_type}")
        if name == "bitcast" and element_bits(elements[0]) != element_bits(self.result_type.element_type):
            raise self.fail(f"bitcast keeps the bit width, and {elements[0]} and {self.result_type.element_type} differ in it")
        shape = broadcast_shapes(*[v.type.shape for v in operands])
        if shape is None:
            raise self.fail(f"operand shapes {[list(v.type.shape) for v in operands]} do not broadcast")
        if list(self.result_type.shape) != shape:
            raise self.fail(f"result shape {list(self.result_type.shape)} is not the broadcast shape {shape}")
        if fn.kind != "cast":
            self.expect_result_type(ir.RankedTensorType.get(shape, result_element_type(fn, operands)))

    def work(self) -> Work:
        base = super().work()
        compute_type = self.operands[-1].type.element_type if self.spec.kind == "select" else self.operands[0].type.element_type
        flops = num_elements(self.result_type) * self.spec.flops
        return Work({dtype_name(compute_type): flops}, base.bytes_read, base.bytes_written)
