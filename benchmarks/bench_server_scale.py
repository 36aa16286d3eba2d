#!/usr/bin/env python3
"""The reference server at 1,000, 10,000 and 100,000 models: start-up, memory, latency.

For each size, `python -m reference_server --synthetic N` is started as users start it and
measured for:

- start-up: seconds from spawning the process to its first 200 (a count), which includes
  the interpreter, the imports and building the synthetic catalog;
- memory: resident set (VmRSS, and the peak VmHWM) once started, and again after warm-up,
  when every answer measured has been built and cached;
- the first request of each endpoint (which builds and caches its answer), then latency
  under `wrk -t1 -c<connections> --latency` (one connection by default, so latency is
  the time to serve one request), medians over rounds.

The expected shape: count and lookup latency flat in the catalog's size (answers are
cached, lookups are dict hits); list latency linear in the bytes returned. The report fits
p50 = a + b * megabytes over every list measurement to say how linear. Results go to
benchmarks/results/server_scale.json.

    .venv/bin/python benchmarks/bench_server_scale.py [--sizes 1000,10000,100000]

Needs wrk (`apt-get install wrk nginx-light`); without it, it says so and measures nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from wrk_harness import (
    COUNT,
    FILTERED_SORTED,
    LIST_ALL,
    Child,
    Endpoint,
    Wrk,
    WrkRun,
    chosen,
    fetch,
    find_tool,
    lookup,
    machine,
    missing,
    reference_server,
    summarize,
    write_results,
    wrk_arguments,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "server_scale.json"
# Block 0 of every synthetic catalog holds this model, whatever the size.
ENDPOINTS = [COUNT, lookup("openai/synth-0.5"), FILTERED_SORTED, LIST_ALL]
LISTS = {FILTERED_SORTED.name, LIST_ALL.name}


def first_requests(child: Child, endpoints: list[Endpoint]) -> dict[str, dict[str, Any]]:
    """Each endpoint once, timed: the request that builds and caches the answer."""
    firsts: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        started = time.perf_counter()
        status, body = fetch(child.origin, endpoint.target, endpoint)
        if status != 200:
            raise RuntimeError(f"{endpoint.describe()} answered {status}")
        elapsed = time.perf_counter() - started
        firsts[endpoint.name] = {"response_bytes": len(body), "first_request_ms": elapsed * 1000}
    return firsts


def measure_size(
    size: int, endpoints: list[Endpoint], wrk: Wrk, args: argparse.Namespace
) -> dict[str, Any]:
    child = reference_server("--synthetic", str(size))
    try:
        started = child.memory_mib()
        entries = first_requests(child, endpoints)
        warm = child.memory_mib()
        runs: dict[str, list[WrkRun]] = {e.name: [] for e in endpoints}
        for _ in range(args.rounds):
            for endpoint in endpoints:
                url = child.origin + endpoint.target
                runs[endpoint.name].append(
                    wrk.run(url, endpoint, connections=args.connections, seconds=args.seconds)
                )
    finally:
        child.close()
    for endpoint in endpoints:
        entry = entries[endpoint.name]
        entry["first_request_ms"] = round(entry["first_request_ms"], 1)
        entry.update(request=endpoint.describe(), **summarize(runs[endpoint.name]))
    result = {
        "models": size,
        "startup_seconds": round(child.startup_seconds, 2),
        "memory_started": started,
        "memory_warm": warm,
        "endpoints": entries,
    }
    print(
        f"{size:>7} models: start-up {result['startup_seconds']} s, "
        f"{warm['resident_mib']} MiB warm; "
        + ", ".join(f"{n} p50 {e['p50_ms']} ms" for n, e in entries.items()),
        flush=True,
    )
    return result


def linear_fit(sizes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Least squares p50_ms = intercept + slope * MB over every list measurement."""
    points = [
        (entry["response_bytes"] / 1e6, entry["p50_ms"])
        for size in sizes
        for name, entry in size["endpoints"].items()
        if name in LISTS
    ]
    if len({x for x, _ in points}) < 2:
        return None
    xs, ys = zip(*points, strict=True)
    slope, intercept = statistics.linear_regression(xs, ys)
    mean = statistics.fmean(ys)
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in points)
    total = sum((y - mean) ** 2 for y in ys)
    return {
        "model": "p50_ms = intercept_ms + ms_per_megabyte * megabytes returned",
        "ms_per_megabyte": round(slope, 3),
        "intercept_ms": round(intercept, 3),
        "r_squared": round(1 - residual / total, 4) if total else None,
        "points": len(points),
    }


def flatness(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    """p50 at the largest size over p50 at the smallest, for the endpoints meant to be flat."""
    first, last = sizes[0]["endpoints"], sizes[-1]["endpoints"]
    return {
        name: round(last[name]["p50_ms"] / first[name]["p50_ms"], 2)
        for name in ("count", "lookup")
        if name in first and first[name]["p50_ms"]
    }


def main(argv: list[str] | None = None) -> int:
    parser = wrk_arguments(
        __doc__.splitlines()[0] if __doc__ else None, ENDPOINTS, RESULTS, seconds=1, connections=1
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="catalog sizes, in models")
    args = parser.parse_args(argv)
    program = find_tool("wrk")
    if program is None:
        missing("wrk", "the whole benchmark")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as directory:
        wrk = Wrk(program, Path(directory))
        described = machine(wrk=wrk.version())
        measured = chosen(ENDPOINTS, args)
        sizes = [measure_size(int(n), measured, wrk, args) for n in args.sizes.split(",")]
    report = {
        "benchmark": "server_scale",
        "what": "the reference server with synthetic catalogs: start-up, memory, latency",
        "settings": {
            "load": f"wrk -t1 -c{args.connections} -d{args.seconds}s --latency",
            "rounds": args.rounds,
            "encoding": "identity (no Accept-Encoding)",
            "server": "python -m reference_server --synthetic N --no-access-log",
        },
        "machine": described,
        "sizes": sizes,
        "list_latency_fit": linear_fit(sizes),
        "flat_endpoints_p50_ratio_largest_to_smallest": flatness(sizes),
    }
    write_results(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
