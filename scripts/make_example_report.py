#!/usr/bin/env python3
"""Regenerate reports/example/: the HTML and JSON reports of a target with four defects.

    python3 scripts/make_example_report.py

(With a bare `python3` the script re-runs itself under the project's `.venv`, which
`python3 dev.py test` or `python3 dev.py run` creates.)

Reviewers and operators should see what a failing run looks like without running one,
so the example judges the reference server with four single-defect mutations, each
rendered differently in the report:

- sorting by price compares prices as strings (MUST: several findings on one answer),
- chat usage reports total_tokens off by one (MUST: a POST with its body in the curl line),
- an unknown sort value is ignored instead of refused with 400 (a SHOULD, which fails
  alone and does not fail the run; the spec-level probe catches it too),
- declared aliases answer 404 (MUST: one finding per alias, each with its own request).

The run is derandomized and uses the reference server's demo keys (redacted in the
report all the same), so only the date, the duration and the port change between
regenerations.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from _venv import use_venv

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "reports" / "example"
KEY_ENV, RESTRICTED_ENV = "EXAMPLE_GATEWAY_KEY", "EXAMPLE_RESTRICTED_KEY"

use_venv("make_example_report.py", "yaml", "reference_server", "arouter_conformance")

import yaml  # noqa: E402

import reference_server  # noqa: E402
from arouter_conformance.cli import main  # noqa: E402
from arouter_conformance.embedded import reference_claims  # noqa: E402
from reference_server.catalog import Model  # noqa: E402


class Defects(reference_server.Queries):
    def price(self, model: Model) -> Any:
        price = super().price(model)
        return None if price is None else str(price)  # compared as text, not as numbers

    def parse_sort(self, raw: str | None) -> str | None:
        return raw if raw in self.orderings else None  # unknown sort: ignored, not 400

    def lookup(self, model_id: str, visibility: reference_server.Visibility) -> Model:
        if model_id in self.catalog.aliases:
            raise reference_server.HTTPError(404, f"no model {model_id!r}")
        return super().lookup(model_id, visibility)


class OffByOne(reference_server.ChatEngine):
    def usage(self, completion: reference_server.Completion) -> dict[str, int]:
        usage = super().usage(completion)
        return {**usage, "total_tokens": usage["total_tokens"] + 1}


def write_manifest(path: Path, url: str) -> Path:
    claims = reference_claims(url, api_key_env=KEY_ENV, restricted_key_env=RESTRICTED_ENV)
    path.write_text(yaml.safe_dump(claims), encoding="utf-8")
    return path


def make(out: Path = OUT) -> int:
    """Judge the example target, writing its reports into `out`."""
    os.environ[KEY_ENV] = reference_server.DEMO_KEY
    os.environ[RESTRICTED_ENV] = reference_server.RESTRICTED_KEY
    app = reference_server.create_app(queries=Defects, chat=OffByOne)
    with tempfile.TemporaryDirectory() as tmp, reference_server.serve_in_thread(app) as origin:
        manifest = write_manifest(Path(tmp) / "manifest.yaml", f"{origin}/v1")
        reports = ["--json", str(out / "report.json"), "--html", str(out / "report.html")]
        code = main(["run", "--manifest", str(manifest), "--examples", "5", *reports])
    return 0 if code == 1 else 1  # the defects must fail the run, and nothing may break it


if __name__ == "__main__":
    sys.exit(make())
