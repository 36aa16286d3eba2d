"""Serving the proxy with uvicorn, on the same HTTP stack as the reference server.

uvicorn writes `server` and `date` headers of its own unless told not to; the proxy must
add nothing, so the upstream's own pass through alone. No access log: a request line is
traffic, and traffic is not the proxy's to print.

Signals (foreground only): SIGINT and SIGTERM stop the server gracefully, after which
`serve` returns so the caller can write its reports; uvicorn raises the signal again once it
has stopped, so a handler of ours stands behind it to keep that from killing the process
before the reports are written. SIGUSR1 (POSIX) asks for the reports on demand, on a thread
of its own so that writing them never holds up the traffic.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn

from arouter_conformance.observe.proxy import Proxy

__all__ = ["proxy_server", "serve"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def proxy_server(proxy: Proxy, **options: Any) -> uvicorn.Server:
    config = uvicorn.Config(
        proxy,
        lifespan="on",
        server_header=False,
        date_header=False,
        access_log=False,
        ws="none",
        **options,
    )
    return uvicorn.Server(config)


def serve(proxy: Proxy, sock: socket.socket, on_demand: Callable[[], None]) -> None:
    """Serve on `sock` until SIGINT or SIGTERM; every exchange has reached the sink when
    this returns."""
    server = proxy_server(proxy, log_level="warning")

    def stopped(signum: int, frame: FrameType | None) -> None:
        """Stands before and behind uvicorn's own handlers: a signal before they are set
        stops the server too, and the one uvicorn raises again after stopping ends here."""
        server.should_exit = True

    def asked(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=on_demand, name="arouter-observe-reports", daemon=True).start()

    handlers: list[tuple[int, Callable[[int, FrameType | None], Any]]] = [
        (signum, stopped) for signum in STOP_SIGNALS
    ]
    if hasattr(signal, "SIGUSR1"):
        handlers.append((signal.SIGUSR1, asked))
    previous = [(signum, signal.signal(signum, handler)) for signum, handler in handlers]
    try:
        server.run(sockets=[sock])
    finally:
        for signum, handler in previous:
            signal.signal(signum, handler)
        proxy.close()
