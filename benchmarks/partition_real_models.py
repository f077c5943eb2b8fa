"""The placement heuristic against the exact solver on real models (not random graphs).

    python benchmarks/partition_real_models.py

For each model (the shipped examples, four light models, and with PyTorch
installed the BERT-style encoder of cpu_latency.py) and each device set,
builds the placement problem exactly as gimletc does (import, raise,
annotate cost with datasheet profiles), solves it with both methods for
latency and for cost under an SLA halfway between the fastest and the
cheapest placement, and reports the heuristic's gap. Writes
benchmarks/results/partition_real_models.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import onnx
from iree.compiler import ir

from gimlet.compiler.context import new_context
from gimlet.compiler.onnx_import import import_model, load_model, prepare_model
from gimlet.passes import PASSES
from gimlet.passes.base import functions
from gimlet.passes.partition import solver
from gimlet.passes.partition.annotate import devices_of, profiles_of
from gimlet.passes.partition.place import build_problem, default_source
from gimlet.targets.devices import transfer_model
from common import invocation, publish

REPO = Path(__file__).resolve().parents[1]
LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
RESULTS = REPO / "benchmarks" / "results" / "partition_real_models.md"
DEVICE_SETS = ["cpu,cuda:device=h200", "cpu,cuda:device=l4,vulkan"]


def problem_of(model: Path, targets: str) -> solver.Problem:
    context = new_context()
    module = import_model(prepare_model(load_model(model)), context)
    with context, ir.Location.unknown():
        PASSES["gimlet-raise-torch"]().apply(module)
        PASSES["gimlet-annotate-cost"].from_option_string(f"targets={targets}").apply(module)
        devices = devices_of(module)
        profiles = profiles_of(module, devices)
        bandwidth, latency = transfer_model(devices, profiles, [])
        function = functions(module)[0]
        graph = build_problem(function, devices, bandwidth, latency, [p.price_per_hour for p in profiles], default_source(devices))
    return graph.problem


def solve_both(problem: solver.Problem, objective: str, sla: float | None) -> dict:
    started = time.perf_counter()
    exact = solver.solve(problem, objective, sla=sla, method="exact")
    exact_s = time.perf_counter() - started
    started = time.perf_counter()
    heuristic = solver.solve(problem, objective, sla=sla, method="heuristic")
    heuristic_s = time.perf_counter() - started
    key = "latency" if objective == "latency" else "cost"
    best, found = getattr(exact, key), getattr(heuristic, key)
    return {"exact_s": exact_s, "heuristic_s": heuristic_s, "gap": (found - best) / best if best > 0 else 0.0, "optimal": exact.optimal}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    models = {name: REPO / "examples" / f"{name}.onnx" for name in ("mlp", "cnn", "transformer")}
    models.update({name: LIGHT / f"light_{name}.onnx" for name in ("squeezenet", "resnet50", "inception_v2", "densenet121")})
    lines = [
        "# Placement heuristic vs exact solver on real models",
        "",
        "Datasheet and host-estimate profiles; the SLA for `cost` is halfway between the fastest and the cheapest placement.",
        "",
        "| model | ops | devices | objective | exact (s) | heuristic (s) | heuristic gap |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: |",
    ]
    for name, path in models.items():
        for targets in DEVICE_SETS:
            print(f"{name} on {targets} ...", file=sys.stderr, flush=True)
            problem = problem_of(path, targets)
            fastest = solver.solve(problem, "latency", method="exact")
            cheapest = solver.solve(problem, "cost", method="exact")
            sla = (fastest.latency + cheapest.latency) / 2
            for objective, bound in (("latency", None), ("cost", sla)):
                result = solve_both(problem, objective, bound)
                label = "latency" if bound is None else "cost under SLA"
                lines.append(
                    f"| {name} | {len(problem.compute)} | {targets} | {label} | {result['exact_s']:.3f} | "
                    f"{result['heuristic_s']:.3f} | {100 * result['gap']:.2f}% |"
                )
    lines += ["", f"Reproduce: `{invocation()}`.", ""]
    table = "\n".join(lines)
    publish(table, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
