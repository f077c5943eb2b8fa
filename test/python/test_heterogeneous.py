"""Heterogeneous execution for real: models split across the CPU and a Vulkan device (lavapipe in CI).

Needs a Vulkan device; `.ci/run` installs Debian's mesa-vulkan-drivers for it. Without one these
tests are skipped with the reason, never silently passed.
"""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import pytest
from support import EXAMPLES, LIGHT_MODELS, assert_close, reference_outputs

import gimlet
from gimlet.runtime import BundleFile
from gimlet.runtime.devices import try_open

needs_vulkan = pytest.mark.skipif(try_open("vulkan") is None, reason="no Vulkan device (apt install mesa-vulkan-drivers)")

#: (model, pins): everything on the CPU but the pinned nodes, which go to Vulkan.
SPLITS = {
    "mlp": (EXAMPLES / "mlp.onnx", ["fc1|relu1|fc2"]),
    "cnn": (EXAMPLES / "cnn.onnx", ["conv2.*|pool1"]),
    "transformer": (EXAMPLES / "transformer.onnx", ["q_proj.*|k_proj.*|v_proj.*|scores|scale_scores|mask_scores|attention_softmax|context"]),
    "light_squeezenet": (LIGHT_MODELS / "light_squeezenet.onnx", ["n6[34]"]),  # the head: lavapipe is slow on big convs
}


def _feeds(session, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        i.name: rng.standard_normal(i.shape).astype(i.dtype) if i.dtype.kind == "f" else rng.integers(0, 100, i.shape).astype(i.dtype)
        for i in session.inputs
    }


@pytest.fixture(scope="module")
def split_bundles(tmp_path_factory):
    directory = tmp_path_factory.mktemp("split")
    paths = {}
    for name, (model, vulkan_nodes) in SPLITS.items():
        pins = [".*=cpu"] + [f"{pattern}=vulkan" for pattern in vulkan_nodes]
        paths[name] = gimlet.compile(model, targets=["cpu", "vulkan"], pins=pins).save(directory / f"{name}.gimlet")
    return paths


@needs_vulkan
@pytest.mark.parametrize("name", list(SPLITS))
def test_split_across_cpu_and_vulkan_matches_onnxruntime(name, split_bundles):
    session = gimlet.load(split_bundles[name])
    devices = set(session.placement.values())
    assert devices == {"cpu", "vulkan"}, session.placement
    feeds = _feeds(session)
    outputs = session.run(feeds, profile=True)
    expected = reference_outputs(onnx.load(str(SPLITS[name][0])), feeds)
    for (output, actual), reference in zip(outputs.items(), expected):
        assert_close(actual, reference, name=output)
    profile = session.last_profile
    assert {p.device for p in profile.partitions} == {"cpu", "vulkan"}
    assert profile.transfers and all(t.bytes > 0 and t.measured_s > 0 for t in profile.transfers)


@needs_vulkan
def test_the_same_bundle_falls_back_to_the_cpu_with_one_warning(split_bundles):
    path = split_bundles["cnn"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        session = gimlet.load(path, devices=["cpu"])
    messages = [str(w.message) for w in caught if "gimlet" in str(w.message)]
    assert len(messages) == 1, messages
    assert "placed on vulkan runs on cpu instead" in messages[0]
    assert set(session.placement.values()) == {"cpu"}
    feeds = _feeds(session, seed=1)
    expected = reference_outputs(onnx.load(str(SPLITS["cnn"][0])), feeds)
    assert_close(session.run(feeds)["logits"], expected[0])


@pytest.mark.parametrize("target", ["cuda:device=h200", "rocm:device=mi300x", "metal"])
def test_gpu_bundles_compile_here_and_fall_back_to_the_cpu(target, tmp_path):
    # Pin everything to the GPU so that its modules are built, with the CPU fallback beside them.
    bundle = gimlet.compile(EXAMPLES / "mlp.onnx", targets=[target, "cpu"], pins=[f".*={target.partition(':')[0]}"])
    path = bundle.save(tmp_path / "gpu.gimlet")
    BundleFile(path)  # integrity: every member's checksum verifies
    name = target.partition(":")[0]
    partition = bundle.manifest["partitions"][0]
    assert list(partition["modules"]) == [name, "cpu"]
    with pytest.warns(UserWarning, match=f"placed on {name} runs on cpu instead"):
        session = gimlet.load(path)
    x = np.random.default_rng(4).standard_normal((4, 64)).astype(np.float32)
    expected = reference_outputs(onnx.load(str(EXAMPLES / "mlp.onnx")), {"x": x})[0]
    assert_close(session.run(x)["probabilities"], expected)
