"""Where a model's CPU time goes: IREE's per-dispatch times beside ONNX Runtime's per-node times.

    pip install torch==2.13.0 pillow && pip install --no-deps torchvision==0.28.0
    python benchmarks/dispatch_profile.py [--models mobilenet_v2] [--threads 1] [--calls 40]

For each model (cpu_latency.py's cases), gimlet compiles it with its default
strategy, keeping the intermediates; iree-benchmark-module then runs the
module `--calls` times on the driver a session would use (local-sync for
small modules) with IREE's host-execution profiling, and iree-profile reads
back every dispatch's start, end and tile times. The report gives:

- a typical call (the median of the calls, by span): its span from the first
  dispatch's start to the last one's end, the time inside dispatches, the time
  between them, and the workers' utilisation inside dispatches (tile time over
  dispatch time times threads);
- the bytes IREE zero-fills per call (`hal.command_buffer.fill_buffer` in the
  module's HAL IR): a padded tensor is filled whole, then its interior
  overwritten, and the fill runs between dispatches;
- the dispatches by their sum of per-call minimums (a dispatch's fastest run,
  times the runs per call), which this machine's noise moves least;
- ONNX Runtime's per-node minimums, summed and by op type, in the same process
  with the same thread count, and both engines' median call without profiling.

The sums of minimums compare the kernels; the median calls what a user sees.
Writes benchmarks/results/dispatch_profile.md (or --output).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import cpu_name, interleaved, invocation, publish
from cpu_latency import Case, benchmark_cases

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DispatchEvent:
    """One run of one dispatch, from iree-profile's `host_dispatch_event` records."""

    submission: int
    name: str
    start_ns: int
    end_ns: int
    tile_ns: int


def parse_events(jsonl: str) -> list[DispatchEvent]:
    """The dispatch events of `iree-profile dispatch --format=jsonl --dispatch_events`."""
    events = []
    for line in jsonl.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("type") != "host_dispatch_event" or not record.get("valid", True):
            continue
        events.append(
            DispatchEvent(
                record["submission_id"],
                record["key"],
                record["start_host_time_ns"],
                record["end_host_time_ns"],
                record["tile_duration_sum_ns"],
            )
        )
    return events


@dataclass(frozen=True)
class CallSummary:
    """One call's timeline, in microseconds."""

    span_us: float
    dispatch_us: float
    between_us: float
    utilisation: float
    dispatches: int


