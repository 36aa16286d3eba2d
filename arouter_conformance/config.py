"""What a run is asked to do: flags first, then the manifest, then the environment.

The CLI and the pytest plugin both build a `RunConfig` here, so they cannot disagree on
what a flag means, and both refuse a bad configuration with the same one-line message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from arouter_conformance.client import normalize_base_url
from arouter_conformance.errors import ConfigError
from arouter_conformance.known import load_known
from arouter_conformance.manifest import (
    FromEnv,
    Manifest,
    Restricted,
    load_manifest,
)
from arouter_conformance.options import Front, spelled
from arouter_conformance.spec import Spec

__all__ = [
    "CHAT_PROFILES",
    "DEFAULT_CHAT_BUDGET",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_ENDPOINT_MODELS",
    "DEFAULT_EXAMPLES",
    "DEFAULT_REQUEST_BUDGET",
    "ConfigError",
    "Header",
    "ReportPaths",
    "RunConfig",
    "chat_notice",
    "resolve_config",
    "secret_notices",
]

DEFAULT_REQUEST_BUDGET = 1000
DEFAULT_CHAT_BUDGET = 30
DEFAULT_EXAMPLES = 20
# GET /models/{author}/{slug}/endpoints for a handful of models shows a target's endpoint
# pages as well as all of them would, at a fixed cost however large the catalog.
DEFAULT_ENDPOINT_MODELS = 8
# For a target on another machine: as many connections as a browser opens to one origin,
# which hides most of the distance (benchmarks/bench_kit.py) and stays polite to a gateway
# that rate-limits. On this machine answers come back at once, and running tests ahead of
# their turn would only spend the CPU the checks need: one request at a time.
DEFAULT_CONCURRENCY = 6
KEY_ENV = "AROUTER_API_KEY"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# Profiles whose checks send chat requests (visibility, openrouter-sdk and user-models a few).
CHAT_PROFILES = frozenset({"chat", "openrouter-sdk", "user-models", "visibility"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_PRINTABLE = re.compile(r"[\t\x20-\x7e]*")


@dataclass(frozen=True)
class Header:
    """A header sent on every request to the target. `secret` values (from a flag or the
    environment) are masked wherever they could show; the manifest's literals are not."""

    name: str
    value: str = field(repr=False)
    secret: bool = True


@dataclass(frozen=True)
class ReportPaths:
    """Where a run's reports go (None: not asked for): all a report writer needs of the
    configuration."""

    json: Path | None = None
    html: Path | None = None
    junit: Path | None = None
    badge: Path | None = None
    har: Path | None = None


@dataclass(frozen=True)
class RunConfig:
    target_url: str | None  # None: the embedded reference server
    api_key: str | None = field(default=None, repr=False)
    restricted_key: str | None = field(default=None, repr=False)
    manifest: Manifest = field(default_factory=Manifest)
    profiles: tuple[str, ...] = ()
    request_budget: int = DEFAULT_REQUEST_BUDGET
    chat_budget: int = DEFAULT_CHAT_BUDGET
    examples: int = DEFAULT_EXAMPLES
    endpoint_models: int = DEFAULT_ENDPOINT_MODELS  # 0: every listed model
    seed: int | None = None
    concurrency: int = 1
    timeout: float = 15.0
    report_json: Path | None = None
    report_html: Path | None = None
    report_junit: Path | None = None
    report_badge: Path | None = None
    report_har: Path | None = None
    baseline: Path | None = None  # the known-failures file
    known: Mapping[str, str] = field(default_factory=dict)  # its entries: id -> reason
    update_baseline: bool = False
    headers: tuple[Header, ...] = ()
    requirements: tuple[str, ...] = ()  # empty: every requirement of the claimed profiles
    chat_model: str | None = None
    front: Front = "cli"  # the door the run came through, so messages name its flags

    @property
    def embedded(self) -> bool:
        return self.target_url is None

    @property
    def secrets(self) -> tuple[str | None, ...]:
        return (
            self.api_key,
            self.restricted_key,
            *(header.value for header in self.headers if header.secret),
        )

    def flag(self, name: str) -> str:
        """The option the CLI calls `--name`, as this run's front door spells it."""
        return spelled(name, self.front)

    @property
    def reports(self) -> ReportPaths:
        return ReportPaths(
            self.report_json,
            self.report_html,
            self.report_junit,
            self.report_badge,
            self.report_har,
        )

    @property
    def outputs(self) -> tuple[Path | None, ...]:
        """Every file the run writes, so a front door can refuse an unwritable one first."""
        return (
            self.report_json,
            self.report_html,
            self.report_junit,
            self.report_badge,
            self.report_har,
            self.baseline if self.update_baseline else None,
        )


