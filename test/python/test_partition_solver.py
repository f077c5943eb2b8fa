"""The placement solver: exact MILP against brute force, hand-made semantics, heuristic quality and scale."""

from __future__ import annotations

import math
import statistics

import pytest

from gimlet.passes.partition.solver import (
    InfeasibleError,
    Problem,
    SLAError,
    Value,
    brute_force,
    evaluate,
    random_problem,
    solve,
)

MS = 1e-3


def objective_of(solution, objective):
    return solution.latency if objective == "latency" else solution.cost


def assert_close(actual, expected, rel=1e-9):
    assert actual == pytest.approx(expected, rel=rel, abs=0.0)


def two_targets(compute, values, *, bandwidth=1e9, link_latency=0.0, price=(1.0, 1.0), pins=None, names=None):
    """A cpu/gpu problem with a symmetric link."""
    return Problem(
        targets=["cpu", "gpu"],
        compute=compute,
        values=values,
        bandwidth=[[math.inf, bandwidth], [bandwidth, math.inf]],
        latency=[[0.0, link_latency], [link_latency, 0.0]],
        price=list(price),
        pins=pins or {},
        op_names=names,
    )


# --------------------------------------------------------------------------- exact == brute force

SMALL = [(seed, 2, 6 + seed % 7) for seed in range(14)] + [(seed, 3, 5 + seed % 4) for seed in range(14)]


@pytest.mark.parametrize("seed,n_targets,n_ops", SMALL)
def test_exact_matches_brute_force(seed, n_targets, n_ops):
    problem = random_problem(n_ops, n_targets, seed, inf_fraction=0.15, pin_fraction=0.1)
    for objective in ("latency", "cost"):
        exact = solve(problem, objective, method="exact")
        best = brute_force(problem, objective)
        assert exact.method == "exact" and exact.optimal
        assert_close(objective_of(exact, objective), objective_of(best, objective))
        assert (exact.latency, exact.cost) == evaluate(problem, exact.assignment)


@pytest.mark.parametrize("seed,n_targets,n_ops", SMALL)
def test_exact_matches_brute_force_under_sla(seed, n_targets, n_ops):
    problem = random_problem(n_ops, n_targets, seed, inf_fraction=0.15, pin_fraction=0.1)
    fastest = brute_force(problem, "latency").latency
    cheapest_latency = brute_force(problem, "cost").latency
    for fraction in (0.0, 0.25, 0.5, 0.9):
        sla = fastest + fraction * (cheapest_latency - fastest)
        exact = solve(problem, "cost", sla=sla, method="exact")
        best = brute_force(problem, "cost", sla=sla)
        assert_close(exact.cost, best.cost)
        assert exact.latency <= sla * (1 + 1e-7)
    with pytest.raises(SLAError) as raised:
        solve(problem, "cost", sla=fastest * 0.98, method="exact")
    assert_close(raised.value.best_latency, fastest)
    with pytest.raises(SLAError):
        brute_force(problem, "cost", sla=fastest * 0.98)


def test_latency_objective_with_sla_only_checks_it():
    problem = random_problem(8, 2, 3)
    fastest = brute_force(problem, "latency").latency
    assert_close(solve(problem, "latency", sla=fastest * 1.01).latency, fastest)
    with pytest.raises(SLAError) as raised:
        solve(problem, "latency", sla=fastest * 0.5)
    assert_close(raised.value.best_latency, fastest)


def test_sla_error_message():
    error = SLAError(5e-3, 7.31e-3)
    assert str(error) == "no placement meets the 5.000 ms SLA; the best reachable latency is 7.310 ms"
    assert isinstance(error, InfeasibleError)


# --------------------------------------------------------------------------- semantics, by hand


def test_a_value_read_by_three_ops_on_another_target_moves_once():
    # op 0 on the cpu makes 1 MB; ops 1-3, pinned to the gpu, all read it: one transfer of 1 ms + 0.5 ms latency.
    compute = [[1 * MS, 1 * MS]] + [[1 * MS, 1 * MS]] * 3
    values = [Value(0, [1, 2, 3], 1_000_000)]
    problem = two_targets(compute, values, link_latency=0.5 * MS, pins={0: 0, 1: 1, 2: 1, 3: 1})
    latency, _ = evaluate(problem, [0, 1, 1, 1])
    assert_close(latency, 4 * MS + 1.5 * MS)
    assert_close(solve(problem).latency, 5.5 * MS)


