"""Every CPU compile strategy on every model of the latency benchmark, timed by gimlet's tuner.

    python benchmarks/cpu_strategies.py [--threads 2] [--models resnet18,mobilenet_v2]

Compiles each model with `tune=True` and an empty tuning cache, so every
strategy of the CPU target (targets/cpu.py) is built, checked against the
default strategy's outputs and timed on this machine (median of repeated
runs, random inputs); prints a table of milliseconds per strategy, marks the
default strategy gimlet picks without tuning and the tuner's choice, and
writes it to benchmarks/results/cpu_strategies.md. A strategy whose module
fails to build or disagrees with the default shows as "failed".
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from common import cpu_name, invocation, publish
from cpu_latency import benchmark_cases

RESULTS = Path(__file__).resolve().parent / "results" / "cpu_strategies.md"


def strategy_times(onnx_path: Path) -> tuple[dict[str, float | None], str, str]:
    """(seconds per strategy, the untuned default, the tuner's choice) for the model's one CPU partition."""
    import gimlet

    bundle = gimlet.compile(onnx_path, targets=["cpu"], tune=True, fallback="none")
    (partition,) = bundle.partitions
    module = partition["modules"]["cpu"]
    timings = module["tuning"]
    # The tuner builds the default strategy first (its outputs are the reference for the others).
    return timings, next(iter(timings)), module["strategy"]


def render(rows: list[tuple[str, dict, str, str]], strategies: list[str], threads: int) -> str:
    lines = [
        "# CPU compile strategies, per model (ms, gimlet's tuner)",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores; IREE local-task with {threads} thread(s); batch 1, f32. "
        "Each cell is the median time of the model's module built with that strategy's flags (targets/cpu.py), "
        "on random inputs, after checking its outputs against the default strategy's. "
        "**d** = the strategy gimlet uses without `--tune`; **t** = the tuner's choice.",
        "",
        "| model | " + " | ".join(strategies) + " |",
        "| --- |" + " ---: |" * len(strategies),
    ]
    for name, times, default, chosen in rows:
        cells = []
        for strategy in strategies:
            seconds = times.get(strategy)
            marks = "".join(mark for mark, hit in (("d", strategy == default), ("t", strategy == chosen)) if hit)
            text = "failed" if seconds is None else f"{seconds * 1e3:.2f}"
            cells.append(f"{text} **{marks}**" if marks else text)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", f"Reproduce: `{invocation()}` (setup in cpu_latency.py's docstring)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", help="comma-separated subset of model names (prefix match)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    import iree.runtime as ireert

    ireert.flags.parse_flags(f"--task_topology_group_count={args.threads}")
    from gimlet.targets import get_target

    strategies = list(get_target("cpu").strategies())
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["GIMLET_TUNE_CACHE"] = str(Path(scratch) / "tuning.json")  # measure, never reuse
        cases = benchmark_cases(Path(scratch), args.models)
        rows = []
        for case in cases:
            print(f"tuning {case.name} ...", file=sys.stderr, flush=True)
            rows.append((case.name, *strategy_times(case.onnx_path)))
    publish(render(rows, strategies, args.threads), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
