"""Models at the edges of the compile path: outputs that are inputs or constants, ops torch-mlir
only knows as ONNX functions, and a compile strategy IREE rejects. Each was a failure class in the
ONNX conformance run (test/conformance)."""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from support import assert_close, compile_bundle_and_run, evaluator_outputs, reference_outputs

import gimlet
from gimlet.runtime import ExecutionError, InputError
from gimlet.targets.cpu import CpuTarget

N = helper.make_node


def _model(nodes, inputs, outputs, opset=17, initializers=()):
    graph = helper.make_graph(nodes, "edges", inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _tensor(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def test_outputs_that_are_inputs_constants_or_repeated(tmp_path):
    """Identity of an input, the same value under two names, and a constant: every output is there."""
    constant = np.arange(6, dtype=np.float32).reshape(2, 3)
    model = _model(
        [
            N("Identity", ["x"], ["same"]),
            N("Relu", ["x"], ["relu"]),
            N("Identity", ["relu"], ["relu_again"]),
            N("Constant", [], ["table"], value=numpy_helper.from_array(constant)),
        ],
        [_tensor("x", [2, 3])],
        [_tensor("same", [2, 3]), _tensor("relu", [2, 3]), _tensor("relu_again", [2, 3]), _tensor("table", [2, 3])],
    )
    bundle, session, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    x = feeds["x"]
    assert list(outputs) == ["same", "relu", "relu_again", "table"]
    np.testing.assert_array_equal(outputs["same"], x)
    np.testing.assert_array_equal(outputs["relu"], np.maximum(x, 0))
    np.testing.assert_array_equal(outputs["relu_again"], np.maximum(x, 0))
    np.testing.assert_array_equal(outputs["table"], constant)
    carriers = {entry["name"]: entry.get("tensor") for entry in bundle.manifest["outputs"]}
    assert carriers["same"] == "x" and carriers["relu"] is None and carriers["table"] is None


def test_model_of_constants_only_gets_a_partition(tmp_path):
    model = _model([N("ConstantOfShape", ["shape"], ["zeros"])], [], [_tensor("zeros", [2, 2])],
                   initializers=[numpy_helper.from_array(np.array([2, 2], dtype=np.int64), "shape")])
    bundle, _, _, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    assert len(bundle.manifest["partitions"]) == 1
    np.testing.assert_array_equal(outputs["zeros"], np.zeros((2, 2), np.float32))


def test_empty_integer_constant_is_raised(tmp_path):
    """An empty splat literal (ConstantOfShape of shape [0]) has no element to repeat."""
    model = _model([N("ConstantOfShape", ["shape"], ["empty"], value=helper.make_tensor("v", TensorProto.INT32, [1], [7]))],
                   [], [_tensor("empty", [0], TensorProto.INT32)],
                   initializers=[numpy_helper.from_array(np.array([0], dtype=np.int64), "shape")])
    _, _, _, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    assert outputs["empty"].shape == (0,) and outputs["empty"].dtype == np.int32


@pytest.mark.parametrize(
    "node, inputs",
    [
        (N("RMSNormalization", ["x", "scale"], ["y"], axis=-1, epsilon=1e-5), [[2, 4, 8], [8]]),
        (N("Attention", ["q", "k", "v"], ["y"], is_causal=1), [[1, 2, 4, 8], [1, 2, 4, 8], [1, 2, 4, 8]]),
    ],
    ids=["rms_normalization", "causal_attention"],
)
def test_ops_without_torch_conversion_run_as_their_onnx_function(node, inputs, tmp_path):
    """torch-mlir has no conversion for these opset-23 ops; their ONNX function bodies import, and
    the result matches the ONNX reference."""
    names = list(node.input)
    model = _model([node], [_tensor(n, s) for n, s in zip(names, inputs)], [_tensor("y", inputs[0])], opset=23)
    model.ir_version = 10
    rng = np.random.default_rng(0)
    feeds = {n: rng.standard_normal(s).astype(np.float32) for n, s in zip(names, inputs)}
    bundle, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    assert_close(outputs["y"], evaluator_outputs(model, feeds)[0], name=node.op_type)
    assert bundle.manifest["coverage"]["native_fraction"] == 1.0


def test_rejected_strategy_falls_back_to_the_default_flags(monkeypatch, tmp_path):
    """A strategy iree-compile fails on is retried with the target's plain flags, with a warning."""
    strategies = CpuTarget.strategies
    monkeypatch.setattr(CpuTarget, "strategies", lambda self: {**strategies(self), "broken": ["--no-such-iree-flag"]})
    monkeypatch.setattr(CpuTarget, "default_strategy", lambda self, op_counts, flops=None: "broken")
    model = _model([N("Relu", ["x"], ["y"])], [_tensor("x", [4])], [_tensor("y", [4])])
    with pytest.warns(UserWarning, match="strategy broken failed to compile.*using default"):
        bundle, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["y"], np.maximum(feeds["x"], 0))
    modules = bundle.manifest["partitions"][0]["modules"]
    assert [m["strategy"] for m in modules.values()] == ["default"]


@pytest.mark.parametrize(("rejected", "group"), [("conv-data-tiling", 1), ("data-tiling-inner-pads", 2)])
def test_rejected_strategy_falls_back_to_the_targets_planned_fallback(rejected, group, monkeypatch, tmp_path):
    """Convolution data tiling, which IREE rejects on some channels-last convolutions (inception_v2),
    and padding inside convolutions, past IREE's stack limit on some (AlexNet's grouped ones), fall
    back to data tiling quietly: the CPU target plans that fallback (`fallback_strategy`)."""
    strategies = CpuTarget.strategies
    monkeypatch.setattr(CpuTarget, "strategies", lambda self: {**strategies(self), rejected: ["--no-such-iree-flag"]})
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)  # a convolution this small would get the default strategy
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: True)  # where grouped ones default to inner pads
    weight = np.random.default_rng(1).standard_normal((4, 8 // group, 1, 1)).astype(np.float32)
    model = _model(
        [N("Conv", ["x", "w"], ["y"], group=group)],
        [_tensor("x", [1, 8, 3, 3])],
        [_tensor("y", [1, 4, 3, 3])],
        initializers=[numpy_helper.from_array(weight, "w")],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bundle, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    groups = [
        np.einsum("nchw,oc->nohw", x, w[:, :, 0, 0])
        for x, w in zip(np.split(feeds["x"], group, axis=1), np.split(weight, group, axis=0))
    ]
    assert_close(outputs["y"], np.concatenate(groups, axis=1))
    assert [m["strategy"] for m in bundle.manifest["partitions"][0]["modules"].values()] == ["data-tiling"]


def test_unsigned_integers_keep_their_sign(tmp_path):
    """uint8 values of 128 and more: gimlet's integer ops are signed, so ops on unsigned tensors stay
    with torch-mlir, which keeps the sign (a cast of 200 is 200.0, not -56.0)."""
    model = _model(
        [N("Cast", ["x"], ["as_float"], to=TensorProto.FLOAT), N("Max", ["x", "y"], ["larger"])],
        [_tensor("x", [4], TensorProto.UINT8), _tensor("y", [4], TensorProto.UINT8)],
        [_tensor("as_float", [4]), _tensor("larger", [4], TensorProto.UINT8)],
    )
    feeds = {"x": np.array([1, 100, 200, 255], np.uint8), "y": np.array([3, 130, 7, 2], np.uint8)}
    bundle, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["as_float"], np.array([1, 100, 200, 255], np.float32))
    np.testing.assert_array_equal(outputs["larger"], np.array([3, 130, 200, 255], np.uint8))
    assert bundle.manifest["coverage"]["native_fraction"] == 0.0


def test_floats_become_uint8_values_above_127(tmp_path):
    """Cast and QuantizeLinear from float to uint8 of values 128-255: torch-mlir's conversion is
    out of range there (AVX2 CPUs saturated it to 127), so it goes through int32 (foreign.py)."""
    model = _model(
        [N("Cast", ["x"], ["cast"], to=TensorProto.UINT8), N("QuantizeLinear", ["x", "scale", "zero"], ["quantized"])],
        [_tensor("x", [5])],
        [_tensor("cast", [5], TensorProto.UINT8), _tensor("quantized", [5], TensorProto.UINT8)],
        initializers=[numpy_helper.from_array(np.float32(0.5), "scale"), numpy_helper.from_array(np.uint8(3), "zero")],
    )
    feeds = {"x": np.array([0.4, 63.7, 127.6, 168.2, 254.9], np.float32)}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    cast, quantized = evaluator_outputs(model, feeds)
    np.testing.assert_array_equal(outputs["cast"], cast)
    np.testing.assert_array_equal(outputs["quantized"], quantized)
    assert cast.tolist() == [0, 63, 127, 168, 254] and quantized.tolist() == [4, 130, 255, 255, 255]


def test_float64_is_computed_in_float64(tmp_path):
    """The CPU keeps f64 (IREE demotes it to f32 unless told not to): f64 in, f64 out, f64 precision."""
    model = _model([N("Add", ["x", "y"], ["z"])], [_tensor("x", [2], TensorProto.DOUBLE), _tensor("y", [2], TensorProto.DOUBLE)],
                   [_tensor("z", [2], TensorProto.DOUBLE)])
    feeds = {"x": np.array([1.0, 1e-12], np.float64), "y": np.array([1e-12, 1.0], np.float64)}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    assert outputs["z"].dtype == np.float64
    np.testing.assert_array_equal(outputs["z"], feeds["x"] + feeds["y"])  # 1 + 1e-12 is 1.0 in f32


def test_float8_results_are_a_clear_error(tmp_path):
    """A float8 tensor gimlet cannot carry ends in an error naming the type and what to use instead."""
    import gimlet
    from gimlet.errors import CompilationError

    model = _model([N("CastLike", ["x", "like"], ["y"])], [_tensor("x", [4]), _tensor("like", [1], TensorProto.FLOAT8E5M2)],
                   [_tensor("y", [4], TensorProto.FLOAT8E5M2)], opset=19)
    with pytest.raises(CompilationError, match=r"f8E5M2> has no builtin tensor type in gimlet .*compute in f32, f16 or bf16"):
        gimlet.compile(model)


def test_function_expansion_in_rounds_keeps_names_unique():
    """A second round of expansion (bodies holding function ops) must not reuse the first round's
    value names: the result is still valid ONNX and computes the same."""
    from gimlet.compiler.onnx_expand import expand_functions

    first = N("RMSNormalization", ["x", "scale"], ["y"], axis=-1)
    model = _model([first], [_tensor("x", [2, 8]), _tensor("scale", [8])], [_tensor("z", [2, 8])], opset=23)
    model.ir_version = 10
    reference = onnx.ModelProto()
    reference.CopyFrom(model)
    reference.graph.node.append(N("RMSNormalization", ["y", "scale"], ["z"], axis=-1))
    assert expand_functions(model, {"RMSNormalization"}) == 1
    model.graph.node.append(N("RMSNormalization", ["y", "scale"], ["z"], axis=-1))  # as if a body held it
    model = onnx.shape_inference.infer_shapes(model)  # as the importer does between rounds
    assert expand_functions(model, {"RMSNormalization"}) == 1
    outputs = [name for node in model.graph.node for name in node.output]
    assert len(outputs) == len(set(outputs))
    onnx.checker.check_model(model)
    rng = np.random.default_rng(0)
    feeds = {"x": rng.standard_normal((2, 8)).astype(np.float32), "scale": rng.standard_normal(8).astype(np.float32)}
    assert_close(evaluator_outputs(model, feeds)[0], evaluator_outputs(reference, feeds)[0])


def _runtime_axes_model(op_type: str, keepdims: int, out_shape, chain=()):
    """data[3,2,2] reduced over the axes the caller passes (a one-element input), then `chain`."""
    nodes = [N(op_type, ["data", "axes"], ["reduced" if chain else "y"], keepdims=keepdims)]
    nodes += [N(op, ["reduced"], ["y"]) for op in chain]
    return _model(nodes, [_tensor("data", [3, 2, 2]), _tensor("axes", [1], TensorProto.INT64)],
                  [_tensor("y", out_shape)], opset=18)


@pytest.mark.parametrize(
    "op_type, keepdims, out_shape, chain, allowed",
    [
        ("ReduceSum", 0, [3, 2], (), [[1], [2]]),
        ("ReduceL2", 1, [3, 1, 2], (), [[1]]),
        ("ReduceSumSquare", 0, [3, 2], ("Sqrt",), [[1], [2]]),
    ],
    ids=["two_fitting_sets", "one_fitting_set", "shape_declared_after_sqrt"],
)
def test_reduction_axes_given_at_run_time(op_type, keepdims, out_shape, chain, allowed, tmp_path):
    """The axes are a model input: the bundle is compiled for the axis sets the declared output shape
    allows, picks the one the value names, and rejects the rest before running."""
    model = _runtime_axes_model(op_type, keepdims, out_shape, chain)
    data = np.random.default_rng(0).standard_normal((3, 2, 2)).astype(np.float32)
    bundle, session, _, _ = compile_bundle_and_run(model, {"data": data, "axes": np.array([allowed[0][0]], np.int64)}, tmp_path=tmp_path)
    assert next(e for e in bundle.manifest["inputs"] if e["name"] == "axes")["axes"] == {"rank": 3, "allowed": allowed}
    for axes in [a[0] for a in allowed] + [a[0] - 3 for a in allowed]:
        feeds = {"data": data, "axes": np.array([axes], np.int64)}
        assert_close(session.run(feeds)["y"], evaluator_outputs(model, feeds)[0], name=f"axes {axes}")
    with pytest.raises(InputError, match=r"input 'axes' holds axes \[0\], but the model's declared shapes allow only"):
        session.run({"data": data, "axes": np.array([0], np.int64)})
    with pytest.raises(InputError, match=r"axes of a rank-3 tensor lie in \[-3, 2\]"):
        session.run({"data": data, "axes": np.array([3], np.int64)})


def test_empty_runtime_axes_reduce_everything(tmp_path):
    """An axes input of shape [0] is always empty: the reduction is over every axis."""
    model = _model([N("ReduceMax", ["data", "axes"], ["y"], keepdims=1)],
                   [_tensor("data", [3, 2, 2]), _tensor("axes", [0], TensorProto.INT64)], [_tensor("y", [1, 1, 1])], opset=18)
    data = np.random.default_rng(1).standard_normal((3, 2, 2)).astype(np.float32)
    bundle, _, _, outputs = compile_bundle_and_run(model, {"data": data, "axes": np.zeros(0, np.int64)}, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["y"], data.max(keepdims=True))
    assert "axes" not in next(e for e in bundle.manifest["inputs"] if e["name"] == "axes")


def test_softmax_cross_entropy_with_weights_is_imported_as_its_body(tmp_path):
    """torch-mlir's conversion of a weighted mean SoftmaxCrossEntropyLoss sums the weights into an
    int64 (the loss came out inf); its ONNX function body gives the reference's loss."""
    model = _model([N("SoftmaxCrossEntropyLoss", ["x", "labels", "w"], ["loss"], reduction="mean")],
                   [_tensor("x", [3, 5]), _tensor("labels", [3], TensorProto.INT64), _tensor("w", [5])], [_tensor("loss", [])])
    rng = np.random.default_rng(2)
    feeds = {"x": rng.standard_normal((3, 5)).astype(np.float32), "labels": np.array([0, 3, 4], np.int64),
             "w": rng.uniform(0.1, 1.0, 5).astype(np.float32)}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    assert_close(outputs["loss"], evaluator_outputs(model, feeds)[0], name="loss")


def test_op_torch_mlir_cannot_lower_is_compiled_as_its_body(tmp_path):
    """NegativeLogLikelihoodLoss over [N, C, d1] becomes aten.nll_loss_forward, which torch-mlir
    lowers only for 2-d inputs: the lowering fails at that node, and gimlet imports the node's ONNX
    function body instead."""
    model = _model([N("NegativeLogLikelihoodLoss", ["x", "labels"], ["loss"], reduction="mean")],
                   [_tensor("x", [3, 5, 2]), _tensor("labels", [3, 2], TensorProto.INT64)], [_tensor("loss", [])])
    rng = np.random.default_rng(3)
    feeds = {"x": rng.standard_normal((3, 5, 2)).astype(np.float32), "labels": rng.integers(0, 5, (3, 2)).astype(np.int64)}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    assert_close(outputs["loss"], evaluator_outputs(model, feeds)[0], name="loss")


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_batched_qlinear_matmul_matches_the_reference(dtype, tmp_path):
    """torch-mlir's batched quantized matmul gave wrong integers; the op's definition (int32 matmul
    of the centred inputs, requantised) gives the reference's exactly."""
    onnx_type = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    inputs = [_tensor("a", [2, 2, 4], onnx_type), _tensor("a_scale", [1]), _tensor("a_zero", [1], onnx_type),
              _tensor("b", [2, 4, 3], onnx_type), _tensor("b_scale", [1]), _tensor("b_zero", [1], onnx_type),
              _tensor("y_scale", [1]), _tensor("y_zero", [1], onnx_type)]
    model = _model([N("QLinearMatMul", [i.name for i in inputs], ["y"])], inputs, [_tensor("y", [2, 2, 3], onnx_type)], opset=21)
    info = np.iinfo(dtype)
    rng = np.random.default_rng(4)
    feeds = {
        "a": rng.integers(info.min, info.max, (2, 2, 4)).astype(dtype), "a_scale": np.array([0.0066], np.float32),
        "a_zero": np.array([info.min + 100], dtype), "b": rng.integers(info.min, info.max, (2, 4, 3)).astype(dtype),
        "b_scale": np.array([0.00705], np.float32), "b_zero": np.array([info.min + 120], dtype),
        "y_scale": np.array([0.0107], np.float32), "y_zero": np.array([info.min + 110], dtype),
    }
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["y"], evaluator_outputs(model, feeds)[0])


def test_space_to_depth_in_crd_mode(tmp_path):
    """torch-mlir ignores SpaceToDepth's mode (new in opset 28); its function body honours it."""
    model = _model([N("SpaceToDepth", ["x"], ["y"], blocksize=2, mode="CRD")], [_tensor("x", [1, 3, 4, 4])], [_tensor("y", [1, 12, 2, 2])], opset=28)
    model.ir_version = 14
    feeds = {"x": np.arange(48, dtype=np.float32).reshape(1, 3, 4, 4)}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["y"], evaluator_outputs(model, feeds)[0])


