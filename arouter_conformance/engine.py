"""One conformance run, whatever drives it: the object that owns the configuration, the
target, the test records, the result and the reports, and tells its observers how it goes.

Nothing here knows pytest. The pytest plugin (`collector.Collector`) is an adapter: it turns
collected items into `PlannedTest`s and test reports into `SuiteRecord`s and hands them
over; the CLI hands the engine its observers (the terminal's progress, the receiver of the
result). The path of a run: `plan` (what will be judged), `opened` (the target and the
baseline, once), `record` and `test_done` per test, `finish` (statuses, the baseline file
when asked, the reports, then `Observer.finished`).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from arouter_conformance import __version__
from arouter_conformance.config import RunConfig
from arouter_conformance.evidence import inert
from arouter_conformance.files import write_text
from arouter_conformance.known import render_known, updated_known
from arouter_conformance.redact import Redactor
from arouter_conformance.results import RunResult, RunStats, SuiteRecord, aggregate
from arouter_conformance.session import Run, open_run
from arouter_conformance.spec import Spec
from arouter_conformance.speculation import Body, ahead
from arouter_conformance.traffic import Traffic

__all__ = ["Engine", "Observer", "PlannedTest"]


@dataclass(frozen=True)
class PlannedTest:
    """A test the run will carry out: the requirements it judges, all of one profile."""

    nodeid: str
    profile: str
    requirements: tuple[str, ...]
    # The test itself, when it may be run ahead of its turn (`speculation.py`); None for
    # a test that will not run (an unclaimed profile).
    body: Body | None = field(default=None, compare=False, repr=False)


class Observer:
    """What a front door wants to hear of a run; every method is optional (a no-op here)."""

    def planned(self, tests: Sequence[PlannedTest], claimed: frozenset[str]) -> None:
        """The tests the run will carry out, before the first one starts."""

    def test_done(self, test: PlannedTest, duration: float) -> None:
        """A test finished (all its phases), in `duration` seconds."""

    def finished(self, result: RunResult, redactor: Redactor, traffic: Traffic | None) -> None:
        """The run's result, the redactor every output must pass through, and the recorded
        traffic (None unless a HAR was asked for). The reports are written by an observer
        (`reports.ReportWriter`): the engine sits below the report formats."""


class Engine:
    def __init__(self, spec: Spec, config: RunConfig, observers: Sequence[Observer] = ()) -> None:
        self.spec = spec
        self.config = config
        self.observers = tuple(observers)
        self.tests: dict[str, PlannedTest] = {}
        self.done: set[str] = set()  # node ids of the tests the run has carried out
        self.records: list[SuiteRecord] = []
        self.run: Run | None = None
        self.result: RunResult | None = None
        self.stopped: str | None = None  # why the run ended early, when it did
        self.unsteady: str | None = None  # how the target's catalog changed during the run
        self.started = time.time()
        # Every request, kept only for a HAR report: the engine owns it, so even the first
        # request of a run that cannot start is recorded.
        self.traffic = (
            Traffic(header.name for header in config.headers if header.secret)
            if config.report_har
            else None
        )

    @property
    def redactor(self) -> Redactor:
        return self.run.redactor if self.run else Redactor(self.config.secrets)

    def selection(self) -> set[str]:
        """The requirements asked for with --requirement, and those they need: a failed
        prerequisite must be seen to block them rather than leave them unjudged."""
        chosen = self.config.requirements
        return {*chosen, *(need for rid in chosen for need in self.spec.prerequisites(rid))}

    def plan(self, tests: Sequence[PlannedTest]) -> None:
        self.tests = {test.nodeid: test for test in tests}
        claimed = frozenset(self.config.profiles)
        for observer in self.observers:
            observer.planned(tests, claimed)

    @contextlib.contextmanager
    def opened(self) -> Iterator[Run]:
        """The target, opened once for the whole run; `RunError` or `ConfigError` when the
        run cannot start (the reason is kept: the report tells a broken run apart)."""
        try:
            with (
                _fewer_collections(),
                open_run(self.spec, self.config, traffic=self.traffic) as run,
            ):
                self.run = run
                bodies = [(t.nodeid, t.body) for t in self.tests.values() if t.body]
                # The real pass is one of the `concurrency` askers; the others run ahead.
                with ahead(run, bodies, self.config.concurrency - 1, self.done):
                    yield run
                if not self.stopped:
                    self.unsteady = run.unsteady()
        except Exception as exc:
            self.stopped = self.stopped or str(exc)
            raise

    def record(self, record: SuiteRecord) -> None:
        self.records.append(record)

    def test_done(self, nodeid: str, duration: float) -> None:
        self.done.add(nodeid)
        test = self.tests.get(nodeid)
        if test is not None:
            for observer in self.observers:
                observer.test_done(test, duration)

    def stop(self, reason: str) -> None:
        self.stopped = self.stopped or reason

    def stats(self) -> RunStats:
        config, run = self.config, self.run
        return RunStats(
            kit_version=__version__,
            target_url=config.target_url or (run.config.target_url if run else None),
            embedded=config.embedded,
            started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            duration_s=round(time.time() - self.started, 3),
            requests_sent=run.target.budget.spent if run else 0,
            chat_requests_sent=run.target.chat_budget.spent if run else 0,
            request_budget=config.request_budget,
            chat_budget=config.chat_budget,
            examples=config.examples,
            seed=config.seed,
            concurrency=config.concurrency,
            stopped=self.stopped,
            unsteady=self.unsteady,
            baseline=str(config.baseline) if config.baseline else None,
            # A run that stopped early does not rewrite the baseline: what it did not reach
            # would be listed as known failures.
            baseline_updated=bool(config.update_baseline and config.baseline and not self.stopped),
        )

    def finish(self) -> RunResult:
        """Statuses from the records, the baseline rewritten when asked; then the observers
        (the reports among them) hear of the result."""
        config = self.config
        stats = self.stats()
        judge = partial(
            aggregate,
            self.spec,
            self.records,
            config.profiles,
            stats,
            stopped=self.stopped,
            selected=config.requirements,
        )
        result = judge(known=config.known)
        if stats.baseline_updated and config.baseline:
            # Judged again against the file just written, so that the reports and the exit
            # code say what the next run with that file will say.
            redactor = self.redactor
            known = updated_known(
                result,
                config.known,
                lambda text: inert(redactor.text(text)),
                selected=self.selection() if config.requirements else (),
            )
            write_text(config.baseline, render_known(known))
            result = judge(known=known)
        self.result = result
        for observer in self.observers:
            observer.finished(result, self.redactor, self.traffic)
        return result


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The garbage collector runs a tenth as often while a run is open. Parsing a list
    makes hundreds of thousands of objects that live until its check is done, and every
    700 of them the default thresholds start a collection that finds nothing to free: a
    third of a 3,000-model run went there (10,000 models: 37 s -> 26 s, the same peak
    memory). The thresholds are the process's: under pytest, tests outside the kit that
    run while the run is open see them too; they come back when it closes."""
    before = gc.get_threshold()
    if before[0] == 0:  # the process turned automatic collection off: leave it off
        yield
        return
    gc.set_threshold(10_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
