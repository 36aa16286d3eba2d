"""Hand-made catalog rows and documents, for tests that need a catalog with a given shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from reference_server.catalog import FORMAT


def row(model_id: str, **overrides: Any) -> dict[str, Any]:
    """A model valid against Model.json and SdkModel.json; keywords replace top-level keys."""
    base = model_id.partition(":")[0].removeprefix("~")
    value: dict[str, Any] = {
        "id": model_id,
        "canonical_slug": base,
        "name": model_id,
        "created": 1_700_000_000,
        "description": "a test model",
        "context_length": 8192,
        "architecture": {
            "modality": "text->text",
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
        "supported_voices": None,
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{base}/endpoints"},
    }
    value.update(copy.deepcopy(overrides))
    return value


def outputs(*modalities: str) -> dict[str, Any]:
    return {
        "modality": "text->" + "+".join(modalities),
        "input_modalities": ["text"],
        "output_modalities": list(modalities),
        "tokenizer": "Other",
        "instruct_type": None,
    }


def document(
    models: list[dict[str, Any]],
    aliases: dict[str, str] | None = None,
    figures: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {"format": FORMAT, "models": models, "aliases": aliases or {}, "figures": figures or {}}


def write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path
