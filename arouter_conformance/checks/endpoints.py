"""GET /models/{author}/{slug}/endpoints (ruling R18): the endpoints of a model, reached by
its id or by its links.details, their prices, enumerations and context lengths."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, TypeGuard
from urllib.parse import quote

from arouter_conformance.checks import links
from arouter_conformance.checks.http import valid_answer
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import id_of, output_modalities, price_vector, split_variant
from arouter_conformance.spec import Contract, Spec

__all__ = [
    "context_within",
    "details_of",
    "details_url",
    "endpoints_of",
    "endpoints_path",
    "enumerations",
    "names_model",
    "plain",
    "prices",
    "sample",
]

Model = Mapping[str, Any]
# What one answer may contribute to a report: a hostile page of ten thousand endpoints
# shows its defect as well in five findings.
SHOWN = 5


def plain(model: Model) -> bool:
    """An id the path can name: author/slug, no variant suffix, no ~."""
    model_id = str(id_of(model))
    variant = split_variant(model_id)[1]
    return model_id.count("/") == 1 and not model_id.startswith("~") and variant is None


def sample(ordered: Iterable[Model], wanted: int, contract: Contract) -> list[Model]:
    """The models whose endpoints are asked for, among the listed models `ordered`
    cheapest first (the sort order is the engine's), kept in that order: `wanted` plain
    ids, whose paths and links are asked for, and the cheapest variant row and ~ row that
    give a links.details, whose links only are followed (R18: a variant row's link shows
    its base model; a ~ row's its own page), each when the list has one.

    The cheapest plain ids of a real catalog are free video and image models, many with a
    context_length of 0: a sample of them alone sees only prices of "0" and compares a
    context of 0 with 0. So half of the plain ids (rounded up) are the cheapest text
    models with a price above zero, the rest the cheapest model of each other combination
    of output modalities, the cheapest combination first, as many as fit (a real catalog
    has more combinations than the default sample has room for), then the cheapest text
    model whatever its price, and any room left the next cheapest plain ids: real prices
    and contexts, and the kinds of model a client asks about first, the same from run to
    run."""
    models = list(ordered)
    plain_ids = [index for index, model in enumerate(models) if plain(model)]
    text = frozenset({"text"})
    priced_text = [
        index
        for index in plain_ids
        if output_modalities(models[index]) == text
        and any(price_vector(models[index], contract) or ())
    ]
    leaders: dict[frozenset[str], int] = {}
    for index in plain_ids:
        leaders.setdefault(output_modalities(models[index]), index)
    cheapest_text = leaders.pop(text, None)
    first = [
        *priced_text[: (wanted + 1) // 2],
        *leaders.values(),
        *([] if cheapest_text is None else [cheapest_text]),
        *plain_ids,
    ]
    linked = [
        next((index for index, model in enumerate(models) if kind(model)), None)
        for kind in (_linked_variant, _linked_alias)
    ]
    chosen = list(dict.fromkeys(first))[:wanted] + [i for i in linked if i is not None]
    return [models[index] for index in sorted(set(chosen))]


def _linked_variant(model: Model) -> bool:
    return split_variant(str(id_of(model)))[1] is not None and details_of(model) is not None


def _linked_alias(model: Model) -> bool:
    return str(id_of(model)).startswith("~") and details_of(model) is not None


def endpoints_path(model_id: str) -> str:
    """Where a listed id's endpoints are, under the API root; `/`, `~` and `:` kept as the
    lookup path keeps them."""
    return "/models/" + quote(model_id, safe="/~:@") + "/endpoints"


def endpoints_of(
    spec: Spec, requirement: str, exchange: Exchange
) -> tuple[Model | None, list[Finding]]:
    """The data of an endpoints answer: 200, application/json, valid against
    Endpoints.json; findings for `requirement` otherwise. Validating judges the shape
    (ENDPOINTS-SHAPE-001), never `requirement`: that is judged by what its check then
    looks at, so a page with nothing for it leaves it unjudged."""
    body, findings = valid_answer(
        spec, requirement, exchange, "Endpoints.json", shape="ENDPOINTS-SHAPE-001", limit=SHOWN
    )
    return (None, findings) if findings else (body["data"], [])


def details_of(model: Model) -> Any:
    """The model's links.details as listed (None: the model gives none)."""
    links = model.get("links")
    return links.get("details") if isinstance(links, Mapping) else None


def details_url(model: Model, list_url: str) -> tuple[str | None, list[Finding]]:
    """Where a model's links.details leads, resolved against `list_url`, the URL of the
    list answer that carried it (RFC 3986, as `links.follow` resolves every link: a path
    from the root is kept, `models/x/endpoints` lands under the list's path); None when
    the model has no link (nothing to judge) or when the kit must not ask for it: a link
    no client could send is a finding, one to another origin is never sent a request, a
    key or the run's headers, and leaves the requirement unjudged there (R18 allows
    absolute URLs)."""
    details = details_of(model)
    if details is None:
        return None, []
    where = f"the list entry of {id_of(model)}"
    if not isinstance(details, str):
        judged("ENDPOINTS-LINK-001")
        return None, [_link_finding(where, "links.details is not a string", repr(details))]
    try:
        url = links.follow(details, list_url)
    except links.Elsewhere as exc:
        cannot_judge("ENDPOINTS-LINK-001", f"{where}: links.details {exc}")
        return None, []
    except links.Unusable as exc:
        judged("ENDPOINTS-LINK-001")
        return None, [_link_finding(where, f"links.details {exc}", details)]
    judged("ENDPOINTS-LINK-001")
    return url, []


def _link_finding(where: str, what: str, observed: str) -> Finding:
    return Finding(
        "ENDPOINTS-LINK-001",
        f"{where}: {what}",
        expected="a path (or a URL of the target's origin) answering the model's endpoints",
        observed=observed[:300],
        pointer="/links/details",
    )


def names_model(exchange: Exchange, data: Model, listed: Model) -> list[Finding]:
    """ENDPOINTS-LINK-001: the page a link led to is that model's: data.id is its listed
    id, its canonical_slug, or, for a variant row, its base model's id."""
    judged("ENDPOINTS-LINK-001")
    listed_id = str(id_of(listed))
    names = {listed_id, split_variant(listed_id)[0]}
    if isinstance(listed.get("canonical_slug"), str):
        names.add(listed["canonical_slug"])
    if data.get("id") in names:
        return []
    return [
        Finding(
            "ENDPOINTS-LINK-001",
            f"{exchange.describe()}: the links.details of {listed_id} shows another model",
            expected=" or ".join(repr(n) for n in sorted(names)),
            observed=repr(data.get("id"))[:300],
            exchange=exchange,
            pointer="/data/id",
        )
    ]


def _endpoints(data: Model) -> Iterator[tuple[int, Model]]:
    endpoints = data.get("endpoints")
    for index, endpoint in enumerate(endpoints if isinstance(endpoints, list) else ()):
        if isinstance(endpoint, Mapping):
            yield index, endpoint


def prices(spec: Spec, exchange: Exchange, data: Model) -> list[Finding]:
    """ENDPOINTS-PRICE-001: every price the document lists for an endpoint's pricing
    (`Contract.endpoint_price_keys`) is a plain decimal string (R6), "-1" allowed on
    prompt and completion. Other keys are not judged: discount and overrides are not
    prices, and R17 lets a gateway add its own (a currency, tiers, a cache discount)."""
    return list(islice(_price_findings(spec, exchange, data), SHOWN))


def _price_findings(spec: Spec, exchange: Exchange, data: Model) -> Iterator[Finding]:
    decimal = re.compile(spec.schemas["Price.json"]["pattern"])
    sentinel = spec.contract.router_price_sentinel
    for index, endpoint in _endpoints(data):
        pricing = endpoint.get("pricing")
        if not isinstance(pricing, Mapping):
            continue
        for key in spec.contract.endpoint_price_keys:
            if key not in pricing:
                continue
            value = pricing[key]
            judged("ENDPOINTS-PRICE-001")
            if isinstance(value, str) and (
                decimal.fullmatch(value) or (key in ("prompt", "completion") and value == sentinel)
            ):
                continue
            yield Finding(
                "ENDPOINTS-PRICE-001",
                f"{exchange.describe()}: endpoint {index}'s {key} price is not a plain "
                "decimal string",
                expected='a string such as "0.000002" (no sign, exponent or spaces)',
                observed=repr(value)[:300],
                exchange=exchange,
                pointer=f"/data/endpoints/{index}/pricing/{key}",
            )


def enumerations(contract: Contract, exchange: Exchange, data: Model) -> list[Finding]:
    """ENDPOINTS-ENUM-001: quantization one of the document's values (or null), status,
    when given, one of its codes. A value of the wrong type is the shape's finding."""
    return list(islice(_enum_findings(contract, exchange, data), SHOWN))


def _enum_findings(contract: Contract, exchange: Exchange, data: Model) -> Iterator[Finding]:
    for index, endpoint in _endpoints(data):
        quantization = endpoint.get("quantization")
        if "quantization" in endpoint and (quantization is None or isinstance(quantization, str)):
            judged("ENDPOINTS-ENUM-001")
            allowed = contract.quantizations
            if quantization is not None and quantization not in allowed:
                yield _enum_finding(exchange, index, "quantization", quantization, allowed)
        status = endpoint.get("status")
        if isinstance(status, int) and not isinstance(status, bool):
            judged("ENDPOINTS-ENUM-001")
            if status not in contract.endpoint_statuses:
                yield _enum_finding(exchange, index, "status", status, contract.endpoint_statuses)


def _enum_finding(
    exchange: Exchange, index: int, key: str, value: object, allowed: Collection[Any]
) -> Finding:
    return Finding(
        "ENDPOINTS-ENUM-001",
        f"{exchange.describe()}: endpoint {index}'s {key} {repr(value)[:80]} is not one of the "
        "document's values",
        expected=", ".join(str(v) for v in sorted(allowed, key=str)),
        observed=repr(value)[:300],
        exchange=exchange,
        pointer=f"/data/endpoints/{index}/{key}",
    )


def context_within(exchange: Exchange, data: Model, listed: Mapping[str, Model]) -> list[Finding]:
    """ENDPOINTS-CONTEXT-001: no endpoint offers more context than the list entry whose id
    is data.id (`listed`: the all list by id). A variant row is never the comparison, and
    only integers are compared."""
    model_id = data.get("id")
    entry = listed.get(model_id) if isinstance(model_id, str) else None
    if entry is None or split_variant(str(model_id))[1] is not None:
        cannot_judge(
            "ENDPOINTS-CONTEXT-001",
            f"{exchange.describe()} names {repr(model_id)[:200]}, which is not a plain listed id",
        )
        return []
    limit = entry.get("context_length")
    if not _integer(limit):
        cannot_judge("ENDPOINTS-CONTEXT-001", f"the list gives {model_id} no context_length")
        return []
    return list(islice(_context_findings(exchange, data, str(model_id), limit), SHOWN))


def _context_findings(
    exchange: Exchange, data: Model, model_id: str, limit: int
) -> Iterator[Finding]:
    for index, endpoint in _endpoints(data):
        offered = endpoint.get("context_length")
        if not _integer(offered):
            continue
        judged("ENDPOINTS-CONTEXT-001")
        if offered > limit:
            yield Finding(
                "ENDPOINTS-CONTEXT-001",
                f"{exchange.describe()}: endpoint {index} offers a context_length of "
                f"{offered}, more than the {limit} the list gives {model_id}",
                expected=f"at most {limit}",
                observed=str(offered),
                exchange=exchange,
                pointer=f"/data/endpoints/{index}/context_length",
            )


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
