#!/usr/bin/env python3
"""The kit at its default settings against each broken or hostile target of the tests.

tests/test_hostile_targets.py shows each behaviour with short timeouts; this script runs
`arouter-conformance run` as a user would (default timeout, budgets, concurrency) against
each target (`tests/hostile.py`) and records what the issue bounds: the exit code (1 or
2), the one-line reason, no traceback, the wall time (at most 2 minutes), the peak memory
(at most 400 MB), and that the key and the secret header appear in no output (stdout,
stderr, the JSON, HTML and HAR reports). Results go to benchmarks/results/hostile.json.

    .venv/bin/python benchmarks/hostile_targets.py [--case NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the tests' targets live beside the kit

from wrk_harness import machine  # noqa: E402

import reference_server  # noqa: E402
from tests import hostile  # noqa: E402
from tests.targets import live  # noqa: E402

RESULTS = HERE / "results" / "hostile.json"
SECRET = "secret-header-value-0123456789"  # noqa: S105 - a marker to look for
WALL_LIMIT_S, MEMORY_LIMIT_MB = 120.0, 400.0


def _bodies() -> dict[str, bytes]:
    listing = json.dumps(list(reference_server.Catalog.default().models[:3])).encode()
    return {
        "invalid-utf-8": b'{"data": [\xff\xfe]}',
        "nested-100000-deep": b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "a-100000-digit-number": b'{"data": [' + b"7" * 100_000 + b"]}",
        "duplicate-keys": b'{"data": [], "data": ' + listing + b"}",
    }


@contextlib.contextmanager
def _elsewhere() -> Iterator[tuple[Any, hostile.Recorder]]:
    recorder = hostile.Recorder()
    with reference_server.serve_in_thread(recorder) as origin:
        yield hostile.Redirecting(307, origin), recorder


@contextlib.contextmanager
def _plain(app: Any) -> Iterator[tuple[Any, None]]:
    yield app, None


Case = Callable[[], contextlib.AbstractContextManager[tuple[Any, Any]]]


def _serving(body: bytes) -> Case:
    return lambda: _plain(hostile.Serving(body))


CASES: dict[str, Case] = {
    "rate-limited-for-an-hour": lambda: _plain(hostile.RateLimiting(free=3)),
    "rate-limited-chat": lambda: _plain(hostile.RateLimiting(chat_only=True)),
    "stream-that-never-ends": lambda: _plain(hostile.EndlessStreams()),
    "redirect-to-another-origin": _elsewhere,
    "a-different-catalog-every-time": lambda: _plain(hostile.Shifting()),
    **{name: _serving(body) for name, body in _bodies().items()},
}


def _peak_mb(process: subprocess.Popen[str]) -> float:
    """The process's own peak resident memory (VmHWM), read until it exits. Not wait4's
    figure: after exec Linux counts the parent's memory at the fork in it, and the targets
    run in this process."""
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        with contextlib.suppress(OSError):
            for line in status.read_text(encoding="utf-8").splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        time.sleep(0.05)
    return peak / 1024


def run_case(name: str, directory: Path) -> dict[str, Any]:
    with CASES[name]() as (app, recorder), live(app, directory) as target:
        reports = {kind: directory / f"report.{kind}" for kind in ("json", "html", "har")}
        command = [
            sys.executable,
            "-m",
            "arouter_conformance",
            "run",
            "--manifest",
            str(target.manifest),
            "--header",
            f"X-Gateway-Token: {SECRET}",
            *(f"--{kind}={path}" for kind, path in reports.items()),
        ]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            started = time.perf_counter()
            process = subprocess.Popen(
                command, stdout=out, stderr=err, text=True, env={**os.environ, **target.env}
            )
            peak = _peak_mb(process)
            wall = time.perf_counter() - started
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
    outputs = (
        stdout
        + stderr
        + "".join(
            path.read_text(encoding="utf-8", errors="replace")
            for path in reports.values()
            if path.exists()
        )
    )
    secrets = [*target.env.values(), SECRET]
    code = process.returncode
    said = [line for line in (stderr or stdout).splitlines() if line.strip()]
    lines = [line for line in said if not line.startswith("reports: ")]
    figures = {
        "exit_code": code,
        "reason": lines[-1][:300] if lines else "",
        "traceback": "Traceback (most recent call last)" in stdout + stderr,
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak, 1),
        "secret_in_output": any(secret and secret in outputs for secret in secrets),
        "reached_another_origin": bool(recorder.seen) if recorder is not None else None,
    }
    figures["within_bounds"] = (
        code in (1, 2)
        and not figures["traceback"]
        and wall <= WALL_LIMIT_S
        and peak <= MEMORY_LIMIT_MB
        and not figures["secret_in_output"]
        and not figures["reached_another_origin"]
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="run only these")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = {}
    for name in args.case or CASES:
        with tempfile.TemporaryDirectory() as directory:
            results[name] = run_case(name, Path(directory))
        print(f"{name}: {results[name]}", flush=True)
    report = {
        "benchmark": "hostile_targets",
        "what": "the kit at default settings against each hostile target of tests/hostile.py",
        "bounds": {"wall_s": WALL_LIMIT_S, "peak_rss_mb": MEMORY_LIMIT_MB, "exit": [1, 2]},
        "cases": results,
        "all_within_bounds": all(r["within_bounds"] for r in results.values()),
        "machine": machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if report["all_within_bounds"] else 1


if __name__ == "__main__":
    sys.exit(main())
