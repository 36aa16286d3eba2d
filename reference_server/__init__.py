"""The reference server: the whole contract in spec/, as a raw ASGI application.

It is the kit's embedded default target, the target of the kit's own tests, and the proof
that the contract can be implemented cleanly. Every profile is served (the superset of
fields), under both `/v1` and `/api/v1`; the rules come from `arouter_conformance.spec`.

    app = create_app()                          # bundled catalog, demo keys
    with serve_in_thread(app) as origin:        # http://127.0.0.1:<free port>
        ...                                     # f"{origin}/v1/models", DEMO_KEY

Modules, one job each: routing (paths, 404, 405), auth (keys, visibility), catalog (load
and index), synthetic (catalogs of any size), queries (filter, sort, page, count, lookup,
the key's own list), filters (the list filters beyond the seeds), facts (per-model data
the catalog lacks, drawn from the id), endpoints (a model's providers' endpoints, the
providers), chat (the deterministic engine), tokens (the documented tokenizer), sse (event
framing), responses (cached bodies, ETag, gzip), errors (the error shape), app (the ASGI
callable), server (uvicorn in a thread) and cli (`python -m reference_server`).

Mutation points. The kit proves each check by running it against a server with exactly
one defect. Such a server is a subclass overriding one method, passed to `create_app`:

    class DropsOneModel(Queries):
        def select(self, modalities, parameters, visibility):
            return super().select(modalities, parameters, visibility)[1:]

    app = create_app(queries=DropsOneModel)

- `Queries` (list, count, lookup, pages, the key's list): `parse_modalities`,
  `parse_parameters`, `parse_sort` (what the query means and what is refused), `select`
  (filters and visibility), `sort`, the sort values `price` (e.g. compare prices as
  strings), `context`, `created`, `throughput`, `latency`, `popularity`, `is_router`;
  `present` (a model as served, e.g. prices as numbers or no owned_by), `envelope` (the
  list envelope, e.g. a wrong total_count), `count` (e.g. ignoring the filter), `lookup`
  (e.g. an alias that 404s), `visible`, `user_models`; paging: `paged`, `parse_page`,
  `parse_offset`, `parse_limit` (e.g. limit 0 served), `page` (e.g. one model short),
  `total_count`, `next_link` (e.g. forgetting the query), `paginate`; the list filters
  (filters.py): `parse_filters`, one parse method per kind of value (`parse_input_modalities`,
  `parse_context`, `parse_names`, `parse_price`, `parse_score`, `parse_rate`,
  `parse_text`, `parse_age`, `parse_category`, `parse_distillable`, `parse_zdr`,
  `parse_region`), the comparisons `at_least` and `at_most` (e.g. exclusive bounds),
  `facts_of` (e.g. prices per token, not per million), `filter_models`, and one entry
  per parameter of the table filter_rules (set one in a subclass to break that filter
  alone); and the cached `list_body`, `page_body`, `user_models_body`, `count_body`,
  `lookup_body`.
- `ChatEngine` (chat): `parse` (request validation), `json_mode`, `forced_tool`,
  `resolve`, `resolve_variant`, `route_auto` (e.g. answering as "auto"),
  `base_instance`, `listed_only`, `reasoning_base` (one per variant suffix), `generate`,
  `reply`, `finish` (stop and max_tokens), `limit`, `tool_arguments`, `tool_call`,
  `usage` (e.g. a sum off by one), `response`, `chunks` (stream chunks) and
  `stream_events` (e.g. no `data: [DONE]`).
- `Endpoints` (endpoints and providers): `resolve` (which model a path names, e.g. no
  canonical_slug), `details`, `hosts`, `endpoint` (e.g. a key missing), `context_length`
  (e.g. more than the model's), `pricing` (e.g. prices as numbers), `quantization`,
  `uptime`, `latency`, `throughput`, `providers` (e.g. a slug twice), `provider`, and the
  cached `endpoints_body`, `providers_body`.
- `create_app(catalog=...)` with another `Catalog` (e.g. rows edited in a copy of the
  bundled document), `keys=KeyRing({...})`, and `open_listing=True`.
"""

from reference_server.app import ReferenceApp, create_app
from reference_server.auth import (
    DEMO_KEY,
    RESTRICTED_KEY,
    RESTRICTED_PROVIDERS,
    KeyRing,
    KeysError,
    Visibility,
)
from reference_server.catalog import Catalog, CatalogError, Figures
from reference_server.chat import ChatEngine, ChatRequest, Completion
from reference_server.endpoints import Endpoints
from reference_server.errors import HTTPError
from reference_server.queries import ListQuery, Queries
from reference_server.server import serve_in_thread

__all__ = [
    "DEMO_KEY",
    "RESTRICTED_KEY",
    "RESTRICTED_PROVIDERS",
    "Catalog",
    "CatalogError",
    "ChatEngine",
    "ChatRequest",
    "Completion",
    "Endpoints",
    "Figures",
    "HTTPError",
    "KeyRing",
    "KeysError",
    "ListQuery",
    "Queries",
    "ReferenceApp",
    "Visibility",
    "create_app",
    "serve_in_thread",
]
