"""Every option of a run, defined once, for both front doors.

The CLI and the pytest plugin build their options from `OPTIONS`, so a flag cannot exist
at one door and not the other, or mean something different at each. Under pytest every
option but `--target-url` carries the `--conformance-` prefix: the plugin is loaded in
every pytest session of a project where the kit is installed, and a generic name
(`--profile`, `--seed`) would collide with that project's own options or plugins.

Kept free of the kit's other modules: the plugin imports it in sessions that never judge
a target.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

__all__ = [
    "OPTIONS",
    "PYTEST_PREFIX",
    "Front",
    "Option",
    "add_cli_options",
    "add_pytest_options",
    "settings",
    "spelled",
]

Front = Literal["cli", "pytest"]
PYTEST_PREFIX = "conformance-"


class _Adder(Protocol):
    def addoption(self, *names: str, **attrs: Any) -> None: ...


@dataclass(frozen=True)
class Option:
    name: str  # the CLI's long name, without the dashes
    feeds: str  # the resolve_config keyword it is passed as
    help: str
    group: str  # the CLI's argument group
    type: Callable[[str], Any] | None = None
    metavar: str | None = None
    repeatable: bool = False
    switch: bool = False  # present or not, takes no value
    unprefixed: bool = False  # known under pytest by the CLI's name

    def flag(self, front: Front) -> str:
        prefix = "" if front == "cli" or self.unprefixed else PYTEST_PREFIX
        return f"--{prefix}{self.name}"

    def dest(self, front: Front) -> str:
        return self.flag(front)[2:].replace("-", "_")

    def attributes(self) -> dict[str, Any]:
        if self.switch:
            return {"action": "store_true", "help": self.help}
        attrs: dict[str, Any] = {"help": self.help, "metavar": self.metavar}
        if self.type is not None:
            attrs["type"] = self.type
        if self.repeatable:
            attrs["action"] = "append"
        return attrs


OPTIONS: tuple[Option, ...] = (
    Option(
        "target-url",
        "target_url",
        "API root with its version prefix, e.g. https://host/api/v1",
        "target",
        metavar="URL",
        unprefixed=True,
    ),
    Option(
        "api-key",
        "api_key",
        "API key (default: the manifest's api_key_env, else $AROUTER_API_KEY)",
        "target",
        metavar="KEY",
    ),
    Option(
        "manifest",
        "manifest_path",
        "YAML file with the target's claims",
        "target",
        type=Path,
        metavar="FILE",
    ),
    Option(
        "header",
        "headers",
        "'Name: value' sent on every request to the target (repeatable); the value is "
        "treated as a secret",
        "target",
        metavar="'NAME: VALUE'",
        repeatable=True,
    ),
    Option(
        "profile",
        "profiles",
        "a profile the target claims (repeatable; default: the manifest's, else every "
        "profile but the optional ones, which are claimed only by name)",
        "target",
        metavar="NAME",
        repeatable=True,
    ),
    Option(
        "requirement",
        "requirements",
        "check only this requirement (repeatable), e.g. to re-run one failure",
        "target",
        metavar="ID",
        repeatable=True,
    ),
    Option(
        "chat-model",
        "chat_model",
        "the model to chat with when the list gives no pricing or architecture to choose by",
        "target",
        metavar="ID",
    ),
    Option("json", "report_json", "write the JSON report here", "reports", Path, "FILE"),
    Option("html", "report_html", "write the HTML report here", "reports", Path, "FILE"),
    Option("junit", "report_junit", "write JUnit XML here", "reports", Path, "FILE"),
    Option(
        "badge",
        "report_badge",
        "write an SVG badge here: how many claimed profiles pass",
        "reports",
        Path,
        "FILE.svg",
    ),
    Option(
        "har",
        "report_har",
        "write every exchange of the run here as HAR 1.2 (redacted like the reports)",
        "reports",
        Path,
        "FILE",
    ),
    Option(
        "baseline",
        "baseline",
        "known failures: a YAML file of requirement ids accepted as unmet, with reasons; "
        "exit 0 when they are all that is unmet",
        "known failures",
        Path,
        "FILE",
    ),
    Option(
        "update-baseline",
        "update_baseline",
        "rewrite the baseline file named by the option above from this run (the reasons "
        "already written are kept)",
        "known failures",
        switch=True,
    ),
    Option(
        "request-budget",
        "request_budget",
        "most requests in all (default 1000)",
        "budget and speed",
        int,
        "N",
    ),
    Option(
        "chat-budget",
        "chat_budget",
        "most chat requests (default 30)",
        "budget and speed",
        int,
        "N",
    ),
    Option("no-chat", "no_chat", "send no chat requests at all", "budget and speed", switch=True),
    Option(
        "endpoint-models",
        "endpoint_models",
        "how many listed models' endpoints are asked for (default 8: priced text models and "
        "the cheapest of each other output); 0: every listed model, about two requests each "
        "(its path and its links.details), so thousands on a large catalog",
        "budget and speed",
        int,
        "N",
    ),
    Option(
        "examples",
        "examples",
        "Hypothesis examples per property (default 20)",
        "budget and speed",
        int,
        "N",
    ),
    Option(
        "seed",
        "seed",
        "explore other examples, reproducibly, with this seed",
        "budget and speed",
        int,
        "N",
    ),
    Option(
        "concurrency",
        "concurrency",
        "requests in flight at most (default 6 for a target on another machine, 1 on this "
        "one, which sends one request after another); the verdicts are those of 1",
        "budget and speed",
        int,
        "N",
    ),
    Option(
        "timeout",
        "timeout",
        "seconds to wait for each answer (default 15)",
        "budget and speed",
        float,
        "SECONDS",
    ),
)
_BY_NAME = {option.name: option for option in OPTIONS}


def spelled(name: str, front: Front) -> str:
    """How the option the CLI calls `--name` is written at `front`, for messages."""
    return _BY_NAME[name].flag(front)


def add_cli_options(parser: argparse.ArgumentParser, names: Collection[str] | None = None) -> None:
    """Every option, or those `names` lists (a command that needs a few of them)."""
    groups: dict[str, argparse._ArgumentGroup] = {}
    for option in OPTIONS if names is None else [_BY_NAME[name] for name in names]:
        if option.group not in groups:
            groups[option.group] = parser.add_argument_group(option.group)
        groups[option.group].add_argument(option.flag("cli"), **option.attributes())


def add_pytest_options(group: _Adder) -> None:
    for option in OPTIONS:
        group.addoption(option.flag("pytest"), **option.attributes())


def settings(get: Callable[[str], Any], front: Front) -> dict[str, Any]:
    """The resolve_config keywords from parsed options; `get` reads one by its dest."""
    return {option.feeds: _value(option, get(option.dest(front))) for option in OPTIONS}


def _value(option: Option, value: Any) -> Any:
    if option.repeatable:
        return tuple(value or ())
    if option.switch:
        return bool(value)
    return value
