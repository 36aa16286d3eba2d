#!/usr/bin/env python3
"""Requests per second of the reference server over real HTTP, as ratios to a baseline.

Absolute figures depend on the machine; ratios to a baseline measured in the same run do
not (much). The baseline is a trivial raw ASGI app that answers every request with a fixed
two-byte JSON body, served by the same uvicorn with the same settings, so a ratio says how
much of uvicorn's per-request budget the reference server's own work costs.

Each server runs in a child process (so the load generator does not share its GIL) and
is driven by an asyncio client in this process over keep-alive connections, with
hand-written HTTP/1.1 so that the client costs little next to the server. Every scenario
is warmed up first (which also fills the server's body cache), then each scenario is
measured right after the baseline, for a few rounds, and each ratio is the median of its
rounds. Results go to benchmarks/results/reference_server.json.

    .venv/bin/python benchmarks/bench_reference_server.py [--rounds 3] [--seconds 0.75]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from reference_server import DEMO_KEY

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "reference_server.json"
CHAT_BODY = json.dumps(
    {
        "model": "openai/gpt-5.4",
        "messages": [{"role": "user", "content": "Summarise the rivers of Europe briefly."}],
        "max_tokens": 64,
    }
).encode()


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    target: str
    body: bytes = b""
    encoding: str = "identity"

    def request(self) -> bytes:
        lines = [
            f"{self.method} {self.target} HTTP/1.1",
            "Host: bench",
            f"Authorization: Bearer {DEMO_KEY}",
            f"Accept-Encoding: {self.encoding}",
        ]
        if self.body:
            lines += ["Content-Type: application/json", f"Content-Length: {len(self.body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


BASELINE = Scenario("baseline", "GET", "/")
SCENARIOS = [
    Scenario("list_all", "GET", "/v1/models?output_modalities=all"),
    Scenario("list_all_gzip", "GET", "/v1/models?output_modalities=all", encoding="gzip"),
    Scenario(
        "filtered_sorted",
        "GET",
        "/v1/models?output_modalities=text,image&supported_parameters=tools&sort=pricing-low-to-high",
        encoding="gzip",
    ),
    Scenario(
        "filtered_page",
        "GET",
        "/v1/models?input_modalities=image&max_price=5&q=a&offset=50&limit=50",
        encoding="gzip",
    ),
    Scenario("count", "GET", "/v1/models/count?output_modalities=all"),
    Scenario("lookup", "GET", "/v1/model/openai/gpt-5.4"),
    Scenario("endpoints", "GET", "/api/v1/models/openai/gpt-5.4-20260305/endpoints"),
    Scenario("chat", "POST", "/v1/chat/completions", CHAT_BODY),
]


# --- the servers (child processes) -----------------------------------------------------------


async def baseline_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The least an ASGI app can do: a fixed small JSON answer, lifespan acknowledged."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{}"})


def serve_child(kind: str) -> int:
    """Serve one app until the parent closes our stdin; announce the origin on stdout."""
    from reference_server import create_app, serve_in_thread

    app = baseline_app if kind == "baseline" else create_app()
    with serve_in_thread(app) as origin:
        print(origin, flush=True)
        sys.stdin.read()
    return 0


class Child:
    """A server process; `ready()` waits for the origin it announces."""

    def __init__(self, kind: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.host, self.port = "", 0

    def ready(self) -> None:
        assert self.process.stdout is not None
        origin = self.process.stdout.readline().strip()
        host, _, port = origin.removeprefix("http://").rpartition(":")
        self.host, self.port = host, int(port)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


# --- the load generator ----------------------------------------------------------------------


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """One request on a keep-alive connection; the number of body bytes received."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = head[9:12]
    if status != b"200":
        raise RuntimeError(f"unexpected status {status.decode()}: {head[:200]!r}")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return length


