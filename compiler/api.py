"""`gimlet.compile()`: a model in, a Bundle out."""

from __future__ import annotations

import dataclasses
import os
import platform
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from iree.compiler import version as iree_version

from .. import __version__
from ..errors import CompilationError, OptionError
from ..runtime.bundle import FORMAT, FORMAT_VERSION, Bundle
from ..runtime.devices import try_open
from ..targets import Target, get_target, split_target_list
from ..targets.base import DEFAULT_STRATEGY
from ..targets.devices import parse_devices
from . import tuning
from .driver import Progress, bytecode, compile_bytecode
from .onnx_import_worker import PARAMETER_SCOPE
from .options import CompileOptions
from .placement import Partition, PlacedModel, module_for, place_model

WEIGHTS_MEMBER = "weights/model.irpa"
FALLBACKS = ("cpu", "none", "all")


def compile(
    model,
    targets=("cpu",),
    options: CompileOptions | None = None,
    progress: Progress | None = None,
    **settings,
) -> Bundle:
    """Compile a model for `targets` into a Bundle.

    `model` is an ONNX model (path, ModelProto or bytes), a torch.nn.Module (with
    `example_args=(...)` and optionally `dynamic_shapes=...`), a
    torch.export.ExportedProgram, or a saved program (.pt2).

    `targets` are device specs (`cpu`, `cuda:device=h200`, `edge=cpu:triple=...`).
    The cost model places every op; each partition is compiled for its device
    and, by default, for the CPU as a fallback. `settings` override fields of
    `options` (e.g. `objective="cost"`, `sla="5ms"`, `pins=["conv1=cpu"]`,
    `input_shapes={"x": [1, 3, 224, 224]}`). Weights go into the bundle once.
    """
    options = dataclasses.replace(options or CompileOptions(), **settings)
    specs = [targets] if isinstance(targets, str) else list(targets)
    options.targets = [s for spec in specs for s in split_target_list(spec)]
    if not options.targets:
        raise OptionError("no targets given; pass at least one, e.g. targets=['cpu']")
    if options.fallback not in FALLBACKS:
        raise OptionError(f"fallback '{options.fallback}' is not one of {', '.join(FALLBACKS)}")
    devices = parse_devices(options.targets, get_target)  # fail on a bad target before any work
    progress = progress or Progress()
    with tempfile.TemporaryDirectory(prefix="gimlet-bundle-") as scratch:
        weights = Path(scratch) / "weights.irpa"
        placed = place_model(model, options, parameters=weights, progress=progress)
        work = {partition.name: _work(placed, partition.name) for partition in placed.partitions}
        jobs = [
            Job(
                partition,
                key,
                target,
                target.driver(*work[partition.name]),
                bytecode(module_for(placed, partition, key, target, options, progress)),
                _op_counts(placed, partition.name),
                work[partition.name][0],
                _signature(partition),
            )
            for partition in placed.partitions
            for key, target in _module_targets(partition, devices, options.fallback)
        ]
        cache = tuning.load_cache() if options.tune else {}
        for job in jobs:
            job.candidates = _candidates(job, options.tune, cache)
        builds = [(job, strategy) for job in jobs for strategy in job.candidates]
        workers = max(1, min(options.jobs or os.cpu_count() or 1, len(builds)))
        label = f"iree-compile {len(builds)} module(s)" + (f", {workers} at a time" if workers > 1 else "")
        with progress.step(label), ThreadPoolExecutor(max_workers=workers) as pool:
            # iree-compile runs as a child process per module: threads are enough to run them side by side.
            futures = {
                (id(job), strategy): pool.submit(_build, job, strategy, options, placed, retry_default=not options.tune)
                for job, strategy in builds
            }
            for job in jobs:
                job.built = dict(_result(futures[(id(job), strategy)], job, strategy) for strategy in job.candidates)
                if job.key == job.partition.device.name and not any(job.built.values()):
                    raise CompilationError(
                        f"{placed.imported.name}: partition {job.partition.name}: no strategy compiled for {job.key} "
                        f"({', '.join(job.candidates)}); the warnings above say why"
                    )
        if options.tune:
            with progress.step("tune: measure each strategy on the devices here"):
                for job in jobs:
                    _choose(job, weights, cache)
            tuning.save_cache(cache)
        members: dict[str, bytes] = {}
        modules_of: dict[str, dict] = {partition.name: {} for partition in placed.partitions}
        for job in jobs:
            strategy = job.chosen or next((name for name, vmfb in job.built.items() if vmfb is not None), job.candidates[0])
            vmfb = job.built[strategy]
            if vmfb is None:
                continue
            member = f"modules/{job.partition.name}.{job.key}.vmfb"
            members[member] = vmfb
            modules_of[job.partition.name][job.key] = _module_entry(member, job.target, job.driver, strategy, job.timings)
        entries = [_partition_entry(partition, modules_of[partition.name]) for partition in placed.partitions]
        if weights.exists():
            members[WEIGHTS_MEMBER] = weights.read_bytes()
    return Bundle(_manifest(placed, entries, has_weights=WEIGHTS_MEMBER in members), members)


