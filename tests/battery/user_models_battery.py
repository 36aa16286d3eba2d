"""The battery of the user-models profile: its single-defect targets and its fair targets."""

from __future__ import annotations

import copy
from typing import Any

from reference_server import (
    ChatEngine,
    HTTPError,
    Queries,
    Visibility,
    create_app,
)
from reference_server.auth import EVERYONE
from reference_server.catalog import author_of
from tests.battery.harness import battery_catalog, keyless_as_demo, labelled_text
from tests.battery.mutants import Fair, Mutant, queries, wrapped

Model = dict[str, Any]
USER = "/models/user"
# A provider the main key has switched off in its preferences: its models leave that key's
# /models/user (ruling R19 lets a gateway do so, as long as chat refuses them too).
SWITCHED_OFF = "google"


def user_models_without(key: str) -> type[Queries]:
    """User entries lacking `key`, the list's entries left whole."""

    class UserModelsWithout(Queries):
        def user_models(self, visibility: Visibility) -> list[Model]:
            served = copy.deepcopy(super().user_models(visibility))
            for model in served:
                del model[key]
            return served

    return UserModelsWithout


class UserModelsLongerContext(Queries):
    """Every user entry says a context_length one token longer than the list's."""

    def user_models(self, visibility: Visibility) -> list[Model]:
        served = copy.deepcopy(super().user_models(visibility))
        for model in served:
            if isinstance(model.get("context_length"), int):
                model["context_length"] += 1
        return served


class UserModelsWithAHiddenModel(Queries):
    """The main key's user list holds a model no list shows."""

    def user_models(self, visibility: Visibility) -> list[Model]:
        served = super().user_models(visibility)
        if visibility != EVERYONE:
            return served
        hidden = copy.deepcopy(served[0])
        hidden.update(id="zz-hidden/preview", canonical_slug="zz-hidden/preview")
        return [*served, hidden]


class UserModelsIgnoreTheKey(Queries):
    """Every key's user list holds every provider's models."""

    def user_models(self, visibility: Visibility) -> list[Model]:
        return super().user_models(EVERYONE)


class ChatIgnoresTheRestriction(ChatEngine):
    """A restricted key is served by any provider's model it names."""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        if requested == self.contract.auto_model:
            return super().resolve(requested, visibility)
        return super().resolve(requested, EVERYONE)


class SwitchedOff(Queries):
    """The main key's preferences leave one provider out of its /models/user."""

    def user_models(self, visibility: Visibility) -> list[Model]:
        served = super().user_models(visibility)
        if visibility != EVERYONE:
            return served
        return [m for m in served if author_of(m["id"]) != SWITCHED_OFF]


class RefusesTheSwitchedOff(ChatEngine):
    """Chat honours the main key's preferences: the provider switched off is refused."""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        model = super().resolve(requested, visibility)
        if visibility == EVERYONE and author_of(model["id"]) == SWITCHED_OFF:
            raise HTTPError(403, f"{SWITCHED_OFF} is switched off in this key's preferences")
        return model


class UserModelsWithPreferences(Queries):
    """Each user entry adds what the key's preferences say of the model (extra keys)."""

    def user_models(self, visibility: Visibility) -> list[Model]:
        return [{**m, "preferred": True} for m in super().user_models(visibility)]


class BareEnvelopes(Queries):
    """Lists, /models/user among them, answer {"data": [...]} and nothing else."""

    def envelope(
        self, models: list[Model], total_count: int | None = None, next_link: str | None = None
    ) -> dict[str, Any]:
        return {"data": models}


MUTANTS: list[Mutant] = [
    Mutant(
        "user-models-served-without-a-key",
        ("USER-AUTH-001",),
        wrapped(keyless_as_demo(USER)),
        quiet=("USER-SHAPE-001",),
    ),
    # AUTH, SUBSET, VIS and CHAT need the shape: blocked by it, not failed again (a gateway
    # without /models/user at all fails the shape once, not the 401 as well).
    Mutant(
        "user-models-labelled-text",
        ("USER-SHAPE-001",),
        wrapped(labelled_text(lambda path: path.endswith(USER))),
    ),
    # A user entry without what the list entry holds is a different entry, not a shape
    # defect: the model's keys are the list's requirements (USER-SHAPE-001 stays quiet).
    Mutant(
        "user-models-without-pricing",
        ("USER-SUBSET-001",),
        queries(user_models_without("pricing")),
        quiet=("USER-SHAPE-001",),
    ),
    Mutant(
        "user-models-entries-without-ids",
        ("USER-SHAPE-001",),
        queries(user_models_without("id")),
    ),
    Mutant(
        "user-models-change-a-value",
        ("USER-SUBSET-001",),
        queries(UserModelsLongerContext),
        quiet=("USER-SHAPE-001", "USER-VIS-001"),
    ),
    Mutant(
        "user-models-hold-an-unlisted-model",
        ("USER-SUBSET-001",),
        queries(UserModelsWithAHiddenModel),
        quiet=("USER-SHAPE-001", "USER-VIS-001"),
    ),
    # Its foreign models are USER-VIS-001's alone: the subset judges only its own.
    Mutant(
        "user-models-ignore-the-restricted-key",
        ("USER-VIS-001",),
        queries(UserModelsIgnoreTheKey),
        quiet=("USER-SHAPE-001", "USER-SUBSET-001"),
    ),
    Mutant(
        "chat-serves-what-the-restricted-user-list-leaves-out",
        ("USER-CHAT-001",),
        lambda: create_app(battery_catalog(), chat=ChatIgnoresTheRestriction),
        quiet=("USER-SHAPE-001", "USER-VIS-001"),
    ),
    Mutant(
        "chat-serves-what-the-main-user-list-leaves-out",
        ("USER-CHAT-001",),
        queries(SwitchedOff),
        quiet=("USER-SHAPE-001", "USER-SUBSET-001"),
    ),
]

FAIR: list[Fair] = [
    # The main key's list leaves a provider out and chat refuses it: probed with that key.
    Fair(
        "user-models-honour-the-keys-preferences",
        lambda: create_app(battery_catalog(), queries=SwitchedOff, chat=RefusesTheSwitchedOff),
        ("user-models",),
        exercises=("USER-SUBSET-001", "USER-CHAT-001", "USER-VIS-001"),
    ),
    Fair(
        "user-models-add-keys-of-their-own",
        queries(UserModelsWithPreferences),
        ("user-models",),
        exercises=("USER-SHAPE-001", "USER-SUBSET-001"),
    ),
    Fair(
        "user-models-in-a-bare-envelope",
        queries(BareEnvelopes),
        ("user-models",),
        exercises=("USER-SHAPE-001", "USER-SUBSET-001"),
    ),
    # No restricted key declared, and the main key's list is the whole list: USER-VIS-001
    # and USER-CHAT-001 do not apply, which leaves the exit code alone.
    Fair(
        "user-models-with-one-key",
        queries(Queries),
        ("user-models",),
        exercises=("USER-AUTH-001", "USER-SHAPE-001", "USER-SUBSET-001"),
        manifest={"restricted": None},
    ),
    # Listing needs no key, but a key's own list still does.
    Fair(
        "user-models-closed-though-listing-is-open",
        queries(Queries, open_listing=True),
        ("user-models",),
        exercises=("USER-AUTH-001", "USER-SHAPE-001"),
        manifest={"listing_requires_auth": False},
    ),
]
