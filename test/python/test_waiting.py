"""The caller waits for local-task's workers under SCHED_BATCH (runtime/waiting.py), and only then."""

from __future__ import annotations

import os
import threading

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from support import EXAMPLES, assert_close, compile_bundle_and_run

from gimlet.runtime import waiting

pytestmark = pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="scheduling policies are Linux's")


def in_a_thread(body):
    """`body()`'s result, run in a fresh thread so that a policy it sets dies with the thread."""
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=body()))
    thread.start()
    thread.join()
    return result["value"]


def test_the_call_runs_under_sched_batch_and_the_policy_comes_back():
    observed = in_a_thread(
        lambda: (waiting.without_wakeup_preemption(lambda: os.sched_getscheduler(0), "local-task")(), os.sched_getscheduler(0))
    )
    assert observed == (os.SCHED_BATCH, os.SCHED_OTHER)


@pytest.mark.parametrize("driver", ["local-sync", "cuda", "vulkan"])
def test_drivers_without_worker_threads_get_the_call_itself(driver):
    def call():
        return None

    assert waiting.without_wakeup_preemption(call, driver) is call


def test_the_policy_comes_back_when_the_call_raises():
    def failing():
        raise RuntimeError("device lost")

    def body():
        with pytest.raises(RuntimeError, match="device lost"):
            waiting.without_wakeup_preemption(failing, "local-task")()
        return os.sched_getscheduler(0)

    assert in_a_thread(body) == os.SCHED_OTHER


def test_a_thread_under_another_policy_is_left_as_it_is():
    def body():
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        inside = waiting.without_wakeup_preemption(lambda: os.sched_getscheduler(0), "local-task")()
        return inside, os.sched_getscheduler(0)

    assert in_a_thread(body) == (os.SCHED_IDLE, os.SCHED_IDLE)


@pytest.mark.parametrize("forbidden", ["sched_getscheduler", "sched_setscheduler"])
def test_a_sandbox_that_forbids_scheduling_calls_still_gets_its_answer(forbidden, monkeypatch):
    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, forbidden, refuse)
    assert in_a_thread(lambda: waiting.without_wakeup_preemption(lambda x: x + 1, "local-task")(41)) == 42


def matmul_model(size: int, seed: int = 0) -> tuple[onnx.ModelProto, np.ndarray]:
    """x @ w with a size × size weight: 2·size³ FLOPs."""
    weight = np.random.default_rng(seed).standard_normal((size, size)).astype(np.float32) / size
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [size, size])],
        [numpy_helper.from_array(weight, "w")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), weight


def policies_set_during(monkeypatch, run) -> list[int]:
    """The policies the runtime sets on the calling thread while `run()` runs."""
    policies, real = [], os.sched_setscheduler
    monkeypatch.setattr(os, "sched_setscheduler", lambda pid, policy, parameters: (policies.append(policy), real(pid, policy, parameters)))
    run()
    monkeypatch.undo()
    return policies


def test_a_session_waits_for_local_task_workers_under_sched_batch(monkeypatch, tmp_path):
    model, weight = matmul_model(320)  # 66 MFLOP: above the CPU target's inline limit
    bundle, session, feeds, outputs = compile_bundle_and_run(model, tmp_path=tmp_path)
    assert [p["modules"]["cpu"]["driver"] for p in bundle.manifest["partitions"]] == ["local-task"]
    assert_close(outputs["y"], feeds["x"] @ weight)

    assert policies_set_during(monkeypatch, lambda: session.run(feeds)) == [os.SCHED_BATCH, os.SCHED_OTHER]
    assert os.sched_getscheduler(0) == os.SCHED_OTHER


def test_a_session_on_local_sync_runs_the_work_itself_and_keeps_its_policy(monkeypatch, tmp_path):
    bundle, session, feeds, _ = compile_bundle_and_run(EXAMPLES / "cnn.onnx", tmp_path=tmp_path)
    assert [p["modules"]["cpu"]["driver"] for p in bundle.manifest["partitions"]] == ["local-sync"]
    assert policies_set_during(monkeypatch, lambda: session.run(feeds)) == []
