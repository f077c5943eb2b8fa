"""Calibration: measure the devices present here and fit their performance profiles.

Datasheet peaks overstate what IREE's generated code reaches, by a factor
that differs per op class and per device, and a software device (Mesa's
lavapipe) has no datasheet at all. Calibration runs a few microbenchmarks on
each device and writes profiles whose roofline reproduces them:

- the f32 peak is the highest arithmetic rate a microbenchmark reached (a
  compute-bound matmul, or a small-batch one); f16, bf16, i8 and f64 keep the
  base profile's ratios to f32;
- memory bandwidth is the highest a microbenchmark reached (streaming ops on
  activation-sized tensors);
- launch overhead is the time one more tiny kernel adds to a module's run;
- each op class's (compute, memory) efficiency is the highest fraction of that
  rate and that bandwidth its microbenchmarks reached (a compute-heavy and a
  memory-heavy op per class), so that the roofline reproduces the one that set
  each figure and estimates none of them slower than measured;
- for a device with a host link (not the CPU), upload and readback time at
  two sizes give the link's latency and bandwidth.

Every microbenchmark is one gimlet op, lowered by gimlet's own lowering and
compiled by iree-compile for the target, so the figures describe gimlet's code,
and its work is counted by the cost model's own `work_of`. An op's time is its
time inside a module, as the cost model prices it: a chain of copies separated
by `util.optimization_barrier` (so IREE neither fuses nor deduplicates them),
less the fixed cost of calling into the module. The matmul grows until a run
lasts long enough to time; the streaming ops work on activation-sized tensors.
"""

from __future__ import annotations

import math
import os
import socket
import statistics
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

import iree.runtime as ireert
import numpy as np
from iree.compiler import ir
from iree.compiler import tools as iree_tools

from .context import new_context
from .driver import IREE_INPUT_FLAG
from ..dialects import Work
from ..errors import CompilationError
from ..passes import PASSES
from ..passes.partition.cost import work_of
from ..runtime.devices import DeviceError, open_device
from ..runtime.transfers import HOST_DRIVERS, to_device, to_host
from ..runtime.waiting import without_wakeup_preemption
from ..targets import get_target
from ..targets.perf import OP_CLASSES, DeviceProfile

#: NumPy types of the element types microbenchmark inputs take.
NUMPY_TYPES = {
    "f16": np.float16, "f32": np.float32, "f64": np.float64,
    "i1": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
}

#: Timing: interleaved rounds, each lasting at least ROUND_SECONDS (or one call).
ROUNDS = 15
ROUND_SECONDS = 0.01
#: Passes over the microbenchmarks; each keeps its fastest.
TIMING_PASSES = 2
#: A microbenchmark whose problem grows stops growing once one run lasts this long.
TARGET_SECONDS = 0.01
#: An op whose single call is shorter than this is timed as a chain of CHAIN_LENGTH copies.
CHAIN_BELOW_SECONDS = 0.002
CHAIN_LENGTH = 8
#: Host-link transfers: a small one for latency, an activation-sized one for bandwidth (larger
#: buffers are fresh memory on every transfer, and their page faults would set the time).
LINK_SMALL_BYTES = 4096
LINK_LARGE_BYTES = 4 << 20


# ----------------------------------------------------------------------------
# One op as a module to time.
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpSpec:
    """One gimlet op to time alone: its name, attributes (MLIR text), operand and result types."""

    name: str
    operand_types: tuple[str, ...]
    result_type: str
    attributes: str = ""

    @classmethod
    def of(cls, op: ir.Operation) -> "OpSpec":
        """The spec of an op taken from a model (single result, no regions)."""
        attributes = ", ".join(f"{name} = {op.attributes[name]}" for name in op.attributes)
        return cls(op.name, tuple(str(v.type) for v in op.operands), str(op.results[0].type), f"{{{attributes}}}" if attributes else "")

    def function(self, name: str, copies: int) -> str:
        """MLIR of a function running `copies` copies of the op one after another.

        Before each copy but the first, a barrier takes the operands and the previous
        result: the copy then depends on its predecessor and is not the same
        computation to IREE, which can neither fuse, hoist nor deduplicate it.
        """
        arguments = [f"%a{i}" for i in range(len(self.operand_types))]
        types = ", ".join(self.operand_types)
        lines, operands, previous = [], arguments, None
        for index in range(copies):
            if previous is not None:
                barrier_types = ", ".join([*self.operand_types, self.result_type])
                results = [f"%b{index}_{i}" for i in range(len(arguments) + 1)]
                lines.append(
                    f'    {", ".join(results)} = "util.optimization_barrier"({", ".join([*arguments, previous])})'
                    f" : ({barrier_types}) -> ({barrier_types})"
                )
                operands = results[:-1]
            lines.append(f'    %r{index} = "{self.name}"({", ".join(operands)}) {self.attributes} : ({types}) -> {self.result_type}')
            previous = f"%r{index}"
        signature = ", ".join(f"{a}: {t}" for a, t in zip(arguments, self.operand_types))
        body = "\n".join(lines)
        return f"  func.func @{name}({signature}) -> {self.result_type} {{\n{body}\n    return {previous} : {self.result_type}\n  }}"


