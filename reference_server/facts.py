"""Per-model facts the catalog does not hold, made up deterministically from the model's id.

The endpoints page and some list filters talk about data a Model object does not carry:
which providers host a model, their quantization and uptime, a use-case category, whether
a model may be distilled, zero-data-retention, data regions, a tool-calling success rate.
The reference server has no such data, so it derives each from a SHA-256 of the model's
id and a label (never from a random generator): the same catalog always gives the same
answers, a list filter and the endpoints page agree on who hosts a model, and each fact is
independent of the others.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

__all__ = [
    "COUNTRIES",
    "category",
    "display_name",
    "distillable",
    "draw",
    "hosts",
    "pick",
    "regions",
    "tool_success_rate",
    "zero_retention",
]

# ISO 3166 codes a made-up provider may have its seat or data centres in.
COUNTRIES = ("US", "CA", "GB", "IE", "DE", "FR", "NL", "SE", "CH", "SG", "JP", "KR", "AU")
SECOND_HOST_SHARE = 0.4  # share of models a second provider also serves


def draw(seed: str, label: str) -> float:
    """A number in [0, 1) fixed by `seed` (a model id or provider slug) and `label`."""
    digest = hashlib.sha256(f"{label}\0{seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick(seed: str, label: str, choices: Sequence[str]) -> str:
    return choices[int(draw(seed, label) * len(choices))]


@functools.lru_cache(maxsize=4096)  # a catalog has few authors and many models each
def display_name(slug: str) -> str:
    """A provider's display name, made from its slug: `meta-llama` -> `Meta Llama`."""
    return " ".join(part.capitalize() for part in slug.replace("_", "-").split("-") if part)


def hosts(model_id: str, author: str, authors: Sequence[str], *, router: bool) -> tuple[str, ...]:
    """The providers serving a model, as slugs: its author first, then for some models one
    other author of the catalog (never for a router, whose price depends on its pick)."""
    others = [a for a in authors if a != author]
    if router or not others or draw(model_id, "second-host") >= SECOND_HOST_SHARE:
        return (author,)
    return author, pick(model_id, "second-host/which", others)


def category(model_id: str, categories: Sequence[str]) -> str:
    return pick(model_id, "category", categories)


def distillable(model_id: str) -> bool:
    return draw(model_id, "distillable") < 0.3


def zero_retention(model_id: str) -> bool:
    return draw(model_id, "zdr") < 0.5


def regions(model_id: str, choices: Sequence[str]) -> frozenset[str]:
    """The data regions some endpoint of the model keeps data in: one or all of them."""
    if draw(model_id, "regions") < 0.3:
        return frozenset(choices)
    return frozenset({pick(model_id, "regions/which", choices)})


def tool_success_rate(model_id: str) -> float:
    """The share of tool-calling requests that end in a tool call, in [0.5, 1]."""
    return round(0.5 + draw(model_id, "tool-success") / 2, 3)
