"""schemathesis, loaded from the contract's OpenAPI document, finds nothing wrong with the app.

Every built-in schemathesis check runs on every generated case (examples, coverage and
fuzzing phases; positive and negative data; undocumented methods; missing and wrong keys),
with the demo key. Two exclusions, each as narrow as the case that needs it:

- positive_data_acceptance, on list and count requests whose output_modalities holds a
  token that is neither a known modality nor `all` (or is empty). The OpenAPI parameter is
  a plain string, because targets may know modality names the contract does not, so
  schemathesis calls any string valid; ruling R8 (MODELS-FILTER-007) says such values
  should be refused with 400, which is what the server does.
- response_schema_conformance, on `text/event-stream` answers. openapi.yaml gives the
  stream `schema: {type: string}` for the whole body and names the event schema in
  `x-sse-event-schema`; schemathesis reads the `schema` of an event stream as the schema
  of each parsed event (an object with `data`), so every event would fail. This test
  validates each event's data against ChatStreamChunk.json instead, which is what the
  contract means.

Random strings never name a listed model, so positive chat and lookup cases would only
ever reach 404; they are pointed at real ids (a schema-valid change) so that 200 answers,
whole and streamed, are checked against their schemas too.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
    response_schema_conformance,
)

from arouter_conformance.spec import load_spec
from reference_server import DEMO_KEY, Catalog, create_app

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}
SPEC = load_spec()
CONTRACT = SPEC.contract
KNOWN_MODALITIES = {
    *CONTRACT.documented_output_modalities,
    *Catalog.default().output_modalities,
    CONTRACT.all_output_modalities,
}
CHECKS_TO_RUN = [
    check
    for check in CHECKS.get_all()
    if not isinstance(check, type) and check.__module__.startswith("schemathesis.")
]
CHAT_MODELS = ["auto", "openai/gpt-5.4", "openai/gpt-5.4:nitro", "z-ai/glm-5.2:free"]
LOOKUP_IDS = ["openai/gpt-5.4", "qwen/qwen3-8-27b", "~openai/gpt-latest", "openai/gpt-5.4:batch"]

schema = schemathesis.openapi.from_dict(SPEC.bundled_openapi())
schema.app = create_app()
# A reply streams about thirty events; schemathesis cuts streams after twenty by default
# (`max-stream-events`), which would hide the end of every stream from the check below.
schema.config.max_stream_events = 200


def refused_modalities(case: Any) -> bool:
    value = (case.query or {}).get("output_modalities")
    if value is None:
        return False
    return any(token.strip() not in KNOWN_MODALITIES for token in str(value).split(","))


def aim_at_real_models(case: Any) -> None:
    """Point a positive case at listed models; which one depends on the generated value."""
    if case.meta.generation.mode.value != "positive":
        return
    if case.operation.path == "/chat/completions" and isinstance(case.body, dict):
        case.body["model"] = CHAT_MODELS[len(str(case.body.get("model"))) % len(CHAT_MODELS)]
    elif case.operation.path.startswith("/model/") and case.path_parameters:
        chosen = LOOKUP_IDS[len(str(case.path_parameters)) % len(LOOKUP_IDS)]
        author, _, slug = chosen.partition("/")
        case.path_parameters.update(author=author, slug=slug)


def check_events(response: Any) -> None:
    blocks = [b for b in response.text.split("\n\n") if b]
    assert blocks[-1] == "data: [DONE]"
    validator = SPEC.validator("ChatStreamChunk.json")
    for block in blocks[:-1]:
        assert block.startswith("data: ")
        chunk = json.loads(block.removeprefix("data: "))
        assert validator.is_valid(chunk), chunk


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_app_conforms_to_the_openapi_document(case: Any) -> None:
    aim_at_real_models(case)
    response = case.call(headers=AUTH)
    excluded: list[Any] = []
    if refused_modalities(case):
        excluded.append(positive_data_acceptance)
    if response.headers.get("content-type", [""])[0].startswith("text/event-stream"):
        excluded.append(response_schema_conformance)
        check_events(response)
    case.validate_response(
        response,
        checks=CHECKS_TO_RUN,
        excluded_checks=excluded,
        headers=AUTH,
        transport_kwargs={"headers": AUTH},
    )
