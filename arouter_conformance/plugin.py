"""The pytest entry point (pytest11), kept thin: options, the `requirement` marker, the
`run` and `target` fixtures, and hooks that hand over to `collector.Collector`.

Inert and cheap in other projects' test sessions: the kit's modules are imported only
once a session collects conformance suites or is given a target to judge.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from arouter_conformance.client import Target
    from arouter_conformance.collector import Collector
    from arouter_conformance.results import RunResult
    from arouter_conformance.session import Run

SUITES = Path(__file__).resolve().parent / "suites"
MARKER = "requirement"
STATE = pytest.StashKey["Collector"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("arouter-conformance", "gateway conformance (arouter-conformance)")
    group.addoption("--target-url", help="API root of the gateway, e.g. https://host/api/v1")
    group.addoption(
        "--api-key", help="API key (default: the manifest's api_key_env, else $AROUTER_API_KEY)"
    )
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


def _judging(config: pytest.Config) -> bool:
    return bool(config.getoption("target_url") or config.getoption("manifest"))


def _collector(config: pytest.Config) -> Collector:
    if STATE not in config.stash:
        from arouter_conformance.collector import Collector

        config.stash[STATE] = Collector(config)
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


def pytest_report_header(config: pytest.Config) -> str | None:
    if not _judging(config):
        return None
    from arouter_conformance.config import chat_notice

    return chat_notice(_collector(config).config())


def _is_suite(item: pytest.Item) -> bool:
    return SUITES in Path(str(item.path)).resolve().parents


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    return tuple(i for mark in item.iter_markers(MARKER) for i in mark.args)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    wanted = set(config.getoption("requirement") or ())
    if wanted:
        _collector(config).check_requirements(wanted)
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
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if _is_suite(item):
        _collector(item.config).record(item, requirement_ids(item), call, report)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if STATE in session.config.stash:
        session.config.stash[STATE].finish(session, exitstatus)


def result_of(config: pytest.Config) -> RunResult | None:
    """The run's result after the session, for front doors that run pytest in-process."""
    return config.stash[STATE].result if STATE in config.stash else None


def report_of(config: pytest.Config) -> dict[str, Any] | None:
    """The run's report data (redacted, inert), what the CLI's summary renders."""
    return config.stash[STATE].report if STATE in config.stash else None
