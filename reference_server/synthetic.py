"""Deterministic synthetic catalogs of any size, for scale tests.

The bundled catalog has a fixed size; load tests and the kit's scale checks need a thousand
or a hundred thousand models with the same features. Rows come in blocks of ten, one of
each kind the contract distinguishes (a base text model, its listed `:free` and `:thinking`
variants, image, embedding, audio and router models, a `~author/...-latest` row, a plain
and a tool-calling text model), so that every prefix of the sequence, and therefore every
size, keeps the variants next to their bases. Every value is derived from the row's id
through SHA-256, never from a random generator, so a size always gives the same document.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from typing import Any

from reference_server.catalog import FORMAT

__all__ = ["synthetic_document"]

Row = dict[str, Any]

AUTHORS = ("openai", "anthropic", "google", "mistralai", "qwen", "deepseek", "meta-llama")
ROUTER_AUTHOR = "openrouter"
NEWEST = 1_780_000_000  # `created` of the first row; every later row is an hour older
STEP = 3_600
NULL_SHARE = 0.15  # share of figures left null, so "no data sorts last" is exercised
CONTEXTS = (8_192, 32_768, 131_072, 262_144, 1_000_000)
CHAT_PARAMETERS = [
    "frequency_penalty",
    "include_reasoning",
    "max_tokens",
    "presence_penalty",
    "reasoning",
    "response_format",
    "seed",
    "stop",
    "structured_outputs",
    "temperature",
    "tool_choice",
    "tools",
    "top_p",
]
PLAIN_PARAMETERS = ["max_tokens", "seed", "stop", "temperature", "top_p"]
TOOL_PARAMETERS = ["max_tokens", "response_format", "structured_outputs", "tool_choice", "tools"]
VOICES = ["ember", "harbor", "lumen"]
BLOCK = 10  # rows per block, one of each kind


# Which of a row's sixteen draws feeds which value, so that no two values are correlated.
DRAWS = {
    "context": 0,
    "prompt": 1,
    "completion": 2,
    "moderated": 3,
    "extra": 4,
    "throughput": 5,
    "throughput/null": 6,
    "latency": 7,
    "latency/null": 8,
    "weekly_tokens": 9,
    "weekly_tokens/null": 10,
}


class _Draws:
    """Sixteen numbers in [0, 1) fixed by the id: one hash per row, sliced."""

    __slots__ = ("_words",)

    def __init__(self, model_id: str) -> None:
        digest = hashlib.blake2b(model_id.encode(), digest_size=64).digest()
        self._words: tuple[int, ...] = struct.unpack(">16I", digest)

    def __getitem__(self, label: str) -> float:
        return self._words[DRAWS[label]] / 2**32


def _price(draw: float, scale: int) -> str:
    """A plain decimal string (the contract's Price), counted in units of 1e-10 USD."""
    whole, fraction = divmod((int(draw * 5_000) + 1) * scale, 10**10)
    return f"{whole}.{fraction:010d}".rstrip("0").rstrip(".")


def _extra_price(model_id: str, scale: int) -> str:
    """The one priced item beyond prompt and completion that some kinds carry."""
    return _price(_Draws(model_id)["extra"], scale)


def _figure(draws: _Draws, label: str, low: float, high: float) -> float | None:
    if draws[f"{label}/null"] < NULL_SHARE:
        return None
    return round(low + draws[label] * (high - low), 3)


def _row(
    model_id: str,
    created: int,
    inputs: list[str],
    outputs: list[str],
    parameters: list[str],
    *,
    canonical: str | None = None,
) -> Row:
    base = model_id.partition(":")[0].removeprefix("~")
    canonical = canonical or f"{base}-synth"
    draws = _Draws(model_id)
    context = CONTEXTS[int(draws["context"] * len(CONTEXTS))]
    return {
        "id": model_id,
        "canonical_slug": canonical,
        "hugging_face_id": "",
        "name": f"Synthetic {base.partition('/')[2]} ({model_id.partition('/')[0]})",
        "created": created,
        "description": f"A synthetic model producing {' and '.join(outputs)}, for scale tests.",
        "context_length": context,
        "architecture": {
            "modality": f"{'+'.join(inputs)}->{'+'.join(outputs)}",
            "input_modalities": inputs,
            "output_modalities": outputs,
            "tokenizer": "Synthetic",
            "instruct_type": None,
        },
        "pricing": {
            "prompt": _price(draws["prompt"], 1),
            "completion": _price(draws["completion"], 4),
        },
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": context // 4,
            "is_moderated": draws["moderated"] < 0.5,
        },
        "per_request_limits": None,
        "supported_parameters": parameters,
        "default_parameters": None,
        "supported_voices": None,
        "knowledge_cutoff": None,
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{canonical}/endpoints"},
    }


