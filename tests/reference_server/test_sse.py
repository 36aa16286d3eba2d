"""sse.py: one `data:` line per event, sent one ASGI message each, then the end."""

from __future__ import annotations

import anyio

from reference_server import sse
from reference_server.asgi import Message


def test_an_event_is_a_data_line_and_a_blank_line() -> None:
    assert sse.event({"a": 1, "b": "é"}) == b'data: {"a":1,"b":"\\u00e9"}\n\n'
    assert sse.DONE == b"data: [DONE]\n\n"


def test_write_sends_each_event_as_it_comes_then_ends_the_body() -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    anyio.run(sse.write, send, iter([sse.event({"n": 1}), sse.DONE]))
    assert sent[0] == {"type": "http.response.start", "status": 200, "headers": sse.HEADERS}
    assert [m.get("more_body", False) for m in sent[1:]] == [True, True, False]
    assert b"".join(m["body"] for m in sent[1:]) == b'data: {"n":1}\n\ndata: [DONE]\n\n'
