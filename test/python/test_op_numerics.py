"""Op-by-op numerics: tiny ONNX models (opset 17) through gimlet for the CPU, against ONNX Runtime.

Each case is one node (or a few) with random inputs from a seed derived from
its id. gimlet's outputs must match ONNX Runtime's (onnx.reference's where a
case says so) to rtol = atol = 1e-4 for floats and exactly for integers and
bools. Where gimlet has an op for the ONNX op, the case also asserts that
nothing was left foreign (and, where named, which gimlet ops fired): that
checks that the raise patterns match, not only that some path, torch-mlir's
own lowering of a foreign region included, computes the right numbers.

Cases whose op has no gimlet op by design say `foreign` in their id and
check the numbers only.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from support import ATOL, RTOL, compile_and_run, evaluator_outputs, reference_outputs

OPSET = 17
N = helper.make_node


_INFINITE_IN_GROUP_0 = np.linspace(-1, 1, 16, dtype=np.float32).reshape(4, 1, 2, 2)
_INFINITE_IN_GROUP_0[0, 0, 0, 0] = np.inf


# ---------------------------------------------------------------------------
# Input specifications, materialised with a per-case seed.


@dataclass(frozen=True)
class Rand:
    """A random array: kind is normal, positive (|normal| + 0.1), nonzero (sign · (|normal| + 0.5)),
    int (uniform in [low, high)) or bool."""

    shape: tuple[int, ...]
    kind: str = "normal"
    dtype: type = np.float32
    low: int = 0
    high: int = 4

    def make(self, rng: np.random.Generator) -> np.ndarray:
        shape = self.shape
        if self.kind == "normal":
            return rng.standard_normal(shape).astype(self.dtype)
        if self.kind == "positive":
            return (np.abs(rng.standard_normal(shape)) + 0.1).astype(self.dtype)
        if self.kind == "nonzero":
            sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
            return (sign * (np.abs(rng.standard_normal(shape)) + 0.5)).astype(self.dtype)
        if self.kind == "int":
            return rng.integers(self.low, self.high, shape).astype(self.dtype)
        if self.kind == "bool":
            return rng.random(shape) < 0.5
        raise ValueError(self.kind)


def randn(*shape: int) -> Rand:
    return Rand(shape)


def positive(*shape: int) -> Rand:
    return Rand(shape, "positive")


def nonzero(*shape: int) -> Rand:
    return Rand(shape, "nonzero")


def randint(shape, low: int, high: int, dtype=np.int64) -> Rand:
    return Rand(tuple(shape), "int", dtype, low, high)


def randbool(*shape: int) -> Rand:
    return Rand(shape, "bool")


@dataclass(frozen=True)
class Const:
    """An initializer rather than a graph input (weights, axes, shapes, pads, ...)."""

    value: object


def const(value) -> Const:
    return Const(value)


def i64(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def f32(value) -> np.ndarray:
    return np.array(value, dtype=np.float32)


# ---------------------------------------------------------------------------
# Cases.


@dataclass
class Case:
    model: onnx.ModelProto
    feeds: dict[str, np.ndarray]
    #: gimlet has ops for everything in the model: nothing may be foreign.
    native: bool = True
    #: "ort" (ONNX Runtime) or "evaluator" (onnx.reference).
    reference: str = "ort"
    #: gimlet ops that must be among the native ones.
    ops: tuple[str, ...] = field(default_factory=tuple)


def _seed(case_id: str) -> int:
    return zlib.crc32(case_id.encode())


def case(
    case_id: str,
    nodes,
    inputs: dict,
    outputs: list[str] | None = None,
    *,
    native: bool = True,
    reference: str = "ort",
    ops: tuple[str, ...] | str = (),
    marks=(),
):
    """A pytest.param of a Case: `inputs` maps names to Rand specs or arrays (graph inputs),
    Const(...) (initializers) or None (an omitted optional input, named "")."""
    nodes = [nodes] if isinstance(nodes, onnx.NodeProto) else list(nodes)
    rng = np.random.default_rng(_seed(case_id))
    feeds, graph_inputs, initializers = {}, [], []
    for name, value in inputs.items():
        if value is None:
            continue
        constant = isinstance(value, Const)
        raw = value.value if constant else value
        array = raw.make(rng) if isinstance(raw, Rand) else np.asarray(raw)
        if constant:
            initializers.append(numpy_helper.from_array(array, name))
        else:
            feeds[name] = array
            elem = helper.np_dtype_to_tensor_dtype(array.dtype)
            graph_inputs.append(helper.make_tensor_value_info(name, elem, array.shape))
    outputs = outputs or [o for o in nodes[-1].output if o]
    graph = helper.make_graph(
        nodes, case_id, graph_inputs, [helper.make_empty_tensor_value_info(o) for o in outputs], initializer=initializers
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    # Shape inference gives the outputs their types; the value_info it also fills in is left to
    # gimlet's own inference (a stale entry there would shadow what gimlet infers with data_prop).
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    del model.graph.value_info[:]
    onnx.checker.check_model(model)
    ops = (ops,) if isinstance(ops, str) else tuple(ops)
    return pytest.param(Case(model, feeds, native, reference, ops), id=case_id, marks=marks)


def op(case_id: str, op_type: str, inputs: dict, *, n_outputs: int = 1, attrs: dict | None = None, **kwargs):
    """One node of `op_type` whose inputs are `inputs` in order (None entries become "")."""
    names = [name if value is not None else "" for name, value in inputs.items()]
    while names and names[-1] == "":
        names.pop()
    outs = ["y"] if n_outputs == 1 else [f"y{i}" for i in range(n_outputs)]
    node = N(op_type, names, outs, **(attrs or {}))
    return case(case_id, node, inputs, **kwargs)


# ---------------------------------------------------------------------------
# Conv. ONNX pads are [begin_0, begin_1, ..., end_0, end_1, ...].

CONV = [
    op("conv1d_stride2_pads_1_2_bias", "Conv", {"x": randn(1, 3, 10), "w": const(randn(4, 3, 3)), "b": const(randn(4))},
       attrs=dict(strides=[2], pads=[1, 2]), ops="gimlet.conv"),
    op("conv1d_groups3_dilation2", "Conv", {"x": randn(2, 6, 11), "w": const(randn(6, 2, 3))},
       attrs=dict(group=3, dilations=[2], pads=[2, 1]), ops="gimlet.conv"),
    op("conv2d_no_bias_kernel_as_input", "Conv", {"x": randn(2, 3, 6, 6), "w": randn(4, 3, 2, 3)}, ops="gimlet.conv"),
    op("conv2d_strides_dilations_asym_pads", "Conv", {"x": randn(1, 2, 9, 8), "w": const(randn(3, 2, 3, 2))},
       attrs=dict(strides=[2, 1], dilations=[1, 2], pads=[1, 0, 2, 1]), ops="gimlet.conv"),
    op("conv2d_same_upper_stride2", "Conv", {"x": randn(1, 3, 8, 7), "w": const(randn(4, 3, 4, 3)), "b": const(randn(4))},
       attrs=dict(auto_pad="SAME_UPPER", strides=[2, 2]), ops="gimlet.conv"),
    op("conv2d_same_lower", "Conv", {"x": randn(1, 2, 6, 6), "w": const(randn(3, 2, 2, 2))},
       attrs=dict(auto_pad="SAME_LOWER"), ops="gimlet.conv"),
    op("conv2d_groups2_bias", "Conv", {"x": randn(1, 4, 6, 6), "w": const(randn(6, 2, 3, 3)), "b": const(randn(6))},
       attrs=dict(group=2, pads=[1, 1, 1, 1]), ops="gimlet.conv"),
    op("conv2d_groups4_stride2", "Conv", {"x": randn(1, 8, 7, 7), "w": const(randn(8, 2, 3, 3))},
       attrs=dict(group=4, strides=[2, 2]), ops="gimlet.conv"),
    op("conv2d_groups2_batch2_dilations_asym_pads", "Conv", {"x": randn(2, 4, 7, 7), "w": const(randn(6, 2, 3, 2))},
       attrs=dict(group=2, dilations=[2, 1], pads=[1, 2, 0, 1]), ops="gimlet.conv"),
    # Up to 8 groups lower to a convolution per group; more to a matmul over patches.
    op("conv2d_groups8_dilated", "Conv", {"x": randn(1, 16, 7, 7), "w": const(randn(16, 2, 3, 3))},
       attrs=dict(group=8, pads=[1, 1, 1, 1], dilations=[2, 1]), ops="gimlet.conv"),
    op("conv2d_groups9_patches", "Conv", {"x": randn(1, 18, 5, 5), "w": const(randn(18, 2, 3, 3))},
       attrs=dict(group=9, pads=[1, 1, 1, 1]), ops="gimlet.conv"),
    # An infinite weight stays in its group: the other group's outputs are finite.
    op("conv2d_groups2_infinite_weight", "Conv", {"x": randn(1, 2, 5, 5), "w": const(_INFINITE_IN_GROUP_0)},
       attrs=dict(group=2), ops="gimlet.conv"),
    op("conv2d_depthwise_bias", "Conv", {"x": randn(2, 4, 6, 5), "w": const(randn(4, 1, 3, 3)), "b": const(randn(4))},
       attrs=dict(group=4, pads=[1, 1, 1, 1]), ops="gimlet.conv"),
    op("conv2d_depthwise_multiplier2", "Conv", {"x": randn(1, 3, 6, 6), "w": const(randn(6, 1, 3, 3))},
       attrs=dict(group=3, strides=[2, 2], pads=[0, 1, 1, 0]), ops="gimlet.conv"),
    op("conv3d_strides_asym_pads_bias", "Conv",
       {"x": randn(1, 2, 5, 6, 5), "w": const(randn(3, 2, 3, 2, 3)), "b": const(randn(3))},
       attrs=dict(strides=[1, 2, 1], pads=[1, 0, 0, 0, 1, 2]), ops="gimlet.conv"),
    op("conv3d_groups2_dilations", "Conv", {"x": randn(1, 4, 5, 5, 5), "w": const(randn(4, 2, 2, 2, 2))},
       attrs=dict(group=2, dilations=[2, 1, 2]), ops="gimlet.conv"),
    op("conv_transpose2d_foreign", "ConvTranspose", {"x": randn(1, 3, 4, 4), "w": const(randn(3, 2, 3, 3)), "b": const(randn(2))},
       attrs=dict(strides=[2, 2], pads=[1, 1, 1, 1]), native=False),
]

# ---------------------------------------------------------------------------
# Pooling.

POOL = [
    op("maxpool2d_ceil", "MaxPool", {"x": randn(1, 2, 8, 8)},
       attrs=dict(kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1), ops="gimlet.pool"),
    op("maxpool2d_ceil_pads", "MaxPool", {"x": randn(1, 2, 6, 7)},
       attrs=dict(kernel_shape=[3, 2], strides=[2, 2], pads=[1, 1, 1, 0], ceil_mode=1), ops="gimlet.pool"),
    op("maxpool2d_asym_pads", "MaxPool", {"x": randn(1, 2, 6, 6)},
       attrs=dict(kernel_shape=[2, 2], pads=[1, 0, 0, 1]), ops="gimlet.pool"),
    op("maxpool2d_dilations", "MaxPool", {"x": randn(1, 2, 7, 8)},
       attrs=dict(kernel_shape=[2, 3], dilations=[2, 2], strides=[1, 2]), ops="gimlet.pool"),
    op("maxpool1d_pads_ceil", "MaxPool", {"x": randn(2, 3, 10)},
       attrs=dict(kernel_shape=[3], strides=[2], pads=[1, 1], ceil_mode=1), ops="gimlet.pool"),
    op("maxpool1d_asym_pads", "MaxPool", {"x": randn(1, 2, 9)},
       attrs=dict(kernel_shape=[2], strides=[2], pads=[0, 1]), ops="gimlet.pool"),
    op("maxpool3d_k2_s2_pads", "MaxPool", {"x": randn(1, 2, 5, 4, 5)},
       attrs=dict(kernel_shape=[2, 2, 2], strides=[2, 2, 2], pads=[1, 0, 1, 0, 0, 1]), ops="gimlet.pool"),
    op("avgpool2d_pads_exclude_pad", "AveragePool", {"x": randn(1, 2, 7, 7)},
       attrs=dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0), ops="gimlet.pool"),
    op("avgpool2d_ceil_exclude_pad", "AveragePool", {"x": randn(1, 2, 8, 8)},
       attrs=dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=0), ops="gimlet.pool"),
    # torch-mlir's ONNX import turns ceil_mode into extra high padding (aten.avg_pool2d with padding
    # [1, 1, 2, 2], ceil_mode false), which count_include_pad then counts: the windows ceil mode adds
    # would divide by 9, not by the 6 taps inside the padded input that ONNX counts. gimlet rewrites
    # such pools before import (compiler/onnx_rewrite.py): whole windows, rescaled per output.
    op("avgpool2d_ceil_include_pad", "AveragePool", {"x": randn(1, 2, 8, 8)},
       attrs=dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1), ops="gimlet.pool"),
    op("avgpool2d_ceil_no_pads", "AveragePool", {"x": randn(1, 2, 6, 7)},
       attrs=dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1), ops="gimlet.pool"),
    op("avgpool2d_asym_pads_exclude_pad", "AveragePool", {"x": randn(1, 2, 6, 6)},
       attrs=dict(kernel_shape=[3, 2], strides=[1, 2], pads=[0, 1, 2, 0], count_include_pad=0), ops="gimlet.pool"),
    op("avgpool2d_asym_pads_include_pad", "AveragePool", {"x": randn(1, 2, 6, 6)},
       attrs=dict(kernel_shape=[3, 2], strides=[1, 2], pads=[0, 1, 2, 0], count_include_pad=1), ops="gimlet.pool"),
    op("avgpool1d_pads", "AveragePool", {"x": randn(2, 3, 9)},
       attrs=dict(kernel_shape=[4], strides=[2], pads=[1, 2]), ops="gimlet.pool"),
    op("avgpool3d_include_pad", "AveragePool", {"x": randn(1, 2, 5, 4, 4)},
       attrs=dict(kernel_shape=[2, 3, 2], strides=[2, 1, 2], pads=[1, 1, 0, 0, 1, 1], count_include_pad=1), ops="gimlet.pool"),
    op("global_avgpool2d", "GlobalAveragePool", {"x": randn(2, 3, 5, 6)}, ops="gimlet.pool"),
    op("global_maxpool2d", "GlobalMaxPool", {"x": randn(2, 3, 5, 6)}, ops="gimlet.pool"),
]

# ---------------------------------------------------------------------------
# MatMul and Gemm.

MATMUL = [
    op("matmul_1d_2d", "MatMul", {"a": randn(4), "b": randn(4, 5)}, ops="gimlet.matmul"),
    op("matmul_2d_1d", "MatMul", {"a": randn(3, 4), "b": randn(4)}, ops="gimlet.matmul"),
    op("matmul_1d_1d", "MatMul", {"a": randn(4), "b": randn(4)}, ops="gimlet.matmul"),
    op("matmul_3d_2d", "MatMul", {"a": randn(2, 3, 4), "b": randn(4, 5)}, ops="gimlet.matmul"),
    op("matmul_2d_3d", "MatMul", {"a": randn(3, 4), "b": randn(2, 4, 5)}, ops="gimlet.matmul"),
    op("matmul_4d_4d", "MatMul", {"a": randn(2, 3, 4, 5), "b": randn(2, 3, 5, 6)}, ops="gimlet.matmul"),
    op("matmul_broadcast_batch", "MatMul", {"a": randn(2, 1, 3, 4), "b": randn(1, 5, 4, 6)}, ops="gimlet.matmul"),
    op("gemm_bias_row", "Gemm", {"a": randn(3, 4), "b": randn(4, 5), "c": randn(5)}, ops="gimlet.matmul"),
    op("gemm_transB_const_weight", "Gemm", {"a": randn(3, 4), "b": const(randn(6, 4)), "c": const(randn(6))},
       attrs=dict(transB=1), ops="gimlet.matmul"),
    op("gemm_transA_transB_alpha_beta_col_bias", "Gemm", {"a": randn(4, 3), "b": randn(5, 4), "c": randn(3, 1)},
       attrs=dict(transA=1, transB=1, alpha=0.5, beta=2.0), ops="gimlet.matmul"),
    op("gemm_alpha_beta_full_bias", "Gemm", {"a": randn(3, 4), "b": randn(4, 5), "c": randn(3, 5)},
       attrs=dict(alpha=-1.5, beta=0.25), ops="gimlet.matmul"),
    op("gemm_scalar_bias", "Gemm", {"a": randn(3, 4), "b": randn(4, 5), "c": randn(1)}, attrs=dict(beta=3.0),
       ops="gimlet.matmul"),
]

# ---------------------------------------------------------------------------
# Reductions and softmax. Opset 17: ReduceSum takes axes as an input, the others as an attribute.

REDUCE = [
    op("reduce_sum_axis1_keepdims", "ReduceSum", {"x": randn(2, 3, 4), "axes": const(i64(1))}, ops="gimlet.reduce"),
    op("reduce_sum_negative_axes_no_keepdims", "ReduceSum", {"x": randn(2, 3, 4), "axes": const(i64(-1, 0))},
       attrs=dict(keepdims=0), ops="gimlet.reduce"),
    op("reduce_sum_all_no_keepdims", "ReduceSum", {"x": randn(2, 3, 4)}, attrs=dict(keepdims=0), ops="gimlet.reduce"),
    op("reduce_sum_int64", "ReduceSum", {"x": randint((3, 4), -5, 5), "axes": const(i64(0))}, attrs=dict(keepdims=0),
       ops="gimlet.reduce"),
    op("reduce_mean_axes12_no_keepdims", "ReduceMean", {"x": randn(2, 3, 4)}, attrs=dict(axes=[1, 2], keepdims=0),
       ops="gimlet.reduce"),
    op("reduce_mean_axis_neg1_keepdims", "ReduceMean", {"x": randn(2, 3, 4)}, attrs=dict(axes=[-1]), ops="gimlet.reduce"),
    op("reduce_max_axis0_no_keepdims", "ReduceMax", {"x": randn(3, 4, 2)}, attrs=dict(axes=[0], keepdims=0), ops="gimlet.reduce"),
    op("reduce_max_all_keepdims", "ReduceMax", {"x": randn(3, 4)}, ops="gimlet.reduce"),
    op("reduce_min_axis_neg2_keepdims", "ReduceMin", {"x": randn(2, 3, 4)}, attrs=dict(axes=[-2]), ops="gimlet.reduce"),
    op("reduce_prod_axis1_no_keepdims", "ReduceProd", {"x": randn(2, 4, 3)}, attrs=dict(axes=[1], keepdims=0),
       ops="gimlet.reduce"),
    op("softmax_last_axis", "Softmax", {"x": randn(2, 3, 5)}, ops="gimlet.softmax"),
    op("softmax_axis1", "Softmax", {"x": randn(2, 3, 5)}, attrs=dict(axis=1), ops="gimlet.softmax"),
    op("log_softmax_last_axis", "LogSoftmax", {"x": randn(2, 3, 5)}, ops="gimlet.softmax"),
    op("log_softmax_axis_neg2", "LogSoftmax", {"x": randn(2, 3, 5)}, attrs=dict(axis=-2), ops="gimlet.softmax"),
]

# ---------------------------------------------------------------------------
# Normalisation.

NORM = [
    op("layer_norm_axis_neg1_bias", "LayerNormalization",
       {"x": randn(2, 3, 6), "scale": const(randn(6)), "bias": const(randn(6))},
       attrs=dict(axis=-1), ops="gimlet.layer_norm"),
    op("layer_norm_axis_neg1_no_bias_eps", "LayerNormalization", {"x": randn(2, 3, 6), "scale": const(randn(6))},
       attrs=dict(axis=-1, epsilon=1e-2), ops="gimlet.layer_norm"),
    op("layer_norm_axis_neg2_bias", "LayerNormalization",
       {"x": randn(2, 3, 4), "scale": const(randn(3, 4)), "bias": const(randn(3, 4))},
       attrs=dict(axis=-2), ops="gimlet.layer_norm"),
    op("layer_norm_axis_neg2_no_bias", "LayerNormalization", {"x": randn(2, 3, 4), "scale": const(randn(3, 4))},
       attrs=dict(axis=-2), ops="gimlet.layer_norm"),
    op("layer_norm_axis1_of_4d", "LayerNormalization",
       {"x": randn(2, 3, 2, 2), "scale": const(randn(3, 2, 2)), "bias": const(randn(3, 2, 2))},
       attrs=dict(axis=1), ops="gimlet.layer_norm"),
    op("batch_norm_4d", "BatchNormalization",
       {"x": randn(2, 3, 4, 5), "scale": const(randn(3)), "b": const(randn(3)), "mean": const(randn(3)),
        "var": const(positive(3))},
       attrs=dict(epsilon=1e-3), ops="gimlet.batch_norm"),
    op("batch_norm_3d", "BatchNormalization",
       {"x": randn(2, 4, 5), "scale": const(randn(4)), "b": const(randn(4)), "mean": const(randn(4)), "var": const(positive(4))},
       ops="gimlet.batch_norm"),
]

# ---------------------------------------------------------------------------
# Elementwise.

ELEMENTWISE = [
    op("add_broadcast_trailing", "Add", {"a": randn(2, 3, 4), "b": randn(4)}, ops="gimlet.elementwise[add]"),
    op("add_int64_broadcast", "Add", {"a": randint((2, 3), -50, 50), "b": randint((3, 1, 3), -50, 50)},
       ops="gimlet.elementwise[add]"),
    op("sub_broadcast_both", "Sub", {"a": randn(2, 1, 4), "b": randn(3, 1)}, ops="gimlet.elementwise[sub]"),
    op("sub_const_scalar", "Sub", {"a": randn(2, 3), "b": const(f32(1.5))}, ops="gimlet.elementwise[sub]"),
    op("mul_broadcast_scalar_shape1", "Mul", {"a": randn(2, 3, 4), "b": randn(1)}, ops="gimlet.elementwise[mul]"),
    op("div_broadcast", "Div", {"a": randn(3, 4), "b": nonzero(2, 1, 4)}, ops="gimlet.elementwise[div]"),
    op("div_int64_truncates", "Div", {"a": i64(7, -7, 6, -6, 0, 9), "b": i64(2, 2, -4, -4, 3, -2)},
       ops="gimlet.elementwise[div]"),
    op("pow_tensor", "Pow", {"a": positive(2, 3), "b": randn(2, 3)}, ops="gimlet.elementwise[pow]"),
    op("pow_const_2", "Pow", {"a": randn(2, 3), "b": const(f32(2.0))}, ops="gimlet.elementwise[pow]"),
    op("max_broadcast", "Max", {"a": randn(2, 3), "b": randn(3)}, ops="gimlet.elementwise[max]"),
    op("min_broadcast", "Min", {"a": randn(2, 1), "b": randn(2, 3)}, ops="gimlet.elementwise[min]"),
    op("relu", "Relu", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[relu]"),
    # ONNX Runtime has no int64 Relu kernel (opset 14 added the type): onnx.reference instead.
    op("relu_int64_vs_evaluator", "Relu", {"x": randint((2, 3), -9, 9)}, reference="evaluator", ops="gimlet.elementwise[relu]"),
    op("leaky_relu_alpha_0_2", "LeakyRelu", {"x": randn(2, 3, 4)}, attrs=dict(alpha=0.2), ops="gimlet.elementwise[leaky_relu]"),
    op("leaky_relu_default_alpha", "LeakyRelu", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[leaky_relu]"),
    op("sigmoid", "Sigmoid", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[sigmoid]"),
    op("tanh", "Tanh", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[tanh]"),
    op("exp", "Exp", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[exp]"),
    op("log_positive", "Log", {"x": positive(2, 3, 4)}, ops="gimlet.elementwise[log]"),
    op("sqrt_positive", "Sqrt", {"x": positive(2, 3, 4)}, ops="gimlet.elementwise[sqrt]"),
    op("erf", "Erf", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[erf]"),
    op("neg", "Neg", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[neg]"),
    op("abs", "Abs", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[abs]"),
    op("reciprocal", "Reciprocal", {"x": nonzero(2, 3, 4)}, ops="gimlet.elementwise[reciprocal]"),
    op("floor", "Floor", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[floor]"),
    op("ceil", "Ceil", {"x": randn(2, 3, 4)}, ops="gimlet.elementwise[ceil]"),
    op("clip_min_max", "Clip", {"x": randn(3, 4), "min": const(f32(-0.5)), "max": const(f32(0.7))},
       ops=("gimlet.elementwise[max]", "gimlet.elementwise[min]")),
    op("clip_max_only", "Clip", {"x": randn(3, 4), "min": None, "max": const(f32(0.2))}, ops="gimlet.elementwise[min]"),
    op("clip_bounds_as_inputs", "Clip", {"x": randn(3, 4), "min": f32(-0.3), "max": f32(0.4)},
       ops=("gimlet.elementwise[max]", "gimlet.elementwise[min]")),
    op("clip_int64", "Clip",
       {"x": randint((2, 5), -9, 9), "min": const(np.array(-2, dtype=np.int64)), "max": const(np.array(3, dtype=np.int64))},
       ops=("gimlet.elementwise[max]", "gimlet.elementwise[min]")),
    op("where_broadcast", "Where", {"c": randbool(2, 1, 4), "a": randn(3, 4), "b": randn(2, 3, 1)},
       ops="gimlet.elementwise[where]"),
    op("equal_f32", "Equal", {"a": f32([[0.5, 1.0, -2.0], [3.0, 0.0, -0.0]]), "b": f32([0.5, 2.0, 0.0])},
       ops="gimlet.elementwise[eq]"),
    op("less_broadcast", "Less", {"a": randn(2, 3), "b": randn(3)}, ops="gimlet.elementwise[lt]"),
    op("greater_int64", "Greater", {"a": randint((2, 3), -3, 3), "b": randint((2, 3), -3, 3)}, ops="gimlet.elementwise[gt]"),
    op("not_bool", "Not", {"x": randbool(2, 3)}, ops="gimlet.elementwise[not]"),
    op("and_bool_broadcast", "And", {"a": randbool(2, 3), "b": randbool(3)}, ops="gimlet.elementwise[and]"),
    op("xor_bool", "Xor", {"a": randbool(2, 3), "b": randbool(2, 3)}, ops="gimlet.elementwise[xor]"),
    op("or_bool", "Or", {"a": randbool(2, 3), "b": randbool(2, 3)}, ops="gimlet.elementwise[or]"),
    op("cast_f32_to_i64_truncates", "Cast", {"x": f32([[-2.7, -0.5, 0.0], [0.5, 1.9, 7.2]])}, attrs=dict(to=TensorProto.INT64),
       ops="gimlet.elementwise[cast]"),
    op("cast_i64_to_f32", "Cast", {"x": randint((2, 3), -100, 100)}, attrs=dict(to=TensorProto.FLOAT),
       ops="gimlet.elementwise[cast]"),
    op("cast_bool_to_f32", "Cast", {"x": randbool(2, 3)}, attrs=dict(to=TensorProto.FLOAT), ops="gimlet.elementwise[cast]"),
    op("cast_f32_to_bool", "Cast", {"x": f32([[0.0, -0.0, 0.3], [-2.0, 0.0, 1e-30]])}, attrs=dict(to=TensorProto.BOOL),
       ops="gimlet.elementwise[cast]"),
]

# ---------------------------------------------------------------------------
# Data movement.

DATA_MOVEMENT = [
    op("gather_axis0", "Gather", {"x": randn(5, 4), "i": randint((2, 3), 0, 5)}, ops="gimlet.gather"),
    op("gather_axis1_2d_negative_indices", "Gather",
       {"x": randn(3, 5, 2), "i": np.array([[-1, 0, 2], [-5, 3, -2]], dtype=np.int64)}, attrs=dict(axis=1),
       ops="gimlet.gather"),
    op("gather_scalar_index", "Gather", {"x": randn(4, 3), "i": np.array(2, dtype=np.int64)}, ops="gimlet.gather"),
    op("gather_const_indices_axis_neg1", "Gather", {"x": randn(3, 5), "i": const(i64(4, -2, 0))}, attrs=dict(axis=-1),
       ops="gimlet.gather"),
    # Constant indices spaced evenly upwards lower to a strided slice (torch's select and unbind).
    op("gather_const_scalar_index_negative", "Gather", {"x": randn(3, 4, 5), "i": const(np.array(-1, dtype=np.int64))},
       ops="gimlet.gather"),
    op("gather_const_evenly_spaced", "Gather", {"x": randn(2, 7, 3), "i": const(i64(1, 3, 5))}, attrs=dict(axis=1),
       ops="gimlet.gather"),
    op("gather_const_2d_indices_contiguous", "Gather", {"x": randn(2, 5, 3), "i": const(np.array([[0, 1], [2, 3]], dtype=np.int64))},
       attrs=dict(axis=1), ops="gimlet.gather"),
    op("reshape_minus1", "Reshape", {"x": randn(2, 3, 4), "shape": const(i64(-1, 6))}, ops="gimlet.reshape"),
    op("reshape_zero_and_minus1", "Reshape", {"x": randn(2, 3, 4), "shape": const(i64(0, -1))}, ops="gimlet.reshape"),
    op("flatten_axis1", "Flatten", {"x": randn(2, 3, 4)}, ops="gimlet.reshape"),
    op("flatten_axis0", "Flatten", {"x": randn(2, 3, 4)}, attrs=dict(axis=0), ops="gimlet.reshape"),
    op("flatten_axis_neg1", "Flatten", {"x": randn(2, 3, 4)}, attrs=dict(axis=-1), ops="gimlet.reshape"),
    op("transpose_perm201", "Transpose", {"x": randn(2, 3, 4)}, attrs=dict(perm=[2, 0, 1]), ops="gimlet.transpose"),
    op("transpose_default_reverses", "Transpose", {"x": randn(2, 3, 4)}, ops="gimlet.transpose"),
    op("concat_3_inputs_axis1", "Concat", {"a": randn(2, 1, 3), "b": randn(2, 2, 3), "c": randn(2, 3, 3)}, attrs=dict(axis=1),
       ops="gimlet.concat"),
    op("concat_axis_neg1_with_const", "Concat", {"a": randn(2, 2), "b": const(randn(2, 1)), "c": randn(2, 3)},
       attrs=dict(axis=-1), ops="gimlet.concat"),
    op("slice_negative_starts", "Slice", {"x": randn(4, 6), "starts": const(i64(-3, 1)), "ends": const(i64(100, -1))},
       ops="gimlet.slice"),
    op("slice_ends_int64_max", "Slice",
       {"x": randn(4, 5), "starts": const(i64(1)), "ends": const(i64(np.iinfo(np.int64).max)), "axes": const(i64(1))},
       ops="gimlet.slice"),
    op("slice_steps2_axes_subset", "Slice",
       {"x": randn(3, 7, 4), "starts": const(i64(1)), "ends": const(i64(7)), "axes": const(i64(1)), "steps": const(i64(2))},
       ops="gimlet.slice"),
    op("slice_negative_axes_steps", "Slice",
       {"x": randn(3, 7, 5), "starts": const(i64(0, -4)), "ends": const(i64(5, 100)), "axes": const(i64(-1, 1)),
        "steps": const(i64(2, 3))},
       ops="gimlet.slice"),
    # gimlet.slice takes positive strides only; a reversing slice is a gather of the indices it takes.
    op("slice_negative_step", "Slice",
       {"x": randn(3, 6), "starts": const(i64(-1)), "ends": const(i64(-100)), "axes": const(i64(1)), "steps": const(i64(-2))},
       ops="gimlet.gather"),
    op("split_equal_axis1", "Split", {"x": randn(2, 6, 2)}, n_outputs=3, attrs=dict(axis=1), ops="gimlet.slice"),
    op("split_sizes_axis_neg1", "Split", {"x": randn(2, 5), "split": const(i64(1, 4))}, n_outputs=2, attrs=dict(axis=-1),
       ops="gimlet.slice"),
    op("squeeze_axis1", "Squeeze", {"x": randn(2, 1, 3, 1), "axes": const(i64(1))}, ops="gimlet.reshape"),
    op("squeeze_all_unit_dims", "Squeeze", {"x": randn(2, 1, 3, 1)}, ops="gimlet.reshape"),
    op("unsqueeze_axes_0_neg1", "Unsqueeze", {"x": randn(2, 3), "axes": const(i64(0, -1))}, ops="gimlet.reshape"),
    op("expand_rank_up", "Expand", {"x": randn(3, 1), "shape": const(i64(2, 3, 4))}, ops="gimlet.broadcast"),
    op("expand_shape_of_lower_rank", "Expand", {"x": randn(2, 1, 4), "shape": const(i64(3, 1))}, ops="gimlet.broadcast"),
    op("pad_constant_value", "Pad", {"x": randn(2, 3, 4), "pads": const(i64(0, 1, 2, 0, 2, 1)), "value": const(f32(1.5))},
       ops="gimlet.pad"),
    op("pad_reflect", "Pad", {"x": randn(1, 3, 4), "pads": const(i64(0, 1, 2, 0, 2, 3))}, attrs=dict(mode="reflect"),
       ops="gimlet.pad"),
    op("pad_edge", "Pad", {"x": randn(1, 3, 4), "pads": const(i64(0, 2, 1, 0, 1, 3))}, attrs=dict(mode="edge"),
       ops="gimlet.pad"),
    op("pad_negative_crops", "Pad", {"x": randn(4, 5), "pads": const(i64(-1, 1, 0, -2))}, ops=("gimlet.slice", "gimlet.pad")),
    op("pad_int64_constant", "Pad", {"x": randint((2, 3), -9, 9), "pads": const(i64(1, 1, 1, 1)), "value": const(i64(7))},
       ops="gimlet.pad"),
    op("tile", "Tile", {"x": randn(2, 1, 3), "repeats": const(i64(2, 3, 1))}, ops="gimlet.broadcast"),
]


# ---------------------------------------------------------------------------
# The check every case gets.


def _compare(actual: np.ndarray, expected: np.ndarray, name: str) -> None:
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
    assert actual.dtype == expected.dtype, f"{name}: dtype {actual.dtype} != {expected.dtype}"
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected, err_msg=name)
    else:
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=name)


def _check(case_: Case) -> None:
    lowered, feeds, outputs = compile_and_run(case_.model, dict(case_.feeds))
    reference = evaluator_outputs if case_.reference == "evaluator" else reference_outputs
    expected = reference(case_.model, feeds)
    assert len(outputs) == len(expected)
    for spec, actual, wanted in zip(lowered.outputs, outputs, expected):
        _compare(actual, wanted, spec.name)
    coverage = lowered.coverage
    if case_.native:
        assert coverage.foreign_count == 0, coverage.report(case_.model.graph.name)
        for name in case_.ops:
            assert coverage.native[name] >= 1, f"{name} did not fire\n{coverage.report(case_.model.graph.name)}"
    else:
        assert coverage.foreign_count > 0, "a case marked foreign is now native: drop `foreign` from its id"


@pytest.mark.parametrize("case_", CONV)
def test_conv(case_):
    _check(case_)


@pytest.mark.parametrize("case_", POOL)
def test_pool(case_):
    _check(case_)


@pytest.mark.parametrize("case_", MATMUL)
def test_matmul(case_):
    _check(case_)


@pytest.mark.parametrize("case_", REDUCE)
def test_reduce(case_):
    _check(case_)


@pytest.mark.parametrize("case_", NORM)
def test_norm(case_):
    _check(case_)


@pytest.mark.parametrize("case_", ELEMENTWISE)
def test_elementwise(case_):
    _check(case_)


@pytest.mark.parametrize("case_", DATA_MOVEMENT)
def test_data_movement(case_):
    _check(case_)
