"""`arouter-conformance`: the command-line front door.

`run` judges a target and exits 0 (every MUST requirement of the claimed profiles
passed), 1 (at least one failed) or 2 (the run could not be carried out: bad flags, bad
manifest, unreachable target), always with a one-line reason and never a traceback.
It runs the same pytest suites as `pytest --target-url`, in-process, so the two front
doors cannot disagree. `serve` starts the reference server. `diff` compares two JSON
reports (`arouter_conformance.diff`). `proxy` judges someone else's traffic instead
(`arouter_conformance.observe`): a reverse proxy in front of the target that writes the
reports when it stops or is sent SIGUSR1. `judge` judges traffic recorded in a HAR file the
same way.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

import pytest

from arouter_conformance import __version__
from arouter_conformance.client import Budget, normalize_base_url
from arouter_conformance.config import (
    LOOPBACK,
    RunConfig,
    chat_notice,
    resolve_config,
    secret_notices,
)
from arouter_conformance.errors import ConfigError, KitError
from arouter_conformance.options import add_cli_options, settings
from arouter_conformance.plugin import SUITES, Resolved
from arouter_conformance.redact import Redactor
from arouter_conformance.reports import ReportWriter, check_writable
from arouter_conformance.results import EXIT_ERROR, RunResult
from arouter_conformance.session import first_contact, open_target
from arouter_conformance.spec import load_spec
from arouter_conformance.terminal import Progress, Terminal, render_summary

if TYPE_CHECKING:
    from arouter_conformance.observe import Observations
    from arouter_conformance.observe.proxy import Proxy

__all__ = ["main"]

# The options of `run` that mean the same to the doors that only observe: the target's
# claims, the selection, the known failures and the reports.
OBSERVING_OPTIONS = (
    "manifest",
    "profile",
    "requirement",
    "json",
    "html",
    "junit",
    "badge",
    "baseline",
)
# The proxy connects to the upstream (its timeout); `judge` reads where the API root was in
# the recorded URLs from the target URL.
PROXY_OPTIONS = (*OBSERVING_OPTIONS, "timeout")
JUDGE_OPTIONS = ("target-url", *OBSERVING_OPTIONS)


class _Parser(argparse.ArgumentParser):
    """argparse, except that a word it does not know is named without what followed it:
    `--api-kee sk-...` mistyped in a CI job must not print the key to the job's log."""

    def error(self, message: str) -> NoReturn:
        head, found, rest = message.partition("unrecognized arguments: ")
        if found:
            flags = [word.split("=", 1)[0] for word in rest.split() if word.startswith("-")]
            message = head + found + (" ".join(flags) or "values that are not options")
        super().error(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="arouter-conformance",
        description="Conformance kit for ARouter / OpenRouter-style model gateways.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # No abbreviated flags: `--api` or `--head` would carry a secret under a name that the
    # places masking `--api-key` and `--header` values (the Action's log) do not know.
    run = commands.add_parser(
        "run",
        help="judge a target (default: the embedded reference server)",
        description="Judge a target, requirement by requirement.",
        allow_abbrev=False,
    )
    add_cli_options(run)
    run.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show pytest's full output (test by test, with tracebacks) instead of progress",
    )

    diff = commands.add_parser(
        "diff",
        help="compare two JSON reports: what newly fails, what was fixed, what still fails",
        description="Compare two JSON reports requirement by requirement: what newly fails "
        "(failed or error in NEW, not in OLD), what was fixed, what still fails, and what "
        "is no longer judged. Exit code 1 when any requirement newly fails, whatever its "
        "level (MUST, SHOULD or MAY); 0 otherwise; 2 when a file is not a report this kit "
        "reads.",
    )
    diff.add_argument("old", metavar="OLD", type=Path, help="the earlier JSON report")
    diff.add_argument("new", metavar="NEW", type=Path, help="the later JSON report")
    diff.add_argument(
        "--markdown", action="store_true", help="write Markdown, for a pull-request comment"
    )

    proxy = commands.add_parser(
        "proxy",
        help="judge your own client's traffic: a reverse proxy in front of a target",
        description="Forward every request to the upstream unchanged and judge each exchange "
        "on the side. Requirements the traffic did not exercise end 'not observed', never "
        "passed. The reports are written when the proxy stops (Ctrl-C, SIGTERM), with the "
        "exit code of `run`, and whenever it is sent SIGUSR1.",
        allow_abbrev=False,
    )
    proxy.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="the API root to forward to, with its version prefix, e.g. http://127.0.0.1:8080/v1",
    )
    proxy.add_argument(
        "--listen",
        default="127.0.0.1:0",
        metavar="HOST:PORT",
        help="where to listen (default 127.0.0.1:0: a free port, this machine only); a host "
        "that is not loopback is served, with a warning",
    )
    add_cli_options(proxy, PROXY_OPTIONS)

    judge = commands.add_parser(
        "judge",
        help="judge recorded traffic (a HAR file) without sending a request",
        description="Judge the exchanges a HAR file recorded (the kit's own --har, or a "
        "browser's network export) with the kit's checks, sending nothing. Requirements the "
        "traffic did not exercise end 'not observed', never passed. Exit codes as for `run`; "
        "2 also when the file is not HAR.",
        allow_abbrev=False,
    )
    # Not `har`: that is where `--har` writes, and the file judged must never be written.
    judge.add_argument("recording", metavar="FILE.har", type=Path, help="the recorded traffic")
    add_cli_options(judge, JUDGE_OPTIONS)

    serve = commands.add_parser("serve", help="start the reference server")
    from reference_server.cli import add_serve_arguments

    add_serve_arguments(serve)
    return parser


