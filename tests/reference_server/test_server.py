"""server.py: uvicorn in a thread on a port the OS picks, started and stopped cleanly."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from reference_server import DEMO_KEY, create_app, serve_in_thread
from reference_server.asgi import Receive, Scope, Send
from reference_server.server import bind, origin


def test_serve_in_thread_yields_a_working_origin_and_stops() -> None:
    with serve_in_thread(create_app()) as root:
        assert root.startswith("http://127.0.0.1:")
        port = int(root.rsplit(":", 1)[1])
        assert port > 0
        answer = httpx.get(
            f"{root}/api/v1/models/count", headers={"Authorization": f"Bearer {DEMO_KEY}"}
        )
        assert answer.status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{root}/v1/models/count", timeout=2)


def test_two_servers_get_two_ports() -> None:
    app = create_app()
    with serve_in_thread(app) as first, serve_in_thread(app) as second:
        assert first != second


def test_accepted_connections_have_nagle_off() -> None:
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert origin(sock).startswith("http://127.0.0.1:")
    finally:
        sock.close()


async def failing_startup(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "no"})


def test_a_failed_start_up_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="did not start"), serve_in_thread(failing_startup):
        pytest.fail("the server should not have started")


def test_a_busy_port_is_an_os_error() -> None:
    holder = bind("127.0.0.1", 0)
    holder.listen()
    try:
        with pytest.raises(OSError, match="in use"):
            bind("127.0.0.1", holder.getsockname()[1])
    finally:
        holder.close()


def test_ipv6_origins_are_bracketed() -> None:
    class Fake:
        def getsockname(self) -> Any:
            return ("::1", 8080, 0, 0)

    assert origin(Fake()) == "http://[::1]:8080"  # type: ignore[arg-type]
