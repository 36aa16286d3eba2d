#!/usr/bin/env python3
"""schemathesis against the reference server: every phase, every check, no failure expected.

`schemathesis run` is given the contract's OpenAPI document as the kit bundles it
(`Spec.bundled_openapi`: spec/openapi.yaml with its schema files inlined under
components/schemas) and runs all of its phases (examples, coverage, fuzzing, stateful)
with all of its checks, one worker and a fixed seed, against `python -m reference_server`
in a child process (or `--url`, a server already running). Given spec/openapi.yaml itself
it finds the same, but skips the stateful phase: schemathesis infers the links between
operations from named component schemas, which the file references do not name.

The demo key reaches schemathesis through a config file's environment placeholder, so it
appears in no command line and no report. Figures (cases, failures, errors, seconds, each
phase's outcome) go to benchmarks/results/fuzz.json with the machine's description.

    .venv/bin/python benchmarks/fuzz_reference_server.py [--examples 100] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from wrk_harness import machine, reference_server

from arouter_conformance.spec import load_spec
from reference_server import DEMO_KEY

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "fuzz.json"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
KEY_VARIABLE = "FUZZ_REFERENCE_KEY"
# A reply streams about thirty events; schemathesis stops reading a stream after twenty by
# default, which would leave the end of every stream unchecked.
CONFIG = f"""\
max-stream-events = 200

[headers]
Authorization = "Bearer ${{{KEY_VARIABLE}}}"
"""
TIMEOUT = 1800  # seconds: a bound against a hang, far beyond any run's length


def fuzz(api_root: str, *, examples: int, seed: int) -> dict[str, Any]:
    """One `schemathesis run` of every phase and check against `api_root` (`…/v1`)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)  # also schemathesis's working directory, for what it writes there
        document, config, report = work / "openapi.json", work / "st.toml", work / "report.json"
        document.write_text(json.dumps(load_spec().bundled_openapi()), encoding="utf-8")
        config.write_text(CONFIG, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            str(document),
            "--url",
            api_root,
            "--checks",
            "all",
            "--phases",
            ",".join(PHASES),
            "--max-examples",
            str(examples),
            "--seed",
            str(seed),
            "--workers",
            "1",
            # A path parameter is any string, and in a URL every value is one: schemathesis
            # can rarely build a lookup that breaks the document, and says so by this health
            # check (a fact about its generator, not about the server).
            "--suppress-health-check",
            "filter_too_much",
            "--report",
            "json",
            "--report-json-path",
            str(report),
            "--no-color",
        ]
        started = time.perf_counter()
        done = subprocess.run(
            command,
            cwd=work,
            env={**os.environ, KEY_VARIABLE: DEMO_KEY},
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT,
        )
        seconds = time.perf_counter() - started
        if not report.exists():
            raise RuntimeError(f"schemathesis wrote no report:\n{done.stdout[-3000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    return figures(data, seconds, done)


def figures(
    data: dict[str, Any], seconds: float, done: subprocess.CompletedProcess[str]
) -> dict[str, Any]:
    cases = data["test_cases"]
    return {
        "cases": cases["generated"],
        "failures": cases["unique_failures"],
        "cases_with_failures": cases["with_failures"],
        "errors": len(data["errors"]),
        "failure_codes": sorted({f"{f['code']} {f['title']}" for f in data["failures"]}),
        "phases": {
            name: phase["status"] + (f" ({phase['skip_reason']})" if phase["skip_reason"] else "")
            for name, phase in data["phases"].items()
        },
        "operations_tested": data["operations"]["tested"],
        "warnings": sorted(name for name, found in data["warnings"].items() if found),
        "seconds": round(seconds, 2),
        "exit_code": done.returncode,
        # The end of the console output says what failed, when something did.
        "summary": done.stdout[-3000:] if done.returncode else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=100, help="examples per operation (fuzzing, stateful)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", help="an API root already served (…/v1); else a child server")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.url:
        result = fuzz(args.url, examples=args.examples, seed=args.seed)
    else:
        server = reference_server()
        try:
            result = fuzz(f"{server.origin}/v1", examples=args.examples, seed=args.seed)
        finally:
            server.close()
    report = {
        "benchmark": "fuzz",
        "settings": {"examples_per_operation": args.examples, "seed": args.seed},
        **result,
        "machine": machine(schemathesis=version("schemathesis")),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "summary"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
