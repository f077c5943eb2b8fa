"""The gimlet runtime: load a .gimlet bundle and run it. Needs only iree-base-runtime and numpy."""

from .bundle import FORMAT, FORMAT_VERSION, Bundle, BundleError, BundleFile
from .devices import DeviceError, available_drivers
from .profiling import Profile, device_scales
from .session import ExecutionError, InputError, Session, TensorInfo, load

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Bundle",
    "BundleError",
    "BundleFile",
    "DeviceError",
    "ExecutionError",
    "InputError",
    "Profile",
    "Session",
    "TensorInfo",
    "available_drivers",
    "device_scales",
    "load",
]
