#!/usr/bin/env python3
"""The README's performance tables, rendered from the latest benchmarks/results/*.json.

`python3 dev.py bench` runs every benchmark, then this script, which rewrites the block
between the two markers in README.md; tests/test_docs.py checks that the block is what the
committed results render to, so the README never shows figures no run produced.

    .venv/bin/python benchmarks/summary.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
RESULTS = HERE / "results"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RESULTS / name).read_text(encoding="utf-8"))
    return data


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _kit(kit: dict[str, Any]) -> list[str]:
    lines = [
        _row("the kit", "wall", "requests", "peak memory", "beside it"),
        _row("---", "---:", "---:", "---:", "---"),
        _row(
            "start-up (`--requirement MODELS-LIST-001`)",
            f"{kit['startup']['wall_s']:.2f} s",
            kit["startup"]["requests"],
            f"{kit['startup']['peak_rss_mb']:.0f} MB",
            "",
        ),
        _row(
            "default run, embedded server",
            f"{kit['embedded_default']['wall_s']:.1f} s",
            kit["embedded_default"]["requests"],
            f"{kit['embedded_default']['peak_rss_mb']:.0f} MB",
            "",
        ),
    ]
    for size, figures in kit["catalogs"].items():
        run, other = figures["kit"], figures["schemathesis"]
        lines.append(
            _row(
                f"{int(size):,} models (`serve --synthetic`)",
                f"{run['wall_s']:.1f} s",
                run["requests"],
                f"{run['peak_rss_mb']:.0f} MB",
                f"schemathesis: {other['wall_s']:.1f} s, {other['test_cases']} cases, "
                f"{other['peak_rss_mb']:.0f} MB",
            )
        )
    far = kit["far"]
    together = next(value for key, value in far.items() if key.startswith("concurrency_"))
    concurrency = next(key for key in far if key.startswith("concurrency_")).split("_")[1]
    lines.append(
        _row(
            f"{far['delay_s'] * 1000:.0f} ms away, `--concurrency {concurrency}`",
            f"{together['wall_s']:.1f} s",
            together["requests"],
            f"{together['peak_rss_mb']:.0f} MB",
            f"one at a time: {far['one_at_a_time']['wall_s']:.1f} s; same verdicts: "
            + ("yes" if far["same_verdicts"] else "NO"),
        )
    )
    return lines


def _peers(peers: dict[str, Any]) -> list[str]:
    lines = [
        _row("reference server, wrk -c64", "reference rps (p50 / p99)", "FastAPI rps", "nginx rps"),
        _row("---", "---:", "---:", "---:"),
    ]
    for name, endpoint in peers["endpoints"].items():
        servers = endpoint["servers"]
        ours = servers["reference"]
        cells = [
            f"{ours['requests_per_second']:,.0f} ({ours['p50_ms']:.1f} / {ours['p99_ms']:.1f} ms)"
        ]
        for peer in ("fastapi", "nginx"):
            theirs = servers.get(peer)
            cells.append(f"{theirs['requests_per_second']:,.0f}" if theirs else "n/a")
        lines.append(_row(f"`{name}`", *cells))
    return lines


def _scale(scale: dict[str, Any]) -> list[str]:
    lines = [
        _row(
            "reference server, wrk -c1",
            "start-up",
            "memory (warm)",
            "count p50",
            "lookup p50",
            "full list p50",
        ),
        _row("---:", "---:", "---:", "---:", "---:", "---:"),
    ]
    for size in scale["sizes"]:
        endpoints = size["endpoints"]
        lines.append(
            _row(
                f"{size['models']:,} models",
                f"{size['startup_seconds']:.2f} s",
                f"{size['memory_warm']['resident_mib']:.0f} MiB",
                f"{endpoints['count']['p50_ms']:.3f} ms",
                f"{endpoints['lookup']['p50_ms']:.3f} ms",
                f"{endpoints['list_all']['p50_ms']:.1f} ms "
                f"({endpoints['list_all']['response_bytes'] / 1e6:.1f} MB)",
            )
        )
    return lines


def _targets(kit: dict[str, Any], peers: dict[str, Any]) -> list[str]:
    met = [(t["what"], t["measured"], t["met"]) for t in kit["targets"].values()]
    met += [(t["target"], t["measured"], t["met"]) for t in peers["targets"]]
    missed = [f"{what} (measured {measured})" for what, measured, ok in met if not ok]
    line = f"Performance targets met: {len(met) - len(missed)} of {len(met)}"
    return [line + (f"; not met: {'; '.join(missed)}." if missed else ".")]


def render() -> str:
    kit, peers, scale = _load("kit.json"), _load("server_vs_peers.json"), _load("server_scale.json")
    machine = kit["machine"]
    blocks = [
        [
            f"Measured by `python3 dev.py bench` on {machine['cores']} cores ({machine['cpu']}), "
            f"Python {machine['python']}; every figure and the machine are in "
            "`benchmarks/results/`."
        ],
        _kit(kit),
        _peers(peers),
        _scale(scale),
        _targets(kit, peers),
    ]
    return "\n\n".join("\n".join(block) for block in blocks)


def rewritten(text: str, block: str) -> str:
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    new = rewritten(text, render())
    if args.check:
        return 0 if new == text else 1
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
