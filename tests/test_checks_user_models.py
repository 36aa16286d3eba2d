"""GET /models/user checks (ruling R19): shape, drawn from the all list, partial answers."""

from __future__ import annotations

from arouter_conformance.checks import lookup, user_models, visibility
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import ledger
from arouter_conformance.spec import load_spec
from tests.factories import exchange, listing, model

SPEC = load_spec()
USER = "/models/user"
ALL = "/models?output_modalities=all"


def _user(*models: object, **extra: object) -> Exchange:
    return exchange({"data": list(models), **extra}, path=USER)


def test_a_valid_user_list_has_its_models_and_no_finding() -> None:
    models, findings = user_models.user_list(SPEC, _user(model("a/b"), model("c/d")))
    assert findings == []
    assert [m["id"] for m in models or []] == ["a/b", "c/d"]


def test_every_shape_defect_is_the_shape_requirements() -> None:
    refused = exchange({"error": {"message": "no"}}, status=404, path=USER)
    bare = exchange([model("a/b")], path=USER)
    text = exchange({"data": []}, path=USER, headers={"content-type": "text/plain"})
    nameless = _user(model("a/b"), {"name": "no id"})
    for answer in (refused, bare, text, nameless):
        _, findings = user_models.user_list(SPEC, answer)
        assert findings, answer
        assert {f.requirement for f in findings} == {"USER-SHAPE-001"}
    assert user_models.user_list(SPEC, nameless)[1][0].pointer == "/data/1"
    assert user_models.user_list(SPEC, refused)[0] is None
    assert user_models.user_list(SPEC, bare)[0] is None


def test_a_model_the_list_serves_broken_is_not_the_user_lists_defect() -> None:
    """MODELS-PRICING-001 fails it on the list; the user list that repeats it is fine."""
    broken = _user(model("a/b"), model("c/d", pricing={"prompt": 1, "completion": "0"}))
    assert user_models.user_list(SPEC, broken)[1] == []


def test_an_answer_that_says_it_holds_part_of_the_list() -> None:
    assert user_models.partial(_user(model("a/b"))) is None
    assert user_models.partial(_user(model("a/b"), total_count=1, links={"next": None})) is None
    paged = _user(model("a/b"), links={"next": "/v1/models/user?offset=1"})
    assert "next page" in str(user_models.partial(paged))
    assert "total_count 9" in str(user_models.partial(_user(model("a/b"), total_count=9)))
    assert user_models.partial(exchange(raw=b"not json", path=USER)) is None
    assert user_models.partial(exchange({"data": 3}, path=USER)) is None


def test_the_user_list_is_drawn_from_the_all_list_with_extra_keys_allowed() -> None:
    everything = listing(model("a/b"), model("c/d"), path=ALL)
    listed = {"a/b": model("a/b"), "c/d": model("c/d")}
    user = _user(model("c/d", preference="kept"))
    with ledger() as book:
        found = user_models.within_all(user, [model("c/d", preference="kept")], everything, listed)
    assert found == []
    assert book.judged == {"USER-SUBSET-001"}


def test_an_unlisted_model_or_a_changed_value_is_a_finding() -> None:
    everything = listing(model("a/b"), path=ALL)
    listed = {"a/b": model("a/b")}
    models = [model("x/y"), model("a/b", context_length=1)]
    found = user_models.within_all(_user(*models), models, everything, listed)
    assert [f.requirement for f in found] == ["USER-SUBSET-001"] * 2
    assert "x/y" in found[0].message
    assert found[1].pointer == "/data/1/context_length"


def test_many_changed_models_are_told_in_a_bounded_number_of_findings() -> None:
    ids = [f"a/m{i}" for i in range(40)]
    listed = {i: model(i) for i in ids}
    models = [model(i, name="renamed") for i in ids]
    found = user_models.within_all(_user(), models, listing(path=ALL), listed)
    assert len(found) == user_models.SHOWN + 1
    assert "35 more models" in found[-1].message


def test_a_restricted_keys_foreign_models_are_left_to_its_visibility() -> None:
    listed = {"openai/a": model("openai/a")}
    models = [model("openai/a"), model("google/b")]
    assert (
        user_models.within_all(_user(), models, listing(path=ALL), listed, providers={"openai"})
        == []
    )
    assert visibility.only_own_models(_user(), models, {"openai"}, "USER-VIS-001")[
        0
    ].requirement == ("USER-VIS-001")


def test_an_empty_user_list_shows_nothing_about_the_subset() -> None:
    with ledger() as book:
        assert user_models.within_all(_user(), [], listing(path=ALL), {}) == []
    assert book.judged == set()
    assert "USER-SUBSET-001" in book.unjudgeable


def test_a_list_entry_is_compared_where_it_sits() -> None:
    found = lookup.matches_listing(
        "USER-SUBSET-001", _user(), model("a/b", name="x"), model("a/b"), at="/data/7"
    )
    assert found[0].pointer == "/data/7/name"
