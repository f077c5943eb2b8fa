"""Raise layer norm and inference batch norm."""

from __future__ import annotations

from iree.compiler import ir

from ...dialects import BatchNorm, Constant, LayerNorm
from ..base import NoMatch
from .pattern import RaisePattern, TorchOp


def _filled(value: float, shape: list[int], element_type: ir.Type) -> ir.Value:
    return Constant.splat(value, ir.RankedTensorType.get(shape, element_type)).result


class RaiseLayerNorm(RaisePattern):
    """layer_norm(x, normalized_shape, weight, bias, eps, ...) and native_layer_norm with unused statistics."""

    ROOTS = ("torch.aten.layer_norm", "torch.aten.native_layer_norm")

    def raise_op(self, op: TorchOp):
        input = op.tensor(0)
        normalized = op.ints(1)
        rank = input.type.rank
        if list(input.type.shape[rank - len(normalized) :]) != normalized:
            raise NoMatch(f"normalized shape {normalized} is not the trailing shape of {input.type}")
        weight, bias = op.optional_tensor(2), op.optional_tensor(3)
        if bias is not None and weight is None:
            weight = _filled(1.0, normalized, input.type.element_type)
        layer_norm = LayerNorm.build(input, weight, bias, axis=rank - len(normalized), epsilon=float(op.number(4)))
        return [layer_norm.result] + [None] * (len(op.operation.results) - 1)


class RaiseBatchNorm(RaisePattern):
    """Inference batch norm: batch_norm, native_batch_norm (training false) and the no-training variant."""

    ROOTS = (
        "torch.aten.batch_norm",
        "torch.aten.native_batch_norm",
        "torch.aten._native_batch_norm_legit_no_training",
    )

    def raise_op(self, op: TorchOp):
        input = op.tensor(0)
        if op.name == "torch.aten._native_batch_norm_legit_no_training":
            epsilon_index = 6
        else:
            if op.bool(5):
                raise NoMatch("batch norm in training mode")
            epsilon_index = 7
        mean, var = op.optional_tensor(3), op.optional_tensor(4)
        if mean is None or var is None:
            raise NoMatch("batch norm without running statistics")
        channels = [input.type.shape[1]]
        element = input.type.element_type
        scale = op.optional_tensor(1) or _filled(1.0, channels, element)
        bias = op.optional_tensor(2) or _filled(0.0, channels, element)
        batch_norm = BatchNorm.build(input, scale, bias, mean, var, epsilon=float(op.number(epsilon_index)))
        return [batch_norm.result] + [None] * (len(op.operation.results) - 1)


PATTERNS = [RaiseLayerNorm(), RaiseBatchNorm()]
