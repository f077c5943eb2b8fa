"""How a calling thread waits for IREE's CPU worker threads.

On `local-task`, the caller submits the work and blocks until a worker signals
the call's semaphore. IREE 3.13's blocking wait (`iree_async_semaphore_multi_wait`)
ends by spinning until that worker has also finished its signalling callback.
Linux lets a thread it wakes preempt the thread that woke it, so the caller can
take the signalling worker's CPU and spin while that worker cannot run, until
the scheduler's time slice ends. Measured on a 2-core machine (MobileNetV2,
2 workers): the caller burned 1.0 ms of CPU a call against a 3.4 ms call, in a
`pause` loop right after that callback's futex wake.

A `SCHED_BATCH` thread does not preempt the thread that wakes it. With the
caller under `SCHED_BATCH` for the call's duration, the same call took 2.4 ms
and 0.09 ms of the caller's CPU. Switching between `SCHED_OTHER` and
`SCHED_BATCH` needs no privilege; a thread under any other policy (real-time,
idle) is left as its owner set it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")

#: Drivers whose calls block the caller until one of the driver's worker threads signals it.
WORKER_DRIVERS = ("local-task",)

#: Linux only; elsewhere the caller's wait is left alone.
_BATCH = getattr(os, "SCHED_BATCH", None)
_PARAMETERS = os.sched_param(0) if _BATCH is not None else None


def without_wakeup_preemption(call: Callable[..., Result], driver: str) -> Callable[..., Result]:
    """`call` into a module on `driver`: where the driver has worker threads, run with the calling
    thread under `SCHED_BATCH` and its policy restored after; elsewhere `call` itself."""
    if _BATCH is None or driver not in WORKER_DRIVERS:
        return call

    def batched(*args):
        try:
            switch = os.sched_getscheduler(0) == os.SCHED_OTHER
            if switch:
                os.sched_setscheduler(0, _BATCH, _PARAMETERS)
        except OSError:  # a sandbox that forbids these calls: wait as IREE does
            switch = False
        if not switch:
            return call(*args)
        try:
            return call(*args)
        finally:
            os.sched_setscheduler(0, os.SCHED_OTHER, _PARAMETERS)

    return batched
