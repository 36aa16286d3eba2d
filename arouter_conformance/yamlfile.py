"""Reading a YAML file a person wrote (the manifest, the baseline), with errors that name the
file and the line, never a traceback and never the text of the line (it may hold a key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["read_yaml"]


def read_yaml(path: Path, what: str, error: type[ValueError]) -> Any:
    """The document in `path`, the `what` of the messages (`manifest`, `baseline`); any
    failure is an `error` in one line. A missing file is `FileNotFoundError`, left to the
    caller, for which an absent file may be fine."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8 text") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise error(f"{what} {path} is not valid YAML{where}") from None
