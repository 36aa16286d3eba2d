"""The battery of the providers profile: its single-defect targets and its fair targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_server import Endpoints, create_app
from tests.battery.harness import battery_catalog, keyless_as_demo, labelled_text
from tests.battery.mutants import Fair, Mutant, wrapped


def served(cls: type[Endpoints]) -> Callable[[], Any]:
    return lambda: create_app(battery_catalog(), endpoints=cls)


class ProviderWithoutPrivacyPolicy(Endpoints):
    def provider(self, slug: str) -> dict[str, Any]:
        entry = super().provider(slug)
        del entry["privacy_policy_url"]
        return entry


class DatacentersAsOneString(Endpoints):
    def provider(self, slug: str) -> dict[str, Any]:
        entry = super().provider(slug)
        return {**entry, "datacenters": ",".join(entry["datacenters"])}


class ProvidersWithASharedSlug(Endpoints):
    """The first provider listed twice, under another display name."""

    def providers(self) -> list[dict[str, Any]]:
        listed = super().providers()
        return [*listed, {**listed[0], "name": listed[0]["name"] + " (EU)"}]


MUTANTS: list[Mutant] = [
    Mutant(
        "provider-without-privacy-policy",
        ("PROVIDERS-SHAPE-001",),
        served(ProviderWithoutPrivacyPolicy),
    ),
    Mutant(
        "provider-datacenters-as-a-string", ("PROVIDERS-SHAPE-001",), served(DatacentersAsOneString)
    ),
    Mutant(
        "providers-labelled-text",
        ("PROVIDERS-SHAPE-001",),
        wrapped(labelled_text(lambda path: path.endswith("/providers"))),
    ),
    # R20 gives /providers the listing's keys: the models profile's auth probe reads it.
    Mutant(
        "providers-served-without-a-key",
        ("MODELS-AUTH-001",),
        wrapped(keyless_as_demo("/providers")),
        quiet=("PROVIDERS-SHAPE-001",),
    ),
    Mutant(
        "providers-with-a-shared-slug",
        ("PROVIDERS-UNIQUE-001",),
        served(ProvidersWithASharedSlug),
        quiet=("PROVIDERS-SHAPE-001",),
    ),
]


class RequiredKeysOnly(Endpoints):
    """Each provider with the three keys R20 requires, the privacy policy a URL."""

    def provider(self, slug: str) -> dict[str, Any]:
        entry = super().provider(slug)
        return {
            "name": entry["name"],
            "slug": slug,
            "privacy_policy_url": f"https://{slug}.example/privacy",
        }


class OneUpstream(Endpoints):
    """A gateway in front of one provider lists that one: no two slugs can be shared."""

    def providers(self) -> list[dict[str, Any]]:
        return super().providers()[:1]


class NullExtras(Endpoints):
    def provider(self, slug: str) -> dict[str, Any]:
        return {**super().provider(slug), "headquarters": None, "datacenters": None}


FAIR: list[Fair] = [
    Fair(
        "providers-required-keys-only",
        served(RequiredKeysOnly),
        ("providers",),
        ("PROVIDERS-SHAPE-001", "PROVIDERS-UNIQUE-001"),
    ),
    Fair(  # PROVIDERS-UNIQUE-001 is not applicable (skipped), neither failed nor open
        "providers-of-one-upstream",
        served(OneUpstream),
        ("providers",),
        ("PROVIDERS-SHAPE-001",),
    ),
    Fair(
        "providers-null-extras",
        served(NullExtras),
        ("providers",),
        ("PROVIDERS-SHAPE-001", "PROVIDERS-UNIQUE-001"),
        prefix="/api/v1",
    ),
]
