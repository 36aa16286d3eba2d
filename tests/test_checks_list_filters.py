"""List-filter checks (ruling R22): exact sets under each allowed reading, the tolerances the
ruling grants (null contexts, ~ rows, routers, a day of clock), and the values chosen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from arouter_conformance.checks import list_filter_rules as rules
from arouter_conformance.checks import list_filters
from arouter_conformance.checks.list_filter_rules import Probe
from arouter_conformance.findings import ledger
from arouter_conformance.oracle import Baseline
from arouter_conformance.spec import Spec
from tests.factories import exchange, listing, model
from tests.reference_server.rows import outputs

NOW = 1_800_000_000.0


def inputs(*names: str) -> dict[str, Any]:
    return {**outputs("text"), "input_modalities": list(names)}


def priced(prompt: str, completion: str = "0.000002") -> dict[str, str]:
    return {"prompt": prompt, "completion": completion}


def pairs(chosen: rules.Filter | None) -> Any:
    return chosen.pairs if chosen else None


def days_ago(days: float) -> int:
    return int(NOW - days * rules.DAY)


@pytest.fixture
def baseline(spec: Spec) -> Baseline:
    return Baseline(
        [
            model("a/one", architecture=inputs("text"), pricing=priced("0.0000001")),
            model("a/two", architecture=inputs("text", "image"), context_length=32768),
            model("b/three", architecture=inputs("text", "audio"), context_length=None),
            model(
                "b/four", architecture=inputs("text", "image", "audio"), pricing=priced("-1", "-1")
            ),
            model("~a/latest", architecture=inputs("text", "image")),
            model("c/picture", architecture=outputs("image")),
        ],
        spec.contract,
    )


def answer(baseline: Baseline, *ids: str) -> Any:
    return listing(*(dict(baseline.by_id[i]) for i in ids))


def judge(
    probe: Probe, baseline: Baseline, *ids: str, missing_to: str | None = None
) -> tuple[list[str], Any]:
    with ledger() as book:
        found = list_filters.filtered_answer(
            "LFILTER-X", answer(baseline, *ids), probe, baseline, missing_to=missing_to
        )
    return [f.requirement for f in found], book


def test_one_input_modality_is_exact_within_the_default_scope(baseline: Baseline) -> None:
    probe = Probe(None, (rules.input_filter(["image"]),))
    assert judge(probe, baseline, "a/two", "b/four", "~a/latest")[0] == []
    assert judge(probe, baseline, "a/two", "b/four")[0] == ["LFILTER-X"]
    assert judge(probe, baseline, "a/two", "b/four", "~a/latest", "a/one")[0] == ["LFILTER-X"]
    # The image-only model outputs no text: outside the default scope.
    outside = judge(probe, baseline, "a/two", "b/four", "~a/latest", "c/picture")
    assert outside[0] == ["LFILTER-X"]
    assert "LFILTER-X" in outside[1].judged


def test_a_list_of_input_modalities_may_be_any_of_or_all_of(baseline: Baseline) -> None:
    probe = Probe(None, (rules.input_filter(["image", "audio"]),))
    any_of = ("a/two", "b/three", "b/four", "~a/latest")
    assert judge(probe, baseline, *any_of)[0] == []
    assert judge(probe, baseline, "b/four")[0] == []  # all-of
    first_only = ("a/two", "b/four", "~a/latest")
    assert judge(probe, baseline, *first_only)[0] == ["LFILTER-X"]


def test_null_contexts_are_all_kept_or_all_left_out(baseline: Baseline, spec: Spec) -> None:
    rows = [*baseline.models, model("d/open", context_length=None)]
    wider = Baseline(rows, spec.contract)
    probe = Probe(None, (rules.context_filter(32768),))
    assert judge(probe, wider, "a/two")[0] == []  # the bound is inclusive
    assert judge(probe, wider, "a/two", "b/three", "d/open")[0] == []
    assert judge(probe, wider, "a/two", "b/three")[0] == ["LFILTER-X"]  # one of two nulls
    assert judge(probe, wider, "b/three", "d/open")[0] == ["LFILTER-X"]  # 32768 left out


def test_tilde_rows_follow_their_author_or_not(baseline: Baseline) -> None:
    probe = Probe(None, (rules.authors_filter(["a"]),))
    assert judge(probe, baseline, "a/one", "a/two")[0] == []
    assert judge(probe, baseline, "a/one", "a/two", "~a/latest")[0] == []
    assert judge(probe, baseline, "a/one", "a/two", "b/three")[0] == ["LFILTER-X"]
    other = Probe(None, (rules.authors_filter(["b"]),))
    assert judge(other, baseline, "b/three", "b/four", "~a/latest")[0] == ["LFILTER-X"]


def test_price_bounds_are_inclusive_per_million_with_routers_either_way(
    baseline: Baseline, spec: Spec
) -> None:
    # a/one costs 0.1 $/M, the others 1 $/M; b/four is a router.
    bounded = rules.price_filter("prompt", Decimal("0.05"), Decimal("0.5"))
    probe = Probe(None, (bounded,))
    assert probe.label == "min_price=0.05&max_price=0.5"
    assert judge(probe, baseline, "a/one")[0] == []
    assert judge(probe, baseline, "a/one", "b/four")[0] == []
    # A bound read as dollars per token keeps every model.
    assert judge(probe, baseline, "a/one", "a/two", "b/three", "~a/latest")[0] == ["LFILTER-X"]
    assert rules.price_filter("completion", None, Decimal(15)).pairs == (
        ("max_output_price", "15"),
    )


def test_a_price_within_a_billionth_of_a_bound_is_either_way(spec: Spec) -> None:
    """0.0000002 $/token is 0.19999999999999998 $/M as a float: a gateway comparing floats
    leaves it out of max_price=0.2 (and keeps it under min_price=0.2); both are fair."""
    rows = [
        model("a/edge", pricing=priced("0.0000002")),
        model("a/below", pricing=priced("0.0000001")),
        model("a/above", pricing=priced("0.0000003")),
    ]
    prices = Baseline(rows, spec.contract)
    at_most = Probe(None, (rules.price_filter("prompt", None, Decimal("0.2")),))
    assert judge(at_most, prices, "a/below", "a/edge")[0] == []
    assert judge(at_most, prices, "a/below")[0] == []
    assert judge(at_most, prices, "a/below", "a/edge", "a/above")[0] == ["LFILTER-X"]
    at_least = Probe(None, (rules.price_filter("prompt", Decimal("0.2"), None),))
    assert judge(at_least, prices, "a/above")[0] == []
    assert judge(at_least, prices, "a/above", "a/edge", "a/below")[0] == ["LFILTER-X"]
    # Beyond a billionth the bound is exact again; a bound of 0 has no tolerance.
    near = Probe(None, (rules.price_filter("prompt", None, Decimal("0.1999999")),))
    assert judge(near, prices, "a/below", "a/edge")[0] == ["LFILTER-X"]


def test_prices_and_ages_too_large_for_arithmetic_are_not_judged(spec: Spec) -> None:
    """A price near the largest Decimal overflows when scaled to a million tokens, a created
    of 10**400 seconds or before 1970 by as much is no float: neither stops the run, and a
    created in milliseconds is MODELS-CREATED-001's finding, not the age filter's."""
    huge = model("a/huge", pricing=priced("1e999999", "9e999999"))
    assert rules.price_per_million(huge, "prompt") is None
    assert rules.price_per_million(huge, "completion") is None
    assert rules.price_filter("prompt", None, Decimal(1)).readings[0](huge) is None
    for created in (10**400, -(10**400), 1_700_000_000_000):
        assert rules.age_days(model("a/when", created=created), NOW) is None
    assert rules.age_days(model("a/when", created=days_ago(3)), NOW) == pytest.approx(3)


def test_q_names_two_requirements(baseline: Baseline, spec: Spec) -> None:
    rows = [
        model("x/alpha-instruct", name="Alpha Instruct"),
        model("x/beta", name="Beta INSTRUCT"),
        model("x/gamma", description="better than any instruct model"),
        model("x/delta"),
    ]
    search = Baseline(rows, spec.contract)
    probe = Probe(None, (rules.q_filter("Instruct"),))
    assert judge(probe, search, "x/alpha-instruct", "x/beta", missing_to="LFILTER-Y")[0] == []
    described = judge(
        probe, search, "x/alpha-instruct", "x/beta", "x/gamma", missing_to="LFILTER-Y"
    )
    assert described[0] == ["LFILTER-X"]
    ids_only = judge(probe, search, "x/alpha-instruct", missing_to="LFILTER-Y")
    assert ids_only[0] == ["LFILTER-Y"]
    assert {"LFILTER-X", "LFILTER-Y"} <= ids_only[1].judged


def test_a_model_holding_the_text_only_in_its_hugging_face_id_is_either_way(spec: Spec) -> None:
    """The document says q searches by name or slug; a search that reads hugging_face_id
    too, or not, is fair for a model holding the text only there."""
    rows = [
        model("x/alpha-instruct"),
        model("x/beta", hugging_face_id="x/Beta-Instruct"),
        model("x/gamma", description="an instruct model"),
    ]
    search = Baseline(rows, spec.contract)
    probe = Probe(None, (rules.q_filter("INSTRUCT"),))
    for got in (("x/alpha-instruct",), ("x/alpha-instruct", "x/beta")):
        assert judge(probe, search, *got, missing_to="LFILTER-Y")[0] == []
    assert judge(probe, search, "x/beta", missing_to="LFILTER-Y")[0] == ["LFILTER-Y"]
    assert judge(probe, search, "x/alpha-instruct", "x/gamma")[0] == ["LFILTER-X"]


def test_q_prefers_a_word_no_hugging_face_id_holds_alone_unless_it_tells_less() -> None:
    """MINI and MAX each hold a model by name alone; x/eps holds MINI only in its
    hugging_face_id, which shows nothing: MAX is chosen, unless MINI alone also catches a
    search of descriptions."""
    rows = [
        model("x/alpha-mini"),
        model("x/beta", name="Beta Mini"),
        model("x/gamma-max"),
        model("x/delta", name="Delta Max"),
        model("x/eps", hugging_face_id="org/Eps-Mini"),
        model("x/zeta"),
    ]
    assert pairs(rules.choose_q(rows)) == (("q", "MAX"),)
    described = [*rows, model("x/theta", description="a mini model")]
    assert pairs(rules.choose_q(described)) == (("q", "MINI"),)


def test_ages_get_a_day_either_way(spec: Spec) -> None:
    rows = [
        model("a/new", created=days_ago(5)),
        model("a/edge", created=days_ago(10.5)),
        model("a/mid", created=days_ago(20)),
        model("a/old", created=days_ago(40)),
    ]
    aged = Baseline(rows, spec.contract)
    probe = Probe(None, (rules.age_filter(10, 30, NOW),))
    assert judge(probe, aged, "a/mid")[0] == []
    assert judge(probe, aged, "a/mid", "a/edge")[0] == []
    assert judge(probe, aged, "a/mid", "a/old")[0] == ["LFILTER-X"]
    assert judge(probe, aged, "a/new", "a/mid")[0] == ["LFILTER-X"]


def test_a_filter_every_model_meets_cannot_be_judged(baseline: Baseline) -> None:
    probe = Probe(None, (rules.input_filter(["text"]),))
    found, book = judge(probe, baseline, "a/one", "a/two", "b/three", "b/four", "~a/latest")
    assert found == []
    assert "LFILTER-X" not in book.judged
    assert "ignored it" in book.unjudgeable["LFILTER-X"]


def test_composed_filters_take_every_reading_together(baseline: Baseline) -> None:
    probe = Probe(
        "all",
        (rules.input_filter(["image"]), rules.authors_filter(["a", "b"])),
        (("sort", "newest"),),
    )
    assert (
        probe.label == "output_modalities=all&input_modalities=image&model_authors=a,b&sort=newest"
    )
    assert judge(probe, baseline, "b/four", "a/two")[0] == []
    assert judge(probe, baseline, "a/two")[0] == ["LFILTER-X"]


def test_a_search_composed_may_cut_but_stays_in_its_scope(spec: Spec) -> None:
    """q beside other filters: a model that holds the text may be missing (a search may
    rank or cut), one of another output scope may not be there (the scope applies to q
    as to every filter)."""
    rows = [
        model("x/flash-one", context_length=8192),
        model("x/flash-two", context_length=8192),
        model("x/slow", context_length=8192),
        model("x/flash-long", context_length=65536),
        model("x/flash-image", architecture=outputs("image"), context_length=8192),
    ]
    search = Baseline(rows, spec.contract)
    probe = Probe(None, (rules.context_filter(65536), rules.q_filter("FLASH")))
    assert probe.cuts
    assert judge(probe, search, "x/flash-long")[0] == []
    cut, book = judge(probe, search)
    assert cut == []
    assert "LFILTER-X" in book.judged
    small = Probe(None, (rules.q_filter("FLASH"), rules.context_filter(1)))
    assert judge(small, search, "x/flash-one")[0] == []
    assert judge(small, search, "x/flash-one", "x/slow")[0] == ["LFILTER-X"]
    assert judge(small, search, "x/flash-one", "x/flash-image")[0] == ["LFILTER-X"]


def test_a_search_prefers_a_word_models_outside_the_scope_hold(spec: Spec) -> None:
    texts = [model("x/alpha-mini"), model("x/beta-flash"), model("x/gamma"), model("x/delta")]
    elsewhere = [model("x/flash-image", architecture=outputs("image"))]
    assert pairs(rules.choose_q(texts)) == (("q", "MINI"),)
    assert pairs(rules.choose_q(texts, elsewhere)) == (("q", "FLASH"),)


def test_a_filter_alone_is_probed_on_the_list_of_all_models(baseline: Baseline) -> None:
    """Even where the default list has a splitting value: a wrong default scope is
    MODELS-FILTER-001's one failure, not one more per filter."""
    probe = rules.choose_probe(baseline, rules.choose_input)
    assert probe is not None
    assert probe.scope == "all"
    assert probe.label.startswith("output_modalities=all&input_modalities=")