@pytest.mark.parametrize("exclusive, reverse", [(0, 0), (1, 1)])
@pytest.mark.parametrize("op_type, dtype", [("CumSum", np.float32), ("CumSum", np.int64), ("CumProd", np.float32), ("CumProd", np.int32)])
def test_cumulative_op_along_an_axis_given_at_run_time(op_type, dtype, exclusive, reverse, tmp_path):
    """The axis as a model input: every axis fits (the shape stays), each is compiled, the value picks
    one. CumSum is native (a triangular-mask product); CumProd, which torch-mlir cannot convert, is a
    product over a masked copy."""
    onnx_type = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    model = _model([N(op_type, ["x", "axis"], ["y"], exclusive=exclusive, reverse=reverse)],
                   [_tensor("x", [3, 4], onnx_type), _tensor("axis", [], TensorProto.INT32)], [_tensor("y", [3, 4], onnx_type)],
                   opset=26 if op_type == "CumProd" else 17)
    model.ir_version = 13 if op_type == "CumProd" else model.ir_version
    x = np.random.default_rng(5).integers(-4, 5, (3, 4)).astype(dtype)
    bundle, session, _, _ = compile_bundle_and_run(model, {"x": x, "axis": np.array(0, np.int32)}, tmp_path=tmp_path)
    assert bundle.manifest["coverage"]["native_fraction"] == 1.0
    for axis in (0, 1, -1, -2):
        feeds = {"x": x, "axis": np.array(axis, np.int32)}
        np.testing.assert_allclose(session.run(feeds)["y"], evaluator_outputs(model, feeds)[0], rtol=1e-6)


