"""gimlet.elementwise → linalg.generic whose body computes `fn` with arith and math ops."""

from __future__ import annotations

import math as pymath

from iree.compiler import ir
from iree.compiler.dialects import arith, math

from ...dialects import Elementwise
from ..base import RewritePattern
from .builders import float_maximum, float_minimum, map_elements, scalar

_FLOAT_PREDICATE = {
    "eq": arith.CmpFPredicate.OEQ,
    "ne": arith.CmpFPredicate.UNE,
    "lt": arith.CmpFPredicate.OLT,
    "le": arith.CmpFPredicate.OLE,
    "gt": arith.CmpFPredicate.OGT,
    "ge": arith.CmpFPredicate.OGE,
}
_INT_PREDICATE = {
    "eq": arith.CmpIPredicate.eq,
    "ne": arith.CmpIPredicate.ne,
    "lt": arith.CmpIPredicate.slt,
    "le": arith.CmpIPredicate.sle,
    "gt": arith.CmpIPredicate.sgt,
    "ge": arith.CmpIPredicate.sge,
}
#: Bools order false < true, which signed predicates (true is -1) get backwards.
_BOOL_PREDICATE = {
    **_INT_PREDICATE,
    "lt": arith.CmpIPredicate.ult,
    "le": arith.CmpIPredicate.ule,
    "gt": arith.CmpIPredicate.ugt,
    "ge": arith.CmpIPredicate.uge,
}


def _sigmoid(x: ir.Value) -> ir.Value:
    one = scalar(1.0, x.type)
    return arith.divf(one, arith.addf(one, math.exp(arith.negf(x))))


def _gelu(x: ir.Value, approximate: str) -> ir.Value:
    half, one = scalar(0.5, x.type), scalar(1.0, x.type)
    if approximate == "tanh":
        cube = arith.mulf(arith.mulf(x, x), x)
        inner = arith.addf(x, arith.mulf(scalar(0.044715, x.type), cube))
        gate = math.tanh(arith.mulf(scalar(pymath.sqrt(2.0 / pymath.pi), x.type), inner))
    else:
        gate = math.erf(arith.mulf(x, scalar(pymath.sqrt(0.5), x.type)))
    return arith.mulf(arith.mulf(half, x), arith.addf(one, gate))


def _float_fn(op: Elementwise, a: ir.Value, b: ir.Value | None) -> ir.Value:
    fn = op.fn
    t = a.type
    unary = {
        "neg": arith.negf,
        "abs": math.absf,
        "tanh": math.tanh,
        "exp": math.exp,
        "log": math.log,
        "sqrt": math.sqrt,
        "rsqrt": math.rsqrt,
        "erf": math.erf,
        "sin": math.sin,
        "cos": math.cos,
        "floor": math.floor,
        "ceil": math.ceil,
    }
    binary = {
        "add": arith.addf,
        "sub": arith.subf,
        "mul": arith.mulf,
        "div": arith.divf,
        "max": float_maximum,
        "min": float_minimum,
        "pow": math.powf,
    }
    if fn in unary:
        return unary[fn](a)
    if fn in binary:
        return binary[fn](a, b)
    if fn in _FLOAT_PREDICATE:
        return arith.cmpf(_FLOAT_PREDICATE[fn], a, b)
    if fn == "relu":
        return float_maximum(a, scalar(0.0, t))
    if fn == "reciprocal":
        return arith.divf(scalar(1.0, t), a)
    if fn == "sigmoid":
        return _sigmoid(a)
    if fn == "silu":
        return arith.mulf(a, _sigmoid(a))
    if fn == "gelu":
        approximate = op.string("approximate") if op.attr("approximate") is not None else "none"
        return _gelu(a, approximate)
    if fn == "leaky_relu":
        positive = arith.cmpf(arith.CmpFPredicate.OGT, a, scalar(0.0, t))
        return arith.select(positive, a, arith.mulf(a, scalar(op.float("alpha", 0.01), t)))
    if fn == "clamp":
        return _clamp(op, a, float_maximum, float_minimum)
    raise ValueError(f"no float lowering for fn '{fn}'")


def _clamp(op: Elementwise, a: ir.Value, maximum, minimum) -> ir.Value:
    low, high = op.float("min"), op.float("max")
    if low is not None:
        a = maximum(a, scalar(low, a.type))
    if high is not None:
        a = minimum(a, scalar(high, a.type))
    return a


def _int_fn(op: Elementwise, a: ir.Value, b: ir.Value | None) -> ir.Value:
    fn = op.fn
    t = a.type
    binary = {
        "add": arith.addi,
        "sub": arith.subi,
        "mul": arith.muli,
        "div": arith.divsi,
        "max": arith.maxsi,
        "min": arith.minsi,
        "and": arith.andi,
        "or": arith.ori,
        "xor": arith.xori,
    }
    if t.width == 1 and fn in ("max", "min"):
        # i1 is signed -1/0 to maxsi and minsi; bools need unsigned max (or) and min (and).
        return (arith.maxui if fn == "max" else arith.minui)(a, b)
    if fn in binary:
        return binary[fn](a, b)
    if fn in _INT_PREDICATE:
        return arith.cmpi((_BOOL_PREDICATE if t.width == 1 else _INT_PREDICATE)[fn], a, b)
    if fn == "neg":
        return arith.subi(scalar(0, t), a)
    if fn == "abs":
        return math.absi(a)
    if fn == "relu":
        return arith.maxsi(a, scalar(0, t))
    if fn == "not":
        return arith.xori(a, scalar(1, t))
    if fn == "clamp":
        return _clamp(op, a, arith.maxsi, arith.minsi)
    raise ValueError(f"no integer lowering for fn '{fn}'")


def convert(value: ir.Value, target: ir.Type) -> ir.Value:
    """Scalar conversion with PyTorch semantics (bools are 0/1; float → bool is `!= 0`)."""
    source = value.type
    if source == target:
        return value
    source_float, target_float = isinstance(source, ir.FloatType), isinstance(target, ir.FloatType)
    if source_float and target_float:
        return arith.extf(target, value) if target.width > source.width else arith.truncf(target, value)
    if not source_float and target_float:
        return arith.uitofp(target, value) if source.width == 1 else arith.sitofp(target, value)
    if source_float and not target_float:
        if target.width == 1:
            return arith.cmpf(arith.CmpFPredicate.UNE, value, scalar(0.0, source))
        return arith.fptosi(target, value)
    if target.width == 1:
        return arith.cmpi(arith.CmpIPredicate.ne, value, scalar(0, source))
    if target.width > source.width:
        return arith.extui(target, value) if source.width == 1 else arith.extsi(target, value)
    return arith.trunci(target, value)


class LowerElementwise(RewritePattern):
    ROOTS = (Elementwise.operation_name(),)

    def rewrite(self, operation):
        op = Elementwise(operation)
        result_type = op.result_type

        def body(*args):
            if op.fn == "where":
                return arith.select(*args)
            if op.fn == "cast":
                return convert(args[0], result_type.element_type)
            if op.fn == "bitcast":
                same = args[0].type == result_type.element_type
                return args[0] if same else arith.bitcast(result_type.element_type, args[0])
            a = args[0]
            b = args[1] if len(args) > 1 else None
            if isinstance(a.type, ir.FloatType):
                return _float_fn(op, a, b)
            return _int_fn(op, a, b)

        return [map_elements(op.operands, result_type, body)]


PATTERNS = [LowerElementwise()]
