"""From method and path to an operation: the API root prefixes, 404 and 405.

The same operations answer under `/v1` (ARouter style) and `/api/v1` (OpenRouter style),
so a target URL of either shape works (ruling R1). A known path with the wrong method gets
405 with the `Allow` header RFC 9110 requires; anything else is 404. GET operations answer
HEAD too, because HTTP says every GET resource should. The route keeps the root the request
came in on: a page's `links.next` points back under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from reference_server.errors import HTTPError

__all__ = ["PREFIXES", "Operation", "Route", "match"]

PREFIXES = ("/v1", "/api/v1")
LOOKUP = "/model/"
# /models/{author}/{slug}/endpoints: the id between these, holding exactly one slash.
ENDPOINTS = ("/models/", "/endpoints")


class Operation(Enum):
    LIST = "list"
    COUNT = "count"
    LOOKUP = "lookup"
    CHAT = "chat"
    ENDPOINTS = "endpoints"
    USER_MODELS = "user-models"
    PROVIDERS = "providers"


READ = (frozenset({"GET", "HEAD"}), b"GET, HEAD")
WRITE = (frozenset({"POST"}), b"POST")
FIXED = {
    "/models": (Operation.LIST, READ),
    "/models/count": (Operation.COUNT, READ),
    "/models/user": (Operation.USER_MODELS, READ),
    "/providers": (Operation.PROVIDERS, READ),
    "/chat/completions": (Operation.CHAT, WRITE),
}


@dataclass(frozen=True)
class Route:
    operation: Operation
    model_id: str = ""  # author/slug of a lookup or of an endpoints request
    root: str = PREFIXES[0]  # the prefix the request came in on


def match(method: str, path: str) -> Route:
    """The route for a request, or the HTTPError (404 or 405) that answers it."""
    root = next((p for p in PREFIXES if path.startswith(p + "/")), None)
    if root is None:
        raise HTTPError(404, f"no such path; the API lives under {' and '.join(PREFIXES)}")
    rest = path[len(root) :]
    start, end = ENDPOINTS
    if rest in FIXED:
        operation, (methods, allow) = FIXED[rest]
        route = Route(operation, root=root)
    elif rest.startswith(LOOKUP) and rest.count("/") == 3:
        methods, allow = READ
        route = Route(Operation.LOOKUP, rest[len(LOOKUP) :], root)
    elif rest.startswith(start) and rest.endswith(end) and rest.count("/") == 4:
        methods, allow = READ
        route = Route(Operation.ENDPOINTS, rest[len(start) : -len(end)], root)
    else:
        raise HTTPError(404, "no such path")
    if method not in methods:
        raise HTTPError(
            405, f"{method} is not allowed here; use {allow.decode()}", ((b"allow", allow),)
        )
    return route
