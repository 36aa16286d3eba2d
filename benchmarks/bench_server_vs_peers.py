#!/usr/bin/env python3
"""The reference server beside its peers under wrk: a typical FastAPI service and nginx.

In one run, on this machine, the same requests go to three servers, each a single process:

- the reference server, started as users start it (`python -m reference_server`),
- the same endpoints written with FastAPI the way a typical team would
  (benchmarks/fastapi_models.py: filter and `json.dumps` per request; same bytes answered),
- nginx serving the reference server's own answers, fetched at start, as static files
  (one worker; no chat).

Each endpoint is measured with `wrk -t1 -c64 -d<seconds>s --latency` for a few rounds, the
servers taking turns within each round so that drift in the machine's speed hits all
alike; the figures are the medians over rounds. Requests carry no Accept-Encoding (identity
answers) except those of the `_gzip` endpoints, which ask for gzip as httpx and the SDKs do
(nginx then serves the reference server's gzip bytes; FastAPI compresses per request with
its middleware). Results, the ratios the issue's targets are stated in, and a
description of the machine go to benchmarks/results/server_vs_peers.json.

    .venv/bin/python benchmarks/bench_server_vs_peers.py [--rounds 3] [--seconds 2]

Needs wrk and nginx (`apt-get install wrk nginx-light`) and FastAPI (the `bench` extra);
whatever is missing is named and its part skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path
from typing import Any

from wrk_harness import (
    CHAT,
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
    gzipped,
    lookup,
    machine,
    missing,
    nginx,
    nginx_version,
    reference_server,
    summarize,
    write_results,
    wrk_arguments,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "server_vs_peers.json"
ENDPOINTS = [
    LIST_ALL,
    gzipped(LIST_ALL),
    FILTERED_SORTED,
    gzipped(FILTERED_SORTED),
    COUNT,
    lookup("openai/gpt-5.4"),
    CHAT,
]
P99_LIMIT_MS = 20.0


class Peer:
    """A running server and where each endpoint lives on it (None: it does not serve it)."""

    def __init__(self, name: str, child: Child, static: bool = False) -> None:
        self.name, self.child, self.static = name, child, static

    def target(self, endpoint: Endpoint) -> str | None:
        if not self.static:
            return endpoint.target
        return None if endpoint.method != "GET" else f"/{endpoint.name}.json"


def start_peers(directory: Path, endpoints: list[Endpoint]) -> tuple[list[Peer], list[str]]:
    """The servers that can run here, the reference server first; and what was skipped."""
    skipped: list[str] = []
    peers = [Peer("reference", reference_server())]
    try:
        if importlib.util.find_spec("fastapi") is None:
            skipped.append(missing("fastapi", "the FastAPI peer") + "; pip install -e .[bench]")
        else:
            command = [sys.executable, str(HERE / "fastapi_models.py")]
            peers.append(Peer("fastapi", Child(command, COUNT)))
        program = find_tool("nginx")
        if program is None:
            skipped.append(missing("nginx", "the nginx peer"))
        else:
            reference = peers[0].child.origin
            files = {
                f"{e.name}.json": answer(reference, e.target, e)
                for e in endpoints
                if e.method == "GET"
            }
            if files:
                peers.append(Peer("nginx", nginx(program, directory / "nginx", files), True))
    except BaseException:
        for peer in peers:
            peer.child.close()
        raise
    return peers, skipped


def answer(origin: str, target: str, endpoint: Endpoint) -> bytes:
    status, body = fetch(origin, target, endpoint)
    if status != 200:
        raise RuntimeError(f"{endpoint.describe()} answered {status} at {origin}")
    return body


def measure(
    peers: list[Peer], endpoints: list[Endpoint], wrk: Wrk, args: argparse.Namespace
) -> dict[str, Any]:
    """Per endpoint: what each server answered (and whether it is the reference's bytes),
    then rounds in which every server takes its turn."""
    results: dict[str, Any] = {}
    for endpoint in endpoints:
        serving = [(p, t) for p in peers if (t := p.target(endpoint)) is not None]
        expected = answer(peers[0].child.origin, endpoint.target, endpoint)
        entry: dict[str, Any] = {"request": endpoint.describe(), "servers": {}}
        runs: dict[str, list[WrkRun]] = {peer.name: [] for peer, _ in serving}
        for peer, target in serving:
            body = answer(peer.child.origin, target, endpoint)  # also builds what is cached
            entry["servers"][peer.name] = {
                "response_bytes": len(body),
                "same_bytes_as_reference": body == expected if endpoint.method == "GET" else None,
            }
            if args.warmup:
                wrk.run(
                    peer.child.origin + target,
                    endpoint,
                    connections=args.connections,
                    seconds=args.warmup,
                )
        for _ in range(args.rounds):
            for peer, target in serving:
                url = peer.child.origin + target
                runs[peer.name].append(
                    wrk.run(url, endpoint, connections=args.connections, seconds=args.seconds)
                )
        for name, measured in runs.items():
            entry["servers"][name].update(summarize(measured))
        entry["ratios"] = ratios(entry["servers"])
        results[endpoint.name] = entry
        print(row(endpoint.name, entry), flush=True)
    return results


def ratios(servers: dict[str, Any]) -> dict[str, float]:
    """Requests per second of the reference server over each peer's."""
    ours = servers["reference"]["requests_per_second"]
    return {
        f"reference_to_{name}": round(ours / figures["requests_per_second"], 2)
        for name, figures in servers.items()
        if name != "reference" and figures["requests_per_second"]
    }


def row(name: str, entry: dict[str, Any]) -> str:
    cells = [
        f"{peer} {f['requests_per_second']:>9,.0f} rps p50 {f['p50_ms']:>7.2f} p99 "
        f"{f['p99_ms']:>7.2f} ms"
        for peer, f in entry["servers"].items()
    ]
    shown = ", ".join(f"{k.removeprefix('reference_to_')} x{v}" for k, v in entry["ratios"].items())
    return f"{name:>16}: " + " | ".join(cells) + (f"  ({shown})" if shown else "")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the figure measured and whether it is met."""
    checks: list[dict[str, Any]] = []

    def sound(endpoint: str, *servers: str) -> bool:
        """A rate counts only when every answer was a success: a server refusing fast
        would look fast."""
        found = results.get(endpoint, {}).get("servers", {})
        return all(found.get(name, {}).get("errors", 0) == 0 for name in servers)

    def ratio(endpoint: str, peer: str, required: float) -> None:
        measured = results.get(endpoint, {}).get("ratios", {}).get(f"reference_to_{peer}")
        if measured is not None:
            checks.append(
                {
                    "target": f"{endpoint}: reference rps >= {required} x {peer}",
                    "measured": measured,
                    "met": measured >= required and sound(endpoint, "reference", peer),
                }
            )

    lists = ("list_all", "list_all_gzip", "filtered_sorted", "filtered_sorted_gzip")
    for endpoint in lists:
        ratio(endpoint, "nginx", 0.5)
    for endpoint in ("count", "lookup"):
        ratio(endpoint, "fastapi", 4.0)
    for endpoint, entry in results.items():
        if not endpoint.startswith("list_all"):  # every endpoint but the full list
            p99 = entry["servers"]["reference"]["p99_ms"]
            checks.append(
                {
                    "target": f"{endpoint}: reference p99 <= {P99_LIMIT_MS} ms",
                    "measured": p99,
                    "met": p99 <= P99_LIMIT_MS,
                }
            )
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = wrk_arguments(
        __doc__.splitlines()[0] if __doc__ else None, ENDPOINTS, RESULTS, seconds=2, connections=64
    )
    parser.add_argument("--warmup", type=int, default=1, help="seconds of wrk before (0: none)")
    args = parser.parse_args(argv)
    measured = chosen(ENDPOINTS, args)
    program = find_tool("wrk")
    if program is None:
        missing("wrk", "the whole benchmark")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as temporary:
        directory = Path(temporary)
        directory.chmod(0o755)  # nginx's workers (nobody, when we are root) read below it
        wrk = Wrk(program, directory)
        nginx_program = find_tool("nginx")
        described = machine(
            wrk=wrk.version(), nginx=nginx_version(nginx_program) if nginx_program else None
        )
        peers, skipped = start_peers(directory, measured)
        try:
            results = measure(peers, measured, wrk, args)
        finally:
            for peer in peers:
                peer.child.close()
    checks = targets(results)
    report = {
        "benchmark": "server_vs_peers",
        "what": "requests per second, p50 and p99 latency under wrk; medians over rounds",
        "settings": {
            "load": f"wrk -t1 -c{args.connections} -d{args.seconds}s --latency",
            "rounds": args.rounds,
            "warmup_seconds": args.warmup,
            "encoding": "identity, except *_gzip endpoints (Accept-Encoding: gzip)",
            "servers": {
                "reference": "python -m reference_server --no-access-log (one process)",
                "fastapi": "benchmarks/fastapi_models.py under uvicorn (one process)",
                "nginx": "static files of the reference server's answers, one worker",
            },
        },
        "machine": described,
        "endpoints": results,
        "targets": checks,
        "skipped": skipped,
    }
    for check in checks:
        print(f"{'met  ' if check['met'] else 'SHORT'} {check['target']}: {check['measured']}")
    write_results(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
