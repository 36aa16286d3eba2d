"""What the wrk benchmarks share: the tools, the requests, wrk itself, and server processes.

wrk (Debian package `wrk`) is the load generator: written in C, it costs little next to the
servers measured, and its latency histogram gives p50 and p99 directly. The benchmarks
install nothing; a missing tool is named with the command that installs it, and the part
that needs it is skipped. Every server runs as a child process on a port the OS hands out
(port 0) and is polled until it answers 200; nginx cannot listen on port 0, so it is given a
port just found free and retried on another when it loses the race.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from reference_server import DEMO_KEY
from reference_server.server import bind

INSTALL = "apt-get install wrk nginx-light"
AUTH = f"Bearer {DEMO_KEY}"
START_TIMEOUT = 120.0  # seconds; a 100,000-model catalog is synthesized at start-up
CHAT_BODY = (
    b'{"model":"openai/gpt-5.4","messages":[{"role":"user",'
    b'"content":"Summarise the rivers of Europe briefly."}],"max_tokens":64}'
)


@dataclass(frozen=True)
class Endpoint:
    """One request the benchmarks repeat; `target` is the path and query."""

    name: str
    method: str
    target: str
    body: bytes = b""
    gzip: bool = False  # ask for gzip, as httpx and the SDKs do; else no Accept-Encoding

    def describe(self) -> str:
        return f"{self.method} {self.target}" + (" (gzip)" if self.gzip else "")

    def headers(self) -> dict[str, str]:
        headers = {"Authorization": AUTH}
        if self.gzip:
            headers["Accept-Encoding"] = "gzip"
        if self.body:
            headers["Content-Type"] = "application/json"
        return headers


LIST_ALL = Endpoint("list_all", "GET", "/v1/models?output_modalities=all")
FILTERED_SORTED = Endpoint(
    "filtered_sorted",
    "GET",
    "/v1/models?output_modalities=text,image&supported_parameters=tools&sort=pricing-low-to-high",
)
COUNT = Endpoint("count", "GET", "/v1/models/count?output_modalities=all")
CHAT = Endpoint("chat", "POST", "/v1/chat/completions", CHAT_BODY)


def gzipped(endpoint: Endpoint) -> Endpoint:
    return replace(endpoint, name=endpoint.name + "_gzip", gzip=True)


def lookup(model_id: str) -> Endpoint:
    return Endpoint("lookup", "GET", f"/v1/model/{model_id}")


def find_tool(name: str) -> str | None:
    """The program's path; sbin directories count, since nginx lives there."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which(name, path=search)


def missing(name: str, part: str) -> str:
    line = f"{name} is not installed ({INSTALL}): {part} skipped"
    print(line, flush=True)
    return line


# --- the command line both wrk benchmarks share ----------------------------------------------


def wrk_arguments(
    description: str | None,
    endpoints: list[Endpoint],
    results: Path,
    *,
    seconds: int,
    connections: int,
) -> argparse.ArgumentParser:
    """Rounds, seconds, connections, the endpoints measured and where results go."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement")
    parser.add_argument("--seconds", type=int, default=seconds, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=connections, help="wrk's connections")
    parser.add_argument(
        "--endpoints",
        default=",".join(e.name for e in endpoints),
        help="comma-separated subset of: %(default)s",
    )
    parser.add_argument("--out", type=Path, default=results)
    return parser


def chosen(endpoints: list[Endpoint], args: argparse.Namespace) -> list[Endpoint]:
    return [e for e in endpoints if e.name in args.endpoints.split(",")]


def write_results(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


# --- wrk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkRun:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # responses other than 2xx/3xx, plus socket errors


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS_MS[unit]


def parse_wrk(output: str) -> WrkRun:
    """Requests per second, p50, p99 and errors from `wrk --latency` output."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if rate is None or total is None or set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    errors = non_2xx(output) + sum(socket_errors(output).values())
    return WrkRun(
        requests_per_second=float(rate.group(1)),
        p50_ms=round(_duration_ms(percentiles["50"]), 3),
        p99_ms=round(_duration_ms(percentiles["99"]), 3),
        requests=int(total.group(1)),
        errors=errors,
    )


def non_2xx(output: str) -> int:
    """Responses other than 2xx or 3xx, from wrk's output."""
    return sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))


def socket_errors(output: str) -> dict[str, int]:
    """wrk's socket errors by kind (connect, read, write, timeout); all 0 when it names none."""
    kinds = ("connect", "read", "write", "timeout")
    found = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return dict(zip(kinds, (int(n) for n in found.groups()) if found else (0,) * 4, strict=True))


