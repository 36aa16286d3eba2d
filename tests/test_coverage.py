"""The catalog and the suites cover each other exactly: every requirement is checked by a
test, and every test checks only catalogued requirements of one profile."""

from __future__ import annotations

import ast
from pathlib import Path

from arouter_conformance.plugin import SUITES
from arouter_conformance.spec import Spec


def marked_requirements() -> dict[str, set[str]]:
    """requirement id -> tests marked with it, read from the suite sources."""
    marked: dict[str, set[str]] = {}
    for path in sorted(SUITES.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Name)
                    and decorator.func.id == "requirement"
                ):
                    for arg in decorator.args:
                        assert isinstance(arg, ast.Constant)
                        marked.setdefault(str(arg.value), set()).add(f"{path.name}::{node.name}")
    return marked


def test_every_requirement_has_a_test(spec: Spec) -> None:
    missing = sorted(set(spec.requirements) - set(marked_requirements()))
    assert missing == []


def test_every_marker_names_a_catalogued_requirement(spec: Spec) -> None:
    unknown = sorted(set(marked_requirements()) - set(spec.requirements))
    assert unknown == []


def test_every_suite_test_carries_a_marker_of_one_profile(spec: Spec) -> None:
    for path in sorted(SUITES.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                ids = [
                    str(arg.value)
                    for d in node.decorator_list
                    if isinstance(d, ast.Call)
                    and isinstance(d.func, ast.Name)
                    and d.func.id == "requirement"
                    for arg in d.args
                    if isinstance(arg, ast.Constant)
                ]
                assert ids, f"{path.name}::{node.name} has no requirement marker"
                assert len({spec.requirement(i).profile for i in ids}) == 1, node.name


def test_suites_live_inside_the_package() -> None:
    assert Path(SUITES).is_dir()
    assert (SUITES / "__init__.py").is_file()
