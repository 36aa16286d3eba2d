#!/usr/bin/env python3
"""The project's two front doors for people with nothing but Python 3.

    python3 dev.py run   [arouter-conformance run flags]   the full conformance run
    python3 dev.py test  [pytest args]                      ruff, mypy and the test suite
    python3 dev.py bench                                    every benchmark, then the README's table

Each command creates `.venv` on first use (or reuses it), installs the project
into it when pyproject.toml changed since the last install, then hands over to
the tool inside the venv. Only the standard library is used here because
nothing else is installed yet when this runs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".dev-stamp"
REPORTS = ROOT / "reports"
BENCHMARKS = ROOT / "benchmarks"
# What the tests and the benchmarks need beside the kit: one install serves both (the
# benchmarks' short runs are tests too).
DEV_EXTRAS = "[test,bench]"

USAGE = """usage: python3 dev.py run  [flags for `arouter-conformance run`]
       python3 dev.py test [pytest arguments]
       python3 dev.py bench"""


def _install(extras: str) -> None:
    """Install the project editable with `extras`, unless the same install is current."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (OSError, subprocess.CalledProcessError):
            shutil.rmtree(VENV, ignore_errors=True)  # a half-built venv would be reused
            raise SystemExit(
                "dev.py: could not create .venv with pip; on Debian or Ubuntu install the "
                "python3-venv package, then run this again"
            ) from None
    if STAMP.exists() and STAMP.read_text().strip() in {wanted, _stamp_with_dev_extras()}:
        return
    print(f"dev.py: installing the project into .venv ({extras or 'runtime only'})", flush=True)
    target = f".{extras}" if extras else "."
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([*pip, "--editable", target], check=True, cwd=ROOT)
    STAMP.write_text(wanted)


def _stamp_with_dev_extras() -> str:
    """A venv installed for `test` also serves `run` (the extras are a superset)."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + DEV_EXTRAS.encode()).hexdigest()


def _run(argv: list[str], cwd: Path = ROOT) -> int:
    return subprocess.run(argv, cwd=cwd, check=False).returncode


def cmd_run(args: list[str]) -> int:
    _install("")
    REPORTS.mkdir(exist_ok=True)
    defaults = [
        "--json",
        str(REPORTS / "latest.json"),
        "--html",
        str(REPORTS / "latest.html"),
        "--junit",
        str(REPORTS / "latest.junit.xml"),
    ]
    # From where it was typed: a manifest or report path on the command line is relative
    # to that folder, not to the project (the default reports are absolute paths).
    return _run([str(BIN / "arouter-conformance"), "run", *defaults, *args], cwd=Path.cwd())


def cmd_test(args: list[str]) -> int:
    _install(DEV_EXTRAS)
    for step in (
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
    ):
        code = _run(step)
        if code:
            return code
    return _run([str(BIN / "python"), "-m", "pytest", *args])


def cmd_bench(args: list[str]) -> int:
    """Each benchmark in turn (about eight minutes on two cores), then the README's table.
    wrk and nginx come from Debian (`apt-get install wrk nginx-light`); without them their
    parts are skipped, said so, and the table keeps their last figures."""
    if args:
        print(USAGE, file=sys.stderr)
        return 2
    _install(DEV_EXTRAS)
    python = str(BIN / "python")
    for script in (
        "bench_reference_server.py",
        "bench_server_vs_peers.py",
        "bench_server_scale.py",
        "bench_kit.py",
        "fuzz_reference_server.py",
        "soak_reference_server.py",
        "summary.py",
    ):
        print(f"dev.py: benchmarks/{script}", flush=True)
        code = _run([python, str(BENCHMARKS / script)])
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    commands = {"run": cmd_run, "test": cmd_test, "bench": cmd_bench}
    if not argv or argv[0] not in commands:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        return commands[argv[0]](argv[1:])
    except subprocess.CalledProcessError as exc:
        print(
            f"dev.py: {' '.join(map(str, exc.cmd))} failed with exit code {exc.returncode}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
