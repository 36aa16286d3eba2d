"""The same target, the same flags, the same verdict, whatever else the process imported.

The kit promises reproducible runs (derandomized Hypothesis unless --seed is given) and
the same verdicts from the CLI and from `pytest --target-url`. Hypothesis, though, mixes
into its draws constants harvested from every "local" module in sys.modules
(hypothesis.internal.conjecture.providers._get_local_constants), so which modules a
process happens to have imported changes the examples the kit sends, and so its verdicts.
One fresh process that runs `arouter-conformance run` twice against one server shows it:
between the two runs it merely imports an unrelated module of this repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from reference_server import DEMO_KEY, RESTRICTED_KEY, create_app
from tests.battery.harness import Scope, Switchboard, battery_catalog
from tests.battery.models_mutants import EmptySortCrashes
from tests.targets import KEY_ENV, RESTRICTED_ENV, write_manifest

UNRELATED = "import reference_server.synthetic"  # loaded by some tests, never by the kit


class Recorder:
    """Middleware keeping the path and query of every request."""

    def __init__(self, app: Any) -> None:
        self.app, self.seen = app, list[str]()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append(f"{scope['path']}?{scope['query_string'].decode()}")
        await self.app(scope, receive, send)


def two_runs_in_one_process(manifests: tuple[Path, Path]) -> list[int]:
    """`arouter-conformance run` twice in one fresh process, with one import in between."""
    flags = ["--requirement", "MODELS-SPEC-002", "--examples", "5"]
    runs = [
        ["run", "--manifest", str(m), "--json", str(m.with_suffix(".json")), *flags]
        for m in manifests
    ]
    code = (
        "import gc\n"
        "from arouter_conformance.cli import main\n"
        "gc.freeze()  # as the battery's conftest does, for speed only\n"
        f"first = main({runs[0]!r})\n"
        f"{UNRELATED}\n"
        f"second = main({runs[1]!r})\n"
        "print('EXIT CODES', first, second)\n"
    )
    env = {**os.environ, KEY_ENV: DEMO_KEY, RESTRICTED_ENV: RESTRICTED_KEY}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=manifests[0].parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("EXIT CODES")), None)
    assert line is not None, done.stderr[-2000:]
    return [int(code) for code in line.split()[2:]]


def test_an_import_does_not_change_what_the_kit_sends(
    server: tuple[Switchboard, str], tmp_path: Path
) -> None:
    """Run 1 judges the target under /v1, run 2 (after the import) under /api/v1, so the
    recorded requests tell the two runs apart."""
    switchboard, origin = server
    manifests = (
        write_manifest(tmp_path / "first.yaml", origin + "/v1"),
        write_manifest(tmp_path / "second.yaml", origin + "/api/v1"),
    )
    recorder = Recorder(create_app(battery_catalog(), queries=EmptySortCrashes))
    switchboard.app = recorder
    try:
        codes = two_runs_in_one_process(manifests)
    finally:
        switchboard.app = None
    first = [r for r in recorder.seen if not r.startswith("/api/")]
    second = [r.removeprefix("/api") for r in recorder.seen if r.startswith("/api/")]
    assert (codes[0], first) == (codes[1], second)
