"""Unstrided 1×1 convolutions, channels-last, as contractions with register tiles chosen here.

For these IREE's AVX2 code uses 8×8 vector tiles: 8 accumulators, and 9 loads
for every 8 FMAs. 6×16 tiles keep 12 accumulators and load 8 times for 12
FMAs. MobileNetV2's 196×96×576 projection took 228 µs with them, against 289
with IREE's choice and 259 for IREE's data-tiled 8×8 mmt4d before its packing
(one thread). The tiles travel as IREE's `compilation_info` on the op, which
also keeps IREE from data-tiling it (passes/data_tiling_hints.py).

- A convolution whose result is padded next (MobileNetV2's expansions, before
  their depthwise convolutions) stays a contraction over pixel rows and
  columns, tiled 4×16 along the columns. As a matmul over [H·W, C], IREE
  copied its result into the padded tensor after it: 0.36 ms for the
  112×112×96 one, whose matmul took 0.60.
- The others are one matmul over [N·H·W, C], in workgroups of 24 rows, or of
  all its rows where it has few and its filter outgrows L2 (MobileNetV2's last
  stage, 7×7 pixels): the filter is then read once instead of once per 24
  rows. Its 49×1280×320 took 450 µs so, against 590 (one thread). The
  expansions there are such matmuls too, though padded next: 190 µs each, and
  4 µs for the copy into the padded tensor, against 240–285 µs as
  contractions over pixels.

Both read the filter as [C, F]. IREE transposes the weights once, when the
module loads, where its transpose propagation is off (CpuTarget.strategies).
With it on, the transpose became part of the matmul, whose strided filter reads
took the 196×96×576 one to 687 µs.

MobileNetV2, one thread, sums of per-dispatch minimums: its 1×1 convolutions
took 9.7 ms with IREE's tiles and 7.2 with these, the model 11.9 and 9.2
(ONNX Runtime's per-node minimums: 8.8).
"""

from __future__ import annotations

from collections.abc import Sequence

from iree.compiler import ir
from iree.compiler.dialects import arith, linalg

from ...dialects import Conv, Elementwise, Pad, Transpose
from .builders import PARALLEL, REDUCTION, affine_map, dims, filled, generic, reshape

#: Matmul over pixel rows, loops (row, feature, channel): workgroup tiles, vector tiles, and the
#: channels taken per vector step.
ROW_TILES = ([24, 48, 0], [6, 16, 0], [0, 0, 4])
#: A matmul of at most this many rows whose filter is larger than SHARED_FILTER_BYTES takes all its
#: rows in one workgroup (in columns of 16, or 32 from 512 features on).
SHARED_FILTER_ROWS = 204
SHARED_FILTER_BYTES = 256 * 1024
#: Contraction over pixels, loops (batch, row, column, feature, channel): 4×16 vector tiles along
#: the columns, which MobileNetV2's widths (112 down to 14) divide.
PIXEL_TILES = ([1, 2, 8, 48, 0], [1, 1, 4, 16, 0], [0, 0, 0, 0, 4])


def fits(op: Conv) -> bool:
    """An f32 2-d convolution of one group with a 1×1 kernel, stride 1 and no padding."""
    return (
        op.spatial_rank == 2
        and op.groups == 1
        and op.filter.type.shape[2:] == [1, 1]
        and op.strides == [1, 1]
        and not any(op.padding)
        and op.result_type.element_type == ir.F32Type.get()
    )


def runs_over_pixels(op: Conv) -> bool:
    """Whether the convolution runs as a contraction over its pixels, not a matmul over their rows."""
    batch, channels, height, width = op.result_type.shape
    return not _shares_filter(batch * height * width, op.input.type.shape[1], channels) and padded_next(op)


def padded_next(op: Conv) -> bool:
    """Whether the convolution's result, through pointwise ops, is padded: read by a gimlet.pad or
    by a convolution that pads its input."""
    pending, seen = [op.operation.results[0]], set()
    while pending:
        for use in pending.pop().uses:
            user = use.owner.operation
            if user.name == Pad.operation_name():
                return True
            if user.name == Conv.operation_name() and use.operand_number == 0 and any(Conv(user).padding):
                return True
            if user.name == Elementwise.operation_name() and user not in seen:
                seen.add(user)
                pending.extend(user.results)
    return False


def tiled_pointwise(nhwc: ir.Value, filter: ir.Value, result_shape: Sequence[int], over_pixels: bool) -> ir.Value:
    """nhwc [N, H, W, C] times filter [F, C, 1, 1] as NHWC [N, H, W, F]: a contraction over pixels
    (PIXEL_TILES) if `over_pixels`, else a matmul over their rows (ROW_TILES)."""
    batch, height, width, features = result_shape
    channels = nhwc.type.shape[3]
    element = nhwc.type.element_type
    weights = Transpose.build(reshape(filter, [features, channels]), [1, 0]).result
    if not over_pixels:
        rows = reshape(nhwc, [batch * height * width, channels])
        product = linalg.matmul(rows, weights, outs=[filled([rows.type.shape[0], features], element, 0)])
        _set_tiles(product, _row_tiles(rows.type.shape[0], channels, features))
        return reshape(product, result_shape)
    n, h, w, f, c = dims(5)
    maps = [affine_map(5, [n, h, w, c]), affine_map(5, [c, f]), affine_map(5, [n, h, w, f])]
    product = generic(
        [nhwc, weights],
        filled(list(result_shape), element, 0),
        maps,
        [PARALLEL] * 4 + [REDUCTION],
        lambda x, y, acc: arith.addf(acc, arith.mulf(x, y)),
    )
    _set_tiles(product, PIXEL_TILES)
    return product


def _shares_filter(rows: int, channels: int, features: int) -> bool:
    return rows <= SHARED_FILTER_ROWS and channels * features * 4 > SHARED_FILTER_BYTES


def _row_tiles(rows: int, channels: int, features: int) -> tuple[list[int], list[int], list[int]]:
    if not _shares_filter(rows, channels, features):
        return ROW_TILES
    _, vector, reduction = ROW_TILES
    all_rows = -(-rows // vector[0]) * vector[0]
    return ([all_rows, 16 if features < 512 else 32, 0], vector, reduction)


def _set_tiles(value: ir.Value, tiles: tuple[list[int], list[int], list[int]]) -> None:
    """Tell IREE's CPU code generation the tiles of the op that made `value`."""
    distribution, vector, reduction = tiles
    config = (
        f"#iree_cpu.lowering_config<cache_parallel = {distribution}, distribution = {distribution}, "
        f"vector_common_parallel = {vector}, vector_reduction = {reduction}>"
    )
    pipeline = "#iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>, {enable_loop_peeling}>"
    value.owner.attributes["compilation_info"] = ir.Attribute.parse(
        f"#iree_codegen.compilation_info<lowering_config = {config}, translation_info = {pipeline}>"
    )
