"""The embedded target: the reference server on a free 127.0.0.1 port for one run.

Its claims are known, not declared by a manifest: it requires a key for listing, uses
the all-of rule for several parameters, and its aliases and restricted key come from
the reference server itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

import reference_server
from arouter_conformance.config import RunConfig
from arouter_conformance.manifest import Manifest, Restricted

__all__ = ["embedded_target"]


@contextlib.contextmanager
def embedded_target(config: RunConfig) -> Iterator[RunConfig]:
    """`config` pointed at a freshly started reference server, for as long as it runs."""
    catalog = reference_server.Catalog.default()
    app = reference_server.create_app(catalog=catalog)
    with reference_server.serve_in_thread(app) as origin:
        manifest = Manifest(
            target_url=f"{origin}/v1",
            listing_requires_auth=True,
            profiles=config.manifest.profiles,
            aliases=dict(catalog.aliases),
            supported_parameters_match="all",
            auto_model="auto",
            restricted=Restricted(tuple(reference_server.RESTRICTED_PROVIDERS)),
        )
        yield replace(
            config,
            target_url=manifest.target_url,
            api_key=reference_server.DEMO_KEY,
            restricted_key=reference_server.RESTRICTED_KEY,
            manifest=manifest,
        )
