"""uvicorn's httptools protocol with the two limits uvicorn leaves out for it.

uvicorn bounds a request head only under h11 (`h11_max_incomplete_event_size`); under
httptools, which it prefers, a client may send headers without end (a 20 MB header was
read whole) or one byte at a time for ever (no timer runs before the first response). A
public load target must not hold memory or a connection for a client like that, so this
protocol answers a head larger than `HEAD_LIMIT` with 431, one not complete within
`HEAD_SECONDS` with 408, and closes the connection either way (a connection that sent
nothing at all in that time is closed without an answer).

The head is counted as the bytes received while it is incomplete; the chunk that completes
it may carry a body too, so the size is judged only while the head is still incomplete
after a chunk, and a body never counts.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

__all__ = ["HEAD_LIMIT", "HEAD_SECONDS", "BoundedHeadProtocol"]

HEAD_LIMIT = 64 * 1024  # bytes of request line and headers; h11's own default is 16 KiB
HEAD_SECONDS = 10.0  # from a head's first byte (or the connection's opening) to its end


class BoundedHeadProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_pending = True
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a client that connects and sends nothing is timed out too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_pending:
            self._head_bytes += len(data)
        super().data_received(data)
        # A head that arrives whole (nearly all of them) never sets a timer; one that is
        # still incomplete after a chunk is timed from now on, and judged by its size.
        if self._head_pending and self._head_bytes:
            if self._head_bytes > HEAD_LIMIT:
                self._refuse(431, "Request header fields too large.")
            else:
                self._arm()

    def on_headers_complete(self) -> None:
        self._head_pending = False
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_pending, self._head_bytes = True, 0  # the next request's head starts

    def _arm(self) -> None:
        if self._head_timer is None and not self.transport.is_closing():
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _timed_out(self) -> None:
        self._head_timer = None
        if self._answering():
            self._arm()  # the next head is pipelined behind an answer still being sent
        elif self._head_bytes:
            self._refuse(408, "Request head not received in time.")
        elif self._head_pending:  # connected and never sent a byte: nothing to answer
            self.transport.close()

    def _answering(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _refuse(self, status: int, message: str) -> None:
        """The answer uvicorn gives a request it cannot parse, with its own status; in the
        middle of another answer there is no room for one, and the connection just closes."""
        self._head_pending = False
        self._disarm()
        if self.transport.is_closing():
            return
        if self._answering():
            self.transport.close()
            return
        body = message.encode("ascii")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
