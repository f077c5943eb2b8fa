"""Dense convolutions over few output pixels, channels-last, as matmuls over their windows with
filters packed in panels of 32 features and AVX-512 register tiles.

IREE's data-tiled convolution vectorises the output width by 16. ResNet-18's
last stage is 7 wide: its three 7×7×512 3×3 convolutions took 700 µs each
(2 threads), against ONNX Runtime's 540. As one matmul over the patches,
[N·OH·OW, KH·KW·C] times the filter, they ran at 838 µs with 7×32 tiles
(one step of the reduction reads 32 features of a filter row 2 KiB long) and
1716 data-tiled (one thread). Here the filter is packed in panels,
[F/32, KH·KW·C, 32], which IREE builds once, when the module loads: a panel
streams contiguously through the reduction, and a 14×32 vector tile keeps
28 accumulators (7×32: 580-590 µs). In ResNet-18 on 2 threads those
convolutions took 533-556 µs each (per-dispatch minimums), their
stride-2 neighbour (7×7×512 from 14×14×256) 271 instead of 349, and the
patches 19-29 µs (the input gathered in one dispatch; nine window copies
were level on 2 threads, 2% slower on one, with 32 more dispatches a call).
The model took 0.94 of ONNX Runtime's time on 2 threads instead of 1.03, and
0.83 instead of 0.88 on one (alternating rounds).

At 14×14 outputs and above the patches cost more than they save: the
14×14×256 stride-2 convolution took 250 µs plus 39 for its patches against
269 as IREE's data-tiled one, the 28×28×128 one 227 plus 61 against 263.
MAX_PIXELS keeps to the 7×7 stage.

The op carries its tiles as IREE's `compilation_info` (builders.set_cpu_tiles),
so it reaches IREE's CPU code generation with them; they would be dropped in
a convolution form, which IREE rebuilds: FoldUnitExtentDims folds the unit
batch away in global optimization, and InsertBatchDimForBatchlessConv puts
it back in code generation, without the op's lowering config either time.
"""

from __future__ import annotations

from collections.abc import Sequence

from iree.compiler import ir
from iree.compiler.dialects import arith

from ...dialects import Conv, Transpose
from .builders import PARALLEL, REDUCTION, affine_map, dims, empty, filled, generic, identity_map, reshape, set_cpu_tiles

#: Output pixels per image up to which a dense convolution runs this way (a 7×7 image).
MAX_PIXELS = 49
#: Features in a filter panel: two 16-float AVX-512 vectors.
PANEL = 32
#: Vector tiles over (rows, panels, features of a panel, reduction): 14 rows × 32 features, 28
#: accumulators.
VECTOR_TILES = [14, 1, PANEL, 0]
REDUCTION_TILES = [0, 0, 0, 4]
#: Rows a workgroup takes at most (four 7×7 images), with one panel of features: each panel is
#: read once per workgroup.
WORKGROUP_ROWS = 196


def fits(op: Conv, min_channels: int) -> bool:
    """An f32 2-d convolution of one group, a kernel larger than 1×1 over at least `min_channels`
    input channels, features in whole panels and at most MAX_PIXELS output pixels per image."""
    _, features, height, width = op.result_type.shape
    channels, *kernel = op.filter.type.shape[1:]
    return (
        op.spatial_rank == 2
        and op.groups == 1
        and kernel != [1, 1]
        and channels >= min_channels
        and features % PANEL == 0
        and height * width <= MAX_PIXELS
        and op.result_type.element_type == ir.F32Type.get()
    )


def packed_window_matmul(
    nhwc: ir.Value, filter: ir.Value, result_shape: Sequence[int], strides: Sequence[int], dilations: Sequence[int]
) -> ir.Value:
    """The (padded) NHWC input convolved with filter [F, C, KH, KW] as NHWC `result_shape`: the
    patches [N·OH·OW, KH·KW·C] times the filter packed as [F/PANEL, KH·KW·C, PANEL]."""
    batch, out_h, out_w, features = result_shape
    channels, kh, kw = filter.type.shape[1:]
    element = nhwc.type.element_type
    n, oh, ow, i, j, c = dims(6)
    patches = generic(
        [nhwc],
        empty([batch, out_h, out_w, kh, kw, channels], element),
        [
            affine_map(6, [n, oh * strides[0] + i * dilations[0], ow * strides[1] + j * dilations[1], c]),
            identity_map(6),
        ],
        [PARALLEL] * 6,
        lambda x, _: x,
    )
    rows, depth, panels = batch * out_h * out_w, kh * kw * channels, features // PANEL
    # [F, C, KH, KW] → [F/PANEL, PANEL, C, KH, KW] → [F/PANEL, KH, KW, C, PANEL]: depth in the patches' order.
    packed = Transpose.build(reshape(filter, [panels, PANEL, channels, kh, kw]), [0, 3, 4, 2, 1]).result
    m, p, f, k = dims(4)
    product = generic(
        [reshape(patches, [rows, depth]), reshape(packed, [panels, depth, PANEL])],
        filled([rows, panels, PANEL], element, 0),
        [affine_map(4, [m, k]), affine_map(4, [p, k, f]), affine_map(4, [m, p, f])],
        [PARALLEL] * 3 + [REDUCTION],
        lambda x, w, acc: arith.addf(acc, arith.mulf(x, w)),
    )
    set_cpu_tiles(product, ([min(rows, WORKGROUP_ROWS), 1, PANEL, 0], VECTOR_TILES, REDUCTION_TILES))
    return reshape(product, result_shape)
