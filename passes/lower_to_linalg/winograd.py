"""3×3 convolutions by Winograd's minimal filtering, F(4×4, 3×3), channels-last.

Each 6×6 tile of the input, overlapping its neighbours by two rows and
columns, gives a 4×4 tile of the output: V = Bᵀ·d·B transforms the input tile,
U = G·g·Gᵀ the 3×3 filter, and the output tile is Aᵀ·(U ⊙ V)·A, where the
products over the input channels at each of the 36 positions make one batched
matrix product [6, 6, tiles, C] · [6, 6, C, F]. That is 4× fewer
multiplications than the convolution (36 against 16·9 per tile, channel and
filter). Coefficients are Lavin and Gray's (2016) for points 0, ±1, ±2 and
∞; their rounding error was 3·10⁻⁵ on outputs of order 5 (64 channels, f32)
against 10⁻⁶ for the direct sum.

Every step is a dispatch IREE vectorises along the channels:
- the input transform, rows then columns, as elementwise sums over six
  stride-4 slices (a slice fuses into its dispatch: a copy of the tiles
  first, or reading them in a reduction, took 0.24 and 1.3 ms for a
  56×56×64 input, the two elementwise passes 0.11 each);
- the filter transform, which IREE evaluates once, when the module loads, for
  constant weights (CpuTarget.compile_flags lets it hoist expressions that
  grow);
- the output transform as two reductions, the second writing the NHWC result.
"""

from __future__ import annotations

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith

from ...dialects import Constant, Slice
from .builders import PARALLEL, REDUCTION, affine_map, dims, filled, generic, reshape

#: Output tile size m and kernel size r of F(m×m, r×r); the input tile is m + r - 1.
OUTPUT_TILE, KERNEL = 4, 3
INPUT_TILE = OUTPUT_TILE + KERNEL - 1

#: Input transform Bᵀ (6×6), filter transform G (6×3), output transform Aᵀ (4×6).
INPUT_TRANSFORM = np.array(
    [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ],
    dtype=np.float32,
)
FILTER_TRANSFORM = np.array(
    [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ],
    dtype=np.float32,
)
OUTPUT_TRANSFORM = np.array(
    [
        [1, 1, 1, 1, 1, 0],
        [0, 1, -1, 2, -2, 0],
        [0, 1, 1, 4, 4, 0],
        [0, 1, -1, 8, -8, 1],
    ],
    dtype=np.float32,
)


