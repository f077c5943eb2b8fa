"""Compile time: gimletc against plain IREE (iree-import-onnx + iree-compile) on the same models.

    python benchmarks/compile_time.py [--models resnet18,bert_encoder]

For each model: the time of gimlet.compile split into import, gimlet's own
passes (raise, cost, placement, outlining, lowering to linalg) and
iree-compile; against plain IREE on the same model with the same CPU flags.
The aim: gimlet's own passes add under 20% to what plain IREE takes. Writes
benchmarks/results/compile_time.md. The torchvision and encoder models need
PyTorch (see cpu_latency.py's docstring); --no-torch uses the examples only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from common import invocation, publish

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
RESULTS = REPO / "benchmarks" / "results" / "compile_time.md"
GIMLET_PASSES = ("gimlet-raise-torch", "gimlet-annotate-cost", "gimlet-partition", "gimlet-outline-partitions", "gimlet-lower-to-linalg")


class StepTimes:
    """A Progress that records how long each step of gimlet.compile took."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, description: str):
        started = time.perf_counter()
        yield
        self.seconds[description] = self.seconds.get(description, 0.0) + time.perf_counter() - started


def gimlet_times(model: Path) -> tuple[dict[str, float], list[str], str]:
    """Seconds per part of gimlet.compile, and the iree-compile flags and strategy it used."""
    import gimlet

    steps = StepTimes()
    started = time.perf_counter()
    bundle = gimlet.compile(model, targets=["cpu"], progress=steps, jobs=1)
    total = time.perf_counter() - started
    passes = sum(seconds for name, seconds in steps.seconds.items() if name.split(" ")[0] in GIMLET_PASSES)
    compile_s = sum(seconds for name, seconds in steps.seconds.items() if name.startswith("iree-compile"))
    module = bundle.manifest["partitions"][0]["modules"]["cpu"]
    times = {"total": total, "import": steps.seconds.get("import", 0.0), "passes": passes, "iree": compile_s}
    return times, module["flags"], module["strategy"]


def iree_times(model: Path, flags: list[str], directory: Path) -> dict[str, float]:
    """Plain IREE: the ONNX importer (opset upgraded as gimlet does) then iree-compile with the same flags."""
    mlir = directory / f"{model.stem}.mlir"
    started = time.perf_counter()
    subprocess.run(["iree-import-onnx", str(model), "--opset-version", "17", "-o", str(mlir)], check=True, capture_output=True)
    imported = time.perf_counter()
    subprocess.run(["iree-compile", str(mlir), *flags, "-o", str(directory / f"{model.stem}.vmfb")], check=True, capture_output=True)
    done = time.perf_counter()
    return {"import": imported - started, "compile": done - imported, "total": done - started}


def plain_iree_times(model: Path, flags: list[str], strategy: str, directory: Path) -> tuple[dict[str, float], str | None]:
    """Plain IREE's times with gimlet's flags, or, where iree-compile rejects them on IREE's own import
    (MobileNetV2's NCHW graph exceeds the stack limit with data tiling's padding option), with the
    CPU target's fallback strategy, as gimlet falls back; the second value names that strategy."""
    from gimlet.compiler.driver import IREE_INPUT_FLAG
    from gimlet.targets import get_target

    try:
        return iree_times(model, [*flags, IREE_INPUT_FLAG], directory), None
    except subprocess.CalledProcessError:
        target = get_target("cpu")
        fallback = target.fallback_strategy(strategy)
        if fallback == strategy:
            raise
        fallback_flags = [*target.compile_flags(), *target.strategies()[fallback], IREE_INPUT_FLAG]
        return iree_times(model, fallback_flags, directory), fallback


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated subset (prefix match)")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    from cpu_latency import benchmark_cases

    lines = [
        "# Compile time: gimlet vs plain IREE (CPU)",
        "",
        "gimlet = `gimlet.compile(..., targets=['cpu'], jobs=1)`; its passes = raise, cost, placement, outlining and",
        "lowering to linalg. Plain IREE = `iree-import-onnx --opset-version 17` then `iree-compile` with the same flags",
        "(the CPU target and the model's default strategy). Seconds, one run each on a 2-core machine.",
        "",
        "| model | gimlet total | import | gimlet passes | iree-compile | plain IREE total | passes / plain IREE | gimlet / plain IREE |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        cases = benchmark_cases(directory, args.models, with_torch=not args.no_torch)
        for case in cases:
            print(f"{case.name} ...", file=sys.stderr, flush=True)
            ours, flags, strategy = gimlet_times(case.onnx_path)
            try:
                theirs, fallback = plain_iree_times(case.onnx_path, flags, strategy, directory)
            except subprocess.CalledProcessError as error:
                failed = error.stderr.decode(errors="replace").strip().splitlines()
                reason = next((line for line in failed if "error" in line), failed[0] if failed else "failed")[:120]
                lines.append(
                    f"| {case.name} | {ours['total']:.2f} | {ours['import']:.2f} | {ours['passes']:.2f} | {ours['iree']:.2f} | "
                    f"fails: {reason} | | |"
                )
                continue
            lines.append(
                f"| {case.name} | {ours['total']:.2f} | {ours['import']:.2f} | {ours['passes']:.2f} | {ours['iree']:.2f} | "
                f"{theirs['total']:.2f}{f' ({fallback} strategy)' if fallback else ''} | "
                f"{100 * ours['passes'] / theirs['total']:.1f}% | {ours['total'] / theirs['total']:.2f} |"
            )
    lines += [
        "",
        "A plain IREE time marked with a strategy: iree-compile rejected gimlet's flags on IREE's own import of the",
        "model, and that strategy is the CPU target's fallback for gimlet's, the one gimlet would use in that case.",
        "",
        f"Reproduce: `{invocation()}`.",
        "",
    ]
    table = "\n".join(lines)
    publish(table, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
