"""Compile strategies: defaults by model class, and --tune's measured choice and its cache."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from support import EXAMPLES, assert_close, compile_bundle_and_run, evaluator_outputs

import gimlet
from gimlet.compiler import tuning
from gimlet.passes.lower_to_linalg import pointwise
from gimlet.passes.lower_to_linalg.builders import balanced_workgroup_count
from gimlet.targets import get_target
from gimlet.targets.cpu import CpuTarget


def test_default_strategy_follows_the_model_class():
    wide, narrow = get_target("cpu:cpu=znver4"), get_target("cpu:cpu=znver3")  # AVX-512 and AVX2
    for cpu in (wide, narrow):
        assert cpu.default_strategy({"gimlet.conv": 3, "gimlet.matmul": 1}) == "conv-data-tiling"
        assert cpu.default_strategy({"gimlet.matmul": 8, "gimlet.softmax": 1}) == "data-tiling"
        assert cpu.fallback_strategy("conv-data-tiling") == cpu.fallback_strategy("data-tiling-inner-pads") == "data-tiling"
        assert cpu.fallback_strategy("data-tiling") == "default"
        assert cpu.default_strategy({"gimlet.elementwise": 2}) == "default"
        # Below SMALL_FLOPS, data tiling's packing costs more than it saves, whatever the model class.
        assert cpu.default_strategy({"gimlet.matmul": 8}, flops=1e6) == "default"
        assert cpu.default_strategy({"gimlet.matmul": 8}, flops=3e6) == "data-tiling"
        assert cpu.default_strategy({"gimlet.conv": 3, "gimlet.conv[grouped]": 1}, flops=1.6e6) == "default"
    # Grouped convolutions pad inside their own dispatch where IREE has AVX-512 kernels; without,
    # dense convolutions are window matmuls, and both kinds of model use convolution data tiling.
    assert wide.default_strategy({"gimlet.conv": 3, "gimlet.conv[grouped]": 1}) == "data-tiling-inner-pads"
    assert narrow.default_strategy({"gimlet.conv": 3, "gimlet.conv[grouped]": 1}) == "conv-data-tiling"
    assert wide.lowering_options() == "conv-layout=nhwc conv-winograd=true conv-pointwise-tiles=avx512 conv-packed-windows=true"
    assert narrow.lowering_options() == (
        "conv-layout=nhwc conv-winograd=true conv-windows=true conv-even-depthwise=true conv-pointwise-tiles=avx2"
        " matmul-narrow-tiles=true"
    )
    assert "--iree-global-opt-use-im2col-for-convs" in wide.strategies()["conv"]
    # The tiled 1×1 convolutions need their filters transposed apart from them: the data-tiling
    # strategies conv models use keep IREE's transpose propagation off, the default one keeps it on.
    kept_apart = "--iree-global-opt-propagate-transposes=false"
    names = ("conv-data-tiling", "data-tiling", "data-tiling-inner-pads", "default")
    assert [kept_apart in narrow.strategies()[name] for name in names] == [True, True, False, False]
    assert [kept_apart in wide.strategies()[name] for name in names] == [True, True, True, False]
    # ... and, there, take data-tiled matmuls in smaller workgroups than IREE's default.
    smaller = "--iree-llvmcpu-matmul-tile-bytes=196608"
    assert [smaller in narrow.strategies()[name] for name in ("conv-data-tiling", "data-tiling", "default")] == [True, True, False]
    assert not any(smaller in flags for flags in wide.strategies().values())
    assert get_target("vulkan").strategies() == {"default": []}


@pytest.mark.parametrize(
    ("spec", "host_flags", "expected"),
    [
        ("cpu", {"avx2", "avx512f"}, True),
        ("cpu", {"avx2", "fma"}, False),
        ("cpu:cpu=sapphirerapids", {"avx2"}, True),
        ("cpu:cpu=znver3", {"avx512f"}, False),
        ("cpu:cpu=znver4,features=-avx512f", {"avx512f"}, False),
        ("cpu:cpu=haswell,features=+avx512f", set(), True),
        ("cpu:triple=aarch64-linux-gnu", {"avx512f"}, False),
    ],
)
def test_avx512_comes_from_the_cpu_compiled_for(spec, host_flags, expected, monkeypatch):
    """The host's flags where the target is the host, else the named CPU or the features asked for;
    a module records the extensions it needs to the same effect (`cpu_flags`, checked when loading)."""
    monkeypatch.setattr("gimlet.targets.cpu.host_cpu_flags", lambda: frozenset(host_flags))
    target = get_target(spec)
    assert target.has_avx512() is expected
    assert ("avx512f" in target.required_cpu_flags()) is expected
    assert set(target.required_cpu_flags()) <= (set(host_flags) if ":" not in spec else {"avx512f"})


def test_bundle_records_the_strategy_and_its_flags(tmp_path, monkeypatch):
    # The cnn example has a depthwise (grouped) convolution: lowered channels-last, data tiling with
    # convolutions padding in their own dispatch (on an AVX-512 CPU), once it is not too small for
    # data tiling to pay.
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: True)
    bundle = gimlet.compile(EXAMPLES / "cnn.onnx")
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    assert "gimlet.conv[grouped]" in {row["op"] for row in bundle.manifest["placement"]["ops"]}
    assert module["strategy"] == "default" and module["flags"] == get_target("cpu").compile_flags()
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    module = gimlet.compile(EXAMPLES / "cnn.onnx").manifest["partitions"][0]["modules"]["cpu"]
    assert module["strategy"] == "data-tiling-inner-pads"
    assert module["flags"] == get_target("cpu").compile_flags() + get_target("cpu").strategies()["data-tiling-inner-pads"]
    assert "tuning" not in module


def test_tune_measures_every_strategy_and_caches_the_choice(tmp_path, monkeypatch):
    monkeypatch.setenv("GIMLET_TUNE_CACHE", str(tmp_path / "tuning.json"))
    bundle = gimlet.compile(EXAMPLES / "mlp.onnx", tune=True)
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    timings = module["tuning"]
    assert set(timings) == set(get_target("cpu").strategies())
    measured = {name: seconds for name, seconds in timings.items() if seconds is not None}
    assert module["strategy"] == min(measured, key=measured.get)
    cache = tuning.load_cache()
    assert list(cache.values()) == [module["strategy"]]
    # The second compile reuses the cached choice: one module built, nothing measured.
    again = gimlet.compile(EXAMPLES / "mlp.onnx", tune=True)
    reused = again.manifest["partitions"][0]["modules"]["cpu"]
    assert reused["strategy"] == module["strategy"] and "tuning" not in reused
    x = np.random.default_rng(0).standard_normal((4, 64)).astype(np.float32)
    first = gimlet.load(bundle.save(tmp_path / "a.gimlet")).run(x)["probabilities"]
    second = gimlet.load(again.save(tmp_path / "b.gimlet")).run(x)["probabilities"]
    np.testing.assert_allclose(first, second, rtol=1e-5, atol=1e-6)


def test_tuning_survives_a_default_strategy_iree_rejects(tmp_path, monkeypatch):
    """Under --tune the default candidate is one of several: where iree-compile rejects it, the
    others are measured and the fastest kept, with a warning."""
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)  # the mlp example's default strategy is then data tiling
    monkeypatch.setenv("GIMLET_TUNE_CACHE", str(tmp_path / "tuning.json"))
    strategies = CpuTarget.strategies
    monkeypatch.setattr(CpuTarget, "strategies", lambda self: {**strategies(self), "data-tiling": ["--no-such-iree-flag"]})
    with pytest.warns(UserWarning, match="no strategy data-tiling for partition p0"):
        bundle = gimlet.compile(EXAMPLES / "mlp.onnx", tune=True)
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    assert module["tuning"]["data-tiling"] is None and module["strategy"] != "data-tiling"
    x = np.random.default_rng(0).standard_normal((4, 64)).astype(np.float32)
    assert gimlet.load(bundle.save(tmp_path / "m.gimlet")).run(x)["probabilities"].shape == (4, 10)


def test_candidates_must_agree_with_the_default():
    baseline = [np.array([1.0, 2.0, 3.0], np.float32)]
    assert tuning.agree([np.array([1.0, 2.0, 3.0001], np.float32)], baseline)
    assert not tuning.agree([np.array([1.0, 2.0, 3.5], np.float32)], baseline)
    assert not tuning.agree([np.array([1.0, 2.0], np.float32)], baseline)


def test_cache_key_depends_on_content_and_target():
    cpu, other = get_target("cpu"), get_target("cpu:cpu=znver4")
    assert tuning.cache_key(b"a", cpu) != tuning.cache_key(b"b", cpu)
    assert tuning.cache_key(b"a", cpu) != tuning.cache_key(b"a", other)
    assert tuning.cache_key(b"a", cpu) == tuning.cache_key(b"a", get_target("cpu"))


@pytest.mark.parametrize("signature", [[([2, 3], "float32"), ([4], "int64"), ([], "bool")]])
def test_random_inputs_match_the_signature(signature):
    arrays = tuning.random_inputs(signature)
    assert [(list(a.shape), a.dtype.name) for a in arrays] == [(s, d) for s, d in signature]


#: gimlet's linalg IR among a compile's intermediates (save_temps).
LOWERED = "05-gimlet-lower-to-linalg-p0.mlir"


def _compiled_and_checked(model, feeds, tmp_path):
    """Compile and run `model` keeping its intermediates, check every output against
    onnx.reference, and return the bundle and the intermediates' folder, for a test to check how it
    compiled."""
    temps = tmp_path / "temps"
    bundle, _, _, outputs = compile_bundle_and_run(model, feeds, tmp_path=tmp_path, save_temps=temps)
    for output, expected in zip(model.graph.output, evaluator_outputs(model, feeds)):
        assert_close(outputs[output.name], expected, rtol=1e-4, atol=1e-4, name=output.name)
    return bundle, temps


@pytest.mark.parametrize("avx512", [True, False])
def test_dense_convolutions_use_convolution_data_tiling(avx512, tmp_path, monkeypatch):
    """Without grouped convolutions the default is IREE's convolution data tiling; the padded
    convolution of stride 1 is lowered by Winograd's F(4×4, 3×3), and on a CPU without AVX-512 the
    strided and the dilated one as matmuls over their windows first. Both compute the same as the
    ONNX reference."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)  # 5.3 MFLOP: above CpuTarget.SMALL_FLOPS
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1]),
            helper.make_node("Conv", ["x", "w"], ["strided"], pads=[1, 0, 2, 1], strides=[2, 3]),
            helper.make_node("Conv", ["x", "w"], ["dilated"], dilations=[2, 3]),
        ],
        "dense_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 24, 24])],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32, 24, 24]),
            helper.make_tensor_value_info("strided", TensorProto.FLOAT, [1, 32, 13, 8]),
            helper.make_tensor_value_info("dilated", TensorProto.FLOAT, [1, 32, 20, 18]),
        ],
        [numpy_helper.from_array(weight, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    feeds = {"x": rng.standard_normal((1, 16, 24, 24)).astype(np.float32)}
    bundle, temps = _compiled_and_checked(model, feeds, tmp_path)
    lowered = (temps / LOWERED).read_text()
    assert bundle.manifest["partitions"][0]["modules"]["cpu"]["strategy"] == "conv-data-tiling"
    assert lowered.count("linalg.conv_2d_nhwc_hwcf") == (2 if avx512 else 0)
    assert lowered.count("linalg.matmul") == (0 if avx512 else 2)
    winograd = re.findall(r"ins\(%\S+, %\S+ : tensor<6x6x(\d+)x16xf32>, tensor<6x6x16x32xf32>\)", lowered)
    assert winograd == ["36"]  # 6×6 tiles of 4×4 outputs


@pytest.mark.parametrize("avx512", [True, False], ids=["avx512", "avx2"])
def test_convolutions_over_seven_by_seven_outputs_read_packed_filters_on_avx512(avx512, tmp_path, monkeypatch):
    """With AVX-512, a ResNet-style last stage, on a batch of two: the stride-2 convolution into
    7×7 and the 3×3 one after it are matmuls over their patches with filters packed in panels of
    32 features and 14×32 vector tiles (packed_windows.py), the 1×1 downsampling one is not; the
    stage computes what the ONNX reference does. Without AVX-512 they are window matmuls
    (conv-windows) with no tiles of gimlet's."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    rng = np.random.default_rng(23)
    weights = {
        "reduce": (rng.standard_normal((64, 32, 3, 3)) / 16).astype(np.float32),
        "reduce_bias": rng.standard_normal(64).astype(np.float32),
        "conv": (rng.standard_normal((64, 64, 3, 3)) / 24).astype(np.float32),
        "downsample": (rng.standard_normal((64, 32, 1, 1)) / 6).astype(np.float32),
    }
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "reduce", "reduce_bias"], ["reduced"], pads=[1, 1, 1, 1], strides=[2, 2]),
            helper.make_node("Relu", ["reduced"], ["activated"]),
            helper.make_node("Conv", ["activated", "conv"], ["convolved"], pads=[1, 1, 1, 1]),
            helper.make_node("Conv", ["x", "downsample"], ["shortcut"], strides=[2, 2]),
            helper.make_node("Add", ["convolved", "shortcut"], ["y"]),
        ],
        "last_stage",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 32, 14, 14])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 64, 7, 7])],
        [numpy_helper.from_array(value, name) for name, value in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    _, temps = _compiled_and_checked(model, {"x": rng.standard_normal((2, 32, 14, 14)).astype(np.float32)}, tmp_path)
    lowered = (temps / LOWERED).read_text()
    packed = re.findall(r"ins\(%\S+, %\S+ : (tensor<\w+>), (tensor<\w+>)\) outs\(%\S+ : tensor<98x2x32xf32>\) attrs", lowered)
    if avx512:
        assert sorted(packed) == [("tensor<98x288xf32>", "tensor<2x288x32xf32>"), ("tensor<98x576xf32>", "tensor<2x576x32xf32>")]
        assert lowered.count("vector_common_parallel = [14, 1, 32, 0]") == 1 and lowered.count("compilation_info = #") == 2
    else:
        assert packed == [] and "compilation_info" not in lowered


@pytest.mark.parametrize("avx512", [True, False])
def test_depthwise_convolutions_of_odd_width_compute_one_column_more_without_avx512(avx512, tmp_path, monkeypatch):
    """Without AVX-512, a depthwise convolution of odd output width is computed one column wider,
    over extra zero padding where that column needs it, and the column dropped (IREE's AVX2 code
    for 7-wide ones is scalar: contraction.LowerConv). Both lowerings compute what the ONNX
    reference does: padded, strided with MobileNetV2's asymmetric padding, strided unpadded, and
    dilated."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    rng = np.random.default_rng(5)
    weight = rng.standard_normal((16, 1, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(16).astype(np.float32)
    depthwise = {"group": 16}
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["padded"], pads=[1, 1, 1, 1], **depthwise),
            helper.make_node("Conv", ["wide", "w"], ["strided"], pads=[0, 0, 1, 1], strides=[2, 2], **depthwise),
            helper.make_node("Conv", ["odd", "w"], ["unpadded"], strides=[2, 2], **depthwise),
            helper.make_node("Conv", ["x", "w"], ["dilated"], pads=[2, 2, 2, 2], dilations=[2, 2], **depthwise),
        ],
        "depthwise_odd",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 7, 7]),
            helper.make_tensor_value_info("wide", TensorProto.FLOAT, [1, 16, 14, 14]),
            helper.make_tensor_value_info("odd", TensorProto.FLOAT, [1, 16, 11, 11]),
        ],
        [
            helper.make_tensor_value_info("padded", TensorProto.FLOAT, [1, 16, 7, 7]),
            helper.make_tensor_value_info("strided", TensorProto.FLOAT, [1, 16, 7, 7]),
            helper.make_tensor_value_info("unpadded", TensorProto.FLOAT, [1, 16, 5, 5]),
            helper.make_tensor_value_info("dilated", TensorProto.FLOAT, [1, 16, 7, 7]),
        ],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    feeds = {
        name: rng.standard_normal((1, 16, size, size)).astype(np.float32)
        for name, size in [("x", 7), ("wide", 14), ("odd", 11)]
    }
    _, temps = _compiled_and_checked(model, feeds, tmp_path)
    lowered = (temps / LOWERED).read_text()
    widened = re.findall(r"linalg\.depthwise_conv_2d_nhwc_hwc .* outs\(%\S+ : tensor<1x(\d+)x(\d+)x16xf32>\)", lowered)
    assert sorted(widened) == sorted([("7", "7"), ("7", "7"), ("5", "5"), ("7", "7")] if avx512 else [("7", "8"), ("7", "8"), ("5", "6"), ("7", "8")])


