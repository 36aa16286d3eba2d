"""Running an app under uvicorn: on a socket we bind ourselves, in a thread or in front.

Binding the socket before uvicorn starts is what makes port 0 usable (the OS picks a free
port and we can read it back before the first request) and lets a command line report a
busy port in one line instead of a uvicorn traceback.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from reference_server.protocol import BoundedHeadProtocol

__all__ = ["bind", "origin", "serve_in_thread", "uvicorn_config"]

START_TIMEOUT = 30.0  # seconds to wait for start-up or shutdown before giving up


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on host:port (IPv6 when the host is an IPv6 literal)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Naming IPPROTO_TCP matters: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
    # proto says TCP, and with Nagle on every response pays a 40 ms delayed-ACK stall.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def origin(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# uvicorn's limits, stated here rather than left to its defaults (README, "The reference
# server"); the request head's size and time are bounded by BoundedHeadProtocol.
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this
CONCURRENCY_LIMIT = 1000  # open connections, or running requests, beyond which requests get 503
BACKLOG = 2048  # connections the kernel queues before the server accepts them
SHUTDOWN_SECONDS = 5  # on Ctrl-C or SIGTERM, answers still being sent get this long


def uvicorn_config(app: Any, **options: Any) -> uvicorn.Config:
    # lifespan "on": the app implements the protocol, and a failure there must stop start-up.
    return uvicorn.Config(
        app,
        lifespan="on",
        http=BoundedHeadProtocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=CONCURRENCY_LIMIT,
        backlog=BACKLOG,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        **options,
    )


class _ThreadServer(uvicorn.Server):
    """A uvicorn server that says when start-up is over, successful or not."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()

    def run_on(self, sock: socket.socket) -> None:
        # uvicorn leaves by SystemExit when start-up fails; `started` stays False and says so.
        try:
            with contextlib.suppress(SystemExit):
                self.run(sockets=[sock])
        finally:
            self.ready.set()  # a failure before start-up must not leave the caller waiting


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` on a free port of `host` in a background thread; yield its origin.

    The origin (`http://127.0.0.1:PORT`) has no API prefix. Start-up is awaited on an
    event, not a sleep; on exit the server drains and the thread is joined.
    """
    sock = bind(host, 0)
    # log_config=None leaves the host process's logging alone (pytest's, the kit's).
    server = _ThreadServer(
        uvicorn_config(app, log_config=None, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run_on, args=(sock,), daemon=True)
    thread.start()
    try:
        if not server.ready.wait(START_TIMEOUT) or not server.started:
            raise RuntimeError("the reference server did not start")
        yield origin(sock)
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
        sock.close()