async def drive(
    host: str, port: int, scenario: Scenario, seconds: float, connections: int
) -> tuple[int, list[float], int]:
    """Requests completed, their latencies, and the body size, over `seconds`."""
    request = scenario.request()
    latencies: list[float] = []
    size = 0

    async def worker(deadline: float) -> None:
        nonlocal size
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while (start := time.perf_counter()) < deadline:
                size = await exchange(reader, writer, request)
                latencies.append(time.perf_counter() - start)
        finally:
            writer.close()
            await writer.wait_closed()

    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(worker(deadline) for _ in range(connections)))
    return len(latencies), latencies, size


@dataclass(frozen=True)
class Sample:
    requests: int
    elapsed: float
    latencies: list[float]
    size: int

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed


def sample(child: Child, scenario: Scenario, seconds: float, connections: int) -> Sample:
    started = time.perf_counter()
    count, latencies, size = asyncio.run(
        drive(child.host, child.port, scenario, seconds, connections)
    )
    return Sample(count, time.perf_counter() - started, latencies, size)


def pooled(samples: list[Sample]) -> dict[str, Any]:
    latencies = sorted(latency for s in samples for latency in s.latencies)
    return {
        "requests_per_second": round(
            sum(s.requests for s in samples) / sum(s.elapsed for s in samples), 1
        ),
        "median_latency_ms": round(statistics.median(latencies) * 1000, 3),
        "p95_latency_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 3),
        "response_bytes": samples[-1].size,
    }


def run(seconds: float, warmup: float, connections: int, rounds: int) -> dict[str, Any]:
    """Each scenario is measured right after its own baseline, round after round, so that
    drift in the machine's speed (other load, frequency scaling) hits both sides of each
    ratio alike; the ratio reported is the median over rounds."""
    baseline, reference = Child("baseline"), Child("reference")
    base_samples: list[Sample] = []
    samples: dict[str, list[Sample]] = {s.name: [] for s in SCENARIOS}
    ratios: dict[str, list[float]] = {s.name: [] for s in SCENARIOS}
    try:
        for child in (baseline, reference):
            child.ready()  # both started at once: their start-ups overlap
        sample(baseline, BASELINE, warmup, connections)
        for scenario in SCENARIOS:
            sample(reference, scenario, warmup, connections)  # also fills the body cache
        for _ in range(rounds):
            for scenario in SCENARIOS:
                base = sample(baseline, BASELINE, seconds, connections)
                measured = sample(reference, scenario, seconds, connections)
                base_samples.append(base)
                samples[scenario.name].append(measured)
                ratios[scenario.name].append(measured.rate / base.rate)
    finally:
        for child in (baseline, reference):
            child.close()
    scenarios = {
        scenario.name: {
            "request": f"{scenario.method} {scenario.target}",
            "accept_encoding": scenario.encoding,
            "ratio_to_baseline": round(statistics.median(ratios[scenario.name]), 3),
            "ratios_per_round": [round(r, 3) for r in ratios[scenario.name]],
            **pooled(samples[scenario.name]),
        }
        for scenario in SCENARIOS
    }
    for name, entry in scenarios.items():
        print(f"{name:>16}: {entry['ratio_to_baseline']} x baseline")
    return {
        "benchmark": "reference_server",
        "what": "requests per second over real HTTP, as ratios to the baseline of the same run",
        "baseline": {
            "description": "trivial raw ASGI app answering a fixed 2-byte JSON body, same uvicorn",
            "request": f"{BASELINE.method} {BASELINE.target}",
            **pooled(base_samples),
        },
        "scenarios": scenarios,
        "settings": {
            "seconds_per_measurement": seconds,
            "rounds": rounds,
            "warmup_seconds": warmup,
            "connections": connections,
        },
        "environment": {
            "python": platform.python_version(),
            "uvicorn": version("uvicorn"),
            "machine": platform.machine(),
            "system": platform.system(),
            "cpus": os.cpu_count(),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=0.75, help="time of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario")
    parser.add_argument("--warmup", type=float, default=0.5, help="warm-up time per scenario")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--serve", choices=["baseline", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve_child(args.serve)
    results = run(args.seconds, args.warmup, args.connections, args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
