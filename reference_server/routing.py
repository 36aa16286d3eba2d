"""From method and path to an operation: the API root prefixes, 404 and 405.

The same operations answer under `/v1` (ARouter style) and `/api/v1` (OpenRouter style),
so a target URL of either shape works (ruling R1). A known path with the wrong method gets
405 with the `Allow` header RFC 9110 requires; anything else is 404. GET operations answer
HEAD too, because HTTP says every GET resource should.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from reference_server.errors import HTTPError

__all__ = ["PREFIXES", "Operation", "Route", "match"]

PREFIXES = ("/v1", "/api/v1")
LOOKUP = "/model/"


class Operation(Enum):
    LIST = "list"
    COUNT = "count"
    LOOKUP = "lookup"
    CHAT = "chat"


READ = (frozenset({"GET", "HEAD"}), b"GET, HEAD")
WRITE = (frozenset({"POST"}), b"POST")
FIXED = {
    "/models": (Operation.LIST, READ),
    "/models/count": (Operation.COUNT, READ),
    "/chat/completions": (Operation.CHAT, WRITE),
}


@dataclass(frozen=True)
class Route:
    operation: Operation
    model_id: str = ""  # author/slug of a lookup


def match(method: str, path: str) -> Route:
    """The route for a request, or the HTTPError (404 or 405) that answers it."""
    rest = next((path[len(p) :] for p in PREFIXES if path.startswith(p + "/")), None)
    if rest is None:
        raise HTTPError(404, f"no such path; the API lives under {' and '.join(PREFIXES)}")
    if rest in FIXED:
        operation, (methods, allow) = FIXED[rest]
        route = Route(operation)
    elif rest.startswith(LOOKUP) and rest.count("/") == 3:
        methods, allow = READ
        route = Route(Operation.LOOKUP, rest[len(LOOKUP) :])
    else:
        raise HTTPError(404, "no such path")
    if method not in methods:
        raise HTTPError(
            405, f"{method} is not allowed here; use {allow.decode()}", ((b"allow", allow),)
        )
    return route