def test_float16_max_and_min_compile_for_the_cpu(tmp_path):
    """16-bit max and min (softmax's peak, relu, clip) used to stop the CPU link (undefined symbol
    fmaxf); computed in f32 they compile and match the reference."""
    model = _model([N("Softmax", ["x"], ["soft"], axis=-1), N("Relu", ["x"], ["relu"]), N("Clip", ["x", "low", "high"], ["clipped"])],
                   [_tensor("x", [2, 6], TensorProto.FLOAT16)],
                   [_tensor(name, [2, 6], TensorProto.FLOAT16) for name in ("soft", "relu", "clipped")],
                   initializers=[numpy_helper.from_array(np.array(v, np.float16), n) for n, v in (("low", -0.5), ("high", 0.5))])
    feeds = {"x": np.random.default_rng(6).standard_normal((2, 6)).astype(np.float16)}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    for name, expected in zip(("soft", "relu", "clipped"), evaluator_outputs(model, feeds)):
        np.testing.assert_allclose(outputs[name].astype(np.float32), expected.astype(np.float32), rtol=2e-3, atol=1e-3, err_msg=name)


def test_failed_check_in_the_compiled_model_is_an_execution_error(tmp_path):
    """torch-mlir's NonMaxSuppression compiles a check that score_threshold ≤ min(scores); inputs
    that break it end in an ExecutionError naming the partition and the check, not IREE's raw
    RuntimeError."""
    model = _model([N("NonMaxSuppression", ["boxes", "scores", "max_out", "iou", "score_threshold"], ["selected"])],
                   [_tensor("boxes", [1, 6, 4]), _tensor("scores", [1, 1, 6]), _tensor("max_out", [1], TensorProto.INT64),
                    _tensor("iou", [1]), _tensor("score_threshold", [1])],
                   [_tensor("selected", [2, 3], TensorProto.INT64)])
    boxes = np.array([[[0.5, 0.5, 1.0, 1.0]] * 6], np.float32)
    feeds = {"boxes": boxes, "scores": np.array([[[0.9, 0.75, 0.6, 0.95, 0.5, 0.3]]], np.float32),
             "max_out": np.array([2], np.int64), "iou": np.array([0.5], np.float32), "score_threshold": np.array([0.4], np.float32)}
    bundle = gimlet.compile(model, targets=["cpu"])
    session = gimlet.load(bundle.save(tmp_path / "nms.gimlet"))
    with pytest.raises(ExecutionError, match=r"partition p0 failed on cpu \(local-\w+\): .*score_threshold should be <= min\(scores\); the inputs break"):
        session.run(feeds)


