"""The CPU target: IREE's llvm-cpu backend, the host CPU unless told otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from ..runtime.devices import host_cores, host_cpu_flags
from .base import DEFAULT_STRATEGY, Target

#: LLVM's x86 CPU names (`-mcpu`) whose CPUs have AVX-512F.
AVX512_CPUS = frozenset(
    {
        "knl", "knm", "skylake-avx512", "skx", "cascadelake", "cooperlake", "cannonlake", "icelake-client",
        "icelake-server", "rocketlake", "tigerlake", "sapphirerapids", "emeraldrapids", "graniterapids",
        "graniterapids-d", "diamondrapids", "znver4", "znver5", "x86-64-v4",
    }
)


#: x86 instruction-set extensions, as /proc/cpuinfo names them, that LLVM may use in a module.
ISA_FLAGS = frozenset(
    {
        "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "avx_vnni", "avx512f", "avx512dq",
        "avx512cd", "avx512bw", "avx512vl", "avx512ifma", "avx512vbmi", "avx512_vbmi2", "avx512_vnni",
        "avx512_bitalg", "avx512_vpopcntdq", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16",
    }
)


@dataclass(frozen=True)
class CpuTarget(Target):
    NAME = "cpu"
    DRIVER = "local-task"
    #: Modules with less work than this run inline on the caller's thread (IREE's local-sync driver).
    #: Waking local-task's workers costs more than a second thread gains on small models: a chain of
    #: matmuls of 8 MFLOP took 89 µs on local-task and 45 µs on local-sync, 67 MFLOP about the same
    #: (2 threads; benchmarks/results/cpu_latency.md has the examples).
    INLINE_FLOPS = 32e6
    #: ... and that moves less memory than this (two threads read and write memory faster than one).
    INLINE_BYTES = 16e6
    #: Partitions of fewer FLOPs compile with the default strategy: on operands this small, data
    #: tiling's pack and unpack dispatches cost more than its faster matmuls save (`--tune`, 2 threads:
    #: the transformer example 22 → 19 µs, the cnn example 50 → 45 µs; matmul chains tie at 0.4 MFLOP
    #: and gain from data tiling from 3 MFLOP up, 31 → 28 µs).
    SMALL_FLOPS = 2e6
    DEVICES = ("host",)
    #: IREE's CPU code vectorises channels-innermost convolutions far better: MobileNetV2 (depthwise)
    #: 9.7 ms in NCHW with im2col, 3.1 ms in NHWC with data tiling; ResNet-18 14.1 → 13.5 ms.
    CONV_LAYOUT = "nhwc"
    OPTIONS = {
        "cpu": "LLVM CPU name to tune for (default: host, the CPU compiling the model)",
        "triple": "target triple for cross-compiling, e.g. aarch64-linux-gnu (default: the host's)",
        "features": "extra LLVM CPU features, e.g. +avx512f",
    }

    def strategies(self) -> dict[str, list[str]]:
        """Measured on an AVX-512 AMD EPYC (2 threads, ResNets and MiniLM vs ONNX Runtime):
        im2col takes convolution-heavy models from 4-6x ONNX Runtime's time to 1.5-2.4x, and with O3,
        data tiling and microkernels to about 1.4x; data tiling alone takes MiniLM from 0.91x to 0.68x,
        where O3 needs a larger stack and then takes 2.7x longer. Data tiling the convolutions
        themselves (IREE's experimental conv encodings, mmt4d microkernels) beats im2col on dense
        convolutions (ResNet-18: 13.8 vs 17.4 ms). Depthwise models, lowered channels-last
        (CONV_LAYOUT), do best with data tiling alone (MobileNetV2: 3.1 ms, vs 5.2 with convolution
        data tiling and 9.7 in NCHW with im2col), with convolutions padding in their own dispatch.
        Matmul and attention models default to data tiling too: the BERT-style encoder took 2.31 ms
        with it and 2.53 with O3 added (alternating runs), and O3 exceeds IREE's stack limit on
        MiniLM. On an AVX2 EPYC (Zen 3) the matmul models agree; convolution models differ
        (`has_avx512`). Per-model tables: benchmarks/results/cpu_strategies.md (AVX-512) and
        cpu_strategies_avx2.md."""
        strategies = {
            DEFAULT_STRATEGY: [],
            "data-tiling": ["--iree-opt-data-tiling"],
            # A convolution that reads a padded tensor pads inside its own dispatch. IREE then no longer
            # fuses the next matmul's data-tiling pack into a depthwise convolution's dispatch, where it
            # stores each vector of channels scattered: MobileNetV2's 56×56×144 depthwise layer took
            # 202 µs with the pack, and 90 plus a 35 µs pack dispatch without (1 thread); the whole
            # model 5.08 → 4.10 ms on 1 thread, 3.18 → 2.95 on 2. Some padded dense convolutions then
            # exceed IREE's stack limit (ResNet-18 under convolution data tiling, inception_v2, AlexNet),
            # so this is a strategy of its own, with data tiling alone as its fallback.
            "data-tiling-inner-pads": [
                "--iree-opt-data-tiling",
                "--iree-dispatch-creation-enable-fuse-padding-into-linalg-consumer-ops",
            ],
            "o3-data-tiling": ["--iree-opt-level=O3", "--iree-opt-data-tiling"],
            "im2col": ["--iree-global-opt-use-im2col-for-convs"],
            "conv": [
                "--iree-global-opt-use-im2col-for-convs",
                "--iree-opt-level=O3",
                "--iree-opt-data-tiling",
                "--iree-llvmcpu-enable-ukernels=all",
            ],
            "conv-data-tiling": [
                "--iree-opt-level=O3",
                "--iree-opt-data-tiling",
                "--iree-dispatch-creation-data-tiling",
                "--iree-dispatch-creation-experimental-set-data-tiling-ops=matmul",
                "--iree-dispatch-creation-experimental-set-data-tiling-ops=convolution",
                "--iree-llvmcpu-enable-ukernels=all",
            ],
        }
        if not self.has_avx512():
            # The tiled 1×1 convolutions (conv-pointwise-tiles) read their filters transposed. Kept apart
            # from the matmul, the transpose is IREE's to do once, at load; folded into it, the filter
            # reads were strided at every call (MobileNetV2's 196×96×576: 687 µs against 235). Convolution
            # models default to convolution data tiling, with data tiling as its fallback; ResNet-18, the
            # BERT-style encoder and MiniLM ran as fast with the flag as without. The default strategy,
            # for small models, keeps IREE's propagation: without it the cnn example took 55 µs, not 38.
            # Data-tiled matmuls in workgroups of 192 KiB of operands, not IREE's 256: MiniLM's FFN
            # matmul with GELU (128×1536×384) is then 32 workgroups, not 24, and took 1.00-1.03 ms
            # instead of 1.33-1.36 on 2 threads (the same 2.0 on one); the model's dispatches 18.2-18.5
            # ms a call instead of 20.2-21.0, the call 21.0-24.3 instead of 23.3-28.9.
            for name in ("conv-data-tiling", "data-tiling"):
                strategies[name] = [
                    *strategies[name],
                    "--iree-global-opt-propagate-transposes=false",
                    "--iree-llvmcpu-matmul-tile-bytes=196608",
                ]
        else:
            # So too with AVX-512 tiles (conv-pointwise-tiles=avx512): MobileNetV2 took 2.38 ms with the
            # transposes kept apart, 3.29 with them folded into its tiled products (ONNX Runtime 2.07; 2
            # threads, alternating rounds). The matmul models ran as fast either way: MiniLM 8.54-8.70 ms
            # with the flag against 8.56-8.62 without, the BERT-style encoder 2.31 against 2.32 (ONNX
            # Runtime 8.58-8.67 and 2.63).
            # Compiled for the host, data-tiled matmuls in workgroups of about MATMUL_TILE_BYTES over
            # its cores, where IREE's default split all-MiniLM-L6-v2's 128×1536×384 products (GELU
            # fused) into 24 workgroups of 31 µs, which 2 threads shared unevenly (dispatch 500 µs, 0.76
            # of both threads busy); with 6 workgroups, 390 µs. On the AVX-512 EPYC (2 cores),
            # alternating rounds at 2 threads: MiniLM 0.875 of ONNX Runtime's time against 0.943,
            # ResNet-18 0.955 against 0.988, MobileNetV2 and the BERT-style encoder level; on one
            # thread, all level.
            threads = self.host_threads()
            host = [f"--iree-llvmcpu-matmul-tile-bytes={self.MATMUL_TILE_BYTES // threads}"] if threads else []
            for name in ("conv-data-tiling", "data-tiling", "data-tiling-inner-pads"):
                strategies[name] = [*strategies[name], "--iree-global-opt-propagate-transposes=false", *host]
        return strategies

    def _cpu(self) -> str:
        """The LLVM CPU compiled for: `cpu=`, else the host; a cross triple has no host CPU to tune
        for, so the generic one."""
        return self.options.get("cpu", "generic" if "triple" in self.options else "host")

    def host_threads(self) -> int:
        """The threads a module compiled for the host runs on: one a physical core, as IREE's runtime
        starts them; 0 (unknown) for a named CPU or a cross triple, whose machine is not this one."""
        return host_cores() if self._cpu() == "host" else 0

    def has_avx512(self) -> bool:
        """Whether the CPU compiled for has AVX-512F: the host's flags, else its LLVM name or features.

        IREE 3.13 has a data-tiled convolution kernel for AVX-512 only (its issue 24710); on other
        CPUs its convolution data tiling keeps IREE's direct convolution code, which ran ResNet-18's
        3×3 convolutions at 3-24 GFLOP/s on an AVX2 EPYC (Zen 3): 355-412 ms a call against ONNX
        Runtime's 22-25 (2 threads). There dense convolutions are matmuls over their windows instead
        (`lowering_options`)."""
        features = self.options.get("features", "").split(",")
        if "+avx512f" in features or "-avx512f" in features:
            return "+avx512f" in features
        cpu = self._cpu()
        return "avx512f" in host_cpu_flags() if cpu == "host" else cpu in AVX512_CPUS

    def required_cpu_flags(self) -> list[str]:
        """The x86 instruction-set flags of the CPU compiled for, where known: all of ISA_FLAGS the
        host has when compiling for it, AVX-512F for a named AVX-512 CPU or `features=+avx512f`. A
        session does not load a module on a CPU without them: running it dies of an illegal
        instruction (a module for znver4 killed gimlet-run on an AVX2 EPYC)."""
        if "triple" in self.options:
            return []  # cross-compiled: the session compares the architecture instead
        if self._cpu() == "host":
            return sorted(ISA_FLAGS & host_cpu_flags())
        return ["avx512f"] if self.has_avx512() else []

    def lowering_options(self) -> str:
        # On the AVX2 EPYC, ResNet-18 took a median 36.5 ms as window matmuls under convolution data
        # tiling, and 43.4 under IREE's own im2col, the best strategy with direct convolutions (four
        # alternating pairs, 2 threads).
        # Depthwise convolutions of odd width: MobileNetV2's 7-wide ones took 0.45 ms each (3×3 over
        # 960 channels, one thread), 8 wide 0.03 (contraction.LowerConv). With AVX-512 IREE
        # vectorises all 7 columns at once.
        # Winograd 3×3 convolutions (winograd.py): a 56×56×64 one took 1.1 ms alone, 3.3 as a window
        # matmul in ResNet-18 (2.7 for the matmul, 0.6 for the copies) and 2.8 alone in ONNX Runtime
        # (one thread); ResNet-18 20.5-27.7 ms instead of 30-44 (ONNX Runtime 20-25; 2 threads,
        # alternating rounds), 43 instead of 60 on one thread.
        # 1×1 convolutions with AVX2 register tiles (pointwise.py): MobileNetV2's took 7.2 ms instead
        # of 9.7, the model 9.2 instead of 11.9 (one thread, sums of per-dispatch minimums).
        # Matrix products of 2 to 4 rows with AVX2 register tiles (contraction.LowerMatmul): the mlp
        # example's module 6.4 µs a call instead of 7.6 (one thread).
        # With AVX-512, IREE's data-tiled convolution kernel still does 4× the multiplications of
        # Winograd's: ResNet-18 took 8.0-8.1 ms instead of 9.5-9.6 on 2 threads (ONNX Runtime
        # 7.8-8.1) and 13.3 instead of 16.9 on one (ONNX Runtime 15.0), alternating rounds; its
        # 56×56×64 layers 0.34 ms each (transforms included) instead of 0.49, its 14×14×256 ones
        # 0.44 (the product alone) against 0.49, bound by reading filters 4× the weights' size.
        # With AVX-512, 1×1 convolutions over 49 to 196 pixel rows (MobileNetV2's later stages) with
        # 7×32 tiles instead of IREE's data tiling: MobileNetV2 3.26-3.48 ms a call instead of 3.73-3.94
        # on one thread, 2.02 instead of 2.23 on two (ONNX Runtime 3.24-3.52 and 1.75; pointwise.py).
        # With AVX-512, dense convolutions over 7×7 outputs as matmuls over their patches with packed
        # filters (packed_windows.py): ResNet-18's last stage 540-590 µs a convolution instead of 700.
        # Tiled 1×1 convolutions in workgroups the host's threads finish together
        # (builders.spreads_evenly): with AVX-512, MobileNetV2's 49×1280×320 took 84 µs instead of
        # 107, its 49×960×160 ones 38.5 instead of 44 (2 threads, per-dispatch medians), the model
        # 0.998 of ONNX Runtime's time instead of 1.017 on one thread, 1.158-1.166 instead of
        # 1.180-1.188 on two (alternating rounds); its 196×64×384 and 784×32×192 ones then 20 µs
        # instead of 22.
        common = super().lowering_options() + " conv-winograd=true"
        if threads := self.host_threads():
            common += f" workers={threads}"
        if self.has_avx512():
            return common + " conv-pointwise-tiles=avx512 conv-packed-windows=true"
        return common + " conv-windows=true conv-even-depthwise=true conv-pointwise-tiles=avx2 matmul-narrow-tiles=true"

    def default_strategy(self, op_counts: dict[str, int], flops: float | None = None) -> str:
        if flops is not None and flops < self.SMALL_FLOPS:
            return DEFAULT_STRATEGY
        if op_counts.get("gimlet.conv[grouped]"):
            # Without AVX-512, IREE fails to translate MobileNetV2's padded depthwise dispatches under
            # inner pads, and convolution data tiling was the tuner's choice in three runs out of
            # three (8.6-10.1 ms; data tiling alone 9.7-15.5).
            return "data-tiling-inner-pads" if self.has_avx512() else "conv-data-tiling"
        if op_counts.get("gimlet.conv"):
            return "conv-data-tiling"
        if op_counts.get("gimlet.matmul") or op_counts.get("gimlet.attention"):
            return "data-tiling"
        return DEFAULT_STRATEGY

    def fallback_strategy(self, strategy: str) -> str:
        # IREE's experimental convolution data tiling rejects some channels-last convolutions of
        # inception_v2 ("write affecting operations on global resources"), and padding inside
        # convolutions exceeds the stack limit on some (above); data tiling alone compiles them.
        return "data-tiling" if strategy in ("conv-data-tiling", "data-tiling-inner-pads") else DEFAULT_STRATEGY

    def after_global_optimization(self, strategy: str) -> list[str]:
        # Convolution data tiling packs input channels by the vector width: ResNet-18's 7×7 stem
        # over 3 channels took 4.3 ms data-tiled and 0.6 ms as IREE's direct convolution.
        return ["gimlet-data-tiling-hints"] if strategy == "conv-data-tiling" else []

    def driver(self, flops: float, bytes_moved: float) -> str:
        return "local-sync" if flops < self.INLINE_FLOPS and bytes_moved < self.INLINE_BYTES else self.DRIVER

    #: Bytes by which IREE may grow a constant expression it evaluates once, at load (compile_flags).
    HOISTED_GROWTH_LIMIT = 64 << 20
    #: Operand bytes of a data-tiled matmul's workgroup, times the host's cores (AVX-512 strategies).
    MATMUL_TILE_BYTES = 2 << 20

    def compile_flags(self) -> list[str]:
        triple = self.options.get("triple")
        cpu = self._cpu()
        flags = [
            "--iree-hal-target-device=local",
            "--iree-hal-local-target-device-backends=llvm-cpu",
            f"--iree-llvmcpu-target-cpu={cpu}",
            # IREE demotes f64 to f32 by default (for GPUs); CPUs compute f64 natively, and a demoted
            # module rejects the f64 arrays the model's signature asks for.
            "--iree-input-demote-f64-to-f32=false",
        ]
        if triple:
            flags.append(f"--iree-llvmcpu-target-triple={triple}")
        if "features" in self.options:
            flags.append(f"--iree-llvmcpu-target-cpu-features={self.options['features']}")
        # Winograd filters (conv-winograd) are 4× their weights. By default IREE moves a constant
        # expression into a load-time initializer only if it grows by at most 1 MiB; ResNet-18's
        # 28×28 filters were transformed at every call, 1.4-1.7 ms each (one thread, AVX2).
        flags.append(f"--iree-opt-const-expr-max-size-increase-threshold={self.HOISTED_GROWTH_LIMIT}")
        return flags
