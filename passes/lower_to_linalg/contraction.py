"""Contractions: matmul → linalg.matmul / batch_matmul, conv → linalg conv ops, attention → gimlet ops."""

from __future__ import annotations

import math

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, iree_tensor_ext, linalg

from ...dialects import (
    Attention,
    Broadcast,
    Concat,
    Constant,
    Conv,
    Elementwise,
    Matmul,
    Pad,
    Reshape,
    Slice,
    Softmax,
    Transpose,
)
from ...dialects.base import broadcast_shapes
from ..base import RewritePattern
from . import packed_windows, pointwise
from .builders import (
    PARALLEL,
    REDUCTION,
    Tiles,
    affine_map,
    dims,
    empty,
    filled,
    generic,
    is_16bit_float,
    matmul_maps,
    reshape,
    set_cpu_tiles,
)
from .winograd import KERNEL, OUTPUT_TILE, winograd_conv
from .winograd import tiles as winograd_tiles


def _zero_init(shape, element_type) -> ir.Value:
    return filled(shape, element_type, 0)


class LowerMatmul(RewritePattern):
    """Matrix products as linalg.matmul where the batch folds into rows, else linalg.batch_matmul.

    The left operand of a product of one row starts a compute barrier
    (iree_tensor_ext.compute_barrier.start). IREE fuses its data-tiling pack
    into the dispatch that made it, and the pack's one-wide tiles made that
    whole dispatch scalar: MobileNetV2's global average pool took 80 µs so,
    and 12 with the pack in a dispatch of its own (1 µs; one thread). A
    util.optimization_barrier separated them as well, but split the call's
    work into two submissions, with a wait between them: 300-600 µs more a
    call between dispatches (MobileNetV2, 1 and 2 threads; 100-300 µs of the
    cnn example's 170-370).

    16-bit floats accumulate in f32 and are rounded once at the end, as ONNX
    Runtime does: accumulated in f16, sums of a few dozen products were off by
    an ulp (ONNX's fp16 attention tests), unless IREE's data tiling happened to
    widen them.

    With `narrow_tiles`, an f32 product of 2 to 4 rows (a small batch through
    a linear layer) whose weights take at most 1 MiB carries register tiles for
    IREE: 2×32 or 4×16 columns, where IREE's AVX2 code uses 4×8 and loads an
    operand for every two FMAs. The mlp example's 4×64·64×128 and 4×128·128×64
    took 0.77 and 0.82 µs instead of 1.29 and 1.42 (its module 6.4 µs a call
    instead of 7.6, one thread). In benchmarks/narrow_matmul.py (chains of
    four square layers, one thread), against the better of IREE's tiles and
    its data tiling: 0.68 at 4 rows × 128, 0.97-0.98 at 256 and 512 (data
    tiling close behind), 0.63 at 2 rows × 512. With 4 MiB of weights a layer,
    data tiling's packed weights stream faster (857 against 1804 µs at 4 rows),
    as they did for MobileNetV2's classifier at a batch of 2 (5 MB: 284 µs
    data-tiled, 392-403 with these); at 8 rows × 256 data tiling won too (70
    against 76 µs); under 16 columns (the mlp example's 10-wide output layer)
    the tiles lost to IREE's own: 0.44 µs against 0.20.
    """

    ROOTS = (Matmul.operation_name(),)

    #: Rows up to which an f32 product carries register tiles with `narrow_tiles`.
    NARROW_ROWS = 4
    #: Bytes of the right operand (a layer's weights) up to which it does.
    NARROW_MAX_RHS_BYTES = 1 << 20

    def __init__(self, narrow_tiles: bool = False):
        super().__init__()
        self.narrow_tiles = narrow_tiles

    def rewrite(self, operation):
        op = Matmul(operation)
        product = self._product(op)
        if product.type.element_type != op.result_type.element_type:
            product = Elementwise.build("cast", [product], element_type=op.result_type.element_type).result
        return [product]

    def _product(self, op: Matmul) -> ir.Value:
        lhs, rhs = op.lhs, op.rhs
        element = op.result_type.element_type
        if is_16bit_float(element):
            element = ir.F32Type.get()
        result_shape = list(op.result_type.shape)
        lhs_shape = list(lhs.type.shape) if lhs.type.rank > 1 else [1, lhs.type.shape[0]]
        rhs_shape = list(rhs.type.shape) if rhs.type.rank > 1 else [rhs.type.shape[0], 1]
        lhs, rhs = reshape(lhs, lhs_shape), reshape(rhs, rhs_shape)
        m, k, n = lhs_shape[-2], lhs_shape[-1], rhs_shape[-1]
        if len(rhs_shape) == 2:
            # [..., M, K] · [K, N]: fold every batch dimension into M.
            rows = math.prod(lhs_shape[:-1])
            lhs = reshape(lhs, [rows, k])
            if rows == 1:
                lhs = iree_tensor_ext.ComputeBarrierStartOp(lhs.type, lhs, []).result
            product = linalg.matmul(lhs, rhs, outs=[_zero_init([rows, n], element)], indexing_maps=matmul_maps(False))
            if tiles := self._narrow_tiles(rows, k, n, [lhs, rhs]):
                set_cpu_tiles(product, tiles)
            return reshape(product, result_shape)
        batch = broadcast_shapes(lhs_shape[:-2], rhs_shape[:-2])
        count = math.prod(batch)
        lhs = self._batched(lhs, batch, [m, k], count)
        rhs = self._batched(rhs, batch, [k, n], count)
        product = linalg.batch_matmul(lhs, rhs, outs=[_zero_init([count, m, n], element)], indexing_maps=matmul_maps(True))
        return reshape(product, result_shape)

    def _narrow_tiles(
        self, rows: int, depth: int, columns: int, operands: list[ir.Value]
    ) -> Tiles | None:
        """Tiles for an f32 product of 2 to NARROW_ROWS rows, at least a vector tile of columns and
        a right operand of at most NARROW_MAX_RHS_BYTES, under `narrow_tiles`."""
        f32 = ir.F32Type.get()
        if not self.narrow_tiles or not 2 <= rows <= self.NARROW_ROWS or any(v.type.element_type != f32 for v in operands):
            return None
        if depth * columns * 4 > self.NARROW_MAX_RHS_BYTES:
            return None
        vector = [2, 32, 0] if rows == 2 else [4, 16, 0]
        if columns < vector[1]:
            return None
        return [rows, 64, 0], vector, [0, 0, 4]

    @staticmethod
    def _batched(value: ir.Value, batch: list[int], matrix: list[int], count: int) -> ir.Value:
        full = [*batch, *matrix]
        if list(value.type.shape) != full:
            value = Broadcast.build(value, full).result
        return reshape(value, [count, *matrix])