def test_graph_inputs_start_on_the_source_and_outputs_return_to_it():
    # input (1 MB) -> op 0 (pinned to the gpu) -> output (2 MB): one transfer in, one back.
    values = [Value(None, [0], 1_000_000), Value(0, [], 2_000_000, is_output=True)]
    problem = two_targets([[5 * MS, 1 * MS]], values, pins={0: 1})
    latency, _ = evaluate(problem, [1])
    assert_close(latency, 1 * MS + 1 * MS + 2 * MS)
    # On the cpu nothing moves.
    assert_close(evaluate(problem, [0])[0], 5 * MS)


def test_an_output_also_read_on_another_target_moves_there_and_not_back():
    # op 0 on the cpu makes an output that op 1 on the gpu reads: one transfer (to the gpu); the output is home already.
    values = [Value(0, [1], 1_000_000, is_output=True)]
    problem = two_targets([[1 * MS, 1 * MS], [1 * MS, 1 * MS]], values)
    assert_close(evaluate(problem, [0, 1])[0], 3 * MS)
    # Made on the gpu and read there: it still returns to the cpu once.
    assert_close(evaluate(problem, [1, 1])[0], 3 * MS)


def test_cost_charges_each_second_at_the_price_of_where_it_runs():
    # 1 s on the cpu ($3.6/h) + a 1 s transfer to the gpu ($36/h) + 2 s on the gpu.
    values = [Value(0, [1], 1_000_000_000)]
    problem = two_targets([[1.0, 9.0], [9.0, 2.0]], values, price=(3.6, 36.0))
    latency, cost = evaluate(problem, [0, 1])
    assert_close(latency, 4.0)
    assert_close(cost, 1.0 * 0.001 + 1.0 * 0.01 + 2.0 * 0.01)


def test_evaluate_is_infinite_where_an_op_cannot_run():
    problem = two_targets([[1 * MS, math.inf]], [])
    assert evaluate(problem, [1]) == (math.inf, math.inf)


# --------------------------------------------------------------------------- behaviour


def chain(link_bandwidth, link_latency):
    """cpu-bound ends, a middle much faster on the gpu; 1 MB between ops."""
    compute = [[1 * MS, 1 * MS]] + [[10 * MS, 1 * MS]] * 4 + [[1 * MS, 1 * MS]]
    values = [Value(None, [0], 1_000_000)]
    values += [Value(op, [op + 1], 1_000_000) for op in range(5)]
    values += [Value(5, [], 1_000_000, is_output=True)]
    return two_targets(compute, values, bandwidth=link_bandwidth, link_latency=link_latency)


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_chain_middle_moves_to_the_fast_target_over_a_fast_link(method):
    solution = solve(chain(10e9, 10e-6), method=method)
    assert solution.assignment[1:5] == [1, 1, 1, 1]
    assert solution.latency < 20 * MS


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_chain_stays_home_over_a_very_slow_link(method):
    solution = solve(chain(10e9, 1.0), method=method)
    assert solution.assignment == [0] * 6
    assert_close(solution.latency, 42 * MS)


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_pins_are_honoured_even_when_worse(method):
    problem = chain(10e9, 10e-6)
    problem.pins = {2: 0}
    solution = solve(problem, method=method)
    assert solution.assignment[2] == 0
    assert solution.latency > solve(chain(10e9, 10e-6), method=method).latency


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_an_op_no_target_can_run_is_infeasible(method):
    values = [Value(0, [1], 1000)]
    problem = two_targets([[1 * MS, 1 * MS], [math.inf, math.inf]], values, names=["matmul_0", "weird_op"])
    with pytest.raises(InfeasibleError, match="'weird_op' cannot run on any target") as raised:
        solve(problem, method=method)
    assert not isinstance(raised.value, SLAError)


def test_a_pin_to_a_target_that_cannot_run_the_op_is_infeasible():
    problem = two_targets([[1 * MS, math.inf]], [], pins={0: 1}, names=["conv"])
    with pytest.raises(InfeasibleError, match="'conv' is pinned to 'gpu', which cannot run it"):
        solve(problem)


