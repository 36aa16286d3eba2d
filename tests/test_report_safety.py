"""Reports of hostile targets: nothing a target sends becomes markup, and no key leaks.

Two live targets are judged once each through the CLI, with every output asked for
(HTML, JSON, JUnit, the Markdown step summary and the terminal):

- a hostile one puts script tags, attribute breakouts and terminal escapes into model
  ids, names, descriptions, error messages and response headers;
- an echoing one copies the Authorization header it receives into bodies, headers and
  error messages, as some gateways' debug modes do.

Every assertion that something is absent is paired with one that the hostile text did
reach the output (escaped or masked), so a run that never saw the payload cannot pass.
"""

from __future__ import annotations

import contextlib
import contextvars
import html
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest

import reference_server
from arouter_conformance.cli import main as cli_main
from reference_server.asgi import Receive, Scope, Send
from reference_server.catalog import Model
from tests import browser
from tests.targets import KEY_ENV, RESTRICTED_ENV, live
from tests.test_reports import schema_errors

SCRIPT = "<script>document.title='pwned'</script>"
BREAKOUT = "\"'><img src=x onerror=\"document.title='pwned'\">"
ESCAPES = "\x1b[31mRED\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07\r\u202e"
PAYLOAD = SCRIPT + BREAKOUT + ESCAPES
HEADER_PAYLOAD = SCRIPT + BREAKOUT  # header values cannot carry control characters

MAIN_KEY = "gw-main-Zx81-0123456789abcdef"
RESTRICTED_KEY = "gw-restricted-Qv27-9876543210"
UPSTREAM_KEY = "sk-upstreamSECRET1234567"  # a key shape the run never used
ECHO_KEYS = reference_server.KeyRing(
    {
        MAIN_KEY: reference_server.auth.EVERYONE,
        RESTRICTED_KEY: reference_server.Visibility(
            frozenset(reference_server.RESTRICTED_PROVIDERS)
        ),
    }
)
FAST = ("--no-chat", "--examples", "2")


@dataclass(frozen=True)
class Outputs:
    code: int
    html: str
    json: str
    junit: str
    markdown: str
    terminal: str

    @property
    def data(self) -> Any:
        return json.loads(self.json)

    def texts(self) -> dict[str, str]:
        return {
            "html": self.html,
            "json": self.json,
            "junit": self.junit,
            "markdown": self.markdown,
            "terminal": self.terminal,
        }


def judge(app: Any, directory: Path, *args: str, env: dict[str, str] | None = None) -> Outputs:
    """One CLI run against `app` with every output written into `directory`."""
    paths = {name: directory / f"report.{name}" for name in ("html", "json", "xml", "md")}
    out = io.StringIO()
    with (
        live(app, directory) as target,
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
    ):
        for name, value in {**target.env, **(env or {})}.items():
            patch.setenv(name, value)
        patch.setenv("GITHUB_STEP_SUMMARY", str(paths["md"]))
        patch.setenv("NO_COLOR", "1")
        patch.setenv("COLUMNS", "400")  # summary lines long enough to show whole payloads
        reports = ["--html", str(paths["html"]), "--json", str(paths["json"])]
        reports += ["--junit", str(paths["xml"])]
        code = cli_main(["run", "--manifest", str(target.manifest), *reports, *FAST, *args])
    read = {name: path.read_text(encoding="utf-8") for name, path in paths.items()}
    return Outputs(code, read["html"], read["json"], read["xml"], read["md"], out.getvalue())


# --------------------------------------------------------------------------- targets


class HostileQueries(reference_server.Queries):
    """Models whose every free-text field, and one id, carries markup and escapes."""

    def present(self, model: Model) -> dict[str, Any]:
        shown = {**super().present(model), "name": PAYLOAD, "description": PAYLOAD}
        if model is self.catalog.models[0]:
            shown.update(id=f"hostile/{PAYLOAD}", owned_by=PAYLOAD)
        return shown

    def lookup(self, model_id: str, visibility: reference_server.Visibility) -> Model:
        if model_id in self.catalog.aliases:
            raise reference_server.HTTPError(404, PAYLOAD)
        return super().lookup(model_id, visibility)


