"""Hand-made models and exchanges for unit tests of the checks."""

from __future__ import annotations

import json
from typing import Any

from arouter_conformance.exchange import Exchange

ROOT = "http://gateway.test/v1"


def model(model_id: str, **overrides: Any) -> dict[str, Any]:
    """A model valid against Model.json; keyword arguments replace top-level keys."""
    value: dict[str, Any] = {
        "id": model_id,
        "canonical_slug": model_id.split(":")[0],
        "name": model_id,
        "created": 1_700_000_000,
        "description": "test model",
        "context_length": 8192,
        "architecture": {
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        "top_provider": {
            "context_length": 8192,
            "max_completion_tokens": None,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": ["max_tokens", "tools"],
        "default_parameters": None,
        "expiration_date": None,
    }
    value.update(overrides)
    return value


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