def _claims(
    spec: Spec, said: Sequence[str], requirements: Sequence[str], *, everything: bool
) -> tuple[str, ...]:
    """The profiles a run claims: those `said` (--profile, else the manifest's), else every
    profile on the embedded server, which serves them all, and on a named target the
    profiles the seeds describe; plus, in every case, an optional profile (beyond the
    seeds) a `--requirement` names, since asking for it is claiming it."""
    claimed = tuple(said) or tuple(
        name for name, profile in spec.profiles.items() if everything or not profile.optional
    )
    named = {spec.requirements[i].profile for i in requirements}
    return claimed + tuple(
        name
        for name, profile in spec.profiles.items()
        if profile.optional and name in named and name not in claimed
    )


def _env_value(name: str, env: Mapping[str, str], what: str, needed: bool = True) -> str | None:
    value = env.get(name)
    if not value and needed:
        raise ConfigError(f"manifest key '{what}' names {name}, which is not set")
    return value or None


def _headers(
    flags: Sequence[str],
    manifest: Manifest | None,
    env: Mapping[str, str],
    flag: str,
    sends: bool = True,
) -> tuple[Header, ...]:
    """The manifest's headers, then the flags' (a flag wins over the manifest's same name).

    A header value can be a gateway credential, so no message here shows one."""
    chosen: dict[str, Header] = {}
    for name, value in (manifest.headers if manifest else {}).items():
        if isinstance(value, FromEnv):
            secret = _env_value(value.env, env, f"headers.{name}", sends)
            if secret is None:
                continue  # not sent by a run that sends nothing: nothing to mask either
            header = Header(name, secret)
        else:
            header = Header(name, value, secret=False)
        chosen[name.lower()] = _checked(header, f"manifest key 'headers.{name}'")
    for number, raw in enumerate(flags, 1):
        name, colon, value = raw.partition(":")
        name = name.strip()
        if not colon or not name:
            missing = "colon" if not colon else "name before the colon"
            raise ConfigError(f"{flag} number {number} is not 'Name: value' (no {missing})")
        chosen[name.lower()] = _checked(Header(name, value.strip()), f"{flag} {name!r}")
    return tuple(chosen.values())


def _checked(header: Header, where: str) -> Header:
    if not _TOKEN.fullmatch(header.name):
        raise ConfigError(f"{where}: not an HTTP header name")
    if header.name.lower() == "authorization":
        raise ConfigError(f"{where}: the kit sends Authorization itself; pass the key as the key")
    if not _PRINTABLE.fullmatch(header.value):
        raise ConfigError(f"{where}: the value must be printable ASCII on one line")
    return header