def with_header(app: Any, name: bytes, value: Any) -> Any:
    """`app` with one more response header, `value(scope)` computed per request."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_more(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (name, value(scope))]}
            await send(message)

        await app(scope, receive, send_more)

    return wrapped


SEEN: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="")


class EchoQueries(reference_server.Queries):
    """Quotes the Authorization header it was called with in an id, a name and errors."""

    def present(self, model: Model) -> dict[str, Any]:
        shown = {**super().present(model), "name": f"served to {SEEN.get()}"}
        if model is self.catalog.models[0]:
            shown["id"] = f"echo/{SEEN.get()}"  # a space: the id check quotes it
        return shown

    def lookup(self, model_id: str, visibility: reference_server.Visibility) -> Model:
        if model_id in self.catalog.aliases:
            seen = SEEN.get()
            raise reference_server.HTTPError(
                404, f"no alias for {seen} ({quote(seen)}); upstream said Bearer {UPSTREAM_KEY}"
            )
        return super().lookup(model_id, visibility)


def echoing(app: Any) -> Any:
    """`app`, told the caller's Authorization, which it also returns as a header."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            SEEN.set(dict(scope["headers"]).get(b"authorization", b"").decode("latin-1"))
        await app(scope, receive, send)

    return with_header(wrapped, b"x-echo-authorization", lambda _: SEEN.get().encode())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    app = reference_server.create_app(queries=HostileQueries)
    app = with_header(app, b"x-hostile", lambda _: HEADER_PAYLOAD.encode())
    profiles = ("--profile", "models", "--profile", "openai-list", "--profile", "lookup")
    return judge(app, tmp_path_factory.mktemp("hostile"), *profiles)


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    app = echoing(reference_server.create_app(keys=ECHO_KEYS, queries=EchoQueries))
    keys = {KEY_ENV: MAIN_KEY, RESTRICTED_ENV: RESTRICTED_KEY}
    profiles = ("--profile", "models", "--profile", "lookup")
    return judge(app, tmp_path_factory.mktemp("echo"), *profiles, env=keys)


# --------------------------------------------------------------------------- markup


