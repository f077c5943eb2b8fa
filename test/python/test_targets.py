"""Target specs: `name[:key=value,...]`, with errors that list what is valid."""

from __future__ import annotations

import pytest

from gimlet.errors import OptionError
from gimlet.targets import get_target


def test_cpu_defaults_to_the_host():
    flags = get_target("cpu").compile_flags()
    assert "--iree-hal-local-target-device-backends=llvm-cpu" in flags
    assert "--iree-llvmcpu-target-cpu=host" in flags


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
