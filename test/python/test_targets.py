"""Target specs: `name[:key=value,...]`, with errors that list what is valid."""

from __future__ import annotations

import pytest

from gimlet.errors import OptionError
from gimlet.runtime import devices
from gimlet.targets import get_target
from gimlet.targets.cpu import CpuTarget


def test_cpu_defaults_to_the_host():
    flags = get_target("cpu").compile_flags()
    assert "--iree-hal-local-target-device-backends=llvm-cpu" in flags
    assert "--iree-llvmcpu-target-cpu=host" in flags


def test_cpu_data_tiled_matmul_workgroups_follow_the_host_core_count(monkeypatch):
    """Compiled for an AVX-512 host, the data-tiling strategies take workgroups of
    CpuTarget.MATMUL_TILE_BYTES over its cores; for a named CPU, IREE's own split. No target sets it
    for every strategy, and a cross triple not at all in its flags."""
    monkeypatch.setattr(CpuTarget, "has_avx512", lambda self: True)
    data_tiling = ("conv-data-tiling", "data-tiling", "data-tiling-inner-pads")
    for cores, tile_bytes in ((2, 1 << 20), (16, 128 << 10)):
        monkeypatch.setattr("gimlet.targets.cpu.host_cores", lambda cores=cores: cores)
        strategies = get_target("cpu").strategies()
        assert all(f"--iree-llvmcpu-matmul-tile-bytes={tile_bytes}" in strategies[name] for name in data_tiling)
    named = get_target("cpu:cpu=znver4").strategies()
    assert not any(flag.startswith("--iree-llvmcpu-matmul-tile-bytes") for name in data_tiling for flag in named[name])
    for spec in ("cpu", "cpu:cpu=znver4", "cpu:triple=aarch64-linux-gnu"):
        assert not any(flag.startswith("--iree-llvmcpu-matmul-tile-bytes") for flag in get_target(spec).compile_flags())


def test_cpu_lowering_balances_shared_filter_workgroups_over_the_host_cores(monkeypatch):
    """Compiled for the host, on either instruction set, the lowering is told how many threads the
    module runs on (one a core), to balance tiled 1×1 convolutions over them; a named CPU or a cross
    triple runs elsewhere, on a machine of unknown size."""
    monkeypatch.setattr("gimlet.targets.cpu.host_cores", lambda: 16)
    for avx512 in (True, False):
        monkeypatch.setattr(CpuTarget, "has_avx512", lambda self, avx512=avx512: avx512)
        assert " workers=16 " in get_target("cpu").lowering_options()
    for spec in ("cpu:cpu=znver4", "cpu:triple=aarch64-linux-gnu"):
        assert get_target(spec).host_threads() == 0
        assert "workers=" not in get_target(spec).lowering_options()


@pytest.mark.parametrize(
    ("fields", "cores"),
    [({"cpu cores": "4", "siblings": "8"}, 8), ({"cpu cores": "16", "siblings": "16"}, 16), ({}, 16), ({"siblings": "0", "cpu cores": "4"}, 16)],
)
def test_host_cores_leave_out_smt_siblings(fields, cores, monkeypatch):
    """IREE's runtime starts a worker a physical core: 16 logical CPUs of 2 threads a core are 8
    cores; without /proc/cpuinfo's core counts, every logical CPU counts."""
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    monkeypatch.setattr(devices, "cpuinfo", lambda: fields)
    assert devices.host_cores.__wrapped__() == cores


def test_cpu_cross_triple():
    target = get_target("cpu:triple=aarch64-linux-gnu")
    flags = target.compile_flags()
    assert "--iree-llvmcpu-target-triple=aarch64-linux-gnu" in flags
    assert "--iree-llvmcpu-target-cpu=generic" in flags
    assert target.describe() == "cpu:triple=aarch64-linux-gnu"


def test_unknown_target_lists_known_ones():
    with pytest.raises(OptionError, match="unknown target 'tpu'; known targets: cpu, cuda, metal, rocm, vulkan"):
        get_target("tpu")


def test_unknown_option_lists_valid_ones():
    with pytest.raises(OptionError, match="target 'cpu' has no option 'arch'; its options: cpu .*triple"):
        get_target("cpu:arch=sm_90")


def test_option_needs_a_value():
    with pytest.raises(OptionError, match="must be key=value"):
        get_target("cpu:triple")


def test_all_five_targets_have_flags_and_drivers():
    expected = {
        "cpu": ("local-task", "--iree-hal-target-device=local"),
        "cuda": ("cuda", "--iree-cuda-target=sm_80"),
        "rocm": ("hip", "--iree-rocm-target=gfx942"),
        "vulkan": ("vulkan", "--iree-hal-target-device=vulkan"),
        "metal": ("metal", "--iree-hal-target-device=metal"),
    }
    for name, (driver, flag) in expected.items():
        target = get_target(name)
        assert target.DRIVER == driver
        assert flag in target.compile_flags()


def test_cpu_runs_small_modules_inline_and_the_rest_on_workers():
    cpu = get_target("cpu")
    assert cpu.driver(flops=2e6, bytes_moved=1e5) == "local-sync"
    assert cpu.driver(flops=cpu.INLINE_FLOPS, bytes_moved=1e5) == "local-task"
    assert cpu.driver(flops=1e3, bytes_moved=cpu.INLINE_BYTES) == "local-task"  # memory-bound: two threads help
    assert get_target("cuda").driver(flops=1e3, bytes_moved=1e3) == "cuda"


def test_cuda_architectures_newer_than_iree_knows_compile_as_sm80_ptx():
    assert "--iree-cuda-target=sm_80" in get_target("cuda:arch=sm_90").compile_flags()
    assert "--iree-cuda-target=sm_89" in get_target("cuda:arch=sm_89").compile_flags()
    with pytest.raises(OptionError, match="cuda: unknown arch 'sm_999'; known: sm_60"):
        get_target("cuda:arch=sm_999").compile_flags()


PLUGIN = '''
from dataclasses import dataclass
from gimlet.targets import Target


@dataclass(frozen=True)
class AcmeTarget(Target):
    NAME = "acme"
    DRIVER = "local-task"
    OPTIONS = {"level": "optimisation level"}

    def compile_flags(self):
        return ["--iree-hal-target-device=local", "--iree-hal-local-target-device-backends=llvm-cpu",
                "--iree-llvmcpu-target-cpu=host", f"--iree-opt-level=O{self.options.get('level', '2')}"]
'''


def test_third_party_target_through_entry_point(tmp_path):
    """A package that declares a gimlet.targets entry point adds a target, found by name."""
    import subprocess
    import sys

    (tmp_path / "acme_target.py").write_text(PLUGIN)
    dist = tmp_path / "acme_target-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-target\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[gimlet.targets]\nacme = acme_target:AcmeTarget\n")
    script = (
        "from gimlet.targets import get_target, available_targets\n"
        "t = get_target('acme:level=3')\n"
        "print(sorted(available_targets()), t.compile_flags()[-1])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "'acme'" in result.stdout and "--iree-opt-level=O3" in result.stdout
