"""Small builders for linalg-on-tensors IR: constants, inits, affine maps, generics, reshapes."""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

from iree.compiler import ir
from iree.compiler.dialects import arith, linalg, tensor

PARALLEL = linalg.IteratorType.parallel
REDUCTION = linalg.IteratorType.reduction


def scalar(value: float | int | bool, element_type: ir.Type) -> ir.Value:
    """An arith.constant scalar; float values beyond the type's range become ±inf."""
    if isinstance(element_type, ir.FloatType):
        return arith.constant(element_type, ir.FloatAttr.get(element_type, float(value)))
    if isinstance(element_type, ir.IndexType):
        return arith.constant(element_type, ir.IntegerAttr.get(element_type, int(value)))
    width = element_type.width
    value = int(value)
    if width > 1 and value >= 1 << (width - 1):
        value -= 1 << width
    return arith.constant(element_type, ir.IntegerAttr.get(element_type, value if width > 1 else int(bool(value))))


def is_16bit_float(element_type: ir.Type) -> bool:
    """f16 or bf16: types gimlet computes some ops on in f32, for accuracy or to link."""
    return element_type in (ir.F16Type.get(), ir.BF16Type.get())


def _in_float32(operation: Callable[[ir.Value, ir.Value], ir.Value]) -> Callable[[ir.Value, ir.Value], ir.Value]:
    """`operation` on 16-bit floats computed in f32 and truncated back (exact for max and min).

    LLVM lowers a 16-bit maximumf/minimumf on x86 to a call to fmaxf/fminf,
    which IREE's embedded CPU modules do not link (iree-lld: undefined
    symbol: fmaxf); the f32 form is inline code.
    """

    def apply(a: ir.Value, b: ir.Value) -> ir.Value:
        if is_16bit_float(a.type):
            f32 = ir.F32Type.get()
            return arith.truncf(a.type, operation(arith.extf(f32, a), arith.extf(f32, b)))
        return operation(a, b)

    return apply


#: Float max and min that compile for every float type on every target.
float_maximum = _in_float32(arith.maximumf)
float_minimum = _in_float32(arith.minimumf)


def lowest(element_type: ir.Type) -> float | int:
    """The identity of max: -inf for floats, the smallest value for integers."""
    if isinstance(element_type, ir.FloatType):
        return float("-inf")
    return 0 if element_type.width == 1 else -(1 << (element_type.width - 1))


def highest(element_type: ir.Type) -> float | int:
    if isinstance(element_type, ir.FloatType):
        return float("inf")
    return 1 if element_type.width == 1 else (1 << (element_type.width - 1)) - 1


def empty(shape: Sequence[int], element_type: ir.Type) -> ir.Value:
    return tensor.empty(list(shape), element_type)


def filled(shape: Sequence[int], element_type: ir.Type, value: float | int) -> ir.Value:
    return linalg.fill(scalar(value, element_type), outs=[empty(shape, element_type)])


def dims(count: int, start: int = 0) -> list[ir.AffineExpr]:
    return [ir.AffineDimExpr.get(start + i) for i in range(count)]


def affine_map(dim_count: int, exprs: Sequence[ir.AffineExpr]) -> ir.AffineMap:
    return ir.AffineMap.get(dim_count, 0, list(exprs))


def identity_map(rank: int) -> ir.AffineMap:
    return affine_map(rank, dims(rank))


def broadcast_map(shape: Sequence[int], out_shape: Sequence[int]) -> ir.AffineMap:
    """Reads an operand that broadcasts (NumPy rules) to `out_shape` in a loop nest over `out_shape`."""
    rank, offset = len(out_shape), len(out_shape) - len(shape)
    exprs = [
        ir.AffineConstantExpr.get(0) if size == 1 and out_shape[offset + i] != 1 else ir.AffineDimExpr.get(offset + i)
        for i, size in enumerate(shape)
    ]
    return affine_map(rank, exprs)


def generic(
    inputs: Sequence[ir.Value],
    init: ir.Value,
    maps: Sequence[ir.AffineMap],
    iterators: Sequence,
    body: Callable[..., ir.Value],
) -> ir.Value:
    """A one-result linalg.generic; `body` gets the scalar block arguments and returns the value to yield."""
    op = linalg.GenericOp_(
        list(inputs),
        [init],
        ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps]),
        list(iterators),
    )
    block = op.regions[0].blocks[0]
    with ir.InsertionPoint(block):
        linalg.YieldOp([body(*block.arguments)])
    return op.results[0]


