"""What the benchmark scripts share: timing by interleaved rounds, the machine's name, publishing a table."""

from __future__ import annotations

import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Callable


def median_time(run: Callable[[], object], iterations: int) -> float:
    """Median seconds of `iterations` calls."""
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


#: Idle time before each engine's turn: thread pools that spin after their last call (PyTorch's
#: OpenMP workers, ONNX Runtime's) would otherwise hold the cores the next engine needs.
SETTLE_S = 0.3


def interleaved(engines: dict[str, Callable[[], object]], rounds: int, iterations: int) -> dict[str, float]:
    """Each engine's median of per-round medians (`interleaved_rounds`)."""
    return medians(interleaved_rounds(engines, rounds, iterations))


def medians(per_round: dict[str, list[float]]) -> dict[str, float]:
    """Each engine's median over its rounds."""
    return {name: statistics.median(times) for name, times in per_round.items()}


def interleaved_rounds(engines: dict[str, Callable[[], object]], rounds: int, iterations: int) -> dict[str, list[float]]:
    """Each engine's median seconds in every round, the engines taking turns within every round
    (another process holding a core then slows all of them alike). Each turn starts after
    SETTLE_S of idle time and one untimed call."""
    per_round: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, run in engines.items():
            time.sleep(SETTLE_S)
            run()
            per_round[name].append(median_time(run, iterations))
    return per_round


def paired_ratios(numerators: list[float], denominators: list[float]) -> tuple[float, float, float]:
    """Median, lowest and highest of the per-round ratios. Within a round the engines run seconds
    apart, so a round's ratio moves less than the times themselves when the machine's speed drifts
    between rounds; the range shows how far it still moves."""
    ratios = sorted(n / d for n, d in zip(numerators, denominators))
    return statistics.median(ratios), ratios[0], ratios[-1]


def invocation() -> str:
    """The command line this benchmark was run with, from the repository root: the table's
    "Reproduce" line, options included."""
    script = f"benchmarks/{Path(sys.argv[0]).name}"
    return " ".join(["python", script, *map(shlex.quote, sys.argv[1:])])


def cross_core_round_trip_us(trips: int = 500) -> float:
    """Median µs for a byte to go from a process on one CPU to one on another and back, through
    pipes: two cross-core wake-ups. On this project's VM: 22-56 µs (5 µs with both processes on one
    CPU, Python's own cost). A multi-threaded engine pays such a wake-up wherever its workers
    sleep: IREE's between dispatches (MobileNetV2 has 55), while ONNX Runtime's spin. Recorded
    beside each model's times, since the machine's state moves them between runs."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        return float("nan")
    first, second = sorted(os.sched_getaffinity(0))[:2]
    to_child, from_parent = os.pipe()
    to_parent, from_child = os.pipe()
    child = os.fork()
    if child == 0:
        os.sched_setaffinity(0, {second})
        for _ in range(trips):
            os.read(to_child, 1)
            os.write(from_child, b"x")
        os._exit(0)
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {first})
    samples = []
    try:
        for _ in range(trips):
            started = time.perf_counter()
            os.write(from_parent, b"x")
            os.read(to_parent, 1)
            samples.append(time.perf_counter() - started)
    finally:
        os.sched_setaffinity(0, allowed)
        os.waitpid(child, 0)
        for fd in (to_child, from_parent, to_parent, from_child):
            os.close(fd)
    return statistics.median(samples) * 1e6


def cpu_name() -> str:
    """The CPU's model name, with its widest x86 vector extension: gimlet's CPU defaults, and how far
    IREE's kernels are from ONNX Runtime's, depend on it (targets/cpu.py `has_avx512`)."""
    from gimlet.runtime.devices import cpuinfo, host_cpu_flags

    name = cpuinfo().get("model name") or platform.processor() or platform.machine()
    flags = host_cpu_flags()
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else None
    return f"{name} ({simd})" if simd else name


def publish(table: str, output: Path) -> None:
    """Print the table and write it to `output` (benchmarks/results/...)."""
    print(table)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(table)
