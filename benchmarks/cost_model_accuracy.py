"""How well the cost model predicts op times, before and after calibration.

    python benchmarks/cost_model_accuracy.py [--targets cpu,vulkan] [--profiles PATH]

Ops: every distinct kind of op (name, fn/kind, groups) in the example models,
at its first occurrence, plus larger synthetic ops of every class for spread.
Each op is compiled alone (its operands as arguments, random inputs) and
timed on each device as the cost model prices it: its time inside a module,
launch included, without the fixed cost of calling into the module (see
gimlet.compiler.calibration). The estimates come from `estimate(op, profile)`
with the default profiles (host_cpu_profile, lavapipe_profile) and with
calibrated ones: measured here first by separate microbenchmarks, or read
from --profiles. Reported per device: Spearman rank correlation and median
relative error |estimate - measured| / measured, over all ops and over the
example models' ops alone; results/cost_model_accuracy.md gets every op.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from iree.compiler import ir
from iree.compiler import tools as iree_tools
from common import invocation
from scipy.stats import spearmanr

from gimlet.compiler.context import new_context
from gimlet.compiler.driver import IREE_INPUT_FLAG
from gimlet.compiler.onnx_import import import_model, load_model, prepare_model
from gimlet.dialects import Work
from gimlet.passes import PASSES
from gimlet.passes.partition.cost import OP_CLASS, estimate
from gimlet.targets import get_target
from gimlet.compiler.calibration import TIMING_PASSES, DeviceBench, OpSpec, calibrate
from gimlet.targets.perf import DeviceProfile, load_profiles
from gimlet.targets.profiles import host_cpu_profile, lavapipe_profile

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "cost_model_accuracy.md"
MODELS = ("mlp", "cnn", "transformer")
DEFAULT_PROFILES = {"cpu": host_cpu_profile, "vulkan": lavapipe_profile}

CONV = "{{dilations = array<i64: 1, 1>, groups = {groups} : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: {stride}, {stride}>}}"
SYNTHETIC = [
    OpSpec("gimlet.matmul", ("tensor<256x1024xf32>", "tensor<1024x1024xf32>"), "tensor<256x1024xf32>"),
    OpSpec("gimlet.matmul", ("tensor<8x128x64xf32>", "tensor<8x64x128xf32>"), "tensor<8x128x128xf32>"),
    OpSpec("gimlet.conv", ("tensor<1x64x56x56xf32>", "tensor<64x64x3x3xf32>", "tensor<64xf32>"), "tensor<1x64x56x56xf32>", CONV.format(groups=1, stride=1)),
    OpSpec("gimlet.conv", ("tensor<1x3x224x224xf32>", "tensor<32x3x3x3xf32>", "tensor<32xf32>"), "tensor<1x32x112x112xf32>", CONV.format(groups=1, stride=2)),
    OpSpec("gimlet.conv", ("tensor<1x128x56x56xf32>", "tensor<128x1x3x3xf32>", "tensor<128xf32>"), "tensor<1x128x56x56xf32>", CONV.format(groups=128, stride=1)),
    OpSpec("gimlet.elementwise", ("tensor<1x64x112x112xf32>",) * 2, "tensor<1x64x112x112xf32>", '{fn = "add"}'),
    OpSpec("gimlet.elementwise", ("tensor<4x128x3072xf32>",), "tensor<4x128x3072xf32>", '{fn = "gelu"}'),
    OpSpec("gimlet.softmax", ("tensor<1x12x128x128xf32>",), "tensor<1x12x128x128xf32>", "{axis = 3 : i64, log = false}"),
    OpSpec("gimlet.layer_norm", ("tensor<1x512x768xf32>", "tensor<768xf32>", "tensor<768xf32>"), "tensor<1x512x768xf32>", "{axis = 2 : i64, epsilon = 1.0E-5 : f64}"),
    OpSpec("gimlet.batch_norm", ("tensor<1x64x112x112xf32>", *("tensor<64xf32>",) * 4), "tensor<1x64x112x112xf32>", "{epsilon = 1.0E-5 : f64}"),
    OpSpec(
        "gimlet.pool", ("tensor<1x64x112x112xf32>",), "tensor<1x64x56x56xf32>",
        '{ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, kind = "max", '
        "padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}",
    ),
    OpSpec("gimlet.reduce", ("tensor<1x256x56x56xf32>",), "tensor<1x256x1x1xf32>", '{axes = array<i64: 2, 3>, keepdims = true, kind = "mean"}'),
    OpSpec("gimlet.transpose", ("tensor<4x512x16x64xf32>",), "tensor<4x16x512x64xf32>", "{permutation = array<i64: 0, 2, 1, 3>}"),
    OpSpec("gimlet.gather", ("tensor<8000x768xf32>", "tensor<512xi64>"), "tensor<512x768xf32>", "{axis = 0 : i64}"),
]


@dataclass
class Case:
    spec: OpSpec
    origin: str  # the example model, or "synthetic"
    dispatches: int = 0
    work: Work | None = None
    #: Measured seconds by target.
    seconds: dict[str, float] = field(default_factory=dict)


def model_ops() -> list[Case]:
    """Each model's first op of every distinct kind (name, fn or kind attribute, groups)."""
    cases = []
    for model in MODELS:
        context = new_context()
        module = import_model(prepare_model(load_model(REPO / "examples" / f"{model}.onnx")), context)
        seen = set()
        with context, ir.Location.unknown():
            PASSES["gimlet-raise-torch"]().apply(module)

            def visit(op):
                if op.name in OP_CLASS and op.name != "gimlet.foreign":
                    key = (op.name, *(str(op.attributes[a]) for a in ("fn", "kind", "groups") if a in op.attributes))
                    if key not in seen:
                        seen.add(key)
                        cases.append(Case(OpSpec.of(op), model))
                return ir.WalkResult.ADVANCE

            module.operation.walk(visit)
    return cases


