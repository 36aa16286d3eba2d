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
                "once",
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
                "speculation",
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
    return imports_of(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).parent.parts)


def imports_of(source: str, here: tuple[str, ...]) -> set[str]:
    """The package modules `source` imports, relative imports resolved against `here`
    (the package folder the source sits in, as parts: `("checks",)`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = list(here[: len(here) - (node.level - 1)])
            if node.module:
                names.add(".".join([*base, node.module]))
            else:
                names.update(".".join([*base, alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
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


def test_the_guard_sees_an_upward_import() -> None:
    """The control: a checks module that imported the CLI would be named."""
    source = "def f():\n    from arouter_conformance.cli import main\n"
    assert imports_of(source, ("checks",)) == {"cli"}
    assert layer_of("cli") > layer_of("checks.chat")


# Within a layer too, some imports are wrong: each names a coupling the engine work undid.
FORBIDDEN = (
    ("terminal", "plugin"),  # the progress is an observer of the engine, not of pytest's stash
    ("terminal", "collector"),
)


def test_no_forbidden_import_within_a_layer() -> None:
    found = [
        (module, name)
        for module, path in modules()
        for name in imported(path)
        if (module, name) in FORBIDDEN
        or (module.startswith("suites.test_") and name.startswith("suites.test_"))
    ]
    assert found == [], "a suite imports another, or the terminal reads the plugin"


def test_relative_imports_are_seen() -> None:
    assert imports_of("from ..cli import main\nfrom . import chat\n", ("checks",)) == {
        "cli",
        "checks.chat",
    }
