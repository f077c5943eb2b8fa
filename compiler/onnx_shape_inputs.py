"""Compile ops whose shape-giving input is a model input for the values the declared shapes fix.

Some ops take a shape as a tensor: AffineGrid its size, ConstantOfShape its
shape, Tile its repeats. When that tensor is a model input, the result's
shape is decided at run time, which gimlet's static compilation cannot
follow: AffineGrid's body chooses between its 2-d and 3-d forms by the
input's length and builds its grid with Range over its values, and
torch-mlir's dynamic sizes, cast to the declared ones, are silently wrong
for values of another shape. The model declares the result's shape, though,
and that fixes the values (all but AffineGrid's channel count, which the
grid does not depend on). The op is compiled with those values as a
constant, and the runtime checks before running that the input holds them
(`ValuesCheck`, `runtime/checks.py`), so other values are an error, never a
wrong answer.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import onnx

from ..runtime.checks import ValuesCheck
from .onnx_axes import declared_shape
from .onnx_fold import static_shape
from .onnx_names import NameSource


def _affine_grid_size(data_shape: list[int] | None, grid_shape: list[int]) -> list[int | None] | None:
    """size = [N, C, *spatial] for a grid of [N, *spatial, len(spatial)]; C does not shape the grid."""
    if len(grid_shape) not in (4, 5) or grid_shape[-1] != len(grid_shape) - 2:
        return None
    return [grid_shape[0], None, *grid_shape[1:-1]]


def _constant_of_shape(data_shape: list[int] | None, output_shape: list[int]) -> list[int | None]:
    return list(output_shape)


def _tile_repeats(data_shape: list[int] | None, output_shape: list[int]) -> list[int | None] | None:
    if data_shape is None or len(data_shape) != len(output_shape) or any(d == 0 or o % d for d, o in zip(data_shape, output_shape)):
        return None
    return [o // d for d, o in zip(data_shape, output_shape)]


#: op type → (index of the shape-giving input, its values from the data input's and the output's shapes).
FIXED_BY_OUTPUT: dict[str, tuple[int, Callable[[list[int] | None, list[int]], list[int | None] | None]]] = {
    "AffineGrid": (1, _affine_grid_size),
    "ConstantOfShape": (0, _constant_of_shape),
    "Tile": (1, _tile_repeats),
}
#: What stands in for a value the declared shapes leave free (AffineGrid's channel count).
FREE_VALUE = 1


def fix_shape_inputs(model: onnx.ModelProto) -> list[ValuesCheck]:
    """Give, in place, each op of FIXED_BY_OUTPUT whose shape-giving input is a model input the values
    its declared output shape fixes, as a constant; returns the checks the runtime must make."""
    graph = model.graph
    if not any(node.op_type in FIXED_BY_OUTPUT for node in graph.node):
        return []
    initializers = {i.name for i in graph.initializer}
    graph_inputs = {i.name: i for i in graph.input if i.name not in initializers}
    shapes = {v.name: static_shape(v) for v in [*graph.input, *graph.value_info, *graph.output]}
    names = NameSource(graph)
    checks = []
    for node in graph.node:
        if node.domain not in ("", "ai.onnx") or node.op_type not in FIXED_BY_OUTPUT:
            continue
        index, values_for = FIXED_BY_OUTPUT[node.op_type]
        name = node.input[index] if index < len(node.input) else ""
        given_shape = static_shape(graph_inputs[name]) if name in graph_inputs else None
        output_shape = declared_shape(node.output[0], graph, shapes)
        if given_shape is None or len(given_shape) != 1 or output_shape is None:
            continue
        expected = values_for(shapes.get(node.input[0]) if index else None, output_shape)
        if expected is None or len(expected) != given_shape[0]:
            continue
        dtype = onnx.helper.tensor_dtype_to_np_dtype(graph_inputs[name].type.tensor_type.elem_type)
        node.input[index] = names.constant(graph, np.array([FREE_VALUE if v is None else v for v in expected], dtype=dtype))
        checks.append(ValuesCheck(node.name, name, tuple(expected)))
    return checks
