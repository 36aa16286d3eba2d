"""The verdicts a full run gives stay what they were: the example target (four defects,
reports/example/) judged now gives, requirement by requirement, the committed report's
statuses, blockers and finding counts. A change to how a run is carried out (the engine
behind the front doors) must not change a verdict; a change that means to regenerates the
example report with it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def verdicts(report: dict[str, Any]) -> dict[str, tuple[object, ...]]:
    return {
        r["id"]: (r["status"], r.get("blocked_by"), r["findings_total"], r.get("known"))
        for r in report["requirements"]
    }


def test_a_full_run_gives_the_committed_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO / "scripts"))
    sys.modules.pop("make_example_report", None)
    import make_example_report

    # make() sets the example's key variables; set here first, they are undone afterwards.
    for name in (make_example_report.KEY_ENV, make_example_report.RESTRICTED_ENV):
        monkeypatch.setenv(name, "")
    assert make_example_report.make(tmp_path) == 0
    now = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    committed = json.loads((REPO / "reports/example/report.json").read_text(encoding="utf-8"))
    before, after = verdicts(committed), verdicts(now)
    changed = {rid: (before.get(rid), after.get(rid)) for rid in before.keys() | after.keys()}
    changed = {rid: pair for rid, pair in changed.items() if pair[0] != pair[1]}
    assert changed == {}, "run python3 scripts/make_example_report.py if this is meant"
    assert (now["verdict"], now["exit_code"]) == (committed["verdict"], committed["exit_code"])
    assert now["run"]["requests_sent"] == committed["run"]["requests_sent"]