class Wrk:
    """wrk with one thread: the servers measured are single processes on a shared CPU."""

    def __init__(self, program: str, scripts: Path) -> None:
        self.program = program
        self.scripts = scripts  # where the Lua scripts of POST requests are written

    def run(self, url: str, endpoint: Endpoint, *, connections: int, seconds: int) -> WrkRun:
        command = [self.program, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
        command += ["--timeout", "30s"]
        for name, value in endpoint.headers().items():
            if name != "Content-Type":  # the Lua script sets it with the body
                command += ["-H", f"{name}: {value}"]
        if endpoint.body:
            command += ["-s", str(self._script(endpoint))]
        done = subprocess.run(
            [*command, url], capture_output=True, text=True, check=False, timeout=seconds + 60
        )
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed on {endpoint.name}: {done.stderr.strip()}")
        return parse_wrk(done.stdout)

    def _script(self, endpoint: Endpoint) -> Path:
        path = self.scripts / f"{endpoint.name}.lua"
        if not path.exists():
            body = endpoint.body.decode()
            if "]]" in body:
                raise ValueError("the body cannot go in a Lua long string")
            lines = [
                f'wrk.method = "{endpoint.method}"',
                f"wrk.body = [[{body}]]",
                'wrk.headers["Content-Type"] = "application/json"',
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def version(self) -> str:
        done = subprocess.run(
            [self.program, "--version"], capture_output=True, text=True, check=False
        )
        return done.stdout.split("Copyright")[0].strip()


def summarize(runs: list[WrkRun]) -> dict[str, Any]:
    """The median of each figure over rounds (rounds are short and the machine is shared),
    and the rounds themselves."""
    return {
        "requests_per_second": round(statistics.median(r.requests_per_second for r in runs), 1),
        "p50_ms": round(statistics.median(r.p50_ms for r in runs), 3),
        "p99_ms": round(statistics.median(r.p99_ms for r in runs), 3),
        "errors": sum(r.errors for r in runs),
        "rounds": [
            {"requests_per_second": r.requests_per_second, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms}
            for r in runs
        ],
    }


# --- servers ---------------------------------------------------------------------------------


def fetch(origin: str, target: str, endpoint: Endpoint) -> tuple[int, bytes]:
    """One request with the headers wrk sends: status and body (as sent, not decoded)."""
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        headers = endpoint.headers()
        connection.request(endpoint.method, target, body=endpoint.body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Child:
    """A server process that prints its origin on stdout; `startup_seconds` runs from the
    spawn to the first 200 on `ready`."""

    def __init__(self, command: list[str], ready: Endpoint) -> None:
        self.log: TextIO = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in close()
        started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, text=True)
        try:
            self.origin = self._origin()
            self._await(ready)
        except BaseException:
            self.close()
            raise
        self.startup_seconds = time.perf_counter() - started

    def _origin(self) -> str:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"http://[^/\s]+", line)
            if found:
                return found.group(0)
        raise RuntimeError(f"the server exited before announcing itself:\n{self._stderr()}")

    def _await(self, ready: Endpoint) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited while starting:\n{self._stderr()}")
            try:
                status = fetch(self.origin, ready.target, ready)[0]
            except OSError:  # not listening yet
                time.sleep(0.01)
                continue
            if status != 200:
                raise RuntimeError(f"{ready.describe()} answered {status}:\n{self._stderr()}")
            return
        raise RuntimeError(f"no 200 from {self.origin} within {START_TIMEOUT} s")

    def memory_mib(self) -> dict[str, float]:
        """Resident memory now and at its peak, from /proc (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        kib = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
        return {
            "resident_mib": round(int(kib["VmRSS"]) / 1024, 1),
            "peak_resident_mib": round(int(kib["VmHWM"]) / 1024, 1),
        }

    def _stderr(self) -> str:
        self.log.seek(0)
        return self.log.read()[-2000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.log.close()


def reference_server(*flags: str, ready: Endpoint = COUNT) -> Child:
    """`python -m reference_server` as a user starts it, without the access log."""
    command = [sys.executable, "-m", "reference_server", "--port", "0", "--no-access-log"]
    return Child([*command, *flags], ready)


NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
        default_type application/json;
    }}
}}
"""


def nginx(program: str, directory: Path, files: dict[str, bytes]) -> Child:
    """nginx serving `files` (name -> bytes) as static files: one worker, like the single
    Python process it is compared with; daemon off, so the process is ours to stop."""
    www = directory / "www"
    www.mkdir(parents=True)
    for name, data in files.items():
        (www / name).write_bytes(data)
        (www / name).chmod(0o644)
    # Workers started by root run as nobody, who must be able to read the files (the
    # caller's directory above `directory` too).
    for path in (directory, www):
        path.chmod(0o755)
    ready = Endpoint("ready", "GET", "/" + next(iter(files)))
    config, error_log = directory / "nginx.conf", directory / "error.log"
    for attempt in range(3):
        probe = bind("127.0.0.1", 0)
        port = probe.getsockname()[1]
        probe.close()
        config.write_text(NGINX_CONF.format(dir=directory, port=port), encoding="utf-8")
        # nginx announces nothing: the shell echoes the origin, then becomes nginx.
        script = f'echo http://127.0.0.1:{port}; exec "$0" -p "$1" -c "$2" -e "$3"'
        command = ["sh", "-c", script, program, str(directory), str(config), str(error_log)]
        try:
            return Child(command, ready)
        except RuntimeError:  # most likely another process took the port meanwhile
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def nginx_version(program: str) -> str:
    done = subprocess.run([program, "-v"], capture_output=True, text=True, check=False)
    return done.stderr.strip().removeprefix("nginx version: ")


# --- the machine -----------------------------------------------------------------------------


def _version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def machine(**tools: str | None) -> dict[str, Any]:
    """What the figures were measured on: they mean little without it."""
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text(encoding="utf-8") if cpuinfo.exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return {
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "packages": {
            name: _version(name) for name in ("uvicorn", "httptools", "uvloop", "fastapi")
        },
        **tools,
        "load_average_at_start": [round(n, 2) for n in os.getloadavg()],
    }
