"""Where the real model-list snapshots live: ../shared/data beside the repository.

They are not part of the project (their prose belongs to others), so tests that read them
skip, saying why, when they are absent; AROUTER_SHARED_DATA points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("AROUTER_SHARED_DATA", REPO.parent / "shared" / "data"))
ALL_2026_08 = "openrouter_models_2026-08-19_output_modalities_all_anuran-roy.json"


def missing_reason(name: str) -> str:
    return (
        f"real snapshot {name} not found under {SHARED_DATA} "
        "(set AROUTER_SHARED_DATA to the folder holding the snapshots)"
    )


def shared_snapshot(name: str) -> Path:
    """The snapshot's path, or a skip of the calling test that says why it is missing."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(missing_reason(name))
    return path
