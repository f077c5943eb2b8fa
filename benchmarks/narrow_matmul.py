"""Matrix products of a few rows on the CPU: IREE's own tiles, its data tiling, and gimlet's narrow tiles.

    python benchmarks/narrow_matmul.py [--rounds 3] [--output benchmarks/results/narrow_matmul.md]

A chain of four square f32 layers of constant weights (a small batch through
linear layers) is lowered by gimlet-lower-to-linalg, with and without
`matmul-narrow-tiles=true` (contraction.LowerMatmul), and compiled for this
CPU four ways: IREE's own tiles (the CPU target's `default` strategy), IREE's
data tiling (the `data-tiling` strategy, whose packed weights IREE prepares
once, at load), gimlet as it compiles such a model (its tiles where they
apply, under the strategy the CPU target picks for the chain's FLOPs: data
tiling from 2 MFLOP), and gimlet's tiles on every product (its limits of rows
and weight size lifted, to show where they stop paying; same strategy). Each module runs on IREE's local-sync
driver (one thread) under iree-benchmark-module; the builds take turns
within each round, and a figure is the median over rounds of a call's time.

Writes benchmarks/results/narrow_matmul.md.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import subprocess
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
from common import cpu_name, invocation, publish
from gimlet.compiler.context import new_context
from gimlet.compiler.driver import IREE_INPUT_FLAG
from gimlet.passes import PASSES
from gimlet.passes.lower_to_linalg.contraction import LowerMatmul
from gimlet.targets import get_target
from iree.compiler import ir

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "narrow_matmul.md"
LAYERS = 4
#: (rows, layer width): the mlp example's scale up to layers of 4 MiB of weights.
SHAPES = [(4, 64), (4, 128), (4, 256), (4, 512), (4, 1024), (2, 128), (2, 512), (2, 1024), (8, 256)]
#: Build name → (gimlet's narrow tiles: None, as shipped, or on every product; the CPU target's
#: strategy, None for the one it picks for the chain).
BUILDS = {
    "IREE's tiles": (None, "default"),
    "IREE data tiling": (None, "data-tiling"),
    "gimlet": ("shipped", None),
    "gimlet's tiles, no limits": ("everywhere", None),
}


def chain(rows: int, width: int) -> str:
    """gimlet IR: x [rows, width] through LAYERS products with constant [width, width] weights."""
    rng = np.random.default_rng(0)
    lines = [f"func.func @chain(%x: tensor<{rows}x{width}xf32>) -> tensor<{rows}x{width}xf32> {{"]
    value, row_type, weight_type = "%x", f"tensor<{rows}x{width}xf32>", f"tensor<{width}x{width}xf32>"
    for layer in range(LAYERS):
        weights = (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
        lines.append(f'  %w{layer} = arith.constant dense<"0x{weights.tobytes().hex().upper()}"> : {weight_type}')
        lines.append(f'  %y{layer} = "gimlet.matmul"({value}, %w{layer}) : ({row_type}, {weight_type}) -> {row_type}')
        value = f"%y{layer}"
    lines += [f"  return {value} : {row_type}", "}"]
    return "\n".join(lines)


def lowered(source: str, narrow: str | None) -> str:
    """The chain through gimlet-lower-to-linalg: without narrow tiles, with them as shipped, or with
    them `everywhere` (LowerMatmul's limits of rows and weight bytes lifted)."""
    options = "matmul-narrow-tiles=true" if narrow else ""
    limits = (
        mock.patch.multiple(LowerMatmul, NARROW_ROWS=1 << 30, NARROW_MAX_RHS_BYTES=1 << 62)
        if narrow == "everywhere"
        else contextlib.nullcontext()
    )
    with limits, new_context(), ir.Location.unknown():
        module = ir.Module.parse(source)
        PASSES["gimlet-lower-to-linalg"].from_option_string(options).apply(module)
        return str(module)


def build(source: str, narrow: str | None, strategy: str, out: Path) -> Path:
    """The chain lowered by gimlet and compiled by iree-compile for this CPU under `strategy`."""
    linalg_ir = out.with_suffix(".mlir")
    linalg_ir.write_text(lowered(source, narrow))
    cpu = get_target("cpu")
    flags = [*cpu.compile_flags(), *cpu.strategies()[strategy], IREE_INPUT_FLAG]
    subprocess.run(["iree-compile", str(linalg_ir), *flags, "-o", str(out)], check=True)
    return out


def call_us(module: Path, inputs: Path) -> float:
    """Median time of a call on one thread (local-sync), from iree-benchmark-module's throughput."""
    output = subprocess.run(
        [
            "iree-benchmark-module",
            f"--module={module}",
            "--device=local-sync",
            "--function=chain",
            f"--input=@{inputs}",
            "--benchmark_repetitions=5",
            "--benchmark_min_time=0.1s",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"real_time_median.*items_per_second=([\d.]+)([kM]?)/s", output)
    per_second = float(found.group(1)) * {"": 1, "k": 1e3, "M": 1e6}[found.group(2)]
    return 1e6 / per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows_out = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for rows, width in SHAPES:
            source, inputs = chain(rows, width), scratch / f"x_{rows}x{width}.npy"
            np.save(inputs, np.random.default_rng(1).standard_normal((rows, width)).astype(np.float32))
            chosen = get_target("cpu").default_strategy({"gimlet.matmul": LAYERS}, flops=2.0 * rows * width * width * LAYERS)
            modules = {
                name: build(source, narrow, strategy or chosen, scratch / f"{rows}x{width}_{index}.vmfb")
                for index, (name, (narrow, strategy)) in enumerate(BUILDS.items())
            }
            times = {name: [] for name in BUILDS}
            for _ in range(args.rounds):
                for name, module in modules.items():
                    times[name].append(call_us(module, inputs))
            medians = {name: statistics.median(values) for name, values in times.items()}
            best_other = min(medians["IREE's tiles"], medians["IREE data tiling"])
            mib = width * width * 4 / (1 << 20)
            cells = " | ".join(f"{medians[name]:.1f}" for name in BUILDS)
            shipped = medians["gimlet"] / best_other
            rows_out.append(f"| {rows} | {width} | {mib:.3g} | {chosen} | {cells} | {shipped:.2f} |")
            print(rows_out[-1], flush=True)
    header = [
        "# Matrix products of a few rows: IREE's tiles, IREE's data tiling, gimlet's narrow tiles",
        "",
        (
            f"Machine: {cpu_name()}; one thread (local-sync). A chain of {LAYERS} square f32 layers of constant "
            "weights; µs a call, medians over rounds in which the builds take turns (see the script's docstring)."
        ),
        "",
        "| rows | layer width | weights a layer (MiB) | gimlet's strategy | "
        + " | ".join(f"{name} (µs)" for name in BUILDS)
        + " | gimlet / best of IREE's |",
        "| ---: | ---: | ---: | --- | " + " | ".join("---:" for _ in BUILDS) + " | ---: |",
    ]
    publish("\n".join(header + rows_out) + f"\n\nReproduce: `{invocation()}`.\n", args.output)


if __name__ == "__main__":
    main()
