"""The GitHub Action's run step (`action.yml` at the repository root).

    python -m arouter_conformance.ci

The composite action hands its inputs over as environment variables (`CONFORMANCE_*`,
below), never as `${{ }}` text inside a script, which a crafted input could turn into
shell code. This module turns them into one `arouter-conformance run` that writes the
JSON, HTML and JUnit reports (and the badge, when asked) into the reports folder, runs
it, and writes the step's outputs to `$GITHUB_OUTPUT`: the exit code, the verdict and
the report paths. The kit itself appends its Markdown summary to `$GITHUB_STEP_SUMMARY`;
when a run ends before any report (bad input, unreachable target), a line here says so.

The key is never on the command line, where process lists and logs would show it: the
input `api-key-env` names the variable the caller set from its secret, and its value
reaches the kit as `$AROUTER_API_KEY` in the kit's environment. `--api-key` in the extra
arguments is refused.

The exit status is the kit's (0, 1 or 2; 2 as well for input this step refuses). The
action ignores it here and fails the job with it in its last step, after the reports
are uploaded.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from arouter_conformance.config import KEY_ENV
from arouter_conformance.errors import ConfigError
from arouter_conformance.redact import MASK
from arouter_conformance.reports.markdown_report import escape

__all__ = ["ENV", "InputError", "Plan", "main", "plan", "shown"]

PREFIX = "CONFORMANCE_"
# The action's inputs, as the variables the run step sets (input `target-url` is
# CONFORMANCE_TARGET_URL, and so on).
ENV = (
    "TARGET_URL",
    "MANIFEST",
    "PROFILES",
    "BASELINE",
    "API_KEY_ENV",
    "BADGE",
    "ARGS",
    "REPORTS_DIR",
)
DEFAULT_REPORTS_DIR = "conformance-reports"
REPORT_FILES = {
    "report-json": ("--json", "report.json"),
    "report-html": ("--html", "report.html"),
    "report-junit": ("--junit", "report.junit.xml"),
}
BADGE_FILE = "badge.svg"
# pass, known, fail, inconclusive, error: any such word the report holds is passed on.
_VERDICT = re.compile(r"[a-z]+(?:-[a-z]+)*")
# Flags the extra arguments may not carry: the key (it would show in logs), and the
# reports the action writes and uploads itself.
_REFUSED = {
    "--api-key": "pass the key through the environment variable named by api-key-env",
    "--json": "the action writes report.json into reports-dir",
    "--html": "the action writes report.html into reports-dir",
    "--junit": "the action writes report.junit.xml into reports-dir",
    "--badge": 'set the input badge to "true" (badge.svg in reports-dir)',
    # A gate: rewriting the baseline from the run it judges would accept every new failure.
    "--update-baseline": "update the baseline file with the kit outside the gate and commit it",
}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0", ""})
_SECRET_FLAGS = frozenset({"--header"})  # their values are kept secret, like the key


class InputError(ConfigError):
    """An input the action cannot use; the message names the input."""


@dataclass(frozen=True)
class Plan:
    argv: tuple[str, ...]  # after `arouter-conformance`
    env: dict[str, str]  # the kit's whole environment
    reports: dict[str, Path]  # output name -> where the kit is asked to write it
    notes: tuple[str, ...]  # warnings for the log


def _input(environ: Mapping[str, str], name: str) -> str:
    return environ.get(PREFIX + name, "").strip()


def _switch(text: str, name: str) -> bool:
    word = text.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InputError(f'input {name}: expected "true" or "false", not {text!r}')


def _extra_args(text: str) -> list[str]:
    try:
        words = shlex.split(text)
    except ValueError as exc:  # an unclosed quote
        raise InputError(f"input args: {exc}") from None
    for word in words:
        name = word.split("=", 1)[0]
        if not name.startswith("--") or len(name) < 3:
            continue
        # argparse takes an unambiguous prefix for the whole flag (--api for --api-key).
        refused = next((flag for flag in _REFUSED if flag.startswith(name)), None)
        if refused:
            raise InputError(f"input args: {refused} is not accepted here: {_REFUSED[refused]}")
    return words


def _key_env(environ: Mapping[str, str], target: bool) -> tuple[dict[str, str], list[str]]:
    """The kit's environment: the caller's, with the key copied to $AROUTER_API_KEY."""
    name = _input(environ, "API_KEY_ENV") or KEY_ENV
    if not _ENV_NAME.match(name):
        raise InputError(
            f"input api-key-env: {name!r} is not an environment variable name; it names the "
            "variable that holds the key, not the key"
        )
    env = dict(environ)
    value = environ.get(name, "")
    notes = []
    if value:
        env[KEY_ENV] = value
    elif target:
        notes.append(
            f"the variable {name} (input api-key-env) is empty or not set, so no key is sent "
            "unless the manifest's api_key_env names another; pull requests from forks "
            "get no secrets"
        )
    return env, notes


def plan(environ: Mapping[str, str]) -> Plan:
    """The run the action's inputs in `environ` ask for; InputError for one it refuses."""
    reports_dir = Path(_input(environ, "REPORTS_DIR") or DEFAULT_REPORTS_DIR)
    argv = ["run"]
    reports: dict[str, Path] = {}
    for output, (flag, filename) in REPORT_FILES.items():
        reports[output] = reports_dir / filename
        argv += [flag, str(reports[output])]
    if _switch(_input(environ, "BADGE"), "badge"):
        reports["badge"] = reports_dir / BADGE_FILE
        argv += ["--badge", str(reports["badge"])]
    target_url = _input(environ, "TARGET_URL")
    manifest = _input(environ, "MANIFEST")
    if target_url:
        argv += ["--target-url", target_url]
    if manifest:
        argv += ["--manifest", manifest]
    for profile in re.split(r"[\s,]+", _input(environ, "PROFILES")):
        if profile:
            argv += ["--profile", profile]
    baseline = _input(environ, "BASELINE")
    if baseline:
        argv += ["--baseline", baseline]
    argv += _extra_args(_input(environ, "ARGS"))
    env, notes = _key_env(environ, bool(target_url or manifest))
    return Plan(tuple(argv), env, reports, tuple(notes))


