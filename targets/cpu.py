"""The CPU target: IREE's llvm-cpu backend, the host CPU unless told otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Target


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
