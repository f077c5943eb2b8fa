"""Moving tensors between host memory and devices.

Reading a device buffer back with `DeviceArray.to_host()` imports a host
pointer into the device; lavapipe (Mesa's software Vulkan) refuses pointers
not aligned to its minImportedHostPointerAlignment (4096). Copying into a
host-local staging buffer allocated by the device, then mapping it, works
on every driver, so that is the path for every non-CPU device.
"""

from __future__ import annotations

from typing import Any

import iree.runtime as ireert
import numpy as np

#: Drivers whose buffers live in host memory; their arrays read back directly.
HOST_DRIVERS = ("local-task", "local-sync")


def to_host(value: Any, device: ireert.HalDevice, driver: str) -> np.ndarray:
    """A device result as a host array."""
    if isinstance(value, np.ndarray):
        return value
    if driver in HOST_DRIVERS:
        return np.asarray(value.to_host())
    buffer = value._buffer_view.get_buffer()
    staging = device.allocator.allocate_buffer(
        memory_type=ireert.MemoryType.HOST_LOCAL | ireert.MemoryType.DEVICE_VISIBLE,
        allowed_usage=ireert.BufferUsage.TRANSFER | ireert.BufferUsage.MAPPING,
        allocation_size=buffer.byte_length(),
    )
    done = device.create_semaphore(0)
    device.queue_copy(buffer, staging, [], [(done, 1)])
    done.wait(1)
    return np.array(staging.map().asarray(list(value.shape), np.dtype(value.dtype)), copy=True)


def to_device(array: np.ndarray, device: ireert.HalDevice) -> ireert.DeviceArray:
    """A host array uploaded to `device`."""
    return ireert.asdevicearray(device, array)
