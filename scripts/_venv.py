"""The maintenance scripts run with a bare `python3`: when the project's modules cannot be
imported, a script re-runs itself under `.venv` (which `python3 dev.py test` creates)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_venv(script: str, *modules: str) -> None:
    """Make the repository importable and `modules` with it, re-running `script` under
    .venv when they are not; without a usable .venv, exit with one line."""
    sys.path.insert(0, str(ROOT))
    try:
        for module in modules:
            importlib.import_module(module)
    except ImportError:
        python = ROOT / ".venv" / "bin" / "python"
        if not python.exists() or Path(sys.executable) == python:
            sys.exit(f"{script}: no usable .venv; run `python3 dev.py test` first")
        os.execv(python, [str(python), *sys.argv])  # noqa: S606 - this script, in .venv
