"""Run configuration: flags over environment over manifest, refused with one-line reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from arouter_conformance.config import (
    DEFAULT_CONCURRENCY,
    ConfigError,
    chat_notice,
    resolve_config,
    secret_notices,
)
from arouter_conformance.spec import Spec


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    return path


def test_no_url_means_the_embedded_server_and_every_profile(spec: Spec) -> None:
    config = resolve_config(spec, env={})
    assert config.embedded
    assert config.profiles == tuple(spec.profiles)


def test_a_named_target_is_judged_by_the_optional_profiles_only_when_it_claims_them(
    spec: Spec, tmp_path: Path
) -> None:
    optional = {name for name, profile in spec.profiles.items() if profile.optional}
    core = tuple(name for name in spec.profiles if name not in optional)
    remote = resolve_config(spec, target_url="http://gw.example/v1", env={})
    assert remote.profiles == core
    asked = resolve_config(
        spec, target_url="http://gw.example/v1", requirements=["PAGE-SIZE-001"], env={}
    )
    assert asked.profiles == (*core, "pagination")
    named = resolve_config(spec, target_url="http://gw.example/v1", profiles=["endpoints"], env={})
    assert named.profiles == ("endpoints",)
    claimed = write(tmp_path, "target_url: http://m/v1\nprofiles: [models, providers]\n")
    assert resolve_config(spec, manifest_path=claimed, env={}).profiles == ("models", "providers")
    also = resolve_config(spec, manifest_path=claimed, requirements=["PAGE-SIZE-001"], env={})
    assert also.profiles == ("models", "providers", "pagination")
    recorded = resolve_config(spec, env={}, sends=False)
    assert recorded.profiles == core


def test_flags_win_then_the_manifest_then_the_environment(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "target_url: http://m/v1\napi_key_env: MINE\nprofiles: [sort]\n")
    env = {"AROUTER_API_KEY": "from-env", "MINE": "from-manifest"}
    config = resolve_config(spec, manifest_path=path, env=env)
    assert (config.target_url, config.api_key, config.profiles) == (
        "http://m/v1",
        "from-manifest",
        ("sort",),
    )
    config = resolve_config(
        spec,
        target_url="http://f/v1/",
        api_key="flag",
        profiles=["count"],
        manifest_path=path,
        env=env,
    )
    assert (config.target_url, config.api_key, config.profiles) == (
        "http://f/v1",
        "flag",
        ("count",),
    )
    plain = write(tmp_path, "target_url: http://m/v1\n")
    assert resolve_config(spec, manifest_path=plain, env=env).api_key == "from-env"


def test_no_chat_drops_the_profile_and_the_budget(spec: Spec) -> None:
    config = resolve_config(spec, no_chat=True, env={})
    assert "chat" not in config.profiles
    assert config.chat_budget == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_url": "not a url"}, "--target-url"),
        ({"profiles": ["nope"]}, "--profile: unknown profile 'nope'"),
        ({"profiles": ["sort", "count", "sort"]}, "--profile: 'sort' is given twice"),
        ({"request_budget": -1}, "--request-budget must not be negative"),
        ({"endpoint_models": -1}, "--endpoint-models must not be negative"),
        ({"timeout": 0}, "--timeout must be positive"),
        ({"concurrency": 0}, "--concurrency must be at least 1"),
    ],
)
def test_bad_flags_are_refused(spec: Spec, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_config(spec, env={}, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "default"),
    [
        (None, 1),
        ("http://127.0.0.1:8080/v1", 1),
        ("http://localhost:8080/v1", 1),
        ("https://gateway.example/api/v1", DEFAULT_CONCURRENCY),
    ],
)
def test_requests_overlap_by_default_only_for_a_target_far_away(
    spec: Spec, url: str | None, default: int
) -> None:
    assert resolve_config(spec, env={}, target_url=url).concurrency == default
    assert resolve_config(spec, env={}, target_url=url, concurrency=2).concurrency == 2


def test_a_key_variable_that_is_not_set_is_named(spec: Spec, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "target_url: http://m/v1\nrestricted: {api_key_env: RESTRICTED, providers: [openai]}\n",
    )
    with pytest.raises(ConfigError, match=r"restricted\.api_key_env' names RESTRICTED"):
        resolve_config(spec, manifest_path=path, env={})


def test_a_remote_run_says_how_many_chat_requests_it_may_send(spec: Spec) -> None:
    remote = resolve_config(spec, target_url="https://gateway.example/v1", env={})
    notice = chat_notice(remote)
    assert notice is not None
    assert "at most 30 chat requests" in notice
    assert chat_notice(resolve_config(spec, target_url="http://127.0.0.1:9/v1", env={})) is None
    assert (
        chat_notice(resolve_config(spec, target_url="https://g.example/v1", no_chat=True, env={}))
        is None
    )
    only_sort = resolve_config(spec, target_url="https://g.example/v1", profiles=["sort"], env={})
    assert chat_notice(only_sort) is None
    sdk = resolve_config(
        spec, target_url="https://g.example/v1", profiles=["openrouter-sdk"], env={}
    )
    assert chat_notice(sdk) is not None  # the SDK profile chats too


def test_headers_come_from_flags_and_the_manifest_and_secrets_are_masked(
    spec: Spec, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "target_url: http://m/v1\nchat_model: m/chat\n"
        "headers: {X-Portkey-Provider: {env: PROVIDER}, X-Team: blue, X-Route: old}\n",
    )
    config = resolve_config(
        spec,
        manifest_path=path,
        headers=["X-Route: from-the-flag", "X-Extra:  spaced  "],
        env={"PROVIDER": "provider-secret"},
    )
    sent = {h.name: h.value for h in config.headers}
    assert sent == {
        "X-Portkey-Provider": "provider-secret",
        "X-Team": "blue",
        "X-Route": "from-the-flag",
        "X-Extra": "spaced",
    }
    assert {"provider-secret", "from-the-flag", "spaced"} <= set(config.secrets)
    assert "blue" not in config.secrets  # a literal in the file is not a secret
    assert "provider-secret" not in repr(config)
    assert config.chat_model == "m/chat"
    named = resolve_config(spec, manifest_path=path, chat_model="m/flag", env={"PROVIDER": "p"})
    assert named.chat_model == "m/flag"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("no-colon-secret-value", "--header number 1 is not 'Name: value' (no colon)"),
        (": secret-value", "--header number 1 is not 'Name: value' (no name before the colon)"),
        ("Bad Name: secret-value", "--header 'Bad Name': not an HTTP header name"),
        ("Authorization: Bearer secret-value", "--header 'Authorization': the kit sends"),
        ("X-Ok: secret\x1bvalue", "--header 'X-Ok': the value must be printable ASCII"),
    ],
)
def test_a_malformed_header_is_named_without_its_value(
    spec: Spec, header: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        resolve_config(spec, headers=[header], env={})
    assert str(refused.value).startswith(message)
    assert "secret" not in str(refused.value)


def test_a_header_variable_that_is_not_set_is_named(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "target_url: http://m/v1\nheaders: {X-P: {env: PORTKEY_PROVIDER}}\n")
    with pytest.raises(ConfigError, match=r"'headers\.X-P' names PORTKEY_PROVIDER, which is not"):
        resolve_config(spec, manifest_path=path, env={})


def test_messages_name_the_flag_as_the_front_door_spells_it(spec: Spec) -> None:
    with pytest.raises(ConfigError, match=r"^--conformance-profile: unknown profile"):
        resolve_config(spec, profiles=["nope"], env={}, front="pytest")
    with pytest.raises(ConfigError, match=r"^--conformance-header number 1"):
        resolve_config(spec, headers=["nothing"], env={}, front="pytest")


def test_a_short_secret_header_value_is_warned_about_without_showing_it(spec: Spec) -> None:
    """`openai` from the environment would mask every model id that holds the word."""
    config = resolve_config(
        spec,
        headers=("X-Portkey-Provider: openai", "X-Portkey-Api-Key: pk-0123456789abcdef"),
        env={},
    )
    [notice] = secret_notices(config)
    assert notice.startswith("the value of header X-Portkey-Provider is 6 characters long")
    assert "openai" not in notice