def tiles(size: int) -> int:
    """Output tiles along a dimension of `size` outputs."""
    return -(-size // OUTPUT_TILE)


def winograd_conv(nhwc: ir.Value, filter: ir.Value) -> ir.Value:
    """A 3×3, stride-1 convolution of a padded NHWC input [N, 4·TH + 2, 4·TW + 2, C] (whole tiles:
    the caller pads) by a filter [F, C, 3, 3]: the NHWC result [N, 4·TH, 4·TW, F], for the caller
    to slice to the outputs it wants."""
    batch, height, width, channels = nhwc.type.shape
    features = filter.type.shape[0]
    rows, columns = (height - KERNEL + 1) // OUTPUT_TILE, (width - KERNEL + 1) // OUTPUT_TILE
    count = batch * rows * columns
    transformed = reshape(_input_transform(nhwc, rows, columns), [INPUT_TILE, INPUT_TILE, count, channels])
    # Two batch loops (the tile position's row and column), so that neither IREE nor
    # gimlet-data-tiling-hints data-tiles the product: packed, its [6, 6, tiles, C] operand was
    # copied whole each call, and ResNet-18's 56×56 ones took 1.9 ms each instead of 0.9 (one thread).
    i, j, m, f, c = dims(5)
    products = _contract(
        [transformed, _filter_transform(filter)],
        [INPUT_TILE, INPUT_TILE, count, features],
        [affine_map(5, [i, j, m, c]), affine_map(5, [i, j, c, f]), affine_map(5, [i, j, m, f])],
    )
    return _output_transform(reshape(products, [INPUT_TILE, INPUT_TILE, batch, rows, columns, features]))


def _contract(inputs: list[ir.Value], shape: list[int], maps: list[ir.AffineMap]) -> ir.Value:
    """Σ left · right over the innermost loop, in a loop nest over `shape` and then that loop."""
    return generic(
        inputs,
        filled(shape, inputs[1].type.element_type, 0),
        maps,
        [PARALLEL] * len(shape) + [REDUCTION],
        lambda left, right, total: arith.addf(total, arith.mulf(left, right)),
    )


def _coefficients(matrix: np.ndarray, column: int) -> ir.Value:
    return Constant.from_numpy(np.ascontiguousarray(matrix[:, column])).result


def _weighted_sum(terms: list[tuple[ir.Value, ir.AffineMap, ir.Value, ir.AffineMap]], shape: list[int]) -> ir.Value:
    """Σ coefficient · value over `terms`, elementwise over `shape`; each coefficient vector is
    read along one loop (the transform's output row), each value through its own map."""
    inputs, maps = [], []
    for coefficients, coefficient_map, value, value_map in terms:
        inputs += [coefficients, value]
        maps += [coefficient_map, value_map]
    element = terms[0][2].type.element_type

    def body(*args):
        total = None
        for k in range(len(terms)):
            product = arith.mulf(args[2 * k], args[2 * k + 1])
            total = product if total is None else arith.addf(total, product)
        return total

    return generic(inputs, filled(shape, element, 0), maps + [affine_map(len(shape), dims(len(shape)))], [PARALLEL] * len(shape), body)


def _input_transform(nhwc: ir.Value, rows: int, columns: int) -> ir.Value:
    """V[i, j, n, t, s, c] = Σ_ab Bᵀ[i, a] · x[n, 4t + a, 4s + b, c] · Bᵀ[j, b]: rows first, over
    the six stride-4 slices of rows that tile rows a read, then columns likewise."""
    batch, _, width, channels = nhwc.type.shape
    i, n, t, w, c = dims(5)
    by_rows = _weighted_sum(
        [
            (
                _coefficients(INPUT_TRANSFORM, a),
                affine_map(5, [i]),
                Slice.build(nhwc, [0, a, 0, 0], [batch, a + OUTPUT_TILE * (rows - 1) + 1, width, channels], [1, OUTPUT_TILE, 1, 1]).result,
                affine_map(5, [n, t, w, c]),
            )
            for a in range(INPUT_TILE)
        ],
        [INPUT_TILE, batch, rows, width, channels],
    )
    i, j, n, t, s, c = dims(6)
    shape = [INPUT_TILE, batch, rows, columns, channels]
    return _weighted_sum(
        [
            (
                _coefficients(INPUT_TRANSFORM, b),
                affine_map(6, [j]),
                Slice.build(by_rows, [0, 0, 0, b, 0], [*shape[:3], b + OUTPUT_TILE * (columns - 1) + 1, channels], [1, 1, 1, OUTPUT_TILE, 1]).result,
                affine_map(6, [i, n, t, s, c]),
            )
            for b in range(INPUT_TILE)
        ],
        [INPUT_TILE, INPUT_TILE, batch, rows, columns, channels],
    )


def _filter_transform(filter: ir.Value) -> ir.Value:
    """U[i, j, c, f] = Σ_ab G[i, a] · w[f, c, a, b] · G[j, b]."""
    features, channels = filter.type.shape[:2]
    transform = Constant.from_numpy(FILTER_TRANSFORM).result
    i, j, c, f, a, b = dims(6)

    def body(left, right, weight, total):
        return arith.addf(total, arith.mulf(arith.mulf(left, right), weight))

    transformed = generic(
        [transform, transform, filter],
        filled([INPUT_TILE, INPUT_TILE, channels, features], filter.type.element_type, 0),
        [affine_map(6, [i, a]), affine_map(6, [j, b]), affine_map(6, [f, c, a, b]), affine_map(6, [i, j, c, f])],
        [PARALLEL] * 4 + [REDUCTION] * 2,
        body,
    )
    return transformed


def _output_transform(products: ir.Value) -> ir.Value:
    """Y[n, 4t + p, 4s + q, f] = Σ_ij Aᵀ[p, i] · M[i, j, n, t, s, f] · Aᵀ[q, j]: over i as a
    reduction, then over j as one writing the NHWC result. Each has several parallel loops
    besides p (or q), so that IREE does not data-tile it as a matmul: packing M for a 4×6
    left-hand side would copy it whole."""
    _, _, batch, rows, columns, features = products.type.shape
    transform = Constant.from_numpy(OUTPUT_TRANSFORM).result
    p, j, n, t, s, f, i = dims(7)
    partial = _contract(
        [transform, products],
        [OUTPUT_TILE, INPUT_TILE, batch, rows, columns, features],
        [affine_map(7, [p, i]), affine_map(7, [i, j, n, t, s, f]), affine_map(7, [p, j, n, t, s, f])],
    )
    n, t, p, s, q, f, j = dims(7)
    tiled = _contract(
        [transform, partial],
        [batch, rows, OUTPUT_TILE, columns, OUTPUT_TILE, features],
        [affine_map(7, [q, j]), affine_map(7, [p, j, n, t, s, f]), affine_map(7, [n, t, p, s, q, f])],
    )
    return reshape(tiled, [batch, rows * OUTPUT_TILE, columns * OUTPUT_TILE, features])