def test_ceil_mode_average_pool_counts_only_taps_inside_the_padding(tmp_path):
    """Ceil mode pushes the last windows past the input; with count_include_pad they are divided by
    the taps inside the (zero) padding only, as ONNX Runtime and the backend test data do (torch-mlir
    divided by the whole window; onnx.reference mishandles dilated 2-d pools, so ONNX Runtime is the
    reference here)."""
    node = N("AveragePool", ["x"], ["y"], kernel_shape=[5, 5], strides=[3, 3], dilations=[2, 2], ceil_mode=1, count_include_pad=1)
    model = _model([node], [_tensor("x", [1, 1, 16, 16])], [_tensor("y", [1, 1, 4, 4])], opset=19)
    model.ir_version = 9
    feeds = {"x": np.random.default_rng(7).standard_normal((1, 1, 16, 16)).astype(np.float32)}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    assert_close(outputs["y"], reference_outputs(model, feeds)[0], name="y")


@pytest.mark.parametrize("given", ["scales", "sizes"])
def test_resize_of_some_axes(given, tmp_path):
    """Resize with `axes` [3, 2] (opset 18): torch-mlir converts only full-rank scales or sizes, which
    gimlet builds at run time from the given values."""
    value = np.array([3.0, 2.0], np.float32) if given == "scales" else np.array([6, 4], np.int64)
    inputs = ["x", "", "values"] if given == "scales" else ["x", "", "", "values"]
    model = _model([N("Resize", inputs, ["y"], axes=[3, 2], mode="nearest")],
                   [_tensor("x", [1, 2, 2, 2]), _tensor("values", [2], TensorProto.FLOAT if given == "scales" else TensorProto.INT64)],
                   [_tensor("y", [1, 2, 4, 6])], opset=19)
    feeds = {"x": np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2), "values": value}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["y"], evaluator_outputs(model, feeds)[0])