def _grouped(value: ir.Value, groups: int) -> ir.Value:
    """[A, B, ...] → [A, G, B/G, ...]: split the channel axis 1 into groups."""
    shape = list(value.type.shape)
    return reshape(value, [shape[0], groups, shape[1] // groups, *shape[2:]])


class LowerConv(RewritePattern):
    """Convolutions: padding becomes a gimlet.pad, bias a gimlet add; the rest linalg conv ops.

    Named ops where linalg has them (IREE's CPU and GPU paths know those
    best): conv_{1,2,3}d for one group, conv_2d_ngchw_gfchw for grouped and
    depthwise 2-d; a linalg.generic for grouped 1-d and 3-d. With
    `channels_last`, every 2-d convolution runs in NHWC between transposes,
    which the layout patterns sink and cancel (layout.py): dense and depthwise
    ones as conv_2d_nhwc_hwcf and depthwise_conv_2d_nhwc_hwc; strided 1×1 ones
    as a matmul over the pixels they read; and grouped ones that are not
    depthwise as one conv_2d_nhwc_hwcf per group, over the group's slice of
    the channels, concatenated. IREE vectorises neither conv_2d_ngchw_gfchw nor
    conv_2d_nhwgc_gfhwc (6-12 GFLOP/s; 99 µs for the cnn example's 4-group
    convolution, 9.5 per group). Per group beat both earlier forms: a matmul
    over the patches (im2col), and one dense convolution whose filter is zero
    between groups (2 threads, data tiling, 3×3: at 56×56, 64 → 64 channels,
    0.26-0.36 ms per group against 0.83-1.20 dense with 4 groups; at 28×28,
    128 channels, 8 groups, 0.13 against 0.39 as patches and 0.67-0.87
    dense). Beyond PER_GROUP_LIMIT groups, the patches stay: each group is a
    dispatch to compile, and a ResNeXt-style model of 32 groups ran 8% faster
    per group but compiled in 15.3 s instead of 3.8 (with 8 groups: 11.2
    against 13.5 ms, 6.2 s against 3.6). An image stem over 3 channels stays
    a convolution too: IREE's direct one took ResNet-18's 7×7 stem from
    1.29 ms as im2col (a patch copy of 0.58 ms, a matmul of 0.72) to 0.61,
    once it is kept out of data tiling (passes/data_tiling_hints.py).
    With `pointwise_tiles` (an instruction set's pointwise.RegisterTiles), an
    f32 channels-last 1×1 convolution of stride 1 is a contraction that
    carries its register tiles for IREE (pointwise.py).
    With `windows`, a dense channels-last convolution with a kernel larger than
    1×1 over at least WINDOW_MIN_CHANNELS input channels is one matmul over
    copies of its shifted windows (for CPUs IREE has no convolution kernel for:
    CpuTarget.lowering_options); with `winograd`, one that is 3×3 of stride 1
    over at least WINOGRAD_MIN_OUTPUTS output pixels is computed by Winograd's
    F(4×4, 3×3) over whole output tiles (winograd.py) and sliced. At 7×7 its
    four tiles make a product bound by reading filters 4× the weights' size
    (38 MB for ResNet-18's 512-channel ones), which took about as long as the
    window matmuls (3-4 ms each, one thread); F(2×2, 3×3) there, with filters
    16/9 the weights' size, took 3.9 ms against 4.1 (one thread) and the
    model was no faster at 2 threads. With `packed_windows`, one over at most
    packed_windows.MAX_PIXELS output pixels (a 7×7 stage) is a matmul over its
    patches with its filter packed in panels of 32 features and AVX-512 register
    tiles (packed_windows.py). With `even_depthwise`, a channels-last
    depthwise convolution of odd output width computes one more column, over
    one more column of zero padding where it needs one, and drops it: on AVX2,
    IREE 3.13 vectorises the width in pairs and a 7-wide one fell to scalar
    code (1×7×7×960, 3×3, one thread: 0.319 ms; 8 wide, 0.033; 5, 13 and 15
    wide 0.235, 0.085 and 0.787 against 0.023, 0.050 and 0.066 one wider).
    Some odd widths were fast already, and widening costs them a little (3, 9
    and 11 wide: 0.012, 0.034 and 0.045 against 0.016, 0.042 and 0.045).
    """

    #: Groups up to which a grouped channels-last convolution is one convolution per group.
    PER_GROUP_LIMIT = 8
    #: Input channels from which `windows` applies: a stem's few channels make short copies and a
    #: thin matmul, and IREE's direct convolution handles those well (above).
    WINDOW_MIN_CHANNELS = 8
    #: Output pixels from which `winograd` applies (ResNet-18 at 2 threads: 23-28 ms with its
    #: 14×14 layers included, 23-34 without; five alternating rounds).
    WINOGRAD_MIN_OUTPUTS = 14 * 14

    ROOTS = (Conv.operation_name(),)

    def __init__(
        self,
        channels_last: bool = False,
        windows: bool = False,
        even_depthwise: bool = False,
        winograd: bool = False,
        pointwise_tiles: pointwise.RegisterTiles | None = None,
        packed_windows: bool = False,
    ):
        self.channels_last = channels_last
        self.windows = windows
        self.even_depthwise = even_depthwise
        self.winograd = winograd
        self.pointwise_tiles = pointwise_tiles
        self.packed_windows = packed_windows

    def rewrite(self, operation):
        op = Conv(operation)
        n = op.spatial_rank
        padding = op.padding
        layout = self._channels_last_kind(op)
        if layout is not None:
            batch, channels, out_h, out_w = op.result_type.shape
            height, width = self._computed_size(layout, out_h, out_w)
            result = ir.RankedTensorType.get([batch, channels, height, width], op.result_type.element_type)
            pad_end = [padding[n] + self._short(op, padding, 0, height), padding[n + 1] + self._short(op, padding, 1, width)]
            # Pad after the transpose, so that it meets the previous layer's transpose back and
            # both cancel (layout.py); a pad between them kept both (MobileNetV2: 16.5 vs 3.1 ms).
            input = Transpose.build(op.input, [0, 2, 3, 1]).result
            if any(padding[:n]) or any(pad_end):
                input = Pad.build(input, [0, *padding[:n], 0], [0, *pad_end, 0], "constant", 0.0).result
            output = self._channels_last(input, op.filter, result, op.strides, op.dilations, layout)
            if (height, width) != (out_h, out_w):
                output = Slice.build(output, [0] * 4, [batch, out_h, out_w, channels], [1] * 4).result
            if op.bias is not None:
                output = Elementwise.build("add", [output, op.bias]).result  # channels innermost: [C] broadcasts
            return [Transpose.build(output, [0, 3, 1, 2]).result]
        input = op.input
        if any(padding):
            input = Pad.build(input, [0, 0, *padding[:n]], [0, 0, *padding[n:]], "constant", 0.0).result
        output = self._convolve(op, input)
        if op.bias is not None:
            bias = Reshape.build(op.bias, [op.bias.type.shape[0]] + [1] * n).result
            output = Elementwise.build("add", [output, bias]).result
        return [output]

    def _convolve(self, op: Conv, input: ir.Value) -> ir.Value:
        result = op.result_type
        element = result.element_type
        n, groups = op.spatial_rank, op.groups
        strides, dilations = op.strides, op.dilations
        filter = op.filter
        filters = filter.type.shape[0]
        init = _zero_init(result.shape, element)
        if groups == 1:
            named = {1: linalg.conv_1d_ncw_fcw, 2: linalg.conv_2d_nchw_fchw, 3: linalg.conv_3d_ncdhw_fcdhw}.get(n)
            if named is not None:
                return named(input, filter, outs=[init], strides=strides, dilations=dilations)
        # Depthwise convolutions take the grouped path too: IREE 3.13 miscompiles
        # linalg.depthwise_conv_2d_nchw_chw for its generic Vulkan target (errors of order 1 on
        # lavapipe, strided or not), while conv_2d_ngchw_gfchw is right on every target.
        grouped_input = _grouped(input, groups)
        grouped_filter = reshape(filter, [groups, filters // groups, *filter.type.shape[1:]])
        grouped_shape = [result.shape[0], groups, filters // groups, *result.shape[2:]]
        grouped_init = _zero_init(grouped_shape, element)
        if n == 2:
            grouped = linalg.conv_2d_ngchw_gfchw(
                grouped_input, grouped_filter, outs=[grouped_init], strides=strides, dilations=dilations
            )
        else:
            grouped = self._generic_grouped(grouped_input, grouped_filter, grouped_init, strides, dilations)
        return reshape(grouped, result.shape)

    def _computed_size(self, layout: str, out_h: int, out_w: int) -> tuple[int, int]:
        """The output rows and columns the channels-last form computes: whole Winograd tiles, or
        one more column for an odd-width depthwise convolution under `even_depthwise`."""
        if layout == "winograd":
            return OUTPUT_TILE * winograd_tiles(out_h), OUTPUT_TILE * winograd_tiles(out_w)
        widen = self.even_depthwise and layout == "depthwise" and out_w % 2 == 1
        return out_h, out_w + int(widen)

    def _winograd_fits(self, op: Conv, kernel: list[int]) -> bool:
        """A 3×3 f32 convolution of stride and dilation 1 with at least WINOGRAD_MIN_OUTPUTS
        output pixels."""
        _, _, out_h, out_w = op.result_type.shape
        return (
            kernel == [KERNEL, KERNEL]
            and op.strides == [1, 1]
            and op.dilations == [1, 1]
            and op.result_type.element_type == ir.F32Type.get()
            and out_h * out_w >= self.WINOGRAD_MIN_OUTPUTS
        )

    @staticmethod
    def _short(op: Conv, padding: list[int], axis: int, outputs: int) -> int:
        """Zero rows (axis 0) or columns (axis 1) the padded input lacks at the end for `outputs`."""
        kernel = op.filter.type.shape[2 + axis]
        needed = (outputs - 1) * op.strides[axis] + (kernel - 1) * op.dilations[axis] + 1
        return max(0, needed - (op.input.type.shape[2 + axis] + padding[axis] + padding[axis + 2]))

    def _channels_last_kind(self, op: Conv) -> str | None:
        """How this convolution runs channels-last: "dense", "windows" (a matmul over its windows),
        "packed-windows" (packed_windows.py), "winograd", "pointwise-rows" or "pointwise-pixels"
        (pointwise.py), "depthwise", "per-group" (a dense convolution per group) or "patches" (a
        matmul over its patches, for many groups); None where it keeps the model's layout."""
        if not self.channels_last or op.spatial_rank != 2:
            return None
        if self.pointwise_tiles is not None and pointwise.fits(op, self.pointwise_tiles):
            return "pointwise-pixels" if pointwise.runs_over_pixels(op) else "pointwise-rows"
        if self.packed_windows and packed_windows.fits(op, self.WINDOW_MIN_CHANNELS):
            return "packed-windows"
        if op.groups == 1:
            channels, *kernel = op.filter.type.shape[1:]
            wide = channels >= self.WINDOW_MIN_CHANNELS and kernel != [1, 1]
            if self.winograd and wide and self._winograd_fits(op, kernel):
                return "winograd"
            return "windows" if self.windows and wide else "dense"
        if op.groups == op.filter.type.shape[0] == op.input.type.shape[1]:
            return "depthwise"
        return "per-group" if op.groups <= self.PER_GROUP_LIMIT else "patches"

    def _channels_last(self, nhwc, filter, result, strides, dilations, layout: str) -> ir.Value:
        """An NHWC (padded) input, an NHWC result: filters [F, C, KH, KW] become [KH, KW, C, F],
        [KH, KW, C] for a depthwise one ([C, 1, KH, KW]); a 1×1 strided one is a matmul over the
        pixels it reads, and grouped ones convolutions per group or matmuls over their patches."""
        batch, channels, out_h, out_w = result.shape
        nhwc_shape = [batch, out_h, out_w, channels]
        if layout == "patches":
            return _patch_matmul(nhwc, filter, nhwc_shape, strides, dilations)
        if layout == "per-group":
            return _per_group(nhwc, filter, nhwc_shape, strides, dilations)
        if layout == "dense" and filter.type.shape[2:] == [1, 1] and strides != [1, 1]:
            return _pointwise_matmul(nhwc, filter, nhwc_shape, strides)
        if layout == "windows":
            return _window_matmul(nhwc, filter, nhwc_shape, strides, dilations)
        if layout == "packed-windows":
            return packed_windows.packed_window_matmul(nhwc, filter, nhwc_shape, strides, dilations)
        if layout == "winograd":
            return winograd_conv(nhwc, filter)
        if layout in ("pointwise-rows", "pointwise-pixels"):
            over_pixels = layout == "pointwise-pixels"
            return pointwise.tiled_pointwise(nhwc, filter, nhwc_shape, over_pixels, self.pointwise_tiles)
        init = _zero_init(nhwc_shape, result.element_type)
        if layout == "depthwise":
            kh, kw = filter.type.shape[2:]
            weights = Transpose.build(reshape(filter, [channels, kh, kw]), [1, 2, 0]).result
            output = linalg.depthwise_conv_2d_nhwc_hwc(nhwc, weights, outs=[init], strides=strides, dilations=dilations)
        else:
            weights = Transpose.build(filter, [2, 3, 1, 0]).result
            output = linalg.conv_2d_nhwc_hwcf(nhwc, weights, outs=[init], strides=strides, dilations=dilations)
        return output

    @staticmethod
    def _generic_grouped(input, filter, init, strides, dilations) -> ir.Value:
        """Grouped N-d convolution: loops (n, g, f, out..., c, k...)."""
        n = len(strides)
        loop_count = 4 + 2 * n
        batch, group, feature, *rest = dims(loop_count)
        outs, channel, kernels = rest[:n], rest[n], rest[n + 1 :]
        spatial = [outs[i] * strides[i] + kernels[i] * dilations[i] for i in range(n)]
        maps = [
            affine_map(loop_count, [batch, group, channel, *spatial]),
            affine_map(loop_count, [group, feature, channel, *kernels]),
            affine_map(loop_count, [batch, group, feature, *outs]),
        ]
        iterators = [PARALLEL] * (3 + n) + [REDUCTION] * (1 + n)
        float_type = isinstance(init.type.element_type, ir.FloatType)

        def body(x, w, acc):
            product = arith.mulf(x, w) if float_type else arith.muli(x, w)
            return arith.addf(acc, product) if float_type else arith.addi(acc, product)

        return generic([input, filter], init, maps, iterators, body)


def _pointwise_matmul(nhwc, filter, result_shape, strides) -> ir.Value:
    """A strided 1×1 convolution, channels-last, as a matmul: the pixels it reads as [N·OH·OW, C]
    times the filter [F, C] read transposed, giving NHWC [N, OH, OW, F]. As a strided
    conv_2d_nhwc_hwcf it got no data tiling (ResNet-18's downsampling ones ran at 60 GFLOP/s, its
    3×3 ones at 400). Unstrided 1×1 convolutions stay convolutions, or become tiled contractions
    on AVX2 (pointwise.py): as data-tiled matmuls, MobileNetV2's took 3.97 ms instead of 3.55
    (AVX-512), and on AVX2 the model 0.96-1.18x as long (2 threads)."""
    batch, out_h, out_w, _ = result_shape
    channels = nhwc.type.shape[3]
    pixels = nhwc
    if list(nhwc.type.shape[1:3]) != [out_h, out_w]:
        limits = [batch, (out_h - 1) * strides[0] + 1, (out_w - 1) * strides[1] + 1, channels]
        pixels = Slice.build(nhwc, [0] * 4, limits, [1, *strides, 1]).result
    return _rows_times_filters(reshape(pixels, [batch * out_h * out_w, channels]), filter, result_shape)


def _rows_times_filters(rows: ir.Value, filter: ir.Value, result_shape: list[int]) -> ir.Value:
    """rows [M, K] times a filter [F, ...] read transposed as [F, K], reshaped to `result_shape`."""
    features = filter.type.shape[0]
    m, n, k = dims(3)
    product = linalg.matmul(
        rows,
        reshape(filter, [features, rows.type.shape[1]]),
        outs=[_zero_init([rows.type.shape[0], features], rows.type.element_type)],
        indexing_maps=[affine_map(3, [m, k]), affine_map(3, [n, k]), affine_map(3, [m, n])],
    )
    return reshape(product, result_shape)


def _window_matmul(nhwc, filter, result_shape, strides, dilations) -> ir.Value:
    """A dense 2-d convolution, channels-last, as one matmul: window (i, j) is the [N, OH, OW, C]
    slice of the (padded) input that kernel tap (i, j) reads; the KH·KW windows concatenated along
    the channels are [N·OH·OW, KH·KW·C] rows, times the filter [F, C, KH, KW] as [F, KH·KW·C] read
    transposed. Each window is a copy of whole rows of channels, which IREE vectorises; its own
    im2col (`--iree-global-opt-use-im2col-for-convs`) gathers element by element, and took 2.2 ms
    for the patches of a 56×56×64 3×3 convolution where the nine copies took 0.55 (that convolution
    alone, one thread, AVX2)."""
    batch, out_h, out_w, _ = result_shape
    channels, kh, kw = filter.type.shape[1:]
    windows = []
    for i in range(kh):
        for j in range(kw):
            top, left = i * dilations[0], j * dilations[1]
            limits = [batch, top + (out_h - 1) * strides[0] + 1, left + (out_w - 1) * strides[1] + 1, channels]
            windows.append(Slice.build(nhwc, [0, top, left, 0], limits, [1, *strides, 1]).result)
    rows = reshape(Concat.build(windows, 3).result, [batch * out_h * out_w, kh * kw * channels])
    return _rows_times_filters(rows, Transpose.build(filter, [0, 2, 3, 1]).result, result_shape)


def _per_group(nhwc, filter, result_shape, strides, dilations) -> ir.Value:
    """A 2-d convolution of G > 1 groups, channels-last, as G dense ones: group g convolves input
    channels [g·C/G, (g+1)·C/G) with filters [g·F/G, (g+1)·F/G) (the filter as [KH, KW, C/G, F]);
    the G results [N, OH, OW, F/G] are concatenated along the channels."""
    batch, out_h, out_w, features = result_shape
    height, width, in_channels = nhwc.type.shape[1:]
    group_channels, kh, kw = filter.type.shape[1:]
    groups = in_channels // group_channels
    group_features = features // groups
    weights = Transpose.build(filter, [2, 3, 1, 0]).result
    outputs = []
    for group in range(groups):
        channels = Slice.build(nhwc, [0, 0, 0, group * group_channels], [batch, height, width, (group + 1) * group_channels], [1] * 4)
        filters = Slice.build(weights, [0, 0, 0, group * group_features], [kh, kw, group_channels, (group + 1) * group_features], [1] * 4)
        init = _zero_init([batch, out_h, out_w, group_features], nhwc.type.element_type)
        outputs.append(linalg.conv_2d_nhwc_hwcf(channels.result, filters.result, outs=[init], strides=strides, dilations=dilations))
    return Concat.build(outputs, 3).result


def _patch_matmul(nhwc, filter, result_shape, strides, dilations) -> ir.Value:
    """A 2-d convolution of G > 1 groups, channels-last, as a batch_matmul over groups:
    patches[g, n, oh, ow, i, j, c] = x[n, oh·s + i·d, ow·s + j·d, g·C/G + c], one [N·OH·OW, KH·KW·C/G]
    matrix per group, times the group's filters as [KH·KW·C/G, F/G]; the [G, N·OH·OW, F/G]
    product is moved to NHWC [N, OH, OW, G·F/G]."""
    batch, out_h, out_w, features = result_shape
    in_channels = nhwc.type.shape[3]
    group_channels, kh, kw = filter.type.shape[1:]
    groups = in_channels // group_channels
    element = nhwc.type.element_type
    g, n, oh, ow, i, j, c = dims(7)
    patches = generic(
        [nhwc],
        empty([groups, batch, out_h, out_w, kh, kw, group_channels], element),
        [
            affine_map(7, [n, oh * strides[0] + i * dilations[0], ow * strides[1] + j * dilations[1], g * group_channels + c]),
            affine_map(7, [g, n, oh, ow, i, j, c]),
        ],
        [PARALLEL] * 7,
        lambda x, _: x,
    )
    depth, columns, group_features = kh * kw * group_channels, batch * out_h * out_w, features // groups
    weights = Transpose.build(reshape(filter, [groups, group_features, group_channels, kh, kw]), [0, 3, 4, 2, 1]).result
    product = linalg.batch_matmul(
        reshape(patches, [groups, columns, depth]),
        reshape(weights, [groups, depth, group_features]),
        outs=[_zero_init([groups, columns, group_features], element)],
        indexing_maps=matmul_maps(True),
    )
    return reshape(Transpose.build(product, [1, 0, 2]).result, result_shape)


class DecomposeAttention(RewritePattern):
    """softmax(q·kᵀ·scale + mask)·v as gimlet matmul, elementwise and softmax ops."""

    ROOTS = (Attention.operation_name(),)

    def rewrite(self, operation):
        op = Attention(operation)
        q, k, v = op.query, op.key, op.value
        element = q.type.element_type
        rank = k.type.rank
        key_t = Transpose.build(k, list(range(rank - 2)) + [rank - 1, rank - 2]).result
        scores = Matmul.build(q, key_t).result
        scale = Constant.splat(op.scale, ir.RankedTensorType.get([], element)).result
        scores = Elementwise.build("mul", [scores, scale]).result
        length, keys = q.type.shape[-2], k.type.shape[-2]
        if op.causal:
            allowed = np.tril(np.ones((length, keys), dtype=bool))  # PyTorch aligns the mask top-left
            causal = Constant.from_numpy(np.where(allowed, 0.0, -np.inf).astype(np.float32)).result
            if causal.type.element_type != element:
                causal = Elementwise.build("cast", [causal], element_type=element).result
            scores = Elementwise.build("add", [scores, causal]).result
        if op.mask is not None:
            if str(op.mask.type.element_type) == "i1":
                blocked = Constant.splat(float("-inf"), ir.RankedTensorType.get([], element)).result
                scores = Elementwise.build("where", [op.mask, scores, blocked]).result
            else:
                scores = Elementwise.build("add", [scores, op.mask]).result
        probabilities = Softmax.build(scores, -1).result
        return [Matmul.build(probabilities, v).result]


def patterns(
    channels_last: bool = False,
    windows: bool = False,
    even_depthwise: bool = False,
    winograd: bool = False,
    pointwise_tiles: pointwise.RegisterTiles | None = None,
    narrow_tiles: bool = False,
    packed_windows: bool = False,
) -> list[RewritePattern]:
    conv = LowerConv(channels_last, windows, even_depthwise, winograd, pointwise_tiles, packed_windows)
    return [LowerMatmul(narrow_tiles), conv, DecomposeAttention()]
