"""GPU targets: CUDA (NVIDIA), ROCm (AMD), Vulkan (any SPIR-V device) and Metal (Apple)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import OptionError
from .base import Target


#: CUDA architectures IREE 3.13 has target descriptions for.
IREE_CUDA_ARCHS = ("sm_60", "sm_61", "sm_70", "sm_75", "sm_80", "sm_86", "sm_87", "sm_89")
#: Newer architectures IREE 3.13 cannot describe ("missing GPU target", iree-org/iree#22147).
#: IREE's CUDA modules carry PTX, which the driver JIT-compiles for the device at load, and PTX
#: built for sm_80 runs on every later GPU; so these compile for sm_80.
PTX_FORWARD_ARCHS = ("sm_90", "sm_90a", "sm_100", "sm_100a", "sm_103", "sm_120", "sm_121")


@dataclass(frozen=True)
class CudaTarget(Target):
    NAME = "cuda"
    DRIVER = "cuda"
    OPTIONS = {"arch": "NVIDIA architecture, e.g. sm_80 (A100), sm_89 (L4), sm_90 (H100/H200); default: the device's"}
    DEVICES = ("a100", "h100", "h200", "l4")
    DEVICE_ARCH = {"a100": "sm_80", "h100": "sm_90", "h200": "sm_90", "l4": "sm_89"}

    @property
    def arch(self) -> str:
        return self.options.get("arch", self.DEVICE_ARCH.get(self.options.get("device", "a100"), "sm_80"))

    def compile_flags(self) -> list[str]:
        arch = self.arch
        if arch in PTX_FORWARD_ARCHS:
            arch = "sm_80"
        elif arch not in IREE_CUDA_ARCHS:
            known = ", ".join(IREE_CUDA_ARCHS + PTX_FORWARD_ARCHS)
            raise OptionError(f"cuda: unknown arch '{arch}'; known: {known}")
        return ["--iree-hal-target-device=cuda", f"--iree-cuda-target={arch}"]


@dataclass(frozen=True)
class RocmTarget(Target):
    NAME = "rocm"
    DRIVER = "hip"
    OPTIONS = {"arch": "AMD architecture, e.g. gfx942 (MI300X), gfx90a (MI250); default: the device's"}
    DEVICES = ("mi300x", "mi250")
    DEVICE_ARCH = {"mi300x": "gfx942", "mi250": "gfx90a"}

    def compile_flags(self) -> list[str]:
        arch = self.options.get("arch", self.DEVICE_ARCH.get(self.options.get("device", "mi300x"), "gfx942"))
        # IREE has no --iree-hip-target; the ROCm flag serves the hip device.
        return ["--iree-hal-target-device=hip", f"--iree-rocm-target={arch}"]


@dataclass(frozen=True)
class VulkanTarget(Target):
    NAME = "vulkan"
    DRIVER = "vulkan"
    DEVICES = ("vulkan-gpu", "lavapipe")
    OPTIONS = {
        "arch": "SPIR-V target, e.g. rdna3, valhall4, ampere; default: IREE's generic Vulkan target "
        "(a GPU-specific target gave wrong results on the lavapipe software device)",
    }

    def compile_flags(self) -> list[str]:
        flags = ["--iree-hal-target-device=vulkan"]
        if "arch" in self.options:
            flags.append(f"--iree-vulkan-target={self.options['arch']}")
        return flags


@dataclass(frozen=True)
class MetalTarget(Target):
    NAME = "metal"
    DRIVER = "metal"
    DEVICES = ("m1-max",)
    OPTIONS = {"platform": "Apple platform: macos or ios; default macos"}

    def compile_flags(self) -> list[str]:
        return ["--iree-hal-target-device=metal", f"--iree-metal-target-platform={self.options.get('platform', 'macos')}"]
