"""gimlet-partition: choose a device for every op to minimise latency or money, counting transfers.

The function's ops become a placement problem (ops with a time per device,
tensors with their sizes and readers, the links between devices); `solver`
solves it exactly with HiGHS where it is small enough and with a heuristic
otherwise. Every op gets `gimlet.target` (its device) and `gimlet.reason`
(why there); the function gets `gimlet.placement` (the objective, the
predicted latency and cost, the method, whether it is proven optimal).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from iree.compiler import ir

from ...dialects import location_name
from ...errors import GimletError
from ...targets.devices import Device, parse_duration, parse_link, transfer_model
from ..base import ModulePass, block_ops, functions, register_pass
from . import solver
from .annotate import costs_of, devices_of, profiles_of
from .cost import is_costed, unsupported_reason, value_bytes

TARGET_ATTR = "gimlet.target"
REASON_ATTR = "gimlet.reason"
PLACEMENT_ATTR = "gimlet.placement"
OBJECTIVES = ("latency", "cost")


class PlacementError(GimletError):
    """No placement satisfies the request (a pin, a capability, an SLA)."""


def node_names(op: ir.Operation) -> list[str]:
    """The ONNX node (or torch op) names an op came from: one, or several for a fused location."""
    text = location_name(op.location)
    if text.startswith("fused["):
        return re.findall(r'"([^"]*)"', text)
    return [text]


@dataclass
class PlacementGraph:
    """A function's ops and tensors as a solver problem, with the IR objects they stand for."""

    ops: list[ir.Operation]
    problem: solver.Problem


def build_problem(function: ir.Operation, devices: list[Device], bandwidth, latency, prices, source: int) -> PlacementGraph:
    block = function.regions[0].blocks[0]
    ops = [op for op in block_ops(block) if is_costed(op)]
    index = {op: i for i, op in enumerate(ops)}
    values: list[solver.Value] = []

    def add(value: ir.Value, producer: int | None) -> None:
        consumers, is_output = [], False
        for use in value.uses:
            owner = use.owner
            if owner.name == "func.return":
                is_output = True
            elif owner in index and index[owner] not in consumers:
                consumers.append(index[owner])
        if consumers or is_output:
            values.append(solver.Value(producer, consumers, value_bytes(value), is_output))

    for argument in block.arguments:
        add(argument, None)
    for i, op in enumerate(ops):
        for result in op.results:
            add(result, i)
    compute = [costs_of(op, devices) for op in ops]
    names = [", ".join(node_names(op)) or op.name for op in ops]
    problem = solver.Problem(
        targets=[d.name for d in devices],
        compute=compute,
        values=values,
        bandwidth=bandwidth,
        latency=latency,
        price=prices,
        source=source,
        op_names=names,
    )
    return PlacementGraph(ops, problem)


def resolve_pins(pins: list[str], graph: PlacementGraph, devices: list[Device]) -> dict[int, int]:
    """'REGEX=device' each: every op with a node name the regex matches in full goes to that device."""
    by_name = {d.name: i for i, d in enumerate(devices)}
    placed: dict[int, int] = {}
    for pin in pins:
        pattern, equals, device = pin.rpartition("=")
        if not equals or not pattern:
            raise PlacementError(f"pin '{pin}' must be REGEX=DEVICE, e.g. 'conv.*=cpu'")
        if device not in by_name:
            raise PlacementError(f"pin '{pin}' names device '{device}'; the devices are {', '.join(by_name)}")
        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise PlacementError(f"pin '{pin}': '{pattern}' is not a regular expression ({error})") from None
        matched = [i for i, op in enumerate(graph.ops) if any(regex.fullmatch(n) for n in node_names(op))]
        if not matched:
            examples = ", ".join(sorted({n for op in graph.ops for n in node_names(op)})[:5])
            raise PlacementError(f"pin '{pin}' matches no node; node names look like: {examples}")
        for i in matched:
            placed[i] = by_name[device]
    return placed


def _reason(i: int, target: int, problem: solver.Problem, pins: dict[int, int], objective: str) -> str:
    if i in pins:
        return "pin"
    finite = [t for t, seconds in enumerate(problem.compute[i]) if math.isfinite(seconds)]
    if len(finite) == 1:
        return "capability"
    weight = [problem.price[t] if objective == "cost" else 1.0 for t in range(len(problem.targets))]
    chosen = problem.compute[i][target] * weight[target]
    best = min(problem.compute[i][t] * weight[t] for t in finite)
    return "cheapest" if chosen <= best * (1 + 1e-9) else "transfers"