def estimates(spec: OpSpec, profiles: list[DeviceProfile]) -> list[float]:
    """The cost model's estimate of the op under each profile."""
    with new_context() as context, ir.Location.unknown(context):
        module = ir.Module.parse(f"module {{\n{spec.function('f', 1)}\n}}")
        op = next(o for o in module.body.operations[0].regions[0].blocks[0].operations if o.operation.name == spec.name)
        return [estimate(op.operation, profile) for profile in profiles]


def count_dispatches(spec: OpSpec) -> int:
    """How many kernels IREE makes of the op (the cost model charges one launch)."""
    with new_context() as context, ir.Location.unknown(context):
        module = ir.Module.parse(f"module {{\n{spec.function('f', 1)}\n}}")
        PASSES["gimlet-lower-to-linalg"]().apply(module)
        text = module.operation.get_asm()
    flow = iree_tools.compile_str(text, extra_args=[*get_target("cpu").compile_flags(), IREE_INPUT_FLAG, "--compile-to=flow"])
    return flow.decode().count("flow.dispatch @")


def describe(spec: OpSpec) -> str:
    shapes = " ".join(t.removeprefix("tensor<").removesuffix(">") for t in spec.operand_types)
    detail = next((part.split("=")[1].strip(' "}') for part in spec.attributes.split(",") if part.strip(" {").startswith(("fn", "kind ="))), "")
    name = spec.name.removeprefix("gimlet.")
    return f"{name}{'(' + detail + ')' if detail else ''} {shapes}"


def accuracy(estimated: list[float], measured: list[float]) -> tuple[float, float]:
    """(Spearman rank correlation, median relative error)."""
    rho = spearmanr(estimated, measured).statistic
    error = statistics.median(abs(e - m) / m for e, m in zip(estimated, measured))
    return float(rho), error


def measure_cases(cases: list[Case], targets: list[str], started: float) -> dict[str, float]:
    """Time every op on every target, in TIMING_PASSES passes over all devices keeping each
    op's fastest, so that a burst of work from other processes spoils one pass only.
    Returns each target's call overhead."""
    benches = {target: DeviceBench(target) for target in targets}
    prepared = {target: [bench.prepare(case.spec) for case in cases] for target, bench in benches.items()}
    for case, op in zip(cases, next(iter(prepared.values()), [])):
        case.work = op.work
    for index in range(TIMING_PASSES):
        for target, bench in benches.items():
            bench.measure_overheads()
            for case, op in zip(cases, prepared[target]):
                case.seconds[target] = min(case.seconds.get(target, math.inf), bench.time(op))
            print(f"{target}: pass {index + 1} done ({time.perf_counter() - started:.0f} s so far)", flush=True)
    return {target: bench.call_overhead for target, bench in benches.items()}


