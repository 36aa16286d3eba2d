"""Every single-defect target fails exactly the requirements it names, and nothing else.

The tables live in models_mutants.py and chat_mutants.py; each row is one small override
of the reference server, so the tables are the documentation of what the kit catches.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.battery import chat_mutants, models_mutants
from tests.battery.harness import Verdict
from tests.battery.mutants import Mutant, check_mutant


@pytest.mark.parametrize(
    "mutant", [m.param() for m in (*models_mutants.MUTANTS, *chat_mutants.MUTANTS)]
)
def test_mutant_fails_exactly_its_requirements(
    mutant: Mutant, judged: Callable[..., Verdict]
) -> None:
    check_mutant(mutant, judged)
