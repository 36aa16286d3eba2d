"""The pytest entry point (pytest11), kept thin: options, the `requirement` marker, the
`run` and `target` fixtures, and hooks that hand over to `collector.Collector`.

Inert and cheap in other projects' test sessions: the kit's modules are imported only
once a session collects conformance suites or is given a target to judge.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from arouter_conformance.options import add_pytest_options

if TYPE_CHECKING:
    from arouter_conformance.client import Target
    from arouter_conformance.collector import Collector
    from arouter_conformance.config import RunConfig
    from arouter_conformance.engine import Observer
    from arouter_conformance.findings import Ledger
    from arouter_conformance.results import RunResult
    from arouter_conformance.session import Run

SUITES = Path(__file__).resolve().parent / "suites"
MARKER = "requirement"
STATE = pytest.StashKey["Collector"]()
GIVEN = pytest.StashKey["RunConfig"]()
OBSERVERS = pytest.StashKey["tuple[Observer, ...]"]()
LEDGER: pytest.StashKey[Ledger] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_pytest_options(
        parser.getgroup("arouter-conformance", "gateway conformance (arouter-conformance)")
    )


class Resolved:
    """A configuration a front door has already resolved (the CLI's), and the observers it
    wants on the run, handed to `pytest.main` as a plugin so that the run's flags are
    parsed once, not re-serialised."""

    def __init__(self, config: RunConfig, observers: Sequence[Observer] = ()) -> None:
        self.config = config
        self.observers = tuple(observers)

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[GIVEN] = self.config
        config.stash[OBSERVERS] = self.observers


def _judging(config: pytest.Config) -> bool:
    return GIVEN in config.stash or bool(
        config.getoption("target_url") or config.getoption("conformance_manifest")
    )


def _collector(config: pytest.Config) -> Collector:
    if STATE not in config.stash:
        from arouter_conformance.collector import Collector

        observers: tuple[Observer, ...] = config.stash.get(OBSERVERS, ())
        config.stash[STATE] = Collector(config, config.stash.get(GIVEN, None), observers)
    return config.stash[STATE]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*ids): catalog requirements a conformance test checks"
    )
    if _judging(config):
        _collector(config).config()  # a bad flag or manifest stops here, as a usage error
        # Judging a target means running the suites, wherever pytest was started, unless
        # the command line names what to collect.
        if config.args_source is not pytest.Config.ArgsSource.ARGS:
            config.args = [str(SUITES)]


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not _judging(config):
        return []
    from arouter_conformance.config import chat_notice, secret_notices

    resolved = _collector(config).config()
    return [n for n in [chat_notice(resolved), *secret_notices(resolved)] if n]


def _is_suite(item: pytest.Item) -> bool:
    return SUITES in Path(str(item.path)).resolve().parents


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    return tuple(i for mark in item.iter_markers(MARKER) for i in mark.args)


@pytest.hookimpl(trylast=True)  # after -k, -m and --deselect: what is planned is what runs
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    asked = _judging(config) or config.getoption("conformance_requirement")
    wanted = _collector(config).selection() if asked else set()
    keep = [
        item
        for item in items
        if (_is_suite(item) or not _judging(config))
        and (not wanted or wanted & set(requirement_ids(item)))
    ]
    if len(keep) != len(items):
        kept = set(keep)
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = keep
    suites = [item for item in items if _is_suite(item)]
    if suites:
        _collector(config).prepare(suites, len(items) - len(suites), requirement_ids)


@pytest.fixture(scope="session")
def run(request: pytest.FixtureRequest) -> Iterator[Run]:
    """The conformance run: target, claims, baseline, budgets."""
    with _collector(request.config).opened() as opened:
        yield opened


@pytest.fixture(scope="session")
def target(run: Run) -> Target:
    """The run's HTTP client: base URL, keys by role, timeouts, Retry-After, budgets."""
    return run.target


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A conformance test's checks write what they judged into its own ledger."""
    if not _is_suite(item):
        return (yield)
    from arouter_conformance.findings import ledger

    with ledger() as book:
        item.stash[LEDGER] = book
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if _is_suite(item):
        _collector(item.config).record(
            item, requirement_ids(item), call, report, item.stash.get(LEDGER, None)
        )
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Under pytest, a known failure is a red test whose run still exits 0: say which ones
    the baseline accepted and which entries passed. The CLI prints its own summary."""
    report = report_of(config)
    if report is None or GIVEN in config.stash:
        return
    from arouter_conformance.terminal import baseline_lines

    width = config.get_terminal_writer().fullwidth
    lines = baseline_lines(report, lambda text, tone: text, width)
    verdict = f"{report['verdict']}, exit code {report['exit_code']}"
    terminalreporter.write_sep("=", f"arouter-conformance: {verdict}")
    for line in lines[1:] if lines else ():
        terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if STATE in session.config.stash:
        session.config.stash[STATE].finish(session, exitstatus)


def result_of(config: pytest.Config) -> RunResult | None:
    """The run's result after the session, for front doors that run pytest in-process."""
    return config.stash[STATE].result if STATE in config.stash else None


def report_of(config: pytest.Config) -> dict[str, Any] | None:
    """The run's report data (redacted, inert), what the CLI's summary renders."""
    return config.stash[STATE].report if STATE in config.stash else None
