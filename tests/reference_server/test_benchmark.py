"""The benchmark scripts still run and write their reports; no timing is judged here.

The wrk benchmarks need wrk and nginx (`apt-get install wrk nginx-light`) and FastAPI (the
`bench` extra); without them these tests are skipped, saying which is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def run(script: str, out: Path, *flags: str) -> dict[str, Any]:
    command = [sys.executable, str(BENCHMARKS / script), *flags, "--out", str(out)]
    # A bound against a hang, far beyond what any of them needs: not a timing assertion.
    subprocess.run(command, check=True, timeout=1200)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def needs(*programs: str) -> None:
    for program in programs:
        if shutil.which(program, path=SBIN) is None:
            pytest.skip(f"{program} is not installed (apt-get install wrk nginx-light)")


def test_a_tiny_run_writes_ratios_for_every_scenario(tmp_path: Path) -> None:
    flags = ["--rounds", "1", "--seconds", "0.05", "--warmup", "0.05", "--connections", "1"]
    result = run("bench_reference_server.py", tmp_path / "result.json", *flags)
    assert result["baseline"]["requests_per_second"] > 0
    assert set(result["scenarios"]) == {
        "list_all",
        "list_all_gzip",
        "filtered_sorted",
        "filtered_page",
        "count",
        "lookup",
        "endpoints",
        "chat",
    }
    for scenario in result["scenarios"].values():
        assert scenario["ratio_to_baseline"] > 0
        assert scenario["response_bytes"] > 0


def test_the_peers_benchmark_measures_all_three_servers(tmp_path: Path) -> None:
    needs("wrk", "nginx")
    if importlib.util.find_spec("fastapi") is None:
        pytest.skip("fastapi is not installed (pip install -e .[bench])")
    flags = ["--endpoints", "count,chat", "--rounds", "1", "--seconds", "1", "--warmup", "0"]
    result = run("bench_server_vs_peers.py", tmp_path / "peers.json", *flags)
    count, chat = result["endpoints"]["count"], result["endpoints"]["chat"]
    assert set(count["servers"]) == {"reference", "fastapi", "nginx"}
    assert set(chat["servers"]) == {"reference", "fastapi"}  # nginx serves no chat
    for figures in count["servers"].values():
        assert figures["same_bytes_as_reference"] is True
        assert figures["requests_per_second"] > 0
        assert figures["errors"] == 0
    assert set(count["ratios"]) == {"reference_to_fastapi", "reference_to_nginx"}
    assert {check["target"].split(":")[0] for check in result["targets"]} == {"count", "chat"}
    assert result["machine"]["cores"] >= 1
    assert result["skipped"] == []


def test_the_scale_benchmark_fits_list_latency(tmp_path: Path) -> None:
    needs("wrk")
    flags = ["--sizes", "50,100", "--endpoints", "count,list_all", "--rounds", "1"]
    result = run("bench_server_scale.py", tmp_path / "scale.json", *flags)
    assert [size["models"] for size in result["sizes"]] == [50, 100]
    for size in result["sizes"]:
        assert size["startup_seconds"] > 0
        assert size["memory_warm"]["resident_mib"] > 0
        assert set(size["endpoints"]) == {"count", "list_all"}
        assert size["endpoints"]["list_all"]["errors"] == 0
    assert result["list_latency_fit"]["points"] == 2
    assert set(result["flat_endpoints_p50_ratio_largest_to_smallest"]) == {"count"}


def test_the_kit_benchmark_measures_every_scenario(tmp_path: Path) -> None:
    """Against the reference server only (the kit, schemathesis, a far target): no tools
    beyond the project's own are needed."""
    result = run("bench_kit.py", tmp_path / "kit.json", "--quick")
    assert result["startup"]["requests"] == 3  # the list, asked again at the end
    assert result["embedded_default"]["requests"] > 100
    assert set(result["catalogs"]) == {"100"}
    assert result["catalogs"]["100"]["schemathesis"]["test_cases"] > 0
    assert result["far"]["same_verdicts"] is True
    assert {"startup_s", "embedded_default_s", "far_default_s"} <= set(result["targets"])


def test_a_short_soak_sends_the_whole_mix_without_errors(tmp_path: Path) -> None:
    needs("wrk")
    flags = ["--seconds", "2", "--warmup", "1"]
    result = run("soak_reference_server.py", tmp_path / "soak.json", *flags)
    assert result["requests"] > 0
    assert set(result["statuses"]) == {"200"}  # every answer of the mix succeeded
    assert result["socket_errors"] == dict.fromkeys(("connect", "read", "write", "timeout"), 0)
    assert result["server_errors_5xx"] == 0
    assert result["memory_mib"]["end"]["resident_mib"] > 0
    assert {s["request"].split()[0] for s in result["settings"]["mix"]} == {"GET", "POST"}
    assert result["settings"]["connections"] == 64
