"""Placement end to end on ONNX models: where the cost model puts ops, and how pins, links and SLAs move them."""

from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from support import EXAMPLES

import gimlet
from gimlet.compiler import CompileOptions
from gimlet.compiler.explain import render, totals
from gimlet.compiler.placement import place_model
from gimlet.passes.partition.place import PlacementError


def _chain_model(widths: list[int], name: str = "chain") -> onnx.ModelProto:
    """x[1, widths[0]] through MatMul+Relu layers; node i is named layer{i}."""
    rng = np.random.default_rng(0)
    nodes, initializers, current = [], [], "x"
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        weight = f"w{i}"
        initializers.append(numpy_helper.from_array((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32), weight))
        nodes.append(helper.make_node("MatMul", [current, weight], [f"h{i}"], name=f"layer{i}"))
        nodes.append(helper.make_node("Relu", [f"h{i}"], [f"r{i}"], name=f"relu{i}"))
        current = f"r{i}"
    nodes[-1].output[0] = "y"
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, widths[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, widths[-1]])],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _heavy_model() -> onnx.ModelProto:
    """A batch of 256 rows through three 1024-wide layers: ~1.6 GFLOP, matmul-heavy."""
    rng = np.random.default_rng(1)
    nodes, initializers, current = [], [], "x"
    for i in range(3):
        initializers.append(numpy_helper.from_array(rng.standard_normal((1024, 1024)).astype(np.float32) * 0.03, f"w{i}"))
        nodes.append(helper.make_node("MatMul", [current, f"w{i}"], [f"h{i}"], name=f"mm{i}"))
        current = f"h{i}"
    nodes.append(helper.make_node("ReduceMean", [current], ["y"], name="head", keepdims=0, axes=[1]))
    graph = helper.make_graph(
        nodes, "heavy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [256, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [256])],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _devices_of(placed) -> dict[str, str]:
    return {row["node"]: row["device"] for row in placed.ops}


def test_matmul_heavy_ops_go_to_the_gpu():
    placed = place_model(_heavy_model(), CompileOptions(targets=["cpu", "cuda:device=h200"]))
    devices = _devices_of(placed)
    assert [devices[f"mm{i}"] for i in range(3)] == ["cuda", "cuda", "cuda"]
    assert placed.summary["method"] == "exact" and placed.summary["optimal"]
    assert any(t["from"] == "cpu" and t["to"] == "cuda" for t in placed.transfers)


def test_a_very_slow_link_keeps_everything_on_one_device():
    options = CompileOptions(targets=["cpu", "cuda:device=h200"], links=["cpu-cuda=1Mbit/s,100ms"])
    placed = place_model(_heavy_model(), options)
    assert set(_devices_of(placed).values()) == {"cpu"}
    assert placed.transfers == [] and len(placed.partitions) == 1


def test_a_pinned_node_lands_where_pinned():
    options = CompileOptions(targets=["cpu", "cuda:device=h200"], pins=["mm1=cpu"])
    placed = place_model(_heavy_model(), options)
    rows = {row["node"]: row for row in placed.ops}
    assert rows["mm1"]["device"] == "cpu" and rows["mm1"]["reason"] == "pin"
    assert rows["mm0"]["device"] == "cuda"


def test_an_sla_that_cannot_be_met_names_the_best_latency():
    options = CompileOptions(targets=["cpu", "cuda:device=h200"], objective="cost", sla="1us")
    with pytest.raises(PlacementError, match=r"no placement meets the 0\.001 ms SLA; the best reachable latency is [0-9.]+ ms"):
        place_model(_heavy_model(), options)


def test_cost_under_a_loose_sla_picks_the_cheaper_placement():
    fast = place_model(_heavy_model(), CompileOptions(targets=["cpu", "cuda:device=h200,price=1000"]))
    cheap = place_model(_heavy_model(), CompileOptions(targets=["cpu", "cuda:device=h200,price=1000"], objective="cost", sla="10s"))
    assert cheap.summary["cost_usd"] <= fast.summary["cost_usd"]
    assert cheap.summary["latency_s"] <= 10
    assert cheap.summary["latency_s"] >= fast.summary["latency_s"]


def test_edge_cloud_split_moves_with_the_link():
    """A wide input shrinks in the first layer, then heavy layers follow. Over a slow link everything
    stays at the edge; over a fast one the cloud takes the heavy layers, cut where data is small."""
    model = _chain_model([16384, 64, 4096, 4096, 4096, 16])
    targets = ["edge=cpu:triple=aarch64-linux-gnu", "cloud=cuda:device=h200"]

    def split(link: str) -> dict[str, str]:
        return _devices_of(place_model(model, CompileOptions(targets=targets, links=[link])))

    slow = split("edge-cloud=50Mbit/s,20ms")
    fast = split("edge-cloud=1Gbit/s,1ms")
    assert set(slow.values()) == {"edge"}
    assert fast["layer0"] == "edge"  # the wide input is not worth sending
    assert fast["layer2"] == "cloud" and fast["layer3"] == "cloud"


def test_explain_shows_every_op_and_the_totals(tmp_path):
    bundle = gimlet.compile(EXAMPLES / "cnn.onnx", targets=["cpu", "cuda:device=h200"], pins=["conv2=cpu"])
    text = render(bundle.manifest, "text")
    assert "conv2" in text and "pin" in text
    assert "predicted latency" in text and "transfers:" in text
    for node in ("conv1", "fc", "pool1"):
        assert node in text
    data = json.loads(render(bundle.manifest, "json"))
    assert {row["node"] for row in data["placement"]["ops"]} >= {"conv1", "conv2", "fc"}
    assert data["totals"]["latency_s"] == pytest.approx(bundle.manifest["placement"]["latency_s"])
    summary = totals(bundle.manifest)
    assert sum(d["ops"] for d in summary["devices"].values()) == len(bundle.manifest["placement"]["ops"])
    dot = render(bundle.manifest, "dot")
    assert dot.startswith("digraph placement") and "p0 on" in dot
    if shutil.which("dot"):
        assert render(bundle.manifest, "svg").startswith(b"<?xml")


def test_manifest_keeps_estimates_and_placement(tmp_path):
    bundle = gimlet.compile(_heavy_model(), targets=["cpu", "cuda:device=h200"])
    placement = bundle.manifest["placement"]
    assert [d["name"] for d in placement["devices"]] == ["cpu", "cuda"]
    assert placement["devices"][1]["profile"] == "h200"
    for row in placement["ops"]:
        assert set(row["estimates"]) == {"cpu", "cuda"} and row["device"] in ("cpu", "cuda")
    # The partition on cuda also carries a CPU fallback module.
    cuda_partition = next(p for p in bundle.manifest["partitions"] if p["target"] == "cuda")
    assert list(cuda_partition["modules"]) == ["cuda", "cpu"]
    # Here, without a GPU, the fallback runs and gives the right answer.
    path = bundle.save(tmp_path / "heavy.gimlet")
    with pytest.warns(UserWarning, match="runs on cpu instead"):
        session = gimlet.load(path)
    x = np.random.default_rng(2).standard_normal((256, 1024)).astype(np.float32)
    weights = [numpy_helper.to_array(t) for t in _heavy_model().graph.initializer]
    expected = (x @ weights[0] @ weights[1] @ weights[2]).mean(axis=1)
    np.testing.assert_allclose(session.run(x)["y"], expected, rtol=1e-4, atol=1e-4)
