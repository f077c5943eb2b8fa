"""The real-model suite's fixtures: the model under test, and the results table it writes.

Run it by name, `python -m pytest test/models -q` (the default test paths are test/python).
When every model and path has run, the session writes benchmarks/results/model_suite.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import zoo
from suite import CASES, RESULTS, Row, table


_built: dict[str, zoo.Model] = {}


@pytest.fixture
def model(request) -> zoo.Model:
    """The model named by the test's `name` parameter; the last one built is kept for its next path."""
    name = request.node.callspec.params["name"]
    if name not in _built:
        _built.clear()
        _built[name] = zoo.MODELS[name]()
    return _built[name]


@pytest.fixture(scope="session")
def results():
    """Rows of the results table, one per model and path; written out when the whole suite ran."""
    rows: list[Row] = []
    start = time.perf_counter()
    yield rows
    elapsed = time.perf_counter() - start
    ran = {(row.model, row.path) for row in rows}
    if ran >= set(CASES):
        RESULTS.write_text(table(rows, elapsed))


