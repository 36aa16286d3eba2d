#!/usr/bin/env python3
"""The kit's own costs, each measured beside its baseline in the same run.

- start-up: a run limited to MODELS-LIST-001 against the embedded server, which pays for
  everything a run pays before it judges (interpreter, imports, pytest, the server, the
  list of all models);
- a default run against the embedded server;
- the kit against the reference server serving synthetic catalogs of 550, 3,000 and
  10,000 models (wall time, requests, peak memory), and beside it `schemathesis run
  spec/openapi.yaml` against the same server, the tool a user would reach for otherwise;
- the kit against the reference server 200 ms away (`far_target.py`): one request at a
  time, and the default for a target on another machine (`--concurrency 6`), with the
  check that both give the same verdicts.

Every run is its own process, started as a user starts it; its peak memory is its own
(wait4). Results go to benchmarks/results/kit.json with the machine's description.

    .venv/bin/python benchmarks/bench_kit.py [--rounds 3] [--quick] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from wrk_harness import COUNT, Child, machine, reference_server

from arouter_conformance.config import DEFAULT_CONCURRENCY
from reference_server import DEMO_KEY

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "kit.json"
STARTUP = ["--requirement", "MODELS-LIST-001"]
# The default for a target on another machine; the far target is on loopback, so it is named.
REMOTE_DEFAULT = DEFAULT_CONCURRENCY
# Issue 12's targets for the kit: each at most this much, and what it says.
TARGETS = {
    "startup_s": (2.0, "start-up at most 2 s"),
    "embedded_default_s": (10.0, "a default run against the embedded server at most 10 s"),
    "catalog_3000_wall_s": (20.0, "3,000 models at most 20 s"),
    "catalog_3000_peak_mb": (400.0, "3,000 models at most 400 MB"),
    "catalog_10000_over_3000": (3.5, "10,000 models at most 3.5 x 3,000 (wall and memory)"),
    "far_default_s": (20.0, "200 ms away, a default run at most 20 s"),
    "kit_over_schemathesis": (1 / 3, "at most 1/3 of schemathesis's wall (3,000 models)"),
}


def measured(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """The finished process, its wall time and its own peak resident memory in MB."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out, stderr=err, text=True, cwd=tempfile.gettempdir()
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    return done, wall, usage.ru_maxrss / 1024


def kit(*options: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        done, wall, peak = measured(
            [sys.executable, "-m", "arouter_conformance", "run", "--json", str(report), *options]
        )
        if not report.exists():
            raise SystemExit(f"run {list(options)} exited {done.returncode}: {done.stderr[-800:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    return {
        "wall_s": round(wall, 3),
        "in_run_s": data["run"]["duration_s"],
        "requests": data["run"]["requests_sent"],
        "chat_requests": data["run"]["chat_requests_sent"],
        "peak_rss_mb": round(peak, 1),
        "exit_code": done.returncode,
        "verdicts": {r["id"]: [r["status"], r["findings_total"]] for r in data["requirements"]},
    }


def schemathesis(url: str) -> dict[str, Any]:
    """`schemathesis run` with its defaults (every phase it has, its default checks)."""
    program = Path(sys.executable).with_name("schemathesis")
    done, wall, peak = measured(
        [
            str(program),
            "run",
            str(ROOT / "spec" / "openapi.yaml"),
            "--url",
            url,
            "-H",
            f"Authorization: Bearer {DEMO_KEY}",
            "--no-color",
        ]
    )
    cases = re.search(r"(\d+) generated", done.stdout)
    return {
        "wall_s": round(wall, 3),
        "test_cases": int(cases.group(1)) if cases else None,
        "peak_rss_mb": round(peak, 1),
        "exit_code": done.returncode,
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("wall_s", "in_run_s", "requests", "chat_requests", "peak_rss_mb")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def brief(run: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in run.items() if key != "verdicts"}


def against(child: Child, *options: str) -> dict[str, Any]:
    return kit("--target-url", f"{child.origin}/v1", "--api-key", DEMO_KEY, *options)


def catalogs(sizes: list[int]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for size in sizes:
        server = reference_server("--synthetic", str(size))
        try:
            run = against(server)
            baseline = schemathesis(f"{server.origin}/v1")
        finally:
            server.close()
        figures[str(size)] = {
            "kit": brief(run),
            "schemathesis": baseline,
            "kit_over_schemathesis": round(run["wall_s"] / baseline["wall_s"], 2),
        }
        print(f"catalog {size}: kit {brief(run)}; schemathesis {baseline}", flush=True)
    return figures


def far(delay: float) -> dict[str, Any]:
    command = [sys.executable, str(HERE / "far_target.py"), "--delay", str(delay)]
    server = Child(command, COUNT)
    try:
        alone = against(server, "--concurrency", "1")
        together = against(server, "--concurrency", str(REMOTE_DEFAULT))
    finally:
        server.close()
    figures = {
        "delay_s": delay,
        "one_at_a_time": brief(alone),
        f"concurrency_{REMOTE_DEFAULT}": brief(together),
        "speed_up": round(alone["wall_s"] / together["wall_s"], 2),
        "same_verdicts": alone["verdicts"] == together["verdicts"]
        and alone["requests"] == together["requests"],
    }
    print(f"far target: {figures}", flush=True)
    return figures


def verdict(figures: dict[str, Any]) -> dict[str, Any]:
    """Each target of issue 12 beside what was measured."""
    checks: dict[str, float] = {
        "startup_s": figures["startup"]["wall_s"],
        "embedded_default_s": figures["embedded_default"]["wall_s"],
    }
    sizes = figures["catalogs"]
    if "3000" in sizes:
        checks["catalog_3000_wall_s"] = sizes["3000"]["kit"]["wall_s"]
        checks["catalog_3000_peak_mb"] = sizes["3000"]["kit"]["peak_rss_mb"]
        if "10000" in sizes:
            big, base = sizes["10000"]["kit"], sizes["3000"]["kit"]
            worst = max(big["wall_s"] / base["wall_s"], big["peak_rss_mb"] / base["peak_rss_mb"])
            checks["catalog_10000_over_3000"] = round(worst, 2)
        checks["kit_over_schemathesis"] = sizes["3000"]["kit_over_schemathesis"]
    if figures.get("far"):
        checks["far_default_s"] = figures["far"][f"concurrency_{REMOTE_DEFAULT}"]["wall_s"]
    return {
        name: {
            "what": TARGETS[name][1],
            "measured": value,
            "target": round(TARGETS[name][0], 3),
            "met": value <= TARGETS[name][0],
        }
        for name, value in checks.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="one round, small catalogs, a short delay (tests)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    kit(*STARTUP)  # warm the file cache: imports, the catalog
    startup = [kit(*STARTUP) for _ in range(rounds)]
    embedded = [kit() for _ in range(rounds)]
    figures: dict[str, Any] = {
        "benchmark": "kit",
        "startup": {**median_of(startup), "rounds": [brief(r) for r in startup]},
        "embedded_default": {**median_of(embedded), "rounds": [brief(r) for r in embedded]},
    }
    print(
        f"start-up {figures['startup']['wall_s']} s; default run "
        f"{figures['embedded_default']['wall_s']} s",
        flush=True,
    )
    figures["catalogs"] = catalogs([100] if args.quick else [550, 3000, 10000])
    figures["far"] = far(0.02 if args.quick else 0.2)
    figures["targets"] = verdict(figures)
    figures["machine"] = machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures["targets"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
