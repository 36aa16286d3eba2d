"""cli.py: the flags, one-line failures with exit status 2, and a real start as a process."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_server import DEMO_KEY, RESTRICTED_KEY
from reference_server.auth import KEYS_ENV
from reference_server.cli import add_serve_arguments, main, serve
from reference_server.server import bind
from tests.reference_server.rows import document, row, write

REPO = Path(__file__).resolve().parents[2]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.parse_args(argv)


def test_defaults() -> None:
    args = parse()
    assert (args.host, args.port, args.catalog, args.synthetic) == ("127.0.0.1", 8080, None, None)
    assert (args.keys, args.open_listing, args.access_log) == (None, False, True)
    args = parse(
        "--port", "0", "--synthetic", "12", "--keys", "k.yaml", "--open-listing", "--no-access-log"
    )  # fmt: skip
    assert (args.port, args.synthetic, args.keys, args.open_listing, args.access_log) == (
        0,
        12,
        Path("k.yaml"),
        True,
        False,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "http"],
        ["--port", "70000"],
        ["--port", "-1"],
        ["--synthetic", "0"],
        ["--synthetic", "ten"],
        ["--catalog", "a.json", "--synthetic", "5"],
        ["--bogus"],
    ],
)
def test_bad_flags_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def failure(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("reference-server: ")
    return captured.err


def test_an_unreadable_catalog_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "cannot read catalog" in failure(["--catalog", str(tmp_path / "no.json")], capsys)
    bad = write(tmp_path / "bad.json", document([row("a/x"), row("a/x")]))
    assert "appears twice" in failure(["--catalog", str(bad)], capsys)


def test_a_bad_keys_file_is_one_line_without_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys.yaml"
    keys.write_text("keys: [{key: lr_live_secret_value, providers: 3}]", encoding="utf-8")
    message = failure(["--keys", str(keys)], capsys)
    assert "providers must be" in message
    assert "lr_live_secret_value" not in message
    assert "cannot read keys file" in failure(["--keys", str(tmp_path / "none.yaml")], capsys)


def test_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    holder = bind("127.0.0.1", 0)
    holder.listen()
    try:
        port = holder.getsockname()[1]
        assert f"cannot listen on 127.0.0.1:{port}" in failure(["--port", str(port)], capsys)
    finally:
        holder.close()


def test_serve_prints_the_roots_and_the_demo_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[Any] = []
    monkeypatch.delenv(KEYS_ENV, raising=False)
    monkeypatch.setattr("uvicorn.Server.run", lambda server, sockets: ran.append(sockets))
    assert serve(parse("--port", "0")) == 0
    out = capsys.readouterr().out
    [sock] = ran[0]
    root = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    assert f"{root}/v1 and {root}/api/v1" in out
    assert DEMO_KEY in out
    assert RESTRICTED_KEY in out
    assert "listing answers with a key" in out


def test_python_dash_m_serves_until_interrupted(tmp_path: Path) -> None:
    """The real thing: a process, a free port, the environment's keys, then Ctrl-C."""
    environ = {**os.environ, KEYS_ENV: "keys: [{key: env_key, providers: [openai]}]"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reference_server",
            "--port",
            "0",
            "--synthetic",
            "30",
            "--open-listing",
        ],
        cwd=REPO,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert "30 models at http://127.0.0.1:" in lines[0]
        assert f"1 keys from ${KEYS_ENV}" in lines[1]
        assert "listing answers without a key" in lines[2]
        root = lines[0].split(" at ")[1].split(" and ")[0]
        with httpx.Client(base_url=root, timeout=10) as client:
            assert client.get("/models/count").status_code == 200
            listed = client.get("/models", params={"output_modalities": "all"}).json()["data"]
            assert listed
            body = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
            headers = {"Authorization": "Bearer env_key"}
            answer = client.post("/chat/completions", headers=headers, json=body)
            assert answer.status_code == 200
            assert json.loads(answer.text)["model"].startswith("openai/")
            wrong = {"Authorization": f"Bearer {DEMO_KEY}"}
            assert client.post("/chat/completions", headers=wrong, json=body).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "env_key" not in err
    assert DEMO_KEY not in err
