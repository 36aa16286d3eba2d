"""What more than one suite asks of the chat endpoint, fetched once per run: the suites
share these probes (and their memo keys) instead of importing one another."""

from __future__ import annotations

import pytest

from arouter_conformance.exchange import Exchange
from arouter_conformance.session import Run

__all__ = ["chat_model", "completion_of", "plain_completion"]


def chat_model(run: Run, role: str, what: str) -> str:
    model = run.chat_model(role)
    if model is None:
        pytest.skip(f"not applicable: the target lists no {what}")
    return model


def completion_of(run: Run, model: str, auth: str = "key") -> Exchange:
    """The kit's one plain request for `model` with the key of `auth`, sent once: the cheap
    model is often the listed :free id that CHAT-VARIANT-003 asks for as well, and the
    restricted key's foreign model the one its /models/user leaves out (USER-CHAT-001)."""
    key = f"chat-plain:{model}" if auth == "key" else f"chat-plain:{auth}:{model}"
    return run.memo(key, lambda: run.chat(run.chat_body(model), auth=auth))


def plain_completion(run: Run) -> Exchange:
    """The one whole completion the shape, usage and routing checks share."""
    return completion_of(run, chat_model(run, "cheap", "text model with a price"))
