"""The battery of the endpoints profile: its single-defect targets and its fair targets."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from reference_server import Endpoints, HTTPError, Visibility, create_app
from reference_server.catalog import Model
from tests.battery.harness import (
    Answer,
    Headers,
    Rewrite,
    Scope,
    battery_catalog,
    edited_catalog,
    header,
    labelled_text,
)
from tests.battery.mutants import Fair, Mutant, wrapped

PAGE = ("ENDPOINTS-SHAPE-001",)  # every other requirement of the profile needs it


def served(cls: type[Endpoints]) -> Callable[[], Any]:
    return lambda: create_app(battery_catalog(), endpoints=cls)


# ----------------------------------------------------------------------------- mutants


class EndpointsWithoutTag(Endpoints):
    def endpoint(self, model: Model, host: str, rank: int) -> dict[str, Any]:
        offer = super().endpoint(model, host, rank)
        del offer["tag"]
        return offer


class CanonicalSlugsUnknown(Endpoints):
    """Only listed ids have endpoints: every links.details naming a canonical_slug is 404."""

    def resolve(self, name: str, visibility: Visibility) -> Model:
        if name not in self.catalog.by_id:
            raise HTTPError(404, f"no model {name!r}")
        return super().resolve(name, visibility)


class LinksShowTheFirstModel(Endpoints):
    """A canonical_slug shows the catalog's first model, whichever it names."""

    def resolve(self, name: str, visibility: Visibility) -> Model:
        model = super().resolve(name, visibility)
        if name in self.catalog.by_id:
            return model
        return next(m for m in self.catalog.models if m["id"] != model["id"] and ":" not in m["id"])


def links_elsewhere(rows: list[dict[str, Any]]) -> None:
    """links.details written with another origin (a gateway that writes its public base
    URL): allowed, never asked, so what it leads to stays unjudged (tests/battery/
    test_field.py), which no mutant can show."""
    for row in rows:
        row["links"]["details"] = "https://elsewhere.example" + row["links"]["details"]


def variant_links_elsewhere(rows: list[dict[str, Any]]) -> None:
    """Each variant row's links.details names another model than its base: seen only when
    the sample follows a variant row's link, which no plain id's shows."""
    plain = [row for row in rows if ":" not in row["id"] and not row["id"].startswith("~")]
    for row in rows:
        if ":" in row["id"]:
            base = row["id"].partition(":")[0]
            other = next(r for r in plain if r["id"] != base and r["links"] != row["links"])
            row["links"] = dict(other["links"])


class AliasesWithoutEndpoints(Endpoints):
    """A ~ row's own link answers 404: its endpoints are never served."""

    def resolve(self, name: str, visibility: Visibility) -> Model:
        if name.startswith("~"):
            raise HTTPError(404, f"no model {name!r}")
        return super().resolve(name, visibility)


class PricesWithExponents(Endpoints):
    """Prompt prices written in scientific notation ("2.000000E-7"): strings, but not R6's."""

    def pricing(self, model: Model, rank: int) -> dict[str, Any]:
        pricing = super().pricing(model, rank)
        if pricing["prompt"] != "-1":
            pricing["prompt"] = format(Decimal(pricing["prompt"]), "E")
        return pricing


class NonZeroPricesAsFloats(Endpoints):
    """Prompt prices written as a float prints them: "0.0" for a free model, but "2e-07"
    for a priced one. Seen only when the sample holds priced models: the cheapest ids of
    the catalog are all free."""

    def pricing(self, model: Model, rank: int) -> dict[str, Any]:
        pricing = super().pricing(model, rank)
        if pricing["prompt"] != "-1":
            pricing["prompt"] = str(float(pricing["prompt"]))
        return pricing


class RequestPricedAsRouter(Endpoints):
    """The router sentinel on the request price, where R6 allows it on prompt and completion
    only."""

    def pricing(self, model: Model, rank: int) -> dict[str, Any]:
        return {**super().pricing(model, rank), "request": "-1"}


class QuantizationOutsideTheDocument(Endpoints):
    def quantization(self, seed: str) -> str | None:
        return "fp5"


class StatusOutsideTheDocument(Endpoints):
    def endpoint(self, model: Model, host: str, rank: int) -> dict[str, Any]:
        return {**super().endpoint(model, host, rank), "status": 1}


class ContextBeyondTheList(Endpoints):
    def context_length(self, model: Model, rank: int) -> int:
        return super().context_length(model, rank) + 1


class UnknownModelsAnswered(Endpoints):
    """A name nobody lists shows the catalog's first model instead of 404."""

    def resolve(self, name: str, visibility: Visibility) -> Model:
        try:
            return super().resolve(name, visibility)
        except HTTPError:
            return self.catalog.models[0]