def _scan_model():
    """A Scan with a running-sum state, one input scanned backwards along axis 1, the other forwards,
    a second output stacked along axis 1 in reverse, and a body that reads an outer-scope constant."""
    body = helper.make_graph(
        [N("Add", ["sum_in", "a_t"], ["sum_out"]),
         N("Mul", ["sum_out", "b_t"], ["scaled"]),
         N("Add", ["scaled", "offset"], ["shifted"])],
        "body",
        [_tensor("sum_in", [2]), _tensor("a_t", [2]), _tensor("b_t", [2])],
        [_tensor("sum_out", [2]), _tensor("scaled", [2]), _tensor("shifted", [2])],
    )
    scan = N("Scan", ["init", "a", "b"], ["final", "scaled_all", "shifted_all"], num_scan_inputs=2, body=body,
             scan_input_axes=[1, 0], scan_input_directions=[1, 0], scan_output_axes=[0, 1], scan_output_directions=[0, 1])
    return _model(
        [N("Constant", [], ["offset"], value=numpy_helper.from_array(np.array([0.5, -1.0], np.float32))), scan],
        [_tensor("init", [2]), _tensor("a", [2, 5]), _tensor("b", [5, 2])],
        [_tensor("final", [2]), _tensor("scaled_all", [5, 2]), _tensor("shifted_all", [2, 5])],
    )


def test_scan_of_static_length_is_unrolled_and_matches_the_reference(tmp_path):
    """A Scan whose length the shapes fix becomes straight-line ops (no loop is left for torch-mlir),
    with input and output axes and directions honoured and outer-scope values still read."""
    from gimlet.compiler.onnx_import import load_model, prepare_model

    model = _scan_model()
    prepared = prepare_model(load_model(model)).proto
    assert not [n for n in prepared.graph.node if n.op_type == "Scan"]
    _, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    for name, expected in zip(outputs, reference_outputs(model, feeds)):  # onnx.reference scans forwards only
        assert_close(outputs[name], expected, name=name)


def test_if_with_a_condition_known_from_shapes_is_inlined(tmp_path):
    """An If on the rank of an input (as AffineGrid's body has) takes its branch at compile time; the
    branch's own initializer comes along."""
    from gimlet.compiler.onnx_import import load_model, prepare_model

    then_branch = helper.make_graph([N("Mul", ["x", "two"], ["doubled"])], "then", [], [_tensor("doubled", [2, 3])],
                                    initializer=[numpy_helper.from_array(np.array(2.0, np.float32), "two")])
    else_branch = helper.make_graph([N("Neg", ["x"], ["negated"])], "else", [], [_tensor("negated", [2, 3])])
    model = _model(
        [N("Size", ["x"], ["count"]),
         N("Constant", [], ["six"], value=numpy_helper.from_array(np.array(6, np.int64))),
         N("Equal", ["count", "six"], ["is_six"]),
         N("If", ["is_six"], ["y"], then_branch=then_branch, else_branch=else_branch)],
        [_tensor("x", [2, 3])], [_tensor("y", [2, 3])],
    )
    prepared = prepare_model(load_model(model)).proto
    assert [n.op_type for n in prepared.graph.node] == ["Mul", "Identity"]
    _, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    assert_close(outputs["y"], 2 * feeds["x"])


def test_function_op_whose_body_holds_a_scan_is_expanded_and_unrolled(tmp_path):
    """LinearAttention (opset 27) has no torch-mlir conversion; its body is a Scan over the sequence
    whose subgraph reads the body's own values, so the expansion renames inside the subgraph too."""
    model = _model(
        [N("LinearAttention", ["q", "k", "v"], ["y", "state"], q_num_heads=2, kv_num_heads=2, update_rule="linear")],
        [_tensor("q", [1, 3, 8]), _tensor("k", [1, 3, 8]), _tensor("v", [1, 3, 8])],
        [_tensor("y", [1, 3, 8]), _tensor("state", [1, 2, 4, 4])],
        opset=27,
    )
    _, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    for name, expected in zip(outputs, reference_outputs(model, feeds)):
        assert_close(outputs[name], expected, name=name)


def test_iree_out_of_range_while_running_is_an_execution_error(tmp_path, monkeypatch):
    """IREE raises IndexError for OUT_OF_RANGE (and ValueError for INVALID_ARGUMENT), not only
    RuntimeError; those too reach the user as ExecutionError naming the partition."""
    model = _model([N("Relu", ["x"], ["y"])], [_tensor("x", [2])], [_tensor("y", [2])])
    bundle, session, feeds, _ = compile_bundle_and_run(model, tmp_path=tmp_path)
    partition = session._partitions[0]

    def out_of_range(*arguments):
        raise IndexError("Error invoking function: c/runtime/src/iree/hal/buffer.c:437: OUT_OF_RANGE; attempted to access")

    monkeypatch.setattr(partition, "invoker", out_of_range)
    with pytest.raises(ExecutionError, match=r"partition p0 failed on cpu \(local-\w+\): c/runtime/src/iree/hal/buffer.c:437: OUT_OF_RANGE"):
        session.run(feeds)


@pytest.mark.parametrize(
    "source, target",
    [(np.float32, np.int32), (np.int64, np.float64), (np.uint16, np.int16), (np.int8, np.uint8)],
)
def test_bitcast_reads_the_same_bits_as_numpy_view(tmp_path, source, target):
    """BitCast (opset 26) has no torch-mlir conversion; gimlet raises it itself, unsigned types too."""
    to = helper.np_dtype_to_tensor_dtype(np.dtype(target))
    model = _model([N("BitCast", ["x"], ["y"], to=to)],
                   [_tensor("x", [2, 3], helper.np_dtype_to_tensor_dtype(np.dtype(source)))], [_tensor("y", [2, 3], to)], opset=26)
    x = (np.arange(6).reshape(2, 3) * 37 - 90).astype(source)
    _, _, _, outputs = compile_bundle_and_run(model, {"x": x}, tmp_path=tmp_path)
    assert outputs["y"].dtype == target
    np.testing.assert_array_equal(outputs["y"], x.view(target))