def by_call(events: list[DispatchEvent], calls: int) -> list[list[DispatchEvent]]:
    """The events of each of `calls` calls. A call may submit its work in several submissions (the
    cnn example: two), so the submissions, in order, are split evenly between the calls."""
    submissions = sorted({event.submission for event in events})
    if not submissions or len(submissions) % calls:
        raise ValueError(f"the profile holds {len(submissions)} submissions, which {calls} calls cannot share evenly")
    per_call = len(submissions) // calls
    call_of = {submission: index // per_call for index, submission in enumerate(submissions)}
    grouped: list[list[DispatchEvent]] = [[] for _ in range(calls)]
    for event in events:
        grouped[call_of[event.submission]].append(event)
    return grouped


def typical_call(calls: list[list[DispatchEvent]], threads: int) -> CallSummary:
    """The call of median span. Time between dispatches is the span not covered by any dispatch
    (IREE may run independent dispatches at once)."""
    summaries = sorted((_summary(call, threads) for call in calls), key=lambda s: s.span_us)
    return summaries[len(summaries) // 2]


def _summary(events: list[DispatchEvent], threads: int) -> CallSummary:
    events = sorted(events, key=lambda e: e.start_ns)
    covered, reach = 0, events[0].start_ns
    for event in events:
        covered += max(0, event.end_ns - max(reach, event.start_ns))
        reach = max(reach, event.end_ns)
    span = max(event.end_ns for event in events) - events[0].start_ns
    busy = sum(event.end_ns - event.start_ns for event in events)
    tiles = sum(event.tile_ns for event in events)
    return CallSummary(
        span / 1e3,
        covered / 1e3,
        (span - covered) / 1e3,
        tiles / (busy * threads) if busy else 0.0,
        len(events),
    )


@dataclass(frozen=True)
class DispatchRow:
    name: str
    per_call: int
    min_us: float
    median_us: float

    @property
    def total_us(self) -> float:
        """Per-call minimum: the fastest run times the runs per call."""
        return self.min_us * self.per_call


def rank_dispatches(calls: list[list[DispatchEvent]]) -> list[DispatchRow]:
    """Each dispatch's runs per call, fastest and median run, by per-call minimum, largest first."""
    runs = collections.defaultdict(list)
    for call in calls:
        for event in call:
            runs[event.name].append((event.end_ns - event.start_ns) / 1e3)
    rows = [
        DispatchRow(name, round(len(times) / len(calls)), min(times), statistics.median(times)) for name, times in runs.items()
    ]
    return sorted(rows, key=lambda row: -row.total_us)


#: `hal.command_buffer.fill_buffer<...> target(...)[%offset, %length]` with `%cN = arith.constant N`.
_FILL = re.compile(r"hal\.command_buffer\.fill_buffer<[^>]*>\s*target\([^)]*\)\[[^,\]]+,\s*%c(\d+)[^\]]*\]")


def fill_bytes(hal_ir: str) -> tuple[int, int]:
    """The fills in a module's HAL IR and the bytes they write, from the constant lengths the
    constant names spell (`%c1663488`); a fill of computed length counts as a fill of 0 bytes."""
    lengths = [int(length) for length in _FILL.findall(hal_ir)]
    return len(re.findall(r"hal\.command_buffer\.fill_buffer", hal_ir)), sum(lengths)


@dataclass
class Profiled:
    """A compiled model's IREE profile."""

    call: CallSummary
    rows: list[DispatchRow]
    fills: tuple[int, int]
    #: The module's compile strategy and the driver its session runs it on.
    built: str


def profile_gimlet(case: Case, threads: int, calls: int, scratch: Path) -> Profiled:
    import gimlet

    temps = scratch / "temps"
    temps.mkdir()
    bundle = gimlet.compile(case.onnx_path, targets=["cpu"], save_temps=temps)
    if len(bundle.partitions) != 1:
        raise SystemExit(f"{case.name}: {len(bundle.partitions)} partitions; this tool reads one-partition CPU bundles")
    partition = bundle.partitions[0]
    module = partition["modules"]["cpu"]
    bundle.save(scratch / "model.gimlet")
    vmfb = scratch / "module.vmfb"
    vmfb.write_bytes(bundle.members[module["member"]])
    weights = []
    parameters = bundle.manifest.get("parameters")
    if parameters:
        (scratch / "model.irpa").write_bytes(bundle.members[parameters["member"]])
        weights = [f"--parameters={parameters['scope']}={scratch / 'model.irpa'}"]
    inputs = []
    for name in partition["inputs"]:
        path = scratch / f"{len(inputs)}.npy"
        np.save(path, case.inputs[name])
        inputs.append(f"--input=@{path}")
    # The driver the session would use: local-sync (the caller's thread alone) for small modules.
    driver = module["driver"]
    workers = threads if driver == "local-task" else 1
    trace = scratch / "profile.ireeprof"
    _tool(
        "iree-benchmark-module",
        f"--device={driver}",
        f"--task_topology_group_count={threads}",
        f"--module={vmfb}",
        *weights,
        f"--function={partition['function']}",
        *inputs,
        f"--benchmark_min_time={calls}x",
        "--device_profiling_mode=host-execution",
        f"--device_profiling_output={trace}",
    )
    events = parse_events(
        _tool(
            "iree-profile",
            "dispatch",
            "--format=jsonl",
            "--dispatch_events",
            str(trace),
        )
    )
    grouped = by_call(events, calls)
    return Profiled(
        typical_call(grouped, workers),
        rank_dispatches(grouped),
        _module_fills(temps, partition["name"], module),
        f"{module['strategy']}, {driver}",
    )


def _module_fills(temps: Path, partition: str, module: dict) -> tuple[int, int]:
    """The fills of the module gimlet built, recompiled to IREE's HAL phase from the kept input."""
    from gimlet.compiler.driver import AFTER_PASSES, GLOBAL_OPTIMIZATION, IREE_INPUT_FLAG
    from iree.compiler import tools as iree_tools

    if module.get("after_global_optimization"):
        source, phase = temps / f"iree-{partition}.cpu.{AFTER_PASSES}.mlir", [f"--compile-from={GLOBAL_OPTIMIZATION}"]
    else:
        source, phase = temps / f"iree-{partition}.cpu.input.mlirbc", []
    hal = iree_tools.compile_file(
        str(source),
        extra_args=[
            *module["flags"],
            IREE_INPUT_FLAG,
            *phase,
            "--compile-to=hal",
        ],
    )
    return fill_bytes(hal.decode())


def _tool(name: str, *args: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is not on PATH; it comes with iree-base-runtime (pip install -e '.[test]')")
    done = subprocess.run([path, *args], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-2000:]}")
    return done.stdout


def profile_onnxruntime(case: Case, threads: int, calls: int, scratch: Path) -> tuple[float, dict[str, tuple[int, float]]]:
    """The sum of ONNX Runtime's per-node minimums (µs) and, by op type, (nodes, sum)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    options.enable_profiling = True
    options.profile_file_prefix = str(scratch / "ort")
    session = ort.InferenceSession(str(case.onnx_path), options, providers=["CPUExecutionProvider"])
    for _ in range(calls):
        session.run(None, case.inputs)
    fastest, op_of = {}, {}
    for record in json.loads(Path(session.end_profiling()).read_text()):
        name = record.get("name", "")
        if record.get("cat") == "Node" and name.endswith("_kernel_time"):
            fastest[name] = min(fastest.get(name, float("inf")), record["dur"])
            op_of[name] = record["args"].get("op_name", "?")
    by_op = collections.defaultdict(lambda: [0, 0.0])
    for name, duration in fastest.items():
        by_op[op_of[name]][0] += 1
        by_op[op_of[name]][1] += duration
    return sum(fastest.values()), {op: (count, total) for op, (count, total) in by_op.items()}


def median_calls(case: Case, bundle_path: Path, threads: int, calls: int) -> tuple[float, float]:
    """Median call of gimlet's session and ONNX Runtime's, without profiling, in µs: the median of
    three rounds' medians, the engines taking turns (common.interleaved)."""
    import gimlet
    import onnxruntime as ort

    session = gimlet.load(bundle_path)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    reference = ort.InferenceSession(str(case.onnx_path), options, providers=["CPUExecutionProvider"])
    engines = {"gimlet": lambda: session.run(case.inputs), "onnxruntime": lambda: reference.run(None, case.inputs)}
    times = interleaved(engines, rounds=3, iterations=calls)
    return times["gimlet"] * 1e6, times["onnxruntime"] * 1e6


def render(
    results: list[tuple[str, Profiled, float, dict, tuple[float, float]]],
    threads: int,
    top: int,
) -> str:
    lines = [
        "# Where the CPU time goes: IREE dispatches (gimlet) and ONNX Runtime nodes",
        "",
        (
            f"Machine: {cpu_name()}; {threads} thread(s). Sums of per-dispatch (per-node) minimums compare the kernels; "
            "median calls (no profiling) what a user sees. ONNX Runtime's profiler adds a few µs to each node, so for "
            "models of many small nodes its sum exceeds its call. See the script's docstring for each column."
        ),
        "",
        (
            "| model | strategy, driver | dispatches per call | typical call: span / in dispatches / between (µs) | utilisation | "
            "zero-fills per call | sum of minimums, gimlet / ORT (µs) | median call, gimlet / ORT (µs) |"
        ),
        "| --- | --- | ---: | --- | ---: | --- | --- | --- |",
    ]
    for name, gimlet_profile, ort_sum, _, (gimlet_call, ort_call) in results:
        call = gimlet_profile.call
        fills, filled = gimlet_profile.fills
        gimlet_sum = sum(row.total_us for row in gimlet_profile.rows)
        lines.append(
            f"| {name} | {gimlet_profile.built} | {call.dispatches} | {call.span_us:.0f} / {call.dispatch_us:.0f} / {call.between_us:.0f} | "
            f"{call.utilisation:.2f} | {fills} ({filled / 1e6:.1f} MB) | {gimlet_sum:.0f} / {ort_sum:.0f} ({gimlet_sum / ort_sum:.2f}) | "
            f"{gimlet_call:.0f} / {ort_call:.0f} ({gimlet_call / ort_call:.2f}) |"
        )
    for name, gimlet_profile, _, by_op, _ in results:
        lines += [
            "",
            f"## {name}",
            "",
            f"gimlet's {top} largest dispatches:",
            "",
            "| dispatch | per call | min (µs) | median (µs) | per-call minimum (µs) |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for row in gimlet_profile.rows[:top]:
            lines.append(f"| {row.name} | {row.per_call} | {row.min_us:.1f} | {row.median_us:.1f} | {row.total_us:.1f} |")
        lines += [
            "",
            "ONNX Runtime by op type:",
            "",
            "| op type | nodes | sum of minimums (µs) |",
            "| --- | ---: | ---: |",
        ]
        for op, (count, total) in sorted(by_op.items(), key=lambda item: -item[1][1]):
            lines.append(f"| {op} | {count} | {total:.0f} |")
    lines += ["", f"Reproduce: `{invocation()}`"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        default="mobilenet_v2",
        help="comma-separated name prefixes of cpu_latency.py's cases",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=40, help="profiled calls per engine")
    parser.add_argument("--top", type=int, default=15, help="dispatches listed per model")
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO / "benchmarks" / "results" / "dispatch_profile.md",
    )
    args = parser.parse_args()
    import iree.runtime as ireert

    ireert.flags.parse_flags(f"--task_topology_group_count={args.threads}")
    results = []
    with tempfile.TemporaryDirectory(prefix="gimlet-dispatch-profile-") as root:
        cases = benchmark_cases(Path(root), args.models)
        if not cases:
            raise SystemExit(f"no case matches --models {args.models!r}")
        for case in cases:
            scratch = Path(root) / re.sub(r"\W+", "_", case.name)
            scratch.mkdir()
            print(f"{case.name}: compiling and profiling", flush=True)
            gimlet_profile = profile_gimlet(case, args.threads, args.calls, scratch)
            ort_sum, by_op = profile_onnxruntime(case, args.threads, args.calls, scratch)
            calls = median_calls(case, scratch / "model.gimlet", args.threads, args.calls)
            results.append((case.name, gimlet_profile, ort_sum, by_op, calls))
    publish(render(results, args.threads, args.top), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
