"""Run every benchmark part in this folder, print a table, write bench/results/latest.json.

A part is a module `bench/<part>.py` with `run() -> dict`. Each entry of the dict is a
metric: either a plain value, or {"value", "unit", "goal", "ok"} when the metric has a
goal. `python -m bench rules` runs only the named parts. Exits 1 if a goal was missed.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time

import bench

RESULTS = os.path.join(os.path.dirname(__file__), "results", "latest.json")


def parts(selected: list[str]) -> list[str]:
    found = sorted(
        info.name
        for info in pkgutil.iter_modules(bench.__path__)
        if not info.name.startswith("_") and not info.ispkg
    )
    return [name for name in found if not selected or name in selected]


def rows(part: str, results: dict) -> list[tuple[str, str, str, str, str]]:
    table = []
    for metric, result in results.items():
        if isinstance(result, dict) and "value" in result:
            value = _shown(result["value"])
            unit = result.get("unit", "")
            goal = str(result.get("goal", ""))
            ok = {True: "yes", False: "NO"}.get(result.get("ok"), "")
        else:
            value, unit, goal, ok = _shown(result), "", "", ""
        table.append((part, metric, f"{value} {unit}".strip(), goal, ok))
    return table


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def print_table(table: list[tuple[str, ...]]) -> None:
    header = ("part", "metric", "value", "goal", "met")
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main(argv: list[str]) -> int:
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "parts": {}}
    table = []
    for name in parts(argv):
        print(f"running bench/{name}.py ...", file=sys.stderr, flush=True)
        results = importlib.import_module(f"bench.{name}").run()
        report["parts"][name] = results
        table += rows(name, results)
    print_table(table)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")
    print(f"\nwritten: {os.path.relpath(RESULTS)}")
    return 1 if any(row[4] == "NO" for row in table) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