def resolve_config(
    spec: Spec,
    *,
    target_url: str | None = None,
    api_key: str | None = None,
    manifest_path: Path | None = None,
    headers: Sequence[str] = (),
    profiles: Sequence[str] = (),
    requirements: Sequence[str] = (),
    chat_model: str | None = None,
    no_chat: bool = False,
    request_budget: int | None = None,
    chat_budget: int | None = None,
    examples: int | None = None,
    endpoint_models: int | None = None,
    seed: int | None = None,
    concurrency: int | None = None,
    timeout: float | None = None,
    report_json: Path | None = None,
    report_html: Path | None = None,
    report_junit: Path | None = None,
    report_badge: Path | None = None,
    report_har: Path | None = None,
    baseline: Path | None = None,
    update_baseline: bool = False,
    env: Mapping[str, str] | None = None,
    front: Front = "cli",
    sends: bool = True,
) -> RunConfig:
    """The run `front` was asked for; every option is named as `front` spells it. `sends`
    is False for a door that only judges traffic it is given (`judge`): the keys and header
    values the manifest takes from the environment then only mask the reports, so one that
    is not set is left out rather than refused."""
    env = os.environ if env is None else env

    def flag(name: str) -> str:
        return spelled(name, front)

    manifest = load_manifest(manifest_path, list(spec.profiles)) if manifest_path else None
    url = target_url or (manifest.target_url if manifest else None)
    if url is not None:
        try:
            url = normalize_base_url(url)
        except ValueError as exc:
            raise ConfigError(f"--target-url: {exc}") from None
    repeated = next((p for i, p in enumerate(profiles) if p in profiles[:i]), None)
    if repeated:
        raise ConfigError(f"{flag('profile')}: {repeated!r} is given twice; name it once")
    unknown = [p for p in profiles if p not in spec.profiles]
    if unknown:
        raise ConfigError(
            f"{flag('profile')}: unknown profile {unknown[0]!r} (known: {', '.join(spec.profiles)})"
        )
    missing = next((i for i in requirements if i not in spec.requirements), None)
    if missing:
        raise ConfigError(f"{flag('requirement')}: no requirement {missing!r} in the catalog")
    said = tuple(profiles) or (manifest.profiles if manifest and manifest.profiles else ())
    claimed = _claims(spec, said, requirements, everything=sends and url is None)
    if no_chat:
        claimed = tuple(p for p in claimed if p != "chat")
    for name, value in (
        ("request-budget", request_budget),
        ("chat-budget", chat_budget),
        ("examples", examples),
        ("endpoint-models", endpoint_models),
    ):
        if value is not None and value < 0:
            raise ConfigError(f"{flag(name)} must not be negative")
    if concurrency is not None and concurrency < 1:
        raise ConfigError(f"{flag('concurrency')} must be at least 1")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"{flag('timeout')} must be positive")
    if update_baseline and baseline is None:
        raise ConfigError(f"{flag('update-baseline')} needs {flag('baseline')} FILE")
    known = load_known(baseline, spec, missing_ok=update_baseline) if baseline else {}
    if chat_model is None and manifest:
        chat_model = manifest.chat_model
    if chat_model is not None and not chat_model.strip():
        raise ConfigError(f"{flag('chat-model')} must not be empty")
    # The manifest names the variable for this very target, so it beats the generic one.
    key = api_key or (
        _env_value(manifest.api_key_env, env, "api_key_env", sends)
        if manifest and manifest.api_key_env
        else None
    )
    key = key or env.get(KEY_ENV) or None
    restricted: Restricted | None = manifest.restricted if manifest else None
    restricted_key = (
        _env_value(restricted.api_key_env, env, "restricted.api_key_env", sends)
        if restricted and restricted.api_key_env
        else None
    )
    return RunConfig(
        target_url=url,
        api_key=key,
        restricted_key=restricted_key,
        manifest=replace(manifest, target_url=url) if manifest else Manifest(target_url=url),
        profiles=claimed,
        request_budget=DEFAULT_REQUEST_BUDGET if request_budget is None else request_budget,
        chat_budget=0 if no_chat else (DEFAULT_CHAT_BUDGET if chat_budget is None else chat_budget),
        examples=DEFAULT_EXAMPLES if examples is None else examples,
        endpoint_models=DEFAULT_ENDPOINT_MODELS if endpoint_models is None else endpoint_models,
        seed=seed,
        concurrency=concurrency or (1 if _on_this_machine(url) else DEFAULT_CONCURRENCY),
        timeout=15.0 if timeout is None else timeout,
        report_json=report_json,
        report_html=report_html,
        report_junit=report_junit,
        report_badge=report_badge,
        report_har=report_har,
        baseline=baseline,
        known=known,
        update_baseline=update_baseline,
        headers=_headers(headers, manifest, env, flag("header"), sends),
        requirements=tuple(dict.fromkeys(requirements)),
        chat_model=chat_model.strip() if chat_model else None,
        front=front,
    )


SHORT_SECRET = 12


def _on_this_machine(url: str | None) -> bool:
    """The embedded server (no URL) or a loopback address."""
    return url is None or urlsplit(url).hostname in LOOPBACK


def secret_notices(config: RunConfig) -> list[str]:
    """A secret header value short enough to be an ordinary word (a provider name, say) is
    masked wherever it appears, model ids and profile names included, and the reports lose
    their sense: say so before the run, never showing the value."""
    return [
        f"the value of header {header.name} is {len(header.value)} characters long and kept "
        "secret: it is masked wherever it appears in reports and logs, model ids included; "
        "a value that is not a secret belongs in the manifest's headers as a literal"
        for header in config.headers
        if header.secret and len(header.value) < SHORT_SECRET
    ]


def chat_notice(config: RunConfig) -> str | None:
    """What a run against a remote target may spend on chat, said before it starts."""
    if _on_this_machine(config.target_url) or config.chat_budget == 0:
        return None
    if not CHAT_PROFILES & set(config.profiles):
        return None
    return (
        f"{config.target_url} is not on this machine; this run sends at most "
        f"{config.chat_budget} chat requests (--chat-budget N to change, --no-chat for none)"
    )