def text_404(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """The endpoints pages' 404s in plain text (the lookup's stay JSON, so only the
    models profile's probe of the endpoints route can show it)."""
    if status != 404 or not str(scope["path"]).endswith("/endpoints"):
        return status, headers, body
    return status, [(b"content-type", b"text/plain")], b"no such model"


MUTANTS: list[Mutant] = [
    Mutant("endpoint-without-tag", PAGE, served(EndpointsWithoutTag)),
    Mutant(
        "endpoints-labelled-text",
        PAGE,
        wrapped(labelled_text(lambda path: path.endswith("/endpoints"))),
    ),
    Mutant(
        "canonical-slugs-unknown",
        ("ENDPOINTS-LINK-001",),
        served(CanonicalSlugsUnknown),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-PRICE-001", "ENDPOINTS-404-001"),
    ),
    Mutant(
        "links-show-another-model",
        ("ENDPOINTS-LINK-001",),
        served(LinksShowTheFirstModel),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-CONTEXT-001"),
    ),
    Mutant(
        "variant-links-show-another-model",
        ("ENDPOINTS-LINK-001",),
        lambda: create_app(edited_catalog(variant_links_elsewhere)),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-CONTEXT-001"),
    ),
    Mutant(
        "tilde-rows-without-endpoints",
        ("ENDPOINTS-LINK-001",),
        served(AliasesWithoutEndpoints),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-PRICE-001"),
    ),
    Mutant(
        "endpoint-prices-with-exponents",
        ("ENDPOINTS-PRICE-001",),
        served(PricesWithExponents),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-LINK-001"),
    ),
    Mutant(
        "nonzero-endpoint-prices-as-floats",
        ("ENDPOINTS-PRICE-001",),
        served(NonZeroPricesAsFloats),
        quiet=("ENDPOINTS-SHAPE-001",),
    ),
    Mutant(
        "endpoint-request-priced-as-router",
        ("ENDPOINTS-PRICE-001",),
        served(RequestPricedAsRouter),
    ),
    Mutant(
        "quantization-outside-the-document",
        ("ENDPOINTS-ENUM-001",),
        served(QuantizationOutsideTheDocument),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-PRICE-001"),
    ),
    Mutant(
        "status-outside-the-document",
        ("ENDPOINTS-ENUM-001",),
        served(StatusOutsideTheDocument),
    ),
    Mutant(
        "endpoint-context-beyond-the-list",
        ("ENDPOINTS-CONTEXT-001",),
        served(ContextBeyondTheList),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-ENUM-001"),
    ),
    Mutant(
        "unknown-model-has-endpoints",
        ("ENDPOINTS-404-001",),
        served(UnknownModelsAnswered),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-LINK-001"),
    ),
    Mutant(  # one root cause, one failure: the body of a 404 is MODELS-ERROR-001's
        "endpoints-404-as-text",
        ("MODELS-ERROR-001",),
        wrapped(lambda app: Rewrite(app, text_404)),
        quiet=("ENDPOINTS-SHAPE-001", "ENDPOINTS-404-001"),
    ),
]


# ----------------------------------------------------------------------------- fair targets


class NamedByCanonicalSlug(Endpoints):
    """data.id is the model's canonical_slug, a name R18 allows beside the listed id."""

    def details(self, model: Model) -> dict[str, Any]:
        return {**super().details(model), "id": model["canonical_slug"]}


class SparseEndpoints(Endpoints):
    """Every figure a provider may withhold is null, status and the optional names absent."""

    def endpoint(self, model: Model, host: str, rank: int) -> dict[str, Any]:
        offer = super().endpoint(model, host, rank)
        for key in ("status", "model_id", "model_name"):
            del offer[key]
        for key in ("quantization", "max_completion_tokens", "max_prompt_tokens"):
            offer[key] = None
        for key in ("uptime_last_30m", "uptime_last_5m", "uptime_last_1d"):
            offer[key] = None
        offer["latency_last_30m"] = offer["throughput_last_30m"] = None
        return offer


class GatewayPricingKeys(Endpoints):
    """Pricing keys of the gateway's own beside the document's prices (R17): not prices,
    so not judged as R6 strings."""

    def pricing(self, model: Model, rank: int) -> dict[str, Any]:
        return {
            **super().pricing(model, rank),
            "currency": "USD",
            "tiers": [{"above_tokens": 128000, "prompt": 2e-6}],
            "cache_discount": 0.5,
        }


def absolute_links(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """The list's links.details as absolute URLs of the origin the request reached."""
    if status != 200 or not str(scope["path"]).endswith("/models"):
        return status, headers, body
    origin = "http://" + (header(list(scope["headers"]), b"host") or b"").decode()
    if header(headers, b"content-encoding") == b"gzip":
        body = gzip.decompress(body)
        headers = [(k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"etag")]
    document = json.loads(body)
    for model in document["data"]:
        model["links"]["details"] = origin + model["links"]["details"]
    return status, headers, json.dumps(document).encode()


def without_links(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        del row["links"]


FAIR: list[Fair] = [
    Fair(
        "endpoints-named-by-canonical-slug",
        lambda: create_app(battery_catalog(), endpoints=NamedByCanonicalSlug),
        ("endpoints",),
        ("ENDPOINTS-SHAPE-001", "ENDPOINTS-LINK-001", "ENDPOINTS-PRICE-001"),
    ),
    Fair(
        "endpoints-sparse",
        lambda: create_app(battery_catalog(), endpoints=SparseEndpoints),
        ("endpoints",),
        ("ENDPOINTS-SHAPE-001", "ENDPOINTS-LINK-001", "ENDPOINTS-ENUM-001"),
    ),
    Fair(
        "endpoints-gateway-pricing-keys",
        lambda: create_app(battery_catalog(), endpoints=GatewayPricingKeys),
        ("endpoints",),
        ("ENDPOINTS-SHAPE-001", "ENDPOINTS-PRICE-001"),
    ),
    Fair(
        "endpoints-absolute-links",
        lambda: Rewrite(create_app(battery_catalog()), absolute_links),
        ("endpoints",),
        ("ENDPOINTS-LINK-001", "ENDPOINTS-CONTEXT-001"),
        prefix="/api/v1",
    ),
    Fair(
        "endpoints-without-links",
        lambda: create_app(edited_catalog(without_links)),
        ("endpoints",),
        ("ENDPOINTS-SHAPE-001", "ENDPOINTS-404-001"),
    ),
]