def test_unreadable_answers_are_findings(baseline: Baseline) -> None:
    probe = Probe(None, (rules.input_filter(["image"]),))
    refused = exchange({"error": {"code": 400, "message": "no"}}, status=400)
    found = list_filters.filtered_answer("LFILTER-X", refused, probe, baseline)
    assert [f.requirement for f in found] == ["LFILTER-X"]


def test_opaque_filters_narrow_or_refuse_never_crash(baseline: Baseline) -> None:
    wider = answer(baseline, "a/one", "a/two")
    models = list(wider.json()["data"])
    assert list_filters.narrower_answer(answer(baseline, "a/one"), wider, models, "zdr=true") == []
    refused = exchange({"error": {"code": 400, "message": "no"}}, status=400)
    assert list_filters.narrower_answer(refused, wider, models, "zdr=true") == []
    crashed = exchange({"error": {"code": 500, "message": "x"}}, status=500)
    assert len(list_filters.narrower_answer(crashed, wider, models, "zdr=true")) == 1
    grown = answer(baseline, "a/one", "b/three")
    found = list_filters.narrower_answer(grown, wider, models, "zdr=true")
    assert "b/three" in found[0].message
    with ledger() as book:
        assert list_filters.narrower_answer(grown, wider, None, "zdr=true") == []
    assert "LFILTER-OPAQUE-001" in book.unjudgeable


