"""Hand-made models and exchanges for unit tests of the checks."""

from __future__ import annotations

import json
from typing import Any

from arouter_conformance.exchange import Exchange
from tests.reference_server.rows import row

ROOT = "http://gateway.test/v1"


def model(model_id: str, **overrides: Any) -> dict[str, Any]:
    """A model valid against Model.json; keyword arguments replace top-level keys."""
    return row(model_id, **overrides)


def exchange(
    body: Any = None,
    *,
    status: int = 200,
    path: str = "/models",
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    method: str = "GET",
    auth: str = "key",
    request_body: bytes | None = None,
) -> Exchange:
    content = raw if raw is not None else json.dumps(body).encode()
    default_type = "application/json"
    return Exchange(
        method=method,
        url=ROOT + path,
        auth=auth,
        status=status,
        headers=tuple({"content-type": default_type, **(headers or {})}.items()),
        body=content,
        request_body=request_body,
    )


def listing(*models: dict[str, Any], path: str = "/models") -> Exchange:
    return exchange({"data": list(models)}, path=path)
