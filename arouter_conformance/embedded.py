"""The embedded target: the reference server on a free 127.0.0.1 port for one run.

Its claims are known rather than declared: it requires a key for listing, uses the all-of
rule for several parameters, and its aliases, restricted key and providers come from the
reference server itself. `reference_claims` writes them as a manifest document, for
anyone who serves the reference server and judges it through the front doors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import reference_server
from arouter_conformance.config import RunConfig
from arouter_conformance.manifest import parse_manifest
from arouter_conformance.spec import load_spec

__all__ = ["embedded_target", "reference_claims"]


def reference_claims(
    target_url: str, *, api_key_env: str | None = None, restricted_key_env: str | None = None
) -> dict[str, Any]:
    """The reference server's claims as a manifest document (keys by variable name only)."""
    document: dict[str, Any] = {
        "target_url": target_url,
        "listing_requires_auth": True,
        "aliases": dict(reference_server.Catalog.default().aliases),
        "supported_parameters_match": "all",
        "auto_model": load_spec().contract.auto_model,
    }
    if api_key_env:
        document["api_key_env"] = api_key_env
    if restricted_key_env:
        document["restricted"] = {
            "api_key_env": restricted_key_env,
            "providers": list(reference_server.RESTRICTED_PROVIDERS),
        }
    return document


@contextlib.contextmanager
def embedded_target(config: RunConfig) -> Iterator[RunConfig]:
    """`config` pointed at a freshly started reference server, for as long as it runs."""
    app = reference_server.create_app()
    with reference_server.serve_in_thread(app) as origin:
        claims = reference_claims(f"{origin}/v1", restricted_key_env="REFERENCE_RESTRICTED")
        manifest = parse_manifest(claims, list(load_spec().profiles))
        yield replace(
            config,
            target_url=manifest.target_url,
            api_key=reference_server.DEMO_KEY,
            restricted_key=reference_server.RESTRICTED_KEY,
            manifest=replace(manifest, profiles=config.manifest.profiles),
        )
