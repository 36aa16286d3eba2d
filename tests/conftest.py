"""Shared fixtures of the kit's own tests."""

from __future__ import annotations

import pytest

from arouter_conformance.spec import Spec, load_spec


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec()
