"""Sort checks: the set, the orders the Model object can show, and nothing stricter."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from arouter_conformance.checks import sort
from arouter_conformance.oracle import price_vector, strictly_dominates
from arouter_conformance.spec import Spec, load_spec
from tests.factories import exchange, listing, model


def priced(model_id: str, prompt: str, completion: str = "0") -> dict:  # type: ignore[type-arg]
    return model(model_id, pricing={"prompt": prompt, "completion": completion})


def test_context_order_nulls_last_and_ties_free() -> None:
    ok = [
        model("a/1", context_length=9),
        model("a/2", context_length=9),
        model("a/3", context_length=None),
    ]
    assert sort.context_order(listing(*ok), ok) == []
    up = [model("a/1", context_length=1), model("a/2", context_length=9)]
    assert sort.context_order(listing(*up), up)[0].pointer == "/data/1"
    null_first = [model("a/1", context_length=None), model("a/2", context_length=9)]
    assert (
        "null context_length last"
        in sort.context_order(listing(*null_first), null_first)[0].message
    )


def test_newest_order() -> None:
    ok = [model("a/1", created=3), model("a/2", created=3), model("a/3", created=1)]
    assert sort.newest_order(listing(*ok), ok) == []
    bad = list(reversed(ok))
    assert sort.newest_order(listing(*bad), bad)


def test_pricing_is_judged_by_dominance_not_by_a_formula(spec: Spec) -> None:
    # b is cheaper on prompt, dearer on completion: either order is allowed.
    ok = [priced("a/a", "0.1", "0.9"), priced("a/b", "0.2", "0.1"), priced("r/r", "-1", "-1")]
    assert sort.price_order("SORT-PRICE-001", listing(*ok), ok, spec.contract, False) == []
    swapped = [ok[1], ok[0], ok[2]]
    assert (
        sort.price_order("SORT-PRICE-001", listing(*swapped), swapped, spec.contract, False) == []
    )


def test_prices_compared_as_strings_are_caught(spec: Spec) -> None:
    # "0.00001" < "0.000002" as strings, the other way round as numbers.
    as_strings = [priced("a/x", "0.00001"), priced("a/y", "0.000002")]
    found = sort.price_order(
        "SORT-PRICE-001", listing(*as_strings), as_strings, spec.contract, False
    )
    assert "a/y is cheaper than a/x" in found[0].message
    assert (
        sort.price_order("SORT-PRICE-002", listing(*as_strings), as_strings, spec.contract, True)
        == []
    )


def test_routers_come_last_in_both_directions(spec: Spec) -> None:
    first = [priced("r/r", "-1", "-1"), priced("a/a", "0.1")]
    for descending, rid in ((False, "SORT-PRICE-001"), (True, "SORT-PRICE-002")):
        found = sort.price_order(rid, listing(*first), first, spec.contract, descending)
        assert '"-1" last' in found[0].message


def test_same_set_and_same_order() -> None:
    models = [model("a/1"), model("a/2")]
    assert (
        sort.same_set("SORT-SET-001", listing(*models), list(reversed(models)), models, "newest")
        == []
    )
    assert sort.same_set("SORT-SET-001", listing(models[0]), [models[0]], models, "newest")
    doubled = [models[0], models[0], models[1]]
    assert sort.same_set("SORT-SET-001", listing(*doubled), doubled, models, "newest")
    assert (
        sort.same_order("SORT-POPULAR-001", listing(*models), models, models, listing(*models))
        == []
    )
    assert sort.same_order("SORT-POPULAR-001", listing(*models), models, models[::-1], listing())


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["0", "0.000001", "0.000002", "0.00001"]),
            st.sampled_from(["0", "0.000002", "0.000004", "0.00003"]),
            st.sampled_from(["0", "0.01"]),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_the_front_finds_what_comparing_every_pair_finds(
    prices: list[tuple[str, str, str]], descending: bool
) -> None:
    """The check compares each model with the front of what came before, not with every
    earlier model: the same models must be named misplaced as by the pairwise rule."""
    contract = load_spec().contract
    models = [
        {"id": f"a/m{i}", "pricing": {"prompt": p, "completion": c, "request": r}}
        for i, (p, c, r) in enumerate(prices)
    ]
    found = sort.price_order("SORT-PRICE-001", exchange({}), models, contract, descending)
    flagged = {f.pointer for f in found if "every priced item" in f.message}
    expected = set()
    placed: list[tuple[Decimal, ...]] = []
    for index, priced in enumerate(models):
        vector = price_vector(priced, contract)
        assert vector is not None
        wrong = (
            (lambda e: strictly_dominates(e, vector))  # noqa: B023
            if descending
            else (lambda e: strictly_dominates(vector, e))  # noqa: B023
        )
        if any(wrong(e) for e in placed):
            expected.add(f"/data/{index}/pricing")
        placed.append(vector)
        if len(expected) >= sort.MAX_SHOWN:
            break
    assert flagged == expected