def _pytest_args(verbose: bool) -> list[str]:
    # Plugins installed beside the kit (pytest11 entry points) are not loaded: they would
    # change how the suites run (and schemathesis's alone costs half a second of imports on
    # every run). The kit's own plugin is named instead.
    argv = [
        str(SUITES),
        "-c",
        str(SUITES / "conformance.ini"),
        "--rootdir",
        str(SUITES),
        "--disable-plugin-autoload",
        "-p",
        "arouter_conformance.plugin",
        "-p",
        "no:cacheprovider",
    ]
    # Without -v, pytest's reporter is off and terminal.Progress reports instead.
    return argv + (["-v"] if verbose else ["-p", "no:terminal"])


def _announce(config: RunConfig) -> None:
    if config.embedded:
        print("arouter-conformance: judging the embedded reference server", flush=True)
    for notice in [chat_notice(config), *secret_notices(config)]:
        if notice:
            print(f"arouter-conformance: {notice}", flush=True)


def _reachable(config: RunConfig) -> None:
    """One cheap request before the suites start, so a target that cannot be judged (the
    URL, the prefix, the network, the timeout or the key is wrong) is one line."""
    if config.embedded:
        return
    target = open_target(
        config, budget=Budget("preflight", 1), chat_budget=Budget("chat", 0), retries=0
    )
    try:
        first_contact(target, config)
    finally:
        target.close()


def run_command(args: argparse.Namespace) -> int:
    config = resolve_config(load_spec(), **settings(partial(getattr, args), "cli"))
    reports = [p for p in config.outputs if p]
    check_writable(reports)
    _announce(config)
    _reachable(config)
    terminal = Terminal(sys.stdout)
    progress = Progress(terminal, quiet=args.verbose)
    writer = ReportWriter(config.reports)
    plugins = [Resolved(config, (writer, progress)), progress]
    code = pytest.main(_pytest_args(args.verbose), plugins=plugins)
    if progress.stopped or writer.result is None or writer.data is None:
        reason = progress.stopped or "the run could not be carried out"
        print(f"arouter-conformance: {reason}", file=sys.stderr)
        return EXIT_ERROR
    terminal.line(render_summary(writer.data, terminal, reports))
    return writer.result.exit_code if code in (0, 1) else EXIT_ERROR


def _listen_address(text: str) -> tuple[str, int]:
    host, colon, port = text.rpartition(":")
    if not colon or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"--listen: {text!r} is not HOST:PORT, e.g. 127.0.0.1:8081")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    return host or "127.0.0.1", int(port)


class _ProxyReports:
    """The proxy's reports from the traffic so far, on demand and when it stops: one
    writing at a time, through a redactor that also knows the keys the clients sent."""

    def __init__(self, observations: Observations, proxy: Proxy, config: RunConfig) -> None:
        self.observations = observations
        self.proxy = proxy
        self.config = config
        self._lock = threading.Lock()

    def write(self, *, final: bool = True) -> int:
        """The reports of the traffic so far; only the final writing appends to the CI
        step summary (one summary per run, however often the reports were asked for)."""
        with self._lock:
            self.proxy.settle()
            result = self.observations.result()  # judges what waits: counts after it
            seen = self.observations.counts
            return _observed_reports(
                result,
                self.config,
                Redactor((*self.config.secrets, *self.proxy.keys)),
                f"exchanges observed: {seen['observed']}, judged: {seen['judged']} "
                f"(chat: {seen['chat']}); passed on unread (an encoding such as br or zstd, "
                f"or a request too large to keep): {self.proxy.unread}",
                os.environ if final else {},
            )

    def on_demand(self) -> None:
        try:
            self.write(final=False)
        except KitError as exc:  # a report path gone bad: said, and the proxy carries on
            print(f"arouter-conformance: {exc}", file=sys.stderr, flush=True)


