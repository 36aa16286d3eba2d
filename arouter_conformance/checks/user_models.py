"""GET /models/user (ruling R19): the list a key gets after its own preferences.

It is judged against the same key's list of all models: what it holds must be listed there,
unchanged. Whether a model it leaves out can be chatted with is judged by the suite with
`chat.refused_4xx`; whether a restricted key's holds foreign models by
`visibility.only_own_models`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from arouter_conformance.checks.common import preview
from arouter_conformance.checks.http import json_answer, json_media_type
from arouter_conformance.checks.lookup import matches_listing
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import author_of, id_of
from arouter_conformance.spec import Spec

__all__ = ["PATH", "partial", "user_list", "within_all"]

Model = Mapping[str, Any]
PATH = "/models/user"
SHAPE = "USER-SHAPE-001"
SUBSET = "USER-SUBSET-001"
# Models whose differences are told one by one; past them, one finding counts the rest.
SHOWN = 5


def user_list(spec: Spec, exchange: Exchange) -> tuple[list[Model] | None, list[Finding]]:
    """USER-SHAPE-001: 200, application/json, the list envelope, and entries that are
    models by their ids. What a model must hold is the list's requirements' (models
    profile): USER-SUBSET-001 asks for the same entries as the list, so a model the list
    serves broken is one failure there, not a second one here."""
    body, findings = json_answer(SHAPE, exchange)
    if findings:
        return None, findings
    data = body.get("data") if isinstance(body, dict) else None
    envelope = {**body, "data": []} if isinstance(data, list) else body
    findings = schema_findings(
        spec, "ModelList.json", envelope, exchange=exchange, attribute_to=SHAPE
    )
    findings += json_media_type(SHAPE, exchange)
    if not isinstance(data, list):
        return None, findings
    unnamed = [i for i, entry in enumerate(data) if not isinstance(id_of(entry), str)]
    if unnamed:
        findings.append(
            Finding(
                SHAPE,
                f"{exchange.describe()}: {len(unnamed)} of {len(data)} entries are no model "
                "with a string id",
                expected="objects with a string id",
                observed=preview(data[unnamed[0]]),
                exchange=exchange,
                pointer=f"/data/{unnamed[0]}",
            )
        )
    return [m for m in data if isinstance(m, dict)], findings


def partial(exchange: Exchange) -> str | None:
    """Why the answer says it holds part of the key's list (a next page, a larger total),
    or None. R19 asks for the whole list without offset or limit; a target that pages
    anyway cannot show that a model is left out, only that it is not on this page."""
    try:
        body = exchange.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    links = body.get("links")
    following = links.get("next") if isinstance(links, dict) else None
    if following is not None:
        return f"{exchange.describe()} points at a next page ({str(following)[:120]})"
    total = body.get("total_count")
    if isinstance(total, int) and not isinstance(total, bool) and total > len(body["data"]):
        return f"{exchange.describe()} says total_count {total} for {len(body['data'])} models"
    return None


def within_all(
    exchange: Exchange,
    models: Sequence[Model],
    everything: Exchange,
    listed: Mapping[str, Model],
    providers: Collection[str] | None = None,
) -> list[Finding]:
    """USER-SUBSET-001: every model of the user list is in the same key's list of all
    models (`listed`, by id, as `Baseline.by_id` indexes it once: catalogs hold thousands
    of models; answered by `everything`), with every key of that entry at the same value.
    For a restricted key (`providers`), models of other providers are left out: they are
    USER-VIS-001's finding."""
    unlisted: list[str] = []
    differing: list[Finding] = []
    differ_ids: list[str] = []
    compared = 0
    for index, model in enumerate(models):
        model_id = id_of(model)
        if model_id is None:
            continue  # an id that is no string is USER-SHAPE-001's finding
        if providers is not None and author_of(model_id) not in providers:
            continue
        judged(SUBSET)
        compared += 1
        entry = listed.get(model_id)
        if entry is None:
            unlisted.append(model_id)
            continue
        found = matches_listing(SUBSET, exchange, model, entry, at=f"/data/{index}")
        if found:
            differ_ids.append(model_id)
            if len(differ_ids) <= SHOWN:
                differing += found
    if not compared:
        cannot_judge(SUBSET, f"{exchange.describe()} holds no model to compare")
    findings = []
    if unlisted:
        findings.append(
            Finding(
                SUBSET,
                f"{exchange.describe()} holds {len(unlisted)} models that "
                f"{everything.path_and_query} does not list: {preview(unlisted)}",
                expected=f"models of {everything.path_and_query}",
                observed=preview(unlisted),
                exchange=exchange,
                pointer="/data",
            )
        )
    findings += differing
    if len(differ_ids) > SHOWN:
        rest = differ_ids[SHOWN:]
        findings.append(
            Finding(
                SUBSET,
                f"{exchange.describe()}: {len(rest)} more models differ from their entries "
                f"in {everything.path_and_query}: {preview(rest)}",
                expected="every key of the list entry at the same value",
                observed=preview(rest),
                exchange=exchange,
                pointer="/data",
            )
        )
    return findings
