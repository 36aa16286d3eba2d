"""What the battery is built from: a verdict of the real CLI, catalog edits, ASGI rewrites.

Mutants and doubles are the reference server with one change. Most changes are subclasses
of its documented mutation points (`Queries`, `ChatEngine`, a `Catalog`, `open_listing`);
what those cannot reach (bytes on the wire: content types, error bodies, redirects, the
request before it is parsed) is changed by a few lines of ASGI middleware defined here.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from arouter_conformance.spec import load_spec
from reference_server import DEMO_KEY, RESTRICTED_KEY, Catalog
from reference_server.errors import error_body
from tests.targets import (
    KEY_ENV,
    RESTRICTED_ENV,
    LiveTarget,
    run_cli,
    statuses,
    write_manifest,
)

# Small on purpose: a defect the kit catches only with many examples is a weak check, and
# the whole battery must stay fast enough to run on every change.
EXAMPLES = "5"
BAD = ("failed", "error")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, Headers, bytes]


def level(requirement: str) -> str:
    return load_spec().requirement(requirement).level


# ----------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """The exit code and JSON report of one `arouter-conformance run`."""

    code: int
    report: dict[str, Any]
    crashes: tuple[str, ...] = ()  # exceptions the reference server logged while judged

    @property
    def status(self) -> dict[str, str]:
        return statuses(self.report)

    def bad(self, ignore: Iterable[str] = ()) -> dict[str, str]:
        """Requirements that failed or errored, but those in `ignore`."""
        skip = set(ignore)
        return {i: s for i, s in self.status.items() if s in BAD and i not in skip}

    def explain(self, ids: Iterable[str] | None = None) -> str:
        """Status, reason and first findings of `ids` (default: every bad one), for messages."""
        wanted = set(self.bad()) if ids is None else set(ids)
        lines = [f"exit code {self.code}"]
        for entry in self.report.get("requirements", []):
            if entry["id"] not in wanted:
                continue
            lines.append(
                f"{entry['id']} ({entry['level']}): {entry['status']} {entry['reason'] or ''}"
            )
            lines += [f"    {f['message'][:300]}" for f in entry["findings"][:3]]
        return "\n".join(lines)


class Switchboard:
    """The ASGI app of the battery's one server: it hands each request to the app under
    judgement. Starting and stopping a server per run costs more than most runs (uvicorn
    polls for shutdown every 0.1 s), so the session serves once and switches apps."""

    def __init__(self) -> None:
        self.app: App | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self.app is not None, "a request arrived while no app was under judgement"
        await self.app(scope, receive, send)


def judge(
    app: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: tuple[Switchboard, str],
    *,
    requirements: Iterable[str] = (),
    profiles: Iterable[str] = (),
    prefix: str = "/v1",
    args: Iterable[str] = (),
    **manifest: Any,
) -> Verdict:
    """Serve `app` on `server` (the switchboard and its origin), describe it by the default
    manifest plus `manifest` (tests/targets.py), and judge it through the real CLI."""
    args = ["--examples", EXAMPLES, *args]
    for requirement in requirements:
        args += ["--requirement", requirement]
    for profile in profiles:
        args += ["--profile", profile]
    switchboard, origin = server
    url = origin + prefix
    target = LiveTarget(
        url,
        write_manifest(tmp_path / "manifest.yaml", url, **manifest),
        {KEY_ENV: DEMO_KEY, RESTRICTED_ENV: RESTRICTED_KEY},
    )
    crashes = _Crashes()
    server_log = logging.getLogger("reference_server.app")
    server_log.addHandler(crashes)
    switchboard.app = app
    try:
        code, report = run_cli(target, tmp_path, *args, monkeypatch=monkeypatch)
    finally:
        switchboard.app = None
        server_log.removeHandler(crashes)
    assert report, f"the run left no JSON report (exit code {code})"
    return Verdict(code, report, tuple(crashes.seen))


class _Crashes(logging.Handler):
    """Unexpected exceptions of the server under judgement. A deliberate 500 is an
    `HTTPError(500)` and is not logged; anything logged is a bug of the mutant or double
    itself, which would make its verdict mean nothing (a "caught" defect caught for
    another reason, or a fair double failing for one it was not built to have)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.seen.append(f"{record.getMessage()}: {error!r}")


# ----------------------------------------------------------------------------- catalogs


