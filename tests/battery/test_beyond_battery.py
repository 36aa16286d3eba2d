"""The profiles beyond the seeds (ruling R17): each defect caught alone, each allowed choice
passed. The tables live beside this file, one module per profile."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.battery import (
    endpoints_battery,
    list_filters_battery,
    pagination_battery,
    providers_battery,
    user_models_battery,
)
from tests.battery.harness import Verdict
from tests.battery.mutants import Fair, Mutant, check_fair, check_mutant

TABLES = (
    endpoints_battery,
    user_models_battery,
    providers_battery,
    pagination_battery,
    list_filters_battery,
)


@pytest.mark.parametrize("mutant", [m.param() for t in TABLES for m in t.MUTANTS])
def test_mutant_fails_exactly_its_requirements(
    mutant: Mutant, judged: Callable[..., Verdict]
) -> None:
    check_mutant(mutant, judged)


@pytest.mark.parametrize("double", [d.param() for t in TABLES for d in t.FAIR])
def test_allowed_choice_passes(double: Fair, judged: Callable[..., Verdict]) -> None:
    check_fair(double, judged)
