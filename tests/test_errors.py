"""One exception hierarchy: everything the kit raises on purpose is a KitError, which the
CLI turns into one line and an exit code in one place."""

from __future__ import annotations

import pytest

from arouter_conformance.ci import InputError
from arouter_conformance.cli import main as cli_main
from arouter_conformance.client import BudgetExhausted, TargetTooSlow
from arouter_conformance.diff import DiffError
from arouter_conformance.errors import ConfigError, KitError, RunError, TargetError
from arouter_conformance.files import ReportError
from arouter_conformance.known import BaselineError
from arouter_conformance.manifest import ManifestError
from arouter_conformance.spec import SpecError


@pytest.mark.parametrize(
    "error",
    [ConfigError, ManifestError, BaselineError, ReportError, DiffError, InputError],
)
def test_every_usage_error_is_a_config_error(error: type[Exception]) -> None:
    assert issubclass(error, ConfigError)
    assert issubclass(error, KitError)


@pytest.mark.parametrize(
    "error", [SpecError, RunError, TargetError, TargetTooSlow, BudgetExhausted]
)
def test_every_other_error_of_the_kit_is_a_kit_error(error: type[Exception]) -> None:
    assert issubclass(error, KitError)


def test_the_cli_ends_a_kit_error_with_one_line_and_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Unusual(KitError):
        exit_code = 3

    def refuse(args: object) -> int:
        raise Unusual("a reason, on one line")

    monkeypatch.setattr("arouter_conformance.cli.run_command", refuse)
    assert cli_main(["run"]) == 3
    assert capsys.readouterr().err == "arouter-conformance: a reason, on one line\n"
