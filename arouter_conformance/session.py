"""One conformance run: the target, its claims, the baseline, and the knobs every suite
shares (request budgets, Hypothesis settings). Suites receive it as the `run` fixture.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from arouter_conformance.checks import lookup
from arouter_conformance.checks.common import listed_models
from arouter_conformance.client import (
    Budget,
    Credentials,
    Query,
    RateLimited,
    Target,
    TargetError,
    TargetTooSlow,
)
from arouter_conformance.config import RunConfig
from arouter_conformance.determinism import without_local_constants
from arouter_conformance.errors import KitError, RunError
from arouter_conformance.evidence import inert
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import ConformanceFailure, Finding, Inconclusive, require
from arouter_conformance.manifest import Manifest
from arouter_conformance.once import Once, kept_as_made
from arouter_conformance.oracle import Baseline, ParameterRule, id_of
from arouter_conformance.planning import ChatModels, chat_models
from arouter_conformance.redact import Redactor
from arouter_conformance.spec import Contract, Spec
from arouter_conformance.traffic import Traffic

__all__ = [
    "BaselineUnavailable",
    "Run",
    "RunError",
    "first_contact",
    "open_run",
    "open_target",
]

T = TypeVar("T")
MAX_TOKENS = 8
# A reply far longer than MAX_TOKENS, so every answer shows a cut (CHAT-FINISH-001) at the
# same cost: max_tokens bounds what is paid for, whatever the prompt asks.
PROMPT = ({"role": "user", "content": "Count from 1 to 100, separated by spaces."},)
Model = Mapping[str, Any]


class BaselineUnavailable(Inconclusive):
    """The all list could not be read, so nothing can be judged against it."""


@dataclass
class Run:
    spec: Spec
    config: RunConfig
    manifest: Manifest
    target: Target
    redactor: Redactor
    # Shared with the tests run ahead of their turn (`speculation.py`): made once, by
    # whichever thread asks first.
    _memo: Once[str, object, object] = field(default_factory=kept_as_made)

    @property
    def claimed(self) -> frozenset[str]:
        return frozenset(self.config.profiles)

    @property
    def contract(self) -> Contract:
        return self.spec.contract

    # ------------------------------------------------------------------ answers
    def models(
        self, query: Query = None, *, auth: str = "key"
    ) -> tuple[Exchange, list[Model] | None]:
        """GET /models and the models in it (None when the answer has no usable list)."""
        exchange = self.target.get("/models", query, auth=auth)
        models, _ = listed_models(self.spec.list_requirement, exchange)
        return exchange, models

    def probe_lists(self) -> Iterator[tuple[Exchange, list[Model]]]:
        """The list answers every run asks for anyway (cached), for the checks that judge
        every list rather than one: ids once per answer, models valid in every answer.

        Each is asked for (from the GET memo, where a large answer is kept compressed) and
        parsed as it is read: against thousands of models, fifteen lists held whole for the
        run cost more memory than everything else.
        """

        def queried() -> list[Query]:
            baseline = self.baseline()
            queries: list[Query] = [
                None,
                {"output_modalities": self.contract.all_output_modalities},
            ]
            queries += [{"output_modalities": name} for name in sorted(baseline.known_modalities)]
            pair = baseline.overlapping_pair()
            if pair:
                queries.append({"output_modalities": ",".join(pair)})
            if baseline.listed_parameters:
                queries.append({"supported_parameters": baseline.listed_parameters[0]})
            if "sort" in self.claimed:
                queries += [{"sort": value} for value in self.contract.sort_values]
            return queries

        for query in self.memo("probe-lists", queried):
            exchange, models = self.models(query)
            if models is not None:
                yield exchange, models

    def lookup_url(self, model_id: str) -> str:
        return self.target.url(lookup.lookup_path(model_id))

    def lookup(self, model_id: str, *, auth: str = "key") -> Exchange:
        return self.target.get_url(self.lookup_url(model_id), auth=auth)

    @property
    def baseline_query(self) -> Query:
        """How the whole catalog is asked for: the list every check is judged against."""
        return {"output_modalities": self.spec.contract.all_output_modalities}

    def baseline_exchange(self) -> Exchange:
        return self.target.get("/models", self.baseline_query)

    def baseline(self) -> Baseline:
        """The list of all models, parsed and indexed once for the run: forty tests judge
        against it, and parsing ten thousand models again for each cost a fifth of a run.
        A list that cannot be read is asked about again by each test, and refused again."""

        def read() -> Baseline:
            exchange = self.baseline_exchange()
            models, findings = listed_models(self.spec.list_requirement, exchange)
            if models is None:
                raise BaselineUnavailable(
                    "the list of all models (output_modalities=all) could not be read: "
                    + findings[0].message,
                    blocked_by=self.spec.list_requirement,
                )
            return Baseline(models, self.spec.contract)

        return self.memo("baseline", read)

    def unsteady(self) -> str | None:
        """Whether the target's catalog held still while it was judged: the list of all
        models asked once more at the end, past the memo. A catalog that changed (a
        deployment rolling out, a cache filling, a target answering at random) leaves
        verdicts on answers that may disagree with each other, which the report says.
        None when it held, or when it cannot be told (no list at the start, no answer
        or no budget now)."""
        try:
            before = self.baseline().ids
            again = self.target.get_again("/models", self.baseline_query)
        except (KitError, Inconclusive):
            return None
        try:
            models, _ = listed_models(self.spec.list_requirement, again)
        except Inconclusive as exc:  # read in part, or past what the kit parses
            return f"the list of all models could not be read again at the end ({exc})"
        if models is None:
            return f"the list of all models could not be read again at the end ({again.describe()})"
        after = frozenset(str(i) for i in map(id_of, models) if i is not None)
        if after == before:
            return None
        return (
            f"the list of all models changed while the run judged it: {len(before)} models at "
            f"the start, {len(after)} at the end, {len(before ^ after)} ids differing; "
            "verdicts rest on answers that may disagree with each other"
        )

    # ------------------------------------------------------------------ chat
    def chat_models(self) -> ChatModels:
        """The models the chat suite talks to; a named chat model takes the cheap and base
        roles, the ones every plain probe uses."""

        def choose() -> ChatModels:
            picks = chat_models(self.baseline())
            named = self.config.chat_model
            return replace(picks, cheap=named, base=named) if named else picks

        return self.memo("chat-models", choose)

    def chat_model(self, role: str) -> str | None:
        """The model for `role` (a `ChatModels` field); None when the list honestly holds
        none, and Inconclusive when the list cannot tell (no pricing, no architecture):
        "not applicable" would then claim what the kit does not know."""
        model: str | None = getattr(self.chat_models(), role)
        listed = self.memo("chat-models-listed", lambda: chat_models(self.baseline()))
        if model is not None or listed.cheap is not None:
            return model
        named = self.config.chat_model
        if named is None:
            raise Inconclusive(
                "no model to chat with: the list gives no pricing or architecture to "
                f"choose one; name one with {self.config.flag('chat-model')} or the "
                "manifest's chat_model"
            )
        # What the ids alone can show: whether any variant id is listed at all, and
        # whether the named model has a listed :free variant.
        ids = self.baseline().ids
        suffix = {"free": ":free", "thinking": ":thinking"}.get(role)
        if suffix is not None and not any(i.endswith(suffix) for i in ids):
            return None
        if role == "without_free" and f"{named}:free" not in ids:
            return named
        raise Inconclusive(
            "the list gives no pricing or architecture to choose a model for this check "
            "(a named chat model serves the plain probes only)"
        )

    def chat_body(self, model: str, **extra: Any) -> dict[str, Any]:
        """A short prompt and a small max_tokens: every chat request may cost money."""
        return {
            "model": model,
            "messages": [dict(m) for m in PROMPT],
            "max_tokens": MAX_TOKENS,
            **extra,
        }

    def chat(self, body: Any = None, *, raw: bytes | None = None, auth: str = "key") -> Exchange:
        if raw is not None:
            return self.target.post("/chat/completions", content=raw, auth=auth)
        return self.target.post("/chat/completions", json_body=body, auth=auth)

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """One answer shared by the tests that judge it, so it is paid for once."""
        return self._memo.get(key, make)  # type: ignore[return-value]

    # ------------------------------------------------------------------ claims
    @property
    def parameter_rules(self) -> tuple[ParameterRule, ...]:
        declared = self.manifest.supported_parameters_match
        return (declared,) if declared else ("all", "any")

    @property
    def restricted_providers(self) -> tuple[str, ...] | None:
        restricted = self.manifest.restricted
        return restricted.providers if restricted else None

    @property
    def auto_model(self) -> str:
        return self.manifest.auto_model or self.spec.contract.auto_model

    # ------------------------------------------------------------------ hypothesis
    def property(
        self, strategy: st.SearchStrategy[T], *, examples: int | None = None
    ) -> Callable[[Callable[[T], list[Finding]]], Callable[[], list[Finding]]]:
        """`@given(strategy)` over a body that returns findings, with the run's settings.

        Derandomized unless a seed is given, so a CI gate sees the same examples every run;
        no example database, so the kit writes nothing into the user's directory. Only MUST
        findings stop the property (and are shrunk to the smallest example); the others are
        kept and returned, so a SHOULD finding never hides a MUST one.
        """
        chosen = settings(
            max_examples=max(1, self.config.examples if examples is None else examples),
            derandomize=self.config.seed is None,
            database=None,
            deadline=None,
            report_multiple_bugs=False,
            print_blob=False,
            phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
        )

        def decorate(body: Callable[[T], list[Finding]]) -> Callable[[], list[Finding]]:
            deferred: list[Finding] = []
            unjudged: list[Inconclusive] = []
            test = _until_unjudged(body, unjudged)

            # Hypothesis derives the examples of a derandomized run from this function's
            # source: an edit here changes which queries every run asks.
            def judged(value: T) -> None:
                found = test(value)
                must = [f for f in found if self.spec.requirement(f.requirement).level == "MUST"]
                deferred.extend(f for f in found if f not in must and f not in deferred)
                require(must, complete=False)

            wrapped = chosen(given(strategy)(judged))
            if self.config.seed is not None:
                wrapped = hypothesis_seed(self.config.seed)(wrapped)

            def isolated() -> list[Finding]:
                try:
                    with without_local_constants():
                        wrapped()
                except ConformanceFailure as stopped:
                    raise stopped.with_findings(after=deferred) from None
                if unjudged:
                    raise unjudged[0]
                return list(deferred)

            return isolated

        return decorate

    def close(self) -> None:
        self.target.close()


def _until_unjudged(
    body: Callable[[T], list[Finding]], unjudged: list[Inconclusive]
) -> Callable[[T], list[Finding]]:
    """An example the kit could not judge (an answer it did not read whole) ends the
    property, the rest of its examples judging nothing: raised inside it, Hypothesis
    would take it for a failure and shrink, sending more requests for nothing."""

    def judging(value: T) -> list[Finding]:
        if unjudged:
            return []
        try:
            return body(value)
        except Inconclusive as exc:
            unjudged.append(exc)
            return []

    return judging


def open_target(
    config: RunConfig,
    *,
    budget: Budget,
    chat_budget: Budget,
    retries: int = 3,
    traffic: Traffic | None = None,
) -> Target:
    """The client for `config`'s target: its keys, its headers, its timeout, and the
    record of its requests when the run writes a HAR (`traffic`)."""
    assert config.target_url is not None
    return Target(
        config.target_url,
        Credentials(key=config.api_key, restricted=config.restricted_key),
        budget=budget,
        chat_budget=chat_budget,
        timeout=config.timeout,
        retries=retries,
        headers={header.name: header.value for header in config.headers},
        traffic=traffic,
    )


def first_contact(target: Target, config: RunConfig, query: Query = None) -> Exchange:
    """GET /models, or the one-line reason the run cannot go on, worded the same at both
    front doors: unreachable (the URL or the network is wrong), too slow (the timeout
    is), the wrong path (the version prefix is), or the key (refused or missing)."""
    redactor = Redactor(config.secrets)
    try:
        exchange = target.get("/models", query)
    except TargetTooSlow:
        raise RunError(
            f"target too slow: no answer to GET /models within {config.timeout:g} s "
            f"(raise {config.flag('timeout')})"
        ) from None
    except RateLimited as exc:
        raise RunError(f"target rate-limited: {redactor.text(str(exc))}; run again later") from None
    except TargetError as exc:
        raise RunError(f"target unreachable: {redactor.text(str(exc))}") from None
    if exchange.status in (404, 405):
        raise RunError(
            redactor.text(
                f"GET {target.base_url}/models answered {exchange.status}: is the version "
                "prefix in --target-url? (…/v1 for ARouter style, …/api/v1 for OpenRouter style)"
            )
        )
    if exchange.status in (401, 403):
        given = "refused the key" if config.api_key else "needs a key and none was given"
        raise RunError(
            f"the target {given} ({exchange.describe()}): pass {config.flag('api-key')}, set "
            "AROUTER_API_KEY, or name the variable with the manifest's api_key_env"
        )
    if exchange.status >= 400:
        said = " ".join(inert(exchange.text(160)).split())
        refused = "the request that reads the whole catalog was refused" if query else "refused"
        raise RunError(
            redactor.text(
                f"{exchange.describe()} ({said}): {refused}, and every check is judged against "
                f"that list; a gateway that needs headers of its own takes "
                f"{config.flag('header')} 'Name: value' or the manifest's headers"
            )
        )
    return exchange


@contextlib.contextmanager
def open_run(spec: Spec, config: RunConfig, *, traffic: Traffic | None = None) -> Iterator[Run]:
    """The run, with the embedded reference server up for its lifetime when no URL is given;
    `traffic` records every request (the caller keeps it: the first contact's is recorded
    even when the run cannot go on)."""
    with contextlib.ExitStack() as stack:
        if config.embedded:
            from arouter_conformance.embedded import embedded_target

            config = stack.enter_context(embedded_target(config))
        target = open_target(
            config,
            budget=Budget("request", config.request_budget),
            chat_budget=Budget("chat", config.chat_budget),
            traffic=traffic,
        )
        stack.callback(target.close)
        run = Run(spec, config, config.manifest, target, Redactor(config.secrets))
        first_contact(target, config, run.baseline_query)
        yield run
