"""The devices of this process: each IREE driver's default device, opened once and shared."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import iree.runtime as ireert

from ..errors import GimletError

_lock = threading.Lock()
_devices: dict[str, ireert.HalDevice] = {}
_unavailable: dict[str, str] = {}


class DeviceError(GimletError):
    """A device a bundle needs is not present, or failed to open."""


def available_drivers() -> list[str]:
    """Drivers compiled into this iree-base-runtime (a driver listed may still find no device)."""
    return list(ireert.query_available_drivers())


def open_device(driver: str) -> ireert.HalDevice:
    """The default device of `driver`, opened on first use; DeviceError when there is none."""
    with _lock:
        if driver in _devices:
            return _devices[driver]
        if driver in _unavailable:
            raise DeviceError(_unavailable[driver])
        if driver not in available_drivers():
            reason = f"the IREE runtime has no '{driver}' driver (it has: {', '.join(available_drivers())})"
        else:
            if driver == "local-task":
                _unpin_cpu_workers()
            try:
                device = ireert.get_device(driver, cache=False)
            except (RuntimeError, ValueError) as error:
                reason = f"no '{driver}' device could be opened: {str(error).splitlines()[0]}"
            else:
                _devices[driver] = device
                return device
        _unavailable[driver] = reason
        raise DeviceError(reason)


def try_open(driver: str) -> ireert.HalDevice | None:
    try:
        return open_device(driver)
    except DeviceError:
        return None


def _unpin_cpu_workers() -> None:
    """One local-task worker per physical core, as IREE's default topology has, but unpinned.

    IREE pins each default worker to its core, where it cannot leave another thread's way:
    ResNet-18 took 10.9-11.0 ms instead of 9.8-9.9 in two of three benchmark processes that had
    run other models first (2 cores, ONNX Runtime and PyTorch threads beside it), and 9.8 in all
    three with the workers unpinned. An explicit worker count is IREE's way to leave them unpinned.
    """
    ireert.flags.parse_flags(f"--task_topology_group_count={physical_cores()}")


def physical_cores() -> int:
    """Physical cores among the CPUs this process may use (SMT siblings counted once)."""
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    cores = set()
    for cpu in cpus:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add(((topology / "physical_package_id").read_text().strip(), (topology / "core_id").read_text().strip()))
        except OSError:
            cores.add(("cpu", str(cpu)))
    return max(1, len(cores))