def test_malformed_values_may_be_refused_or_ignored() -> None:
    assert list_filters.malformed_answer(exchange({"error": {"message": "no"}}, status=400)) == []
    assert list_filters.malformed_answer(listing()) == []
    crashed = list_filters.malformed_answer(exchange({"error": {"message": "x"}}, status=502))
    assert [f.requirement for f in crashed] == ["LFILTER-BAD-001"]


# ----------------------------------------------------------------------------- the choices


def test_context_is_chosen_at_a_real_value_some_models_miss(spec: Spec) -> None:
    rows = [model(f"a/m{n}", context_length=n) for n in (4096, 8192, 8192, 32768, 131072)]
    chosen = rules.choose_context(rows)
    assert pairs(chosen) == (("context", "8192"),)
    assert rules.choose_context([model("a/x"), model("a/y")]) is None  # one context only


def test_prices_are_chosen_on_real_prices_with_models_on_every_side(spec: Spec) -> None:
    rows = [model(f"a/m{i}", pricing=priced(f"0.00000{i}")) for i in range(1, 7)]
    chosen = rules.choose_price(rows, "prompt")
    # Halfway between real prices: no model within the tolerance of a bound.
    assert pairs(chosen) == (("min_price", "2.5"), ("max_price", "5.5"))
    assert chosen is not None
    assert {chosen.readings[0](m) for m in rows} == {True, False}
    cheapest = rules.choose_price(rows[:2], "prompt")
    assert pairs(cheapest) == (("max_price", "1.5"),)
    assert rules.choose_price(rows[:1], "prompt") is None


