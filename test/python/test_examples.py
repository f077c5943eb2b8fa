"""End to end on the shipped examples and the onnx package's light models: gimlet vs the ONNX reference."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from support import EXAMPLES, LIGHT_MODELS, assert_close, compile_and_run, reference_outputs

EXAMPLE_NAMES = ["mlp", "cnn", "transformer"]
LIGHT_NAMES = sorted(p.stem for p in LIGHT_MODELS.glob("light_*.onnx"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_matches_reference(name):
    path = EXAMPLES / f"{name}.onnx"
    lowered, feeds, outputs = compile_and_run(path)
    expected = reference_outputs(onnx.load(str(path)), feeds)
    assert len(outputs) == len(expected)
    for spec, actual, reference in zip(lowered.outputs, outputs, expected):
        assert_close(actual, reference, name=spec.name)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_examples_are_fully_native(name):
    """Every op of the shipped examples has a gimlet op: nothing is foreign."""
    lowered, _, _ = compile_and_run(EXAMPLES / f"{name}.onnx")
    assert lowered.coverage.foreign_count == 0, lowered.coverage.report(name)
    assert lowered.coverage.native_count > 5


def test_transformer_uses_the_high_level_ops():
    lowered, _, _ = compile_and_run(EXAMPLES / "transformer.onnx")
    native = lowered.coverage.native
    for op in ("gimlet.layer_norm", "gimlet.softmax", "gimlet.gather", "gimlet.matmul"):
        assert native[op] >= 1, f"{op} missing: {dict(native)}"


def test_cnn_uses_conv_pool_and_batch_norm():
    lowered, _, _ = compile_and_run(EXAMPLES / "cnn.onnx")
    native = lowered.coverage.native
    assert native["gimlet.conv"] == 3
    assert native["gimlet.batch_norm"] == 3
    assert native["gimlet.pool"] >= 2


def _light_inputs(name: str) -> tuple[onnx.ModelProto, dict[str, np.ndarray], np.ndarray]:
    """The light model with its shipped input-free expected output, and a random input."""
    model = onnx.load(str(LIGHT_MODELS / f"{name}.onnx"))
    initializers = {i.name for i in model.graph.initializer}
    feeds = {}
    rng = np.random.default_rng(1)
    for value in model.graph.input:
        if value.name not in initializers:
            shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
            feeds[value.name] = rng.standard_normal(shape).astype(np.float32)
    return model, feeds


@pytest.mark.parametrize("name", LIGHT_NAMES)
def test_light_model_matches_reference(name):
    model, feeds = _light_inputs(name)
    lowered, feeds, outputs = compile_and_run(LIGHT_MODELS / f"{name}.onnx", feeds)
    expected = reference_outputs(model, feeds)
    for spec, actual, reference in zip(lowered.outputs, outputs, expected):
        assert_close(actual, reference, name=spec.name)
    assert lowered.coverage.native_fraction == 1.0, lowered.coverage.report(name)
