"""Unstrided 1×1 convolutions, channels-last, as contractions with register tiles chosen here.

For these IREE's AVX2 code uses 8×8 vector tiles: 8 accumulators, and 9 loads
for every 8 FMAs. 6×16 tiles keep 12 accumulators and load 8 times for 12
FMAs. MobileNetV2's 196×96×576 projection took 228 µs with them, against 289
with IREE's choice and 259 for IREE's data-tiled 8×8 mmt4d before its packing
(one thread). The tiles travel as IREE's `compilation_info` on the op, which
also keeps IREE from data-tiling it (passes/data_tiling_hints.py).

- A convolution whose result is padded next (MobileNetV2's expansions, before
  their depthwise convolutions) computes over the padded grid where that adds
  few pixels (ComputePaddedOutput), as a matmul over its rows. Where it would
  add many, or its padded input is the one padded next (the projections
  before such expansions), it stays a contraction over pixel rows and
  columns, tiled 4×16 along the columns: as a matmul over [H·W, C], IREE
  copied its result into the padded tensor after it (0.36 ms for the
  112×112×96 one, whose matmul took 0.60). Its images are stacked as rows,
  [N·H, W, C]: over [N, H, W, C], IREE folded the unit batch loop by
  rebuilding the op without its tiles, and ran all of MobileNetV2's with
  its own 8×8 ones. With these, its pixel contractions took 1.89-1.92 ms
  against 2.03-2.06 (sums of per-dispatch minimums, one thread, alternating
  builds); its 14×14×576×96 expansions 0.81 against 0.91.
- The others are one matmul over [N·H·W, C], in workgroups of 24 rows, or of
  all its rows where it has few and its filter outgrows L2 (MobileNetV2's last
  stage, 7×7 pixels): the filter is then read once instead of once per 24
  rows. Its 49×1280×320 took 450 µs so, against 590 (one thread). The
  expansions there are such matmuls too, though padded next: 190 µs each, and
  4 µs for the copy into the padded tensor, against 240–285 µs as
  contractions over pixels. Told the threads the module runs on
  (`RegisterTiles.workers`), it groups its column panels so that each thread
  gets as many (builders.balanced_workgroup_count): on 2 threads the
  49×1280×320 one took 84 µs in 10 workgroups against 107 in 40. The others
  take more rows a workgroup where their count would not spread evenly
  (_pixel_row_tiles).

Both read the filter as [C, F]. IREE transposes the weights once, when the
module loads, where its transpose propagation is off (CpuTarget.strategies).
With it on, the transpose became part of the matmul, whose strided filter reads
took the 196×96×576 one to 687 µs.

MobileNetV2, one thread, sums of per-dispatch minimums: its 1×1 convolutions
took 9.7 ms with IREE's tiles and 7.2 with these, the model 11.9 and 9.2
(ONNX Runtime's per-node minimums: 8.8).

With AVX-512, IREE's data tiling (mmt4d in 16×16 tiles) does well where rows
are many, and each tiled product then skips the dispatch that packs its
input; on 49 rows it computes 64. There 7×32 vector tiles took MobileNetV2's
eight 7×7 ones from 0.90 ms, packing included, to 0.69 (ONNX Runtime 0.72),
its seven tiled 14×14 projections from 0.45 to 0.35, and the model's
dispatches from 3.55 to 3.19 ms (one thread, sums of per-dispatch minimums).
Its calls took 3.26-3.48 ms instead of 3.73-3.94 on one thread (ONNX Runtime
3.24-3.52), 2.02 instead of 2.23 on two (1.75), in alternating rounds.
Expansions padded next stay IREE's: over pixels or over the padded grid,
with these tiles, they were slower.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, linalg

from ...dialects import Constant, Conv, Elementwise, Pad, Transpose
from ..base import NoMatch, RewritePattern, defining_op
from .builders import (
    PARALLEL,
    REDUCTION,
    Tiles,
    affine_map,
    balanced_workgroup_count,
    dims,
    even_workgroup_counts,
    filled,
    generic,
    matmul_maps,
    reshape,
    set_cpu_tiles,
    spreads_evenly,
)
from .layout import applied_to

#: A matmul of at most this many rows whose filter is larger than SHARED_FILTER_BYTES takes all its
#: rows in one workgroup.
SHARED_FILTER_ROWS = 204
SHARED_FILTER_BYTES = 256 * 1024


@dataclass(frozen=True)
class RegisterTiles:
    """One instruction set's tiles (`conv-pointwise-tiles=NAME`): workgroup tiles, vector tiles,
    and the channels taken per vector step."""

    #: Matmul over pixel rows, loops (row, feature, channel).
    rows: Tiles
    #: Contraction over pixels, loops (image row, column, feature, channel); None: a convolution
    #: that would run over its pixels is left to IREE.
    pixels: Tiles | None
    #: Workgroup columns of a matmul that shares its filter: below 512 features, from 512 on.
    shared_filter_columns: tuple[int, int]
    #: Whether a convolution padded next computes over the padded grid first (ComputePaddedOutput).
    padded_outputs: bool = True
    #: Features must be a multiple of this.
    feature_multiple: int = 1
    #: Threads the module will run on (0: unknown), over which the matmuls' workgroups are to
    #: spread evenly (builders.spreads_evenly).
    workers: int = 0


#: By instruction set: the tiles and when they apply.
REGISTER_TILES = {
    # 6×16 vectors: 12 accumulators of 8 floats. Over pixels, 4×16 along the columns, in workgroups
    # of 4×16 pixels and 64 features (the 14×14×576×96 expansion took 808 µs so, 848 with 2×8×48, 862
    # with 8×16×48; one thread).
    "avx2": RegisterTiles(([24, 48, 0], [6, 16, 0], [0, 0, 4]), ([4, 16, 64, 0], [1, 4, 16, 0], [0, 0, 0, 4]), (16, 32)),
    # 7×32 vectors: 14 accumulators of 16 floats; 7 rows divide a 7×7 stage's 49 evenly, where IREE's
    # data tiling pads them to 64. Only for features in whole vectors: MobileNetV2's 3136×24×144
    # projection took 700 µs with them, 143 data-tiled, and contractions over pixels 520 (one thread).
    # No padded grids: the CPU target's AVX-512 strategy for such models pads inside the consumer,
    # with no fill to save.
    "avx512": RegisterTiles(([28, 64, 0], [7, 32, 0], [0, 0, 4]), None, (32, 32), padded_outputs=False, feature_multiple=32),
}


def is_pointwise(op: Conv) -> bool:
    """An f32 2-d convolution of one group with a 1×1 kernel, stride 1 and no padding."""
    return (
        op.spatial_rank == 2
        and op.groups == 1
        and op.filter.type.shape[2:] == [1, 1]
        and op.strides == [1, 1]
        and not any(op.padding)
        and op.result_type.element_type == ir.F32Type.get()
    )


def fits(op: Conv, tiles: RegisterTiles) -> bool:
    """A pointwise convolution whose features and way of running `tiles` has tiles for."""
    return (
        is_pointwise(op)
        and op.result_type.shape[1] % tiles.feature_multiple == 0
        and (tiles.pixels is not None or not runs_over_pixels(op))
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


def tiled_pointwise(
    nhwc: ir.Value, filter: ir.Value, result_shape: Sequence[int], over_pixels: bool, tiles: RegisterTiles
) -> ir.Value:
    """nhwc [N, H, W, C] times filter [F, C, 1, 1] as NHWC [N, H, W, F]: a contraction over pixels
    (`tiles.pixels`) if `over_pixels`, else a matmul over their rows (`tiles.rows`)."""
    batch, height, width, features = result_shape
    channels = nhwc.type.shape[3]
    element = nhwc.type.element_type
    weights = Transpose.build(reshape(filter, [features, channels]), [1, 0]).result
    if not over_pixels:
        rows = reshape(nhwc, [batch * height * width, channels])
        init = filled([rows.type.shape[0], features], element, 0)
        product = linalg.matmul(rows, weights, outs=[init], indexing_maps=matmul_maps(False))
        set_cpu_tiles(product, _row_tiles(tiles, rows.type.shape[0], channels, features))
        return reshape(product, result_shape)
    # Images stacked as rows: a unit batch loop would be folded away by IREE, which drops the tiles
    # with the op it rebuilds.
    rows = reshape(nhwc, [batch * height, width, channels])
    r, w, f, c = dims(4)
    product = generic(
        [rows, weights],
        filled([batch * height, width, features], element, 0),
        [affine_map(4, [r, w, c]), affine_map(4, [c, f]), affine_map(4, [r, w, f])],
        [PARALLEL] * 3 + [REDUCTION],
        lambda x, y, acc: arith.addf(acc, arith.mulf(x, y)),
    )
    set_cpu_tiles(product, tiles.pixels)
    return reshape(product, result_shape)


def _shares_filter(rows: int, channels: int, features: int) -> bool:
    return rows <= SHARED_FILTER_ROWS and channels * features * 4 > SHARED_FILTER_BYTES


def _row_tiles(tiles: RegisterTiles, rows: int, channels: int, features: int) -> Tiles:
    if not _shares_filter(rows, channels, features):
        return _pixel_row_tiles(tiles, rows, features)
    _, vector, reduction = tiles.rows
    all_rows = -(-rows // vector[0]) * vector[0]
    narrow, wide = tiles.shared_filter_columns
    panel = narrow if features < 512 else wide
    panels = -(-features // panel)
    columns = panel * (panels // balanced_workgroup_count(panels, tiles.workers))
    return ([all_rows, columns, 0], vector, reduction)


def _pixel_row_tiles(tiles: RegisterTiles, rows: int, features: int) -> Tiles:
    """`tiles.rows`, with as many more rows a workgroup as make the workgroups spread evenly over
    `tiles.workers` threads, where they would not: MobileNetV2's 196×64×384 products took 20 µs in
    4 workgroups of 49 rows against 22 in 7 of 28, its 784×32×192 ones 19.4 in 16 against 21.7 in
    28 (2 threads; 14 workgroups of 14 rows were level with 4)."""
    (row_tile, column_tile, _), vector, reduction = tiles.rows
    columns = -(-features // column_tile)
    if tiles.workers and not spreads_evenly(-(-rows // row_tile) * columns, tiles.workers):
        vectors = -(-rows // vector[0])
        # The most groups of rows that are still no smaller than row_tile.
        at_most = vectors // (row_tile // vector[0])
        groups = next((n for n in even_workgroup_counts(vectors, tiles.workers, columns) if n <= at_most), None)
        if groups is not None:
            row_tile = vector[0] * (vectors // groups)
    return ([row_tile, column_tile, 0], vector, reduction)


class ComputePaddedOutput(RewritePattern):
    """conv(pad(f(pointwise(x)))) → conv(where(interior, f(pointwise(pad(x))), 0)): a 1×1
    convolution whose result the next convolution pads computes over the padded grid instead.

    IREE pads a tensor by zero-filling all of it and then writing its interior: MobileNetV2 filled
    17.6 MB a call so, 0.6-0.8 ms between its dispatches (one thread). Padded first, the 1×1
    convolution's input (six times narrower in MobileNetV2's expansions) is what IREE fills, the
    epilogue zeroes the border, and the next convolution reads the result unpadded. `f` is a chain
    of pointwise ops that are the same at every pixel apart from their one full-size operand
    (bias, activation). The padded grid's extra pixels cost matmul work, so this applies while
    they add at most MAX_GROWTH: MobileNetV2's 112-, 56- and 28-wide expansions, not its 14- and
    7-wide ones. The border is chosen by comparing a float mask with zero: a boolean mask made the
    112×112 expansion's epilogue 10% slower (777 against 693 µs, one thread).

    MobileNetV2, medians of alternating rounds: fills 17.6 → 8.5 MB a call; time between dispatches
    806 → 318 µs and a call's span 10.97 → 10.14 ms (one thread, 5 rounds); at 2 threads 670 → 312
    µs and 7.33 → 6.90 ms (8 rounds, whose ratios spread 0.80-1.19). The 112×112 expansion, now a
    matmul over 12996 rows, took 693 µs against 596 as a contraction over pixels (then run with
    IREE's own tiles, which had replaced gimlet's: see tiled_pointwise).
    """

    ROOTS = (Conv.operation_name(),)

    #: Padded pixels over pixels for which the 1×1 convolution runs on the padded grid (3×3 padded
    #: by one: 1.036 at 112×112, 1.148 at 28×28, 1.306 at 14×14).
    MAX_GROWTH = 1.2

    def rewrite(self, operation):
        consumer = Conv(operation)
        if consumer.spatial_rank != 2 or not any(consumer.padding):
            raise NoMatch("not a padded 2-d convolution")
        chain, value = [], consumer.input  # (pointwise op, its full-size operand), consumer side first
        while (producer := defining_op(value)) is not None and producer.name == Elementwise.operation_name():
            value = _pixel_operand(Elementwise(producer))
            chain.append((Elementwise(producer), value))
        if producer is None or producer.name != Conv.operation_name() or not is_pointwise(Conv(producer)):
            raise NoMatch("its input is not a 1×1 convolution through pointwise ops")
        pointwise = Conv(producer)
        begins, ends = consumer.padding[:2], consumer.padding[2:]
        _, _, height, width = pointwise.result_type.shape
        grown = [height + begins[0] + ends[0], width + begins[1] + ends[1]]
        if math.prod(grown) > self.MAX_GROWTH * height * width:
            raise NoMatch("the padded grid has too many more pixels")
        if any(len(list(op.result.uses)) != 1 for op in [pointwise, *(op for op, _ in chain)]):
            raise NoMatch("a value between the convolutions has other users")
        padded = Pad.build(pointwise.input, [0, 0, *begins], [0, 0, *ends], "constant", 0.0).result
        value = Conv.build(padded, pointwise.filter, pointwise.bias, pointwise.strides, [0] * 4, pointwise.dilations).result
        for op, pixels in reversed(chain):
            value = applied_to(op, [value if operand == pixels else operand for operand in op.operands])
        interior = np.zeros([1, 1, *grown], dtype=np.float32)
        interior[..., begins[0] : begins[0] + height, begins[1] : begins[1] + width] = 1.0
        zero = Constant.splat(0.0, ir.RankedTensorType.get([], value.type.element_type)).result
        inside = Elementwise.build("gt", [Constant.from_numpy(interior).result, zero]).result
        value = Elementwise.build("where", [inside, value, zero]).result
        return [
            Conv.build(value, consumer.filter, consumer.bias, consumer.strides, [0] * 4, consumer.dilations, consumer.groups).result
        ]


def _pixel_operand(op: Elementwise) -> ir.Value:
    """The one operand of `op` of its result's shape, whose pixels it maps one by one; the others
    must be the same at every pixel (a bias, a scalar). NoMatch otherwise."""
    shape = list(op.result_type.shape)
    full = [v for v in op.operands if list(v.type.shape) == shape]
    if len(full) != 1:
        raise NoMatch(f"{op.fn} has not exactly one operand of its result's shape")
    for other in op.operands:
        if other != full[0] and any(other.type.shape[axis] != 1 for axis in (-2, -1) if -axis <= other.type.rank):
            raise NoMatch(f"an operand of {op.fn} varies across the pixels")
    return full[0]