@dataclass
class Job:
    """One module to build: a partition for one device, with the strategies to try."""

    partition: Partition
    key: str
    target: Target
    #: iree.runtime driver the module runs on (`Target.driver`, from the partition's work).
    driver: str
    source: bytes
    op_counts: dict[str, int]
    #: The partition's FLOPs, as the cost model counts them.
    flops: float
    signature: list[tuple[list[int], str]]
    candidates: list[str] = field(default_factory=list)
    built: dict[str, bytes | None] = field(default_factory=dict)
    chosen: str | None = None
    timings: dict[str, float | None] = field(default_factory=dict)


def _op_counts(placed: PlacedModel, partition: str) -> dict[str, int]:
    """How many ops of each kind the partition holds, by op name and by label
    (`gimlet.conv` and `gimlet.conv[grouped]`): what default strategies are chosen from."""
    counts: dict[str, int] = {}
    for row in placed.ops:
        if row["partition"] == partition:
            for key in {row["op"].partition("[")[0], row["op"]}:
                counts[key] = counts.get(key, 0) + 1
    return counts


def _work(placed: PlacedModel, partition: str) -> tuple[float, float]:
    """(FLOPs, bytes read and written) of the partition's ops, as the cost model counts them."""
    rows = [row for row in placed.ops if row["partition"] == partition]
    return sum(row["flops"] for row in rows), sum(row["bytes"] for row in rows)


def _signature(partition: Partition) -> list[tuple[list[int], str]]:
    """The partition function's argument shapes and NumPy dtypes, for tuning's random inputs."""
    from iree.compiler import ir

    names = {"f32": "float32", "f16": "float16", "f64": "float64", "i64": "int64", "i32": "int32", "i8": "int8", "i1": "bool"}
    with partition.module.context:
        function = next(op for op in partition.module.body.operations if op.operation.name == "func.func")
        inputs = ir.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value).inputs
        return [(list(t.shape), names.get(str(t.element_type), "float32")) for t in inputs]


def _candidates(job: Job, tune: bool, cache: dict) -> list[str]:
    """Strategies to compile: the default one; with --tune, a cached choice or every strategy
    (only where the job's device is here to measure on)."""
    default = job.target.default_strategy(job.op_counts, job.flops)
    if not tune:
        return [default]
    cached = cache.get(tuning.cache_key(job.source, job.target))
    if cached in job.target.strategies():
        return [cached]
    if try_open(job.driver) is None or "triple" in job.target.options:
        return [default]
    return [default] + [name for name in job.target.strategies() if name != default]


def _choose(job: Job, weights: Path, cache: dict) -> None:
    """Measure every strategy built for `job`, keep the fastest whose outputs match the default's."""
    if len(job.built) < 2:
        return
    inputs = tuning.random_inputs(job.signature)
    baseline = None
    for strategy, vmfb in job.built.items():
        if vmfb is None:
            job.timings[strategy] = None
            continue
        try:
            seconds, outputs = tuning.measure(vmfb, job.driver, job.partition.function, weights, PARAMETER_SCOPE, inputs)
        except Exception as error:  # a candidate that fails to run is simply not chosen
            warnings.warn(f"gimlet: tuning {job.partition.name} for {job.key}: strategy {strategy} failed to run: {error}", stacklevel=4)
            job.timings[strategy] = None
            continue
        if baseline is None:
            baseline = outputs
        elif not tuning.agree(outputs, baseline):
            warnings.warn(f"gimlet: tuning {job.partition.name} for {job.key}: strategy {strategy} disagrees with the default; not used", stacklevel=4)
            job.timings[strategy] = None
            continue
        job.timings[strategy] = seconds
    measured = {name: seconds for name, seconds in job.timings.items() if seconds is not None}
    if measured:
        job.chosen = min(measured, key=measured.get)
        cache[tuning.cache_key(job.source, job.target)] = job.chosen


