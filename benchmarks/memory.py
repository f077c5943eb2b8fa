"""Peak resident memory of running a model: a gimlet session against an ONNX Runtime session.

    python benchmarks/memory.py [--models resnet18,bert_encoder]

Each engine runs in its own fresh process (load the model, run it 10 times)
and reports its peak resident set size (VmHWM), together with the same
process's baseline after importing the engine, so the table shows what the
model costs on top of the library. Writes benchmarks/results/memory.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import invocation, publish

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
RESULTS = REPO / "benchmarks" / "results" / "memory.md"

CHILD = r"""
import json, sys
import numpy as np
engine, path, feeds_path = sys.argv[1:4]
feeds = dict(np.load(feeds_path))
def peak_mb():
    # VmHWM is this process's own peak (ru_maxrss is inherited across exec on Linux).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
if engine == "gimlet":
    import gimlet.runtime
    baseline = peak_mb()
    session = gimlet.runtime.load(path)
    run = lambda: session.run(feeds)
else:
    import onnxruntime as ort
    baseline = peak_mb()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    run = lambda: session.run(None, feeds)
for _ in range(10):
    run()
print(json.dumps({"baseline_mb": baseline, "peak_mb": peak_mb()}))
"""


def measure(engine: str, path: Path, feeds_path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, engine, str(path), str(feeds_path)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated subset (prefix match)")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    import numpy as np
    from cpu_latency import benchmark_cases

    import gimlet

    lines = [
        "# Peak memory: gimlet session vs ONNX Runtime session (CPU)",
        "",
        "Peak resident set size of a fresh process that loads the model and runs it 10 times; 'model' is that",
        "peak minus the process's peak right after importing the engine.",
        "",
        "| model | weights (MB) | gimlet peak (MB) | gimlet model (MB) | ORT peak (MB) | ORT model (MB) | gimlet / ORT (model) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        cases = benchmark_cases(directory, args.models, with_torch=not args.no_torch)
        for case in cases:
            print(f"{case.name} ...", file=sys.stderr, flush=True)
            bundle = gimlet.compile(case.onnx_path, targets=["cpu"])
            bundle_path = bundle.save(directory / "model.gimlet")
            feeds_path = directory / "feeds.npz"
            np.savez(feeds_path, **case.inputs)
            weights = len(bundle.members.get("weights/model.irpa", b"")) / 2**20
            ours = measure("gimlet", bundle_path, feeds_path)
            theirs = measure("onnxruntime", case.onnx_path, feeds_path)
            ours_model = ours["peak_mb"] - ours["baseline_mb"]
            theirs_model = theirs["peak_mb"] - theirs["baseline_mb"]
            lines.append(
                f"| {case.name} | {weights:.1f} | {ours['peak_mb']:.0f} | {ours_model:.0f} | {theirs['peak_mb']:.0f} | "
                f"{theirs_model:.0f} | {ours_model / max(theirs_model, 1e-9):.2f} |"
            )
    lines += ["", f"Reproduce: `{invocation()}`.", ""]
    table = "\n".join(lines)
    publish(table, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
