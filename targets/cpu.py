"""The CPU target: IREE's llvm-cpu backend, the host CPU unless told otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from .base import DEFAULT_STRATEGY, Target


@dataclass(frozen=True)
class CpuTarget(Target):
    NAME = "cpu"
    DRIVER = "local-task"
    DEVICES = ("host",)
    OPTIONS = {
        "cpu": "LLVM CPU name to tune for (default: host, the CPU compiling the model)",
        "triple": "target triple for cross-compiling, e.g. aarch64-linux-gnu (default: the host's)",
        "features": "extra LLVM CPU features, e.g. +avx512f",
    }

    def strategies(self) -> dict[str, list[str]]:
        """Measured on this project's machine (AMD EPYC, 2 threads, ResNets and MiniLM vs ONNX Runtime):
        im2col takes convolution-heavy models from 4-6x ONNX Runtime's time to 1.5-2.4x, and with O3,
        data tiling and microkernels to about 1.4x; data tiling alone takes MiniLM from 0.91x to 0.68x,
        where O3 slows it and needs a larger stack."""
        return {
            DEFAULT_STRATEGY: [],
            "data-tiling": ["--iree-opt-data-tiling"],
            "im2col": ["--iree-global-opt-use-im2col-for-convs"],
            "conv": [
                "--iree-global-opt-use-im2col-for-convs",
                "--iree-opt-level=O3",
                "--iree-opt-data-tiling",
                "--iree-llvmcpu-enable-ukernels=all",
            ],
        }

    def default_strategy(self, op_counts: dict[str, int]) -> str:
        if op_counts.get("gimlet.conv"):
            return "conv"
        if op_counts.get("gimlet.matmul") or op_counts.get("gimlet.attention"):
            return "data-tiling"
        return DEFAULT_STRATEGY

    def compile_flags(self) -> list[str]:
        triple = self.options.get("triple")
        # A cross triple has no "host" CPU to tune for; default to the generic one.
        cpu = self.options.get("cpu", "generic" if triple else "host")
        flags = [
            "--iree-hal-target-device=local",
            "--iree-hal-local-target-device-backends=llvm-cpu",
            f"--iree-llvmcpu-target-cpu={cpu}",
        ]
        if triple:
            flags.append(f"--iree-llvmcpu-target-triple={triple}")
        if "features" in self.options:
            flags.append(f"--iree-llvmcpu-target-cpu-features={self.options['features']}")
        return flags
