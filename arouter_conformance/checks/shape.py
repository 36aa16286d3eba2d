"""Schema checks: validate part of an answer and give each error to its requirement.

The catalog binds requirements to a schema file and a JSON pointer (`schema: {file, at}`);
an error belongs to the requirement with the deepest pointer that contains the error's
location. So one validation of a model yields findings for MODELS-PRICING-001,
MODELS-ARCH-001 and the others separately, with no list of rules kept here.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from itertools import islice
from typing import Any

from jsonschema.exceptions import ValidationError

from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, judged
from arouter_conformance.spec import Requirement, Spec

__all__ = ["schema_findings"]


def schema_findings(
    spec: Spec,
    file: str,
    instance: Any,
    *,
    exchange: Exchange | None = None,
    pointer: str = "",
    requirements: Sequence[str] | None = None,
    attribute_to: str | None = None,
    limit: int | None = None,
) -> list[Finding]:
    """Findings for every way `instance` breaks `file`, attributed through the catalog.

    `pointer` is where `instance` sits inside the answer body, for the evidence;
    `requirements`, when given, limits attribution to those ids (a schema such as
    Error.json serves several profiles). `attribute_to` gives every error to one
    requirement that uses the schema as a precondition (a lookup must be a valid model
    before it can match its list entry). `limit` stops the validation after that many
    schema errors: a hostile answer of twenty thousand broken entries takes seconds to
    validate to its end and shows its defect as well in its first few.
    """
    if attribute_to is not None:
        bound = [spec.requirement(attribute_to)]
    else:
        bound = [
            r for r in spec.schema_bindings(file) if requirements is None or r.id in requirements
        ]
    if not bound:
        raise ValueError(f"no requirement is bound to {file} among {requirements}")
    judged(*(r.id for r in bound if attribute_to or _present(instance, r)))
    findings = []
    for error in islice(spec.iter_errors(file, instance), limit):
        location = _location(error)
        where = pointer + "".join(f"/{part}" for part in error.absolute_path)
        for requirement in bound if attribute_to else _owners(bound, location):
            findings.append(
                Finding(
                    requirement.id,
                    _message(error, where, exchange),
                    expected=f"{file}: {_schema_path(error)}",
                    observed=_excerpt(error.instance),
                    exchange=exchange,
                    pointer=where,
                    schema_path="/" + "/".join(str(p) for p in error.absolute_schema_path),
                )
            )
    return findings


def _present(instance: Any, requirement: Requirement) -> bool:
    """Whether the part a requirement owns is in the instance: an optional part that is
    absent (benchmarks) shows nothing about its shape, so it is not judged."""
    assert requirement.schema is not None
    node = instance
    for part in requirement.schema.path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def _location(error: ValidationError) -> tuple[str, ...]:
    """Where the error is, with a missing required property counted as inside it."""
    path = tuple(str(part) for part in error.absolute_path)
    if error.validator == "required":
        quoted = error.message.split(" is a required property")[0]
        try:
            return (*path, str(ast.literal_eval(quoted)))
        except (ValueError, SyntaxError):
            return path
    return path


def _owners(bound: list[Requirement], location: tuple[str, ...]) -> list[Requirement]:
    """The deepest binding whose pointer contains `location` (all of them when none does)."""
    for requirement in bound:  # deepest first, as Spec.schema_bindings orders them
        assert requirement.schema is not None
        prefix = requirement.schema.path
        if location[: len(prefix)] == prefix:
            return [requirement]
    return bound


def _schema_path(error: ValidationError) -> str:
    keyword = error.validator
    return f"{keyword} {json.dumps(error.validator_value)[:120]}"


def _message(error: ValidationError, where: str, exchange: Exchange | None) -> str:
    """One line a person can act on: which answer, what is wrong, and where in the body,
    e.g. `GET /models/count -> 200: 'count' is a required property at /data`."""
    what = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    line = f"{what} at {where or 'the top level'}"
    return f"{exchange.describe()}: {line}" if exchange is not None else line


def _excerpt(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + "…"
