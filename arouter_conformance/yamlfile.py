"""Reading a YAML file a person wrote (the manifest, the baseline), with errors that name the
file and the line, never a traceback and never the text of the line (it may hold a key).

A key written twice is refused: YAML keeps the last one without a word, so a second
`known:` block would silently drop the first, or a second `target_url` judge another
gateway than the one the first names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["read_yaml"]


class _Twice(ValueError):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(f"the key {key!r} is written twice (line {line})")


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping that holds a key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    raise _Twice(key, key_node.start_mark.line + 1)
                seen.add(key)
        return super().construct_mapping(node, deep)


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
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _Twice as twice:
        raise error(f"{what} {path}: {twice}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise error(f"{what} {path} is not valid YAML{where}") from None
