"""Named device profiles from vendor datasheets, and an estimate of this machine's CPU.

Rates are dense (no structured sparsity). f32 is the plain FP32 rate, not
TF32 tensor cores, because IREE computes f32 contractions in FP32. Host links
are the PCIe figure per direction. Prices are on-demand cloud list prices
per device-hour where one was published, otherwise marked as assumptions;
override them with a target's `price=` option.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..runtime.devices import cpuinfo, host_cores, host_cpu_flags
from .perf import DeviceProfile

T = 1e12
G = 1e9
US = 1e-6
PCIE4_X16 = 32 * G  # 64 GB/s bidirectional
PCIE5_X16 = 64 * G  # 128 GB/s bidirectional
PCIE_LATENCY = 10 * US
CUDA_LAUNCH = 5 * US
HIP_LAUNCH = 8 * US

NO_F64 = frozenset({"f32", "f16", "bf16", "i1", "i8", "i16", "i32", "i64"})

PROFILES: dict[str, DeviceProfile] = {
    # NVIDIA H100 Tensor Core GPU datasheet (H100 SXM): FP64 34 TF, FP32 67 TF, BF16/FP16 tensor
    # 1,979 TF with sparsity (989.5 dense), INT8 3,958 TOPS with sparsity (1,979 dense),
    # 3.35 TB/s HBM3, PCIe Gen5 128 GB/s. Price: AWS p5.48xlarge $98.32/h for 8 GPUs.
    "h100": DeviceProfile(
        "h100", "NVIDIA H100 SXM5 80 GB",
        {"f32": 67 * T, "f16": 989.5 * T, "bf16": 989.5 * T, "i8": 1979 * T, "f64": 34 * T},
        3.35e12, CUDA_LAUNCH, PCIE5_X16, PCIE_LATENCY, 98.32 / 8,
        source="NVIDIA H100 Tensor Core GPU datasheet (SXM5)",
    ),
    # NVIDIA H200 Tensor Core GPU datasheet (H200 SXM): same compute as H100 SXM (FP32 67 TF,
    # FP16/BF16 1,979 TF sparse, INT8 3,958 TOPS sparse), 4.8 TB/s HBM3e, 141 GB, PCIe Gen5
    # 128 GB/s. Price: assumed 10% above H100 (no list price recorded here).
    "h200": DeviceProfile(
        "h200", "NVIDIA H200 SXM 141 GB",
        {"f32": 67 * T, "f16": 989.5 * T, "bf16": 989.5 * T, "i8": 1979 * T, "f64": 34 * T},
        4.8e12, CUDA_LAUNCH, PCIE5_X16, PCIE_LATENCY, 1.1 * 98.32 / 8,
        source="NVIDIA H200 Tensor Core GPU datasheet (SXM)",
    ),
    # NVIDIA A100 Tensor Core GPU datasheet (A100 80 GB SXM): FP64 9.7 TF, FP32 19.5 TF,
    # BF16/FP16 tensor 312 TF, INT8 624 TOPS, 2,039 GB/s HBM2e, PCIe Gen4 64 GB/s.
    # Price: AWS p4d.24xlarge $32.77/h for 8 GPUs.
    "a100": DeviceProfile(
        "a100", "NVIDIA A100 SXM4 80 GB",
        {"f32": 19.5 * T, "f16": 312 * T, "bf16": 312 * T, "i8": 624 * T, "f64": 9.7 * T},
        2.039e12, CUDA_LAUNCH, PCIE4_X16, PCIE_LATENCY, 32.77 / 8,
        source="NVIDIA A100 Tensor Core GPU datasheet (80 GB SXM)",
    ),
    # NVIDIA L4 Tensor Core GPU datasheet: FP32 30.3 TF, FP16/BF16 tensor 242 TF with sparsity
    # (121 dense), INT8 485 TOPS with sparsity (242.5 dense), 300 GB/s GDDR6, PCIe Gen4 x16.
    # Price: AWS g6.xlarge $0.8048/h (one L4).
    "l4": DeviceProfile(
        "l4", "NVIDIA L4 24 GB",
        {"f32": 30.3 * T, "f16": 121 * T, "bf16": 121 * T, "i8": 242.5 * T, "f64": 0.49 * T},
        300e9, CUDA_LAUNCH, PCIE4_X16, PCIE_LATENCY, 0.8048,
        source="NVIDIA L4 Tensor Core GPU datasheet",
    ),
    # AMD Instinct MI300X datasheet: FP64 vector 81.7 TF, FP32 vector 163.4 TF, FP16/BF16
    # 1,307.4 TF dense, INT8 2,614.9 TOPS dense, 5.3 TB/s HBM3, PCIe Gen5 x16 128 GB/s.
    # Price: assumed $6/h (no list price recorded here).
    "mi300x": DeviceProfile(
        "mi300x", "AMD Instinct MI300X 192 GB",
        {"f32": 163.4 * T, "f16": 1307.4 * T, "bf16": 1307.4 * T, "i8": 2614.9 * T, "f64": 81.7 * T},
        5.3e12, HIP_LAUNCH, PCIE5_X16, PCIE_LATENCY, 6.0,
        source="AMD Instinct MI300X datasheet",
    ),
    # AMD Instinct MI250 datasheet: FP64/FP32 vector 45.3 TF (matrix 90.5), FP16/BF16 362.1 TF,
    # INT8 362.1 TOPS, 3.2 TB/s HBM2e, PCIe Gen4 x16. Price: assumed $2/h.
    "mi250": DeviceProfile(
        "mi250", "AMD Instinct MI250 128 GB",
        {"f32": 90.5 * T, "f16": 362.1 * T, "bf16": 362.1 * T, "i8": 362.1 * T, "f64": 45.3 * T},
        3.2e12, HIP_LAUNCH, PCIE4_X16, PCIE_LATENCY, 2.0,
        source="AMD Instinct MI250 datasheet",
    ),
    # A generic discrete Vulkan GPU, with the figures of a mid-range part: AMD Radeon RX 7600
    # product page: 21.75 TF FP32, 43.5 TF FP16 peak, 288 GB/s GDDR6, PCIe 4.0 x8 (16 GB/s each way).
    # No FP64 assumed. Price: assumed $0.5/h.
    "vulkan-gpu": DeviceProfile(
        "vulkan-gpu", "generic discrete Vulkan GPU (Radeon RX 7600 class)",
        {"f32": 21.75 * T, "f16": 43.5 * T, "bf16": 21.75 * T, "i8": 43.5 * T},
        288e9, 20 * US, 16 * G, 15 * US, 0.5,
        dtypes=NO_F64,
        source="AMD Radeon RX 7600 product page (as a generic Vulkan GPU)",
    ),
    # Apple M1 Max, 32-core GPU: 10.4 TFLOPS FP32 and 400 GB/s unified memory (Apple keynote,
    # 18 Oct 2021). Unified memory: the "host link" is memory itself. Apple GPUs have no FP64.
    "m1-max": DeviceProfile(
        "m1-max", "Apple M1 Max (32-core GPU)",
        {"f32": 10.4 * T, "f16": 10.4 * T, "bf16": 10.4 * T, "i8": 10.4 * T},
        400e9, 10 * US, 400e9, 2 * US, 0.0,
        dtypes=NO_F64,
        source="Apple M1 Max announcement, 18 October 2021",
    ),
}

@lru_cache(maxsize=None)
def host_cpu_profile() -> DeviceProfile:
    """An estimate of this machine's CPU from its core count, SIMD width and clock.

    Peak f32 = cores × SIMD lanes × 2 (FMA) × 2 (FMA units) × clock, over physical
    cores: SMT siblings share a core's FMA units. Memory
    bandwidth and dispatch overhead are rough assumptions; calibrate
    (`gimletc --calibrate`) for figures measured on this machine.
    """
    info = cpuinfo()
    cores = host_cores()
    flags = host_cpu_flags()
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    try:
        clock = float(info.get("cpu MHz", "2500")) * 1e6
    except ValueError:
        clock = 2.5e9
    f32 = cores * lanes * 2 * 2 * clock
    return DeviceProfile(
        "host",
        f"{info.get('model name', 'host CPU')}, {cores} cores",
        {"f32": f32, "f16": f32 / 4, "bf16": f32 / 2, "i8": f32 * 2, "f64": f32 / 2},
        min(8 * G * cores, 100 * G),
        2 * US,
        math.inf,
        0.0,
        0.0446 * cores,  # AWS c7i on-demand, $0.0446 per vCPU-hour
        source="estimated from /proc/cpuinfo (cores, SIMD width, clock)",
    )


@lru_cache(maxsize=None)
def lavapipe_profile() -> DeviceProfile:
    """Mesa's software Vulkan device on this CPU: the CPU's arithmetic behind Vulkan's overheads."""
    host = host_cpu_profile()
    return host.with_changes(
        name="lavapipe",
        description="Mesa lavapipe (software Vulkan on the host CPU)",
        peak_ops={k: v * 0.5 for k, v in host.peak_ops.items()},
        launch_overhead=50 * US,
        host_bandwidth=host.memory_bandwidth / 2,
        host_latency=20 * US,
        dtypes=NO_F64,
        source="estimated from the host CPU profile; calibrate for measured figures",
    )


def named_profile(name: str) -> DeviceProfile | None:
    if name == "host":
        return host_cpu_profile()
    if name == "lavapipe":
        return lavapipe_profile()
    return PROFILES.get(name)
