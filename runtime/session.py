"""Running a bundle: `gimlet.load(path)` → Session; `session.run(...)` → outputs by name.

A session opens the bundle (checksums first), picks for every partition a
module whose device is present, binds the shared weights, and runs the
partitions in order. It runs no code from the bundle other than the IREE
modules themselves, and it never imports the compiler.
"""

from __future__ import annotations

import functools
import os
import platform
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import iree.runtime as ireert
import numpy as np

from ..errors import GimletError
from .bundle import BundleError, BundleFile
from .checks import CHECKS
from .devices import DeviceError, host_cpu_flags, try_open
from .profiling import Profile
from .transfers import HOST_DRIVERS, HostCall, to_device, to_host


class InputError(GimletError, ValueError):
    """The inputs given to Session.run do not match the model's signature."""


#: What IREE's Python binding raises when an invocation fails: it maps the status code to an exception
#: type (OUT_OF_RANGE → IndexError, INVALID_ARGUMENT → ValueError, most others → RuntimeError).
IREE_RUN_ERRORS = (RuntimeError, IndexError, ValueError)


class ExecutionError(GimletError, RuntimeError):
    """A partition failed while it ran: a check compiled into the model failed, or the device did."""


@dataclass(frozen=True)
class TensorInfo:
    """A model input or output: name, shape (None for a dimension fixed only at run time) and dtype.

    An input that gives a reduction's axes carries the rank of the reduced
    tensor and the axis sets the bundle was compiled for (normalised, sorted).
    """

    name: str
    shape: tuple[int | None, ...]
    dtype: np.dtype
    axes_rank: int | None = None
    allowed_axes: tuple[tuple[int, ...], ...] = ()

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> "TensorInfo":
        axes = entry.get("axes", {})
        allowed = tuple(tuple(a) for a in axes.get("allowed", ()))
        return cls(entry["name"], tuple(entry["shape"]), np.dtype(entry["dtype"]), axes.get("rank"), allowed)

    def axes_problem(self, array: np.ndarray) -> str | None:
        """Why an axes value is not one the bundle was compiled for; None if it is one, or if this
        input gives no axes."""
        if self.axes_rank is None:
            return None
        values = [int(v) for v in array.reshape(-1)]
        rank = self.axes_rank
        if any(not -rank <= v < rank for v in values):
            return f"holds {values}, but axes of a rank-{rank} tensor lie in [{-rank}, {rank - 1}]"
        normalised = tuple(sorted(v % rank for v in values))
        if normalised in self.allowed_axes:
            return None
        choices = " or ".join(str(list(a)) for a in self.allowed_axes)
        return (
            f"holds axes {values}, but the model's declared shapes allow only {choices} (negative values count from "
            "the end); give one of those, or declare the output shape that these axes produce and compile again"
        )

    @functools.cached_property
    def static_shape(self) -> tuple[int, ...] | None:
        """The shape when no dimension is left to run time, else None."""
        return None if None in self.shape else self.shape

    def __str__(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.name}: {self.dtype.name}[{dims}]"


@dataclass
class _LoadedPartition:
    name: str
    target: str
    driver: str
    device: ireert.HalDevice
    #: HostCall on a CPU driver (NumPy arrays in and out), else FunctionInvoker (DeviceArrays).
    invoker: HostCall | ireert.FunctionInvoker
    inputs: list[str]
    outputs: list[str]

    @functools.cached_property
    def memory(self) -> str | None:
        """None when the driver's buffers are host memory (the caller's arrays need no move), else the driver."""
        return None if self.driver in HOST_DRIVERS else self.driver


@dataclass(frozen=True)
class _Step:
    """A partition's turn in a run, routed once when the session loads: which of its inputs live in
    another memory than the one it reads (where each tensor lives is fixed by the placement)."""

    partition: _LoadedPartition
    #: (argument index, tensor name, the tensor's producer; None: the caller) of each input to move.
    moves: tuple[tuple[int, str, _LoadedPartition | None], ...]


