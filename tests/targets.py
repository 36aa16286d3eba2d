"""Live targets for end-to-end tests: an ASGI app on a free 127.0.0.1 port, described by a
manifest, judged through the kit's real front doors (the CLI or pytest --target-url)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import reference_server
from arouter_conformance.cli import main as cli_main
from arouter_conformance.embedded import reference_claims

REPO = Path(__file__).resolve().parent.parent
KEY_ENV = "BATTERY_GATEWAY_KEY"
RESTRICTED_ENV = "BATTERY_RESTRICTED_KEY"


@dataclass(frozen=True)
class LiveTarget:
    url: str
    manifest: Path
    env: dict[str, str]


def write_manifest(path: Path, url: str, **overrides: Any) -> Path:
    """The reference server's claims, with `overrides` (None removes a key), as a file."""
    document = reference_claims(url, api_key_env=KEY_ENV, restricted_key_env=RESTRICTED_ENV)
    document.update(overrides)
    document = {k: v for k, v in document.items() if v is not None}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@contextlib.contextmanager
def live(app: Any, tmp_path: Path, prefix: str = "/v1", **manifest: Any) -> Iterator[LiveTarget]:
    with reference_server.serve_in_thread(app) as origin:
        url = origin + prefix
        path = write_manifest(tmp_path / "manifest.yaml", url, **manifest)
        yield LiveTarget(
            url,
            path,
            {KEY_ENV: reference_server.DEMO_KEY, RESTRICTED_ENV: reference_server.RESTRICTED_KEY},
        )


def run_cli(
    target: LiveTarget,
    tmp_path: Path,
    *args: str,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, dict[str, Any]]:
    """`arouter-conformance run` in-process against `target`; the exit code and JSON report."""
    report = tmp_path / "report.json"
    for name, value in target.env.items():
        monkeypatch.setenv(name, value)
    code = cli_main(["run", "--manifest", str(target.manifest), "--json", str(report), *args])
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return code, data


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in report.get("requirements", [])}


def run_subprocess(
    args: Sequence[str], env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arouter_conformance", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def pytest_subprocess(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Plain pytest in a fresh process (the pytest front door, or a project beside the kit)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def run_pytest(target: LiveTarget, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """`pytest --target-url` in a fresh process against `target`; exit code and JSON report."""
    done, data = pytest_door(target, tmp_path, *args)
    return done.returncode, data


def pytest_door(
    target: LiveTarget, tmp_path: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """`pytest --target-url` in a fresh process against `target`: what it printed and the
    JSON report."""
    report = tmp_path / "pytest-report.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--target-url",
            target.url,
            "--conformance-manifest",
            str(target.manifest),
            "--conformance-json",
            str(report),
            *args,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **target.env},
        timeout=300,
        check=False,
        cwd=REPO,
    )
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return done, data


async def request_body(receive: Any) -> bytes:
    """The whole body of the request an ASGI test app is answering."""
    body = b""
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        body += chunk
        if not message.get("more_body"):
            return body
