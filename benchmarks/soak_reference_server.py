#!/usr/bin/env python3
"""A soak: a minute of wrk over a mix of requests against one reference server process.

`python -m reference_server --no-access-log` runs in a child process; wrk (one thread, 64
connections by default) sends, round-robin, a weighted mix of the requests a gateway's
clients make: the full list and the filtered, sorted list (gzip, as httpx and the SDKs ask),
count, lookup, a chat completion and a streamed one. A Lua script counts the answers by
status. The server's resident memory (VmRSS, /proc) is read after a warm-up run of the same
mix, which fills its caches, and again at the end.

Targets: no socket error, no 5xx, resident memory growth at most 10 % over the run. Figures
(requests, rps, p50/p99 over the mix, statuses, socket errors, memory) go to
benchmarks/results/soak.json with the machine's description.

    .venv/bin/python benchmarks/soak_reference_server.py [--seconds 60] [--connections 64]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wrk_harness import (
    CHAT,
    COUNT,
    FILTERED_SORTED,
    INSTALL,
    LIST_ALL,
    Child,
    Endpoint,
    Wrk,
    find_tool,
    gzipped,
    lookup,
    machine,
    non_2xx,
    parse_wrk,
    reference_server,
    socket_errors,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "soak.json"
MAX_GROWTH = 10.0  # percent
STREAM = Endpoint(
    "chat_stream", "POST", "/v1/chat/completions", CHAT.body[:-1] + b',"stream":true}'
)


@dataclass(frozen=True)
class Share:
    endpoint: Endpoint
    weight: int  # requests of this kind in each round of the mix


MIX = (
    Share(gzipped(LIST_ALL), 1),
    Share(gzipped(FILTERED_SORTED), 1),
    Share(COUNT, 3),
    Share(lookup("openai/gpt-5.4"), 3),
    Share(CHAT, 2),
    Share(STREAM, 2),
)

# The mix, one round interleaved, then: requests in turn, answers counted by status. The
# counts live in each wrk thread's own Lua state; done() gathers them from every thread.
LUA = """\
local mix = {%(requests)s}
local threads = {}
statuses = {}
local next_one = 0

function setup(thread)
  table.insert(threads, thread)
end

function request()
  next_one = next_one %% #mix + 1
  return mix[next_one]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("status %%d %%d\\n", status, count))
    end
  end
end
"""


def lua_request(endpoint: Endpoint) -> str:
    body = endpoint.body.decode()
    if "]]" in body:
        raise ValueError("the body cannot go in a Lua long string")
    headers = ", ".join(f'["{k}"] = "{v}"' for k, v in endpoint.headers().items())
    text = f"[[{body}]]" if body else "nil"
    return f'wrk.format("{endpoint.method}", "{endpoint.target}", {{{headers}}}, {text})'


def interleaved(mix: Sequence[Share]) -> list[Endpoint]:
    """One round of the mix, each kind spread over the round rather than bunched."""
    slots = [(i / share.weight, share.endpoint) for share in mix for i in range(share.weight)]
    return [endpoint for _, endpoint in sorted(slots, key=lambda slot: slot[0])]


def soak(wrk: str, server: Child, *, seconds: int, warmup: int, connections: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "mix.lua"
        requests = ",\n  ".join(lua_request(e) for e in interleaved(MIX))
        script.write_text(LUA % {"requests": requests}, encoding="utf-8")
        command = [wrk, "-t1", f"-c{connections}", "--latency", "--timeout", "10s"]
        command += ["-s", str(script)]

        def run(duration: int) -> str:
            done = subprocess.run(
                [*command, f"-d{duration}s", server.origin],
                capture_output=True,
                text=True,
                check=False,
                timeout=duration + 60,
            )
            if done.returncode != 0:
                raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
            return done.stdout

        run(warmup)  # fills the server's caches: growth after this is what a soak looks for
        start = server.memory_mib()
        output = run(seconds)
        end = server.memory_mib()
    return figures(output, start, end)


def figures(output: str, start: dict[str, float], end: dict[str, float]) -> dict[str, Any]:
    measured = parse_wrk(output)
    statuses: dict[str, int] = {}
    for line in output.splitlines():
        if line.startswith("status "):
            _, status, count = line.split()
            statuses[status] = statuses.get(status, 0) + int(count)
    growth = round((end["resident_mib"] / start["resident_mib"] - 1) * 100, 2)
    errors = socket_errors(output)
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
    return {
        "requests": measured.requests,
        "requests_per_second": measured.requests_per_second,
        "p50_ms": measured.p50_ms,
        "p99_ms": measured.p99_ms,
        "statuses": dict(sorted(statuses.items())),
        "non_2xx": non_2xx(output),
        "server_errors_5xx": server_errors,
        "socket_errors": errors,
        "memory_mib": {"start": start, "end": end, "growth_percent": growth},
        "targets": [
            target("no socket errors", sum(errors.values()), 0),
            target("no 5xx answers", server_errors, 0),
            target(f"resident memory growth <= {MAX_GROWTH:g} %", growth, MAX_GROWTH),
        ],
    }


def target(what: str, measured: float, at_most: float) -> dict[str, Any]:
    return {"what": what, "measured": measured, "target": at_most, "met": measured <= at_most}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--warmup", type=int, default=5, help="seconds of the mix before RSS is read"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    wrk = find_tool("wrk")
    if wrk is None:
        print(f"wrk is not installed ({INSTALL}): the soak is skipped", flush=True)
        return 0
    server = reference_server()
    try:
        result = soak(
            wrk, server, seconds=args.seconds, warmup=args.warmup, connections=args.connections
        )
    finally:
        server.close()
    report = {
        "benchmark": "soak",
        "settings": {
            "seconds": args.seconds,
            "warmup_seconds": args.warmup,
            "connections": args.connections,
            "mix": [{"request": s.endpoint.describe(), "weight": s.weight} for s in MIX],
        },
        **result,
        "machine": machine(wrk=Wrk(wrk, HERE).version()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
