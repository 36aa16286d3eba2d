#!/usr/bin/env python3
"""Build the reference server's model catalog from a real OpenRouter model-list snapshot.

The reference server must serve data shaped like a real deployment's, so the facts (ids,
prices, modalities, parameters, dates) come from a committed public snapshot. The prose does
not: the project carries no one else's text, so names and descriptions are regenerated here
from the facts. The script is deterministic so that the committed catalog can be checked
against a fresh build and can never drift from this file.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

Model = dict[str, Any]
Figures = dict[str, Any]

FORMAT = "arouter-reference-catalog/1"
SNAPSHOT_NAME = "openrouter_models_2026-08-19_output_modalities_all_anuran-roy.json"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SNAPSHOT = REPO_ROOT.parent / "shared" / "data" / SNAPSHOT_NAME
DEFAULT_OUT = REPO_ROOT / "reference_server" / "data" / "catalog.json"

MAX_DOT_ALIASES = 12
NULL_SHARE = 0.15
THROUGHPUT_RANGE = (5.0, 400.0)
LATENCY_RANGE = (0.1, 8.0)
WEEKLY_TOKENS_MAX = 500_000_000_000
ROUTER_PRICE = "-1"

# Short tokens that read as words would be wrong when title-cased ("Oss", "It").
UPPER_TOKENS = frozenset({"ai", "it", "oss", "ocr", "api", "vl", "tts", "stt", "hd", "xl"})
SIZE_TOKEN = re.compile(r"^[a-z]?\d+(\.\d+)?[bkmt]$")
VERSION_TOKEN = re.compile(r"^v\d+(\.\d+)*$")
VOWELS = frozenset("aeiouy")

KIND_BY_OUTPUT = {
    ("text",): "language model",
    ("embeddings",): "embedding model",
    ("image",): "image-generation model",
    ("video",): "video-generation model",
    ("transcription",): "transcription model",
    ("speech",): "speech-synthesis model",
    ("rerank",): "reranking model",
}
INPUT_WORDS = {"text": "text", "image": "images", "file": "files", "audio": "audio"}
OUTPUT_WORDS = {
    "text": "text",
    "embeddings": "embedding vectors",
    "image": "images",
    "video": "video",
    "transcription": "transcripts",
    "speech": "speech audio",
    "rerank": "relevance scores",
    "audio": "audio",
}
VARIANT_SENTENCES = {
    "free": "This is the free variant of {base}: prompt and completion tokens cost nothing.",
    "batch": "This is the batch variant of {base}, meant for asynchronous bulk jobs.",
    "thinking": (
        "This is the reasoning-mode variant of {base}: every request runs with reasoning on."
    ),
}
CAPABILITY_PARAMETERS = (
    ("tools", "tool calling"),
    ("structured_outputs", "structured outputs"),
    ("reasoning", "reasoning controls"),
    ("logprobs", "log probabilities"),
    ("web_search_options", "web search options"),
)


# --- ids --------------------------------------------------------------------------------


def split_id(model_id: str) -> tuple[str, str, str | None]:
    """Split an id into author, model slug and variant so every template can use the parts."""
    base, _, variant = model_id.partition(":")
    author, _, slug = base.partition("/")
    return author.lstrip("~"), slug, variant or None


def base_id(model_id: str) -> str:
    return model_id.partition(":")[0]


def is_router(model: Model) -> bool:
    """Router rows carry the "-1" price sentinel: their cost is only known per request."""
    return bool(model["pricing"].get("prompt") == ROUTER_PRICE)


# --- names ------------------------------------------------------------------------------


def title_token(token: str) -> str:
    """Title-case one slug token while keeping sizes (27B, A3B) and acronyms (GLM) readable."""
    if not token:
        return token
    if token in UPPER_TOKENS or SIZE_TOKEN.match(token) or VERSION_TOKEN.match(token):
        return token.upper()
    if token.isalpha() and len(token) <= 4 and not set(token) & VOWELS:
        return token.upper()
    return token[0].upper() + token[1:]


def generated_name(model_id: str) -> str:
    """Derive a display name from the id alone, so no vendor wording enters the catalog."""
    author, slug, variant = split_id(model_id)
    title = " ".join(title_token(token) for token in slug.split("-") if token)
    qualifiers = [author] + ([variant] if variant else [])
    return f"{title} ({', '.join(qualifiers)})"


# --- descriptions -----------------------------------------------------------------------


def join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def article(phrase: str) -> str:
    return "An" if phrase[:1].lower() in "aeiou" else "A"


def per_million(price: str) -> str:
    """Express a per-token decimal price per million tokens, the unit people compare."""
    value = Decimal(price) * 1_000_000
    if value >= 1:
        return f"${value:.2f}"
    text = f"{Decimal(f'{value:.4g}').normalize():f}"
    if len(text.partition(".")[2]) < 2:
        text = f"{Decimal(text):.2f}"
    return f"${text}"


def opening_sentence(model: Model) -> str:
    author, _, _ = split_id(model["id"])
    if is_router(model):
        return (
            f"A routing endpoint run by {author} that hands each request to another model "
            "chosen at request time, so its price is settled per request rather than listed."
        )
    target = model.get("alias_target")
    if target:
        return (
            f"A moving pointer from {author} that currently resolves to {target['slug']} "
            "and follows newer releases of that line."
        )
    arch = model["architecture"]
    outputs = tuple(arch["output_modalities"])
    kind = KIND_BY_OUTPUT.get(outputs, "multimodal model")
    inputs = join_words([INPUT_WORDS.get(m, m) for m in arch["input_modalities"]])
    produced = join_words([OUTPUT_WORDS.get(m, m) for m in outputs])
    context = model["context_length"]
    window = f"with a context window of {context:,} tokens" if context else "with no stated context"
    lead = f"{article(kind)} {kind} from {author}"
    return f"{lead} that takes {inputs} and produces {produced}, {window}."


def capability_sentence(model: Model) -> str | None:
    params = set(model["supported_parameters"])
    found = [label for param, label in CAPABILITY_PARAMETERS if param in params]
    if not found:
        return None
    return f"Requests may use {join_words(found)}."


def reasoning_sentence(model: Model) -> str | None:
    reasoning = model.get("reasoning")
    if not reasoning:
        return None
    efforts = reasoning.get("supported_efforts")
    forced = reasoning.get("mandatory") or split_id(model["id"])[2] == "thinking"
    mode = "always on" if forced else "optional"
    if not efforts:
        return f"Reasoning is {mode}."
    default = reasoning.get("default_effort")
    tail = f" (default {default})" if default else ""
    return f"Reasoning is {mode}, with effort levels {join_words(efforts)}{tail}."


def price_sentence(model: Model) -> str | None:
    if is_router(model):
        return None
    pricing = model["pricing"]
    parts = [
        f"{per_million(pricing[key])} per million {label} tokens"
        for key, label in (("prompt", "input"), ("completion", "output"))
        if Decimal(pricing[key]) != 0
    ]
    if not parts:
        return "Input and output tokens are not billed per token."
    return f"Listed at {join_words(parts)}."


def fact_sentences(model: Model) -> list[str]:
    sentences = []
    cap = model["top_provider"].get("max_completion_tokens")
    if cap:
        sentences.append(f"A single reply may hold up to {cap:,} tokens.")
    voices = model.get("supported_voices")
    if voices:
        sentences.append(f"It offers {len(voices)} voice{'s' if len(voices) != 1 else ''}.")
    if model.get("knowledge_cutoff"):
        sentences.append(f"Its training data ends around {model['knowledge_cutoff']}.")
    if model.get("expiration_date"):
        sentences.append(f"It is scheduled for retirement on {model['expiration_date']}.")
    if model.get("hugging_face_id"):
        sentences.append(f"Weights are published on Hugging Face as {model['hugging_face_id']}.")
    return sentences


def generated_description(model: Model) -> str:
    """Describe a model only through its facts, so the text varies without borrowed prose."""
    _, _, variant = split_id(model["id"])
    base = base_id(model["id"])
    sentences: list[str | None] = [opening_sentence(model)]
    if variant:
        template = VARIANT_SENTENCES.get(variant, "This is the {variant} variant of {base}.")
        sentences.append(template.format(base=base, variant=variant))
    sentences += [capability_sentence(model), reasoning_sentence(model), price_sentence(model)]
    sentences += fact_sentences(model)
    return " ".join(s for s in sentences if s)


# --- catalog rows -----------------------------------------------------------------------


def load_snapshot(path: Path) -> list[Model]:
    document = json.loads(path.read_text(encoding="utf-8"))
    models = document["data"] if isinstance(document, dict) else document
    if not isinstance(models, list):
        raise ValueError(f"{path}: expected a list of models under 'data'")
    return models


def pick_thinking_base(models: Sequence[Model]) -> Model:
    """Choose the first suitable row, preferring DeepSeek, so the pick is stable across runs."""
    listed = {m["id"] for m in models}

    def suitable(model: Model) -> bool:
        model_id = model["id"]
        return (
            ":" not in model_id
            and not model_id.startswith("~")
            and not is_router(model)
            and model["architecture"]["output_modalities"] == ["text"]
            and "reasoning" in model["supported_parameters"]
            and f"{model_id}:thinking" not in listed
        )

    candidates = [m for m in models if suitable(m)]
    if not candidates:
        raise ValueError("no text model with a 'reasoning' parameter to derive :thinking from")
    preferred = [m for m in candidates if m["id"].startswith("deepseek/")]
    return (preferred or candidates)[0]


def with_thinking_variant(models: Sequence[Model]) -> tuple[list[Model], str]:
    """Insert a listed :thinking row right after its base so the created order is kept."""
    base = pick_thinking_base(models)
    variant = copy.deepcopy(base)
    variant["id"] = f"{base['id']}:thinking"
    rows: list[Model] = []
    for model in models:
        rows.append(copy.deepcopy(model))
        if model is base:
            rows.append(variant)
    return rows, variant["id"]


def check_rows(models: Sequence[Model]) -> None:
    """Fail loudly on facts the reference server relies on instead of repairing them."""
    ids = [m["id"] for m in models]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate ids: {duplicates}")
    listed = set(ids)
    free_rows = [m for m in models if m["id"].endswith(":free")]
    for model in free_rows:
        pricing = model["pricing"]
        if Decimal(pricing["prompt"]) != 0 or Decimal(pricing["completion"]) != 0:
            raise ValueError(f"{model['id']}: a :free row must price prompt and completion at 0")
    if not any(base_id(m["id"]) in listed for m in free_rows):
        raise ValueError("no :free row whose base id is also listed")
    if not any(is_router(m) for m in models):
        raise ValueError("no router row priced at -1")


def rename(models: list[Model]) -> None:
    """Replace every prose field, including the name an alias row quotes for its target."""
    for model in models:
        model["name"] = generated_name(model["id"])
        model["description"] = generated_description(model)
        target = model.get("alias_target")
        if target:
            target["name"] = generated_name(target["slug"])


# --- aliases ----------------------------------------------------------------------------


def build_aliases(models: Sequence[Model]) -> dict[str, str]:
    """Dash-for-dot aliases, one author at a time, so resolution is tested across vendors.

    `~...-latest` rows are listed models themselves, so they are deliberately not aliases.
    """
    listed = {m["id"] for m in models}
    candidates: list[tuple[str, str]] = []
    for model in models:
        model_id = model["id"]
        author, slug, variant = split_id(model_id)
        if variant or model_id.startswith("~") or "." not in slug:
            continue
        alias = f"{author}/{slug.replace('.', '-')}"
        if alias not in listed:
            candidates.append((alias, model_id))
    aliases: dict[str, str] = {}
    seen_authors: set[str] = set()
    for first_pass in (True, False):
        for alias, target in candidates:
            author = split_id(target)[0]
            if len(aliases) >= MAX_DOT_ALIASES:
                return aliases
            if alias in aliases or (first_pass and author in seen_authors):
                continue
            aliases[alias] = target
            seen_authors.add(author)
    return aliases


def check_aliases(aliases: dict[str, str], models: Sequence[Model]) -> None:
    listed = {m["id"] for m in models}
    for alias, target in aliases.items():
        if alias in listed or target not in listed:
            raise ValueError(f"alias {alias} -> {target} breaks the alias rules")


# --- figures ----------------------------------------------------------------------------


def unit(model_id: str, label: str) -> float:
    """A uniform number in [0, 1) fixed by the id, so figures never depend on RNG state."""
    digest = hashlib.sha256(f"{label}\0{model_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def scaled(model_id: str, label: str, bounds: tuple[float, float]) -> float | None:
    if unit(model_id, f"{label}/null") < NULL_SHARE:
        return None
    low, high = bounds
    return round(low + unit(model_id, label) * (high - low), 3)


def figures_for(model: Model) -> Figures:
    model_id = model["id"]
    if is_router(model):
        return {"throughput": None, "latency": None, "weekly_tokens": None}
    weekly: int | None = None
    if unit(model_id, "weekly_tokens/null") >= NULL_SHARE:
        digest = hashlib.sha256(f"weekly_tokens\0{model_id}".encode()).digest()
        weekly = int.from_bytes(digest[:8], "big") % (WEEKLY_TOKENS_MAX + 1)
    return {
        "throughput": scaled(model_id, "throughput", THROUGHPUT_RANGE),
        "latency": scaled(model_id, "latency", LATENCY_RANGE),
        "weekly_tokens": weekly,
    }


def build_figures(models: Iterable[Model]) -> dict[str, Figures]:
    return {m["id"]: figures_for(m) for m in models}


def check_figures(figures: dict[str, Figures], models: Sequence[Model]) -> None:
    """Sorting by a figure is only meaningful when text models actually differ in it."""
    text_ids = [m["id"] for m in models if m["architecture"]["output_modalities"] == ["text"]]
    distinct = {figures[i]["throughput"] for i in text_ids} - {None}
    if len(distinct) < 3:
        raise ValueError("fewer than 3 distinct throughput values among text models")
    for dimension in ("throughput", "latency", "weekly_tokens"):
        if all(f[dimension] is not None for f in figures.values()):
            raise ValueError(f"no null {dimension}: 'without data sorts last' goes untested")


# --- assembly ---------------------------------------------------------------------------


def build_catalog(snapshot: Path) -> tuple[dict[str, Any], str]:
    source_models = load_snapshot(snapshot)
    models, thinking_id = with_thinking_variant(source_models)
    check_rows(models)
    rename(models)
    aliases = build_aliases(models)
    check_aliases(aliases, models)
    figures = build_figures(models)
    check_figures(figures, models)
    catalog = {
        "format": FORMAT,
        "source": {"snapshot": snapshot.name, "models": len(source_models)},
        "models": models,
        "aliases": aliases,
        "figures": figures,
    }
    return catalog, thinking_id


def render(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, ensure_ascii=False) + "\n"


def summary(catalog: dict[str, Any], thinking_id: str) -> str:
    models = catalog["models"]
    variants = Counter(split_id(m["id"])[2] for m in models if ":" in m["id"])
    figures = catalog["figures"].values()
    nulls = {
        dimension: sum(1 for f in figures if f[dimension] is None)
        for dimension in ("throughput", "latency", "weekly_tokens")
    }
    variant_text = ", ".join(f"{n} {v}" for v, n in sorted(variants.items()))
    null_text = ", ".join(f"{d} {n}" for d, n in nulls.items())
    return (
        f"{len(models)} models ({sum(variants.values())} variants: {variant_text}; "
        f"added {thinking_id}), {len(catalog['aliases'])} aliases, "
        f"{len(catalog['figures'])} figures (nulls: {null_text})"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    catalog, thinking_id = build_catalog(args.snapshot)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(catalog), encoding="utf-8", newline="\n")
    print(f"{out}: {summary(catalog, thinking_id)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
