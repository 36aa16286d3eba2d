"""schemathesis, loaded from the contract's OpenAPI document, finds nothing wrong with the app.

Every built-in schemathesis check runs on every case, with the demo key and no exclusion,
in two ways:

- `schemathesis run` itself, through benchmarks/fuzz_reference_server.py with a small
  budget, against the server on a real socket: every phase it has (examples, coverage,
  fuzzing, stateful), one worker, a fixed seed. The script's full run measures the same.
- The fuzzing phase in-process (positive and negative data; undocumented methods; missing
  and wrong keys). Random strings never name a listed model, so positive chat and lookup
  cases would only ever reach 404; here they are pointed at real ids (a schema-valid
  change), so that 200 answers, whole and streamed, are checked against their schemas
  beyond the document's few examples.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS

from arouter_conformance.spec import load_spec
from reference_server import DEMO_KEY, create_app, serve_in_thread

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}
SPEC = load_spec()
FUZZ = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz_reference_server.py"
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
# (`max-stream-events`), which would leave the end of every stream unchecked.
schema.config.max_stream_events = 200


def test_schemathesis_run_finds_nothing_in_any_phase(tmp_path: Path) -> None:
    out = tmp_path / "fuzz.json"
    with serve_in_thread(create_app()) as origin:
        command = [sys.executable, str(FUZZ), "--url", f"{origin}/v1", "--examples", "5"]
        # A bound against a hang, far beyond the seconds it takes: not a timing assertion.
        subprocess.run([*command, "--out", str(out)], check=False, timeout=600)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert (result["failures"], result["errors"]) == (0, 0), result["summary"]
    assert result["phases"] == dict.fromkeys(
        ("examples", "coverage", "fuzzing", "stateful"), "success"
    )
    assert result["operations_tested"] == 7
    assert result["cases"] > 100


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
    case.validate_response(
        response, checks=CHECKS_TO_RUN, headers=AUTH, transport_kwargs={"headers": AUTH}
    )
