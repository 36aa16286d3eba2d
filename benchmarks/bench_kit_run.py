#!/usr/bin/env python3
"""Wall time, requests and peak memory of a default conformance run, against a baseline.

Issue targets for a default run against the embedded reference server: at most 20 s and
400 requests on a 2-core machine. Seconds depend on the machine, so the figure that
travels is the ratio to a baseline measured in the same run: the same command limited to
one requirement (`--requirement MODELS-LIST-001`), which pays for everything a run pays
for before it judges anything (interpreter, imports, pytest, the reference server, the
baseline list). Each run is its own process, as a user would start it; the median of a
few rounds is kept. Results go to benchmarks/results/kit_run.json.

    .venv/bin/python benchmarks/bench_kit_run.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "kit_run.json"
BASELINE = ["--requirement", "MODELS-LIST-001"]


def one_run(extra: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "arouter_conformance", "run", "--json", str(report), *extra],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"run {extra} exited {done.returncode}: {done.stderr[-500:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    return {
        "wall_s": round(wall, 3),
        "in_run_s": data["run"]["duration_s"],
        "requests": data["run"]["requests_sent"],
        "chat_requests": data["run"]["chat_requests_sent"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    one_run(BASELINE)  # warm the file cache: imports and the catalog
    baseline, default = [], []
    for _ in range(args.rounds):
        baseline.append(one_run(BASELINE))
        default.append(one_run([]))
    # ru_maxrss of children is the largest child so far: the default runs dominate.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    median = {
        name: statistics.median(r[name] for r in default)
        for name in ("wall_s", "in_run_s", "requests", "chat_requests")
    }
    base_wall = statistics.median(r["wall_s"] for r in baseline)
    figures = {
        "benchmark": "kit_run",
        "what": "a default `arouter-conformance run` against the embedded reference server",
        "baseline": {
            "description": "the same command with --requirement MODELS-LIST-001 (start-up cost)",
            "wall_s": base_wall,
            "requests": statistics.median(r["requests"] for r in baseline),
        },
        "default_run": {**median, "peak_rss_mb": round(peak_mb, 1)},
        "ratio_wall_to_baseline": round(median["wall_s"] / base_wall, 2),
        "rounds": {"baseline": baseline, "default_run": default},
        "targets": {"wall_s": 20, "requests": 400},
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps({k: figures[k] for k in ("baseline", "default_run", "ratio_wall_to_baseline")})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
