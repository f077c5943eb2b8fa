"""gimlet-data-tiling-hints: choose the ops IREE data-tiles, leaving out thin-channel convolutions.

IREE's data tiling packs a convolution's input channels into tiles of its
vector width. A convolution over few channels, such as an image stem over 3,
then computes mostly on zeros: ResNet-18's 7×7 stem took 4.3 ms data-tiled
and 0.6 ms as IREE's direct convolution (2 threads). IREE annotates every
contraction and convolution itself (`iree.opt.data_tiling`) unless some op
already carries the hint; then it data-tiles exactly the hinted ones. So
where a thin convolution is present, this pass hints every other candidate,
or, where none is left, the function, so that IREE data-tiles none.

It runs on IREE's IR after global optimization (`iree-compile
--compile-to=global-optimization`), which `compile_bytecode` splits the
compilation at: IREE's FoldUnitExtentDims rebuilds batch-1 convolutions
without their attributes, so a hint on gimlet's own output is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir
from iree.compiler.dialects import linalg

from .base import FUNCTION_OPS, ModulePass, defining_op, register_pass

HINT = "iree.opt.data_tiling"


@register_pass
@dataclass
class DataTilingHints(ModulePass):
    """Hint every data-tilable op but convolutions over fewer than `min_channels` input channels."""

    NAME = "gimlet-data-tiling-hints"
    DESCRIPTION = "Mark the ops IREE should data-tile (iree.opt.data_tiling), leaving out thin-channel convolutions"

    #: Input channels below which a convolution is not data-tiled (AVX-512 packs f32 by 16).
    min_channels: int = 8

    def apply(self, module: ir.Module) -> None:
        candidates: list[ir.Operation] = []
        thin: list[ir.Operation] = []

        def visit(op):
            op = op.operation
            if not op.name.startswith("linalg.") or HINT in op.attributes:
                return ir.WalkResult.ADVANCE
            kind = _kind(op.opview)
            channels = _input_channels(op.opview) if kind == "convolution" else None
            if channels is not None and channels < self.min_channels:
                thin.append(op)
            elif kind is not None:
                candidates.append(op)
            return ir.WalkResult.ADVANCE

        module.operation.walk(visit)
        if not thin:
            return
        # With nothing else to data-tile (every contraction carrying gimlet's tiles, or none there),
        # the hint goes on the function: IREE's annotation looks for one on any op of it, the
        # function included, and finding one data-tiles only hinted linalg ops. Left without, IREE
        # data-tiled every convolution of MobileNetV2 at a batch of 2 whose classifier carried
        # tiles, the 3-channel stem included: 36 encoding dispatches, against none.
        for op in candidates or {_function_of(op) for op in thin}:
            op.attributes[HINT] = ir.UnitAttr.get()


def _function_of(op: ir.Operation) -> ir.Operation:
    while op.name not in FUNCTION_OPS:
        op = op.parent
    return op


def _kind(op) -> str | None:
    """"convolution" (over input channels) or "contraction" where IREE would data-tile the op, else
    None. Mirrors IREE's AnnotateDataTilingHints: a contraction has one M, N and K at most (K
    exactly) and a multiply-add body."""
    if not _pure_tensors(op) or "compilation_info" in op.operation.attributes:
        return None
    if linalg.isa_convolution_op(op):
        dims = linalg.infer_convolution_dimensions(op)
        return "convolution" if len(dims.input_channel) and len(dims.output_channel) else None
    if linalg.isa_contraction_op(op):
        dims = linalg.infer_contraction_dimensions(op)
        shaped = len(dims.batch) <= 1 and len(dims.m) <= 1 and len(dims.n) <= 1 and len(dims.k) == 1
        if shaped and (len(dims.m) or len(dims.n)) and _multiply_add_body(op):
            return "contraction"
    return None


def _pure_tensors(op) -> bool:
    types = [value.type for value in op.operation.operands]
    return all(isinstance(t, ir.RankedTensorType) and t.encoding is None for t in types if isinstance(t, ir.ShapedType))


def _input_channels(op) -> int | None:
    """The product of a convolution's input-channel loop sizes; None where one is dynamic."""
    sizes = _loop_sizes(op)
    count = 1
    for dim in linalg.infer_convolution_dimensions(op).input_channel:
        size = sizes.get(dim)
        if size is None or ir.ShapedType.is_dynamic_size(size):
            return None
        count *= size
    return count


def _loop_sizes(op) -> dict[int, int]:
    """Loop index → size, read off the operands that index a dimension by that loop alone."""
    sizes = {}
    for value, attribute in zip(op.operation.operands, linalg.get_indexing_maps(op)):
        if not isinstance(value.type, ir.ShapedType):
            continue
        for position, expression in enumerate(ir.AffineMapAttr(attribute).value.results):
            if isinstance(expression, ir.AffineDimExpr):
                sizes[expression.position] = value.type.shape[position]
    return sizes


def _multiply_add_body(op) -> bool:
    """yield(add(out, mul(a, b))) over block arguments, perhaps cast: the body IREE's mmt4d replaces."""
    block = op.operation.regions[0].blocks[0]
    output = block.arguments[len(block.arguments) - 1]
    terminator = list(block.operations)[-1]
    add = defining_op(terminator.operands[0])
    if add is None or add.name not in ("arith.addf", "arith.addi"):
        return False
    others = [v for v in add.operands if v != output]
    if len(others) != 1 or len(add.operands) != 2:
        return False
    multiply = defining_op(others[0])
    if multiply is None or multiply.name not in ("arith.mulf", "arith.muli"):
        return False
    return all(isinstance(_uncast(v), ir.BlockArgument) for v in multiply.operands)


def _uncast(value: ir.Value) -> ir.Value:
    producer = defining_op(value)
    casts = ("arith.extf", "arith.extsi", "arith.extui", "arith.truncf", "arith.sitofp", "arith.uitofp")
    return producer.operands[0] if producer is not None and producer.name in casts else value

