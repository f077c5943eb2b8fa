"""The fast subset: a fixed list of cases gimlet passes, run in batches in a few minutes.

    python test/conformance/subset.py select [--per-op 5] [--from results/gimlet.csv]   # rewrite subset.txt
    python test/conformance/subset.py run [--jobs 2] [--batch 24]                       # run it, print failures

`select` picks, from a full gimlet run's CSV, up to --per-op passing cases per
op type (the first by name, fastest first within the op), so the list covers
every op type gimlet passes; `subset.txt` is the list it wrote, fixed until
someone selects again. `run` is what test/python/test_conformance_subset.py
does: the cases, grouped into batches (batch.py) run by --jobs workers.
"""

from __future__ import annotations

import argparse
import csv
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from conformance.batch import make_batches
from conformance.cases import default_cache_dir, load_case, materialize

SUBSET_FILE = HERE / "subset.txt"
#: Cases per compiled model in a batch; larger batches compile longer but pay the per-compile cost less often.
BATCH_SIZE = 24
#: Seconds a batch (compile and run of up to BATCH_SIZE cases, plus re-runs of failures) may take.
BATCH_TIMEOUT = 300


def read_subset(path: Path = SUBSET_FILE) -> list[str]:
    return [line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()]


#: Cases whose result varies from run to run, never selected.
NONDETERMINISTIC = {
    # Zero padding reads memory the lowering leaves uninitialised (values of 1e26 in some runs, in
    # gimlet and in IREE directly): a torch-mlir/IREE bug, not a regression signal.
    "test_gridsample_zeros_padding",
}


def select(results_csv: Path, per_op: int, exclude_slower_than: float) -> list[tuple[str, str]]:
    """(case, op) pairs: up to `per_op` passing, deterministic cases per op, fastest first, then by name."""
    by_op: dict[str, list[tuple[float, str]]] = defaultdict(list)
    with open(results_csv, newline="") as f:
        for row in csv.DictReader(f):
            if row["case"] in NONDETERMINISTIC:
                continue
            if row["status"] == "pass" and float(row["seconds"] or 0) <= exclude_slower_than:
                by_op[row["op"]].append((round(float(row["seconds"] or 0), 1), row["case"]))
    chosen = []
    for op in sorted(by_op):
        for _, case in sorted(by_op[op])[:per_op]:
            chosen.append((case, op))
    return sorted(chosen)


def write_subset(chosen: list[tuple[str, str]], source: Path, per_op: int, path: Path = SUBSET_FILE) -> None:
    ops = len({op for _, op in chosen})
    lines = [
        "# The conformance subset the default pytest run checks (test/python/test_conformance_subset.py):",
        f"# {len(chosen)} cases over {ops} op types, up to {per_op} per op, each passing in gimlet's full run",
        f"# ({source.name}). Rewrite with: python test/conformance/subset.py select",
        "",
    ]
    lines += [f"{case:60s} # {op}" for case, op in chosen]
    path.write_text("\n".join(lines) + "\n")


def run_subset(names: list[str], jobs: int = 2, batch_size: int = BATCH_SIZE, backend: str = "gimlet",
               data_dir: Path | None = None, env: dict | None = None, progress=None) -> dict[str, dict]:
    """Every named case's answer ({"status", "cause", "message", ...}), running batches on `jobs` workers."""
    import os
    import tempfile

    from conformance.run import Worker

    data_dir = data_dir or materialize(default_cache_dir())
    missing = [n for n in names if not (data_dir / n / "model.onnx").exists()]
    if missing:
        raise FileNotFoundError(f"cases not in {data_dir}: {', '.join(missing[:5])}")
    batches = make_batches([load_case(data_dir / n) for n in names], batch_size)
    pending = list(enumerate(batches))
    lock = threading.Lock()
    results: dict[str, dict] = {}
    log_dir = Path(tempfile.mkdtemp(prefix="gimlet-conformance-subset-"))
    env = env or dict(os.environ)
    errors: list[BaseException] = []

    def serve(index: int) -> None:
        worker = Worker(backend, env, log_dir, index, recycle=10**9)
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    batch_id, batch = pending.pop(0)
                answer = worker.run_batch(batch_id, [c.folder for c in batch], BATCH_TIMEOUT)
                with lock:
                    if "results" in answer:
                        results.update(answer["results"])
                    else:  # the whole batch timed out or crashed: every case in it carries that answer
                        results.update({c.name: dict(answer) for c in batch})
                    if progress:
                        progress(len(results), len(names))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            worker.stop()

    threads = [threading.Thread(target=serve, args=(i,), daemon=True) for i in range(max(1, jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    choose = commands.add_parser("select", help="rewrite subset.txt from a full gimlet run")
    choose.add_argument("--from", dest="source", default=str(HERE / "results" / "gimlet.csv"))
    choose.add_argument("--per-op", type=int, default=5)
    choose.add_argument("--max-seconds", type=float, default=10.0, help="leave out cases slower than this alone")
    run = commands.add_parser("run", help="run the subset as the pytest test does")
    run.add_argument("--jobs", type=int, default=2)
    run.add_argument("--batch", type=int, default=BATCH_SIZE)
    run.add_argument("--backend", default="gimlet")
    args = parser.parse_args(argv)
    if args.command == "select":
        chosen = select(Path(args.source), args.per_op, args.max_seconds)
        write_subset(chosen, Path(args.source), args.per_op)
        print(f"{len(chosen)} cases over {len({op for _, op in chosen})} op types → {SUBSET_FILE}")
        return 0
    names = read_subset()
    started = time.monotonic()
    results = run_subset(names, args.jobs, args.batch, args.backend,
                         progress=lambda done, total: print(f"  {done}/{total}", flush=True))
    failed = {n: r for n, r in results.items() if r.get("status") != "pass"}
    batched = sum(bool(r.get("batched")) for r in results.values())
    print(f"{len(names) - len(failed)} / {len(names)} pass in {time.monotonic() - started:.0f} s "
          f"({batched} passed inside a batch)")
    for name, answer in sorted(failed.items()):
        print(f"  FAIL {name}: {answer.get('cause')}: {answer.get('message')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