@pytest.mark.parametrize("avx512", [False, True], ids=["avx2", "avx512"])
def test_three_by_three_convolutions_use_winograd(avx512, tmp_path, monkeypatch):
    """With AVX-512 or without, dense 3×3 convolutions of stride 1 over at least 14×14 outputs are
    computed by Winograd's F(4×4, 3×3) (winograd.py): padded with bias, unpadded, of sizes that are
    not whole tiles, on a batch of two. Smaller, strided and dilated ones stay convolutions (with
    AVX-512) or matmuls over their windows (without). Every one computes what the ONNX reference
    does."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    rng = np.random.default_rng(11)
    weight = (rng.standard_normal((24, 16, 3, 3)) / 12).astype(np.float32)
    bias = rng.standard_normal(24).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["padded"], pads=[1, 1, 1, 1]),
            helper.make_node("Conv", ["odd", "w"], ["unpadded"]),
            helper.make_node("Conv", ["odd", "w"], ["strided"], pads=[0, 0, 0, 0], strides=[2, 2]),
            helper.make_node("Conv", ["x", "w"], ["dilated"], pads=[2, 2, 2, 2], dilations=[2, 2]),
            helper.make_node("Conv", ["mid", "w"], ["small"]),
        ],
        "winograd",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 16, 15, 17]),
            helper.make_tensor_value_info("odd", TensorProto.FLOAT, [1, 16, 19, 21]),
            helper.make_tensor_value_info("mid", TensorProto.FLOAT, [1, 16, 9, 10]),
        ],
        [
            helper.make_tensor_value_info("padded", TensorProto.FLOAT, [2, 24, 15, 17]),
            helper.make_tensor_value_info("unpadded", TensorProto.FLOAT, [1, 24, 17, 19]),
            helper.make_tensor_value_info("strided", TensorProto.FLOAT, [1, 24, 9, 10]),
            helper.make_tensor_value_info("dilated", TensorProto.FLOAT, [2, 24, 15, 17]),
            helper.make_tensor_value_info("small", TensorProto.FLOAT, [1, 24, 7, 8]),
        ],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    feeds = {
        "x": rng.standard_normal((2, 16, 15, 17)).astype(np.float32),
        "odd": rng.standard_normal((1, 16, 19, 21)).astype(np.float32),
        "mid": rng.standard_normal((1, 16, 9, 10)).astype(np.float32),
    }
    _, temps = _compiled_and_checked(model, feeds, tmp_path)
    lowered = (temps / LOWERED).read_text()
    # The product of the transformed tiles [6, 6, tiles, C] and filters [6, 6, C, F].
    products = re.findall(r"ins\(%\S+, %\S+ : tensor<6x6x(\d+)x16xf32>, tensor<6x6x16x24xf32>\)", lowered)
    # Tiles: 2 images of 4×5 for the padded one (15×17 outputs), 5×5 for the unpadded (17×19);
    # none for the 7×8 outputs of "small".
    assert sorted(products) == ["25", "40"]
    assert lowered.count("linalg.conv_2d_nhwc_hwcf") == (3 if avx512 else 0)


def _inverted_residual(weights: dict, input_shape: list[int], tail: str, output_shape: list[int]):
    """A MobileNetV2 block over input x: 1×1 expansion, ReLU6, padded 3×3 depthwise convolution,
    ReLU6, 1×1 projection, then `tail` ("Add": the residual; or a one-input op such as
    "GlobalAveragePool"). The convolutions have biases where `weights` has "expand_bias" or
    "project_bias"."""
    expanded = weights["depthwise"].shape[0]

    def biased(name: str) -> list[str]:
        return [name, f"{name}_bias"] if f"{name}_bias" in weights else [name]

    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", *biased("expand")], ["e"]),
            helper.make_node("Clip", ["e", "zero", "six"], ["r"]),
            helper.make_node("Conv", ["r", "depthwise"], ["d"], group=expanded, pads=[1, 1, 1, 1]),
            helper.make_node("Clip", ["d", "zero", "six"], ["c"]),
            helper.make_node("Conv", ["c", *biased("project")], ["p"]),
            helper.make_node(tail, ["p", "x"] if tail == "Add" else ["p"], ["y"]),
        ],
        "inverted_residual",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
        [numpy_helper.from_array(w, name) for name, w in weights.items()]
        + [numpy_helper.from_array(np.float32(0), "zero"), numpy_helper.from_array(np.float32(6), "six")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _residual_block_lowered(weights: dict, input_shape: list[int], rng, tmp_path):
    """The block with its residual add, compiled and checked against the ONNX reference on a random
    input: the bundle and gimlet's lowered IR."""
    model = _inverted_residual(weights, input_shape, "Add", input_shape)
    feeds = {"x": rng.standard_normal(input_shape).astype(np.float32)}
    bundle, temps = _compiled_and_checked(model, feeds, tmp_path)
    return bundle, (temps / LOWERED).read_text()