def evaluate(cases: list[Case], targets: list[str], calibrated: dict[str, DeviceProfile]):
    """Per target and profile, (Spearman, median relative error) over all ops and over model ops;
    and per target and op, (measured, default estimate, calibrated estimate)."""
    summary, rows = [], []
    models = [i for i, case in enumerate(cases) if case.origin != "synthetic"]
    for target in targets:
        profiles = {"default": DEFAULT_PROFILES[target](), "calibrated": calibrated[target]}
        measured = [case.seconds[target] for case in cases]
        estimated = {name: [estimates(case.spec, [p])[0] for case in cases] for name, p in profiles.items()}
        for name, values in estimated.items():
            rho, error = accuracy(values, measured)
            rho_models, error_models = accuracy([values[i] for i in models], [measured[i] for i in models])
            summary.append((target, name, rho, error, rho_models, error_models))
        rows.extend(zip([target] * len(cases), cases, measured, estimated["default"], estimated["calibrated"]))
    return summary, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default="cpu,vulkan", help="comma-separated targets to measure (default cpu,vulkan)")
    parser.add_argument("--profiles", help="calibrated profiles to evaluate (default: calibrate here first)")
    args = parser.parse_args(argv)
    targets = [t for t in args.targets.split(",") if t]
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]

    cases = model_ops() + [Case(spec, "synthetic") for spec in SYNTHETIC]
    for case in cases:
        case.dispatches = count_dispatches(case.spec)
    print(f"{len(cases)} ops ({sum(c.origin != 'synthetic' for c in cases)} from the example models)", flush=True)
    if args.profiles:
        calibrated = load_profiles(Path(args.profiles))
    else:
        print("calibrating ...", flush=True)
        calibrated = calibrate(targets)
    targets = [t for t in targets if t in calibrated]
    overheads = measure_cases(cases, targets, started)
    summary, rows = evaluate(cases, targets, calibrated)

    report = render(cases, targets, summary, rows, overheads, calibrated, time.perf_counter() - started, load_at_start)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


def render(cases, targets, summary, rows, overheads, calibrated, elapsed, load_at_start) -> str:
    cores = os.cpu_count()
    lines = [
        "# Cost-model accuracy: estimated vs measured op times",
        "",
        f"Machine: {host_cpu_profile().description}; 1-minute load average "
        f"{load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (above {cores}, other processes "
        f"competed for the cores). {len(cases)} ops ({sum(c.origin != 'synthetic' for c in cases)} from the example "
        f"models, {sum(c.origin == 'synthetic' for c in cases)} synthetic); run took {elapsed:.0f} s.",
        "Measured: the op's time inside a module (chained copies less one copy, or one call less the call overhead), "
        f"fastest of {TIMING_PASSES} passes; estimated: `estimate(op, profile)`. The cost model charges one launch per "
        "op; `kernels` is how many IREE makes of it.",
        "",
        "| device | profile | Spearman (all) | median rel. error (all) | Spearman (model ops) | median rel. error (model ops) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for target, name, rho, error, rho_models, error_models in summary:
        lines.append(f"| {target} | {name} | {rho:.3f} | {error:.2f} | {rho_models:.3f} | {error_models:.2f} |")
    lines += ["", "Calling into a module (not an op cost; the placement pays it once per partition): "
              + ", ".join(f"{t} {overheads[t] * 1e6:.1f} µs" for t in targets) + "."]
    lines += ["", "Calibrated profiles used:", ""]
    for target in targets:
        p = calibrated[target]
        effs = ", ".join(f"{c} ({e[0]:.2f}, {e[1]:.2f})" for c, e in p.efficiency.items())
        lines.append(
            f"- {target}: f32 {p.peak_ops['f32'] / 1e9:.1f} GFLOP/s, {p.memory_bandwidth / 1e9:.1f} GB/s, launch "
            f"{p.launch_overhead * 1e6:.1f} µs; efficiencies (compute, memory): {effs}; {p.source}"
        )
    header = "| op | from | class | MFLOP | MB | kernels |"
    rule = "| --- | --- | --- | ---: | ---: | ---: |"
    for target in targets:
        header += f" {target} measured (µs) | {target} default est. | {target} calibrated est. |"
        rule += " ---: | ---: | ---: |"
    lines += ["", "Per op (times in µs):", "", header, rule]
    by_case = {}
    for target, case, m, before, after in rows:
        by_case.setdefault(id(case), []).extend([m, before, after])
    for case in cases:
        work = case.work or Work()
        flops, megabytes = work.total_flops / 1e6, (work.bytes_read + work.bytes_written) / 1e6
        times = " | ".join(f"{v * 1e6:.1f}" for v in by_case.get(id(case), []))
        lines.append(
            f"| {describe(case.spec)} | {case.origin} | {OP_CLASS[case.spec.name]} | {flops:.3f} | {megabytes:.3f} | "
            f"{case.dispatches} | {times} |"
        )
    lines += ["", f"Reproduce: `{invocation()}`.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
