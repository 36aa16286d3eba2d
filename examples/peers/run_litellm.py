#!/usr/bin/env python3
"""Judge the LiteLLM proxy (PyPI `litellm[proxy]`) with mock models.

Installs LiteLLM into a venv under the work folder (reused on later runs), starts
`litellm --config` on a free 127.0.0.1 port with three models that answer from
`mock_response` (no upstream), no database and a master key made for this run, runs the
kit with a manifest claiming models, openai-list and chat, and stops the proxy.
"""

from __future__ import annotations

import argparse

import peerkit as pk

PEER = "litellm"
REQUIREMENT = "litellm[proxy]"
MODELS = {  # the id the gateway lists -> what LiteLLM would call upstream
    "openai/gpt-4o-mini": "openai/gpt-4o-mini",
    "anthropic/claude-3.5-haiku": "openai/claude-3.5-haiku",
    "meta-llama/llama-3.1-8b-instruct": "openai/llama-3.1-8b-instruct",
}
KEY_ENV = "LITELLM_MASTER_KEY"


def run(args: argparse.Namespace, servers: list[pk.Server]) -> int:
    bin_dir = pk.ensure_pip_venv(args.workdir, REQUIREMENT, args.reinstall)
    version = pk.pip_version(bin_dir, "litellm")
    pk.say(f"LiteLLM version {version}")

    config = pk.write_yaml(
        args.workdir / "run" / "config.yaml",
        {
            "model_list": [
                {
                    "model_name": listed,
                    "litellm_params": {
                        "model": upstream,
                        "api_key": "not-used",  # mock_response answers before any upstream call
                        "mock_response": "Hello from the LiteLLM mock.",
                    },
                }
                for listed, upstream in MODELS.items()
            ],
            "general_settings": {"master_key": f"os.environ/{KEY_ENV}"},
            "litellm_settings": {"telemetry": False},
        },
    )
    key = pk.new_key("sk-")  # LiteLLM wants master keys to start with sk-
    env = {
        KEY_ENV: key,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "LITELLM_LOG": "ERROR",
    }
    port = pk.free_port()
    server = pk.Server(
        "litellm",
        [
            str(bin_dir / "litellm"),
            "--config",
            str(config),
            "--host",
            pk.HOST,
            "--port",
            str(port),
            "--num_workers",
            "1",
        ],
        port,
        args.workdir / "run" / "litellm.log",
        pk.peer_env(env),
        args.workdir,
    )
    servers.append(server)
    base = f"http://{pk.HOST}:{port}"
    server.wait_ready(f"{base}/health/liveliness", args.ready_timeout)
    # Liveness comes before the config is loaded: wait for the models too.
    server.wait_ready(
        f"{base}/v1/models", args.ready_timeout, headers={"Authorization": f"Bearer {key}"}
    )

    return pk.run_kit(
        args,
        {
            "target_url": f"{base}/v1",
            "api_key_env": KEY_ENV,
            "listing_requires_auth": True,
            "profiles": ["models", "openai-list", "chat"],
            # The list has no pricing or architecture for the kit to choose a model by.
            "chat_model": next(iter(MODELS)),
        },
        env={KEY_ENV: key},
    )


if __name__ == "__main__":
    pk.main(PEER, __doc__, run)