def test_op_whose_torch_conversion_fails_imports_as_its_function_body(tmp_path):
    """torch-mlir has a RotaryEmbedding conversion, but it fails without position_ids (the caches
    are then per batch and position); the failure names the node, and gimlet imports its body."""
    model = _model(
        [N("RotaryEmbedding", ["x", "cos", "sin"], ["y"])],
        [_tensor("x", [2, 4, 3, 8]), _tensor("cos", [2, 3, 4]), _tensor("sin", [2, 3, 4])],
        [_tensor("y", [2, 4, 3, 8])],
        opset=23,
    )
    _, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    assert_close(outputs["y"], reference_outputs(model, feeds)[0])


def test_slice_with_constant_negative_steps_matches_numpy(tmp_path):
    """torch-mlir passes ONNX's negative steps on in slice.Tensor, and its own lowering of them failed
    in iree-compile ("expected offsets to be non-negative"); gimlet gathers the indices instead."""
    constants = {"starts": [20, 10, 4], "ends": [0, -1000, 1], "axes": [0, 1, 2], "steps": [-1, -3, -2]}
    model = _model([N("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"])],
                   [_tensor("x", [20, 10, 5])], [_tensor("y", [19, 4, 2])],
                   initializers=[numpy_helper.from_array(np.array(v, np.int64), k) for k, v in constants.items()])
    _, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["y"], feeds["x"][20:0:-1, 10::-3, 4:1:-2])


def _runtime_slice_model(axes_given: bool):
    """x[6, 4, 6] sliced to [3, 4, 6] with starts, ends and steps (and axes) given at run time."""
    inputs = [_tensor("x", [6, 4, 6])] + [_tensor(n, [2], TensorProto.INT64) for n in ("starts", "ends", "steps")]
    initializers = []
    if axes_given:
        inputs.append(_tensor("axes", [2], TensorProto.INT64))
    else:
        initializers.append(numpy_helper.from_array(np.array([0, 2], np.int64), "axes"))
    return _model([N("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"])], inputs, [_tensor("y", [3, 4, 6])],
                  initializers=initializers)


@pytest.mark.parametrize(
    "starts, ends, steps, numpy_index",
    [
        ([0, 0], [3, 6], [1, 1], np.s_[0:3, :, 0:6]),
        ([1, 5], [1000, -1000], [2, -1], np.s_[1::2, :, 5::-1]),
        ([-1, -6], [-4, 100], [-1, 1], np.s_[-1:-4:-1, :, -6:100]),
    ],
)
def test_slice_bounds_given_at_run_time_follow_onnx(tmp_path, starts, ends, steps, numpy_index):
    """Slice bounds given as inputs are compiled for the declared shape as gathers: any values that
    produce it give ONNX's answer, negative steps included (torch-mlir's dynamic slice read garbage
    for those, and for values of another shape returned a slice of the wrong part)."""
    x = np.arange(144, dtype=np.float32).reshape(6, 4, 6)
    feeds = {"x": x, "starts": np.array(starts), "ends": np.array(ends), "steps": np.array(steps)}
    _, session, _, outputs = compile_bundle_and_run(_runtime_slice_model(False), feeds, tmp_path=tmp_path)
    assert session.manifest["checks"][0]["node"] == "Slice_0"
    np.testing.assert_array_equal(outputs["y"], x[numpy_index])


def test_slice_bounds_that_give_another_shape_are_refused(tmp_path):
    x = np.zeros((6, 4, 6), np.float32)
    feeds = {"x": x, "starts": np.array([0, 0]), "ends": np.array([3, 6]), "steps": np.array([1, 1])}
    _, session, _, _ = compile_bundle_and_run(_runtime_slice_model(False), feeds, tmp_path=tmp_path)
    with pytest.raises(InputError, match=r"inputs 'starts', 'ends', 'steps': Slice node 'Slice_0' gets starts \[0, 0\], "
                                         r"ends \[4, 6\], axes \[0, 2\], steps \[1, 1\], which slice \[6, 4, 6\] to \[4, 4, 6\]"):
        session.run({**feeds, "ends": np.array([4, 6])})


def test_slice_axes_given_at_run_time_are_compiled_for_each_set_that_fits(tmp_path):
    """[6, 4, 6] → [3, 4, 6] fits axes {0, 1} and {0, 2}, in any order: one gather chain per set, picked
    by the axes value, each parameter taken from the axis's place in the axes input."""
    x = np.arange(144, dtype=np.float32).reshape(6, 4, 6)
    model = _runtime_slice_model(True)
    runs = [([0, 1], [0, 0], [3, 4], [1, 1], np.s_[0:3, 0:4, :]),
            ([2, 0], [5, 1], [-1000, 4], [-1, 1], np.s_[1:4, :, 5::-1]),
            ([-2, 0], [3, 5], [-1000, 2], [-1, -1], np.s_[5:2:-1, 3::-1, :])]
    session = None
    for axes, starts, ends, steps, numpy_index in runs:
        feeds = {"x": x, "starts": np.array(starts), "ends": np.array(ends), "axes": np.array(axes), "steps": np.array(steps)}
        if session is None:
            _, session, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
        else:
            outputs = session.run(feeds)
        np.testing.assert_array_equal(outputs["y"], x[numpy_index], err_msg=f"axes {axes}")


@pytest.mark.parametrize("p, axis", [(2, 0), (1, -1)])
def test_lp_normalization_of_a_zero_slice_is_zero(tmp_path, p, axis):
    """torch-mlir divided by the norm, so an all-zero slice gave NaN; ONNX gives 0. p=1 sums
    magnitudes (ONNX Runtime's reading; onnx.reference sums raw values)."""
    model = _model([N("LpNormalization", ["x"], ["y"], axis=axis, p=p)], [_tensor("x", [2, 2, 3])], [_tensor("y", [2, 2, 3])])
    x = np.array([[[1, -2, 2], [3, 4, 0]], [[0, 5, -5], [6, 8, 0]]], np.float32)
    _, _, _, outputs = compile_bundle_and_run(model, {"x": x}, tmp_path=tmp_path)
    norm = np.linalg.norm(x, ord=p, axis=axis, keepdims=True)
    np.testing.assert_allclose(outputs["y"], np.where(norm == 0, 0, x / np.where(norm == 0, 1, norm)), rtol=1e-6)
    assert not np.isnan(outputs["y"]).any()


