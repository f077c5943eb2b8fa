"""Raise elementwise aten ops to gimlet.elementwise."""

from __future__ import annotations

import numpy as np
from iree.compiler import ir

from ...dialects import FUNCTIONS, Constant, Elementwise
from ...dialects.base import element_bits, is_float
from ..base import NoMatch
from .pattern import RaisePattern, TorchOp, cast_to, scalar_tensor
from .torch_ir import onnx_op_type

UNARY = {
    "torch.aten.relu": "relu",
    "torch.aten.neg": "neg",
    "torch.aten.abs": "abs",
    "torch.aten.exp": "exp",
    "torch.aten.log": "log",
    "torch.aten.sqrt": "sqrt",
    "torch.aten.rsqrt": "rsqrt",
    "torch.aten.erf": "erf",
    "torch.aten.sigmoid": "sigmoid",
    "torch.aten.tanh": "tanh",
    "torch.aten.sin": "sin",
    "torch.aten.cos": "cos",
    "torch.aten.floor": "floor",
    "torch.aten.ceil": "ceil",
    "torch.aten.reciprocal": "reciprocal",
    "torch.aten.silu": "silu",
    "torch.aten.logical_not": "not",
}

BINARY = {
    "torch.aten.mul.Tensor": "mul",
    "torch.aten.div.Tensor": "div",
    "torch.aten.maximum": "max",
    "torch.aten.minimum": "min",
    "torch.aten.pow.Tensor_Tensor": "pow",
    "torch.aten.eq.Tensor": "eq",
    "torch.aten.ne.Tensor": "ne",
    "torch.aten.lt.Tensor": "lt",
    "torch.aten.le.Tensor": "le",
    "torch.aten.gt.Tensor": "gt",
    "torch.aten.ge.Tensor": "ge",
    "torch.aten.logical_and": "and",
    "torch.aten.logical_or": "or",
    "torch.aten.logical_xor": "xor",
}

BINARY_SCALAR = {
    "torch.aten.mul.Scalar": "mul",
    "torch.aten.div.Scalar": "div",
    "torch.aten.pow.Tensor_Scalar": "pow",
    "torch.aten.eq.Scalar": "eq",
    "torch.aten.ne.Scalar": "ne",
    "torch.aten.lt.Scalar": "lt",
    "torch.aten.le.Scalar": "le",
    "torch.aten.gt.Scalar": "gt",
    "torch.aten.ge.Scalar": "ge",
}

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
BOOL_ARITHMETIC = {"add": "or", "mul": "and", "max": "or", "min": "and"}


def _compute_type(fn: str, operands: list[ir.Value], result: ir.RankedTensorType) -> ir.Type:
    """The element type the function computes in: the result's, or for comparisons the operands' widest."""
    if fn not in COMPARISONS:
        return result.element_type
    types = [v.type.element_type for v in operands]
    floats = [t for t in types if is_float(t)]
    candidates = floats or types
    return max(candidates, key=lambda t: t.width)


def elementwise(fn: str, operands: list[ir.Value], result: ir.RankedTensorType, **attributes) -> ir.Value:
    """`fn` of `operands`, cast to one compute type first (torch promotes mixed types; gimlet does not)."""
    if fn in ("and", "or", "xor", "not"):
        compute = ir.IntegerType.get_signless(1)
    else:
        compute = _compute_type(fn, operands, result)
    if str(compute) == "i1" and fn in BOOL_ARITHMETIC:
        # torch's arithmetic on bools is logical: True + True is True, not a wrapped 0.
        fn = BOOL_ARITHMETIC[fn]
    if FUNCTIONS[fn].kind == "float" and not is_float(compute):
        # e.g. pow or floor of integer tensors: gimlet defines these for floats only.
        raise NoMatch(f"{fn} computed in {compute}, and gimlet's {fn} takes floats only")
    operands = [cast_to(v, compute) for v in operands]
    value = Elementwise.build(fn, operands, **attributes).result
    return cast_to(value, result.element_type)


class RaiseUnary(RaisePattern):
    """relu, exp, erf, ... → gimlet.elementwise."""

    ROOTS = tuple(UNARY)

    def raise_op(self, op: TorchOp):
        return [elementwise(UNARY[op.name], [op.tensor(0)], op.result_type())]


class RaiseGelu(RaisePattern):
    ROOTS = ("torch.aten.gelu",)

    def raise_op(self, op: TorchOp):
        approximate = "none" if op.is_none(1) else op.constant(1)
        if approximate not in ("none", "tanh"):
            raise NoMatch(f"unknown gelu approximation {approximate!r}")
        return [elementwise("gelu", [op.tensor(0)], op.result_type(), approximate=approximate)]


