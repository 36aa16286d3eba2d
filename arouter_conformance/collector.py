"""The pytest adapter onto the engine: one pytest session's items become the engine's
planned tests, its test reports become records, and its end the engine's `finish`.

The pytest plugin creates a Collector only when a session judges a target, so the many
test sessions that merely have the kit installed never pay for importing it.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Sequence
from typing import Any, cast

import pytest

from arouter_conformance.client import BudgetExhausted
from arouter_conformance.config import RunConfig, resolve_config
from arouter_conformance.engine import Engine, Observer, PlannedTest
from arouter_conformance.errors import ConfigError, RunError, TargetError
from arouter_conformance.evidence import inert
from arouter_conformance.findings import ConformanceFailure, Inconclusive, Ledger
from arouter_conformance.options import settings
from arouter_conformance.reports import ReportWriter, check_writable
from arouter_conformance.results import RunResult, Status, SuiteRecord
from arouter_conformance.session import Run
from arouter_conformance.spec import load_spec
from arouter_conformance.speculation import Body

__all__ = ["Collector"]


class Collector:
    def __init__(
        self,
        config: pytest.Config,
        given: RunConfig | None = None,
        observers: Sequence[Observer] = (),
    ) -> None:
        """`given`: the configuration a front door resolved already (the CLI's), else the
        prefixed pytest options are read; `observers`: that front door's listeners."""
        self.pytest_config = config
        self.spec = load_spec()
        self.suite_items = 0
        self.other_items = 0
        self._given = given
        self._observers = tuple(observers)
        self._engine: Engine | None = None
        self._durations: dict[str, float] = {}
        self.writer: ReportWriter | None = None

    def config(self) -> RunConfig:
        """The run's configuration; a bad one is a usage error."""
        return self.engine.config

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                config = self._given or resolve_config(
                    self.spec, **settings(self.pytest_config.getoption, "pytest"), front="pytest"
                )
                check_writable(config.outputs)
            except ConfigError as exc:
                raise pytest.UsageError(str(exc)) from None
            # A front door that resolved the configuration brings its own report writer
            # among its observers; under pytest alone the adapter writes them.
            given = [o for o in self._observers if isinstance(o, ReportWriter)]
            self.writer = given[0] if given else ReportWriter(config.reports)
            observers = self._observers if given else (self.writer, *self._observers)
            self._engine = Engine(self.spec, config, observers)
        return self._engine

    @property
    def result(self) -> RunResult | None:
        return self._engine.result if self._engine else None

    @property
    def report(self) -> dict[str, Any] | None:
        return self.writer.data if self.writer else None

    # ------------------------------------------------------------------ collection
    def selection(self) -> set[str]:
        return self.engine.selection()

    def prepare(self, suites: list[pytest.Item], others: int, ids: Any) -> None:
        """Every suite test checks catalogued requirements of one profile; unclaimed skip."""
        self.suite_items, self.other_items = len(suites), others
        claimed = set(self.config().profiles)
        planned = []
        for item in suites:
            marked = ids(item)
            if not marked:
                raise pytest.UsageError(f"{item.nodeid} carries no requirement marker")
            profiles = {self.spec.requirement(i).profile for i in marked}
            if len(profiles) != 1:
                raise pytest.UsageError(f"{item.nodeid} mixes profiles {sorted(profiles)}")
            profile = profiles.pop()
            if profile not in claimed:
                item.add_marker(pytest.mark.skip(reason=f"profile {profile} not claimed"))
            planned.append(
                PlannedTest(
                    item.nodeid,
                    profile,
                    tuple(marked),
                    body=_body(item) if profile in claimed else None,
                )
            )
        self.engine.plan(planned)

    # ------------------------------------------------------------------ the run
    @contextlib.contextmanager
    def opened(self) -> Iterator[Run]:
        try:
            with self.engine.opened() as run:
                yield run
        except (RunError, ConfigError) as exc:
            pytest.exit(str(exc), returncode=exc.exit_code)

    # ------------------------------------------------------------------ records
    def record(
        self,
        item: pytest.Item,
        requirements: tuple[str, ...],
        call: pytest.CallInfo[None],
        report: pytest.TestReport,
        book: Ledger | None,
    ) -> None:
        """Redact what pytest will show, and keep the test's outcome when it is decided,
        with what its checks judged (`book`, None when the test never ran its body)."""
        redactor = self.engine.redactor
        if isinstance(report.longrepr, tuple):
            path, line, reason = report.longrepr
            report.longrepr = (path, line, inert(redactor.text(reason)))
        elif report.longrepr is not None:
            report.longrepr = inert(redactor.text(str(report.longrepr)))
        report.sections = [(name, inert(redactor.text(text))) for name, text in report.sections]
        self._durations[item.nodeid] = self._durations.get(item.nodeid, 0.0) + report.duration
        if report.when == "teardown":
            self.engine.test_done(item.nodeid, self._durations.pop(item.nodeid))
        if report.when != "call" and (report.when != "setup" or report.passed):
            return
        status, error = _classify(call, report)
        failure = error if isinstance(error, ConformanceFailure) else None
        notes = getattr(error, "__notes__", None) or []
        self.engine.record(
            SuiteRecord(
                nodeid=item.nodeid,
                requirements=requirements,
                outcome=status,
                findings=tuple(failure.findings) if failure else (),
                complete=failure.complete if failure else True,
                reason=error if isinstance(error, str) else _reason(error),
                example="\n".join(n for n in notes if _is_example(n)) or None,
                duration=report.duration,
                judged=frozenset(book.judged) if book else frozenset(),
                unjudgeable=dict(book.unjudgeable) if book else {},
                inapplicable=dict(book.inapplicable) if book else {},
                blocked_by=error.blocked_by if isinstance(error, Inconclusive) else None,
                broke=_reason(error.__cause__) if failure and not failure.complete else None,
            )
        )

    def finish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.suite_items:
            return
        if exitstatus not in (0, 1):
            self.engine.stop(f"the run stopped early (pytest exit status {exitstatus})")
        result = self.engine.finish()
        if self.other_items == 0 and exitstatus in (0, 1):
            session.exitstatus = result.exit_code


def _body(item: pytest.Item) -> Body | None:
    """The test as a function of the run alone, which is what the suites' tests are; a
    test that asks for other fixtures is not run ahead of its turn."""
    function = getattr(item, "obj", None)
    if not callable(function) or list(inspect.signature(function).parameters) != ["run"]:
        return None
    return cast(Body, function)


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
    if isinstance(error, Inconclusive):
        return (Status.BLOCKED if error.blocked_by else Status.INCONCLUSIVE), error
    return Status.ERROR, error


def _reason(error: Any) -> str | None:
    if error is None or isinstance(error, ConformanceFailure):
        return None
    if isinstance(error, (TargetError, BudgetExhausted, Inconclusive)):
        return str(error)
    if isinstance(error, AssertionError):
        return str(error).splitlines()[0][:500] if str(error) else "assertion failed"
    return f"{type(error).__name__}: {str(error)[:500]}"


def _is_example(note: str) -> bool:
    """Hypothesis's note naming the smallest failing input (worded differently by version)."""
    return note.startswith(("Falsifying", "Failing test case")) or "example" in note.lower()
