#!/usr/bin/env python3
"""Judge anymodel-py (PyPI `anymodel-py[server]`), with aimock as its upstream.

anymodel routes `provider/model` ids to providers. Here its one provider, `openai`, is a
custom OpenAI-compatible provider whose base_url is an aimock started by this script on
127.0.0.1 (one fixture per configured model, so an unknown model is refused upstream as
a real provider would refuse it). The script installs anymodel into a venv and aimock
into node_modules under the work folder (both reused on later runs), starts both on free
127.0.0.1 ports (anymodel with --host 127.0.0.1: its default is 0.0.0.0), runs the kit
with a manifest claiming models, chat and openrouter-sdk (it calls itself an
OpenRouter-compatible router and serves only the list and chat of the Models API), and
stops both.
"""

from __future__ import annotations

import argparse
import json

import peerkit as pk

PEER = "anymodel"
REQUIREMENT = "anymodel-py[server]"
PROVIDER = "openai"
MODELS = ["gpt-4o-mini", "gpt-4o"]
KEY_ENV = "ANYMODEL_KEY"  # anymodel checks no key; the kit still sends one


def run(args: argparse.Namespace, servers: list[pk.Server]) -> int:
    bin_dir = pk.ensure_pip_venv(args.workdir, REQUIREMENT, args.reinstall)
    version = pk.pip_version(bin_dir, "anymodel-py")
    pk.say(f"anymodel-py version {version}")

    upstream, aimock_version = pk.start_aimock(
        args.workdir / "run" / "upstream",
        {
            "fixtures": [
                {"match": {"model": m}, "response": {"content": f"Hello from {m} (aimock)."}}
                for m in MODELS
            ]
        },
        {},
        args,
        servers,
    )
    pk.say(f"upstream: aimock {aimock_version} on port {upstream.port}")

    run_dir = args.workdir / "run"
    home = run_dir / "home"  # anymodel also reads ~/.anymodel/config.json: keep it empty
    home.mkdir(parents=True, exist_ok=True)
    (run_dir / "anymodel.config.json").write_text(
        json.dumps(
            {
                "custom": {
                    PROVIDER: {
                        "base_url": f"http://{pk.HOST}:{upstream.port}/v1",
                        "api_key": "not-used",
                        "models": MODELS,
                    }
                },
            },
            indent=2,
        )
        + "\n"
    )

    port = pk.free_port()
    server = pk.Server(
        "anymodel",
        [str(bin_dir / "anymodel"), "serve", "--host", pk.HOST, "--port", str(port)],
        port,
        run_dir / "anymodel.log",
        pk.peer_env({"HOME": str(home)}),
        run_dir,
    )
    servers.append(server)
    base = f"http://{pk.HOST}:{port}"
    server.wait_ready(f"{base}/health", args.ready_timeout)
    server.wait_ready(
        f"{base}/api/v1/models",
        args.ready_timeout,
        ready=lambda status, body: status == 200 and PROVIDER.encode() in body,
    )

    key = pk.new_key("sk-")
    return pk.run_kit(
        args,
        {
            "target_url": f"{base}/api/v1",
            "api_key_env": KEY_ENV,
            "listing_requires_auth": False,  # anymodel has no keys at all
            "profiles": ["models", "chat", "openrouter-sdk"],
        },
        env={KEY_ENV: key},
    )


if __name__ == "__main__":
    pk.main(PEER, __doc__, run)