def test_ops_avoid_targets_that_cannot_run_them():
    problem = random_problem(200, 3, 5, inf_fraction=0.3)
    for method in ("exact", "heuristic"):
        solution = solve(problem, "cost", method=method)
        assert all(not math.isinf(problem.compute[op][t]) for op, t in enumerate(solution.assignment))


def test_auto_is_exact_when_small_and_heuristic_when_large():
    assert solve(random_problem(50, 2, 0), method="auto").method == "exact"
    assert solve(random_problem(50, 2, 0), method="auto", exact_limit=10).method == "heuristic"


def test_an_exact_solve_stopped_by_its_time_limit_is_not_optimal():
    problem = random_problem(300, 3, 1)
    fastest, cheapest = solve(problem, "latency").latency, solve(problem, "cost").latency
    sla = fastest + 0.2 * (cheapest - fastest)
    solution = solve(problem, "cost", sla=sla, method="exact", time_limit=0.001)
    assert not solution.optimal
    assert solution.latency <= sla * (1 + 1e-7)


def test_bad_arguments():
    problem = random_problem(5, 2, 0)
    with pytest.raises(ValueError, match="unknown objective"):
        solve(problem, "throughput")
    with pytest.raises(ValueError, match="unknown method"):
        solve(problem, method="magic")
    with pytest.raises(ValueError, match="cycle"):
        solve(two_targets([[MS, MS], [MS, MS]], [Value(0, [1], 10), Value(1, [0], 10)]))


# --------------------------------------------------------------------------- heuristic quality and scale


def single_target_best(problem, objective):
    """The best placement that puts every op it can on one target (the rest where they run cheapest)."""
    best = math.inf
    for t in range(len(problem.targets)):
        assignment = []
        for op, row in enumerate(problem.compute):
            if op in problem.pins:
                assignment.append(problem.pins[op])
            elif not math.isinf(row[t]):
                assignment.append(t)
            else:
                assignment.append(min(range(len(row)), key=row.__getitem__))
        latency, cost = evaluate(problem, assignment)
        best = min(best, latency if objective == "latency" else cost)
    return best


@pytest.mark.parametrize("n_targets", [2, 3])
def test_heuristic_never_loses_to_a_single_target(n_targets):
    for seed in range(6):
        problem = random_problem(150, n_targets, seed, pin_fraction=0.05)
        for objective in ("latency", "cost"):
            solution = solve(problem, objective, method="heuristic")
            assert objective_of(solution, objective) <= single_target_best(problem, objective) * (1 + 1e-9)


@pytest.mark.parametrize("n_targets", [2, 3])
def test_heuristic_is_close_to_exact(n_targets):
    gaps = {"latency": [], "cost": [], "sla": []}
    for seed in range(6):
        problem = random_problem(80, n_targets, 100 + seed, pin_fraction=0.02)
        optima = {}
        for objective in ("latency", "cost"):
            exact = optima[objective] = solve(problem, objective, method="exact")
            heuristic = solve(problem, objective, method="heuristic")
            assert exact.optimal
            assert objective_of(heuristic, objective) >= objective_of(exact, objective) * (1 - 1e-9)
            gaps[objective].append(objective_of(heuristic, objective) / objective_of(exact, objective) - 1)
        sla = optima["latency"].latency + 0.3 * (optima["cost"].latency - optima["latency"].latency)
        exact = solve(problem, "cost", sla=sla, method="exact")
        heuristic = solve(problem, "cost", sla=sla, method="heuristic")
        assert heuristic.latency <= sla * (1 + 1e-7)
        gaps["sla"].append(heuristic.cost / exact.cost - 1)
    for objective, values in gaps.items():
        assert statistics.mean(values) <= 0.10, (objective, values)


def test_heuristic_solves_ten_thousand_ops():
    problem = random_problem(10_000, 3, 7, pin_fraction=0.01)
    fastest = solve(problem, "latency")
    cheapest = solve(problem, "cost")
    assert fastest.method == "heuristic" and not fastest.optimal
    sla = (fastest.latency + cheapest.latency) / 2
    within = solve(problem, "cost", sla=sla)
    assert within.latency <= sla * (1 + 1e-7)
    assert cheapest.cost <= within.cost <= fastest.cost
    for solution in (fastest, cheapest, within):
        assert all(solution.assignment[op] == t for op, t in problem.pins.items())
        assert (solution.latency, solution.cost) == evaluate(problem, solution.assignment)
