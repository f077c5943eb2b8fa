"""benchmarks/dispatch_profile.py: reading IREE's dispatch events and HAL fills, and one real profile."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import dispatch_profile as dp
from cpu_latency import Case

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _record(submission: int, key: str, start: int, end: int, tiles: int, valid: bool = True) -> str:
    return json.dumps(
        {
            "type": "host_dispatch_event",
            "submission_id": submission,
            "key": key,
            "start_host_time_ns": start,
            "end_host_time_ns": end,
            "tile_duration_sum_ns": tiles,
            "valid": valid,
        }
    )


def _two_calls() -> list[dp.DispatchEvent]:
    """Two calls, each of two submissions: a, b (overlapping a), then c after a gap."""
    lines = [
        '{"type":"session_begin"}',
        _record(1, "a", 0, 10_000, 20_000),
        _record(1, "b", 5_000, 12_000, 7_000),
        _record(2, "c", 20_000, 22_000, 2_000),
        _record(3, "a", 100_000, 108_000, 16_000),
        _record(3, "b", 108_000, 116_000, 8_000),
        _record(4, "c", 116_000, 117_000, 1_000),
        _record(4, "c", 0, 1, 1, valid=False),
    ]
    return dp.parse_events("\n".join(lines))


def test_events_are_grouped_into_calls_by_submission_order():
    events = _two_calls()
    assert len(events) == 6  # the invalid record and the non-dispatch record are dropped
    calls = dp.by_call(events, 2)
    assert [sorted(e.name for e in call) for call in calls] == [["a", "b", "c"], ["a", "b", "c"]]
    with pytest.raises(ValueError, match="4 submissions"):
        dp.by_call(events, 3)


def test_a_call_counts_overlapping_dispatches_once_and_the_gaps_between_them():
    first, second = dp.by_call(_two_calls(), 2)
    summary = dp._summary(first, threads=2)
    assert summary.span_us == pytest.approx(22.0)
    assert summary.dispatch_us == pytest.approx(14.0)  # a ∪ b covers 0-12 µs, c 2 µs
    assert summary.between_us == pytest.approx(8.0)
    assert summary.utilisation == pytest.approx(29_000 / (19_000 * 2))
    assert dp._summary(second, threads=2).between_us == pytest.approx(0.0)
    assert dp.typical_call([first, second], threads=2).span_us == pytest.approx(22.0)  # the longer of two


def test_dispatches_rank_by_their_per_call_minimum():
    rows = dp.rank_dispatches(dp.by_call(_two_calls(), 2))
    assert [row.name for row in rows] == ["a", "b", "c"]
    a, b, c = rows
    assert (a.per_call, a.min_us, a.median_us) == (1, 8.0, 9.0)
    assert (b.min_us, c.min_us) == (7.0, 1.0)


def test_fills_are_read_from_the_hal_command_buffer_ops():
    hal = """
      hal.command_buffer.fill_buffer<%cmd : !hal.command_buffer> target(%c2 : index)[%c0, %c612912] pattern(%c0_i8 : i8) flags("None")
      hal.command_buffer.fill_buffer<%cmd : !hal.command_buffer> target(%c2 : index)[%c612928, %c1663488] pattern(%c0_i8 : i8) flags("None")
      hal.command_buffer.dispatch<%cmd : !hal.command_buffer> target(%exe : !hal.executable)[%c0]
    """
    assert dp.fill_bytes(hal) == (2, 612912 + 1663488)
    assert dp.fill_bytes("hal.command_buffer.dispatch") == (0, 0)


def test_the_cnn_example_profiles_end_to_end(tmp_path):
    """The real tools: gimlet compiles, iree-benchmark-module profiles, iree-profile reads back."""
    rng = np.random.default_rng(0)
    case = Case("cnn (example)", EXAMPLES / "cnn.onnx", {"image": rng.standard_normal((1, 3, 32, 32)).astype(np.float32)})
    profiled = dp.profile_gimlet(case, threads=1, calls=5, scratch=tmp_path)
    call = profiled.call
    assert call.dispatches == sum(row.per_call for row in profiled.rows) > 5
    assert call.span_us >= call.dispatch_us > 0 and call.between_us >= 0
    assert 0.5 < call.utilisation <= 1.05
    assert all(0 < row.min_us <= row.median_us for row in profiled.rows)
    fills, filled = profiled.fills
    assert fills >= 1 and filled > 0  # its padded convolutions' zero borders


def test_an_unknown_model_name_is_a_clear_error(tmp_path):
    import subprocess

    done = subprocess.run(
        [sys.executable, str(Path(dp.__file__)), "--models", "no_such_model", "--output", str(tmp_path / "out.md")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "no case matches --models 'no_such_model'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.md").exists()
