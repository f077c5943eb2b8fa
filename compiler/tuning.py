"""`gimletc --tune`: pick each partition's fastest compile strategy by measuring it on the device here.

The best IREE flags differ by model class (im2col for convolutions, data
tiling for transformers, ...). For each partition this compiles every
strategy its target offers, checks each candidate's outputs against the
default strategy's on the same random inputs, times it on the device present,
and keeps the fastest. Choices are cached by partition content, target and
machine, so compiling the same model again reuses them.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..runtime.devices import try_open
from ..runtime.transfers import to_host
from ..runtime.waiting import without_wakeup_preemption
from ..targets import Target

#: Outputs of a candidate must match the default strategy's within these.
RTOL, ATOL = 1e-3, 1e-4
#: How long to time each candidate, at most.
BUDGET_S = 1.0


@dataclass
class Candidate:
    strategy: str
    vmfb: bytes
    seconds: float | None  # median run time; None if it failed or disagreed
    note: str = ""


def cache_path() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(os.environ.get("GIMLET_TUNE_CACHE", os.path.join(root, "gimlet", "tuning.json")))


def cache_key(source: bytes, target: Target) -> str:
    """Partition content × target × machine: a choice measured elsewhere says nothing here."""
    machine = f"{platform.machine()}:{platform.processor()}:{os.cpu_count()}"
    digest = hashlib.sha256(source)
    digest.update(target.describe().encode())
    digest.update(machine.encode())
    return digest.hexdigest()


def load_cache() -> dict:
    try:
        return json.loads(cache_path().read_text())
    except (OSError, ValueError):
        return {}


def save_cache(cache: dict) -> None:
    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cache, indent=2, sort_keys=True) + "\n")


def random_inputs(signature: list[tuple[list[int], str]], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for shape, dtype in signature:
        shape = [d if d >= 0 else 1 for d in shape]
        kind = np.dtype(dtype).kind
        if kind == "f":
            arrays.append(rng.standard_normal(shape).astype(dtype))
        elif kind == "b":
            arrays.append(rng.random(shape) < 0.5)
        else:
            arrays.append(rng.integers(0, 4, shape).astype(dtype))
    return arrays


def measure(vmfb: bytes, driver: str, function: str, weights: Path | None, scope: str, inputs: list[np.ndarray]):
    """(median seconds, host outputs) of running the module on `driver`'s device here."""
    import iree.runtime as ireert

    device = try_open(driver)
    instance = ireert.VmInstance()
    modules = [ireert.create_hal_module(instance, device)]
    if weights is not None and weights.exists():
        index = ireert.ParameterIndex()
        index.load(str(weights))
        modules.append(ireert.create_io_parameters_module(instance, index.create_provider(scope=scope)))
    program = ireert.VmModule.copy_buffer(instance, vmfb)
    modules.append(program)
    context = ireert.VmContext(instance, modules=modules)
    # Each candidate is timed as a session will run it.
    invoker = without_wakeup_preemption(ireert.FunctionInvoker(context, device, program.lookup_function(function)), driver)

    def run():
        result = invoker(*inputs)
        results = result if isinstance(result, (list, tuple)) else [result]
        return [to_host(r, device, driver) for r in results]

    outputs = run()
    samples, started = [], time.perf_counter()
    while len(samples) < 3 or (time.perf_counter() - started < BUDGET_S and len(samples) < 50):
        begun = time.perf_counter()
        run()
        samples.append(time.perf_counter() - begun)
    return statistics.median(samples), outputs


def agree(outputs: list[np.ndarray], baseline: list[np.ndarray]) -> bool:
    return len(outputs) == len(baseline) and all(
        a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL * max(1.0, float(np.abs(b).max(initial=0))), equal_nan=True)
        for a, b in zip(outputs, baseline)
    )
