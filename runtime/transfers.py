"""Moving tensors between host memory and devices.

Reading a device buffer back with `DeviceArray.to_host()` imports a host
pointer into the device; lavapipe (Mesa's software Vulkan) refuses pointers
not aligned to its minImportedHostPointerAlignment (4096). Copying into a
host-local staging buffer allocated by the device, then mapping it, works
on every driver, so that is the path for every non-CPU device.
"""

from __future__ import annotations

import functools
from typing import Any

import iree.runtime as ireert
import numpy as np
from iree.runtime.dtypes import map_dtype_to_hal_element_type

from .waiting import without_wakeup_preemption

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


@functools.cache
def _dtype(element_type: ireert.HalElementType) -> np.dtype:
    """The NumPy dtype of an IREE element type, looked up once (IREE's lookup takes 0.7 µs a call)."""
    return np.dtype(ireert.HalElementType.map_to_dtype(element_type))


@functools.cache
def _element_type(dtype: np.dtype) -> ireert.HalElementType:
    """An argument's HAL element type, looked up once per dtype (0.2 µs a call otherwise)."""
    return map_dtype_to_hal_element_type(dtype)


class HostCall:
    """Calls a function of a module on a CPU driver through IREE's VM lists, with NumPy arrays in
    and out.

    FunctionInvoker wraps every argument and result in Python objects (ABI checks, DeviceArray):
    3 of the 10 µs a call of the mlp example took. A CPU device's result buffers are host memory, so
    each result is a NumPy view of its buffer (the view keeps the mapping alive), with no copy; a small
    result is copied, which costs less than making the view.
    The binding's methods are looked up once and called with positional arguments: 0.7 of the
    remaining 7.7 µs a call took went to lookups and keyword parsing. On a driver with worker
    threads, the call waits for them without taking their CPUs (`waiting.py`).
    """

    def __init__(
        self, context: ireert.VmContext, device: ireert.HalDevice, driver: str, function: ireert.VmFunction, results: int
    ):
        self._invoke = without_wakeup_preemption(context.invoke, driver)
        self._function, self._device = function, device
        self._results = range(results)
        self._upload = device.allocator.allocate_buffer_copy

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        upload, device = self._upload, self._device
        arguments = ireert.VmVariantList(len(arrays))
        for array in arrays:
            arguments.push_ref(upload(_DEVICE_LOCAL, _DEFAULT_USAGE, device, array, _element_type(array.dtype)))
        results = ireert.VmVariantList(len(self._results))
        self._invoke(self._function, arguments, results)
        arrays_out = []
        for index in self._results:
            view = results.get_as_object(index, ireert.HalBufferView)
            mapping, dtype = view.map(), _dtype(view.element_type)
            if view.byte_length <= COPY_RESULTS_BELOW:  # a NumPy view of the mapping is read-only: copy it
                arrays_out.append(np.ndarray(view.shape, dtype, mapping).copy())
            else:
                arrays_out.append(mapping.asarray(view.shape, dtype))
        return arrays_out


#: Results up to this many bytes are copied out of IREE's buffer instead of viewed: IREE's `asarray`
#: view takes 1.3 µs, a NumPy array over the mapping and its copy 0.5 µs (the mlp example's 160 bytes;
#: `np.frombuffer(...).reshape(...)` instead of `np.ndarray` took 0.7 µs more).
COPY_RESULTS_BELOW = 16384

_DEVICE_LOCAL = ireert.MemoryType.DEVICE_LOCAL
_DEFAULT_USAGE = ireert.BufferUsage.DEFAULT