def _observed_reports(
    result: RunResult,
    config: RunConfig,
    redactor: Redactor,
    tally: str,
    environ: Mapping[str, str],
) -> int:
    """Write what observe mode judged as `run` writes its reports (the same `ReportWriter`),
    print the summary and how much traffic it came from, and return the exit code."""
    writer = ReportWriter(config.reports, environ)
    writer.finished(result, redactor, None)
    assert writer.data is not None
    terminal = Terminal(sys.stdout)
    terminal.line(render_summary(writer.data, terminal, [p for p in config.outputs if p]))
    terminal.line(tally)
    return result.exit_code


def proxy_command(args: argparse.Namespace) -> int:
    # Imported here: the other commands need neither the proxy nor the judge.
    from arouter_conformance.observe import Observations
    from arouter_conformance.observe.proxy import Proxy
    from arouter_conformance.observe.serve import serve
    from reference_server.server import bind, origin

    try:
        upstream = normalize_base_url(args.upstream)
    except ValueError as exc:
        raise ConfigError(f"--upstream: {exc}") from None
    host, port = _listen_address(args.listen)
    spec = load_spec()
    given = settings(lambda dest: getattr(args, dest, None), "cli")
    config = resolve_config(spec, **{**given, "target_url": upstream}, sends=False)
    check_writable(config.outputs)
    for notice in secret_notices(config):
        print(f"arouter-conformance: {notice}", flush=True)
    try:
        sock = bind(host, port)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"--listen: cannot listen on {args.listen}: {reason}") from None
    observations = Observations(spec, config)
    unkept = [header.name for header in config.headers]
    proxy = Proxy(upstream, observations, unkept=unkept, timeout=config.timeout)
    reports = _ProxyReports(observations, proxy, config)
    on_demand = f" or on SIGUSR1 (kill -USR1 {os.getpid()})" if hasattr(signal, "SIGUSR1") else ""
    print(
        f"arouter-conformance: listening at {origin(sock)}{urlsplit(upstream).path}, "
        f"forwarding to {upstream}; reports when stopped (Ctrl-C){on_demand}",
        flush=True,
    )
    if host not in LOOPBACK:
        print(
            f"arouter-conformance: warning: {host} is not loopback; whoever can reach this "
            "port can send requests to the upstream through the proxy",
            file=sys.stderr,
            flush=True,
        )
    with sock:
        serve(proxy, sock, reports.on_demand)
    return reports.write()


def judge_command(args: argparse.Namespace) -> int:
    from arouter_conformance.observe import Observations
    from arouter_conformance.observe.har import read_har

    spec = load_spec()
    given = settings(lambda dest: getattr(args, dest, None), "cli")
    config = resolve_config(spec, **given, sends=False)
    judged = args.recording.resolve()
    if any(path is not None and path.resolve() == judged for path in config.outputs):
        raise ConfigError(f"{args.recording} is the file judged: no report is written over it")
    check_writable(config.outputs)
    recording = read_har(args.recording, unkept=config.manifest.headers)
    if not recording.keyed:
        print(
            f"arouter-conformance: no request in {args.recording} carries a key (a browser's "
            "sanitized export leaves Authorization out): none is judged as sent without one",
            flush=True,
        )
    observations = Observations(spec, config)
    for exchange in recording.exchanges():
        observations.add(exchange)
    result = observations.result()  # judges what waits: counts after it
    seen = observations.counts
    return _observed_reports(
        result,
        config,
        Redactor((*config.secrets, *recording.secrets)),
        f"exchanges recorded: {len(recording.entries)}, judged: {seen['judged']} "
        f"(chat: {seen['chat']}); without an answer to judge: {recording.left_out}",
        os.environ,
    )


def diff_command(args: argparse.Namespace) -> int:
    # Imported here: `run` should not pay for it. Its refusals are `ConfigError`s.
    from arouter_conformance.diff import compare, load_report, render_markdown, render_text

    diff = compare(load_report(args.old), load_report(args.new))
    terminal = Terminal(sys.stdout)
    terminal.line(render_markdown(diff) if args.markdown else render_text(diff, terminal.paint))
    return diff.exit_code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            from reference_server.cli import serve

            return serve(args)
        if args.command == "diff":
            return diff_command(args)
        if args.command == "proxy":
            return proxy_command(args)
        if args.command == "judge":
            return judge_command(args)
        return run_command(args)
    except KitError as exc:  # every error the kit raises on purpose: one line, its code
        print(f"arouter-conformance: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("arouter-conformance: interrupted", file=sys.stderr)
    return EXIT_ERROR
