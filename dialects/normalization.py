"""Normalisations: layer norm and inference-mode batch norm."""

from __future__ import annotations

from iree.compiler import ir

from .base import Op, Work, dtype_name, f64, i64, is_float, num_elements, register


@register
class LayerNorm(Op):
    """(x - mean) / sqrt(var + epsilon) · weight + bias over the axes from `axis` to the last.

    Operands: input, then optionally weight, then optionally bias (a bias
    needs a weight); both have the shape of the normalised axes.
    """

    NAME = "layer_norm"
    MIN_OPERANDS = 1
    MAX_OPERANDS = 3
    REQUIRED_ATTRIBUTES = {"axis": ir.IntegerAttr, "epsilon": ir.FloatAttr}

    @classmethod
    def build(cls, input, weight=None, bias=None, axis: int = -1, epsilon: float = 1e-5, loc=None) -> "LayerNorm":
        if bias is not None and weight is None:
            raise ValueError("layer_norm takes a bias only with a weight")
        axis = axis % input.type.rank
        operands = [input] + [v for v in (weight, bias) if v is not None]
        return cls.create(operands, [input.type], {"axis": i64(axis), "epsilon": f64(epsilon)}, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def weight(self) -> ir.Value | None:
        return self.operation.operands[1] if len(self.operation.operands) > 1 else None

    @property
    def bias(self) -> ir.Value | None:
        return self.operation.operands[2] if len(self.operation.operands) > 2 else None

    @property
    def axis(self) -> int:
        return self.int("axis")

    @property
    def epsilon(self) -> float:
        return self.float("epsilon")

    def normalized_shape(self) -> list[int]:
        return list(self.input.type.shape[self.axis :])

    def verify_op(self) -> None:
        rank = self.input.type.rank
        if not 0 <= self.axis < rank:
            raise self.fail(f"axis {self.axis} is outside rank {rank}")
        if not is_float(self.input.type.element_type):
            raise self.fail("layer_norm takes a floating-point input")
        for name, operand in (("weight", self.weight), ("bias", self.bias)):
            if operand is not None and list(operand.type.shape) != self.normalized_shape():
                raise self.fail(f"{name} must have the normalised shape {self.normalized_shape()}, got {operand.type}")
            if operand is not None and operand.type.element_type != self.input.type.element_type:
                raise self.fail(f"{name} must have the input's element type")
        if self.epsilon < 0:
            raise self.fail("epsilon must be non-negative")
        self.expect_result_type(self.input.type)

    def work(self) -> Work:
        elements = num_elements(self.input.type)
        rows = elements // max(num_elements(ir.RankedTensorType.get(self.normalized_shape(), self.input.type.element_type)), 1)
        # mean (n adds), subtract (n), square (n), variance (n adds), + epsilon, rsqrt, scale (n)
        flops = 5 * elements + 2 * rows
        flops += elements * (len(self.operands) - 1)  # weight multiply, bias add
        base = super().work()
        return Work({dtype_name(self.input.type.element_type): flops}, base.bytes_read, base.bytes_written)


@register
class BatchNorm(Op):
    """Inference batch norm over channel axis 1: (x - mean) / sqrt(var + epsilon) · scale + bias.

    Operands: input [N, C, ...], scale [C], bias [C], mean [C], var [C].
    """

    NAME = "batch_norm"
    MIN_OPERANDS = 5
    MAX_OPERANDS = 5
    REQUIRED_ATTRIBUTES = {"epsilon": ir.FloatAttr}

    @classmethod
    def build(cls, input, scale, bias, mean, var, epsilon: float = 1e-5, loc=None) -> "BatchNorm":
        return cls.create([input, scale, bias, mean, var], [input.type], {"epsilon": f64(epsilon)}, loc=loc)

    @property
    def input(self) -> ir.Value:
        return self.operation.operands[0]

    @property
    def scale(self) -> ir.Value:
        return self.operation.operands[1]

    @property
    def bias(self) -> ir.Value:
        return self.operation.operands[2]

    @property
    def mean(self) -> ir.Value:
        return self.operation.operands[3]

    @property
    def var(self) -> ir.Value:
        return self.operation.operands[4]

    @property
    def epsilon(self) -> float:
        return self.float("epsilon")

    def verify_op(self) -> None:
        input_type = self.input.type
        if input_type.rank < 2:
            raise self.fail(f"input {input_type} needs a channel axis 1")
        channels = input_type.shape[1]
        for name, operand in zip(("scale", "bias", "mean", "var"), self.operands[1:]):
            if list(operand.type.shape) != [channels]:
                raise self.fail(f"{name} must have shape [{channels}], got {operand.type}")
            if operand.type.element_type != input_type.element_type:
                raise self.fail(f"{name} must have the input's element type")
        if not is_float(input_type.element_type):
            raise self.fail("batch_norm takes a floating-point input")
        self.expect_result_type(input_type)

    def work(self) -> Work:
        # Folded to y = x·a + b with a = scale·rsqrt(var + ε), b = bias - mean·a.
        channels = self.input.type.shape[1]
        flops = 2 * num_elements(self.input.type) + 5 * channels
        base = super().work()
        return Work({dtype_name(self.input.type.element_type): flops}, base.bytes_read, base.bytes_written)
