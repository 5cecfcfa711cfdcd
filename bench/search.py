"""Diagnosis search speed (issue 19 goal: at most 3 ms per search).

`find_codes` on what therapists type (words, a level, a code start), CPU time of this process
per search (time.process_time: the bench machine is shared), after one warm-up round; the
index answers from its trigram and letter-digit tables instead of scanning every code.
"""

from __future__ import annotations

import statistics
import time

GOAL_MS = 3.0
ROUNDS = 20
QUERIES = (
    "herniated disc neck",
    "disc herniation c5-c6",
    "neck pain",
    "pinched nerve",
    "whiplash",
    "C6",
    "cervical radic",
    "spondylosis",
    "m50.12",
    "radiculopathy c6",
)


def run() -> dict:
    from dme_service.rules.diagnosis_search import find_codes

    for query in QUERIES:
        find_codes(query)
    per_query = {}
    for query in QUERIES:
        start = time.process_time()
        for _ in range(ROUNDS):
            find_codes(query)
        per_query[query] = (time.process_time() - start) / ROUNDS * 1000
    worst = max(per_query, key=per_query.get)
    median = statistics.median(per_query.values())
    return {
        "diagnosis search, median of the queries, CPU": {
            "value": median,
            "unit": "ms",
            "goal": f"<= {GOAL_MS}",
            "ok": median <= GOAL_MS,
        },
        f"diagnosis search, slowest ({worst!r}), CPU": {
            "value": per_query[worst],
            "unit": "ms",
            "goal": f"<= {GOAL_MS}",
            "ok": per_query[worst] <= GOAL_MS,
        },
    }
