"""Which endpoint an observed request went to, and what it asked for.

The kit knows its target's API root (`--target-url`, e.g. `https://host/api/v1`), so only
requests to that origin are judged and their paths are read relative to that root (a page
recorded beside the gateway, another API on the same path, is someone else's); traffic
recorded without one is recognised by the endpoints' own suffixes (`/models`,
`/models/count`, `/model/{author}/{slug}`, `/chat/completions`, and of the optional
profiles `/models/{author}/{slug}/endpoints`, `/models/user`, `/providers`), which is what
lets a HAR be judged without saying where it was recorded, at the price of judging
whatever else ends so. Only the query parameters the contract defines are read: a list
filtered by anything else (`category`, a parameter given twice) is judged on its shape
alone, never compared with another list. That includes a page (`offset`, `limit`): it is
not the whole list, so its total_count, links.next and length are never judged as a whole
list's would be.

An endpoints page's id is read as a lookup's is, and that page is never taken for a list,
a count or a lookup; without a root, a path that ends as a lookup does
(`/model/acme/providers`, `/model/models/user`) is that lookup. The pagination and
list-filters profiles' requests are lists with parameters the checks do not read (above).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from arouter_conformance.exchange import Exchange

__all__ = ["FILTERS", "Call", "Root", "api_root", "classify"]

Kind = Literal["list", "count", "lookup", "chat", "endpoints", "user", "providers"]
FILTERS = ("output_modalities", "supported_parameters", "sort")
# Without a known root, a lookup is the last two segments after /model/ (ids are author/slug),
# unless that /model/ is an author under /models/: /models/model/{slug}/endpoints is the
# endpoints page of a model whose author is called "model", not a lookup.
_LOOKUP = re.compile(r"(?<!/models)/model/([^/]+/[^/]+)$")
# An endpoints page: the id between /models/ and /endpoints (the whole path under a root).
_ENDPOINTS = re.compile(r"/models/([^/]+/[^/]+)/endpoints$")


@dataclass(frozen=True)
class Call:
    """One observed request: the endpoint, the contract's query parameters it carried (None
    when it carried others, or one of them twice), and for a lookup or an endpoints page
    the id asked for."""

    kind: Kind
    query: Mapping[str, str] | None
    model_id: str | None = None


@dataclass(frozen=True)
class Root:
    """Where the target's API lives: its origin (`https://host:443`) and the path every
    endpoint hangs under (`/api/v1`; empty at the host's root)."""

    origin: str
    path: str


def api_root(target_url: str | None) -> Root | None:
    """The target's API root, or None when the target is not known."""
    if target_url is None:
        return None
    return Root(_origin(target_url), urlsplit(target_url).path.rstrip("/"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def classify(exchange: Exchange, target: Root | None) -> Call | None:
    """The call `exchange` made, or None for a request to anything else."""
    parts = urlsplit(exchange.url)
    path = parts.path.rstrip("/") or "/"
    method = exchange.method.upper()
    root: str | None = None
    if target is not None:
        root = target.path
        if _origin(exchange.url) != target.origin or not path.startswith(root + "/"):
            return None
        path = path[len(root) :]
    kind: Kind | None = None
    model_id: str | None = None
    if method == "POST" and (
        path == "/chat/completions" or _suffix(path, "/chat/completions", root)
    ):
        kind = "chat"
    elif method == "GET" and (path == "/models/count" or _suffix(path, "/models/count", root)):
        kind = "count"
    elif method == "GET" and (path == "/models" or _suffix(path, "/models", root)):
        kind = "list"
    elif method == "GET" and (found := _endpoints(path, root)):
        kind, model_id = "endpoints", found
    elif method == "GET" and (found := _lookup(path, root)):
        kind, model_id = "lookup", found
    elif method == "GET" and (path == "/models/user" or _suffix(path, "/models/user", root)):
        kind = "user"
    elif method == "GET" and (path == "/providers" or _suffix(path, "/providers", root)):
        kind = "providers"
    if kind is None:
        return None
    return Call(kind, _query(parts.query), model_id)


def _suffix(path: str, suffix: str, root: str | None) -> bool:
    return root is None and path.endswith(suffix)


def _endpoints(path: str, root: str | None) -> str | None:
    found = _ENDPOINTS.fullmatch(path) if root is not None else _ENDPOINTS.search(path)
    return unquote(found.group(1)) if found else None


def _lookup(path: str, root: str | None) -> str | None:
    if root is not None:
        rest = path.removeprefix("/model/")
        return unquote(rest) if rest != path and "/" in rest else None
    found = _LOOKUP.search(path)
    return unquote(found.group(1)) if found else None


def _query(raw: str) -> Mapping[str, str] | None:
    pairs = parse_qsl(raw, keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names) or not set(names) <= set(FILTERS):
        return None
    return dict(pairs)
