"""The pytest plugin: inert elsewhere, collection rules, requirement selection, public API."""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path
from typing import cast

import pytest

import arouter_conformance
from arouter_conformance import cli, plugin
from arouter_conformance.config import resolve_config
from arouter_conformance.options import OPTIONS
from tests.targets import REPO, pytest_subprocess


def test_with_a_target_only_the_suites_are_collected_wherever_pytest_starts(tmp_path: Path) -> None:
    for cwd in (REPO, tmp_path):
        done = pytest_subprocess("--co", "-q", "--target-url", "http://127.0.0.1:9/v1", cwd=cwd)
        assert "test_models.py::test_ids_are_unique" in done.stdout
        assert "test_plugin.py" not in done.stdout


def test_requirement_selects_the_tests_that_check_it() -> None:
    done = pytest_subprocess(
        "--co",
        "-q",
        "--target-url",
        "http://127.0.0.1:9/v1",
        "--conformance-requirement",
        "SORT-NEWEST-001",
    )
    assert done.stdout.count("::") == 1
    assert "test_sort.py::test_newest" in done.stdout


def test_unknown_requirements_and_bad_urls_are_usage_errors() -> None:
    done = pytest_subprocess(
        "--co", "--target-url", "http://127.0.0.1:9/v1", "--conformance-requirement", "NOPE-001"
    )
    assert done.returncode == 4
    assert "no requirement 'NOPE-001'" in done.stderr
    done = pytest_subprocess("--co", "--target-url", "nonsense")
    assert done.returncode == 4
    assert "--target-url" in done.stderr


def test_the_plugin_is_inert_in_other_projects(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text("def test_other():\n    assert True\n")
    done = pytest_subprocess("-q", cwd=tmp_path)
    assert done.returncode == 0
    assert "1 passed" in done.stdout


def test_public_api_is_what_all_says() -> None:
    for name in arouter_conformance.__all__:
        assert getattr(arouter_conformance, name) is not None, name
    assert sorted(arouter_conformance.__all__) == list(arouter_conformance.__all__)
    assert dir(arouter_conformance) == sorted(arouter_conformance.__all__)
    assert set(arouter_conformance._EXPORTS) | {"__version__"} == set(arouter_conformance.__all__)


def test_unrelated_sessions_do_not_import_the_kit(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text(
        "import sys\n"
        "def test_other():\n"
        "    heavy = {'arouter_conformance.spec', 'arouter_conformance.session', 'httpx'}\n"
        "    assert not heavy & set(sys.modules)\n"
    )
    done = pytest_subprocess("-q", "-p", "no:schemathesis", "-p", "no:respx", cwd=tmp_path)
    assert done.returncode == 0, done.stdout


def test_a_project_with_its_own_generic_options_still_runs(tmp_path: Path) -> None:
    """The kit is installed beside projects that have options of these names already."""
    (tmp_path / "conftest.py").write_text(
        "def pytest_addoption(parser):\n"
        "    for name in ('--profile', '--manifest', '--examples', '--seed', '--json'):\n"
        "        parser.addoption(name, default='mine')\n"
    )
    (tmp_path / "test_own.py").write_text(
        "def test_own(pytestconfig):\n"
        "    assert pytestconfig.getoption('profile') == 'fast'\n"
        "    assert pytestconfig.getoption('seed') == 'mine'\n"
    )
    done = pytest_subprocess("-q", "--profile", "fast", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


class _Recorder:
    """Stands in for pytest's option group: records the flags the plugin adds."""

    def __init__(self) -> None:
        self.flags: set[str] = set()

    def getgroup(self, *args: str) -> _Recorder:
        return self

    def addoption(self, *names: str, **attrs: object) -> None:
        self.flags.update(names)


def test_both_front_doors_build_their_options_from_one_table() -> None:
    recorder = _Recorder()
    plugin.pytest_addoption(cast(pytest.Parser, recorder))
    run = next(
        action.choices["run"]
        for action in cli._parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    cli_flags = {flag for action in run._actions for flag in action.option_strings}
    keywords = set(inspect.signature(resolve_config).parameters)
    for option in OPTIONS:
        assert option.flag("pytest") in recorder.flags
        assert option.flag("cli") in cli_flags
        assert option.feeds in keywords
        assert option.flag("pytest") in {"--target-url", f"--conformance-{option.name}"}
    assert len(recorder.flags) == len(OPTIONS)
    assert cli_flags - {o.flag("cli") for o in OPTIONS} == {"-h", "--help", "-v", "--verbose"}
