"""Compile strategies: defaults by model class, and --tune's measured choice and its cache."""

from __future__ import annotations

import numpy as np
import pytest
from support import EXAMPLES

import gimlet
from gimlet.compiler import tuning
from gimlet.targets import get_target


def test_default_strategy_follows_the_model_class():
    cpu = get_target("cpu")
    assert cpu.default_strategy({"gimlet.conv": 3, "gimlet.matmul": 1}) == "conv-data-tiling"
    assert cpu.default_strategy({"gimlet.conv": 3, "gimlet.conv[grouped]": 1}) == "conv"
    assert cpu.default_strategy({"gimlet.matmul": 8, "gimlet.softmax": 1}) == "data-tiling"
    assert cpu.default_strategy({"gimlet.elementwise": 2}) == "default"
    assert "--iree-global-opt-use-im2col-for-convs" in cpu.strategies()["conv"]
    assert get_target("vulkan").strategies() == {"default": []}


def test_bundle_records_the_strategy_and_its_flags(tmp_path):
    bundle = gimlet.compile(EXAMPLES / "cnn.onnx")
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    assert module["strategy"] == "conv-data-tiling"  # no grouped convolutions
    assert "--iree-dispatch-creation-experimental-set-data-tiling-ops=convolution" in module["flags"]
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
