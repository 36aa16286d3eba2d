"""The sort parameter (ruling R11): the set never changes; orders are judged where the
Model object carries the data, and only as far as the ruling requires (ties in any order,
pricing as a partial order of dominance, models without data last).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from arouter_conformance.checks.common import compare_ids
from arouter_conformance.checks.http import no_server_error, refused_with_400
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import id_of, price_vector, router_priced, strictly_dominates
from arouter_conformance.spec import Contract

__all__ = [
    "context_order",
    "newest_order",
    "price_order",
    "same_order",
    "same_set",
    "unknown_sort_answer",
]

Model = Mapping[str, Any]
MAX_SHOWN = 5


def same_set(
    requirement: str,
    exchange: Exchange,
    sorted_models: Sequence[Model],
    unsorted_models: Sequence[Model],
    sort: str,
) -> list[Finding]:
    """Sorting returns exactly the unsorted answer's models, each once."""
    judged(requirement)
    findings = compare_ids(
        requirement, exchange, sorted_models, unsorted_models, f"sort={sort} changed the set"
    )
    if len(sorted_models) != len({id_of(m) for m in sorted_models}):
        findings.append(
            Finding(
                requirement,
                f"{exchange.describe()}: sort={sort} repeats models",
                expected=f"{len(unsorted_models)} distinct models",
                observed=f"{len(sorted_models)} entries",
                exchange=exchange,
            )
        )
    return findings


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _descending(
    requirement: str,
    exchange: Exchange,
    models: Sequence[Model],
    key: str,
    nulls_last: bool,
) -> list[Finding]:
    values = [_int_or_none(m.get(key)) for m in models]
    known = {v for v in values if v is not None}
    if len(known) > 1 or (nulls_last and known and None in values):
        judged(requirement)
    else:
        cannot_judge(requirement, f"every model in the answer ties on {key}: no order to tell")
    findings: list[Finding] = []
    previous: tuple[int, Model] | None = None
    seen_null: Model | None = None
    for index, model in enumerate(models):
        value = _int_or_none(model.get(key))
        if value is None:
            seen_null = seen_null or model
            continue
        if nulls_last and seen_null is not None:
            findings.append(
                _misplaced(requirement, exchange, index, model, seen_null, f"null {key} last")
            )
        elif previous is not None and value > previous[0]:
            findings.append(
                _misplaced(
                    requirement,
                    exchange,
                    index,
                    model,
                    previous[1],
                    f"{key} {value} after {previous[0]}",
                )
            )
        previous = (value, model)
        if len(findings) >= MAX_SHOWN:
            break
    return findings


def _misplaced(
    requirement: str, exchange: Exchange, index: int, model: Model, before: Model, rule: str
) -> Finding:
    return Finding(
        requirement,
        f"{exchange.describe()}: {id_of(model)} comes after {id_of(before)} ({rule})",
        expected=rule,
        observed=f"position {index}: {id_of(model)}",
        exchange=exchange,
        pointer=f"/data/{index}",
    )


def context_order(exchange: Exchange, models: Sequence[Model]) -> list[Finding]:
    """SORT-CONTEXT-001: context_length never increases; null context last."""
    return _descending("SORT-CONTEXT-001", exchange, models, "context_length", nulls_last=True)


def newest_order(exchange: Exchange, models: Sequence[Model]) -> list[Finding]:
    """SORT-NEWEST-001: created never increases."""
    return _descending("SORT-NEWEST-001", exchange, models, "created", nulls_last=False)


