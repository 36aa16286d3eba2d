#!/usr/bin/env python3
"""The Models API and chat as a typical team writes them with FastAPI: the peer the
reference server is measured beside (bench_server_vs_peers.py).

Written the usual way on purpose, not tuned: the catalog JSON is loaded once at import,
and every request filters the rows, builds the answer and `json.dumps` it (and gzips it
when asked, with FastAPI's middleware); the key is checked by a dependency; chat takes a
pydantic model. Endpoints are `async def` (no I/O,
so no thread pool hop), which is what FastAPI's documentation recommends and the faster
of its two styles. List, count and lookup answer the same bytes as the reference server
(same rows, envelope and compact separators; gzip aside), so the benchmark compares equal work;
chat answers in the same shape but makes a simpler reply.

    .venv/bin/python benchmarks/fastapi_models.py [--catalog FILE]   # prints its origin

Needs the `bench` extra (`pip install -e .[bench]`).
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import Response
from pydantic import BaseModel

from reference_server import DEMO_KEY, RESTRICTED_KEY, RESTRICTED_PROVIDERS
from reference_server.catalog import DEFAULT_PATH
from reference_server.server import bind, origin

# key -> the providers it sees (None: all)
KEYS: dict[str, set[str] | None] = {DEMO_KEY: None, RESTRICTED_KEY: set(RESTRICTED_PROVIDERS)}
MODALITIES = {"text", "image", "audio", "embeddings"}
PRICE_KEYS = ("prompt", "completion", "request", "web_search")
TOKEN = re.compile(r"\w+|[^\w\s]")
WORD = re.compile(r"\w+")

catalog: dict[str, Any] = {"models": [], "aliases": {}, "figures": {}}
app = FastAPI()
app.add_middleware(GZipMiddleware)  # compresses per request, for clients that ask


def load_catalog(path: Path) -> None:
    catalog.update(json.loads(path.read_text(encoding="utf-8")))
    for model in catalog["models"]:
        MODALITIES.update(model["architecture"]["output_modalities"])


def json_response(body: Any) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


async def api_key(authorization: Annotated[str | None, Header()] = None) -> set[str] | None:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "missing API key")
    key = authorization[7:].strip()
    if key not in KEYS:
        raise HTTPException(401, "invalid API key")
    return KEYS[key]


Providers = Annotated[set[str] | None, Depends(api_key)]


def author(model_id: str) -> str:
    return model_id.split("/")[0].lstrip("~")


def present(model: dict[str, Any]) -> dict[str, Any]:
    return {**model, "object": "model", "owned_by": author(model["id"])}


def wanted_modalities(output_modalities: str | None) -> set[str] | None:
    if output_modalities is None:
        return {"text"}
    names = [name.strip() for name in output_modalities.split(",")]
    for name in names:
        if name != "all" and name not in MODALITIES:
            raise HTTPException(400, f"unknown output modality {name!r}")
    return None if "all" in names else set(names)


def filter_models(
    output_modalities: str | None, supported_parameters: str | None, providers: set[str] | None
) -> list[dict[str, Any]]:
    modalities = wanted_modalities(output_modalities)
    parameters = {p.strip() for p in (supported_parameters or "").split(",") if p.strip()}
    found = []
    for model in catalog["models"]:
        if modalities is not None and not modalities & set(
            model["architecture"]["output_modalities"]
        ):
            continue
        if not parameters <= set(model["supported_parameters"]):
            continue
        if providers is not None and author(model["id"]) not in providers:
            continue
        found.append(model)
    return found


def price(model: dict[str, Any]) -> Decimal | None:
    pricing = model["pricing"]
    if "-1" in (pricing.get("prompt"), pricing.get("completion")):
        return None
    return sum((Decimal(pricing.get(key, "0")) for key in PRICE_KEYS), Decimal(0))


def figure(name: str) -> Any:
    return lambda model: catalog["figures"].get(model["id"], {}).get(name)


SORTS: dict[str, tuple[Any, bool]] = {
    "pricing-low-to-high": (price, False),
    "pricing-high-to-low": (price, True),
    "context-high-to-low": (lambda model: model["context_length"], True),
    "throughput-high-to-low": (figure("throughput"), True),
    "latency-low-to-high": (figure("latency"), False),
    "most-popular": (figure("weekly_tokens"), True),
    "top-weekly": (figure("weekly_tokens"), True),
    "newest": (lambda model: model["created"], True),
}


def sort_models(models: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    if sort is None:
        return models
    if sort not in SORTS:
        raise HTTPException(400, f"unknown sort {sort!r}")
    value, descending = SORTS[sort]
    known = [m for m in models if value(m) is not None]
    unknown = [m for m in models if value(m) is None]
    return sorted(known, key=value, reverse=descending) + unknown


@app.get("/v1/models")
async def list_models(
    providers: Providers,
    output_modalities: str | None = None,
    supported_parameters: str | None = None,
    sort: str | None = None,
) -> Response:
    models = filter_models(output_modalities, supported_parameters, providers)
    data = [present(model) for model in sort_models(models, sort)]
    return json_response(
        {"object": "list", "data": data, "total_count": len(data), "links": {"next": None}}
    )


@app.get("/v1/models/count")
async def count_models(providers: Providers, output_modalities: str | None = None) -> Response:
    count = len(filter_models(output_modalities, None, providers))
    return json_response({"data": {"count": count}})


@app.get("/v1/model/{author_name}/{slug}")
async def get_model(author_name: str, slug: str, providers: Providers) -> Response:
    model_id = f"{author_name}/{slug}"
    model_id = catalog["aliases"].get(model_id, model_id)
    for model in catalog["models"]:
        if model["id"] == model_id and (providers is None or author(model_id) in providers):
            return json_response({"data": present(model)})
    raise HTTPException(404, f"no model {model_id!r}")


class Message(BaseModel):
    role: str
    content: str


class ChatRequest(BaseModel):
    model: str
    messages: list[Message]
    max_tokens: int | None = None
    stream: bool = False


@app.post("/v1/chat/completions")
async def chat(request: ChatRequest, providers: Providers) -> Response:
    model_id = catalog["aliases"].get(request.model, request.model)
    if not any(m["id"] == model_id for m in catalog["models"]):
        raise HTTPException(404, f"no model {request.model!r}")
    if providers is not None and author(model_id) not in providers:
        raise HTTPException(404, f"no model {request.model!r}")
    words = WORD.findall(request.messages[-1].content)[:12]
    reply = f"You said: {' '.join(words)}."
    tokens = TOKEN.findall(reply)
    finish = "stop"
    if request.max_tokens is not None and len(tokens) > request.max_tokens:
        tokens, finish = tokens[: request.max_tokens], "length"
        reply = " ".join(tokens)
    prompt = sum(4 + len(TOKEN.findall(m.content)) for m in request.messages)
    return json_response(
        {
            "id": f"gen-{secrets.token_hex(12)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model_id,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": len(tokens),
                "total_tokens": prompt + len(tokens),
            },
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args()
    load_catalog(args.catalog)
    sock = bind("127.0.0.1", 0)
    print(origin(sock), flush=True)
    # One process, no access log: the same settings as the reference server beside it.
    uvicorn.Server(uvicorn.Config(app, access_log=False, log_level="warning")).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
