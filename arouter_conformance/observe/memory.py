"""What earlier traffic showed, kept for the requirements that compare two answers.

A suite asks for the `all` list first and judges everything against it; observed traffic
comes in whatever order its client chose. So the latest `output_modalities=all` list is
kept as the baseline the filters are judged against (once it has been seen), every listed
model by id (for lookups, endpoints pages, user lists and the names a chat answer may
carry), where each listed links.details leads, and for each filter combination the ids the
unsorted list answered (for counts and sorted lists). A count or a lookup that came before
the list it is compared with waits, in a short queue, for that list. Nothing else is kept:
no body outlives the judging of its exchange, and every store has a bound, so a proxy can
run for days.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from arouter_conformance.checks.filters import ParameterObservation
from arouter_conformance.exchange import Exchange
from arouter_conformance.oracle import Baseline, id_of
from arouter_conformance.spec import Spec

__all__ = ["Key", "Listed", "Memory", "WaitingCount", "WaitingLookup", "filter_key"]

Model = Mapping[str, Any]
Key = tuple[tuple[str, str], ...]
LISTS = 64  # filter combinations remembered (the least recently seen go first)
ENTRIES = 50_000  # listed models remembered by id
WAITING = 128  # counts and lookups waiting for their list
PARAMETER_ANSWERS = 32  # several-parameter answers kept to judge one rule across them
SEEN = 20_000  # model objects already validated (a list repeats the same models)
LINKS = 50_000  # links.details resolved (per list URL): a list repeats the same links


def filter_key(query: Mapping[str, str]) -> Key:
    """A list's filters, without its sort: the answers with this key hold the same set."""
    return tuple(sorted((name, value) for name, value in query.items() if name != "sort"))


@dataclass(frozen=True)
class Listed:
    """One list answer as later checks need it: its evidence and its ids (None when it was
    refused or could not be read)."""

    exchange: Exchange
    ids: tuple[str, ...] | None

    def models(self) -> list[Model]:
        """The ids as the models the set and order checks compare (they read ids only)."""
        return [{"id": i} for i in self.ids or ()]


@dataclass(frozen=True)
class WaitingCount:
    exchange: Exchange
    key: Key
    count: int
    requirement: str  # COUNT-MATCH-001, or COUNT-UNKNOWN-001 for an unknown value


@dataclass(frozen=True)
class WaitingLookup:
    exchange: Exchange
    model_id: str
    model: Model | None  # the answer's model; None when it was not a 200


class Memory:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec  # the catalog the checks judge by, passed in rather than reloaded
        self.contract = spec.contract
        self.everything: Baseline | None = None  # the latest `all` list
        self.everything_from: Exchange | None = None  # the answer that gave it
        self.entries: dict[str, Model] = {}
        self.carried_by: dict[str, str] = {}  # each entry's list answer's URL (its links' base)
        self.lists: OrderedDict[Key, Listed] = OrderedDict()
        self.orders: dict[tuple[Key, str], Listed] = {}  # most-popular and top-weekly
        self.counts: deque[WaitingCount] = deque(maxlen=WAITING)
        self.lookups: deque[WaitingLookup] = deque(maxlen=WAITING)
        self.parameter_answers: deque[ParameterObservation] = deque(maxlen=PARAMETER_ANSWERS)
        self.seen: set[str] = set()
        self._catalog: Baseline | None = None
        self._links: dict[tuple[str, str], str | None] = {}

    def remember_models(self, models: Iterable[Model], list_url: str) -> None:
        """The models of a list answer, and `list_url`, where that answer was asked: what
        the models' links are resolved against."""
        for model in models:
            model_id = id_of(model)
            if model_id is not None and (model_id in self.entries or len(self.entries) < ENTRIES):
                self.entries[model_id] = model
                self.carried_by[model_id] = list_url
                self._catalog = None

    def remember_list(self, key: Key, listed: Listed) -> None:
        self.lists[key] = listed
        self.lists.move_to_end(key)
        while len(self.lists) > LISTS:
            self.lists.popitem(last=False)

    def remember_order(self, key: Key, sort: str, listed: Listed) -> None:
        if len(self.orders) >= 2 * LISTS and (key, sort) not in self.orders:
            self.orders.clear()  # rarely: two answers per filter combination are compared
        self.orders[(key, sort)] = listed

    def listed(self, key: Key) -> Listed | None:
        return self.lists.get(key)

    def catalog(self) -> Baseline:
        """Every model any list showed (the latest entry of each id): what a lookup must
        repeat and what a chat answer may be named after. Not a complete list: only the
        `all` list (`everything`) says that an id is not listed."""
        if self._catalog is None:
            self._catalog = Baseline(self.entries.values(), self.contract)
        return self._catalog

    def known_modalities(self) -> frozenset[str]:
        return (self.everything or self.catalog()).known_modalities

    def validated(self) -> set[str]:
        """The models already judged against the schema, for `listing.model_objects`."""
        if len(self.seen) > SEEN:
            self.seen.clear()
        return self.seen

    def leads_to(
        self, link: str, list_url: str, resolve: Callable[[str, str], str | None]
    ) -> str | None:
        """Where a link the list answer asked at `list_url` carried leads (`resolve`d once
        per link and list URL): every endpoints page a client fetches is compared with
        every listed link."""
        key = (list_url, link)
        if key not in self._links:
            if len(self._links) >= LINKS:
                self._links.clear()
            self._links[key] = resolve(link, list_url)
        return self._links[key]