def random_input(type_: ir.RankedTensorType, rng: np.random.Generator) -> np.ndarray:
    """Normal floats; integers are ones (valid indices and divisors); booleans random."""
    element = str(type_.element_type)
    shape = list(type_.shape)
    if element == "i1":
        return rng.integers(0, 2, shape).astype(np.bool_)
    if element.startswith("i"):
        return np.ones(shape, NUMPY_TYPES[element])
    return rng.standard_normal(shape, dtype=np.float32).astype(NUMPY_TYPES[element])


# ----------------------------------------------------------------------------
# Timing.
# ----------------------------------------------------------------------------


def measure(calls: Sequence[Callable[[], object]], rounds: int = ROUNDS, round_seconds: float = ROUND_SECONDS) -> list[float]:
    """Seconds per call of each of `calls`, timed in interleaved rounds.

    Each round's median rejects single outliers; the fastest round's median
    rejects the periods when other processes held the cores (they only add
    time). Interleaving exposes calls whose times are compared to the same
    conditions. The first call of each is a warm-up (shader compilation); long
    calls get fewer rounds (at least 3), so that timing one lasts about as long
    as `rounds` rounds of short ones.
    """
    for call in calls:
        call()
    probes = [max(_timed(call), 1e-7) for call in calls]
    counts = [max(1, min(1000, int(round_seconds / probe))) for probe in probes]
    rounds = max(3, min(rounds, int(rounds * round_seconds / max(probes))))
    best = [math.inf] * len(calls)
    for _ in range(rounds):
        for index, (call, count) in enumerate(zip(calls, counts)):
            best[index] = min(best[index], statistics.median(_timed(call) for _ in range(count)))
    return best


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


@dataclass(frozen=True)
class OpTiming:
    """An op's measured time inside a module and the work the cost model counts for it."""

    spec: OpSpec
    work: Work
    seconds: float


@dataclass(frozen=True)
class PreparedOp:
    """An op compiled and loaded on a device, with inputs there: one copy, and a chain of copies."""

    spec: OpSpec
    work: Work
    once: Callable[[], object]
    chain: Callable[[], object]