class RaiseBinary(RaisePattern):
    """mul, div, maximum, comparisons, logical ops of two tensors."""

    ROOTS = tuple(BINARY)

    def raise_op(self, op: TorchOp):
        return [elementwise(BINARY[op.name], [op.tensor(0), op.tensor(1)], op.result_type())]


class RaiseBinaryScalar(RaisePattern):
    """mul, div, pow, comparisons of a tensor and a constant scalar."""

    ROOTS = tuple(BINARY_SCALAR)

    def raise_op(self, op: TorchOp):
        tensor = op.tensor(0)
        number = op.number(1)
        if BINARY_SCALAR[op.name] in COMPARISONS:
            # torch compares in the promoted type: an integer or bool tensor against a float
            # scalar compares as floats, a bool tensor against an int scalar as integers.
            element = tensor.type.element_type
            if not is_float(element) and isinstance(number, float):
                element = ir.F32Type.get()
            elif str(element) == "i1" and not isinstance(number, bool):
                element = ir.IntegerType.get_signless(64)
        else:
            element = op.result_type().element_type
        scalar = scalar_tensor(number, element)
        return [elementwise(BINARY_SCALAR[op.name], [tensor, scalar], op.result_type())]


class RaiseAddSub(RaisePattern):
    """a ± alpha·b, for tensor or scalar b; rsub computes b - alpha·a."""

    ROOTS = (
        "torch.aten.add.Tensor",
        "torch.aten.sub.Tensor",
        "torch.aten.add.Scalar",
        "torch.aten.sub.Scalar",
        "torch.aten.rsub.Scalar",
    )

    def raise_op(self, op: TorchOp):
        result = op.result_type()
        a = op.tensor(0)
        if op.name.endswith(".Tensor"):
            b = op.tensor(1)
        else:
            b = scalar_tensor(op.number(1), result.element_type)
        alpha = 1 if op.is_none(2) else op.number(2)
        fn = "add" if op.name.startswith("torch.aten.add") else "sub"
        if op.name == "torch.aten.rsub.Scalar":
            a, b = b, a
        if alpha != 1:
            b = elementwise("mul", [b, scalar_tensor(alpha, result.element_type)], ir.RankedTensorType.get(b.type.shape, result.element_type))
        return [elementwise(fn, [a, b], result)]


class RaiseClamp(RaisePattern):
    """clamp, clamp_min, clamp_max and hardtanh with constant bounds."""

    ROOTS = ("torch.aten.clamp", "torch.aten.clamp_min", "torch.aten.clamp_max", "torch.aten.hardtanh")

    def raise_op(self, op: TorchOp):
        bounds = {}
        if op.name == "torch.aten.clamp_min":
            bounds["min"] = op.number(1)
        elif op.name == "torch.aten.clamp_max":
            bounds["max"] = op.number(1)
        else:
            if not op.is_none(1):
                bounds["min"] = op.number(1)
            if not op.is_none(2):
                bounds["max"] = op.number(2)
        return [elementwise("clamp", [op.tensor(0)], op.result_type(), **bounds)]


class RaiseClampTensor(RaisePattern):
    """clamp.Tensor (ONNX Clip: bounds are tensors) = min(max(x, low), high), each bound optional."""

    ROOTS = ("torch.aten.clamp.Tensor",)

    def raise_op(self, op: TorchOp):
        result = op.result_type()
        value = op.tensor(0)
        low, high = op.optional_tensor(1), op.optional_tensor(2)
        if low is None and high is None:
            raise NoMatch("clamp without bounds")
        if low is not None:
            value = elementwise("max", [value, low], result)
        if high is not None:
            value = elementwise("min", [value, high], result)
        return [value]


BITWISE_BOOL = {
    "torch.aten.bitwise_not": "not",
    "torch.aten.bitwise_and.Tensor": "and",
    "torch.aten.bitwise_or.Tensor": "or",
    "torch.aten.bitwise_xor.Tensor": "xor",
    "torch.aten.__and__.Tensor": "and",
    "torch.aten.__or__.Tensor": "or",
}


