"""Spec-level checks driven by schemathesis: requests generated from openapi.yaml itself.

schemathesis generates the cases (valid ones, and ones that break the parameter
schemas) and judges the answers with its own checks; the kit sends the requests through
its budgeted client, so a live target is never asked more than the budget allows, and
turns schemathesis failures into findings of MODELS-SPEC-001/002/003.

schemathesis is imported when these checks first run, not with this module: it costs a
tenth of a second or more, which a run that does not reach them should not pay.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta
from typing import Any

import httpx

from arouter_conformance.exchange import BeyondKit, Exchange, NotJson
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.spec import Spec

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "checks",
    "judge",
    "listing_operations",
    "negatable",
    "query_pairs",
    "strategy",
]

# schemathesis's generation modes, by value: requests the document allows, and requests
# that break its parameter schemas.
POSITIVE, NEGATIVE = "positive", "negative"


@functools.cache
def checks() -> tuple[tuple[str, Sequence[Callable[..., Any]]], ...]:
    """Which schemathesis checks decide which requirement."""
    from schemathesis.checks import (
        content_type_conformance,
        negative_data_rejection,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    return (
        ("MODELS-SPEC-002", (not_a_server_error,)),
        (
            "MODELS-SPEC-001",
            (status_code_conformance, content_type_conformance, response_schema_conformance),
        ),
        ("MODELS-SPEC-003", (negative_data_rejection,)),
    )


def strategy(operation: Any, mode: str) -> Any:
    """The cases schemathesis generates for `operation` in `mode` (POSITIVE, NEGATIVE)."""
    from schemathesis import GenerationMode

    return operation.as_strategy(generation_mode=GenerationMode(mode))


@functools.lru_cache(maxsize=1)
def _bundle(spec: Spec) -> dict[str, Any]:
    """The bundled document, built once: each call of Spec.bundled_openapi copies it all."""
    return spec.bundled_openapi()


@functools.lru_cache(maxsize=4)
def _claimed(spec: Spec, claimed: frozenset[str]) -> dict[str, Any]:
    """The document as far as the target claims it (`x-profile` on an operation or a
    parameter, `models` when absent): a target that does not claim sort is neither sent sort
    values nor asked to refuse bad ones, and one that does not claim count is not probed
    there.

    output_modalities is left unconstrained here: whether unknown or empty names are
    refused is what MODELS-FILTER-006/007 and COUNT-UNKNOWN-001 judge, and probing it here
    too would fail MODELS-SPEC-003 a second time for the same root cause."""
    document = copy.deepcopy(_bundle(spec))
    for parameter in document.get("components", {}).get("parameters", {}).values():
        if parameter.get("name") == "output_modalities":
            parameter["schema"] = {"type": "string"}
            parameter.pop("style", None)
            parameter.pop("explode", None)
            for example in parameter.get("examples", {}).values():
                if isinstance(example.get("value"), list):  # as the comma list it is sent as
                    example["value"] = ",".join(map(str, example["value"]))
    # The probe judges list, count and lookup (MODELS-SPEC-*): the operations and parameters
    # of the optional profiles beyond the seeds have requirements of their own, so they are
    # left out even where claimed, and a target is not failed twice for one root cause.
    probed = {
        name for name in claimed if name in spec.profiles and not spec.profiles[name].optional
    }
    shared = document.get("components", {}).get("parameters", {})

    def kept(node: dict[str, Any]) -> bool:
        if "$ref" in node:
            node = shared.get(node["$ref"].rsplit("/", 1)[-1], {})
        return node.get("x-profile", "models") in probed

    for path, item in list(document["paths"].items()):
        operations = {
            method: operation
            for method, operation in item.items()
            if not isinstance(operation, dict) or kept(operation)
        }
        for operation in operations.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [p for p in operation["parameters"] if kept(p)]
        document["paths"][path] = operations
    return document


@functools.lru_cache(maxsize=4)
def _schema(spec: Spec, claimed: frozenset[str]) -> Any:
    import schemathesis

    return schemathesis.openapi.from_dict(_claimed(spec, claimed))


def listing_operations(spec: Spec, claimed: Collection[str]) -> list[Any]:
    """The GET operations (list, count, lookup) of the claimed profiles; chat costs money
    and has its own suite."""
    operations = []
    for result in _schema(spec, frozenset(claimed)).get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "GET":
            operations.append(operation)
    return operations


def negatable(spec: Spec, claimed: Collection[str], operation: Any) -> bool:
    """Whether the document constrains a parameter of `operation` (an enum, a pattern, a
    type other than string), so that schemathesis can build a request that breaks it."""
    document = _claimed(spec, frozenset(claimed))
    parameters = document["paths"][operation.path][operation.method.lower()].get("parameters", [])
    for parameter in parameters:
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].split("/")[-1]]
        schema = parameter.get("schema", {})
        if "enum" in schema or "pattern" in schema or schema.get("type", "string") != "string":
            return True
    return False


def query_pairs(query: Any) -> list[tuple[str, str]]:
    """A generated query as name/value pairs; lists repeat the name, as HTTP allows."""
    pairs: list[tuple[str, str]] = []
    for name, value in (query or {}).items():
        values = value if isinstance(value, list) else [value]
        pairs += [(str(name), "" if v is None else str(v)) for v in values]
    return pairs


# The kit's client already decoded the body; these would make httpx decode it again.
_TRANSFER_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


def _response(exchange: Exchange) -> httpx.Response:
    response = httpx.Response(
        exchange.status,
        headers=[(k, v) for k, v in exchange.headers if k.lower() not in _TRANSFER_HEADERS],
        content=exchange.body,
        request=httpx.Request(exchange.method, exchange.url),
    )
    response.elapsed = timedelta(seconds=exchange.elapsed)
    return response


def _unseen(exchange: Exchange) -> str | None:
    """Why the answer cannot be judged at all: the kit did not read it whole, or it is
    deeper or longer than Python parses (schemathesis would parse it again and fail)."""
    if exchange.cut_by_kit:
        return exchange.cut_by_kit
    try:
        exchange.json()
    except BeyondKit as exc:
        return str(exc)
    except NotJson:
        return None  # not JSON at all: schemathesis's checks say what is wrong
    return None


def judge(case: Any, exchange: Exchange, mode: str) -> list[Finding]:
    """Run the schemathesis checks on one answer; each failure becomes a finding."""
    from schemathesis.core.failures import Failure, FailureGroup

    unseen = _unseen(exchange)
    findings = []
    response = _response(exchange)
    for requirement, deciding in checks():
        # A request that breaks the document is judged by its refusal (SPEC-002, SPEC-003:
        # what the negative test declares), one that keeps to it by its answer (SPEC-001).
        if requirement == ("MODELS-SPEC-001" if mode == NEGATIVE else "MODELS-SPEC-003"):
            continue
        if unseen:
            cannot_judge(requirement, f"{exchange.describe()}: {unseen}")
            continue
        judged(requirement)
        try:
            case.validate_response(response, checks=list(deciding))
        except (FailureGroup, Failure) as raised:
            failures = raised.exceptions if isinstance(raised, FailureGroup) else (raised,)
            for failure in failures:
                title = failure.title
                message = str(failure.message or "").strip()
                findings.append(
                    Finding(
                        requirement,
                        f"{exchange.describe()}: {title}",
                        expected=f"an answer openapi.yaml allows for {case.operation.label}",
                        observed=message[:1000] or exchange.text(300),
                        exchange=exchange,
                    )
                )
    return findings