class DeviceBench:
    """Compiles gimlet ops for one target and times them on that target's device here.

    It keeps the two fixed costs every timing is corrected by: a call into a module
    from the host, and one more kernel in a module's run. They are measured on
    opening and again on each `measure_overheads`, keeping the lowest: other
    processes come and go, and they only ever add time.
    """

    def __init__(self, target_name: str, seed: int = 0):
        target = get_target(target_name)
        self.target = target
        self.driver = target.DRIVER
        self.device = open_device(self.driver)  # DeviceError when there is none here
        self.flags = [*target.compile_flags(), IREE_INPUT_FLAG]
        self.instance = ireert.VmInstance()
        self.rng = np.random.default_rng(seed)
        self._tiny = self.prepare(OpSpec("gimlet.elementwise", ("tensor<4x4xf32>",) * 2, "tensor<4x4xf32>", '{fn = "add"}'))
        #: Seconds one more (tiny) kernel adds to a module's run.
        self.launch_overhead = math.inf
        #: Seconds of calling into a module from the host and waiting for it, beyond its kernels.
        self.call_overhead = math.inf
        self.measure_overheads()

    def measure_overheads(self) -> None:
        chained, single = measure([self._tiny.chain, self._tiny.once])
        launch = max((chained - single) / (CHAIN_LENGTH - 1), 0.0)
        self.launch_overhead = min(self.launch_overhead, launch)
        self.call_overhead = min(self.call_overhead, max(single - launch, 0.0))

    def device_name(self) -> str:
        """The device's own name (e.g. llvmpipe for lavapipe), as its driver reports it."""
        devices = ireert.get_driver(self.driver).query_available_devices()
        return devices[0].get("name", self.driver) if devices else self.driver

    def prepare(self, spec: OpSpec) -> PreparedOp:
        """Lower and compile the op alone and as a chain, load both, upload random inputs."""
        functions = "\n".join(spec.function(f"chain{length}", length) for length in (1, CHAIN_LENGTH))
        with new_context(), ir.Location.unknown():
            module = ir.Module.parse(f"module {{\n{functions}\n}}")
            entry = module.body.operations[0].regions[0].blocks[0]
            work = work_of(next(o for o in entry.operations if o.operation.name == spec.name).operation)
            argument_types = [ir.RankedTensorType(a.type) for a in entry.arguments]
            PASSES["gimlet-lower-to-linalg"]().apply(module)
            text = module.operation.get_asm()
        # Compile as gimlet would a partition holding this op: with its target's default strategy.
        strategy = self.target.strategies()[self.target.default_strategy({spec.name: 1})]
        try:
            vmfb = iree_tools.compile_str(text, extra_args=[*self.flags, *strategy])
        except iree_tools.CompilerToolError as error:
            raise CompilationError(f"calibration: iree-compile failed for {spec.name} on {self.target.NAME}: {str(error).splitlines()[0]}") from None
        module = ireert.VmModule.copy_buffer(self.instance, vmfb)
        context = ireert.VmContext(self.instance, modules=[ireert.create_hal_module(self.instance, self.device), module])
        inputs = [to_device(random_input(t, self.rng), self.device) for t in argument_types]
        once, chain = (  # timed as a session runs them
            without_wakeup_preemption(ireert.FunctionInvoker(context, self.device, module.lookup_function(f"chain{n}")), self.driver)
            for n in (1, CHAIN_LENGTH)
        )
        return PreparedOp(spec, work, lambda: once(*inputs), lambda: chain(*inputs))

    def time(self, op: PreparedOp) -> float:
        """The op's seconds inside a module, its launch included: a long op as one call less the
        call overhead, a short one as the difference between a chain of copies and one copy."""
        op.once()  # a warm-up, then a probe that picks the method
        if _timed(op.once) >= CHAIN_BELOW_SECONDS:
            (single,) = measure([op.once])
            return max(single - self.call_overhead, single / 2)
        chained, single = measure([op.chain, op.once])
        per_copy = (chained - single) / (CHAIN_LENGTH - 1)
        return per_copy if per_copy > 0 else max(single - self.call_overhead, 1e-7)

    def grow(self, make: Callable[[int], OpSpec], sizes: Sequence[int]) -> tuple[PreparedOp, float]:
        """`make(size)` for the first of `sizes` (or the last) whose run lasts TARGET_SECONDS, and its time."""
        for size in sizes:
            op = self.prepare(make(size))
            seconds = self.time(op)
            if seconds >= TARGET_SECONDS:
                break
        return op, seconds

    def link_times(self) -> tuple[float, float, float, float]:
        """(upload small, upload large, readback small, readback large) seconds per transfer."""
        small, large = (self._transfer_times(size) for size in (LINK_SMALL_BYTES, LINK_LARGE_BYTES))
        return small[0], large[0], small[1], large[1]

    def _transfer_times(self, size: int) -> list[float]:
        array = np.ones(size // 4, np.float32)
        on_device = to_device(array, self.device)
        return measure([lambda: to_device(array, self.device), lambda: to_host(on_device, self.device, self.driver)])


# ----------------------------------------------------------------------------
# The microbenchmarks: (name, op class, the op at a size, sizes to try).
# ----------------------------------------------------------------------------


def _matmul(n: int) -> OpSpec:
    return OpSpec("gimlet.matmul", (f"tensor<{n}x{n}xf32>", f"tensor<{n}x{n}xf32>"), f"tensor<{n}x{n}xf32>")


def _matvec(n: int) -> OpSpec:
    """A batch-16 matmul against an n×n matrix: it streams the matrix, like a small-batch dense layer."""
    return OpSpec("gimlet.matmul", (f"tensor<16x{n}xf32>", f"tensor<{n}x{n}xf32>"), f"tensor<16x{n}xf32>")


def _elementwise(fn: str, arity: int) -> Callable[[int], OpSpec]:
    def make(n: int) -> OpSpec:
        shape = f"tensor<{n // 1024}x1024xf32>"
        return OpSpec("gimlet.elementwise", (shape,) * arity, shape, f'{{fn = "{fn}"}}')

    return make


def _reduce_rows(n: int) -> OpSpec:
    return OpSpec("gimlet.reduce", (f"tensor<{n // 1024}x1024xf32>",), f"tensor<{n // 1024}xf32>", '{axes = array<i64: 1>, keepdims = false, kind = "sum"}')


def _softmax(n: int) -> OpSpec:
    return OpSpec("gimlet.softmax", (f"tensor<{n // 1024}x1024xf32>",), f"tensor<{n // 1024}x1024xf32>", "{axis = 1 : i64, log = false}")


def _conv(n: int) -> OpSpec:
    """A ResNet-style 3x3 convolution, 64 channels on an n x n image (unpadded: one kernel)."""
    return OpSpec(
        "gimlet.conv",
        (f"tensor<1x64x{n}x{n}xf32>", "tensor<64x64x3x3xf32>"),
        f"tensor<1x64x{n - 2}x{n - 2}xf32>",
        "{dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}",
    )


def _transpose(n: int) -> OpSpec:
    return OpSpec("gimlet.transpose", (f"tensor<{n}x{n}xf32>",), f"tensor<{n}x{n}xf32>", "{permutation = array<i64: 1, 0>}")


M = 1 << 20
#: Square matmul sides to grow through until the matmul is compute-bound and long enough to time.
MATMUL_SIDES = (256, 512, 1024, 2048, 4096)
#: Streamed tensors of 4 MiB, the size of typical activations, which stay in the last-level
#: cache between ops: the bandwidth the cost model needs is the one such ops see. (Far larger
#: tensors would also pay page faults: every call's result is fresh memory.)
STREAM = M

MICROBENCHMARKS: list[tuple[str, str, Callable[[int], OpSpec], Sequence[int]]] = [
    ("matmul", "contraction", _matmul, MATMUL_SIDES),
    ("matvec", "contraction", _matvec, (1024,)),
    ("add", "elementwise", _elementwise("add", 2), (STREAM,)),
    ("gelu", "elementwise", _elementwise("gelu", 1), (STREAM,)),
    ("reduce-sum", "reduction", _reduce_rows, (STREAM,)),
    ("softmax", "reduction", _softmax, (STREAM,)),
    ("transpose", "data_movement", _transpose, (1024,)),
    # Convolutions reach other efficiencies than matmuls (im2col, layouts): their own entry.
    ("conv", "gimlet.conv", _conv, (30, 58)),
]


# ----------------------------------------------------------------------------
# Fitting a profile.
# ----------------------------------------------------------------------------


def fit_profile(
    base: DeviceProfile,
    timings: dict[str, OpTiming],
    launch_overhead: float,
    link: tuple[float, float, float, float] | None,
    description: str,
) -> DeviceProfile:
    """A profile whose roofline reproduces the microbenchmarks' times (see the module docstring)."""
    net = {name: max(t.seconds - launch_overhead, t.seconds / 2) for name, t in timings.items()}
    flops = {name: t.work.flops.get("f32", 0) for name, t in timings.items()}
    traffic = {name: t.work.bytes_read + t.work.bytes_written for name, t in timings.items()}
    rate = max(flops[name] / net[name] for name in timings)
    bandwidth = max(traffic[name] / net[name] for name in timings)
    efficiency = {}
    for op_class in [*OP_CLASSES, *sorted({cls for _, cls, _, _ in MICROBENCHMARKS if cls.startswith("gimlet.")})]:
        members = [name for name, cls, _, _ in MICROBENCHMARKS if cls == op_class and name in timings]
        if members:
            compute = max(flops[name] / (rate * net[name]) for name in members)
            efficiency[op_class] = (compute or 1.0, max(traffic[name] / (bandwidth * net[name]) for name in members))
    # Foreign regions (torch ops gimlet does not model) are not measured: assume the least efficient class.
    classes = [value for key, value in efficiency.items() if key in OP_CLASSES]
    efficiency["foreign"] = (min(c for c, _ in classes), min(m for _, m in classes))
    scale = rate / base.peak_ops["f32"]
    changes = dict(
        description=description,
        peak_ops={dtype: value * scale for dtype, value in base.peak_ops.items()},
        memory_bandwidth=bandwidth,
        launch_overhead=launch_overhead,
        efficiency=efficiency,
        source=f"calibrated on {socket.gethostname()} {date.today().isoformat()}",
    )
    if link is not None:
        changes.update(zip(("host_latency", "host_bandwidth"), fit_link(*link)))
    return base.with_changes(**changes)


def fit_link(upload_small: float, upload_large: float, readback_small: float, readback_large: float) -> tuple[float, float]:
    """(latency, bandwidth) of the host link, both directions averaged (so a round trip comes out right)."""
    latency = (upload_small + readback_small) / 2
    per_byte = ((upload_large - upload_small) + (readback_large - readback_small)) / 2 / (LINK_LARGE_BYTES - LINK_SMALL_BYTES)
    return latency, 1 / max(per_byte, 1e-15)


# ----------------------------------------------------------------------------
# Calibrating targets.
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetCalibration:
    """One target's calibrated profile, the profile it was based on, and the raw measurements."""

    target: str
    profile: DeviceProfile
    base: DeviceProfile
    device_name: str
    call_overhead: float
    timings: dict[str, OpTiming]
    link: tuple[float, float, float, float] | None
    #: The 1-minute load average, at its highest of the start and the end: above the core
    #: count, other processes competed for the cores and the figures are too slow.
    load_average: float

    @property
    def machine_was_busy(self) -> bool:
        return self.load_average > (os.cpu_count() or 1)


def base_profile(target_name: str, device_name: str) -> DeviceProfile:
    """The profile calibration starts from: the target's default one, or lavapipe's for Mesa's
    software Vulkan device (the default Vulkan profile is a discrete GPU's)."""
    if target_name == "vulkan" and "llvmpipe" in device_name:
        return get_target("vulkan:device=lavapipe").profile()
    return get_target(target_name).profile()


def calibrate_target(target_name: str, progress=None, passes: int = TIMING_PASSES) -> TargetCalibration:
    """Measure one target's device here; DeviceError when it has none.

    The microbenchmarks are timed in `passes` passes, seconds apart, and each keeps
    its fastest: a burst of work from other processes spoils one pass only.
    """
    step = progress.step if progress is not None else lambda _: nullcontext()
    load_at_start = os.getloadavg()[0]
    with step(f"{target_name}: overheads"):
        bench = DeviceBench(target_name)
    device_name = bench.device_name()
    chosen = {}
    for name, _, make, sizes in MICROBENCHMARKS:
        with step(f"{target_name}: {name}"):
            chosen[name] = bench.grow(make, sizes)
    has_link = bench.driver not in HOST_DRIVERS
    with step(f"{target_name}: {'host link, ' if has_link else ''}{passes - 1} more pass(es)"):
        links = [bench.link_times()] if has_link else []
        for _ in range(passes - 1):
            bench.measure_overheads()
            chosen = {name: (op, min(seconds, bench.time(op))) for name, (op, seconds) in chosen.items()}
            if has_link:
                links.append(bench.link_times())
        bench.measure_overheads()
    timings = {name: OpTiming(op.spec, op.work, seconds) for name, (op, seconds) in chosen.items()}
    link = tuple(map(min, zip(*links))) if links else None
    base = base_profile(target_name, device_name)
    if device_name == "default":  # the CPU drivers' name for the host; its profile has the CPU's own
        device_name = base.description
    profile = fit_profile(base, timings, bench.launch_overhead, link, f"{device_name} ({bench.driver}), measured")
    load_average = max(load_at_start, os.getloadavg()[0])
    return TargetCalibration(target_name, profile, base, device_name, bench.call_overhead, timings, link, load_average)


def calibrate_present(target_names: list[str], progress=None, passes: int = TIMING_PASSES) -> list[TargetCalibration]:
    """Calibrate the targets whose device is present here; the others are skipped, and
    `progress.skipped(target, reason)` hears why when progress has that method."""
    results = []
    for name in target_names:
        try:
            results.append(calibrate_target(name, progress, passes))
        except DeviceError as error:
            if hasattr(progress, "skipped"):
                progress.skipped(name, str(error))
    return results


def calibrate(target_names: list[str], progress=None, passes: int = TIMING_PASSES) -> dict[str, DeviceProfile]:
    """Calibrated profiles, by target name, of the targets whose device is present here."""
    return {result.target: result.profile for result in calibrate_present(target_names, progress, passes)}
