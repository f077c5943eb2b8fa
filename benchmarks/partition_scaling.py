"""Placement solver scaling: heuristic vs exact (MILP) time, and the heuristic's optimality gap.

    python benchmarks/partition_scaling.py [--sizes 100,1000,10000] [--targets 2,3] [--time-limit 60]

For each size and target count, one random model-like DAG
(`random_problem`, 2% of ops pinned) and three objectives: latency, cost,
and cost under an SLA 30% of the way from the fastest placement's latency to
the cheapest's (both from the exact solve when it finished, else the
heuristic's). The heuristic's time is the median of three runs. The exact
solver gets --time-limit seconds; when it cannot prove optimality in that
time its column shows the limit and the gap is unknown. The gap is the
heuristic's objective over the proven optimum, minus one. Prints a table and
writes it to benchmarks/results/partition_scaling.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from gimlet.passes.partition.solver import random_problem, solve
from common import cpu_name, invocation, publish

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "partition_scaling.md"


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def value_of(solution, objective: str) -> float:
    return solution.latency if objective == "latency" else solution.cost


def measure(n_ops: int, n_targets: int, time_limit: float, seed: int) -> list[dict]:
    """One row per objective: heuristic seconds, exact seconds (None past the limit), gap (None if unknown)."""
    problem = random_problem(n_ops, n_targets, seed, pin_fraction=0.02)
    rows = []
    references = {}
    for objective in ("latency", "cost", "cost + SLA"):
        kind = "cost" if objective == "cost + SLA" else objective
        sla = None
        if objective == "cost + SLA":
            fastest, cheapest = references["latency"].latency, references["cost"].latency
            sla = fastest + 0.3 * (cheapest - fastest)
        print(f"  {n_ops} ops, {n_targets} targets, {objective}: exact ...", file=sys.stderr, flush=True)
        exact, exact_seconds = timed(lambda: solve(problem, kind, sla=sla, method="exact", time_limit=time_limit))
        print(f"  {n_ops} ops, {n_targets} targets, {objective}: heuristic ...", file=sys.stderr, flush=True)
        runs = [timed(lambda: solve(problem, kind, sla=sla, method="heuristic")) for _ in range(3)]
        heuristic = runs[0][0]
        references[objective] = exact
        rows.append(
            {
                "ops": n_ops,
                "targets": n_targets,
                "objective": objective,
                "heuristic": statistics.median(seconds for _, seconds in runs),
                "exact": exact_seconds if exact.optimal else None,
                "gap": value_of(heuristic, kind) / value_of(exact, kind) - 1 if exact.optimal else None,
            }
        )
    return rows


def render(rows: list[dict], time_limit: float) -> str:
    lines = [
        "# Placement solver scaling",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores. Random model-like DAGs (`random_problem`, 2% of ops "
        f"pinned); the SLA row asks for the cheapest placement within 30% of the way from the fastest "
        f"latency to the cheapest placement's. Heuristic: median of 3 runs. Exact: HiGHS MILP, "
        f"{time_limit:.0f} s limit. Gap: heuristic objective / proven optimum - 1.",
        "",
        "| ops | targets | objective | heuristic (s) | exact (s) | heuristic gap |",
        "| ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        exact = f"{row['exact']:.2f}" if row["exact"] is not None else f"> {time_limit:.0f}"
        gap = f"{row['gap'] * 100:.2f}%" if row["gap"] is not None else "unknown"
        lines.append(
            f"| {row['ops']:,} | {row['targets']} | {row['objective']} | {row['heuristic']:.3f} | {exact} | {gap} |"
        )
    lines.append("")
    lines.append(f"Reproduce: `{invocation()}`.")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="placement solver: heuristic vs exact, by graph size")
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated op counts")
    parser.add_argument("--targets", default="2,3", help="comma-separated target counts")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds for each exact solve")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = []
    for n_ops in (int(size) for size in args.sizes.split(",")):
        for n_targets in (int(count) for count in args.targets.split(",")):
            rows += measure(n_ops, n_targets, args.time_limit, args.seed)
    table = render(rows, args.time_limit)
    publish(table, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