@functools.cache
def battery_catalog() -> Catalog:
    """The bundled catalog cut to under a hundred rows that keep every kind it has.

    Each run of the kit validates, filters, sorts and counts the whole list several times;
    a defect is found as surely in a sixth of the rows, and several times faster. Kept: two rows
    of each variant suffix (with their bases), of the ~ rows, of the routers and of each
    combination of output modalities; every alias target and dated model; and every tenth
    other row, which brings in the restricted key's providers and priced neighbours for
    the sorts. Catalog order, aliases and figures are the bundled ones.
    """
    default = Catalog.default()
    targets = set(default.aliases.values())
    taken: dict[str, int] = {}
    chosen: set[str] = set()
    for position, row in enumerate(default.models):
        model_id = str(row["id"])
        if ":" in model_id:
            kind = "variant " + model_id.rpartition(":")[2]
        elif model_id.startswith("~"):
            kind = "moving"
        elif row["pricing"].get("prompt") == "-1":
            kind = "router"
        elif model_id in targets or row["expiration_date"] is not None or position % 10 == 0:
            kind = model_id
        else:
            kind = "outputs " + ",".join(sorted(row["architecture"]["output_modalities"]))
        if kind == "outputs text" or taken.get(kind, 0) >= 2:
            continue
        taken[kind] = taken.get(kind, 0) + 1
        chosen |= {model_id, model_id.partition(":")[0]}
    rows = [row for row in default.models if row["id"] in chosen]
    return Catalog(rows, default.aliases, default.figures)


def edited_catalog(
    edit: Callable[[list[dict[str, Any]]], None], base: Catalog | None = None
) -> Catalog:
    """`base` (the battery catalog by default) with `edit` applied to a copy of its rows."""
    base = base or battery_catalog()
    rows = copy.deepcopy([dict(model) for model in base.models])
    edit(rows)
    return Catalog(rows, base.aliases, base.figures)


def first_row(rows: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return next(row for row in rows if test(row))


# ----------------------------------------------------------------------------- the wire


def header(headers: Headers, name: bytes) -> bytes | None:
    return next((v for k, v in headers if k.lower() == name), None)


def with_header(headers: Headers, name: bytes, value: bytes) -> Headers:
    return [(k, v) for k, v in headers if k.lower() != name] + [(name, value)]


def is_chat(scope: Scope) -> bool:
    return str(scope["path"]).endswith("/chat/completions")


def is_listing(scope: Scope) -> bool:
    return not is_chat(scope)


def error_answer(status: int, message: str) -> Answer:
    return status, [(b"content-type", b"application/json")], error_body(status, message)


class Rewrite:
    """Middleware: the app answers, then `change(scope, status, headers, body)` rewrites the
    whole answer (streams included; the battery's streams are a few hundred bytes).

    Only requests for which `when(scope)` holds are touched; Content-Length is recomputed.
    """

    def __init__(
        self,
        app: App,
        change: Callable[[Scope, int, Headers, bytes], Answer],
        when: Callable[[Scope], bool] = lambda scope: True,
    ) -> None:
        self.app, self.change, self.when = app, change, when

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.when(scope):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            status, headers, payload = self.change(
                scope, start["status"], list(start["headers"]), bytes(body)
            )
            headers = with_header(headers, b"content-length", str(len(payload)).encode())
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": payload})

        await self.app(scope, receive, capture)


class Intercept:
    """Middleware: `answer(scope, body)` may answer a request itself (None: the app answers).

    The request body is read first and handed on unchanged, so a request the middleware
    lets through reaches the app exactly as it was sent.
    """

    def __init__(self, app: App, answer: Callable[[Scope, bytes], Answer | None]) -> None:
        self.app, self.answer = app, answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = bytearray()
        while True:
            message = await receive()
            chunks.extend(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = bytes(chunks)
        answer = self.answer(scope, body)
        if answer is None:
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, replay, send)
            return
        status, headers, payload = answer
        headers = with_header(headers, b"content-length", str(len(payload)).encode())
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def json_body(payload: bytes) -> Any:
    return json.loads(payload.decode("utf-8"))


def labelled_text(path: Callable[[str], bool]) -> Callable[[Any], Any]:
    """Middleware factory: successful answers of the paths `path` accepts keep their JSON
    body but say `text/plain` (clients pick their parser by Content-Type)."""

    def relabel(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
        if status == 200 and path(str(scope["path"])):
            return status, with_header(headers, b"content-type", b"text/plain"), body
        return status, headers, body

    return lambda app: Rewrite(app, relabel)


def keyless_as_demo(suffix: str) -> Callable[[App], App]:
    """Middleware: a request for a path ending in `suffix` sent without a key is served
    as if the demo key came with it (a route that forgets to ask for one)."""

    def middleware(app: App) -> App:
        async def keyed(scope: Scope, receive: Receive, send: Send) -> None:
            headers = list(scope.get("headers", []))
            if str(scope.get("path", "")).endswith(suffix) and not any(
                name.lower() == b"authorization" for name, _ in headers
            ):
                headers.append((b"authorization", f"Bearer {DEMO_KEY}".encode()))
                scope = {**scope, "headers": headers}
            await app(scope, receive, send)

        return keyed

    return middleware