def price_order(
    requirement: str,
    exchange: Exchange,
    models: Sequence[Model],
    contract: Contract,
    descending: bool,
) -> list[Finding]:
    """SORT-PRICE-001/002: no model on the wrong side of one it strictly dominates; "-1" last.

    Models whose prices cannot be read are left out of the comparison: their prices are
    MODELS-PRICING-001's finding, not a sorting one.
    """
    if _orderable(models, contract):
        judged(requirement)
    else:
        cannot_judge(
            requirement, "no model in the answer is cheaper than another on every priced item"
        )
    findings: list[Finding] = []
    first_router: tuple[int, Model] | None = None
    placed: list[tuple[int, Model, tuple[Decimal, ...]]] = []
    # The earlier vectors no other earlier one lies beyond (in the direction a wrong order
    # would show): a model is on the wrong side of some earlier one exactly when it is on
    # the wrong side of one of these, so each model is compared with this front, which
    # stays small on real price lists, instead of with everything placed before it.
    front: list[tuple[Decimal, ...]] = []
    sign = Decimal(-1) if descending else Decimal(1)
    wrong_side: Callable[[tuple[Decimal, ...], tuple[Decimal, ...]], bool] = (
        (lambda earlier, later: strictly_dominates(earlier, later))
        if descending
        else (lambda earlier, later: strictly_dominates(later, earlier))
    )
    for index, model in enumerate(models):
        if router_priced(model, contract):
            first_router = first_router or (index, model)
            continue
        vector = price_vector(model, contract)
        if vector is None:
            continue
        if first_router is not None:
            findings.append(
                _misplaced(requirement, exchange, index, model, first_router[1], '"-1" last')
            )
        oriented = tuple(sign * price for price in vector)
        if any(strictly_dominates(oriented, kept) for kept in front):
            # Named by the first model it should have preceded, as a reader scans the list.
            culprit = next(p for p in placed if wrong_side(p[2], vector))
            relation = "is dearer than" if descending else "is cheaper than"
            findings.append(
                Finding(
                    requirement,
                    f"{exchange.describe()}: {id_of(model)} {relation} {id_of(culprit[1])} "
                    f"on every priced item but comes after it",
                    expected=("dearer first" if descending else "cheaper first")
                    + " where one price dominates another",
                    observed=f"position {index} ({_prices(vector)}) after position "
                    f"{culprit[0]} ({_prices(culprit[2])})",
                    exchange=exchange,
                    pointer=f"/data/{index}/pricing",
                )
            )
        elif oriented not in front:
            front = [kept for kept in front if not strictly_dominates(kept, oriented)]
            front.append(oriented)
        placed.append((index, model, vector))
        if len(findings) >= MAX_SHOWN:
            break
    return findings


def _orderable(models: Sequence[Model], contract: Contract, cap: int = 300) -> bool:
    """Whether the ruling puts any two of the models in an order: a router beside a priced
    model, or one price vector dominating another. Linear when the cheapest or dearest
    vector dominates the rest (a free model does); else pairwise over the first `cap`."""
    vectors = list({v for v in (price_vector(m, contract) for m in models) if v is not None})
    if len(vectors) > 1:
        for pick in (min, max):
            bound = tuple(pick(column) for column in zip(*vectors, strict=True))
            if bound in vectors:
                return True
        head = vectors[:cap]
        if any(strictly_dominates(a, b) for a in head for b in head):
            return True
    return bool(vectors) and any(router_priced(m, contract) for m in models)


def _prices(vector: tuple[Decimal, ...]) -> str:
    return "/".join(format(p, "f") for p in vector)


def same_order(
    requirement: str,
    exchange: Exchange,
    models: Sequence[Model],
    reference: Sequence[Model],
    reference_exchange: Exchange,
) -> list[Finding]:
    """SORT-POPULAR-001 (SHOULD): exactly the order of another answer."""
    if len(reference) > 1:
        judged(requirement)
    else:
        cannot_judge(requirement, "fewer than two models: no order to compare")
    got = [id_of(m) for m in models]
    want = [id_of(m) for m in reference]
    if got == want:
        return []
    index = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
        min(len(got), len(want)),
    )
    return [
        Finding(
            requirement,
            f"{exchange.describe()} orders differently from {reference_exchange.path_and_query}, "
            f"first at position {index}",
            expected=str(want[index] if index < len(want) else "(end of list)"),
            observed=str(got[index] if index < len(got) else "(end of list)"),
            exchange=exchange,
            pointer=f"/data/{index}",
        )
    ]


def unknown_sort_answer(
    exchange: Exchange, models: Sequence[Model] | None, unsorted_models: Sequence[Model]
) -> list[Finding]:
    """SORT-UNKNOWN-001 (MUST): no 5xx, a 200 keeps the set; SORT-UNKNOWN-002 (SHOULD): 400."""
    findings = no_server_error("SORT-UNKNOWN-001", exchange)
    findings += refused_with_400("SORT-UNKNOWN-002", exchange, "an unknown sort value")
    if exchange.status == 200 and models is not None:
        findings += compare_ids(
            "SORT-UNKNOWN-001", exchange, models, unsorted_models, "an unknown sort changed the set"
        )
    return findings
