"""Calibration: measured profiles are sane, round-trip through the profile file, change what the
cost model estimates for a target (unless device= names a profile), and absent devices are
reported rather than crashing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from iree.compiler import ir
from rich.console import Console

from gimlet.compiler.context import new_context
from gimlet.errors import OptionError
from gimlet.passes.partition.cost import estimate
from gimlet.runtime.devices import try_open
from gimlet.runtime.transfers import to_host
from gimlet.targets import get_target
from gimlet.compiler.calibration import MICROBENCHMARKS, DeviceBench, OpSpec, calibrate, calibrate_target
from gimlet.targets.perf import OP_CLASSES, load_profiles, save_profiles
from gimlet.targets.profiles import host_cpu_profile
from gimlet.tools import gimlet_calibrate

MATMUL = OpSpec("gimlet.matmul", ("tensor<64x256xf32>", "tensor<256x128xf32>"), "tensor<64x128xf32>")


@pytest.fixture(scope="module")
def cpu_calibration():
    return calibrate_target("cpu", passes=1)  # one pass: these tests check the machinery, not the precision


def assert_plausible(profile, source_prefix="calibrated on "):
    assert profile.source.startswith(source_prefix)
    figures = [*profile.peak_ops.values(), profile.memory_bandwidth, profile.launch_overhead]
    figures += [value for pair in profile.efficiency.values() for value in pair]
    assert all(math.isfinite(value) and value > 0 for value in figures), profile
    assert 1e8 < profile.peak_ops["f32"] < 1e15  # FLOP/s
    assert 1e8 < profile.memory_bandwidth < 1e13  # bytes/s
    assert 1e-8 < profile.launch_overhead < 1e-1  # seconds (lavapipe on a loaded machine reaches ~20 ms)
    assert set(OP_CLASSES) <= set(profile.efficiency)
    assert all(key in OP_CLASSES or key.startswith("gimlet.") for key in profile.efficiency)


def test_cpu_calibration_is_plausible(cpu_calibration):
    profile = cpu_calibration.profile
    assert_plausible(profile)
    assert profile.host_bandwidth == math.inf and cpu_calibration.link is None  # the CPU's memory is the host's
    base = host_cpu_profile()
    assert (profile.dtypes, profile.price_per_hour) == (base.dtypes, base.price_per_hour)
    # The peaks are the highest rates measured: some class or op kind (a convolution may outrun the
    # matmuls) reaches each at efficiency 1, none beyond.
    computing = [c for key, (c, _) in profile.efficiency.items() if key != "data_movement"]
    memory = [m for _, m in profile.efficiency.values()]
    assert max(computing) == pytest.approx(1.0) and max(memory) == pytest.approx(1.0)
    assert all(value <= 1 + 1e-9 for value in computing + memory)
    # Other dtypes keep the base profile's ratios to f32.
    assert profile.peak_ops["f16"] / profile.peak_ops["f32"] == pytest.approx(base.peak_ops["f16"] / base.peak_ops["f32"])


def test_the_roofline_reproduces_the_microbenchmarks(cpu_calibration):
    """No microbenchmark is estimated slower than measured, and in every class one of them is
    estimated exactly (the efficiencies are the highest fractions reached)."""
    profile = cpu_calibration.profile
    ratios = {}
    with new_context() as context, ir.Location.unknown(context):
        for name, timing in cpu_calibration.timings.items():
            module = ir.Module.parse(f"module {{\n{timing.spec.function('f', 1)}\n}}")
            op = next(o for o in module.body.operations[0].regions[0].blocks[0].operations if o.operation.name == timing.spec.name)
            ratios[name] = estimate(op.operation, profile) / timing.seconds
    assert all(ratio <= 1 + 1e-9 for ratio in ratios.values()), ratios
    for op_class in ("contraction", "elementwise", "reduction", "data_movement"):
        members = [name for name, cls, _, _ in MICROBENCHMARKS if cls == op_class]
        assert max(ratios[name] for name in members) == pytest.approx(1.0), (op_class, ratios)


def test_profiles_round_trip_through_the_file(cpu_calibration, tmp_path):
    path = tmp_path / "profiles.json"
    save_profiles(path, {"cpu": cpu_calibration.profile})
    assert load_profiles(path) == {"cpu": cpu_calibration.profile}


def test_a_calibrated_file_changes_the_targets_profile_unless_device_is_given(cpu_calibration, tmp_path):
    path = tmp_path / "profiles.json"
    save_profiles(path, {"cpu": cpu_calibration.profile})
    calibrated = load_profiles(path)
    assert get_target("cpu").profile(calibrated) == cpu_calibration.profile
    assert get_target("cpu").profile() == host_cpu_profile()
    assert get_target("cpu:device=host").profile(calibrated) == host_cpu_profile()
    with new_context() as context, ir.Location.unknown(context):
        module = ir.Module.parse(f"module {{\n{MATMUL.function('f', 1)}\n}}")
        matmul = next(o for o in module.body.operations[0].regions[0].blocks[0].operations if o.operation.name == "gimlet.matmul")
        assert estimate(matmul.operation, get_target("cpu").profile(calibrated)) != estimate(matmul.operation, host_cpu_profile())


def test_a_chain_of_copies_computes_the_op():
    """The timed chains keep the op's meaning: barriers only order the copies."""
    bench = DeviceBench("cpu")
    add = OpSpec("gimlet.elementwise", ("tensor<3x5xf32>", "tensor<3x5xf32>"), "tensor<3x5xf32>", '{fn = "add"}')
    op = bench.prepare(add)
    once = to_host(op.once(), bench.device, bench.driver)
    chained = to_host(op.chain(), bench.device, bench.driver)
    assert once.shape == (3, 5)
    np.testing.assert_array_equal(once, chained)