def default_source(devices: list[Device]) -> int:
    """Inputs arrive on (and outputs return to) the first CPU device, else the first device."""
    return next((i for i, d in enumerate(devices) if d.target.DRIVER.startswith("local")), 0)


def _check_runnable(graph: PlacementGraph, devices: list[Device], profiles: list) -> None:
    """An op no device can run (infinite cost everywhere) is an error that says, per device, what it lacks."""
    for op, costs in zip(graph.ops, graph.problem.compute):
        if not all(math.isinf(seconds) for seconds in costs):
            continue
        reasons = [unsupported_reason(profile, op) for profile in profiles]
        if all(reasons):
            where = ", ".join(node_names(op))
            lacking = "; ".join(f"{device.name}: {reason}" for device, reason in zip(devices, reasons))
            raise PlacementError(
                f"{op.name}{f' at {where!r}' if where else ''} cannot run on any target ({lacking}); "
                "add a target that can, or change the model"
            )


@register_pass
@dataclass
class Partition(ModulePass):
    """Choose a device for every op (after gimlet-annotate-cost).

    Options: objective=latency|cost; sla=5ms (with cost: the cheapest placement
    meeting it); pin=REGEX=DEVICE (repeatable; the regex must match a node name in
    full); link=A-B=50Mbit/s,20ms (repeatable); method=auto|exact|heuristic;
    source=DEVICE (where inputs arrive; default the first CPU).
    """

    NAME = "gimlet-partition"
    DESCRIPTION = "Place every op on a device (options: objective=, sla=, pin=, link=, method=, source=)"

    objective: str = "latency"
    sla: str = ""
    pin: list[str] = field(default_factory=list)
    link: list[str] = field(default_factory=list)
    method: str = "auto"
    source: str = ""

    def apply(self, module: ir.Module) -> None:
        if self.objective not in OBJECTIVES:
            raise PlacementError(f"objective '{self.objective}' is not one of {', '.join(OBJECTIVES)}")
        if self.method not in ("auto", "exact", "heuristic"):
            raise PlacementError(f"method '{self.method}' is not one of auto, exact, heuristic")
        devices = devices_of(module)
        profiles = profiles_of(module, devices)
        links = [parse_link(spec, devices) for spec in self.link]
        bandwidth, latency = transfer_model(devices, profiles, links)
        names = [d.name for d in devices]
        if self.source and self.source not in names:
            raise PlacementError(f"source '{self.source}' is not a device; the devices are {', '.join(names)}")
        source = names.index(self.source) if self.source else default_source(devices)
        sla = parse_duration(self.sla) if self.sla else None
        for function in functions(module):
            if not function.regions[0].blocks:
                continue
            graph = build_problem(function, devices, bandwidth, latency, [p.price_per_hour for p in profiles], source)
            _check_runnable(graph, devices, profiles)
            graph.problem.pins = resolve_pins(self.pin, graph, devices)
            try:
                solution = solver.solve(graph.problem, objective=self.objective, sla=sla, method=self.method)
            except solver.InfeasibleError as error:
                raise PlacementError(str(error)) from None
            self._record(function, graph, solution, devices)

    def _record(self, function, graph: PlacementGraph, solution: solver.Solution, devices: list[Device]) -> None:
        problem = graph.problem
        for i, (op, target) in enumerate(zip(graph.ops, solution.assignment)):
            op.attributes[TARGET_ATTR] = ir.StringAttr.get(devices[target].name)
            op.attributes[REASON_ATTR] = ir.StringAttr.get(_reason(i, target, problem, problem.pins, self.objective))
        function.attributes[PLACEMENT_ATTR] = ir.DictAttr.get(
            {
                "objective": ir.StringAttr.get(self.objective),
                "latency": ir.FloatAttr.get_f64(solution.latency),
                "cost": ir.FloatAttr.get_f64(solution.cost),
                "method": ir.StringAttr.get(solution.method),
                "optimal": ir.BoolAttr.get(solution.optimal),
                "source": ir.StringAttr.get(devices[problem.source].name),
            }
        )