def test_price_bounds_are_short_decimals_whatever_the_prices() -> None:
    """A legal price of 70,001 digits, or 1e999990, puts no bound of its size in a URL: the
    pair beside it is passed over for the nearest pair with a short bound, or none is
    chosen; a bound is rounded to a tenth of its gap, so it stays strictly between."""
    long_price = "1" + "0" * 70_000
    rows = [model(f"a/m{i}", pricing=priced(f"0.00000{i}")) for i in range(1, 6)]
    for huge in (long_price, "1e999990"):
        listed = [*rows, model("a/huge", pricing=priced(huge, huge))]
        for chosen in (
            rules.choose_price(listed, "prompt"),
            rules.choose_price(listed, "completion", both=False),
            rules.choose_price(listed[-2:], "prompt"),
            rules.beyond_prices(listed, "prompt"),
        ):
            assert chosen is None or all(len(value) <= 21 for _, value in chosen.pairs)
        both = rules.choose_price(listed, "prompt")
        assert both is not None
        assert rules.decides(both, listed)
        assert rules.choose_price(listed[-2:], "prompt") is None  # the only pair is too long
        assert rules.beyond_prices(listed, "prompt") is None
    uneven = [model(f"a/{p}", pricing=priced(p)) for p in ("0.0000001", "0.000000123456789")]
    assert pairs(rules.choose_price(uneven, "prompt")) == (("max_price", "0.112"),)