def absent_target() -> str:
    absent = [name for name in ("cuda", "rocm", "metal") if try_open(get_target(name).DRIVER) is None]
    if not absent:
        pytest.skip("every GPU target has a device here")
    return absent[0]


def test_a_target_without_a_device_is_reported_not_a_crash():
    name = absent_target()

    class Notes:
        def __init__(self):
            self.skipped_targets = {}

        def step(self, description):
            from contextlib import nullcontext

            return nullcontext()

        def skipped(self, target, reason):
            self.skipped_targets[target] = reason

    notes = Notes()
    assert calibrate([name], notes) == {}
    assert name in notes.skipped_targets and notes.skipped_targets[name]


def test_the_tool_exits_1_with_one_line_when_nothing_could_be_calibrated(tmp_path, capsys):
    name = absent_target()
    output = tmp_path / "profiles.json"
    assert gimlet_calibrate.main(["--targets", name, "-o", str(output), "-q"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("gimlet-calibrate: error: no device here") and error.count("\n") == 1
    assert not output.exists()


def test_the_tool_rejects_unknown_targets_and_options():
    with pytest.raises(OptionError, match="unknown target 'tpu'"):
        gimlet_calibrate.parse_target_names("cpu,tpu")
    with pytest.raises(OptionError, match="without options"):
        gimlet_calibrate.parse_target_names("cpu:cpu=host")


def test_the_table_compares_with_the_base_profile(cpu_calibration):
    console = Console(record=True, width=120)
    console.print(gimlet_calibrate.comparison_table(cpu_calibration))
    text = console.export_text()
    assert "f32 peak (GFLOP/s)" in text and "host (estimate)" in text and "launch overhead" in text


@pytest.mark.skipif(try_open("vulkan") is None, reason="no Vulkan device here")
def test_vulkan_calibration_measures_the_host_link():
    result = calibrate_target("vulkan", passes=1)
    assert_plausible(result.profile)
    assert result.link is not None
    assert 0 < result.profile.host_latency < 1e-1 and 1e6 < result.profile.host_bandwidth < math.inf
