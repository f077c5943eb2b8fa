"""The cost model: an op's estimated time on a device, from its work and the device's profile.

Roofline: time = max(FLOPs / (peak rate × compute efficiency), bytes /
(bandwidth × memory efficiency)) + kernel launch overhead, with the peak rate
of the op's element type and the efficiencies of its op class. An op the
device cannot run (an element type or op kind outside its capabilities)
costs infinity there. Reshapes and constants are free: IREE folds them into
their neighbours.
"""

from __future__ import annotations

import math

from iree.compiler import ir

from ...dialects import Foreign, Work, view
from ...dialects.base import tensor_bytes
from ...targets.perf import DeviceProfile

OP_CLASS = {
    "gimlet.matmul": "contraction",
    "gimlet.conv": "contraction",
    "gimlet.attention": "contraction",
    "gimlet.elementwise": "elementwise",
    "gimlet.reduce": "reduction",
    "gimlet.softmax": "reduction",
    "gimlet.layer_norm": "reduction",
    "gimlet.batch_norm": "reduction",
    "gimlet.pool": "reduction",
    "gimlet.gather": "data_movement",
    "gimlet.transpose": "data_movement",
    "gimlet.broadcast": "data_movement",
    "gimlet.concat": "data_movement",
    "gimlet.slice": "data_movement",
    "gimlet.pad": "data_movement",
    "gimlet.foreign": "foreign",
}
#: Ops that cost nothing anywhere: IREE folds them into their neighbours.
FREE_OPS = frozenset({"gimlet.reshape", "gimlet.constant"})


def is_costed(op: ir.Operation) -> bool:
    """Ops the placement decides: every gimlet op that computes (constants and yields excluded)."""
    return op.name in OP_CLASS or op.name == "gimlet.reshape"


def work_of(op: ir.Operation) -> Work:
    """The op's work; a foreign region's is its traffic (its torch ops are not analysed)."""
    gimlet_op = view(op)
    return gimlet_op.work() if gimlet_op is not None else Work()


def element_types(op: ir.Operation) -> set[str]:
    types = set()
    for value in [*op.operands, *op.results]:
        if isinstance(value.type, ir.RankedTensorType):
            types.add(str(value.type.element_type))
    return types


def supports(profile: DeviceProfile, op: ir.Operation) -> bool:
    return unsupported_reason(profile, op) is None


def unsupported_reason(profile: DeviceProfile, op: ir.Operation) -> str | None:
    """Why the device cannot run `op` (element types or op kind it lacks), or None if it can."""
    missing = element_types(op) - profile.dtypes
    if missing:
        return f"no {', '.join(sorted(missing))} (it has {', '.join(sorted(profile.dtypes))})"
    if profile.op_kinds is not None and op.name not in profile.op_kinds:
        return f"no {op.name}"
    return None


def estimate(op: ir.Operation, profile: DeviceProfile) -> float:
    """Estimated seconds for `op` on the device `profile` describes; inf when it cannot run there."""
    if not supports(profile, op):
        return math.inf
    if op.name in FREE_OPS:
        return 0.0
    op_class = OP_CLASS[op.name]
    compute_efficiency, memory_efficiency = profile.efficiency_of(op_class, op.name)
    work = work_of(op)
    compute = sum(count / (profile.rate(dtype) * compute_efficiency) for dtype, count in work.flops.items())
    memory = (work.bytes_read + work.bytes_written) / (profile.memory_bandwidth * memory_efficiency)
    return max(compute, memory) + kernels(op) * profile.launch_overhead


def kernels(op: ir.Operation) -> int:
    """How many kernels IREE makes of an op (measured by calibration's accuracy benchmark):
    a padded convolution or pooling pads first; layer norm reduces twice; a foreign region
    launches about one per torch op."""
    if op.name == Foreign.operation_name():
        return max(1, len(Foreign(op).op_names()))
    if op.name in ("gimlet.conv", "gimlet.pool"):
        padding = ir.DenseI64ArrayAttr(op.attributes["padding"])
        return 2 if any(padding) else 1
    if op.name == "gimlet.layer_norm":
        return 2
    return 1


def value_bytes(value: ir.Value) -> int:
    return tensor_bytes(value.type)
