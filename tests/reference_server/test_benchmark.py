"""The benchmark script still runs and writes its report; no timing is judged here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_reference_server.py"


def test_a_tiny_run_writes_ratios_for_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    flags = ["--rounds", "1", "--seconds", "0.05", "--warmup", "0.05", "--connections", "1"]
    subprocess.run(
        [sys.executable, str(SCRIPT), *flags, "--out", str(out)], check=True, timeout=120
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["baseline"]["requests_per_second"] > 0
    assert set(result["scenarios"]) == {
        "list_all",
        "list_all_gzip",
        "filtered_sorted",
        "count",
        "lookup",
        "chat",
    }
    for scenario in result["scenarios"].values():
        assert scenario["ratio_to_baseline"] > 0
        assert scenario["response_bytes"] > 0
