"""What the peer scripts share: install a peer under a temporary folder, start it on a
free 127.0.0.1 port in its own process group, poll it until it answers, run the kit with
a manifest, and stop the peer by its process id (and its children with it).

Python 3.10+ standard library only. Every server started here listens on 127.0.0.1 and
every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# Provider keys a peer could pick up from the caller's environment and use to reach a
# real provider; the peers here must only ever talk to 127.0.0.1.
_PROVIDER_KEYS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "MISTRAL_API_KEY",
    "GROQ_API_KEY",
    "DEEPSEEK_API_KEY",
    "XAI_API_KEY",
    "TOGETHER_API_KEY",
    "FIREWORKS_API_KEY",
    "PERPLEXITY_API_KEY",
    "OPENROUTER_API_KEY",
    "OLLAMA_BASE_URL",
    "OPENAI_BASE_URL",
    "AROUTER_API_KEY",
)


class PeerError(RuntimeError):
    """The peer could not be installed, started or stopped; the message says why."""


def say(message: str) -> None:
    print(f"[peer] {message}", flush=True)


# ---------------------------------------------------------------- command line


def _default_root() -> Path:
    return Path(tempfile.gettempdir()) / "arouter-peers"


def parse_args(peer: str, doc: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=doc,
        epilog="Arguments after -- go to `arouter-conformance run` (e.g. -- --no-chat).",
    )
    parser.add_argument(
        "reports",
        nargs="?",
        type=Path,
        default=REPO / "reports" / "peers" / peer,
        help=f"folder for the reports (default: reports/peers/{peer}/ in the repository)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(os.environ.get("AROUTER_PEERS_DIR") or _default_root()) / peer,
        help="where the peer is installed and run; reused on later runs "
        f"(default: $AROUTER_PEERS_DIR/{peer}, else {_default_root() / peer})",
    )
    parser.add_argument("--reinstall", action="store_true", help="install the peer afresh")
    parser.add_argument(
        "--kit",
        default=None,
        help="the arouter-conformance executable (default: the repository's .venv, else PATH)",
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=180.0,
        help="seconds to wait for the peer to answer (default 180)",
    )
    argv = sys.argv[1:]
    kit_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, kit_args = argv[:cut], argv[cut + 1 :]
    args = parser.parse_args(argv)
    args.kit_args = kit_args
    args.reports = args.reports.resolve()
    args.workdir = args.workdir.resolve()
    return args


def new_key(prefix: str = "sk-") -> str:
    """A throwaway key of our own, for one run; it only ever travels in environments."""
    return prefix + secrets.token_hex(16)


# ---------------------------------------------------------------- installs


def _run_logged(cmd: Sequence[str], log: Path, cwd: Path | None = None) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        code = subprocess.call(list(cmd), cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    if code != 0:
        raise PeerError(f"`{' '.join(cmd)}` failed ({code}); see {log}\n{tail(log)}")


def ensure_pip_venv(workdir: Path, requirement: str, reinstall: bool = False) -> Path:
    """A venv under workdir holding `requirement`; reused when it already holds it.
    Returns the venv's bin folder."""
    venv = workdir / "venv"
    stamp = workdir / "installed.txt"
    if reinstall and venv.exists():
        shutil.rmtree(venv)
        stamp.unlink(missing_ok=True)
    if (
        stamp.is_file()
        and stamp.read_text().strip() == requirement
        and (venv / "bin" / "python").exists()
    ):
        say(f"reusing {venv} ({requirement})")
        return venv / "bin"
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "install.log"
    say(f"installing {requirement} into {venv} (log: {log})")
    started = time.monotonic()
    _run_logged([sys.executable, "-m", "venv", "--clear", str(venv)], log)
    _run_logged([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", requirement], log)
    stamp.write_text(requirement + "\n")
    say(f"installed in {time.monotonic() - started:.0f} s")
    return venv / "bin"


def pip_version(bin_dir: Path, distribution: str) -> str:
    return subprocess.check_output(
        [
            str(bin_dir / "python"),
            "-c",
            f"import importlib.metadata as m; print(m.version({distribution!r}))",
        ],
        text=True,
    ).strip()


def ensure_npm_package(workdir: Path, package: str, reinstall: bool = False) -> Path:
    """`package` in workdir/node_modules; reused when already there. Returns its folder."""
    folder = workdir / "node_modules" / package
    if reinstall and (workdir / "node_modules").exists():
        shutil.rmtree(workdir / "node_modules")
    if (folder / "package.json").is_file():
        say(f"reusing {folder}")
        return folder
    if shutil.which("npm") is None:
        raise PeerError("npm is not on PATH (Node.js 20 or newer is needed)")
    workdir.mkdir(parents=True, exist_ok=True)
    manifest = workdir / "package.json"
    if not manifest.exists():
        manifest.write_text('{"private": true}\n')
    log = workdir / "install.log"
    say(f"installing {package} into {workdir} (log: {log})")
    _run_logged(["npm", "install", "--no-fund", "--no-audit", package], log, cwd=workdir)
    return folder


def npm_version(folder: Path) -> str:
    return str(json.loads((folder / "package.json").read_text())["version"])


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def peer_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without provider keys, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in _PROVIDER_KEYS}
    env.update(extra or {})
    return env


def tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in text[-lines:])


