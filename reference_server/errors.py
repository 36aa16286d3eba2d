"""The one error shape of the contract (ruling R3), raised anywhere and rendered in one place.

Handlers raise `HTTPError` instead of writing responses themselves, so no code path can
answer a refusal in another shape, and the application turns anything else into a generic
500 whose message says nothing about the request (keys included).
"""

from __future__ import annotations

from reference_server.responses import encode_json

__all__ = ["HTTPError", "error_body"]

# Messages quote client input (an unknown modality, a model id); a cap keeps a hostile
# megabyte-long value from being echoed back whole.
MESSAGE_LIMIT = 300


class HTTPError(Exception):
    """A refusal with its status, a message for the client, and extra response headers."""

    def __init__(
        self, status: int, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def error_body(status: int, message: str) -> bytes:
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return encode_json({"error": {"code": status, "message": message}})