def _build(job: Job, strategy: str, options: CompileOptions, placed: PlacedModel, retry_default: bool) -> tuple[str, bytes]:
    """(strategy used, module bytes). A strategy other than the default that iree-compile rejects
    (IREE has bugs and limits some flag sets hit, e.g. data tiling on masked attention) is retried,
    when `retry_default`, with the target's fallback for it (`Target.fallback_strategy`): quietly
    where that is another planned strategy, with a warning where it is the default flags."""
    name = f"{job.partition.name}.{job.key}" + (f".{strategy}" if len(job.candidates) > 1 else "")
    imported = placed.imported

    def build(flags_of: str) -> bytes:
        return compile_bytecode(
            job.source,
            job.target,
            options,
            imported.name,
            imported.temps,
            name,
            job.target.strategies()[flags_of],
            job.target.after_global_optimization(flags_of),
        )

    while True:
        try:
            return strategy, build(strategy)
        except CompilationError as error:
            if not retry_default or strategy == DEFAULT_STRATEGY:
                raise
            fallback = job.target.fallback_strategy(strategy)
            if fallback == DEFAULT_STRATEGY:
                warnings.warn(
                    f"gimlet: partition {job.partition.name} for {job.key}: strategy {strategy} failed to compile "
                    f"({str(error).splitlines()[0]}); using {DEFAULT_STRATEGY}",
                    stacklevel=2,
                )
            strategy = fallback


def _result(future, job: Job, strategy: str) -> tuple[str, bytes | None]:
    """(strategy, module bytes). Only the module a partition needs fails the compile: a fallback
    module, or a tuning candidate (the default one too, where another builds), that fails is left
    out with a warning."""
    try:
        return future.result()
    except CompilationError as error:
        if job.key == job.partition.device.name and len(job.candidates) == 1:
            raise
        what = f"strategy {strategy}" if len(job.candidates) > 1 else f"{job.key} fallback"
        warnings.warn(f"gimlet: no {what} for partition {job.partition.name}: {error}", stacklevel=4)
        return strategy, None


def _module_targets(partition: Partition, devices, fallback: str) -> list[tuple[str, Target]]:
    """(module key, target) for every module a partition gets: its device first, then fallbacks."""
    chosen = [(partition.device.name, partition.device.target)]
    if fallback == "all":
        chosen += [(d.name, d.target) for d in devices if d.name != partition.device.name]
    elif fallback == "cpu" and partition.device.target.NAME != "cpu":
        cpu = next((d for d in devices if d.target.NAME == "cpu" and "triple" not in d.target.options), None)
        chosen.append((cpu.name, cpu.target) if cpu is not None else ("cpu", get_target("cpu")))
    return chosen


def _module_entry(member: str, target: Target, driver: str, strategy: str, timings: dict[str, float | None]) -> dict:
    entry = {
        "member": member,
        "target": target.describe(),
        "driver": driver,
        "strategy": strategy,
        "flags": [*target.compile_flags(), *target.strategies()[strategy]],
    }
    if passes := target.after_global_optimization(strategy):
        entry["after_global_optimization"] = passes
    if timings:
        entry["tuning"] = {name: seconds for name, seconds in timings.items()}
    if "triple" in target.options:
        entry["triple"] = target.options["triple"]
    if cpu_flags := target.required_cpu_flags():
        entry["cpu_flags"] = cpu_flags
    return entry


def _partition_entry(partition: Partition, modules: dict) -> dict:
    return {
        "name": partition.name,
        "function": partition.function,
        "target": partition.device.name,
        "inputs": partition.inputs,
        "outputs": partition.outputs,
        "modules": modules,
    }


def _output_entry(spec, aliases: dict[str, str]) -> dict:
    """A model output; `tensor` names the tensor that carries it where that has another name."""
    entry = spec.to_dict()
    if spec.name in aliases:
        entry["tensor"] = aliases[spec.name]
    return entry


def _manifest(placed: PlacedModel, partitions: list[dict], has_weights: bool) -> dict:
    imported = placed.imported
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "compiler": {"gimlet": __version__, "iree": iree_version.VERSION, "host": platform.machine()},
        "model": {"name": imported.title, "source": imported.name},
        "inputs": [spec.to_dict() for spec in imported.inputs],
        "outputs": [_output_entry(spec, placed.output_aliases) for spec in imported.outputs],
        **({"checks": imported.checks} if imported.checks else {}),
        "parameters": {"member": WEIGHTS_MEMBER, "scope": PARAMETER_SCOPE} if has_weights else None,
        "partitions": partitions,
        "placement": {
            **placed.summary,
            "devices": [
                {"name": d.name, "target": d.target.describe(), "profile": p.name, "profile_source": p.source}
                for d, p in zip(placed.devices, placed.profiles)
            ],
            "transfers": placed.transfers,
            "ops": placed.ops,
        },
        "coverage": placed.coverage.to_dict(),
    }
