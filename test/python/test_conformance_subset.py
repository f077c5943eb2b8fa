"""A fixed subset of the ONNX backend node tests, through gimlet's public API, in the default run.

The cases are test/conformance/subset.txt: a few per op type, every one of
them passing in gimlet's full-suite run (test/conformance/results/gimlet.csv),
so a failure here is a regression. They run in batches (several cases
compiled as one model, test/conformance/batch.py) on two worker processes;
a case that fails inside its batch runs again alone before it is reported.
The full suite and the comparison with IREE and ONNX Runtime:
test/conformance/README.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # test/: the `conformance` package

from conformance.subset import read_subset, run_subset

CASES = read_subset()
JOBS = int(os.environ.get("GIMLET_CONFORMANCE_JOBS", min(2, os.cpu_count() or 1)))


@pytest.fixture(scope="module")
def subset_results() -> dict[str, dict]:
    return run_subset(CASES, jobs=JOBS)


def test_subset_is_broad():
    """The subset covers many op types, each case named once."""
    ops = {line.split("#")[-1].strip() for line in (Path(__file__).resolve().parents[1] / "conformance" / "subset.txt").read_text().splitlines()
           if line.strip() and not line.startswith("#")}
    assert len(CASES) == len(set(CASES)) >= 200
    assert len(ops) >= 80


@pytest.mark.parametrize("case", CASES)
def test_node_case(case: str, subset_results: dict[str, dict]):
    answer = subset_results[case]
    assert answer["status"] == "pass", f"{case}: {answer.get('cause')} ({answer.get('stage')}): {answer.get('message')}"