def _block(number: int) -> Iterator[tuple[Row, dict[str, str]]]:
    """The ten rows of block `number`, each with the aliases it brings."""
    author = AUTHORS[number % len(AUTHORS)]
    base = f"{author}/synth-{number}.5"

    def created(offset: int) -> int:
        return NEWEST - (number * BLOCK + offset) * STEP

    chat = _row(base, created(0), ["text", "image"], ["text"], CHAT_PARAMETERS)
    yield chat, {f"{author}/synth-{number}-5": base}

    free = _row(f"{base}:free", created(1), ["text", "image"], ["text"], CHAT_PARAMETERS)
    free["pricing"] = {"prompt": "0", "completion": "0"}
    yield free, {}
    yield _row(f"{base}:thinking", created(2), ["text"], ["text"], CHAT_PARAMETERS), {}

    image = _row(f"{author}/synth-image-{number}", created(3), ["text"], ["image"], ["seed"])
    image["pricing"]["image"] = _extra_price(image["id"], 1000)
    yield image, {}
    yield _row(f"{author}/synth-embed-{number}", created(4), ["text"], ["embeddings"], []), {}
    lite = _row(f"{author}/synth-lite-{number}", created(5), ["text"], ["text"], PLAIN_PARAMETERS)
    yield lite, {}

    latest = _row(
        f"~{author}/synth-latest-{number}",
        created(6),
        ["text", "image"],
        ["text"],
        CHAT_PARAMETERS,
        canonical=chat["canonical_slug"],
    )
    latest["alias_target"] = {"slug": base, "name": chat["name"]}
    yield latest, {}

    voice = _row(
        f"{author}/synth-voice-{number}", created(7), ["text"], ["text", "audio"], PLAIN_PARAMETERS
    )
    voice["supported_voices"] = VOICES
    voice["pricing"]["web_search"] = _extra_price(voice["id"], 10_000)
    yield voice, {}

    router = _row(f"{ROUTER_AUTHOR}/synth-router-{number}", created(8), ["text"], ["text"], [])
    router["pricing"] = {"prompt": "-1", "completion": "-1"}
    yield router, {}

    tools = _row(f"{author}/synth-agent-{number}", created(9), ["text"], ["text"], TOOL_PARAMETERS)
    tools["pricing"]["request"] = _extra_price(tools["id"], 100)
    yield tools, {}


def _figures(row: Row) -> dict[str, Any]:
    model_id = row["id"]
    if row["pricing"]["prompt"] == "-1":
        return {"throughput": None, "latency": None, "weekly_tokens": None}
    draws = _Draws(model_id)
    weekly = _figure(draws, "weekly_tokens", 0, 5e11)
    return {
        "throughput": _figure(draws, "throughput", 5.0, 400.0),
        "latency": _figure(draws, "latency", 0.1, 8.0),
        "weekly_tokens": None if weekly is None else int(weekly),
    }


def synthetic_document(size: int) -> dict[str, Any]:
    """A catalog document (the bundled file's format) holding exactly `size` models."""
    if size < 1:
        raise ValueError("a synthetic catalog needs at least one model")
    models: list[Row] = []
    aliases: dict[str, str] = {}
    for number in range((size + BLOCK - 1) // BLOCK):
        for row, brought in _block(number):
            if len(models) == size:
                break
            models.append(row)
            aliases.update(brought)
    return {
        "format": FORMAT,
        "source": {"synthetic": size},
        "models": models,
        "aliases": aliases,
        "figures": {row["id"]: _figures(row) for row in models},
    }