@pytest.mark.parametrize("avx512", [False, True], ids=["avx2", "avx512"])
def test_pointwise_convolutions_carry_register_tiles(avx512, tmp_path, monkeypatch):
    """Without AVX-512, f32 1×1 convolutions of stride 1 carry their register tiles for IREE
    (pointwise.py): an expansion that a padded depthwise convolution reads as a contraction over its
    pixels, a projection as a matmul over pixel rows, on a batch of two with a residual add; their
    weights are transposed apart from them (CpuTarget.strategies). With AVX-512 neither does: 48 and
    16 features are not whole vectors of its 7×32 tiles. Both lowerings compute what the ONNX
    reference does."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    rng = np.random.default_rng(7)
    weights = {
        "expand": rng.standard_normal((48, 16, 1, 1)).astype(np.float32),
        "expand_bias": rng.standard_normal(48).astype(np.float32),
        "depthwise": rng.standard_normal((48, 1, 3, 3)).astype(np.float32),
        "project": (rng.standard_normal((16, 48, 1, 1)) / 4).astype(np.float32),
        "project_bias": rng.standard_normal(16).astype(np.float32),
    }
    bundle, lowered = _residual_block_lowered(weights, [2, 16, 10, 13], rng, tmp_path)
    pixels = re.findall(r"ins\(%\S+, %\S+ : tensor<20x13x16xf32>, tensor<16x48xf32>\).*compilation_info", lowered)
    rows = re.findall(r"linalg\.matmul \{compilation_info = #\w+\} ins\(%\S+, %\S+ : tensor<260x48xf32>, tensor<48x16xf32>\)", lowered)
    assert (len(pixels), len(rows)) == ((0, 0) if avx512 else (1, 1))
    flags = bundle.manifest["partitions"][0]["modules"]["cpu"]["flags"]
    assert "--iree-global-opt-propagate-transposes=false" in flags


@pytest.mark.parametrize("avx512", [False, True], ids=["avx2", "avx512"])
def test_tiled_pointwise_convolutions_compile_with_transpose_propagation(avx512, tmp_path, monkeypatch):
    """A model small enough for the default strategy, which keeps IREE's transpose propagation on:
    its tiled 1×1 convolution reads a transposed filter, which the propagation folds into the
    product. Built without its indexing maps, such a product crashed iree-compile (the maps are
    spelled out since: builders.matmul_maps). It computes what the ONNX reference does."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    rng = np.random.default_rng(19)
    weight = (rng.standard_normal((64, 32, 1, 1)) / 4).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"]), helper.make_node("Relu", ["c"], ["y"])],
        "pointwise",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 32, 14, 14])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64, 14, 14])],
        [numpy_helper.from_array(weight, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    bundle, temps = _compiled_and_checked(model, {"x": rng.standard_normal((1, 32, 14, 14)).astype(np.float32)}, tmp_path)
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    assert module["strategy"] == "default" and "--iree-global-opt-propagate-transposes=false" not in module["flags"]
    lowered = (temps / LOWERED).read_text()
    assert re.search(r"linalg\.matmul \{compilation_info = #\w+\} ins\(%\S+, %\S+ : tensor<196x32xf32>", lowered)


def test_an_iree_compile_crash_names_the_pass_it_crashed_in():
    """A crash prints no `error:` line, only a stack dump: the message names the pass from it."""
    from gimlet.compiler.driver import _first_error

    dump = (
        "Error invoking IREE compiler tool iree-compile\nError code: -11\nDiagnostics:\nStack dump:\n"
        " #4 0x7f mlir::linalg::MatmulTransposeAOp::isDefaultIndexingMaps(mlir::Attribute) LinalgOps.cpp:0:0\n"
        "#11 0x7f mlir::iree_compiler::GlobalOptimization::(anonymous namespace)::"
        "PropagateLinalgTransposePass::runOnOperation()\n"
        "#12 0x7f mlir::detail::OpToOpPassAdaptor::run(mlir::Pass*, mlir::Operation*)\n"
    )
    message = _first_error(RuntimeError(dump))
    assert message.startswith("iree-compile crashed in its PropagateLinalgTransposePass (exit code -11)")
    assert "--save-temps" in message
    assert _first_error(RuntimeError("Diagnostics:\nx.mlir:3:5: error: bad op\n")) == "x.mlir:3:5: error: bad op"


def test_pointwise_tiles_on_avx512_take_whole_vectors_and_leave_pixels_to_iree(tmp_path, monkeypatch):
    """With AVX-512, a MobileNetV2 block at 14×14 pixels: the projection to 64 features is a matmul
    over pixel rows with 7×32 vector tiles; the expansion, which a padded depthwise convolution
    reads, stays IREE's to data-tile, not computed over the padded grid (the strategy pads inside
    the depthwise convolution). The block computes what the ONNX reference does."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: True)
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    rng = np.random.default_rng(17)
    weights = {
        "expand": (rng.standard_normal((192, 64, 1, 1)) / 8).astype(np.float32),
        "expand_bias": rng.standard_normal(192).astype(np.float32),
        "depthwise": rng.standard_normal((192, 1, 3, 3)).astype(np.float32),
        "project": (rng.standard_normal((64, 192, 1, 1)) / 16).astype(np.float32),
    }
    bundle, lowered = _residual_block_lowered(weights, [1, 64, 14, 14], rng, tmp_path)
    assert bundle.manifest["partitions"][0]["modules"]["cpu"]["strategy"] == "data-tiling-inner-pads"
    tiled = re.findall(r"linalg\.matmul \{compilation_info = #\w+\} ins\(%\S+, %\S+ : (tensor<\w+>), (tensor<\w+>)\)", lowered)
    assert tiled == [("tensor<196x192xf32>", "tensor<192x64xf32>")]
    assert "vector_common_parallel = [7, 32, 0]" in lowered and lowered.count("compilation_info = #") == 1
    assert "arith.select" not in lowered  # no padded grid


def test_pointwise_tiles_survive_iree_global_optimization(tmp_path, monkeypatch):
    """A MobileNetV2 block at 14×14 pixels, a batch of one, where the padded grid would add 31%: the
    expansion is a contraction over pixels, the projection a matmul over rows, and both keep their
    tiles through IREE's global optimisation. IREE folds a unit batch loop by rebuilding the op,
    without the tiles: it did so to every contraction over pixels in MobileNetV2, which ran with
    IREE's own tiles. The block computes what the ONNX reference does."""
    import iree.compiler.tools as iree_tools

    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: False)
    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    rng = np.random.default_rng(13)
    weights = {
        "expand": (rng.standard_normal((96, 16, 1, 1)) / 4).astype(np.float32),
        "expand_bias": rng.standard_normal(96).astype(np.float32),
        "depthwise": rng.standard_normal((96, 1, 3, 3)).astype(np.float32),
        "project": (rng.standard_normal((16, 96, 1, 1)) / 8).astype(np.float32),
    }
    model = _inverted_residual(weights, [1, 16, 14, 14], "Add", [1, 16, 14, 14])
    bundle, temps = _compiled_and_checked(model, {"x": rng.standard_normal((1, 16, 14, 14)).astype(np.float32)}, tmp_path)
    lowered = (temps / LOWERED).read_text()
    assert re.search(r"ins\(%\S+, %\S+ : tensor<14x14x16xf32>, tensor<16x96xf32>\).*compilation_info", lowered)
    flags = bundle.manifest["partitions"][0]["modules"]["cpu"]["flags"]
    optimized = iree_tools.compile_file(
        str(temps / "iree-p0.cpu.input.mlirbc"), extra_args=[*flags, "--compile-to=global-optimization"], output_mlir_debuginfo=False
    ).decode()
    tiled = [len(re.findall(r"compilation_info = #", ir)) for ir in (lowered, optimized)]
    assert tiled == [2, 2]


@pytest.mark.parametrize("avx512", [False, True], ids=["avx2", "avx512"])
def test_narrow_matrix_products_carry_register_tiles_without_avx512(avx512, tmp_path, monkeypatch):
    """Without AVX-512, the mlp example's two f32 layers over its 4 rows carry register tiles for
    IREE (contraction.LowerMatmul), and IREE's executables use them; its 10-wide output layer keeps
    IREE's own. Both lowerings compute what the ONNX reference does."""
    import iree.compiler.tools as iree_tools
    import onnx

    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    feeds = {"x": np.random.default_rng(3).standard_normal((4, 64)).astype(np.float32)}
    bundle, temps = _compiled_and_checked(onnx.load(EXAMPLES / "mlp.onnx"), feeds, tmp_path)
    lowered = (temps / LOWERED).read_text()
    tiled = re.findall(r"linalg\.matmul \{compilation_info = #\w+\} ins\(%\S+, %\S+ : (tensor<\w+>), (tensor<\w+>)\)", lowered)
    wide = [("tensor<4x64xf32>", "tensor<64x128xf32>"), ("tensor<4x128xf32>", "tensor<128x64xf32>")]
    assert tiled == ([] if avx512 else wide)
    flags = bundle.manifest["partitions"][0]["modules"]["cpu"]["flags"]
    configured = iree_tools.compile_file(
        str(temps / "iree-p0.cpu.input.mlirbc"), extra_args=[*flags, "--compile-to=executable-configurations"]
    ).decode()
    exported = re.compile(r"hal\.executable\.export public @\w+?_matmul_(\w+?)_f32")
    executables = {
        exported.search(text).group(1): text for text in configured.split("hal.executable private")[1:] if exported.search(text)
    }
    # gimlet's tiles: 4×16 vectors (IREE picks those itself on AVX-512 hosts) over 4 steps of the reduction.
    ours = "vector_common_parallel = [4, 16, 0], vector_reduction = [0, 0, 4]"
    narrow = {shape for shape, text in executables.items() if ours in text}
    assert narrow == (set() if avx512 else {"4x128x64", "4x64x128"})
    assert "4x10x64" in executables


def test_a_fallback_module_is_lowered_with_its_own_targets_options(tmp_path, monkeypatch):
    """A partition placed on the CPU is lowered with the CPU's options, tiles for IREE's CPU code
    included (the mlp example's layers, without AVX-512); its Vulkan fallback is lowered again,
    from the unlowered module, with Vulkan's, which have none (IREE's other backends reject the
    CPU's). A fallback CPU with the same lowering options (the host, named as such)
    takes the CPU's lowered module as it is. All three modules compile."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: False)
    temps = tmp_path / "temps"
    targets = ["cpu", "vulkan", "other=cpu:cpu=host"]
    bundle = gimlet.compile(EXAMPLES / "mlp.onnx", targets=targets, pins=[".*=cpu"], fallback="all", save_temps=temps)
    assert sorted(bundle.manifest["partitions"][0]["modules"]) == ["cpu", "other", "vulkan"]
    lowered = sorted(path.name for path in temps.glob("*gimlet-lower-to-linalg*.mlir"))
    assert [name.split("-", 1)[1] for name in lowered] == [f"gimlet-lower-to-linalg-p0{key}.mlir" for key in ("", ".vulkan")]
    own, vulkan = ((temps / name).read_text() for name in lowered)
    assert "compilation_info" in own and "compilation_info" not in vulkan
    assert vulkan.count("linalg.matmul") == own.count("linalg.matmul") == 3


@pytest.mark.parametrize("avx512", [False, True], ids=["avx2", "avx512"])
def test_pointwise_convolutions_with_few_rows_read_their_filter_once(avx512, tmp_path, monkeypatch):
    """A MobileNetV2 block at 7×7 pixels whose 1×1 filters are larger than 256 KiB: both 1×1
    convolutions are matmuls that take all 49 rows in one workgroup (pointwise.py), the expansion
    too, though padded next, and the block computes what the ONNX reference does. Workgroups are
    rounded up to whole vector tiles: 9 of 6 rows (AVX2), 7 of 7 (AVX-512). On a 2-core host the
    expansion's 24 panels of 32 features go two to a workgroup, 12 workgroups that IREE hands one
    at a time to its two threads, where 24 would go in reservations of 8, 16 to one thread and 8 to
    the other; the projection's 4 (AVX-512) or 8 (AVX2) panels stay one to a workgroup."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: avx512)
    monkeypatch.setattr("gimlet.targets.cpu.host_cores", lambda: 2)
    rng = np.random.default_rng(11)
    weights = {
        "expand": (rng.standard_normal((768, 128, 1, 1)) / 8).astype(np.float32),
        "depthwise": rng.standard_normal((768, 1, 3, 3)).astype(np.float32),
        "project": (rng.standard_normal((128, 768, 1, 1)) / 16).astype(np.float32),
        "project_bias": rng.standard_normal(128).astype(np.float32),
    }
    _, lowered = _residual_block_lowered(weights, [1, 128, 7, 7], rng, tmp_path)
    tiles = dict(re.findall(r"#(\w+) = #iree_cpu\.lowering_config<cache_parallel = (\[[\d, ]+\])", lowered))
    infos = {name: tiles[config] for name, config in re.findall(r"#(\w+) = #iree_codegen\.compilation_info<lowering_config = #(\w+)", lowered)}
    matmuls = re.findall(r"linalg\.matmul \{compilation_info = #(\w+)\} ins\(%\S+, %\S+ : (tensor<\w+>)", lowered)
    expected = ["[49, 64, 0]", "[49, 32, 0]"] if avx512 else ["[54, 64, 0]", "[54, 16, 0]"]
    operands = ["tensor<49x128xf32>", "tensor<49x768xf32>"]
    assert [(infos[info], operand) for info, operand in matmuls] == list(zip(expected, operands))


@pytest.mark.parametrize(
    ("panels", "workers", "count"),
    [(40, 2, 10), (30, 2, 10), (24, 2, 12), (5, 2, 5), (16, 2, 16), (48, 2, 48), (24, 16, 24), (40, 1, 40), (40, 0, 40)],
)
def test_shared_filter_workgroups_divide_evenly_between_the_threads(panels, workers, count):
    """IREE's runtime hands a dispatch of at least 8 workgroups a thread to its threads 8 at a
    time, a smaller one one at a time: the count chosen divides the panels and leaves every thread
    the same number, or else is one panel a workgroup (5 on 2 threads, or an unknown thread count)."""
    assert balanced_workgroup_count(panels, workers) == count


@pytest.mark.parametrize(
    ("rows", "features", "workers", "workgroup"),
    [
        (196, 64, 2, [49, 64, 0]),  # 7 workgroups of 28 rows would leave one thread idle for one
        (784, 32, 2, [49, 64, 0]),  # 28 would go out in reservations of 8: 16 and 12
        (196, 96, 2, [28, 64, 0]),  # 7 row groups × 2 column groups: 14, already even
        (3136, 64, 2, [28, 64, 0]),  # 112: a multiple of 16
        (196, 64, 0, [28, 64, 0]),  # threads unknown
        (196, 64, 1, [28, 64, 0]),
    ],
)
def test_pixel_row_workgroups_grow_until_they_divide_evenly_between_the_threads(rows, features, workers, workgroup):
    """AVX-512 pixel-row tiles (28 rows × 64 features a workgroup, 7×32 vectors) take more rows a
    workgroup where their count would not spread evenly over the threads."""
    tiles = replace(pointwise.REGISTER_TILES["avx512"], workers=workers)
    assert pointwise._row_tiles(tiles, rows, 192, features)[0] == workgroup


def test_an_expansion_padded_next_computes_over_the_padded_grid(tmp_path, monkeypatch):
    """A MobileNetV2 block at 28×28 pixels: the expansion pads its input and runs over the 30×30
    grid, its biased, clipped border zeroed, and the depthwise convolution reads it unpadded
    (pointwise.ComputePaddedOutput); the block computes what the ONNX reference does, edges
    included, though its bias makes the expansion's border 1 to 6 before zeroing."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: False)
    rng = np.random.default_rng(5)
    weights = {
        "expand": (rng.standard_normal((96, 16, 1, 1)) / 4).astype(np.float32),
        "expand_bias": rng.uniform(1, 6, 96).astype(np.float32),
        "depthwise": rng.standard_normal((96, 1, 3, 3)).astype(np.float32),
        "project": (rng.standard_normal((16, 96, 1, 1)) / 8).astype(np.float32),
    }
    _, lowered = _residual_block_lowered(weights, [1, 16, 28, 28], rng, tmp_path)
    assert re.search(r"linalg\.matmul \{compilation_info = #\w+\} ins\(%\S+, %\S+ : tensor<900x16xf32>, tensor<16x96xf32>\)", lowered)
    assert "arith.select" in lowered
    assert "tensor<1x28x28x96xf32> to tensor<1x30x30x96xf32>" not in lowered  # no pad of the expansion's result


def test_data_tiling_keeps_the_next_pack_out_of_a_depthwise_convolution(tmp_path, monkeypatch):
    """A MobileNetV2 block (1x1 expansion, ReLU6, padded 3x3 depthwise, 1x1 projection) under the
    data-tiling-inner-pads strategy: the depthwise convolution pads in its own dispatch, so IREE packs the
    projection's input outside it instead of scattering it from the convolution's dispatch
    (CpuTarget.strategies), and the block computes what the ONNX reference does."""
    import iree.compiler.tools as iree_tools

    monkeypatch.setattr(CpuTarget, "SMALL_FLOPS", 0)
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: True)  # where this is the default strategy
    rng = np.random.default_rng(3)
    weights = {
        "expand": rng.standard_normal((48, 8, 1, 1)).astype(np.float32),
        "depthwise": rng.standard_normal((48, 1, 3, 3)).astype(np.float32),
        "project": rng.standard_normal((16, 48, 1, 1)).astype(np.float32),
    }
    model = _inverted_residual(weights, [1, 8, 20, 20], "GlobalAveragePool", [1, 16, 1, 1])  # keeps the projection channels-last
    feeds = {"x": rng.standard_normal((1, 8, 20, 20)).astype(np.float32)}
    bundle, temps = _compiled_and_checked(model, feeds, tmp_path)
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    assert module["strategy"] == "data-tiling-inner-pads"
    assert module["flags"] == get_target("cpu").compile_flags() + get_target("cpu").strategies()["data-tiling-inner-pads"]
    flow = iree_tools.compile_file(
        str(temps / "iree-p0.cpu.input.mlirbc"), extra_args=[*module["flags"], "--compile-to=flow"], output_mlir_debuginfo=False
    ).decode()
    bodies = {e.split()[0]: e for e in flow.split("flow.executable.export public @")[1:]}
    depthwise = [body for name, body in bodies.items() if "_conv_20x20x48x3x3_" in name]
    assert len(depthwise) == 1 and "set_encoding" not in depthwise[0]


def test_convolution_data_tiling_leaves_thin_stems_out(tmp_path, monkeypatch):
    """An image stem over 3 channels stays IREE's direct convolution: the strategy runs
    gimlet-data-tiling-hints after IREE's global optimization, which hints the dense convolution
    and not the stem, and the two-run compile still computes what the reference does."""
    rng = np.random.default_rng(1)
    stem = rng.standard_normal((16, 3, 7, 7)).astype(np.float32)
    dense = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "stem"], ["s"], strides=[2, 2], pads=[3, 3, 3, 3]),
            helper.make_node("Relu", ["s"], ["r"]),
            # Dilated: a dense 3×3 convolution that Winograd's F(4×4, 3×3) leaves a convolution.
            helper.make_node("Conv", ["r", "dense"], ["y"], pads=[2, 2, 2, 2], dilations=[2, 2]),
        ],
        "stem_then_dense",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 48, 48])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 24, 24])],
        [numpy_helper.from_array(stem, "stem"), numpy_helper.from_array(dense, "dense")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    feeds = {"x": rng.standard_normal((1, 3, 48, 48)).astype(np.float32)}
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: True)  # where the dense one stays a convolution
    bundle, temps = _compiled_and_checked(model, feeds, tmp_path)
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    assert module["strategy"] == "conv-data-tiling"
    assert module["after_global_optimization"] == ["gimlet-data-tiling-hints"]
    assert "iree.opt.data_tiling" not in (temps / "iree-p0.cpu.global-optimization.mlir").read_text()
    after = (temps / "iree-p0.cpu.global-optimization.after-passes.mlir").read_text().splitlines()
    hinted = [line for line in after if "iree.opt.data_tiling" in line]
    stem_convolutions = [line for line in after if "reduction" in line and "tensor<7x7x3x16xf32>)" in line]
    assert len(hinted) == 1 and "tensor<3x3x16x16xf32>" in hinted[0] and len(stem_convolutions) == 1
    script = (temps / "iree-p0.cpu.iree-compile.sh").read_text().splitlines()
    assert "--compile-to=global-optimization" in script[0] and script[1].startswith("gimlet-opt --gimlet-data-tiling-hints")
    assert "--compile-from=global-optimization" in script[2]


def test_errors_of_the_second_run_name_the_node(monkeypatch):
    """iree-compile's second run reads IREE's own IR, printed with its locations, so that its errors
    still name the ONNX node: here O3 fuses an embedding gather into its layer norm past IREE's
    stack limit (as in MiniLM), under a strategy that compiles in two runs."""
    rng = np.random.default_rng(2)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["rows"], name="embed/Gather"),
            helper.make_node("LayerNormalization", ["rows", "scale", "bias"], ["y"], axis=-1, name="embed/LayerNorm"),
        ],
        "embedding",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 128])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 128, 384])],
        [
            numpy_helper.from_array(rng.standard_normal((1000, 384)).astype(np.float32), "table"),
            numpy_helper.from_array(np.ones(384, np.float32), "scale"),
            numpy_helper.from_array(np.zeros(384, np.float32), "bias"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    monkeypatch.setattr(CpuTarget, "default_strategy", lambda self, op_counts, flops=None: "conv-data-tiling")
    monkeypatch.setattr(CpuTarget, "fallback_strategy", lambda self, strategy: "default")  # which warns
    with pytest.warns(UserWarning, match="strategy conv-data-tiling failed to compile") as caught:
        bundle = gimlet.compile(model)
    message = next(str(w.message) for w in caught if "conv-data-tiling" in str(w.message))
    assert "embed/LayerNorm" in message and "after-passes" not in message
    assert bundle.manifest["partitions"][0]["modules"]["cpu"]["strategy"] == "default"
