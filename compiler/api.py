"""`gimlet.compile()`: a model in, a Bundle out."""

from __future__ import annotations

import dataclasses
import os
import platform
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from iree.compiler import version as iree_version

from .. import __version__
from ..errors import CompilationError, OptionError
from ..runtime.bundle import FORMAT, FORMAT_VERSION, Bundle
from ..targets import Target, get_target, split_target_list
from ..targets.devices import parse_devices
from .driver import Progress, bytecode, compile_bytecode
from .onnx_import_worker import PARAMETER_SCOPE
from .options import CompileOptions
from .placement import Partition, PlacedModel, place_model

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
        jobs = [
            (partition, key, target, bytecode(partition.module))
            for partition in placed.partitions
            for key, target in _module_targets(partition, devices, options.fallback)
        ]
        workers = max(1, min(options.jobs or os.cpu_count() or 1, len(jobs)))
        label = f"iree-compile {len(jobs)} module(s)" + (f", {workers} at a time" if workers > 1 else "")
        with progress.step(label), ThreadPoolExecutor(max_workers=workers) as pool:
            # iree-compile runs as a child process per module: threads are enough to run them side by side.
            futures = [
                pool.submit(
                    compile_bytecode, source, target, options, placed.imported.name, placed.imported.temps, f"{partition.name}.{key}"
                )
                for partition, key, target, source in jobs
            ]
            results = [_result(future, partition, key) for future, (partition, key, _, _) in zip(futures, jobs)]
        members: dict[str, bytes] = {}
        modules_of: dict[str, dict] = {partition.name: {} for partition in placed.partitions}
        for (partition, key, target, _), vmfb in zip(jobs, results):
            if vmfb is None:
                continue
            member = f"modules/{partition.name}.{key}.vmfb"
            members[member] = vmfb
            modules_of[partition.name][key] = _module_entry(member, target)
        entries = [_partition_entry(partition, modules_of[partition.name]) for partition in placed.partitions]
        if weights.exists():
            members[WEIGHTS_MEMBER] = weights.read_bytes()
    return Bundle(_manifest(placed, entries, has_weights=WEIGHTS_MEMBER in members), members)


def _result(future, partition: Partition, key: str) -> bytes | None:
    """A module's bytes; a fallback that fails to compile is left out with a warning, not an error."""
    try:
        return future.result()
    except CompilationError as error:
        if key == partition.device.name:
            raise
        warnings.warn(f"gimlet: no {key} fallback for partition {partition.name}: {error}", stacklevel=4)
        return None


def _module_targets(partition: Partition, devices, fallback: str) -> list[tuple[str, Target]]:
    """(module key, target) for every module a partition gets: its device first, then fallbacks."""
    chosen = [(partition.device.name, partition.device.target)]
    if fallback == "all":
        chosen += [(d.name, d.target) for d in devices if d.name != partition.device.name]
    elif fallback == "cpu" and partition.device.target.NAME != "cpu":
        cpu = next((d for d in devices if d.target.NAME == "cpu" and "triple" not in d.target.options), None)
        chosen.append((cpu.name, cpu.target) if cpu is not None else ("cpu", get_target("cpu")))
    return chosen


def _module_entry(member: str, target: Target) -> dict:
    entry = {"member": member, "target": target.describe(), "driver": target.DRIVER, "flags": target.compile_flags()}
    if "triple" in target.options:
        entry["triple"] = target.options["triple"]
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


def _manifest(placed: PlacedModel, partitions: list[dict], has_weights: bool) -> dict:
    imported = placed.imported
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "compiler": {"gimlet": __version__, "iree": iree_version.VERSION, "host": platform.machine()},
        "model": {"name": imported.title, "source": imported.name},
        "inputs": [spec.to_dict() for spec in imported.inputs],
        "outputs": [spec.to_dict() for spec in imported.outputs],
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