@pytest.mark.parametrize("size", [1, 2, 3])
def test_determinant_needs_no_pivot(tmp_path, size):
    """Det of matrices with a zero leading entry: torch-mlir's elimination without pivoting gave NaN."""
    rng = np.random.default_rng(size)
    x = rng.standard_normal((2, 4, size, size)).astype(np.float32)
    x[:, :, 0, 0] = 0
    model = _model([N("Det", ["x"], ["y"])], [_tensor("x", [2, 4, size, size])], [_tensor("y", [2, 4])])
    _, _, _, outputs = compile_bundle_and_run(model, {"x": x}, tmp_path=tmp_path)
    np.testing.assert_allclose(outputs["y"], np.linalg.det(x.astype(np.float64)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize("direction", ["LEFT", "RIGHT"])
def test_bit_shifts_past_the_width_are_defined(tmp_path, dtype, direction):
    """BitShift by the element width or more (negative amounts of a signed type too) gives 0, or the
    sign shifting a signed value right: LLVM's shift there is poison, which an AVX2 CPU showed."""
    x = np.array([-8, 4, -1, 100, 3, 7], dtype=np.int64).astype(dtype)
    amount = np.array([1, 7, 8, 9, 127, -1], dtype=np.int64).astype(dtype)
    onnx_type = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    model = _model([N("BitShift", ["x", "s"], ["y"], direction=direction)], [_tensor("x", [6], onnx_type), _tensor("s", [6], onnx_type)],
                   [_tensor("y", [6], onnx_type)], opset=28)
    _, _, _, outputs = compile_bundle_and_run(model, {"x": x, "s": amount}, tmp_path=tmp_path)
    bits = 8 * x.itemsize
    in_range = (amount.astype(np.int64) >= 0) & (amount.astype(np.int64) < bits)
    safe = np.where(in_range, amount, 0).astype(dtype)
    shifted = (x >> safe) if direction == "RIGHT" else (x << safe)
    fill = np.where(x < 0, -1, 0).astype(dtype) if direction == "RIGHT" else np.zeros_like(x)
    np.testing.assert_array_equal(outputs["y"], np.where(in_range, shifted, fill))
    assert in_range.tolist() == [True, True, False, False, False, False]  # 8, 9, 127 and -1 (255 unsigned) are past it


def test_affine_grid_size_given_at_run_time_is_compiled_for_the_declared_grid(tmp_path):
    """AffineGrid's size input fixes the grid's shape; as a model input, the declared grid shape fixes
    its values (all but the channel count), the runtime checks them, and other values are refused."""
    model = _model([N("AffineGrid", ["theta", "size"], ["grid"], align_corners=0)],
                   [_tensor("theta", [2, 2, 3]), _tensor("size", [4], TensorProto.INT64)], [_tensor("grid", [2, 3, 4, 2])],
                   opset=20)
    rng = np.random.default_rng(0)
    feeds = {"theta": rng.standard_normal((2, 2, 3)).astype(np.float32), "size": np.array([2, 7, 3, 4])}
    _, session, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    assert_close(outputs["grid"], reference_outputs(model, feeds)[0])
    assert session.manifest["checks"] == [{"kind": "values", "node": "AffineGrid_0", "input": "size", "expected": [2, None, 3, 4]}]
    with pytest.raises(InputError, match=r"input 'size': node 'AffineGrid_0' gets \[2, 7, 4, 4\], but the bundle was compiled for \[2, any, 3, 4\]"):
        session.run({**feeds, "size": np.array([2, 7, 4, 4])})


@pytest.mark.parametrize(
    "node, inputs, feeds, output",
    [
        (N("Tile", ["x", "repeats"], ["y"]), [_tensor("x", [2, 3]), _tensor("repeats", [2], TensorProto.INT64)],
         {"repeats": np.array([2, 1])}, _tensor("y", [4, 3])),
        (N("ConstantOfShape", ["shape"], ["y"], value=numpy_helper.from_array(np.array([1.5], np.float32))),
         [_tensor("shape", [2], TensorProto.INT64)], {"shape": np.array([4, 3])}, _tensor("y", [4, 3])),
    ],
)
def test_shape_inputs_given_at_run_time_are_checked(tmp_path, node, inputs, feeds, output):
    """Tile's repeats and ConstantOfShape's shape as model inputs: compiled for the values the declared
    output fixes; before, torch-mlir's dynamic result was cast to the declared shape unchecked."""
    model = _model([node], inputs, [output])
    full = {"x": np.arange(6, dtype=np.float32).reshape(2, 3), **feeds} if "x" in node.input else feeds
    _, session, _, outputs = compile_bundle_and_run(model, full, tmp_path=tmp_path)
    assert_close(outputs["y"], evaluator_outputs(model, full)[0])
    shape_input = node.input[-1]
    wrong = {**full, shape_input: full[shape_input] + 1}
    with pytest.raises(InputError, match=rf"input '{shape_input}': node '{node.op_type}_0' gets"):
        session.run(wrong)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "wrap"])