def map_elements(
    inputs: Sequence[ir.Value], result_type: ir.RankedTensorType, body: Callable[..., ir.Value]
) -> ir.Value:
    """An elementwise linalg.generic over `result_type` reading broadcasting inputs."""
    shape = list(result_type.shape)
    maps = [broadcast_map(list(v.type.shape), shape) for v in inputs] + [identity_map(len(shape))]
    init = empty(shape, result_type.element_type)
    return generic(inputs, init, maps, [PARALLEL] * len(shape), lambda *args: body(*args[: len(inputs)]))


def matmul_maps(batched: bool) -> list[ir.AffineMap]:
    """The default maps of linalg.matmul / batch_matmul, spelled out.

    The Python builders leave `indexing_maps` unset, which the text parser
    fills in but bytecode does not; iree-compile then crashes in
    MatmulTransposeAOp::isDefaultIndexingMaps (IREE 3.13).
    """
    count = 4 if batched else 3
    loops = dims(count)
    batch = loops[:1] if batched else []
    m, n, k = loops[-3:]
    return [affine_map(count, exprs) for exprs in ([*batch, m, k], [*batch, k, n], [*batch, m, n])]


def reshape(value: ir.Value, shape: Sequence[int]) -> ir.Value:
    """Reshape a static tensor by collapsing it to 1-d and expanding it again (IREE folds the pair)."""
    source = value.type
    shape = list(shape)
    if list(source.shape) == shape:
        return value
    element = source.element_type
    count = 1
    for size in source.shape:
        count *= size
    flat_type = ir.RankedTensorType.get([count], element)
    if source.rank == 0:
        flat = tensor.expand_shape(flat_type, value, [], [], [count])
    elif source.rank == 1:
        flat = value
    else:
        flat = tensor.collapse_shape(flat_type, value, [list(range(source.rank))])
    target = ir.RankedTensorType.get(shape, element)
    if not shape:
        return tensor.collapse_shape(target, flat, [])
    if len(shape) == 1:
        return flat
    return tensor.expand_shape(target, flat, [list(range(len(shape)))], [], shape)


def index_cast(value: ir.Value) -> ir.Value:
    return arith.index_cast(ir.IndexType.get(), value)


def loop_index(dim: int) -> ir.Value:
    """The current index of loop `dim` inside a linalg.generic body."""
    return linalg.IndexOp(dim).result


#: Tiles of an op for IREE's CPU code generation: workgroup, vector and reduction tiles, a size per loop.
Tiles = tuple[list[int], list[int], list[int]]


def set_cpu_tiles(value: ir.Value, tiles: Tiles) -> None:
    """Tell IREE's CPU code generation the tiles of the op that made `value`: workgroup, vector and
    reduction tiles, with the remainders peeled rather than masked. IREE then also leaves the op out
    of data tiling."""
    distribution, vector, reduction = tiles
    config = (
        f"#iree_cpu.lowering_config<cache_parallel = {distribution}, distribution = {distribution}, "
        f"vector_common_parallel = {vector}, vector_reduction = {reduction}>"
    )
    pipeline = "#iree_codegen.translation_info<pipeline = #iree_cpu.pipeline<DoubleTilingExpert>, {enable_loop_peeling}>"
    value.owner.attributes["compilation_info"] = ir.Attribute.parse(
        f"#iree_codegen.compilation_info<lowering_config = {config}, translation_info = {pipeline}>"
    )


#: IREE's task executor hands a dispatch of at least this many workgroups per worker to its workers
#: this many at a time, else one at a time (IREE_TASK_DISPATCH_MAX_TILES_PER_SHARD_RESERVATION).
IREE_WORKGROUPS_PER_RESERVATION = 8


def spreads_evenly(count: int, workers: int) -> bool:
    """Whether IREE's runtime gives each of `workers` threads the same number of `count` workgroups:
    a multiple of its reservations, or fewer workgroups than those and a multiple of the threads."""
    per_reservation = IREE_WORKGROUPS_PER_RESERVATION * workers
    return count % per_reservation == 0 or (count < per_reservation and count % workers == 0)


def even_workgroup_counts(units: int, workers: int, columns: int = 1) -> Iterator[int]:
    """The numbers of groups, most first, that `units` equal parts divide into and whose workgroups
    (`columns` a group) spread evenly over `workers` threads."""
    return (count for count in range(units, 0, -1) if units % count == 0 and spreads_evenly(count * columns, workers))


def balanced_workgroup_count(units: int, workers: int) -> int:
    """How many workgroups to split `units` equal parts of a dispatch into, so that `workers`
    threads finish together: the most that divides `units` and spreads evenly, else one part each
    (also when `workers` is 0, unknown).

    MobileNetV2's 49×1280×320 product in 40 workgroups was handed out as five reservations of 8
    between 2 threads, 24 workgroups against 16: 107 µs a call, 35 thread-µs idle. In 10, one at a
    time, 84 µs."""
    if workers < 1:
        return units
    return next(even_workgroup_counts(units, workers), units)