def test_q_is_an_id_word_in_another_case_preferring_names(spec: Spec) -> None:
    rows = [
        model("x/alpha-mini"),
        model("x/beta", name="Beta Mini"),
        model("x/gamma-turbo"),
        model("x/delta"),
    ]
    chosen = rules.choose_q(rows)
    assert pairs(chosen) == (("q", "MINI"),)


def test_an_input_pair_tells_any_of_all_of_and_the_first_name_apart() -> None:
    rows = [
        model("a/i", architecture=inputs("text", "image")),
        model("a/a", architecture=inputs("text", "audio")),
        model("a/b", architecture=inputs("text", "image", "audio")),
        model("a/t", architecture=inputs("text")),
    ]
    chosen = rules.choose_input_pair(rows)
    assert pairs(chosen) == (("input_modalities", "audio,image"),)
    assert rules.choose_input(rows) is not None
    assert rules.choose_input_pair(rows[3:]) is None
    # Every model takes text: text,image under any-of is every model, an ignored filter.
    assert rules.choose_input_pair([rows[0], rows[3]]) is None
    nested = [rows[0], model("a/f", architecture=inputs("text", "image", "file")), rows[3]]
    assert pairs(rules.choose_input_pair(nested)) == (("input_modalities", "file,image"),)


def test_authors_are_chosen_only_when_some_model_is_left_out() -> None:
    rows = [model("a/1"), model("a/2"), model("b/1"), model("c/1"), model("~a/latest")]
    one = rules.choose_authors(rows, 1)
    assert pairs(one) == (("model_authors", "a"),)
    two = rules.choose_authors(rows, 2, skip=1)
    assert pairs(two) == (("model_authors", "b,c"),)
    assert rules.choose_authors(rows[:2], 1) is None