def _shown_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{MASK}@{host}"))


def shown(argv: Sequence[str]) -> str:
    """`argv` as a command line for the log: header values and URL credentials masked."""
    words: list[str] = []
    secret_next = False
    for word in argv:
        name, eq, value = word.partition("=")
        if secret_next:
            word = MASK
        elif eq and name in _SECRET_FLAGS:
            word = f"{name}={MASK}"
        elif eq and name.startswith("--") and "://" in value:
            word = f"{name}={_shown_url(value)}"
        elif "://" in word:
            word = _shown_url(word)
        secret_next = word in _SECRET_FLAGS
        words.append(word)
    return shlex.join(words)


def _verdict(path: Path, code: int) -> str:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    verdict = data.get("verdict") if isinstance(data, dict) else None
    if isinstance(verdict, str) and len(verdict) <= 32 and _VERDICT.fullmatch(verdict):
        return verdict
    return "error" if code else "pass"


def _write_outputs(outputs: Mapping[str, str], environ: Mapping[str, str]) -> None:
    """Append `outputs` to $GITHUB_OUTPUT (nothing outside a GitHub Actions step)."""
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as file:
        for name, value in outputs.items():
            delimiter = f"ghadelimiter_{uuid.uuid4().hex}"  # a value cannot end the block
            file.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def _summary_line(text: str, environ: Mapping[str, str]) -> None:
    target = environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as file:
            file.write(text + "\n\n")


def _annotate(kind: str, message: str, environ: Mapping[str, str]) -> None:
    """A warning or error: an annotation in GitHub Actions, a plain line elsewhere."""
    if environ.get("GITHUB_ACTIONS") == "true":
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::{kind} title=arouter-conformance::{message}", flush=True)
    else:
        print(f"arouter-conformance action: {kind}: {message}", file=sys.stderr, flush=True)


def main(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        run = plan(environ)
    except InputError as exc:
        _annotate("error", str(exc), environ)
        _write_outputs({"exit-code": "2", "verdict": "error"}, environ)
        _summary_line(
            f"### arouter-conformance: ERROR\n\nThe action refused its input: {escape(str(exc))}",
            environ,
        )
        return 2
    for note in run.notes:
        _annotate("warning", note, environ)
    print(f"arouter-conformance {shown(run.argv)}", flush=True)
    for path in run.reports.values():
        # Files an earlier run left here (the action twice in a job, a reused workspace)
        # would be read and uploaded as this run's if this one stopped before writing.
        path.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "arouter_conformance", *run.argv], env=run.env, check=False
    )
    code = done.returncode
    if code not in (0, 1, 2):
        _annotate("error", f"the kit ended with status {code}", environ)
        code = 2
    json_report = run.reports["report-json"]
    if not json_report.is_file():
        _summary_line(
            f"### arouter-conformance: ERROR\n\nThe run ended before any report (exit code "
            f"{code}); the log of the step that ran it says why.",
            environ,
        )
    outputs = {"exit-code": str(code), "verdict": _verdict(json_report, code), "badge": ""}
    for name, path in run.reports.items():
        outputs[name] = str(path) if path.is_file() else ""
    _write_outputs(outputs, environ)
    return code


if __name__ == "__main__":
    sys.exit(main())
