"""GET /models/{author}/{slug}/endpoints and GET /providers (rulings R18 and R20).

The catalog says what a model is, not who serves it, so both answers are made from the
catalog's facts and `facts.py`'s deterministic draws:

- The providers are the catalog's authors (the id before the slash, `~` stripped), one
  entry each, sorted by slug; the display name is made from the slug, and the URLs are
  null (the reference server knows no provider's pages).
- A model's first endpoint is served by its author: the model's context_length (else the
  top provider's, else 0), the top provider's max_completion_tokens, the model's pricing
  and supported_parameters. Some models (never a router) have a second endpoint by
  another author, with a context no longer than the first's and prices 1-15% higher.
  Quantization, uptime and implicit caching are draws; latency and throughput percentiles
  grow from the catalog's hidden figures, null where the figure is.
- `{author}/{slug}` names a listed id (a variant or `~` row included) or a canonical_slug,
  which is what every row's links.details points at: the first model in catalog order
  with that canonical_slug and no `:variant`, else the first with it. So a variant row's
  link shows its base model, whose id is data.id. A model the key may not see is answered
  exactly like an unknown one (404), as lookup does.

Each rule is a method, so that a server with one defect is a subclass overriding one
(`create_app(endpoints=...)`). Answers are serialized once and cached, like the list's.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from reference_server import facts
from reference_server.auth import Visibility
from reference_server.catalog import Model, author_of
from reference_server.errors import HTTPError
from reference_server.responses import Body, LRUCache

if TYPE_CHECKING:
    from reference_server.queries import Queries

__all__ = ["Endpoints", "plain_decimal"]

NULL_SHARE = 0.1  # share of uptime figures and quantizations left null
MARKUP_STEPS = 15  # a second endpoint costs 1% to 15% more


class Endpoints:
    """The endpoints and providers answers over the catalog of `queries`."""

    def __init__(self, queries: Queries, *, cache_size: int = 2048) -> None:
        self.queries = queries
        self.catalog = queries.catalog
        self.authors: tuple[str, ...] = tuple(sorted(self.catalog.by_author))
        self.bodies: LRUCache[Body] = LRUCache(cache_size)

    @functools.cached_property
    def by_canonical(self) -> dict[str, Model]:
        """Each canonical_slug's model: the first plain row with it, else the first row.
        Built on first use: a server never asked for endpoints does not pay for it."""
        found: dict[str, Model] = {}
        for model in self.catalog.models:
            slug = model.get("canonical_slug")
            if not isinstance(slug, str):
                continue
            first = found.get(slug)
            if first is None or (":" in first["id"] and ":" not in model["id"]):
                found[slug] = model
        return found

    # --- which model -------------------------------------------------------------------------

    def resolve(self, name: str, visibility: Visibility) -> Model:
        """The model `name` (a listed id or a canonical_slug) shows, for this key."""
        model = self.catalog.by_id.get(name) or self.by_canonical.get(name)
        if model is None or not self.queries.visible(model, visibility):
            raise HTTPError(404, f"no model {name!r}")
        return model

    # --- the endpoints page --------------------------------------------------------------------

    def details(self, model: Model) -> dict[str, Any]:
        return {
            "id": model["id"],
            "name": model["name"],
            "created": model["created"],
            "description": model["description"],
            "architecture": model["architecture"],
            "endpoints": [
                self.endpoint(model, host, rank) for rank, host in enumerate(self.hosts(model))
            ],
        }

    def hosts(self, model: Model) -> tuple[str, ...]:
        return facts.hosts(
            model["id"],
            author_of(model["id"]),
            self.authors,
            router=self.queries.is_router(model),
        )

    def endpoint(self, model: Model, host: str, rank: int) -> dict[str, Any]:
        """One provider's offer of `model`; rank 0 is the author's own."""
        seed = f"{model['id']}#{rank}"
        context = self.context_length(model, rank)
        name = facts.display_name(host)
        return {
            "name": f"{name} | {model['name']}",
            "model_id": model["id"],
            "model_name": model["name"],
            "context_length": context,
            "pricing": self.pricing(model, rank),
            "provider_name": name,
            "tag": host,
            "quantization": self.quantization(seed),
            "max_completion_tokens": model["top_provider"].get("max_completion_tokens"),
            "max_prompt_tokens": None,
            "supported_parameters": model["supported_parameters"],
            "status": 0,
            "uptime_last_30m": self.uptime(seed, "30m"),
            "uptime_last_5m": self.uptime(seed, "5m"),
            "uptime_last_1d": self.uptime(seed, "1d"),
            "supports_implicit_caching": facts.draw(seed, "implicit-caching") < 0.5,
            "latency_last_30m": self.latency(model, rank),
            "throughput_last_30m": self.throughput(model, rank),
        }

    def context_length(self, model: Model, rank: int) -> int:
        """The model's context (the top provider's when the model has none, else 0); a
        second provider offers it whole or halved, never more."""
        context = model.get("context_length")
        if not isinstance(context, int):
            context = model["top_provider"].get("context_length") or 0
        if rank and facts.draw(model["id"], "second-host/context") < 0.5:
            return int(context) // 2
        return int(context)

    def pricing(self, model: Model, rank: int) -> dict[str, Any]:
        """The model's pricing; a second provider asks more for prompt and completion."""
        pricing = dict(model["pricing"])
        if rank:
            steps = 1 + int(facts.draw(model["id"], "second-host/markup") * MARKUP_STEPS)
            factor = 1 + Decimal(steps) / 100
            for key in ("prompt", "completion"):
                price = pricing.get(key)
                if isinstance(price, str) and price != self.queries.contract.router_price_sentinel:
                    pricing[key] = plain_decimal(Decimal(price) * factor)
        return pricing

    def quantization(self, seed: str) -> str | None:
        if facts.draw(seed, "quantization/null") < NULL_SHARE:
            return None
        return facts.pick(seed, "quantization", self.queries.contract.quantizations)

    def uptime(self, seed: str, window: str) -> float | None:
        """A percentage in [95, 100], or null (too few requests in the window)."""
        if facts.draw(seed, f"uptime/{window}/null") < NULL_SHARE:
            return None
        return round(95 + 5 * facts.draw(seed, f"uptime/{window}"), 2)

    def latency(self, model: Model, rank: int) -> dict[str, float] | None:
        """Milliseconds to the first token, from the catalog's latency figure (seconds)."""
        seconds = self.catalog.figures[model["id"]].latency
        if seconds is None:
            return None
        return percentiles(seconds * 1000 * (1 + rank / 4), (1, 1.3, 1.8, 3))

    def throughput(self, model: Model, rank: int) -> dict[str, float] | None:
        """Tokens per second; the slower requests are the higher percentiles."""
        per_second = self.catalog.figures[model["id"]].throughput
        if per_second is None:
            return None
        return percentiles(per_second / (1 + rank / 4), (1, 0.85, 0.7, 0.5))

    # --- providers ---------------------------------------------------------------------------

    def providers(self) -> list[dict[str, Any]]:
        return [self.provider(slug) for slug in self.authors]

    def provider(self, slug: str) -> dict[str, Any]:
        sites = 1 + int(facts.draw(slug, "datacenters") * 3)
        return {
            "name": facts.display_name(slug),
            "slug": slug,
            "privacy_policy_url": None,
            "terms_of_service_url": None,
            "status_page_url": None,
            "headquarters": facts.pick(slug, "headquarters", facts.COUNTRIES),
            "datacenters": sorted(
                {facts.pick(slug, f"datacenter/{n}", facts.COUNTRIES) for n in range(sites)}
            ),
        }

    # --- serialized, cached answers -------------------------------------------------------------

    def endpoints_body(self, name: str, visibility: Visibility) -> Body:
        model = self.resolve(name, visibility)
        return self.bodies.get(
            ("endpoints", model["id"]), lambda: Body({"data": self.details(model)})
        )

    def providers_body(self) -> Body:
        return self.bodies.get(("providers",), lambda: Body({"data": self.providers()}))


def percentiles(p50: float, factors: tuple[float, float, float, float]) -> dict[str, float]:
    return {
        name: round(p50 * factor, 3)
        for name, factor in zip(("p50", "p75", "p90", "p99"), factors, strict=True)
    }


def plain_decimal(value: Decimal) -> str:
    """A Decimal as the contract's Price: digits and at most one point, no exponent."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
