"""Placement solver: put every op of a DAG on a target so latency or dollar cost is minimal.

The model is sequential: latency is the sum of every op's compute time on its
target plus every transfer's time. A value moves from the target that made it
(the source target for graph inputs) once to each other target that reads it,
and outputs return to the source target. Cost charges each second of compute
or transfer at the hourly price of the target it runs on (a transfer's
destination). `evaluate` is the definition; both methods minimise exactly it.

Two methods, one interface (`solve`):

* exact: a mixed-integer linear program solved by HiGHS (scipy.optimize.milp),
  proven optimal unless the time limit stops it.
* heuristic: graph-cut "expansion" moves (every op either stays or moves to
  one target, chosen together by a minimum s-t cut) from each all-on-one-target
  start and the per-op cheapest one, then single-op local search. With two targets and no SLA, the first
  expansion from an all-on-one-target start is the whole problem, so the
  heuristic is exact up to rounding the cut's capacities to integers. Under an
  SLA it bisects a price λ on latency (minimising cost + λ·latency), then
  improves the cheapest placement found within the SLA by taking over
  stretches of the placements just over it, single-op moves, and pairs of
  moves that trade latency for cost.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import warnings
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

#: Relative slack when checking latency against an SLA (solver round-off).
SLA_TOLERANCE = 1e-7
#: method="auto" solves exactly when the problem has at most this many
#: placement choices (op-target pairs an op may take); heuristic above.
EXACT_LIMIT = 3000
#: Seconds the exact solver may run before it returns its best placement so far.
TIME_LIMIT = 60.0

# Heuristic tuning (see `_heuristic`).
#: How many of the placements over the SLA (nearest first) the SLA search takes stretches from.
RELINK_MISSES = 3
#: Longest stretch of ops `_LocalSearch.relink` moves at once.
RELINK_WINDOW = 32
#: Bisection steps over λ (four decades around the slope between the fastest and cheapest
#: placements, so the last step is within ~4% of the boundary λ).
LAMBDA_STEPS = 8
#: Expansion moves stop when a whole round gains less than this fraction (single-op moves finish).
EXPANSION_GAIN = 1e-6

OBJECTIVES = ("latency", "cost")
METHODS = ("auto", "exact", "heuristic")


@dataclass
class Value:
    """A tensor: made by op `producer` (None for a graph input, which lives on the source target), read by `consumers` (op indices), `bytes` large; `is_output` values must end up on the source target."""

    producer: int | None
    consumers: list[int]
    bytes: int
    is_output: bool = False


@dataclass
class Problem:
    """Ops, values and targets; see the module docstring for what a placement costs."""

    targets: list[str]
    compute: list[list[float]]  # compute[op][t]: seconds; math.inf where the target cannot run the op
    values: list[Value]
    bandwidth: list[list[float]]  # bytes/s for a transfer from target s to target t (s != t); math.inf = free
    latency: list[list[float]]  # seconds per transfer from s to t
    price: list[float]  # $/hour per target (for the cost objective)
    source: int = 0  # where graph inputs live and outputs must return
    pins: dict[int, int] = field(default_factory=dict)  # op -> target index, must be honoured
    op_names: list[str] | None = None  # for error messages


@dataclass
class Solution:
    assignment: list[int]  # target index per op
    latency: float  # seconds, as evaluate() computes it
    cost: float  # dollars per inference, as evaluate() computes it
    method: str  # "exact" or "heuristic"
    optimal: bool  # proven optimal (exact solve that finished)


class InfeasibleError(Exception):
    """No placement exists: an op no target can run, or a pin to a target that cannot run the op."""


class SLAError(InfeasibleError):
    """Placements exist, but none meets the latency SLA; `best_latency` is the lowest reachable (or found)."""

    def __init__(self, sla: float, best_latency: float):
        super().__init__(
            f"no placement meets the {sla * 1e3:.3f} ms SLA; the best reachable latency is {best_latency * 1e3:.3f} ms"
        )
        self.sla = sla
        self.best_latency = best_latency


def transfer_time(problem: Problem, value: Value, s: int, t: int) -> float:
    """Seconds to move `value` from target s to target t (s != t)."""
    return problem.latency[s][t] + value.bytes / problem.bandwidth[s][t]


def evaluate(problem: Problem, assignment: list[int]) -> tuple[float, float]:
    """(latency in seconds, cost in dollars) of a placement; (inf, inf) if an op sits where it cannot run."""
    rates = [price / 3600 for price in problem.price]
    latency = cost = 0.0
    for op, t in enumerate(assignment):
        seconds = problem.compute[op][t]
        if math.isinf(seconds):
            return math.inf, math.inf
        latency += seconds
        cost += rates[t] * seconds
    for value in problem.values:
        made_on = problem.source if value.producer is None else assignment[value.producer]
        needed_on = {assignment[c] for c in value.consumers}
        if value.is_output:
            needed_on.add(problem.source)
        for t in sorted(needed_on - {made_on}):
            seconds = transfer_time(problem, value, made_on, t)
            latency += seconds
            cost += rates[t] * seconds
    return latency, cost


def meets_sla(latency: float, sla: float) -> bool:
    return latency <= sla * (1 + SLA_TOLERANCE)


def solve(
    problem: Problem,
    objective: str = "latency",
    sla: float | None = None,
    method: str = "auto",
    exact_limit: int = EXACT_LIMIT,
    time_limit: float = TIME_LIMIT,
) -> Solution:
    """The best placement for `objective` ("latency" or "cost"), under `sla` seconds of latency if given.

    method "exact" solves the MILP (optimal=True once proven; if the time
    limit stops it, the better of its incumbent and the heuristic's answer),
    "heuristic" runs the graph-cut local search, "auto" picks exact when the
    problem has at most `exact_limit` placement choices. Raises
    InfeasibleError if nothing can be placed, SLAError if no placement found
    meets `sla`.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if sla is not None and not sla > 0:
        raise ValueError(f"the SLA must be a positive number of seconds, got {sla}")
    graph = _Graph(problem)
    if method == "auto":
        method = "exact" if graph.choices <= exact_limit else "heuristic"
    if method == "heuristic":
        return _solution(problem, _heuristic(graph, objective, sla), "heuristic", False)
    return _solve_exact(graph, objective, sla, time_limit)


def brute_force(problem: Problem, objective: str = "latency", sla: float | None = None) -> Solution:
    """Enumerate every placement (tests only: the count is the product of each op's choices)."""
    graph = _Graph(problem)
    best: tuple[float, list[int]] | None = None
    best_latency = math.inf
    for assignment in itertools.product(*graph.allowed):
        latency, cost = evaluate(problem, list(assignment))
        best_latency = min(best_latency, latency)
        if sla is not None and not meets_sla(latency, sla):
            continue
        score = latency if objective == "latency" else cost
        if best is None or score < best[0]:
            best = (score, list(assignment))
    if best is None:
        raise SLAError(sla, best_latency)
    return _solution(problem, best[1], "exact", True)


def _solution(problem: Problem, assignment: list[int], method: str, optimal: bool) -> Solution:
    latency, cost = evaluate(problem, assignment)
    return Solution(list(assignment), latency, cost, method, optimal)


# --------------------------------------------------------------------------- the indexed problem


class _Graph:
    """A validated Problem, indexed for the solvers: each op's allowed targets, inputs, outputs, neighbours."""

    def __init__(self, problem: Problem):
        self.problem = problem
        n_targets = len(problem.targets)
        n_ops = len(problem.compute)
        self.n_ops, self.n_targets, self.source = n_ops, n_targets, problem.source
        _check_shapes(problem, n_ops, n_targets)
        self.allowed = [self._allowed(op) for op in range(n_ops)]
        self.choices = sum(len(targets) for targets in self.allowed)
        self.producer = [value.producer for value in problem.values]
        self.consumers = [sorted(set(value.consumers)) for value in problem.values]
        self.is_output = [value.is_output for value in problem.values]
        self.inputs: list[list[int]] = [[] for _ in range(n_ops)]
        self.outputs: list[list[int]] = [[] for _ in range(n_ops)]
        for v, value in enumerate(problem.values):
            if value.producer is not None:
                self.outputs[value.producer].append(v)
            for c in self.consumers[v]:
                self.inputs[c].append(v)
        self.order = self._topological_order()
        self.compute = [list(map(float, row)) for row in problem.compute]
        self.rates = [price / 3600 for price in problem.price]
        self.transfer_array = self._transfer_times()
        self.transfer = self.transfer_array.tolist()
        self._neighbours: list[list[int]] | None = None
        # Array views for the vectorised parts of the heuristic.
        self.n_values = len(problem.values)
        self.compute_array = np.array(self.compute, dtype=float).reshape(n_ops, n_targets)
        self.allowed_mask = np.zeros((n_ops, n_targets), dtype=bool)
        for op, allowed in enumerate(self.allowed):
            self.allowed_mask[op, allowed] = True
        self.producer_array = np.array([-1 if p is None else p for p in self.producer], dtype=np.int64)
        self.output_array = np.array(self.is_output, dtype=bool)
        self.edge_value = np.array([v for v, cs in enumerate(self.consumers) for _ in cs], dtype=np.int64)
        self.edge_consumer = np.array([c for cs in self.consumers for c in cs], dtype=np.int64)

    def name(self, op: int) -> str:
        names = self.problem.op_names
        return f"op {names[op]!r}" if names else f"op #{op}"

    def _allowed(self, op: int) -> list[int]:
        row = self.problem.compute[op]
        if op in self.problem.pins:
            pin = self.problem.pins[op]
            if math.isinf(row[pin]):
                raise InfeasibleError(
                    f"{self.name(op)} is pinned to {self.problem.targets[pin]!r}, which cannot run it"
                )
            return [pin]
        allowed = [t for t in range(self.n_targets) if not math.isinf(row[t])]
        if not allowed:
            raise InfeasibleError(f"{self.name(op)} cannot run on any target ({', '.join(self.problem.targets)})")
        return allowed

    def _topological_order(self) -> list[int]:
        successors: list[set[int]] = [set() for _ in range(self.n_ops)]
        for v, p in enumerate(self.producer):
            if p is not None:
                successors[p].update(self.consumers[v])
        indegree = [0] * self.n_ops
        for nexts in successors:
            for c in nexts:
                indegree[c] += 1
        ready = deque(op for op in range(self.n_ops) if indegree[op] == 0)
        order = []
        while ready:
            op = ready.popleft()
            order.append(op)
            for c in successors[op]:
                indegree[c] -= 1
                if indegree[c] == 0:
                    ready.append(c)
        if len(order) != self.n_ops:
            raise ValueError("the op graph has a cycle")
        return order

    def _transfer_times(self) -> np.ndarray:
        """transfer[v][s][t]: seconds to move value v from s to t; 0 on the diagonal."""
        problem = self.problem
        sizes = np.array([float(value.bytes) for value in problem.values]).reshape(-1, 1, 1)
        with np.errstate(divide="ignore"):
            times = np.asarray(problem.latency, dtype=float) + sizes / np.asarray(problem.bandwidth, dtype=float)
        diagonal = np.arange(self.n_targets)
        times[:, diagonal, diagonal] = 0.0
        return times

    def neighbours(self) -> list[list[int]]:
        """Ops whose move deltas change when an op moves: its producers, co-consumers and consumers."""
        if self._neighbours is None:
            self._neighbours = []
            for op in range(self.n_ops):
                near = set()
                for v in self.inputs[op]:
                    if self.producer[v] is not None:
                        near.add(self.producer[v])
                    near.update(self.consumers[v])
                for v in self.outputs[op]:
                    near.update(self.consumers[v])
                near.discard(op)
                self._neighbours.append(sorted(near))
        return self._neighbours

    def score(self, assignment: np.ndarray, rates: np.ndarray) -> float:
        """Σ over targets of rates[t] × seconds spent on t (compute, and transfers arriving there)."""
        return float(rates @ self.seconds_on(assignment))

    def seconds_on(self, assignment: np.ndarray) -> np.ndarray:
        """Seconds spent on each target: compute there, and transfers arriving there."""
        ops = np.arange(self.n_ops)
        seconds = np.bincount(assignment, weights=self.compute_array[ops, assignment], minlength=self.n_targets)
        made_on = np.where(self.producer_array >= 0, assignment[self.producer_array], self.source)
        needed = np.zeros((self.n_values, self.n_targets), dtype=bool)
        needed[self.edge_value, assignment[self.edge_consumer]] = True
        needed[self.output_array, self.source] = True
        arriving = self.transfer_array[np.arange(self.n_values), made_on]
        return seconds + (arriving * needed).sum(axis=0)


def _check_shapes(problem: Problem, n_ops: int, n_targets: int) -> None:
    """Malformed input is a caller's bug (ValueError), not an infeasible placement."""
    if n_targets == 0:
        raise ValueError("no targets")
    if not 0 <= problem.source < n_targets:
        raise ValueError(f"source target {problem.source} out of range")
    for what, rows in (("compute", problem.compute), ("bandwidth", problem.bandwidth), ("latency", problem.latency)):
        if any(len(row) != n_targets for row in rows):
            raise ValueError(f"every row of {what} needs one entry per target ({n_targets})")
    if len(problem.bandwidth) != n_targets or len(problem.latency) != n_targets or len(problem.price) != n_targets:
        raise ValueError("bandwidth, latency and price need one row/entry per target")
    for s in range(n_targets):
        for t in range(n_targets):
            if s != t and not problem.bandwidth[s][t] > 0:
                raise ValueError(f"bandwidth from {problem.targets[s]} to {problem.targets[t]} must be positive")
            if s != t and not 0 <= problem.latency[s][t] < math.inf:
                raise ValueError(f"latency from {problem.targets[s]} to {problem.targets[t]} must be finite, >= 0")
    if any(not seconds >= 0 for row in problem.compute for seconds in row):
        raise ValueError("compute times must be >= 0 (math.inf where a target cannot run the op)")
    if problem.op_names is not None and len(problem.op_names) != n_ops:
        raise ValueError("op_names needs one name per op")
    for v, value in enumerate(problem.values):
        if value.producer is not None and not 0 <= value.producer < n_ops:
            raise ValueError(f"value {v}: producer {value.producer} out of range")
        if any(not 0 <= c < n_ops for c in value.consumers):
            raise ValueError(f"value {v}: a consumer is out of range")
    for op, t in problem.pins.items():
        if not 0 <= op < n_ops or not 0 <= t < n_targets:
            raise ValueError(f"pin {op} -> {t} out of range")


# --------------------------------------------------------------------------- exact: MILP


class _Milp:
    """The placement MILP: binary x[op,t] (one per op), continuous transfer indicators, linear costs.

    Where a value's producer is fixed (a graph input, a pin, one finite target),
    a transfer to t is paid on the "needed on t" indicator w[v,t] >= x[c,t] of
    its readers (w is the reader's own x when only one reader can be on t).
    Where the producer varies, each varying reader c gets a coupling z[s,t]
    ("producer on s, reader on t", see `_coupling`) and the transfer s -> t is
    y[v,s,t] >= z_c[s,t] over the readers that can be on t. An x that the op's
    choices fix is a constant, as is "needed on t" for an output on the source
    or a reader fixed on t. Minimisation keeps w, z and y at their lower bounds,
    which for 0/1 x are 0/1, so they need not be integer.
    """

    ONE, ZERO = -1, -2  # constant "columns"

    def __init__(self, graph: _Graph):
        self.graph = graph
        self.n_columns = 0
        self.x: list[dict[int, int]] = []
        self.integral: list[int] = []
        self.latency: list[float] = []
        self.cost: list[float] = []
        self.constant_latency = self.constant_cost = 0.0
        self.rows: list[int] = []  # sparse entries of the ">= lower" rows
        self.columns: list[int] = []
        self.coefficients: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        for op in range(graph.n_ops):
            self._add_op(op)
        for v in range(len(graph.consumers)):
            self._add_value(v)

    def _column(self, integral: bool) -> int:
        self.integral.append(1 if integral else 0)
        self.latency.append(0.0)
        self.cost.append(0.0)
        self.n_columns += 1
        return self.n_columns - 1

    def _row(self, entries: list[tuple[int, float]], lower: float, upper: float = math.inf) -> None:
        row = len(self.lower)
        for column, coefficient in entries:
            self.rows.append(row)
            self.columns.append(column)
            self.coefficients.append(coefficient)
        self.lower.append(lower)
        self.upper.append(upper)

    def _charge(self, column: int, seconds: float, target: int) -> None:
        """Add `seconds` spent on `target` when `column` is 1."""
        if column == self.ZERO:
            return
        dollars = self.graph.rates[target] * seconds
        if column == self.ONE:
            self.constant_latency += seconds
            self.constant_cost += dollars
        else:
            self.latency[column] += seconds
            self.cost[column] += dollars

    def on(self, op: int, t: int) -> int:
        """Column of x[op,t], or ONE/ZERO where the op's choices fix it."""
        columns = self.x[op]
        if t in columns:
            return columns[t]
        return self.ONE if self.graph.allowed[op] == [t] else self.ZERO

    def _add_op(self, op: int) -> None:
        allowed = self.graph.allowed[op]
        if len(allowed) == 1:
            self.x.append({})
            self._charge(self.ONE, self.graph.compute[op][allowed[0]], allowed[0])
            return
        columns = {t: self._column(integral=True) for t in allowed}
        self.x.append(columns)
        for t, column in columns.items():
            self._charge(column, self.graph.compute[op][t], t)
        self._row([(column, 1.0) for column in columns.values()], 1.0, 1.0)

    def _needed(self, v: int, t: int) -> int:
        """Column (or constant) that is 1 when value v is needed on target t."""
        graph = self.graph
        if graph.is_output[v] and t == graph.source:
            return self.ONE
        readers = [self.on(c, t) for c in graph.consumers[v]]
        readers = [column for column in readers if column != self.ZERO]
        if self.ONE in readers:
            return self.ONE
        if len(readers) <= 1:
            return readers[0] if readers else self.ZERO
        needed = self._column(integral=False)
        for reader in readers:
            self._row([(needed, 1.0), (reader, -1.0)], 0.0)
        return needed

    def _add_value(self, v: int) -> None:
        graph = self.graph
        p = graph.producer[v]
        made_on = [graph.source] if p is None else graph.allowed[p]
        times = graph.transfer[v]
        if len(made_on) == 1:
            s = made_on[0]
            for t in range(graph.n_targets):
                if t != s and times[s][t]:
                    self._charge(self._needed(v, t), times[s][t], t)
            return
        varying = [c for c in graph.consumers[v] if len(graph.allowed[c]) > 1]
        couplings = {c: self._coupling(p, c) for c in varying}
        for t in range(graph.n_targets):
            fixed = (graph.is_output[v] and t == graph.source) or any(
                graph.allowed[c] == [t] for c in graph.consumers[v]
            )
            readers = [c for c in varying if t in graph.allowed[c]]
            for s in made_on:
                if s == t or not times[s][t]:
                    continue
                if fixed:
                    self._charge(self.x[p][s], times[s][t], t)
                elif len(readers) == 1:
                    self._charge(couplings[readers[0]][s, t], times[s][t], t)
                elif readers:
                    transfer = self._column(integral=False)
                    for c in readers:
                        self._row([(transfer, 1.0), (couplings[c][s, t], -1.0)], 0.0)
                    self._charge(transfer, times[s][t], t)

    def _coupling(self, p: int, c: int) -> dict[tuple[int, int], int]:
        """z[s,t] = "producer on s and consumer on t", tied to both ops' x by their marginals.

        For 0/1 x the marginals force z to exactly that product; for fractional x
        they keep the LP relaxation far tighter than y >= x[p,s] + x[c,t] - 1.
        """
        producer_on, consumer_on = self.graph.allowed[p], self.graph.allowed[c]
        z = {(s, t): self._column(integral=False) for s in producer_on for t in consumer_on}
        for s in producer_on:
            self._row([(z[s, t], 1.0) for t in consumer_on] + [(self.x[p][s], -1.0)], 0.0, 0.0)
        for t in consumer_on:
            self._row([(z[s, t], 1.0) for s in producer_on] + [(self.x[c][t], -1.0)], 0.0, 0.0)
        return z

    def solve(self, objective: str, sla: float | None, time_limit: float):
        """(assignment or None, scipy milp result); None when no placement was found (or none exists)."""
        coefficients = np.array(self.latency if objective == "latency" else self.cost)
        rows, lower, upper = self.rows, list(self.lower), list(self.upper)
        columns, values = self.columns, self.coefficients
        if sla is not None:
            # Latency row scaled to a right-hand side near 1, so HiGHS's absolute tolerances are relative.
            row = len(lower)
            used = [c for c in range(self.n_columns) if self.latency[c]]
            rows = rows + [row] * len(used)
            columns = columns + used
            values = values + [self.latency[c] / sla for c in used]
            lower.append(-math.inf)
            upper.append((sla - self.constant_latency) / sla)
        if self.n_columns == 0:
            return self._assignment(np.zeros(0)), None
        scale = float(np.abs(coefficients).max(initial=0.0)) or 1.0
        matrix = sparse.csr_array((values, (rows, columns)), shape=(len(lower), self.n_columns))
        constraints = [LinearConstraint(matrix, lower, upper)] if lower else []
        options = {
            "time_limit": time_limit,
            "mip_rel_gap": 1e-10,
            # Passed to HiGHS verbatim (scipy warns that it does not check them).
            "mip_abs_gap": 1e-12,
            "mip_feasibility_tolerance": 1e-9,
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = milp(
                coefficients / scale,
                integrality=np.array(self.integral),
                bounds=Bounds(np.zeros(self.n_columns), np.ones(self.n_columns)),
                constraints=constraints,
                options=options,
            )
        if result.x is None:
            return None, result
        return self._assignment(result.x), result

    def _assignment(self, x: np.ndarray) -> list[int]:
        assignment = []
        for op, columns in enumerate(self.x):
            if columns:
                assignment.append(max(columns, key=lambda t: x[columns[t]]))
            else:
                assignment.append(self.graph.allowed[op][0])
        return assignment


def _solve_exact(graph: _Graph, objective: str, sla: float | None, time_limit: float) -> Solution:
    problem = graph.problem
    model = _Milp(graph)
    constrained = sla if objective == "cost" else None
    assignment, result = model.solve(objective, constrained, time_limit)
    proven = result is None or result.status == 0
    if assignment is None:
        if result.status == 2:  # proven infeasible: only the SLA row can make it so
            best, _ = model.solve("latency", None, time_limit)
            raise SLAError(sla, evaluate(problem, best)[0] if best else math.inf)
        return _solution(problem, _heuristic(graph, objective, sla), "heuristic", False)
    solution = _solution(problem, assignment, "exact", proven)
    if not proven:
        try:
            fallback = _solution(problem, _heuristic(graph, objective, sla), "heuristic", False)
        except SLAError:
            fallback = None
        if fallback is not None and _key(fallback, objective) < _key(solution, objective):
            solution = fallback
    if sla is not None and not meets_sla(solution.latency, sla):
        raise SLAError(sla, solution.latency)
    return solution


def _key(solution: Solution, objective: str) -> float:
    return solution.latency if objective == "latency" else solution.cost


# --------------------------------------------------------------------------- heuristic


def _heuristic(graph: _Graph, objective: str, sla: float | None) -> list[int]:
    """A good placement: minimise the objective; under an SLA, trade cost against latency along a price λ."""
    if graph.n_ops == 0:
        return []
    latency_rates = np.ones(graph.n_targets)
    cost_rates = np.array(graph.rates)
    if objective == "latency" or sla is not None:
        fastest = _minimise(graph, latency_rates)
        fastest_latency = graph.score(fastest, latency_rates)
        if sla is not None and not meets_sla(fastest_latency, sla):
            raise SLAError(sla, fastest_latency)
        if objective == "latency":
            return fastest.tolist()
    cheapest = _minimise(graph, cost_rates)
    if sla is None or meets_sla(graph.score(cheapest, latency_rates), sla):
        return cheapest.tolist()
    return _cheapest_within(graph, sla, fastest, cheapest)


def _cheapest_within(graph: _Graph, sla: float, fastest: np.ndarray, cheapest: np.ndarray) -> list[int]:
    """Cheapest placement found with latency <= sla, knowing `fastest` meets it and `cheapest` does not.

    Minimising cost + λ·latency gives placements on the lower convex hull of
    (latency, cost); bisection on λ finds the two hull placements either side
    of the SLA. The SLA usually falls between them, so the cheapest feasible
    one takes over stretches of the nearest placements over the SLA, then
    single-op moves and pairs of moves (one saving cost, one buying back
    latency) finish.
    """
    rates = np.array(graph.rates)

    def measure(assignment):
        seconds = graph.seconds_on(assignment)
        return seconds.sum(), float(rates @ seconds)

    (fast_latency, fast_cost), (cheap_latency, cheap_cost) = measure(fastest), measure(cheapest)
    slope = max(fast_cost - cheap_cost, 0.0) / (cheap_latency - fast_latency) or rates.max() or 1.0
    low, high = slope * 1e-2, slope * 1e2  # λ in dollars per second of latency
    feasible, feasible_cost, infeasible = fastest, fast_cost, cheapest
    misses = [(cheap_latency, cheapest)]  # placements over the SLA, to take stretches from
    for _ in range(LAMBDA_STEPS):
        price = math.sqrt(low * high)
        weighted = rates + price
        start = min((feasible, infeasible), key=lambda assignment: graph.score(assignment, weighted))
        candidate = _minimise(graph, weighted, starts=[start], polish=False)
        latency, cost = measure(candidate)
        if meets_sla(latency, sla):
            high = price
            if cost < feasible_cost:
                feasible, feasible_cost = candidate, cost
        else:
            low, infeasible = price, candidate
            misses.append((latency, candidate))
    search = _LocalSearch(graph, feasible, rates)
    for _, miss in sorted(misses, key=lambda pair: pair[0])[:RELINK_MISSES]:
        search.relink(miss, sla)
    search.descend(sla)
    while search.exchange(sla):
        search.descend(sla)
    return search.assignment


def _minimise(
    graph: _Graph, rates: np.ndarray, starts: list[np.ndarray] | None = None, polish: bool = True
) -> np.ndarray:
    """Minimise Σ rates[t]·seconds on t: expansions from each start, then single-op moves.

    The default starts are everything on one target (each in turn; an op that
    cannot run there goes where it computes cheapest) and every op where it
    computes cheapest.
    """
    if starts is None:
        weighted = np.where(graph.allowed_mask, graph.compute_array * rates, math.inf)
        cheapest = weighted.argmin(axis=1)
        starts = [np.where(graph.allowed_mask[:, t], t, cheapest) for t in range(graph.n_targets)] + [cheapest]
    best, best_score = None, math.inf
    for start in starts:
        assignment, score = _expansions(graph, start, rates)
        if score < best_score:
            best, best_score = assignment, score
    if polish:
        search = _LocalSearch(graph, best, rates)
        search.descend()
        best = np.array(search.assignment)
    return best


def _expansions(graph: _Graph, assignment: np.ndarray, rates: np.ndarray) -> tuple[np.ndarray, float]:
    """Expansion moves, target by target in turn, until none improves the score."""
    score = graph.score(assignment, rates)
    stale = 0  # expansions in a row that did not improve
    alpha = 0
    while stale < graph.n_targets:
        moved = _expand(graph, assignment, alpha, rates)
        moved_score = graph.score(moved, rates) if moved is not None else math.inf
        stale += 1
        if moved_score < score * (1 - EXPANSION_GAIN):
            assignment, score, stale = moved, moved_score, 1
        alpha = (alpha + 1) % graph.n_targets
    return assignment, score


def _expand(graph: _Graph, assignment: np.ndarray, alpha: int, rates: np.ndarray) -> np.ndarray | None:
    """The best "expansion" of `assignment` to target alpha: each op stays or moves to alpha, by a minimum s-t cut.

    Labels: 0 = stay (source side of the cut), 1 = move to alpha (sink side).
    Each value's transfers become unary and pairwise terms; "some reader
    moved to alpha" and "every reader on β moved" get auxiliary nodes when
    more than one reader is involved. The one term that is not submodular
    (moving the producer to alpha makes the transfer to β cheaper) is
    over-charged, so the cut may miss an improvement but never invents one;
    the caller re-scores the result. None when nothing can move.
    """
    movable = (assignment != alpha) & graph.allowed_mask[:, alpha]
    n_movable = int(movable.sum())
    if not n_movable:
        return None
    cut = _CutBuilder(2 + n_movable)
    node = np.full(graph.n_ops, -1, dtype=np.int64)
    node[movable] = np.arange(2, 2 + n_movable)
    ops = np.flatnonzero(movable)
    cut.unary(node[ops], rates[assignment[ops]] * graph.compute_array[ops, assignment[ops]], 0)
    cut.unary(node[ops], rates[alpha] * graph.compute_array[ops, alpha], 1)

    values = np.arange(graph.n_values)
    has_producer = graph.producer_array >= 0
    made_on = np.where(has_producer, assignment[graph.producer_array], graph.source)
    producer = np.where(has_producer, node[graph.producer_array], -1)
    readers, reader_moves = graph.edge_value, movable[graph.edge_consumer]
    reader_node, reader_on = node[graph.edge_consumer], assignment[graph.edge_consumer]
    fixed = np.zeros((graph.n_values, graph.n_targets), dtype=bool)  # needed there whatever moves
    fixed[readers[~reader_moves], reader_on[~reader_moves]] = True
    fixed[graph.output_array, graph.source] = True
    times = graph.transfer_array

    # To alpha: paid (from made_on) when the value is needed there and its producer stays.
    charge = rates[alpha] * times[values, made_on, alpha]
    certain = (charge > 0) & fixed[:, alpha] & (producer >= 0)
    cut.unary(producer[certain], charge[certain], 0)
    wanted = (charge > 0) & ~fixed[:, alpha]
    someone = cut.group(readers, reader_node, reader_moves & wanted[readers], graph.n_values, at_least=True)
    paid = wanted & (someone >= 0)
    staying = paid & (producer >= 0)  # paid when the producer stays and someone moved
    cut.pairwise(producer[staying], someone[staying], charge[staying])
    fixed_producer = paid & (producer < 0)  # paid when someone moved
    cut.unary(someone[fixed_producer], charge[fixed_producer], 1)

    # To each other target beta: needed unless every reader there moved; the producer pays from where it ends up.
    for beta in range(graph.n_targets):
        if beta == alpha:
            continue
        kept = rates[beta] * times[values, made_on, beta]  # producer stays
        moved = rates[beta] * times[:, alpha, beta]  # producer moves to alpha
        costly = (kept > 0) | ((moved > 0) & (producer >= 0))
        certain = costly & fixed[:, beta] & (producer >= 0)
        cut.unary(producer[certain], kept[certain], 0)
        cut.unary(producer[certain], moved[certain], 1)
        wanted = costly & ~fixed[:, beta]
        members = reader_moves & (reader_on == beta) & wanted[readers]
        everyone = cut.group(readers, reader_node, members, graph.n_values, at_least=False)
        group = wanted & (everyone >= 0)
        # Fixed producer: (1 - everyone)·kept.
        lone = group & (producer < 0)
        cut.unary(everyone[lone], kept[lone], 0)
        # Movable producer: (1 - everyone)·(kept if it stays, moved if it moves), split into submodular terms.
        pair = group & (producer >= 0)
        p, e = producer[pair], everyone[pair]
        cut.unary(p, kept[pair], 0)
        cut.unary(p, moved[pair], 1)
        cut.unary(e, -moved[pair], 1)
        excess = moved[pair] - kept[pair]
        positive = excess > 0  # else not submodular: dropped, over-charging "producer stays, everyone moved"
        cut.pairwise(p[positive], e[positive], excess[positive])

    moves = cut.solve()
    if moves is None:
        return None
    result = assignment.copy()
    result[ops[moves[node[ops]]]] = alpha
    return result


class _CutBuilder:
    """Terms of a binary energy (label 0 = stay, 1 = move), solved as a minimum s-t cut.

    Node 0 is the source terminal (label 0 side), node 1 the sink terminal.
    """

    def __init__(self, n_nodes: int):
        self.n_nodes = n_nodes
        self.unary_parts: list[tuple[np.ndarray, np.ndarray, int]] = []
        self.edge_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def unary(self, nodes: np.ndarray, costs: np.ndarray, label: int) -> None:
        """costs[i] when nodes[i] takes `label`."""
        self.unary_parts.append((nodes, costs, label))

    def pairwise(self, tails: np.ndarray, heads: np.ndarray, costs: np.ndarray) -> None:
        """costs[i] (>= 0) when tails[i] stays and heads[i] moves."""
        self.edge_parts.append((tails, heads, costs))

    def group(self, owners, member_nodes, members, n_owners, at_least: bool) -> np.ndarray:
        """Per owner, a node that is 1 iff some member moved (at_least) or every member did; -1 without members.

        One member stands for itself; more get an auxiliary node tied to them by infinite edges.
        """
        owner_of, member = owners[members], member_nodes[members]
        counts = np.bincount(owner_of, minlength=n_owners)
        result = np.full(n_owners, -1, dtype=np.int64)
        result[owner_of] = member
        shared = counts > 1
        result[shared] = self.n_nodes + np.arange(int(shared.sum()))
        self.n_nodes += int(shared.sum())
        tied = shared[owner_of]
        auxiliary, member = result[owner_of[tied]], member[tied]
        infinite = np.full(len(member), math.inf)
        if at_least:  # never "aux stays while a member moves"
            self.pairwise(auxiliary, member, infinite)
        else:  # never "a member stays while aux moves"
            self.pairwise(member, auxiliary, infinite)
        return result

    def solve(self) -> np.ndarray | None:
        """Per node, True if it moves (sink side of a minimum cut); None when every cost is zero."""
        difference = np.zeros(self.n_nodes)
        for nodes, values, label in self.unary_parts:
            difference += np.bincount(nodes, weights=values if label else -values, minlength=self.n_nodes)
        difference = difference[2:]  # move cost - stay cost
        inner = np.arange(2, self.n_nodes)
        # A node's extra cost of moving is an edge from the source terminal; of staying, an edge to the sink.
        tails = np.concatenate([np.zeros(len(inner), np.int64), inner] + [t for t, _, _ in self.edge_parts])
        heads = np.concatenate([inner, np.ones(len(inner), np.int64)] + [h for _, h, _ in self.edge_parts])
        capacities = np.concatenate(
            [np.maximum(difference, 0), np.maximum(-difference, 0)] + [c for _, _, c in self.edge_parts]
        )
        finite = np.isfinite(capacities)
        total = capacities[finite].sum()
        if not total > 0:
            return None
        # scipy's max flow takes int32 capacities: the finite ones scaled to sum to 1e9, "infinite" above all of them.
        scaled = np.rint(np.where(finite, capacities, 0.0) * (1e9 / total))
        integer = np.where(finite, scaled, 2**31 - 1).astype(np.int32)
        keep = integer > 0
        capacity = sparse.csr_array(
            (integer[keep], (tails[keep], heads[keep])), shape=(self.n_nodes, self.n_nodes), dtype=np.int32
        )
        flow = maximum_flow(capacity, 0, 1).flow
        residual = (capacity - flow).tocsr()
        residual.data[residual.data < 0] = 0
        residual.eliminate_zeros()
        moves = np.ones(self.n_nodes, dtype=bool)
        moves[breadth_first_order(residual, 0, directed=True, return_predecessors=False)] = False
        return moves


class _LocalSearch:
    """A placement with incremental evaluation: a single-op move is scored in O(degree × targets)."""

    def __init__(self, graph: _Graph, assignment: np.ndarray, rates: np.ndarray):
        self.graph = graph
        self.assignment = [int(t) for t in assignment]
        self.compute = np.where(graph.allowed_mask, graph.compute_array * rates, math.inf).tolist()
        self.transfer = (graph.transfer_array * rates).tolist()
        self.made_on = [graph.source if p is None else self.assignment[p] for p in graph.producer]
        self.needers = []  # needers[v][t]: readers of v on t, +1 on the source for an output
        for v, consumers in enumerate(graph.consumers):
            counts = [0] * graph.n_targets
            for c in consumers:
                counts[self.assignment[c]] += 1
            if graph.is_output[v]:
                counts[graph.source] += 1
            self.needers.append(counts)
        seconds = graph.seconds_on(np.asarray(assignment))
        self.latency = float(seconds.sum())
        self.score = float(rates @ seconds)

    def delta(self, op: int, b: int) -> tuple[float, float]:
        """(change in score, change in latency) if `op` moved to target b (!= its target now)."""
        a = self.assignment[op]
        graph = self.graph
        d_score = self.compute[op][b] - self.compute[op][a]
        d_latency = graph.compute[op][b] - graph.compute[op][a]
        for v in graph.outputs[op]:
            weighted, seconds = self.transfer[v], graph.transfer[v]
            for t, count in enumerate(self.needers[v]):
                if count:
                    d_score += weighted[b][t] - weighted[a][t]
                    d_latency += seconds[b][t] - seconds[a][t]
        for v in graph.inputs[op]:
            counts = self.needers[v]
            s = self.made_on[v]
            if counts[a] == 1:
                d_score -= self.transfer[v][s][a]
                d_latency -= graph.transfer[v][s][a]
            if counts[b] == 0:
                d_score += self.transfer[v][s][b]
                d_latency += graph.transfer[v][s][b]
        return d_score, d_latency

    def move(self, op: int, b: int) -> tuple[float, float]:
        """Move `op` to target b; returns (change in score, change in latency)."""
        a = self.assignment[op]
        if a == b:
            return 0.0, 0.0
        d_score, d_latency = self.delta(op, b)
        self.assignment[op] = b
        for v in self.graph.outputs[op]:
            self.made_on[v] = b
        for v in self.graph.inputs[op]:
            self.needers[v][a] -= 1
            self.needers[v][b] += 1
        self.score += d_score
        self.latency += d_latency
        return d_score, d_latency

    def descend(self, sla: float | None = None) -> None:
        """Move single ops while that lowers the score (keeping latency <= sla); revisit a moved op's neighbours."""
        graph = self.graph
        neighbours = graph.neighbours()
        queue = deque(graph.order)
        queued = [True] * graph.n_ops
        while queue:
            op = queue.popleft()
            queued[op] = False
            here = self.assignment[op]
            best = None
            best_delta = -1e-12 * abs(self.score)
            for b in graph.allowed[op]:
                if b == here:
                    continue
                d_score, d_latency = self.delta(op, b)
                if d_score < best_delta and (sla is None or self.latency + d_latency <= sla):
                    best, best_delta = b, d_score
            if best is None:
                continue
            self.move(op, best)
            for other in neighbours[op]:
                if not queued[other]:
                    queued[other] = True
                    queue.append(other)

    def relink(self, target: np.ndarray, sla: float) -> None:
        """Take over stretches of `target`'s placement while that lowers the score and keeps latency <= sla.

        The ops where the two differ, in topological order, are split into
        connected groups; a stretch is up to RELINK_WINDOW consecutive ops of a
        group. The stretch that gains most is taken first, then the next, lazily:
        a start's gain is re-measured when it comes up, as earlier moves change it.
        """
        differ = [op for op in self.graph.order if self.assignment[op] != target[op]]
        for ops in _connected(differ, self.graph.neighbours()):
            heap = []
            for i in range(len(ops)):
                end, gain = self._best_stretch(ops, i, target, sla)
                if end is not None:
                    heap.append((-gain, i))
            heapq.heapify(heap)
            while heap:
                _, i = heapq.heappop(heap)
                end, gain = self._best_stretch(ops, i, target, sla)
                if end is None:
                    continue
                if heap and gain < -heap[0][0]:
                    heapq.heappush(heap, (-gain, i))  # no longer the best: wait for its turn
                    continue
                self._take([(op, target[op]) for op in ops[i:end]])

    def _best_stretch(self, ops: list[int], i: int, target: np.ndarray, sla: float) -> tuple[int | None, float]:
        """(end, gain) of the stretch ops[i:end] whose move to `target` gains most within the SLA; end None if none."""
        best, best_score = None, -1e-12 * abs(self.score)
        total, undo = 0.0, []
        for j in range(i, min(len(ops), i + RELINK_WINDOW)):
            d_score, _, moved = self._take([(ops[j], target[ops[j]])])
            total += d_score
            undo += moved
            if total < best_score and self.latency <= sla:
                best, best_score = j + 1, total
        self._undo(undo)
        return best, -best_score

    def exchange(self, sla: float) -> bool:
        """Pair moves: one that saves score but breaks the SLA, with one elsewhere that buys the latency back for less.

        Deltas are computed once for the round; each pair is applied and kept
        only if it really lowers the score within the SLA. True if any pair was kept.
        """
        graph = self.graph
        moves = []
        for op in range(graph.n_ops):
            for b in graph.allowed[op]:
                if b != self.assignment[op]:
                    moves.append((*self.delta(op, b), op, b))
        helpers = sorted((m for m in moves if m[1] < 0), key=lambda m: m[1])  # most latency saved first
        helper_latency = [m[1] for m in helpers]
        cheapest_helper = []  # cheapest_helper[k]: the helper with the lowest score change among helpers[:k + 1]
        for m in helpers:
            cheapest_helper.append(m if not cheapest_helper or m[0] < cheapest_helper[-1][0] else cheapest_helper[-1])
        kept = False
        for d_score, d_latency, op, b in sorted(m for m in moves if m[0] < 0):
            excess = self.latency + d_latency - sla
            if excess <= 0:
                continue
            k = bisect.bisect_right(helper_latency, -excess)  # helpers[:k] each save at least `excess`
            if k == 0:
                continue
            h_score, _, h_op, h_target = cheapest_helper[k - 1]
            if h_op == op or d_score + h_score >= 0:
                continue
            before = self.score
            undo = self._take([(op, b), (h_op, h_target)])[2]
            if self.score < before - 1e-12 * abs(before) and self.latency <= sla:
                kept = True
            else:
                self._undo(undo)
        return kept

    def _take(self, moves: list[tuple[int, int]]) -> tuple[float, float, list[tuple[int, int]]]:
        """Apply (op, target) moves in order; (change in score, change in latency, moves that undo them)."""
        total_score = total_latency = 0.0
        undo = []
        for op, b in moves:
            undo.append((op, self.assignment[op]))
            d_score, d_latency = self.move(op, int(b))
            total_score += d_score
            total_latency += d_latency
        return total_score, total_latency, undo

    def _undo(self, undo: list[tuple[int, int]]) -> None:
        for op, back in reversed(undo):
            self.move(op, back)


def _connected(ops: list[int], neighbours: list[list[int]]) -> list[list[int]]:
    """Connected groups of `ops` (adjacent through `neighbours`), each in the order of `ops`."""
    position = {op: i for i, op in enumerate(ops)}
    seen = set()
    groups = []
    for op in ops:
        if op in seen:
            continue
        seen.add(op)
        group, frontier = [], [op]
        while frontier:
            current = frontier.pop()
            group.append(current)
            for other in neighbours[current]:
                if other in position and other not in seen:
                    seen.add(other)
                    frontier.append(other)
        groups.append(sorted(group, key=position.__getitem__))
    return groups


# --------------------------------------------------------------------------- random problems


def random_problem(
    n_ops: int,
    n_targets: int,
    seed: int,
    density: float = 0.5,
    inf_fraction: float = 0.05,
    pin_fraction: float = 0.0,
) -> Problem:
    """A random model-like DAG: mostly a chain, each op reading `density` extra earlier values on average.

    Target 0 (the source, a "cpu") runs everything; other targets are 0.05-3×
    as fast per op and cannot run `inf_fraction` of the ops. Transfers are of
    the same order as compute, so placements genuinely trade them off.
    """
    rng = np.random.default_rng(seed)
    n_inputs = max(1, n_ops // 50)
    values = [Value(None, [], int(rng.integers(1_000, 1_000_000))) for _ in range(n_inputs)]
    for op in range(n_ops):
        recent = len(values) - 1
        reads = {recent if rng.random() < 0.85 else int(rng.integers(0, len(values)))}
        for _ in range(rng.poisson(density)):
            back = int(rng.geometric(0.2))  # mostly near: skip connections, not arbitrary ones
            reads.add(max(0, recent - back))
        for v in reads:
            values[v].consumers.append(op)
        values.append(Value(op, [], int(np.exp(rng.uniform(np.log(1e3), np.log(1e7))))))
    for value in values:
        if value.producer is not None and not value.consumers:
            value.is_output = True
    values[-1].is_output = True

    base = np.exp(rng.uniform(np.log(1e-5), np.log(1e-3), n_ops))
    speed = np.exp(rng.uniform(np.log(0.05), np.log(3.0), (n_ops, n_targets)))
    speed[:, 0] = 1.0
    compute = base[:, None] * speed
    unable = rng.random((n_ops, n_targets)) < inf_fraction
    unable[:, 0] = False
    compute[unable] = math.inf

    bandwidth = np.exp(rng.uniform(np.log(1e9), np.log(3e10), (n_targets, n_targets)))
    latency = np.exp(rng.uniform(np.log(5e-6), np.log(1e-4), (n_targets, n_targets)))
    np.fill_diagonal(bandwidth, math.inf)
    np.fill_diagonal(latency, 0.0)
    price = [float(rng.uniform(0.05, 0.5))] + [float(rng.uniform(0.5, 5.0)) for _ in range(n_targets - 1)]

    pins = {}
    for op in np.flatnonzero(rng.random(n_ops) < pin_fraction):
        pins[int(op)] = int(rng.choice(np.flatnonzero(np.isfinite(compute[op]))))
    return Problem(
        targets=["cpu"] + [f"accel{t}" for t in range(1, n_targets)],
        compute=compute.tolist(),
        values=values,
        bandwidth=bandwidth.tolist(),
        latency=latency.tolist(),
        price=price,
        pins=pins,
        op_names=[f"op{op}" for op in range(n_ops)],
    )
