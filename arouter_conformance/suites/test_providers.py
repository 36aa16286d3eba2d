"""Profile providers: GET /providers, asked once (the GET memo answers the second test)."""

from __future__ import annotations

import pytest

from arouter_conformance.checks import providers
from arouter_conformance.findings import require
from arouter_conformance.session import Run

requirement = pytest.mark.requirement


@requirement("PROVIDERS-SHAPE-001")
def test_providers_have_their_shape(run: Run) -> None:
    _, findings = providers.providers_of(
        run.spec, "PROVIDERS-SHAPE-001", run.target.get("/providers")
    )
    require(findings)


@requirement("PROVIDERS-UNIQUE-001")
def test_provider_slugs_are_unique(run: Run) -> None:
    exchange = run.target.get("/providers")
    listed, findings = providers.providers_of(run.spec, "PROVIDERS-UNIQUE-001", exchange)
    require(findings or providers.unique_slugs(exchange, listed or []))
