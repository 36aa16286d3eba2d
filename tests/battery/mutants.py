"""The table every battery test reads: a mutant, the requirements it must fail, how it is built.

A mutant is the reference server with exactly one defect. Its row says which requirement
ids the kit must report as failed, which others may legitimately fail with it (`also`,
each with its reason in a comment), and which neighbouring ids are run on purpose and must
stay quiet (`quiet`), to show that a check is specific and not merely loud.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from reference_server import ChatEngine, Queries, Visibility, create_app
from tests.battery.harness import Verdict, battery_catalog, edited_catalog, level


@dataclass(frozen=True)
class Mutant:
    name: str
    fails: tuple[str, ...]  # must each be reported "failed"
    build: Callable[[], Any]  # the defective target, an ASGI app
    also: tuple[str, ...] = ()  # may fail as well: the same defect breaks them too
    quiet: tuple[str, ...] = ()  # run as well, and must not fail
    manifest: Mapping[str, Any] = field(default_factory=dict)

    def param(self) -> Any:
        """The row as a pytest parameter named after the mutant."""
        return pytest.param(self, id=self.name)


@dataclass(frozen=True)
class Fair:
    """A target that makes another choice the contract allows: judged on `profiles`, it
    must pass every MUST (see test_fairness.py)."""

    name: str
    build: Callable[[], Any]
    profiles: tuple[str, ...]
    exercises: tuple[str, ...]  # judged and passed: the choice was really looked at
    should_fail: tuple[str, ...] = ()  # the SHOULDs this allowed choice does not follow
    prefix: str = "/v1"
    manifest: Mapping[str, Any] = field(default_factory=dict)

    def param(self) -> Any:
        return pytest.param(self, id=self.name)


# Mutants serve the battery catalog (harness.battery_catalog): every kind of row, fewer rows.


def queries(cls: type[Queries], **options: Any) -> Callable[[], Any]:
    return lambda: create_app(battery_catalog(), queries=cls, **options)


def chat(cls: type[ChatEngine], **options: Any) -> Callable[[], Any]:
    return lambda: create_app(battery_catalog(), chat=cls, **options)


def catalog(edit: Callable[[list[dict[str, Any]]], None], **options: Any) -> Callable[[], Any]:
    return lambda: create_app(edited_catalog(edit), **options)


def wrapped(middleware: Callable[[Any], Any], **options: Any) -> Callable[[], Any]:
    return lambda: middleware(create_app(battery_catalog(), **options))


# ----------------------------------------------------------------------------- model edits


Model = dict[str, Any]


def everyone(model: Model) -> bool:
    return True


def presenting(
    change: Callable[[Model], None], only: Callable[[Model], bool] = everyone, *, once: bool = False
) -> type[Queries]:
    """A `Queries` whose list and lookup serve each model (those `only` picks; with `once`,
    only the first of them in catalog order) changed by `change`."""

    class Presenting(Queries):
        def present(self, model: Model) -> dict[str, Any]:
            served = super().present(model)
            if not only(model) or (once and model["id"] != self.first):
                return served
            served = copy.deepcopy(served)
            change(served)
            return served

        @functools.cached_property
        def first(self) -> str:
            return str(next(m["id"] for m in self.catalog.models if only(m)))

    return Presenting


def without(*path: str) -> Callable[[Model], None]:
    """Delete the key at `path` (e.g. "architecture", "tokenizer")."""

    def change(model: Model) -> None:
        *parents, last = path
        node = model
        for key in parents:
            node = node[key]
        del node[last]

    return change


def replaced(*path: str, by: Callable[[Any], Any]) -> Callable[[Model], None]:
    """Replace the value at `path` with `by(old value)`."""

    def change(model: Model) -> None:
        *parents, last = path
        node = model
        for key in parents:
            node = node[key]
        node[last] = by(node[last])

    return change


def constant(value: Any) -> Callable[[Any], Any]:
    return lambda _: value


# ----------------------------------------------------------------------------- shared choices


class ParametersAnyOf(Queries):
    """Several supported_parameters select the models that support any of them: an allowed
    rule (a fairness double), and a defect against a manifest that declares all-of."""

    def select(self, modalities: Any, parameters: Any, visibility: Visibility) -> list[Model]:
        if len(parameters) < 2:
            return super().select(modalities, parameters, visibility)
        one = super().select
        found = {m["id"] for name in parameters for m in one(modalities, {name}, visibility)}
        return [m for m in self.catalog.models if m["id"] in found]


def check_mutant(mutant: Mutant, judged: Callable[..., Verdict]) -> None:
    """The expected ids fail, the exit code says whether a MUST failed, nothing else is bad."""
    manifest = {"aliases": dict(battery_catalog().aliases), **mutant.manifest}
    verdict = judged(mutant.build(), requirements=[*mutant.fails, *mutant.quiet], **manifest)
    assert verdict.crashes == (), "the mutant itself is broken"
    caught = {rid: verdict.status.get(rid) for rid in mutant.fails}
    assert set(caught.values()) == {"failed"}, verdict.explain([*mutant.fails, *verdict.bad()])
    must = any(level(rid) == "MUST" for rid in mutant.fails)
    assert verdict.code == (1 if must else 0), verdict.explain()
    assert verdict.bad(ignore=[*mutant.fails, *mutant.also]) == {}, verdict.explain()
    for rid in mutant.quiet:
        assert verdict.status[rid] == "passed", verdict.explain([rid])


def check_fair(double: Fair, judged: Callable[..., Verdict]) -> None:
    """Every MUST passes, only the named SHOULDs fail, and the choice was really judged."""
    verdict = judged(
        double.build(), profiles=double.profiles, prefix=double.prefix, **double.manifest
    )
    assert verdict.crashes == (), "the double itself is broken"
    assert all(level(rid) == "SHOULD" for rid in double.should_fail)
    assert verdict.bad() == dict.fromkeys(double.should_fail, "failed"), verdict.explain()
    assert verdict.code == 0, verdict.explain()
    for rid in double.exercises:
        assert verdict.status[rid] == "passed", verdict.explain([rid])