class Session:
    """A loaded bundle, ready to run. Create it with `gimlet.load(path)`."""

    def __init__(self, path: str | os.PathLike, devices: Sequence[str] | None = None):
        self.path = str(path)
        self._bundle = BundleFile(path)
        manifest = self._bundle.manifest
        self.manifest = manifest
        self.inputs = [TensorInfo.from_manifest(e) for e in manifest["inputs"]]
        self.outputs = [TensorInfo.from_manifest(e) for e in manifest["outputs"]]
        self._input_names = tuple(info.name for info in self.inputs)
        self._input_name_set = frozenset(self._input_names)
        #: Each output and the tensor that carries it (an output may repeat another tensor).
        self._output_sources = [(info, e.get("tensor", e["name"])) for info, e in zip(self.outputs, manifest["outputs"])]
        unknown = sorted({c.get("kind") for c in manifest.get("checks", [])} - set(CHECKS))
        if unknown:
            raise BundleError(f"{self.path}: the manifest asks for checks of kind {unknown}, which this runtime cannot make; update gimlet")
        self._checks = [CHECKS[c["kind"]].from_manifest(c) for c in manifest.get("checks", [])]
        self._instance = ireert.VmInstance()
        self._parameters = self._load_parameters(manifest.get("parameters"))
        self._allowed = set(devices) if devices is not None else None
        self._moved: list[str] = []
        self._partitions = [self._load_partition(p) for p in manifest["partitions"]]
        self._steps, self._output_moves = self._route()
        if self._moved:
            warnings.warn(f"gimlet: {self.path}: {'; '.join(self._moved)}", stacklevel=3)
        self.last_profile: Profile | None = None

    # -- loading -------------------------------------------------------------

    def _load_parameters(self, parameters: Mapping[str, Any] | None):
        if not parameters:
            return None
        index = ireert.ParameterIndex()
        view = self._bundle.view(parameters["member"])
        index.load_from_file_handle(ireert.FileHandle.wrap_memory(view), "irpa")
        return index.create_provider(scope=parameters["scope"])

    def _load_partition(self, partition: Mapping[str, Any]) -> _LoadedPartition:
        modules = partition["modules"]
        preferred = partition["target"]
        order = [preferred] + [t for t in modules if t != preferred]
        tried = []
        for target in order:
            module = modules[target]
            driver = module["driver"]
            kind = module["target"].partition(":")[0]
            if self._allowed is not None and not {target, kind, driver} & self._allowed:
                tried.append(f"{target} (not in devices={sorted(self._allowed)})")
                continue
            triple = module.get("triple")
            if triple and triple.partition("-")[0] != platform.machine():
                tried.append(f"{target} (built for {triple}, this machine is {platform.machine()})")
                continue
            missing = _missing_cpu_flags(module.get("cpu_flags", ()))
            if missing:
                tried.append(
                    f"{target} (compiled for a CPU with {', '.join(missing)}, which this one lacks: compile on this "
                    "machine, or for its kind of CPU with --targets cpu:cpu=NAME)"
                )
                continue
            device = try_open(driver)
            if device is None:
                tried.append(f"{target} (no {driver} device)")
                continue
            if target != preferred:
                self._moved.append(f"partition '{partition['name']}' placed on {preferred} runs on {target} instead ({tried[0]})")
            return self._bind(partition, target, driver, device, module)
        raise DeviceError(
            f"{self.path}: partition '{partition['name']}' cannot run here: it has modules for "
            f"{', '.join(modules)}, and none can run ({'; '.join(tried)}); run it where a "
            f"{preferred} device exists, or recompile with --targets including one present here"
        )

    def _bind(self, partition, target, driver, device, module) -> _LoadedPartition:
        program = ireert.VmModule.wrap_buffer(self._instance, self._bundle.view(module["member"]))
        modules = [ireert.create_hal_module(self._instance, device)]
        if self._parameters is not None:
            modules.append(ireert.create_io_parameters_module(self._instance, self._parameters))
        modules.append(program)
        context = ireert.VmContext(self._instance, modules=modules)
        function = program.lookup_function(partition["function"])
        if function is None:
            raise BundleError(f"{self.path}: module '{module['member']}' has no function '{partition['function']}'")
        if driver in HOST_DRIVERS:
            invoker = HostCall(context, device, driver, function, len(partition["outputs"]))
        else:
            invoker = ireert.FunctionInvoker(context, device, function)
        return _LoadedPartition(
            partition["name"], target, driver, device, invoker, list(partition["inputs"]), list(partition["outputs"])
        )

    def _route(self) -> tuple[list[_Step], list[tuple[TensorInfo, str, _LoadedPartition | None]]]:
        """Each partition's step, and each output with the partition to read it back from (None
        where it is already in host memory), decided once so that a run only follows them."""
        producers: dict[str, _LoadedPartition | None] = dict.fromkeys(self._input_names)
        steps = []
        for partition in self._partitions:
            moves = []
            for index, name in enumerate(partition.inputs):
                producer = producers[name]
                if (producer.memory if producer is not None else None) != partition.memory:
                    moves.append((index, name, producer))
            steps.append(_Step(partition, tuple(moves)))
            producers.update(dict.fromkeys(partition.outputs, partition))
        outputs = []
        for info, tensor in self._output_sources:
            producer = producers[tensor]
            outputs.append((info, tensor, producer if producer is not None and producer.memory is not None else None))
        return steps, outputs

    @property
    def placement(self) -> dict[str, str]:
        """Partition name → the target it runs on in this session."""
        return {p.name: p.target for p in self._partitions}

    # -- running -------------------------------------------------------------

    def run(self, *args: Any, profile: bool = False, output_type: str = "numpy", **kwargs: Any) -> dict[str, Any]:
        """Run the model: `run({"x": array})`, `run(x)` (inputs in order), or `run(x=array)`.

        Inputs are NumPy arrays or any DLPack tensor (a PyTorch tensor, say), taken
        without a copy when it lives in host memory. Outputs are NumPy arrays, or
        PyTorch tensors sharing their memory with `output_type="torch"`. With
        `profile=True`, `session.last_profile` holds each partition's measured time
        and each transfer's time and bytes beside the manifest's estimates.
        """
        if output_type not in ("numpy", "torch"):
            raise InputError(f"output_type must be 'numpy' or 'torch', got {output_type!r}")
        values = self._bind_inputs(args, kwargs)
        recorder = Profile.for_session(self) if profile else None
        for step in self._steps:
            partition = step.partition
            arguments = [values[name] for name in partition.inputs]
            for index, name, producer in step.moves:
                arguments[index] = self._move(arguments[index], producer, partition, name, recorder)
            started = time.perf_counter() if recorder is not None else 0.0
            try:
                result = partition.invoker(*arguments)
            except IREE_RUN_ERRORS as error:  # a failed check or a device error (by its status code)
                raise ExecutionError(
                    f"{self.path}: partition {partition.name} failed on {partition.target} ({partition.driver}): "
                    f"{_iree_message(error)}; the inputs break an assumption of the compiled model, or the device failed"
                ) from None
            if recorder is not None:
                recorder.partition_ran(partition, time.perf_counter() - started)
            values.update(zip(partition.outputs, result if isinstance(result, (list, tuple)) else [result]))
        outputs = {}
        for info, tensor, producer in self._output_moves:
            value = values[tensor]
            if producer is not None:
                value = self._move(value, producer, None, info.name, recorder)
            outputs[info.name] = value if value.dtype == info.dtype else self._to_numpy(value, info)
        self.last_profile = recorder
        if output_type == "torch":
            import torch

            return {name: torch.from_numpy(array) for name, array in outputs.items()}
        return outputs

    @staticmethod
    def _move(value: Any, producer: "_LoadedPartition | None", consumer: "_LoadedPartition | None", name: str, recorder) -> Any:
        """`value`, which lives in another memory than the one `consumer` (None: the caller) reads,
        moved through host memory: read back from the producer's device, uploaded to the consumer's."""
        started = time.perf_counter()
        host = value if producer is None else to_host(value, producer.device, producer.driver)
        moved = to_device(host, consumer.device) if consumer is not None and consumer.driver not in HOST_DRIVERS else host
        if recorder is not None:
            recorder.transfer_ran(name, producer, consumer, host.nbytes, time.perf_counter() - started)
        return moved

    __call__ = run

    def _bind_inputs(self, args: tuple, kwargs: dict) -> dict[str, np.ndarray]:
        names = self._input_names
        if kwargs or not args:
            if args:
                raise InputError(f"{self.path}: give the inputs either in order or by name, not both")
            given = kwargs
        elif len(args) == 1 and type(args[0]) is dict:  # the usual call: read, never changed, so not copied
            given = args[0]
        elif len(args) == 1 and isinstance(args[0], Mapping):
            given = dict(args[0])
        elif len(args) != len(names):
            raise InputError(f"{self.path}: the model takes {len(names)} input(s) ({', '.join(names)}), got {len(args)}")
        else:
            given = dict(zip(names, args))
        if given.keys() != self._input_name_set:
            missing = [n for n in names if n not in given]
            unknown = [n for n in given if n not in names]
            problems = []
            if missing:
                problems.append(f"missing {', '.join(missing)}")
            if unknown:
                problems.append(f"unknown {', '.join(unknown)}")
            raise InputError(f"{self.path}: {'; '.join(problems)}; the model's inputs are: {'; '.join(map(str, self.inputs))}")
        feeds = {}
        for info in self.inputs:
            value = given[info.name]
            usual = type(value) is np.ndarray and value.shape == info.static_shape and value.dtype == info.dtype
            # The usual input needs none of _check_input's conversions, nor the 0.4 µs of its checks.
            feeds[info.name] = value if usual and value.flags.c_contiguous and info.axes_rank is None else self._check_input(info, value)
        for check in self._checks:
            problem = check.problem(feeds)
            if problem:
                names = check.inputs()
                which = f"input '{names[0]}'" if len(names) == 1 else "inputs " + ", ".join(f"'{name}'" for name in names)
                raise InputError(f"{self.path}: {which}: {problem}")
        return feeds

    def _check_input(self, info: TensorInfo, value: Any) -> np.ndarray:
        array = self._as_array(info, value)
        if array.dtype != info.dtype:
            raise InputError(
                f"{self.path}: input '{info.name}' has dtype {array.dtype}, expected {info.dtype}; "
                f"convert it with .astype(np.{info.dtype.name})"
            )
        shape_ok = array.ndim == len(info.shape) and all(d is None or d == s for d, s in zip(info.shape, array.shape))
        if not shape_ok:
            raise InputError(f"{self.path}: input '{info.name}' has shape {list(array.shape)}, expected {info}")
        problem = info.axes_problem(array)
        if problem:
            raise InputError(f"{self.path}: input '{info.name}' {problem}")
        # Keep 0-d arrays 0-d: np.ascontiguousarray would make them 1-d.
        return array if array.flags.c_contiguous else array.copy(order="C")

    def _as_array(self, info: TensorInfo, value: Any) -> np.ndarray:
        """A host array over the caller's memory where possible (DLPack), else a copy."""
        if isinstance(value, np.ndarray) or not hasattr(value, "__dlpack__"):
            return np.asarray(value)
        device_type = value.__dlpack_device__()[0] if hasattr(value, "__dlpack_device__") else 1
        if device_type == 1:  # kDLCPU
            try:
                return np.from_dlpack(value)
            except (BufferError, TypeError, RuntimeError):
                pass  # e.g. a bfloat16 tensor NumPy cannot view; fall through to a copy
        if hasattr(value, "cpu") and hasattr(value, "numpy"):
            return value.detach().cpu().numpy()
        raise InputError(f"{self.path}: input '{info.name}' is a DLPack tensor on a device NumPy cannot read; copy it to host memory first")

    @staticmethod
    def _to_numpy(array: np.ndarray, info: TensorInfo) -> np.ndarray:
        """A result whose dtype is not the declared one, as the declared one: IREE returns bools as
        i8 and unsigned integers as signed ones."""
        if info.dtype == np.bool_:
            array = array.astype(np.bool_)
        elif array.dtype.itemsize == info.dtype.itemsize and array.dtype.kind in "iu" and info.dtype.kind in "iu":
            array = array.view(info.dtype)  # IREE returns signless integers as signed
        return array

    def __repr__(self) -> str:
        inputs = "; ".join(map(str, self.inputs))
        outputs = "; ".join(map(str, self.outputs))
        return f"<gimlet.Session {self.path} inputs=({inputs}) outputs=({outputs}) placement={self.placement}>"


def _missing_cpu_flags(required) -> list[str]:
    """The CPU flags a module needs that this machine's CPU lacks; none where /proc/cpuinfo cannot
    be read (the module is then tried as it is)."""
    present = host_cpu_flags()
    return [flag for flag in required if flag not in present] if present else []


def _iree_message(error: Exception) -> str:
    """IREE's message without its call-stack lines."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip() and not line.strip().startswith(("at ", "[ "))]
    return lines[0].removeprefix("Error invoking function: ").rstrip("; ") if lines else type(error).__name__


def load(path: str | os.PathLike, devices: Sequence[str] | None = None) -> Session:
    """Open a .gimlet bundle for running. `devices` restricts which targets or drivers may be used."""
    return Session(path, devices=devices)


__all__ = ["DeviceError", "ExecutionError", "InputError", "Session", "TensorInfo", "load"]
