"""Fixtures of the battery: the `judged` callable and a heap that stays cheap to collect."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Imported before the heap is frozen, so that the objects they create are frozen too.
import arouter_conformance.interop
import arouter_conformance.speclevel
import reference_server
from tests.battery.harness import Switchboard, Verdict, judge

PRELOADED = (arouter_conformance.interop, arouter_conformance.speclevel)


@pytest.fixture(scope="session", autouse=True)
def _frozen_heap() -> Iterator[None]:
    """Every judged run ends with pytest's own `gc.collect()` passes (its unraisable-exception
    cleanup), and each pass walks every object of schemathesis, hypothesis and both SDKs:
    about 0.8 s a run, most of the battery's time. Freezing the long-lived heap once takes
    those objects out of every later pass; nothing the runs create is kept alive by it."""
    reference_server.Catalog.default()
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[Switchboard, str]]:
    """One reference-server socket for the session; each test plugs its app in."""
    switchboard = Switchboard()
    with reference_server.serve_in_thread(switchboard) as origin:
        yield switchboard, origin


@pytest.fixture
def judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[Switchboard, str]
) -> Callable[..., Verdict]:
    """`judged(app, requirements=..., profiles=..., **manifest)`: the CLI's verdict on `app`."""
    return functools.partial(judge, tmp_path=tmp_path, monkeypatch=monkeypatch, server=server)