def test_an_age_window_is_chosen_in_whole_days() -> None:
    rows = [model(f"a/m{d}", created=days_ago(d)) for d in (1.5, 10.2, 20.7, 30.1, 60.3, 90.9)]
    chosen = rules.choose_age(rows, NOW)
    assert pairs(chosen) == (("min_age_days", "20"), ("max_age_days", "61"))


def test_an_age_gap_splits_two_models_a_window_cannot() -> None:
    rows = [model("a/new", created=days_ago(3)), model("a/old", created=days_ago(30))]
    assert pairs(rules.choose_age(rows, NOW)) == (("max_age_days", "16"),)
    close = [model("a/x", created=days_ago(3)), model("a/y", created=days_ago(4))]
    assert rules.choose_age(close, NOW) is None  # within the day of tolerance


# ----------------------------------------------------------------------------- OpenAI-style lists


@pytest.fixture
def openai_style(spec: Spec) -> Baseline:
    """LiteLLM's list: id, object, created and owned_by, no architecture (so no model is
    surely in the default, text, scope), all created the same second."""
    created = days_ago(900)
    return Baseline(
        [
            {"id": i, "object": "model", "created": created, "owned_by": "litellm"}
            for i in ("anthropic/claude-3.5-haiku", "openai/gpt-4o-mini", "meta-llama/llama-3")
        ],
        spec.contract,
    )


def test_models_without_outputs_are_probed_in_the_list_of_all_models(
    openai_style: Baseline,
) -> None:
    assert rules.scope_models(None, openai_style) == []
    authors = rules.choose_probe(openai_style, lambda m: rules.choose_authors(m, 1))
    assert authors is not None
    assert authors.label == "output_modalities=all&model_authors=anthropic"
    assert judge(authors, openai_style, "anthropic/claude-3.5-haiku")[0] == []
    every = judge(authors, openai_style, *openai_style.by_id)
    assert every[0] == ["LFILTER-X"]
    assert "LFILTER-X" in every[1].judged
    search = rules.choose_probe(openai_style, rules.choose_q)
    assert search is not None
    assert search.scope == "all"
    assert judge(search, openai_style, *openai_style.by_id, missing_to="LFILTER-Y")[0] == [
        "LFILTER-X"
    ]


def test_data_a_list_does_not_carry_gives_no_probe(openai_style: Baseline, spec: Spec) -> None:
    contract = spec.contract
    assert (
        rules.choose_probe(
            openai_style, rules.choose_input, lambda m: rules.beyond_inputs(m, contract)
        )
        is None
    )
    assert rules.choose_probe(openai_style, rules.choose_context, rules.beyond_context) is None
    price = rules.choose_probe(
        openai_style,
        lambda m: rules.choose_price(m, "prompt"),
        lambda m: rules.beyond_prices(m, "prompt"),
    )
    assert price is None


# ----------------------------------------------------------------------------- every model ties


@pytest.fixture
def tied(spec: Spec) -> Baseline:
    """aimock's and anymodel's lists: a few models of one author alike in everything."""
    same = {
        "architecture": inputs("text", "image"),
        "context_length": 128000,
        "pricing": priced("0", "0"),
        "created": days_ago(400.5),
    }
    return Baseline(
        [model(i, **same) for i in ("openai/gpt-4o", "openai/gpt-4o-mini", "openai/o3")],
        spec.contract,
    )


