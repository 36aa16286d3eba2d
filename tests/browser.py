"""Headless Chromium, driven over the DevTools protocol on a pipe, for the report tests.

A report is only proven safe and usable in a real browser: that its CSS applies under
its own Content Security Policy, that the filters work, and that nothing a target sent
runs. The DevTools protocol can read the live page (title, elements, computed styles)
and click, with nothing but the standard library: Chromium reads commands from fd 3 and
writes replies to fd 4 (`--remote-debugging-pipe`), NUL-separated JSON.

Debian's `chromium` package provides /usr/bin/chromium; `CHROMIUM` is None without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "Page", "chromium"]

CHROMIUM = shutil.which("chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--remote-debugging-pipe",
)
TIMEOUT = 30.0


class BrowserError(RuntimeError):
    """Chromium refused a command, closed the pipe, or did not answer in time."""


class _Connection:
    def __init__(self, commands: int, replies: int) -> None:
        self._commands = commands
        self._replies = replies
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict[str, Any]] = []

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise BrowserError("chromium did not answer in time")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        self._last_id += 1
        command = {"id": self._last_id, "method": method, "params": params or {}, **extra}
        os.write(self._commands, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._message(deadline)
            if message.get("id") != self._last_id:
                self.events.append(message)
            elif "error" in message:
                raise BrowserError(f"{method}: {message['error']}")
            else:
                return message["result"]

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = next((e for e in self.events if e.get("method") == method), None)
            if found is not None:
                self.events.remove(found)
                return found
            self.events.append(self._message(deadline))


class Page:
    """One tab: navigate, evaluate JavaScript in it (DevTools is not bound by the CSP)."""

    def __init__(self, connection: _Connection, session: str) -> None:
        self._connection = connection
        self._session = session

    def _send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self._connection.send(method, params, sessionId=self._session)

    def load(self, path: Path) -> None:
        self._send("Page.enable")
        self._send("Page.navigate", {"url": path.resolve().as_uri()})
        self._connection.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        reply = self._send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Page]:
    """A headless Chromium with a fresh profile directory, and one tab in it."""
    assert CHROMIUM is not None
    to_chromium, commands = os.pipe()
    replies, from_chromium = os.pipe()
    # The shell moves our pipe ends to the fds the protocol uses, then becomes chromium.
    process = subprocess.Popen(
        [
            *("sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null', CHROMIUM),
            *(*FLAGS, f"--user-data-dir={profile}", "about:blank"),
        ],
        stdin=to_chromium,
        stdout=from_chromium,
        stderr=subprocess.DEVNULL,
    )
    os.close(to_chromium)
    os.close(from_chromium)
    connection = _Connection(commands, replies)
    try:
        target = connection.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = connection.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        yield Page(connection, attached["sessionId"])
    finally:
        with contextlib.suppress(BrowserError, OSError):
            connection.send("Browser.close")
        os.close(commands)
        os.close(replies)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
