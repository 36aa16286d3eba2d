"""Fixtures for the reference server's tests: the app in-process and over real HTTP.

Most endpoint tests take `client`, which runs each test twice: once through httpx's ASGI
transport (no socket, exact control) and once over HTTP against uvicorn on a free
127.0.0.1 port, so that framing, headers and streaming are also checked on the wire.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from reference_server import DEMO_KEY, RESTRICTED_KEY, Catalog, ReferenceApp, create_app
from reference_server.catalog import Model
from reference_server.server import serve_in_thread


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


DEMO = bearer(DEMO_KEY)
RESTRICTED = bearer(RESTRICTED_KEY)


class AsgiClient:
    """httpx over its ASGI transport, driven synchronously so tests stay plain functions."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.request(method, url, **kwargs)

        return anyio.run(call)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("HEAD", url, **kwargs)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.default()


@pytest.fixture(scope="session")
def models(catalog: Catalog) -> list[Model]:
    return list(catalog.models)


@pytest.fixture(scope="session")
def app() -> ReferenceApp:
    return create_app()


@pytest.fixture(scope="session")
def live_origin(app: ReferenceApp) -> Iterator[str]:
    with serve_in_thread(app) as origin:
        yield origin


@pytest.fixture(scope="session")
def http_client(live_origin: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_origin, timeout=10) as client:
        yield client


@pytest.fixture(params=["asgi", "http"])
def client(request: pytest.FixtureRequest, app: ReferenceApp) -> AsgiClient | httpx.Client:
    if request.param == "asgi":
        return AsgiClient(app)
    http: httpx.Client = request.getfixturevalue("http_client")
    return http


@pytest.fixture
def asgi(app: ReferenceApp) -> AsgiClient:
    return AsgiClient(app)