def beyond_probes(baseline: Baseline, contract: Any) -> dict[str, Probe | None]:
    return {
        "input": rules.choose_probe(
            baseline, rules.choose_input, lambda m: rules.beyond_inputs(m, contract)
        ),
        "context": rules.choose_probe(baseline, rules.choose_context, rules.beyond_context),
        "authors": rules.choose_probe(
            baseline, lambda m: rules.choose_authors(m, 1), rules.beyond_authors
        ),
        "prompt": rules.choose_probe(
            baseline,
            lambda m: rules.choose_price(m, "prompt"),
            lambda m: rules.beyond_prices(m, "prompt"),
        ),
        "completion": rules.choose_probe(
            baseline,
            lambda m: rules.choose_price(m, "completion"),
            lambda m: rules.beyond_prices(m, "completion"),
        ),
        "age": rules.choose_probe(
            baseline,
            lambda m: rules.choose_age(m, NOW),
            lambda m: rules.beyond_ages(m, NOW),
        ),
    }


def test_where_no_value_splits_the_list_one_beyond_every_model_is_sent(
    tied: Baseline, spec: Spec
) -> None:
    probes = beyond_probes(tied, spec.contract)
    assert {k: p.label if p else None for k, p in probes.items()} == {
        "input": "output_modalities=all&input_modalities=audio",
        "context": "output_modalities=all&context=128001",
        "authors": "output_modalities=all&model_authors=anthropic",
        "prompt": "output_modalities=all&min_price=1",
        "completion": "output_modalities=all&min_output_price=1",
        "age": "output_modalities=all&max_age_days=399",
    }
    for probe in probes.values():
        assert probe is not None
        assert probe.empty
        ignored = judge(probe, tied, *tied.by_id)
        assert ignored[0] == ["LFILTER-X"], probe.label
        assert "LFILTER-X" in ignored[1].judged
        honoured = judge(probe, tied)
        assert honoured[0] == [], probe.label
        assert "LFILTER-X" in honoured[1].judged


def test_the_youngest_models_are_bounded_from_the_other_side(spec: Spec) -> None:
    rows = [model("a/x", created=days_ago(0.5)), model("a/y", created=days_ago(0.8))]
    chosen = rules.beyond_ages(rows, NOW)
    assert pairs(chosen) == (("min_age_days", "2"),)


def test_a_splitting_value_is_preferred_to_one_beyond_every_model(
    baseline: Baseline, spec: Spec
) -> None:
    probes = beyond_probes(baseline, spec.contract)
    assert all(probes.values())
    # Every model of the fixture costs 2 $/M for completions and was created the same second.
    assert {name for name, probe in probes.items() if probe and probe.empty} == {
        "completion",
        "age",
    }


def test_a_name_no_model_holds_may_be_refused_a_bound_may_not(tied: Baseline, spec: Spec) -> None:
    probes = beyond_probes(tied, spec.contract)
    refused = exchange({"error": {"code": 400, "message": "unknown author"}}, status=400)
    for name in ("input", "authors"):
        probe = probes[name]
        assert probe is not None
        with ledger() as book:
            assert list_filters.filtered_answer("LFILTER-X", refused, probe, tied) == []
        assert "LFILTER-X" not in book.judged
        assert "refusing it is fair" in book.unjudgeable["LFILTER-X"]
    crashed = exchange({"error": {"code": 500, "message": "x"}}, status=500)
    authors = probes["authors"]
    assert authors is not None
    found = list_filters.filtered_answer("LFILTER-X", crashed, authors, tied)
    assert [f.requirement for f in found] == ["LFILTER-X"]
    context = probes["context"]
    assert context is not None
    found = list_filters.filtered_answer("LFILTER-X", refused, context, tied)
    assert [f.requirement for f in found] == ["LFILTER-X"]
