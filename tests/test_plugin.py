"""The pytest plugin: inert elsewhere, collection rules, requirement selection, public API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import arouter_conformance

REPO = Path(__file__).resolve().parent.parent


def pytest_run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_with_a_target_only_the_suites_are_collected_wherever_pytest_starts(tmp_path: Path) -> None:
    for cwd in (REPO, tmp_path):
        done = pytest_run("--co", "-q", "--target-url", "http://127.0.0.1:9/v1", cwd=cwd)
        assert "test_models.py::test_ids_are_unique" in done.stdout
        assert "test_plugin.py" not in done.stdout


def test_requirement_selects_the_tests_that_check_it() -> None:
    done = pytest_run(
        "--co", "-q", "--target-url", "http://127.0.0.1:9/v1", "--requirement", "SORT-NEWEST-001"
    )
    assert done.stdout.count("::") == 1
    assert "test_sort.py::test_newest" in done.stdout


def test_unknown_requirements_and_bad_urls_are_usage_errors() -> None:
    done = pytest_run("--co", "--target-url", "http://127.0.0.1:9/v1", "--requirement", "NOPE-001")
    assert done.returncode == 4
    assert "no requirement 'NOPE-001'" in done.stderr
    done = pytest_run("--co", "--target-url", "nonsense")
    assert done.returncode == 4
    assert "--target-url" in done.stderr


def test_the_plugin_is_inert_in_other_projects(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text("def test_other():\n    assert True\n")
    done = pytest_run("-q", cwd=tmp_path)
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
    done = pytest_run("-q", "-p", "no:schemathesis", "-p", "no:respx", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
