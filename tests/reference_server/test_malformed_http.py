"""Broken and hostile HTTP clients, on raw sockets against the live server.

A bad request line, a 200 KB header, a client that sends a byte a second, one that sends
nothing, and one that half-closes its side: each gets an answer or a clean close within
the limits server.py and protocol.py set, never a hang, and other clients are answered
meanwhile. Every socket has a timeout, so each test's wall time is bounded; waiting is
done by blocking reads and events, never by fixed sleeps.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from reference_server import DEMO_KEY, create_app, serve_in_thread
from reference_server import protocol as bounded

TIMEOUT = 5.0  # seconds any single read or connect may take before the test fails
COUNT = (
    f"GET /v1/models/count HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {DEMO_KEY}\r\n\r\n"
).encode()


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    with serve_in_thread(create_app()) as origin:
        parts = urlsplit(origin)
        yield parts.hostname or "", parts.port or 0


def connect(address: tuple[str, int]) -> socket.socket:
    return socket.create_connection(address, timeout=TIMEOUT)


def read_to_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; a reset counts as a close."""
    received = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    raise AssertionError(f"the server neither finished nor closed: {received[:200]!r}")


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def ask_count(address: tuple[str, int]) -> int:
    """A well-behaved client's request, answered in full on its own connection."""
    with connect(address) as sock:
        sock.sendall(COUNT.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        answer = read_to_close(sock)
    assert answer.endswith(b"}"), answer[-200:]
    return status(answer)


def test_a_bad_request_line_gets_400_and_the_connection_closes(
    address: tuple[str, int],
) -> None:
    with connect(address) as sock:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        answer = read_to_close(sock)
    assert status(answer) == 400
    assert b"connection: close" in answer.lower()


def test_a_200_kb_header_is_refused_and_the_next_client_is_answered(
    address: tuple[str, int],
) -> None:
    huge = COUNT.replace(b"\r\n\r\n", b"\r\nX-Padding: " + b"a" * 200_000 + b"\r\n\r\n")
    with connect(address) as sock:
        # Closed while we were still sending: a close is a fair answer too.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(huge)
        answer = read_to_close(sock)
    assert answer == b"" or status(answer) == 431, answer[:200]
    assert ask_count(address) == 200


def test_a_head_just_under_the_limit_is_served(address: tuple[str, int]) -> None:
    padding = b"a" * (bounded.HEAD_LIMIT - len(COUNT) - 100)
    with connect(address) as sock:
        sock.sendall(COUNT.replace(b"\r\n\r\n", b"\r\nX-Padding: " + padding + b"\r\n\r\n"))
        head = sock.recv(65536)
    assert status(head) == 200


def test_a_client_sending_a_byte_a_second_does_not_hold_up_others(
    address: tuple[str, int],
) -> None:
    sent, stop = threading.Semaphore(0), threading.Event()

    def trickle() -> None:
        with connect(address) as sock:
            for byte in COUNT:
                sock.sendall(bytes([byte]))
                sent.release()
                if stop.wait(1.0):  # one byte a second, until the test has seen enough
                    return

    slow = threading.Thread(target=trickle, daemon=True)
    slow.start()
    try:
        for _ in range(2):  # the second byte comes a second after the first
            assert sent.acquire(timeout=TIMEOUT)
        assert [ask_count(address) for _ in range(3)] == [200, 200, 200]
        assert slow.is_alive()  # the slow request was still being sent all along
    finally:
        stop.set()
        slow.join(TIMEOUT)


def test_a_head_not_finished_in_time_gets_408_and_the_connection_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bounded, "HEAD_SECONDS", 0.3)
    with serve_in_thread(create_app()) as origin:
        parts = urlsplit(origin)
        own = (parts.hostname or "", parts.port or 0)
        with connect(own) as started, connect(own) as silent:
            started.sendall(COUNT[:20])
            assert status(read_to_close(started)) == 408
            assert read_to_close(silent) == b""  # connected and never said a word
        assert ask_count(own) == 200


def test_a_half_closed_connection_still_gets_its_answer(address: tuple[str, int]) -> None:
    with connect(address) as sock:
        sock.sendall(COUNT)
        sock.shutdown(socket.SHUT_WR)
        answer = read_to_close(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status(head) == 200
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    assert len(body) == length


def test_a_connection_half_closed_before_any_request_is_closed(
    address: tuple[str, int],
) -> None:
    with connect(address) as sock:
        sock.shutdown(socket.SHUT_WR)
        assert read_to_close(sock) == b""
