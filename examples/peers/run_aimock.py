#!/usr/bin/env python3
"""Judge aimock (npm `@copilotkit/aimock`) in its OpenRouter shape, under /api/v1.

Installs aimock into node_modules under the work folder (reused on later runs), starts it
on a free 127.0.0.1 port with one catch-all chat fixture and a key made for this run
(AIMOCK_API_KEYS), runs the kit with a manifest claiming models, chat and openrouter-sdk
(what a stand-in for OpenRouter offers; aimock answers 404 to /models/count and
/model/{author}/{slug}, so count and lookup are not claimed), and stops aimock.
"""

from __future__ import annotations

import argparse

import peerkit as pk

PEER = "aimock"
KEY_ENV = "AIMOCK_KEY"
CATCH_ALL = {"fixtures": [{"match": {}, "response": {"content": "Hello from aimock."}}]}


def run(args: argparse.Namespace, servers: list[pk.Server]) -> int:
    key = pk.new_key("sk-")
    server, version = pk.start_aimock(
        args.workdir / "run", CATCH_ALL, {"AIMOCK_API_KEYS": key}, args, servers
    )
    pk.say(f"aimock version {version}")
    base = f"http://{pk.HOST}:{server.port}/api/v1"
    return pk.run_kit(
        args,
        {
            "target_url": base,
            "api_key_env": KEY_ENV,
            "listing_requires_auth": True,  # AIMOCK_API_KEYS guards every route but /health
            "profiles": ["models", "chat", "openrouter-sdk"],
            "auto_model": "openrouter/auto",  # OpenRouter's automatic-routing id
        },
        env={KEY_ENV: key},
    )


if __name__ == "__main__":
    pk.main(PEER, __doc__, run)
