"""The battery of the user-models profile: its single-defect targets and its fair targets."""

from __future__ import annotations

from tests.battery.mutants import Fair, Mutant

MUTANTS: list[Mutant] = []
FAIR: list[Fair] = []
