"""GridSample as gathers: ONNX's definition spelled out in ops gimlet raises natively.

torch-mlir converts GridSample to aten.grid_sampler, whose linalg lowering
covers too little and is wrong where it runs: nearest mode rounds halves up
(ONNX rounds them to even: test_gridsample_nearest gave 3 where 2 is right),
zeros padding read uninitialised memory (test_gridsample_zeros_padding
returned 1e17 in some runs), and border and reflection padding, like 3-d
inputs, had no conversion at all. This rewrite follows the ONNX reference
(`onnx.reference.ops.op_grid_sample`) for nearest and linear modes and every
padding mode, in any spatial rank:

1. each grid coordinate is denormalised to the input's index space (and
   rounded half to even for nearest);
2. a coordinate outside the border ([-0.5, d - 0.5], or [0, d - 1] with
   align_corners) is clamped (border) or reflected (reflection);
3. each sample reads one pixel (nearest) or the 2^r corners around it with
   linear weights (linear); a corner outside the input reads 0 (zeros), the
   clamped index (border) or the reflected one (reflection).

Pixels are read with one GatherElements per corner from the input flattened
to [N, C, pixels]. Cubic mode is left as it is.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import onnx
from onnx import TensorProto, helper

from .onnx_names import NameSource

#: Mode names of GridSample-16 and of GridSample-20, as one.
MODES = {"bilinear": "linear", "linear": "linear", "nearest": "nearest"}


def grid_sample_nodes(node, x_shape, grid_shape, graph, names: NameSource) -> list[onnx.NodeProto] | None:
    """The nodes computing `node` (a GridSample of static shapes) by gathers; None for cubic mode."""
    attributes = {a.name: a for a in node.attribute}
    mode = MODES.get(attributes["mode"].s.decode() if "mode" in attributes else "linear")
    padding = attributes["padding_mode"].s.decode() if "padding_mode" in attributes else "zeros"
    align = bool(attributes["align_corners"].i) if "align_corners" in attributes else False
    if mode is None or x_shape is None or grid_shape is None or padding not in ("zeros", "border", "reflection"):
        return None
    return _GridSample(node, x_shape, grid_shape, mode, padding, align, graph, names).nodes()


class _GridSample:
    """Builds the nodes of one GridSample, appending them to `built` as it goes."""

    def __init__(self, node, x_shape, grid_shape, mode, padding, align, graph, names: NameSource):
        self.node, self.mode, self.padding, self.align, self.graph, self.names = node, mode, padding, align, graph, names
        self.batch, self.channels, *self.sizes = x_shape
        self.out_spatial = grid_shape[1:-1]
        self.rank = len(self.sizes)
        self.built: list[onnx.NodeProto] = []

    def nodes(self) -> list[onnx.NodeProto]:
        x, grid = self.node.input[:2]
        grid32 = self._op("Cast", [grid], to=TensorProto.FLOAT)
        coordinates = [self._coordinate(grid32, axis) for axis in range(self.rank)]
        samples = math.prod(self.out_spatial)
        flat = self._op("Reshape", [x, self._ints([self.batch, self.channels, math.prod(self.sizes)])])
        if self.mode == "nearest":
            corners = [([self._pixel_index(c, axis) for axis, c in enumerate(coordinates)], None)]
        else:
            floors = [self._op("Floor", [c]) for c in coordinates]
            fractions = [self._op("Sub", [c, f]) for c, f in zip(coordinates, floors)]
            # Per axis, the lower and upper neighbour: its weight and index, built once for all corners.
            weights = [(self._op("Sub", [self._float(1.0), fraction]), fraction) for fraction in fractions]
            neighbours = [
                (self._pixel_index(floor, axis), self._pixel_index(self._op("Add", [floor, self._float(1.0)]), axis))
                for axis, floor in enumerate(floors)
            ]
            corners = [
                ([neighbours[axis][bit] for axis, bit in enumerate(bits)], self._product([weights[axis][bit] for axis, bit in enumerate(bits)]))
                for bits in itertools.product((0, 1), repeat=self.rank)
            ]
        total = None
        for indices, weight in corners:
            value = self._gather(flat, indices, samples)
            if weight is not None:
                value = self._op("Mul", [value, self._op("CastLike", [self._op("Reshape", [weight, self._ints([self.batch, 1, samples])]), x])])
            total = value if total is None else self._op("Add", [total, value])
        self.built.append(
            helper.make_node("Reshape", [total, self._ints([self.batch, self.channels, *self.out_spatial])], [self.node.output[0]])
        )
        return self.built

    def _coordinate(self, grid, axis: int) -> str:
        """The input-space coordinate along spatial `axis` (the grid lists x, y, z: the reverse order),
        rounded for nearest, then clamped or reflected where it lies outside the border."""
        size = self.sizes[axis]
        normalised = self._op("Gather", [grid, self._ints(self.rank - 1 - axis)], axis=-1)
        shifted = self._op("Add", [normalised, self._float(1.0)])
        if self.align:
            value = self._op("Mul", [shifted, self._float((size - 1) / 2.0)])
        else:
            value = self._op("Div", [self._op("Sub", [self._op("Mul", [shifted, self._float(float(size))]), self._float(1.0)]), self._float(2.0)])
        if self.mode == "nearest":
            value = self._op("Round", [value])
        if self.padding == "zeros":
            return value
        if self.padding == "border":
            return self._where_outside(value, size, self._op("Clip", [value, self._float(0.0), self._float(float(size - 1))]))
        return self._reflected(value, size)

    def _border(self, size: int) -> tuple[float, float]:
        return (0.0, float(size - 1)) if self.align else (-0.5, size - 0.5)

    def _where_outside(self, value: str, size: int, moved: str) -> str:
        """`moved` where `value` lies outside the border along an axis of `size`, else `value`."""
        low, high = self._border(size)
        outside = self._op("Or", [self._op("Less", [value, self._float(low)]), self._op("Greater", [value, self._float(high)])])
        return self._op("Where", [outside, moved, value])

    def _reflected(self, value: str, size: int) -> str:
        return self._where_outside(value, size, self._reflect(value, *self._border(size)))

    def _reflect(self, value: str, low: float, high: float) -> str:
        """Reflect by the nearer border until inside [low, high] (the reference's _gs_reflect)."""
        span = high - low
        if span <= 0:
            return self._op("Clip", [value, self._float(low), self._float(high)])
        below = self._op("Less", [value, self._float(low)])
        distance = self._op("Where", [below, self._op("Sub", [self._float(low), value]), self._op("Sub", [value, self._float(high)])])
        folds = self._op("Floor", [self._op("Div", [distance, self._float(span)])])
        rest = self._op("Sub", [distance, self._op("Mul", [folds, self._float(span)])])
        half = self._op("Div", [folds, self._float(2.0)])
        even = self._op("Equal", [self._op("Floor", [half]), half])
        from_low = self._op("Add", [self._float(low), rest])
        from_high = self._op("Sub", [self._float(high), rest])
        # Below the border an even fold count lands near low, above it near high; odd ones the other way.
        near_low = self._op("Equal", [even, below])
        return self._op("Where", [near_low, from_low, from_high])

    def _pixel_index(self, coordinate: str, axis: int) -> tuple[str, str | None]:
        """An integer index along `axis` that reads inside the input, and (zeros padding) whether the
        unmoved index was inside at all."""
        size = self.sizes[axis]
        if self.padding == "reflection":
            coordinate = self._reflected(coordinate, size)
        index = self._op("Cast", [coordinate], to=TensorProto.INT64)
        clamped = self._op("Clip", [index, self._ints(0), self._ints(size - 1)])
        if self.padding != "zeros":
            return clamped, None
        inside = self._op("Equal", [index, clamped])
        return clamped, inside

    def _gather(self, flat: str, indices: list[tuple[str, str | None]], samples: int) -> str:
        strides = [math.prod(self.sizes[axis + 1 :]) for axis in range(self.rank)]
        position, valid = None, None
        for (index, inside), stride in zip(indices, strides):
            term = self._op("Mul", [index, self._ints(stride)]) if stride != 1 else index
            position = term if position is None else self._op("Add", [position, term])
            if inside is not None:
                valid = inside if valid is None else self._op("And", [valid, inside])
        rows = self._op("Reshape", [position, self._ints([self.batch, 1, samples])])
        spread = self._op("Expand", [rows, self._ints([self.batch, self.channels, samples])])
        value = self._op("GatherElements", [flat, spread], axis=2)
        if valid is None:
            return value
        mask = self._op("Reshape", [valid, self._ints([self.batch, 1, samples])])
        return self._op("Where", [mask, value, self._op("CastLike", [self._float(0.0), flat])])

    def _product(self, values: list[str]) -> str:
        product = values[0]
        for value in values[1:]:
            product = self._op("Mul", [product, value])
        return product

    def _op(self, op_type: str, inputs: list[str], **attributes) -> str:
        output = self.names.fresh(f"grid_sample_{op_type.lower()}")
        self.built.append(helper.make_node(op_type, inputs, [output], name=f"{self.node.name}/{output}", **attributes))
        return output

    def _float(self, value: float) -> str:
        return self.names.constant(self.graph, np.array(value, dtype=np.float32))

    def _ints(self, value) -> str:
        return self.names.constant(self.graph, np.array(value, dtype=np.int64))
