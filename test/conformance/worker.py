"""A worker process of the conformance runner: runs cases, one at a time, through one backend.

    python test/conformance/worker.py BACKEND

Reads one JSON request a line on stdin ({"id", "folder"}) and answers one JSON
line per request ({"id", "status", "cause", "stage", "message", "seconds", ...})
on the stdout it was started with. Everything else the process writes to its
stdout or stderr (IREE, torch-mlir, ONNX Runtime print from C++) goes to
stderr, which the parent keeps as the log it quotes when the worker dies.
A hang or a crash costs the case it was running: the parent kills the
worker's process group and starts another.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the `conformance` package


def _protocol_stream():
    """The original stdout for answers; fd 1 then points at stderr so that native prints cannot corrupt them."""
    stream = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return stream


def main(backend_name: str) -> None:
    answers = _protocol_stream()
    warnings.simplefilter("ignore")
    from conformance.backends import BACKENDS

    backend = BACKENDS[backend_name]()
    answers.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if "folders" in request:
            answers.write(json.dumps(run_batch(backend, request)) + "\n")
            continue
        print(f"=== {request['folder']}", file=sys.stderr, flush=True)
        answer = run_case(backend, Path(request["folder"]))
        answer["id"] = request["id"]
        answers.write(json.dumps(answer) + "\n")
        sys.stderr.flush()


def run_case(backend, folder: Path, case=None) -> dict:
    """One case through `backend`: {"status", "cause", "stage", "message", "seconds", "info"}."""
    from conformance.backends import StageError
    from conformance.cases import exotic_types, load_case
    from conformance.causes import classify
    from conformance.compare import Mismatch, compare_outputs

    started = time.perf_counter()
    answer = {"status": "pass", "cause": "", "stage": "", "message": ""}
    try:
        case = case or load_case(folder)
        with tempfile.TemporaryDirectory(prefix=f"conformance-{backend.name}-") as scratch:
            run = backend.prepare(case, Path(scratch))
            for inputs, expected in case.data_sets:
                compare_outputs(expected, run(inputs), case.rtol, case.atol)
    except Mismatch as mismatch:
        answer.update(status="fail", cause=mismatch.cause, stage="compare", message=str(mismatch))
    except StageError as error:
        exotic = exotic_types(case.model) if case else []
        answer.update(
            status="fail",
            stage=error.stage,
            message=_first_line(error.error),
            error_type=type(error.error).__name__,
            cause=classify(
                backend.name, error.stage, type(error.error).__name__, str(error.error), exotic,
                clean=isinstance(error.error, backend.clean_errors),
            ),
        )
    except Exception as error:  # a bug in the harness itself: still one case, but say so
        answer.update(status="fail", cause="harness-error", stage="harness", message=_first_line(error))
        traceback.print_exc()
    answer["seconds"] = round(time.perf_counter() - started, 3)
    answer["info"] = dict(getattr(backend, "last_info", {}))
    return answer


def run_batch(backend, request: dict) -> dict:
    """Several cases compiled and run as one model (batch.py); a case that fails in the batch runs again
    alone, and its verdict is that run's. Answers {"id", "results": {case: answer}, "seconds", "batched"}."""
    from conformance.backends import StageError
    from conformance.batch import merge
    from conformance.cases import load_case
    from conformance.compare import Mismatch, compare_outputs

    started = time.perf_counter()
    cases = [load_case(Path(folder)) for folder in request["folders"]]
    results: dict[str, dict] = {}
    batched = False
    if len(cases) > 1:
        try:
            merged, names = merge(cases)
            with tempfile.TemporaryDirectory(prefix=f"conformance-{backend.name}-") as scratch:
                run = backend.prepare(merged, Path(scratch))
                outputs = run(merged.data_sets[0][0])
            batched = True
            offset = 0
            for case, (_, output_names) in zip(cases, names):
                mine = outputs[offset : offset + len(output_names)]
                offset += len(output_names)
                try:
                    compare_outputs(case.data_sets[0][1], mine, case.rtol, case.atol)
                    results[case.name] = {"status": "pass", "cause": "", "stage": "", "message": "", "batched": True}
                except Mismatch:
                    pass  # run alone below
        except (StageError, Mismatch, Exception):  # noqa: BLE001 - the batch failed as a whole: run each alone
            traceback.print_exc()
    for case in cases:
        if case.name not in results:
            results[case.name] = run_case(backend, case.folder, case)
    return {"id": request["id"], "results": results, "seconds": round(time.perf_counter() - started, 3), "batched": batched}


def _first_line(error: BaseException) -> str:
    from conformance.causes import headline

    line = headline(str(error))
    return f"{type(error).__name__}: {line}" if line else type(error).__name__


if __name__ == "__main__":
    main(sys.argv[1])