class Server:
    """A peer process, started in a process group of its own so that stopping it stops
    the children it starts too."""

    def __init__(
        self, name: str, cmd: Sequence[str], port: int, log: Path, env: Mapping[str, str], cwd: Path
    ) -> None:
        self.name, self.port, self.log = name, port, log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        say(f"started {name} (pid {self.proc.pid}) on {HOST}:{port}; log: {log}")

    def wait_ready(
        self,
        url: str,
        timeout: float,
        ready: Callable[[int, bytes], bool] = lambda status, body: status == 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Poll `url` until `ready(status, body)` holds; fail at once if the peer exits."""
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        delay = 0.1
        last = "no answer yet"
        while True:
            if self.proc.poll() is not None:
                raise PeerError(
                    f"{self.name} exited ({self.proc.returncode}) before it was ready; "
                    f"log {self.log}:\n{tail(self.log)}"
                )
            status, body = http_get(url, headers)
            if status is not None and ready(status, body):
                say(f"{self.name} ready after {time.monotonic() - started:.1f} s")
                return
            last = f"{status} {body[:120]!r}" if status is not None else body.decode()
            if time.monotonic() > deadline:
                raise PeerError(
                    f"{self.name} not ready after {timeout:.0f} s (last: {last}); "
                    f"log {self.log}:\n{tail(self.log)}"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def stop(self) -> None:
        """SIGTERM to the process group, wait, SIGKILL whatever is left; then check the
        port is free again."""
        pid = self.proc.pid
        if self.proc.poll() is None:
            _signal_group(pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                say(f"{self.name} (pid {pid}) ignored SIGTERM for 20 s; SIGKILL")
                _signal_group(pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # Children may outlive the leader: the group is named by the leader's pid.
        deadline = time.monotonic() + 10
        while _group_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _group_alive(pid):
            _signal_group(pid, signal.SIGKILL)
        self._out.close()
        deadline = time.monotonic() + 15
        while not port_is_free(self.port):
            if time.monotonic() > deadline:
                raise PeerError(f"port {self.port} still taken after stopping {self.name}")
            time.sleep(0.2)
        say(
            f"stopped {self.name} (pid {pid}, exit {self.proc.returncode}); "
            f"port {self.port} is free"
        )


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def http_get(
    url: str, headers: Mapping[str, str] | None = None, timeout: float = 5.0
) -> tuple[int | None, bytes]:
    """(status, body) of a GET to 127.0.0.1, or (None, reason) when nothing answered."""
    if not url.startswith(f"http://{HOST}:"):
        raise ValueError(f"only {HOST} is reached from here, not {url}")
    # Only http://127.0.0.1 gets this far (checked above).
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc)).encode()


def _terminate_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into SystemExit so the `finally` that stops peers runs."""

    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


# ---------------------------------------------------------------- files


def to_yaml(value: Any, indent: int = 0) -> str:
    """A small YAML writer for the manifest and configs: mappings and lists in block
    style, scalars as JSON (which YAML reads as-is)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item and not _flat_list(item):
                lines.append(f"{pad}{key}:")
                lines.append(to_yaml(item, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item and not _flat_list(item):
                body = to_yaml(item, indent + 2).lstrip()
                lines.append(f"{pad}- {body}")
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(pad + _scalar(value))
    return "\n".join(lines)


def _flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _scalar(value: Any) -> str:
    return json.dumps(value)  # lists of scalars come out in flow style, {} and [] too


def write_yaml(path: Path, value: Any, comment: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    path.write_text(header + to_yaml(value) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- aimock (a peer, and an upstream)

AIMOCK_PACKAGE = "@copilotkit/aimock"


def start_aimock(
    run_dir: Path,
    fixtures: Mapping[str, Any],
    env: Mapping[str, str],
    args: argparse.Namespace,
    servers: list[Server],
) -> tuple[Server, str]:
    """Install aimock (or reuse it) in the aimock script's work folder, start it on a free
    port with `fixtures` (added to `servers`, to be stopped; its files in run_dir), and
    wait until it answers. Returns the server and aimock's version."""
    folder = ensure_npm_package(args.workdir.parent / "aimock", AIMOCK_PACKAGE, args.reinstall)
    fixture_file = run_dir / "fixtures.json"
    fixture_file.parent.mkdir(parents=True, exist_ok=True)
    fixture_file.write_text(json.dumps(fixtures, indent=2) + "\n")
    port = free_port()
    node = shutil.which("node") or "node"
    server = Server(
        "aimock",
        [
            node,
            str(folder / "dist" / "cli.js"),
            "--host",
            HOST,
            "--port",
            str(port),
            "--fixtures",
            str(fixture_file),
            "--log-level",
            "warn",
        ],
        port,
        run_dir / "aimock.log",
        peer_env(env),
        run_dir,
    )
    servers.append(server)
    # /health stays public even when AIMOCK_API_KEYS is set.
    server.wait_ready(f"http://{HOST}:{port}/health", args.ready_timeout)
    return server, npm_version(folder)


# ---------------------------------------------------------------- the kit


def kit_executable(explicit: str | None) -> str:
    if explicit:
        return explicit
    local = REPO / ".venv" / "bin" / "arouter-conformance"
    if local.exists():
        return str(local)
    found = shutil.which("arouter-conformance")
    if found is None:
        raise PeerError(
            "arouter-conformance not found: run `python3 dev.py run --help` "
            "once to create .venv, or pass --kit"
        )
    return found


def run_kit(args: argparse.Namespace, manifest: Mapping[str, Any], env: Mapping[str, str]) -> int:
    """Write the manifest next to the reports, run the kit on it, print its exit code and
    the report's figures. Returns the kit's exit code."""
    reports: Path = args.reports
    reports.mkdir(parents=True, exist_ok=True)
    manifest_file = write_yaml(
        reports / "manifest.yaml",
        dict(manifest),
        "Written by examples/peers; the key lives in the environment variable named here.",
    )
    json_report = reports / "report.json"
    for old in (json_report, reports / "report.html", reports / "report.junit.xml"):
        old.unlink(missing_ok=True)
    cmd = [
        kit_executable(args.kit),
        "run",
        "--manifest",
        str(manifest_file),
        "--json",
        str(json_report),
        "--html",
        str(reports / "report.html"),
        "--junit",
        str(reports / "report.junit.xml"),
        *args.kit_args,
    ]
    say("running: " + " ".join(cmd))
    code = subprocess.call(cmd, env={**os.environ, **env}, cwd=REPO)
    say(f"kit exit code: {code}")
    summarize(json_report)
    return code


def summarize(json_report: Path) -> None:
    if not json_report.is_file():
        say(f"no JSON report at {json_report}")
        return
    report = json.loads(json_report.read_text())
    statuses = collections.Counter(r.get("status") for r in report.get("requirements", []))
    claimed = [p["name"] for p in report.get("profiles", []) if p.get("claimed")]
    run = report.get("run", {})
    say(f"claimed profiles: {', '.join(claimed)}")
    say("requirements: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    failed = [
        r["id"]
        for r in report.get("requirements", [])
        if r.get("status") not in {"passed", "skipped"}
    ]
    if failed:
        say("not passed: " + " ".join(failed))
    say(
        f"requests sent: {run.get('requests_sent')}, chat requests: "
        f"{run.get('chat_requests_sent')}; reports in {json_report.parent}"
    )


def main(
    peer: str, doc: str | None, run: Callable[[argparse.Namespace, list[Server]], int]
) -> None:
    """Parse the command line, call `run(args, servers)` (which appends every server it
    starts to `servers`), and stop those servers, last started first, whatever happens."""
    args = parse_args(peer, doc)
    _terminate_on_signals()
    servers: list[Server] = []
    code = 2
    try:
        code = run(args, servers)
    except PeerError as exc:
        say(f"error: {exc}")
        code = 2
    except KeyboardInterrupt:
        say("interrupted")
        code = 130
    finally:
        for server in reversed(servers):
            try:
                server.stop()
            except PeerError as exc:
                say(f"error: {exc}")
                code = code or 2
    sys.exit(code)