class Page(HTMLParser):
    """The elements and the text of an HTML document, as a browser would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


TEMPLATE = Path(__file__).resolve().parent.parent / "arouter_conformance/reports/templates"
TEMPLATE_TAGS = set(re.findall(r"<([a-z][a-z0-9]*)", (TEMPLATE / "report.html.j2").read_text()))
ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_a_hostile_target_gets_no_live_markup_into_any_report(hostile: Outputs) -> None:
    assert hostile.code == 1
    page = Page(hostile.html)
    assert {tag for tag, _ in page.tags} <= TEMPLATE_TAGS
    attributes = [(name, value or "") for _, attrs in page.tags for name, value in attrs]
    assert not [name for name, _ in attributes if name.startswith("on")]
    assert all(value.startswith("#") for name, value in attributes if name == "href")
    assert not [name for name, _ in attributes if name in ("src", "srcdoc", "action")]
    text = "".join(page.text)
    for where in ("x-hostile: ", '"name":"', '"description":"', '"message":"'):
        assert where + SCRIPT in text.replace("\\", ""), where  # there, as text
    assert "\\x1b[31mRED" in text

    xml = ET.fromstring(hostile.junit)  # noqa: S314 - the kit's own output
    assert {e.tag for e in xml.iter()} <= {
        "testsuites", "testsuite", "properties", "property", "testcase", "failure", "error",
        "skipped",
    }  # fmt: skip
    assert SCRIPT in "".join(xml.itertext())

    assert "<script" not in hostile.markdown
    assert "<img" not in hostile.markdown
    assert "&lt;script&gt;" in hostile.markdown

    assert SCRIPT in json.dumps(hostile.data)  # data, where it belongs
    assert schema_errors(hostile.data) == []
    for name, output in hostile.texts().items():
        assert not ACTIVE.search(output), name  # no escape sequence, CR or bidi override
    assert "\\x1b[31mRED" in hostile.terminal
    assert "'pwned'" in hostile.terminal


def test_b_an_echoed_key_appears_in_no_output(echo: Outputs) -> None:
    assert echo.code == 1
    assert schema_errors(echo.data) == []
    for name, output in echo.texts().items():
        read = html.unescape(output).replace("\\", "")  # as a reader sees it, unescaped
        for secret in (MAIN_KEY, RESTRICTED_KEY, quote(MAIN_KEY, safe=""), UPSTREAM_KEY):
            assert secret not in read, (name, secret)
        assert "Bearer [REDACTED]" in read, name  # the echo reached every output
    headers = [
        value
        for r in echo.data["requirements"]
        for f in r["findings"]
        if f["evidence"]
        for name, value in f["evidence"]["response"]["headers"]
        if name == "x-echo-authorization"
    ]
    assert headers
    assert set(headers) == {"Bearer [REDACTED]"}
    curls = [f["evidence"]["curl"] for r in echo.data["requirements"] for f in r["findings"]]
    assert any('-H "Authorization: Bearer $AROUTER_API_KEY"' in c for c in curls)


def test_b_pytest_output_with_tracebacks_carries_no_key(tmp_path: Path) -> None:
    app = echoing(reference_server.create_app(keys=ECHO_KEYS, queries=EchoQueries))
    keys = {KEY_ENV: MAIN_KEY, RESTRICTED_ENV: RESTRICTED_KEY}
    verbose = judge(app, tmp_path, "-v", "--requirement", "MODELS-ID-002", env=keys)
    assert "test_every_model_has_the_documented_shape FAILED" in verbose.terminal
    assert "Bearer [REDACTED]" in verbose.terminal
    assert MAIN_KEY not in verbose.terminal
    assert RESTRICTED_KEY not in verbose.terminal


@pytest.mark.skipif(
    browser.CHROMIUM is None, reason="needs Debian's chromium package (.ci/run installs it)"
)
def test_c_chromium_renders_the_report_and_runs_nothing_from_the_target(
    hostile: Outputs, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    report.write_text(hostile.html, encoding="utf-8")
    # The same page without its policy: escaping alone must keep the payload inert.
    unprotected = tmp_path / "unprotected.html"
    policy = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
    unprotected.write_text(policy.sub("", hostile.html), encoding="utf-8")
    assert unprotected.read_text() != hostile.html
    # The harness sees a payload that does run.
    control = tmp_path / "control.html"
    control.write_text(f"<!doctype html><title>control</title>{BREAKOUT}", encoding="utf-8")
    data = hostile.data
    with browser.chromium(tmp_path / "profile") as page:
        page.load(control)
        assert page.evaluate("document.title") == "pwned"
        for path in (report, unprotected):
            page.load(path)
            assert page.evaluate("document.title") == "arouter-conformance report: fail"
            assert page.evaluate("document.scripts.length + document.images.length") == 0
            injected = "document.querySelectorAll('[onerror], iframe, object, embed').length"
            assert page.evaluate(injected) == 0
        page.load(report)
        table = page.evaluate(
            "(() => { const t = document.getElementById('profiles');"
            " return [t.rows.length, t.getBoundingClientRect().height,"
            " getComputedStyle(t).borderCollapse]; })()"
        )
        assert table[0] == len(data["profiles"]) + 1
        assert table[1] > 100
        assert table[2] == "collapse"  # the stylesheet applied under the page's own policy
        shown = (
            "[...document.querySelectorAll('tbody.req')]"
            ".filter(e => e.getClientRects().length).map(e => e.id)"
        )
        assert len(page.evaluate(shown)) == len(data["requirements"])
        page.evaluate("document.querySelector('label[for=only-failed]').click()")
        broken = [r for r in data["requirements"] if r["status"] in ("failed", "error")]
        assert page.evaluate(shown) == [r["id"] for r in broken]
        page.evaluate("document.querySelector('label[for=only-must]').click()")
        assert page.evaluate(shown) == [r["id"] for r in broken if r["level"] == "MUST"]
