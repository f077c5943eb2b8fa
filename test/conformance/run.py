"""The ONNX backend node test suite, run through gimlet, IREE directly, or ONNX Runtime.

    python test/conformance/run.py --backend gimlet [--jobs 2] [--timeout 60] [--filter REGEX] [--subset]
    python test/conformance/run.py --backend gimlet,iree,onnxruntime --jobs 2

Every case (onnx's `onnx.backend.test` node cases: a model and its inputs and
expected outputs) runs in a worker process with a time limit, so a hang or a
crash costs that case and not the run. Outputs are compared the way
`onnx.backend.test` compares them (shape, dtype, `assert_allclose` with the
case's rtol/atol: 1e-3/1e-7 unless the case says otherwise).

Writes, per backend, <out>/<backend>.csv (case, op, op types, status, cause,
stage, message, seconds, gimlet's native fraction) and <out>/<backend>-summary.md
(pass rate, failures by cause, op types that fail most). The full suite writes to
test/conformance/results/; a filtered run (--filter, --subset, --cases) to a
scratch folder unless --out says otherwise. `report.py` puts the three side by side.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the `conformance` package

from conformance.cases import default_cache_dir, list_cases, materialize
from conformance.causes import CAUSES, WRONG_RESULT
from conformance.subset import read_subset

RESULTS = HERE / "results"
BACKEND_NAMES = ("gimlet", "iree", "onnxruntime")
COLUMNS = ["case", "op", "op_types", "status", "cause", "stage", "message", "seconds", "native", "foreign"]
#: Seconds a fresh worker may take to import its backend and say it is ready.
STARTUP_LIMIT = 180


# -- workers ---------------------------------------------------------------------------------------


class Worker:
    """One worker process (worker.py) for one backend; restarted after a timeout, a crash, or `recycle` cases."""

    def __init__(self, backend: str, env: dict, log_dir: Path, index: int, recycle: int):
        self.backend, self.env, self.recycle = backend, env, recycle
        self.log_path = log_dir / f"{backend}-worker{index}.log"
        self.process: subprocess.Popen | None = None
        self.buffer = b""
        self.served = 0

    def start(self) -> None:
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), self.backend],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=self.env,
            start_new_session=True,  # its own process group: a kill takes gimlet's and IREE's children too
        )
        self.buffer, self.served = b"", 0
        line = self._readline(time.monotonic() + STARTUP_LIMIT)
        if line is None or not json.loads(line).get("ready"):
            tail = self._log_tail()
            self.stop()
            raise RuntimeError(f"the {self.backend} worker did not start: {tail or 'no output'}")

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.process = None
            self.log.close()

    def run(self, case_id: int, folder: Path, timeout: float) -> dict:
        """Run one case; a hang or a crash comes back as a timeout or crash answer, and the worker restarts."""
        return self.request({"id": case_id, "folder": str(folder)}, timeout)

    def run_batch(self, batch_id: int, folders: list[Path], timeout: float) -> dict:
        """Run cases as one model (batch.py): {"results": {case: answer}, ...}, or a timeout or crash answer."""
        return self.request({"id": batch_id, "folders": [str(f) for f in folders]}, timeout)

    def request(self, payload: dict, timeout: float) -> dict:
        if self.process is None or self.process.poll() is not None or self.served >= self.recycle:
            self.stop()
            self.start()
        os.truncate(self.log_path, 0)  # the log holds this request's output only (the worker appends)
        started = time.monotonic()
        try:
            self.process.stdin.write((json.dumps(payload) + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            pass
        line = self._readline(started + timeout)
        seconds = round(time.monotonic() - started, 3)
        self.served += 1
        if line is not None:
            return json.loads(line)
        if self.process.poll() is None:  # still running: a hang, or just too slow
            self.stop()
            return {"status": "fail", "cause": "timeout", "stage": "", "message": f"no result within {timeout:g} s", "seconds": seconds}
        code = self.process.wait()
        tail = self._log_tail()
        self.stop()
        what = f"signal {_signal_name(-code)}" if code < 0 else f"exit status {code}"
        return {"status": "fail", "cause": "crash", "stage": "", "message": f"worker died ({what}): {tail}"[:400], "seconds": seconds}

    def _readline(self, deadline: float) -> bytes | None:
        """The next line the worker answers, or None at EOF or once `deadline` passes."""
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(remaining, 5.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def _log_tail(self) -> str:
        try:
            lines = [l.strip() for l in self.log_path.read_text(errors="replace").splitlines() if l.strip()]
        except OSError:
            return ""
        lines = [l for l in lines if not l.startswith("===")]
        interesting = [l for l in lines if re.search(r"error|fault|abort|assert|terminate|killed", l, re.IGNORECASE)]
        return (interesting or lines or [""])[-1][:300]


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


# -- running ---------------------------------------------------------------------------------------


@dataclass
class Row:
    case: str
    op: str
    op_types: str
    status: str
    cause: str = ""
    stage: str = ""
    message: str = ""
    seconds: float = 0.0
    native: str = ""
    foreign: str = ""

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}


@dataclass
class CaseInfo:
    name: str
    folder: Path
    op_types: list[str] = field(default_factory=list)
    op: str = ""


def case_infos(data_dir: Path, names: list[str]) -> dict[str, CaseInfo]:
    """Op types of every case; `op` is the op the case tests (an _expanded case tests its base case's op)."""
    import onnx

    from conformance.cases import op_types

    infos = {}
    for name in names:
        model = onnx.load(str(data_dir / name / "model.onnx"), load_external_data=False)
        infos[name] = CaseInfo(name, data_dir / name, op_types(model))
    for info in infos.values():
        base = re.sub(r"_expanded.*$", "", info.name)
        if base != info.name and base in infos and len(infos[base].op_types) == 1:
            info.op = infos[base].op_types[0]
        elif len(info.op_types) == 1:
            info.op = info.op_types[0]
        else:
            info.op = _op_from_name(info.name, info.op_types)
    return infos


def _op_from_name(name: str, ops: list[str]) -> str:
    """For a multi-op case with no single-op base: the op type whose name matches the case name best."""
    squashed = name.removeprefix("test_").replace("_", "").lower()
    matches = [op for op in ops if squashed.startswith(op.split(".")[-1].lower())]
    return max(matches, key=len) if matches else (ops[-1] if ops else "")


def run_backend(backend: str, infos: list[CaseInfo], args, env: dict, csv_path: Path) -> list[Row]:
    done: dict[str, Row] = {}
    if args.resume and csv_path.exists():
        with open(csv_path, newline="") as f:
            done = {r["case"]: Row(**{c: r.get(c, "") for c in COLUMNS}) for r in csv.DictReader(f)}
        done = {k: v for k, v in done.items() if v.cause not in ("timeout", "crash") or not args.retry_failed}
    todo = [info for info in infos if info.name not in done]
    rows: dict[str, Row] = {info.name: done[info.name] for info in infos if info.name in done}
    print(f"[{backend}] {len(todo)} case(s) to run ({len(rows)} already in {csv_path}), {args.jobs} worker(s), "
          f"{args.timeout:g} s per case", flush=True)
    work: queue.Queue = queue.Queue()
    for index, info in enumerate(todo):
        work.put((index, info))
    lock = threading.Lock()
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    partial = open(csv_path, "w", newline="")
    writer = csv.DictWriter(partial, COLUMNS)
    writer.writeheader()
    for row in rows.values():
        writer.writerow(row.as_dict())
    started = time.monotonic()
    errors: list[BaseException] = []

    def serve(index: int) -> None:
        worker = Worker(backend, env, Path(args.log_dir), index, args.recycle)
        try:
            while True:
                try:
                    case_id, info = work.get_nowait()
                except queue.Empty:
                    return
                answer = worker.run(case_id, info.folder, args.timeout)
                row = Row(
                    info.name, info.op, " ".join(info.op_types), answer["status"], answer.get("cause", ""),
                    answer.get("stage", ""), _clean(answer.get("message", "")), answer.get("seconds", 0.0),
                )
                extra = answer.get("info") or {}
                if extra.get("native") is not None:
                    row.native = f"{extra['native']:.3f}"
                row.foreign = extra.get("foreign", "") or ""
                with lock:
                    rows[info.name] = row
                    writer.writerow(row.as_dict())
                    partial.flush()
                    count = len(rows) - (len(infos) - len(todo))
                    if args.verbose or row.status != "pass" and args.show_failures:
                        print(f"  {row.status:4} {info.name} {row.cause} {row.message[:120]}", flush=True)
                    if count % 50 == 0 or count == len(todo):
                        elapsed = time.monotonic() - started
                        passed = sum(r.status == "pass" for r in rows.values())
                        eta = elapsed / count * (len(todo) - count)
                        print(f"[{backend}] {count}/{len(todo)} in {elapsed:.0f} s, {passed}/{len(rows)} pass so far, "
                              f"about {eta:.0f} s left", flush=True)
        except BaseException as error:  # noqa: BLE001 - reported after the other threads finish
            errors.append(error)
        finally:
            worker.stop()

    threads = [threading.Thread(target=serve, args=(i,), daemon=True) for i in range(max(1, args.jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    partial.close()
    if errors:
        raise errors[0]
    ordered = [rows[info.name] for info in infos if info.name in rows]
    write_csv(csv_path, ordered)
    return ordered


def _clean(message: str) -> str:
    return " ".join(str(message).split())[:300]


def write_csv(path: Path, rows: list[Row]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.as_dict())


def read_csv(path: Path) -> list[Row]:
    with open(path, newline="") as f:
        return [Row(**{c: r.get(c, "") for c in COLUMNS}) for r in csv.DictReader(f)]


# -- summaries -------------------------------------------------------------------------------------


def summary_markdown(backend: str, rows: list[Row], header: dict[str, str]) -> str:
    total = len(rows)
    passed = sum(r.status == "pass" for r in rows)
    lines = [f"# ONNX node tests through {backend}", ""]
    lines += [f"- {key}: {value}" for key, value in header.items()]
    lines += [f"- **{passed} / {total} pass ({100 * passed / max(total, 1):.1f}%)**", ""]
    lines += ["## Failures by cause", "", "| cause | cases | what it means |", "| --- | ---: | --- |"]
    causes = Counter(r.cause for r in rows if r.status != "pass")
    for cause, count in causes.most_common():
        lines.append(f"| {cause} | {count} | {CAUSES.get(cause, '')} |")
    lines += ["", "## Op types that fail most", "", "(by the op the case tests; an `_expanded` case counts for its base op)", "",
              "| op | failing | of cases | causes |", "| --- | ---: | ---: | --- |"]
    lines += [f"| {op} | {fail} | {n} | {why} |" for op, fail, n, why in failing_ops(rows)[:40]]
    lines += ["", "## Slowest cases", "", "| case | seconds | status |", "| --- | ---: | --- |"]
    for row in sorted(rows, key=lambda r: -float(r.seconds or 0))[:10]:
        lines.append(f"| {row.case} | {float(row.seconds):.1f} | {row.status} {row.cause} |")
    return "\n".join(lines) + "\n"


def failing_ops(rows: list[Row]) -> list[tuple[str, int, int, str]]:
    """(op, failing cases, cases, causes) for op types with failures, most failures first."""
    total: Counter = Counter(r.op for r in rows)
    failing: Counter = Counter(r.op for r in rows if r.status != "pass")
    result = []
    for op, count in failing.most_common():
        causes = Counter(r.cause for r in rows if r.op == op and r.status != "pass")
        result.append((op, count, total[op], ", ".join(f"{c} {n}" for c, n in causes.most_common())))
    result.sort(key=lambda t: (-t[1], t[0]))
    return result


def print_summary(backend: str, rows: list[Row], elapsed: float) -> None:
    total = len(rows)
    passed = sum(r.status == "pass" for r in rows)
    print(f"\n[{backend}] {passed} / {total} pass ({100 * passed / max(total, 1):.1f}%) in {elapsed:.0f} s")
    causes = Counter(r.cause for r in rows if r.status != "pass")
    for cause, count in causes.most_common():
        print(f"  {count:5d}  {cause}")
    wrong = sum(causes[c] for c in WRONG_RESULT)
    print(f"  ({wrong} wrong results, {sum(causes.values()) - wrong} failures to produce one)")
    print("  failing most: " + ", ".join(f"{op} {n}/{t}" for op, n, t, _ in failing_ops(rows)[:12]))


# -- selection and environment -------------------------------------------------------------------


def select_cases(all_names: list[str], args) -> list[str]:
    names = list(all_names)
    if args.subset:
        wanted = set(read_subset())
        names = [n for n in names if n in wanted]
    if args.cases:
        wanted = set(read_subset(Path(args.cases)))
        names = [n for n in names if n in wanted]
    if args.filter:
        pattern = re.compile(args.filter)
        names = [n for n in names if pattern.search(n)]
    if args.limit:
        names = names[: args.limit]
    return names


def snapshot_commit(revision: str) -> tuple[Path, str]:
    """`git archive` of a commit of the checkout holding this runner, unpacked into a scratch folder:
    a fixed gimlet to measure while the working tree changes."""
    repo = HERE.parents[1] if (HERE.parents[1] / ".git").exists() else Path.cwd()
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", revision], capture_output=True, text=True, check=True)
    target = Path(tempfile.mkdtemp(prefix="gimlet-commit-")) / "src"
    target.mkdir()
    archive = subprocess.Popen(["git", "-C", str(repo), "archive", revision], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(target)], stdin=archive.stdout, check=True)
    archive.stdout.close()
    archive.wait()
    return target, sha.stdout.strip()


def worker_env(args) -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONWARNINGS", "ignore")
    if args.gimlet_commit:
        source, sha = snapshot_commit(args.gimlet_commit)
        args.gimlet_src, args.gimlet_label = str(source), f"{sha} (git archive of {args.gimlet_commit})"
    if args.gimlet_src:
        # Run a given gimlet checkout (e.g. a `git archive` of a commit) instead of the installed one:
        # a folder holding a `gimlet` link to it goes first on the path, for the workers and their children.
        shim = Path(tempfile.mkdtemp(prefix="gimlet-src-"))
        (shim / "gimlet").symlink_to(Path(args.gimlet_src).resolve(), target_is_directory=True)
        env["PYTHONPATH"] = os.pathsep.join([str(shim), *filter(None, [env.get("PYTHONPATH")])])
    return env


def describe_versions(backend: str, env: dict, label: str | None = None) -> dict[str, str]:
    code = (
        "import json, onnx, platform, os\n"
        "v = {'onnx': onnx.__version__, 'python': platform.python_version(), 'cpus': str(os.cpu_count())}\n"
        "try:\n import iree.compiler.version as iv; v['iree'] = iv.VERSION\nexcept Exception: pass\n"
        "try:\n import onnxruntime; v['onnxruntime'] = onnxruntime.__version__\nexcept Exception: pass\n"
        "try:\n import gimlet, os.path; v['gimlet'] = gimlet.__version__; v['gimlet_src'] = os.path.dirname(gimlet.__file__)\nexcept Exception: pass\n"
        "print(json.dumps(v))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    try:
        versions = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        versions = {}
    if backend == "gimlet" and label:
        versions["gimlet_commit"] = label
    elif backend == "gimlet" and "gimlet_src" in versions:
        commit = subprocess.run(["git", "-C", versions["gimlet_src"], "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", versions["gimlet_src"], "status", "--porcelain"], capture_output=True, text=True)
        if commit.returncode == 0:
            versions["gimlet_commit"] = commit.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="gimlet", help="gimlet, iree, onnxruntime, or several, comma-separated")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per case, compile and run (default 60)")
    parser.add_argument("--filter", help="run only cases whose name matches this regular expression")
    parser.add_argument("--subset", action="store_true", help="run only the cases in subset.txt (the pytest subset)")
    parser.add_argument("--cases", help="run only the cases listed in this file (one a line)")
    parser.add_argument("--limit", type=int, help="run only the first N selected cases")
    parser.add_argument("--out", help="results folder (default: test/conformance/results for the full suite)")
    parser.add_argument("--data-dir", help="case folders (default: generated from the installed onnx into a cache)")
    parser.add_argument("--gimlet-src", help="run this gimlet checkout instead of the installed one")
    parser.add_argument("--gimlet-commit", help="run this commit of this checkout (git archive), e.g. HEAD, "
                        "so that edits made during the run do not change what is measured")
    parser.add_argument("--recycle", type=int, default=100, help="restart a worker after this many cases (default 100)")
    parser.add_argument("--resume", action="store_true", help="keep the cases already in the CSV, run the rest")
    parser.add_argument("--retry-failed", action="store_true", help="with --resume: run timeouts and crashes again")
    parser.add_argument("--log-dir", help="worker logs (default: a scratch folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    parser.add_argument("--show-failures", action="store_true", help="print every failure as it happens")
    parser.add_argument("--list", action="store_true", help="list the selected cases and stop")
    args = parser.parse_args(argv)
    args.gimlet_label = None

    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKEND_NAMES]
    if unknown:
        parser.error(f"unknown backend {', '.join(unknown)}; choose from {', '.join(BACKEND_NAMES)}")
    data_dir = Path(args.data_dir) if args.data_dir else materialize(default_cache_dir())
    names = select_cases(list_cases(data_dir), args)
    if args.list:
        print("\n".join(names))
        return 0
    if not names:
        parser.error("no case selected")
    full = not (args.filter or args.subset or args.cases or args.limit)
    out = Path(args.out) if args.out else (RESULTS if full else Path(tempfile.gettempdir()) / "gimlet-conformance-results")
    args.log_dir = args.log_dir or tempfile.mkdtemp(prefix="gimlet-conformance-logs-")
    Path(args.log_dir).mkdir(parents=True, exist_ok=True)
    infos = case_infos(data_dir, names)
    env = worker_env(args)
    for backend in backends:
        started = time.monotonic()
        csv_path = out / f"{backend}.csv"
        rows = run_backend(backend, [infos[n] for n in names], args, env, csv_path)
        elapsed = time.monotonic() - started
        header = {"cases": f"{len(rows)} ({'the full node suite' if full else 'a selection'})",
                  "run": f"{time.strftime('%Y-%m-%d %H:%M')}, {args.jobs} worker(s), {args.timeout:g} s per case, "
                         f"{elapsed / 60:.1f} min wall"}
        header.update(describe_versions(backend, env, args.gimlet_label))
        header.pop("gimlet_src", None)
        (out / f"{backend}-summary.md").write_text(summary_markdown(backend, rows, header))
        print_summary(backend, rows, elapsed)
        print(f"[{backend}] results: {csv_path}, {out / f'{backend}-summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
