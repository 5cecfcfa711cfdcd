"""`make fuzz-times`' summary: recorded requests grouped per endpoint, judged on CPU time."""

from __future__ import annotations

import json

from bench.fuzz.__main__ import TITLE, p99, passed, read, replace_section, summarise, verdict


def line(wall, cpu, status="200", method="POST", rule="/api/v1/evaluate", child_cpu=0.0):
    return json.dumps(
        {"wall": wall, "cpu": cpu, "child_cpu": child_cpu, "status": status,
         "method": method, "rule": rule, "path": rule}
    )  # fmt: skip


def test_a_requests_cpu_counts_the_render_child_it_waited_for():
    [request] = read([line(3.0, 0.2, child_cpu=0.5), ""])
    assert (request.wall, request.cpu, request.endpoint) == (3.0, 0.7, "POST /api/v1/evaluate")


def test_p99_is_the_nearest_rank():
    assert p99([float(n) for n in range(1, 101)]) == 99.0
    assert p99([5.0]) == 5.0


def test_rows_per_endpoint_slowest_cpu_first():
    requests = read(
        [
            line(0.1, 0.01),
            line(0.2, 0.02),
            line(4.0, 0.3, method="GET", rule="/cases/<int:case_id>", status="503"),
        ]
    )
    slowest, evaluate = summarise(requests)
    assert (slowest.endpoint, slowest.server_errors, slowest.cpu_max) == (
        "GET /cases/<int:case_id>",
        1,
        0.3,
    )
    assert (evaluate.requests, evaluate.wall_max) == (2, 0.2)


def test_the_goal_is_no_5xx_and_no_request_over_2_s_of_cpu():
    slow_on_a_busy_machine = read([line(9.0, 0.5)])
    assert passed(verdict(slow_on_a_busy_machine))
    assert not passed(verdict(read([line(2.5, 2.1)])))
    assert not passed(verdict(read([line(0.1, 0.1, status="500")])))


def test_the_section_is_replaced_and_the_next_one_kept():
    text = f"# Performance\n\n{TITLE}\n\nold figures\n\n## What these runs say\n\nkept\n"
    replaced = replace_section(text, f"{TITLE}\n\nnew figures\n")
    assert "old figures" not in replaced and "new figures" in replaced
    assert replaced.endswith("## What these runs say\n\nkept\n")
    assert replace_section("# Performance\n", f"{TITLE}\n").endswith(f"\n\n{TITLE}\n")
