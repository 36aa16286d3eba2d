"""Data flows one way: spec -> checks -> engine -> reports -> front doors. A module may
import from its own layer or a lower one, never from a higher one; this test reads every
module's imports (those inside functions too) and names any that goes up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "arouter_conformance"

# The layers, lowest first; a module is placed by its longest listed dotted prefix.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "contract",  # the catalog and the plain values everything else passes around
        frozenset(
            {
                "spec",
                "errors",
                "exchange",
                "findings",
                "redact",
                "yamlfile",
                "options",
                "determinism",
                "files",
            }
        ),
    ),
    ("checks", frozenset({"checks", "oracle", "strategies", "speclevel"})),
    (
        "engine",  # a run: configuration, target, records, result; observing traffic
        frozenset(
            {
                "client",
                "traffic",
                "evidence",
                "manifest",
                "known",
                "config",
                "planning",
                "session",
                "interop",
                "results",
                "engine",
                "embedded",
                "observe",
            }
        ),
    ),
    ("reports", frozenset({"reports"})),
    (
        "front doors",
        frozenset(
            {
                "cli",
                "plugin",
                "collector",
                "terminal",
                "diff",
                "ci",
                "suites",
                "__main__",
                "__init__",
            }
        ),
    ),
)


def layer_of(module: str) -> int:
    """The layer of `module` (dotted, relative to the package)."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        for rank, (_, members) in enumerate(LAYERS):
            if prefix in members:
                return rank
    raise AssertionError(f"arouter_conformance.{module} is in no layer: add it to LAYERS")


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        found.append((".".join(relative.parts), path))
    return found


def imported(path: Path) -> set[str]:
    """The package modules `path` imports, relative to the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "arouter_conformance":
                names.update(alias.name for alias in node.names if alias.name != "__version__")
            elif node.module.startswith("arouter_conformance."):
                names.add(node.module.removeprefix("arouter_conformance."))
        elif isinstance(node, ast.Import):
            names.update(
                alias.name.removeprefix("arouter_conformance.")
                for alias in node.names
                if alias.name.startswith("arouter_conformance.")
            )
    return names


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_no_module_imports_from_a_higher_layer(module: str, path: Path) -> None:
    own = layer_of(module)
    upward = sorted(
        f"{name} ({LAYERS[layer_of(name)][0]})" for name in imported(path) if layer_of(name) > own
    )
    assert upward == [], f"{module} ({LAYERS[own][0]}) imports upward: {', '.join(upward)}"


def test_the_guard_sees_an_upward_import(tmp_path: Path) -> None:
    """The control: a checks module that imported the CLI would be named."""
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from arouter_conformance.cli import main\n")
    assert imported(module) == {"cli"}
    assert layer_of("cli") > layer_of("checks.chat")