def test_pads_given_at_run_time_follow_numpy(tmp_path, mode):
    """Pads as a model input: each padded axis is a gather of the input index each output position
    reads (torch-mlir had no lowering for edge, reflect and wrap with such pads, and its constant pad
    was cast to the declared shape unchecked). Negative pads crop."""
    model = _model([N("Pad", ["x", "pads", "value", "axes"], ["y"], mode=mode)],
                   [_tensor("x", [2, 4, 5]), _tensor("pads", [4], TensorProto.INT64)], [_tensor("y", [2, 7, 4])],
                   initializers=[numpy_helper.from_array(np.array(2.5, np.float32), "value"),
                                 numpy_helper.from_array(np.array([1, -1], np.int64), "axes")], opset=19)
    x = np.arange(40, dtype=np.float32).reshape(2, 4, 5)
    pads = np.array([1, 1, 2, -2])  # axis 1: 1 before, 2 after; axis 2: 1 after the first, 2 cropped at the end
    _, session, _, outputs = compile_bundle_and_run(model, {"x": x, "pads": pads}, tmp_path=tmp_path)
    numpy_mode = {"constant": {"mode": "constant", "constant_values": 2.5}, "edge": {"mode": "edge"},
                  "reflect": {"mode": "reflect"}, "wrap": {"mode": "wrap"}}[mode]
    expected = np.pad(x, [(0, 0), (1, 2), (1, 0)], **numpy_mode)[:, :, :-2]
    np.testing.assert_array_equal(outputs["y"], expected)
    with pytest.raises(InputError, match=r"input 'pads': Pad node 'Pad_0' gets pads \[1, 1, 1, -2\], which pad \[2, 4, 5\] to \[2, 6, 4\]"):
        session.run({"x": x, "pads": np.array([1, 1, 1, -2])})


@pytest.mark.parametrize("strides, dilations, pads", [([2, 2], [1, 1], [3, 3, 3, 3]), ([1, 2], [2, 1], [0, 1, 2, 0])])
def test_thin_channel_convolution_as_a_matmul_over_patches(tmp_path, strides, dilations, pads):
    """Fewer than 8 input channels (an image stem): the CPU lowers the convolution as im2col and a
    matmul. Batch 2, bias, strides, dilations and asymmetric padding against the reference."""
    size = [(extent + pads[a] + pads[a + 2] - dilations[a] * (kernel - 1) - 1) // strides[a] + 1
            for a, (extent, kernel) in enumerate([(15, 4), (13, 3)])]
    model = _model([N("Conv", ["x", "w", "b"], ["y"], strides=strides, dilations=dilations, pads=pads)],
                   [_tensor("x", [2, 3, 15, 13]), _tensor("w", [5, 3, 4, 3]), _tensor("b", [5])], [_tensor("y", [2, 5, *size])])
    _, _, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    assert_close(outputs["y"], evaluator_outputs(model, feeds)[0])


@pytest.mark.parametrize(
    "mode, padding_mode, align_corners, spatial",
    [
        ("nearest", "zeros", 0, [5, 4]),
        ("nearest", "border", 1, [5, 4]),
        ("nearest", "reflection", 0, [5, 4]),
        ("linear", "zeros", 1, [5, 4]),
        ("linear", "border", 0, [5, 4]),
        ("linear", "reflection", 1, [5, 4]),
        ("linear", "reflection", 0, [3, 4, 2]),
        ("nearest", "zeros", 1, [3, 4, 2]),
    ],
)
def test_grid_sample_follows_the_onnx_definition(tmp_path, mode, padding_mode, align_corners, spatial):
    """GridSample is rewritten into gathers: torch-mlir's lowering rounded nearest halves up, read
    uninitialised memory under zeros padding, and had no border, reflection or 3-d path. Grid points
    reach past the border (to exercise clamping and reflection) and include exact halves."""
    rank = len(spatial)
    out = [3, 4] if rank == 2 else [2, 3, 2]
    model = _model([N("GridSample", ["x", "grid"], ["y"], mode=mode, padding_mode=padding_mode, align_corners=align_corners)],
                   [_tensor("x", [2, 3, *spatial]), _tensor("grid", [2, *out, rank])], [_tensor("y", [2, 3, *out])], opset=20)
    rng = np.random.default_rng(rank)
    grid = rng.uniform(-1.6, 1.6, (2, *out, rank)).astype(np.float32)
    grid.reshape(-1, rank)[:3] = [[0.0] * rank, [0.5] * rank, [-1.0] * rank]
    feeds = {"x": rng.standard_normal((2, 3, *spatial)).astype(np.float32), "grid": grid}
    _, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    assert_close(outputs["y"], evaluator_outputs(model, feeds)[0])


@pytest.mark.parametrize("attributes", [{"dilations": [2, 1], "pads": [1, 0, 2, 1]}, {"auto_pad": "SAME_LOWER", "strides": [2, 2], "p": 3}])
def test_lp_pool_with_dilations_or_same_padding(tmp_path, attributes):
    """torch-mlir has no LpPool conversion with dilations or SAME padding; gimlet writes it as the
    p-th root of an AveragePool (padding counted) of |x|^p times the window size."""
    x = np.random.default_rng(3).standard_normal((1, 2, 7, 6)).astype(np.float32)
    model = _model([N("LpPool", ["x"], ["y"], kernel_shape=[3, 2], **attributes)], [_tensor("x", [1, 2, 7, 6])], [_tensor("y", None)], opset=18)
    model = onnx.shape_inference.infer_shapes(model)
    expected = reference_outputs(model, {"x": x})[0]
    model.graph.output[0].type.tensor_type.shape.Clear()
    for size in expected.shape:
        model.graph.output[0].type.tensor_type.shape.dim.add().dim_value = size
    _, _, _, outputs = compile_bundle_and_run(model, {"x": x}, tmp_path=tmp_path)
    assert_close(outputs["y"], expected)


@pytest.mark.parametrize("axis, condition, declared", [(1, [True, False, True, True], [3, 3]), (None, [False, True, True, False, True], [3])])
def test_compress_condition_given_at_run_time(tmp_path, axis, condition, declared):
    """A Compress condition as a model input: the declared shape fixes how many slices it selects,
    the first that many trues are found with TopK and gathered, and another count is refused."""
    attributes = {} if axis is None else {"axis": axis}
    model = _model([N("Compress", ["x", "condition"], ["y"], **attributes)],
                   [_tensor("x", [3, 4]), _tensor("condition", [len(condition)], TensorProto.BOOL)], [_tensor("y", declared)], opset=11)
    feeds = {"x": np.arange(12, dtype=np.float32).reshape(3, 4), "condition": np.array(condition)}
    _, session, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path)
    np.testing.assert_array_equal(outputs["y"], np.compress(condition, feeds["x"], axis=axis))
    with pytest.raises(InputError, match=r"input 'condition': node 'Compress_0' selects 2 slice\(s\), but the bundle was compiled for 3"):
        session.run({**feeds, "condition": np.array([True, True] + [False] * (len(condition) - 2))})
