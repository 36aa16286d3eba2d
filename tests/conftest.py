"""Shared fixtures of the kit's own tests, and Hypothesis profiles.

CI sets HYPOTHESIS_PROFILE=ci: derandomized, so a red build is the same red build on every
rerun. Locally the default profile keeps exploring.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from arouter_conformance.spec import Spec, load_spec

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec()


@pytest.fixture(autouse=True)
def _no_ci_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs inside tests must not append to the real CI job's summary."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
