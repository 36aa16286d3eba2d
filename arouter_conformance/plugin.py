"""The pytest entry point (pytest11). Kept thin: options, the `run` fixture, the
`requirement` marker, and turning test outcomes into requirement results and reports.

Inert in other projects' test sessions: nothing happens unless conformance suites are
collected or --target-url is given.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from arouter_conformance import __version__
from arouter_conformance.client import BudgetExhausted, TargetError
from arouter_conformance.config import ConfigError, RunConfig, resolve_config
from arouter_conformance.evidence import inert
from arouter_conformance.findings import ConformanceFailure
from arouter_conformance.redact import Redactor
from arouter_conformance.reports import check_writable, write_reports
from arouter_conformance.results import RunResult, Status, SuiteRecord, aggregate
from arouter_conformance.session import BaselineUnavailable, Run, RunError, open_run
from arouter_conformance.spec import Spec, load_spec

SUITES = Path(__file__).resolve().parent / "suites"
MARKER = "requirement"


class _State:
    """Per-session bookkeeping: the resolved configuration, the run, the records."""

    def __init__(self, config: pytest.Config) -> None:
        self.pytest_config = config
        self.spec: Spec = load_spec()
        self.records: list[SuiteRecord] = []
        self.suite_items = 0
        self.other_items = 0
        self.run: Run | None = None
        self.started = time.time()
        self.result: RunResult | None = None
        self.report: dict[str, Any] | None = None
        self.stopped: str | None = None  # why the run ended early, when it did
        self._config: RunConfig | None = None

    def config(self) -> RunConfig:
        if self._config is None:
            option = self.pytest_config.getoption
            self._config = resolve_config(
                self.spec,
                target_url=option("target_url"),
                api_key=option("api_key"),
                manifest_path=option("manifest"),
                profiles=option("profile") or (),
                no_chat=option("no_chat"),
                request_budget=option("request_budget"),
                chat_budget=option("chat_budget"),
                examples=option("examples"),
                seed=option("conformance_seed"),
                timeout=option("request_timeout"),
                report_json=option("report_json"),
                report_html=option("report_html"),
                report_junit=option("report_junit"),
            )
        return self._config

    @property
    def redactor(self) -> Redactor:
        return self.run.redactor if self.run else Redactor(self.config().secrets)


STATE = pytest.StashKey[_State]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("arouter-conformance", "gateway conformance (arouter-conformance)")
    group.addoption("--target-url", help="API root of the gateway, e.g. https://host/api/v1")
    group.addoption("--api-key", help="API key (default: $AROUTER_API_KEY)")
    group.addoption("--manifest", type=Path, help="YAML manifest with the target's claims")
    group.addoption(
        "--profile", action="append", help="profile the target claims (repeatable; default all)"
    )
    group.addoption(
        "--requirement",
        action="append",
        metavar="ID",
        help="run only the tests that check this requirement (repeatable)",
    )
    group.addoption("--no-chat", action="store_true", help="send no chat requests")
    group.addoption("--request-budget", type=int, help="most requests to send in all")
    group.addoption("--chat-budget", type=int, help="most chat requests to send")
    group.addoption("--examples", type=int, help="Hypothesis examples per property")
    group.addoption(
        "--conformance-seed", type=int, help="explore with this seed instead of fixed examples"
    )
    group.addoption("--request-timeout", type=float, help="seconds to wait for each answer")
    group.addoption("--report-json", type=Path, help="write the JSON report here")
    group.addoption("--report-html", type=Path, help="write the HTML report here")
    group.addoption("--report-junit", type=Path, help="write the JUnit XML report here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*ids): catalog requirements a conformance test checks"
    )
    state = _State(config)
    config.stash[STATE] = state
    if config.getoption("target_url") or config.getoption("manifest"):
        try:
            chosen = state.config()
            check_writable((chosen.report_json, chosen.report_html, chosen.report_junit))
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
        # Judging a target means running the suites, wherever pytest was started, unless
        # the command line names what to collect.
        if config.args_source is not pytest.Config.ArgsSource.ARGS:
            config.args = [str(SUITES)]


def _is_suite(item: pytest.Item) -> bool:
    return SUITES in Path(str(item.path)).resolve().parents


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    return tuple(i for mark in item.iter_markers(MARKER) for i in mark.args)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    state = config.stash[STATE]
    wanted = set(config.getoption("requirement") or ())
    unknown = sorted(wanted - set(state.spec.requirements))
    if unknown:
        raise pytest.UsageError(f"--requirement: no requirement {unknown[0]!r} in the catalog")
    keep = [
        item
        for item in items
        if (_is_suite(item) or not config.getoption("target_url"))
        and (not wanted or wanted & set(requirement_ids(item)))
    ]
    if len(keep) != len(items):
        kept = set(keep)
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = keep
    suites = [item for item in items if _is_suite(item)]
    state.suite_items, state.other_items = len(suites), len(items) - len(suites)
    if not suites:
        return
    try:
        claimed = set(state.config().profiles)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    for item in suites:
        ids = requirement_ids(item)
        if not ids:
            raise pytest.UsageError(f"{item.nodeid} carries no requirement marker")
        profiles = {state.spec.requirement(i).profile for i in ids}
        if len(profiles) != 1:
            raise pytest.UsageError(f"{item.nodeid} mixes profiles {sorted(profiles)}")
        profile = profiles.pop()
        if profile not in claimed:
            item.add_marker(pytest.mark.skip(reason=f"profile {profile} not claimed"))


@pytest.fixture(scope="session")
def run(request: pytest.FixtureRequest) -> Iterator[Run]:
    """The conformance run: target, claims, baseline, budgets."""
    state = request.config.stash[STATE]
    try:
        with open_run(state.spec, state.config()) as opened:
            state.run = opened
            yield opened
    except (RunError, ConfigError) as exc:
        state.stopped = str(exc)
        pytest.exit(str(exc), returncode=2)


def _classify(call: pytest.CallInfo[None], report: pytest.TestReport) -> tuple[Status, Any]:
    if report.passed:
        return Status.PASSED, None
    if report.skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return Status.SKIPPED, reason.removeprefix("Skipped: ")
    error = call.excinfo.value if call.excinfo else None
    if report.when == "call" and isinstance(error, AssertionError):
        return Status.FAILED, error
    return Status.ERROR, error


def _reason(error: Any) -> str | None:
    if error is None:
        return None
    if isinstance(error, (TargetError, BudgetExhausted, BaselineUnavailable)):
        return str(error)
    if isinstance(error, ConformanceFailure):
        return None
    if isinstance(error, AssertionError):
        return str(error).splitlines()[0][:500] if str(error) else "assertion failed"
    return f"{type(error).__name__}: {str(error)[:500]}"


def _is_example(note: str) -> bool:
    """Hypothesis's note naming the smallest failing input (worded differently by version)."""
    return note.startswith(("Falsifying", "Failing test case")) or "example" in note.lower()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not _is_suite(item):
        return report
    state = item.config.stash[STATE]
    redactor = state.redactor
    if isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
        report.longrepr = (path, line, inert(redactor.text(reason)))
    elif report.longrepr is not None:
        report.longrepr = inert(redactor.text(str(report.longrepr)))
    report.sections = [(name, inert(redactor.text(text))) for name, text in report.sections]
    decisive = report.when == "call" or (report.when == "setup" and not report.passed)
    if decisive:
        status, error = _classify(call, report)
        notes = getattr(error, "__notes__", None) or []
        state.records.append(
            SuiteRecord(
                nodeid=item.nodeid,
                requirements=requirement_ids(item),
                outcome=status,
                findings=tuple(error.findings) if isinstance(error, ConformanceFailure) else (),
                reason=error if isinstance(error, str) else _reason(error),
                example="\n".join(n for n in notes if _is_example(n)) or None,
                duration=report.duration,
            )
        )
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or not state.suite_items:
        return
    if exitstatus not in (0, 1):
        state.stopped = state.stopped or f"the run stopped early (pytest exit status {exitstatus})"
    config = state.config()
    run = state.run
    meta: dict[str, object] = {
        "kit_version": __version__,
        "target_url": config.target_url or (run.config.target_url if run else None),
        "embedded": config.embedded,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.started)),
        "duration_s": round(time.time() - state.started, 3),
        "requests_sent": run.target.budget.spent if run else 0,
        "chat_requests_sent": run.target.chat_budget.spent if run else 0,
        "request_budget": config.request_budget,
        "chat_budget": config.chat_budget,
        "examples": config.examples,
        "seed": config.seed,
    }
    state.result = aggregate(
        state.spec, state.records, config.profiles, meta, stopped=state.stopped
    )
    state.report = write_reports(state.result, config, state.redactor)
    if state.other_items == 0 and exitstatus in (0, 1):
        session.exitstatus = state.result.exit_code


def result_of(config: pytest.Config) -> RunResult | None:
    """The run's result after the session, for front doors that run pytest in-process."""
    state = config.stash.get(STATE, None)
    return state.result if state else None


def report_of(config: pytest.Config) -> dict[str, Any] | None:
    """The run's report data (redacted, inert), what the CLI's summary renders."""
    state = config.stash.get(STATE, None)
    return state.report if state else None
