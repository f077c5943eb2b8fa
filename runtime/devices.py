"""The devices of this process: each IREE driver's default device, opened once and shared."""

from __future__ import annotations

import functools
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
            try:
                device = ireert.get_device(driver, cache=False)
            except (RuntimeError, ValueError) as error:
                reason = f"no '{driver}' device could be opened: {str(error).splitlines()[0]}"
            else:
                _devices[driver] = device
                return device
        _unavailable[driver] = reason
        raise DeviceError(reason)


@functools.cache
def cpuinfo() -> dict[str, str]:
    """This machine's /proc/cpuinfo, the first CPU's fields (none where it cannot be read)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


@functools.cache
def host_cpu_flags() -> frozenset[str]:
    """The feature flags /proc/cpuinfo lists for this machine's CPU (none where it cannot be read)."""
    return frozenset(cpuinfo().get("flags", "").split())


@functools.cache
def host_cores() -> int:
    """This machine's physical cores, on each of which IREE's CPU runtime starts a worker by
    default: its logical CPUs less their SMT siblings (/proc/cpuinfo's `cpu cores` of `siblings`),
    else its logical CPUs."""
    logical = os.cpu_count() or 1
    info = cpuinfo()
    try:
        return max(1, logical * int(info["cpu cores"]) // int(info["siblings"]))
    except (KeyError, ValueError, ZeroDivisionError):
        return logical


def try_open(driver: str) -> ireert.HalDevice | None:
    try:
        return open_device(driver)
    except DeviceError:
        return None