class RaiseBitwiseBool(RaisePattern):
    """bitwise not/and/or/xor (and Python's `&`, `|`: __and__, __or__) of bool tensors are the logical ops.

    torch-mlir imports ONNX Not and Or so; torch.export keeps `mask_a & mask_b` (transformers'
    attention masks) as __and__.Tensor.
    """

    ROOTS = tuple(BITWISE_BOOL)

    def raise_op(self, op: TorchOp):
        operands = [op.tensor(i) for i in range(op.num_operands)]
        if any(str(v.type.element_type) != "i1" for v in operands) or str(op.result_type().element_type) != "i1":
            raise NoMatch("bitwise ops of integers have no gimlet op yet")
        return [elementwise(BITWISE_BOOL[op.name], operands, op.result_type())]


class RaiseLeakyRelu(RaisePattern):
    ROOTS = ("torch.aten.leaky_relu",)

    def raise_op(self, op: TorchOp):
        return [elementwise("leaky_relu", [op.tensor(0)], op.result_type(), alpha=op.number(1))]


class RaiseWhere(RaisePattern):
    """where(condition, a, b) with tensor or scalar branches."""

    ROOTS = ("torch.aten.where.self", "torch.aten.where.ScalarSelf", "torch.aten.where.ScalarOther", "torch.aten.where.Scalar")

    def raise_op(self, op: TorchOp):
        result = op.result_type()
        condition = cast_to(op.tensor(0), ir.IntegerType.get_signless(1))
        branches = []
        for index in (1, 2):
            if str(op.operand(index).type).startswith("!torch.vtensor"):
                branches.append(cast_to(op.tensor(index), result.element_type))
            else:
                branches.append(scalar_tensor(op.number(index), result.element_type))
        return [Elementwise.build("where", [condition, *branches]).result]


class RaiseTriangular(RaisePattern):
    """tril(x, k) / triu(x, k) keep the elements on and below / above diagonal k of the last two axes:
    where(mask, x, 0) with the mask a compile-time constant (ONNX Trilu imports to these)."""

    ROOTS = ("torch.aten.tril", "torch.aten.triu")

    def raise_op(self, op: TorchOp):
        value = op.tensor(0)
        shape = list(value.type.shape)
        if len(shape) < 2:
            raise NoMatch("tril/triu of a tensor with fewer than two dimensions")
        diagonal = 0 if op.is_none(1) else op.int(1)
        rows, columns = np.arange(shape[-2])[:, None], np.arange(shape[-1])[None, :]
        keep = columns - rows <= diagonal if op.name == "torch.aten.tril" else columns - rows >= diagonal
        element = value.type.element_type
        mask = Constant.from_numpy(keep, element_type=ir.IntegerType.get_signless(1)).result
        zero = scalar_tensor(0, element)
        return [Elementwise.build("where", [mask, value, zero]).result]


class RaiseCast(RaisePattern):
    """Dtype conversions; the target type is the torch result's element type."""

    ROOTS = (
        "torch.aten.to.dtype",
        "torch.aten._to_copy",
        "torch.aten.type_as",
        "torch.prims.convert_element_type",
    )

    def raise_op(self, op: TorchOp):
        return [cast_to(op.tensor(0), op.result_type().element_type)]


class RaiseOnnxBitCast(RaisePattern):
    """ONNX BitCast, which torch-mlir leaves as `torch.operator "onnx.BitCast"`: the result type
    gives the target type, of the same width (ONNX stores a bool in a byte, so bool to an 8-bit
    integer is the 0/1 conversion)."""

    ROOTS = ("torch.operator",)
    SIGN_AGNOSTIC = True

    def raise_op(self, op: TorchOp):
        if onnx_op_type(op.operation) != "BitCast":
            raise NoMatch("not onnx.BitCast")
        source, target = op.tensor(0), op.result_type().element_type
        if element_bits(source.type.element_type) == 1 and isinstance(target, ir.IntegerType) and target.width == 8:
            return [cast_to(source, target)]
        if element_bits(source.type.element_type) != element_bits(target):
            raise NoMatch(f"BitCast from {source.type.element_type} to {target} changes the bit width")
        return [Elementwise.build("bitcast", [source], element_type=target).result]


#: ONNX ops without a torch-mlir conversion that gimlet raises from the `torch.operator` the importer leaves.
RAISED_ONNX_OPS = frozenset({"BitCast"})

PATTERNS = [
    RaiseOnnxBitCast(),
    RaiseUnary(),
    RaiseGelu(),
    RaiseBinary(),
    RaiseBinaryScalar(),
    RaiseAddSub(),
    RaiseClamp(),
    RaiseClampTensor(),
    RaiseBitwiseBool(),
    RaiseLeakyRelu(),
    RaiseWhere(),
    RaiseTriangular(),
    RaiseCast(),
]
