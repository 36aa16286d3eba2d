#!/usr/bin/env python3
"""The reference server as if it were far away: every answer starts `--delay` seconds late.

A live gateway is tens to hundreds of milliseconds away; on one machine the kit's waiting
cannot be measured without that distance. The delay is added before the reference server
sees each request, concurrently for concurrent requests, as a network would add it. Prints
the origin, then serves until interrupted.

    .venv/bin/python benchmarks/far_target.py [--delay 0.2] [--synthetic N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import uvicorn

from reference_server import Catalog, create_app
from reference_server.server import bind, origin, uvicorn_config


def far(app: Any, delay: float) -> Any:
    async def delayed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(delay)
        await app(scope, receive, send)

    return delayed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.2, help="seconds (default 0.2)")
    parser.add_argument("--synthetic", type=int, metavar="N", help="a synthetic catalog")
    args = parser.parse_args(argv)
    catalog = Catalog.synthetic(args.synthetic) if args.synthetic else Catalog.default()
    sock = bind("127.0.0.1", 0)
    print(origin(sock), flush=True)
    config = uvicorn_config(far(create_app(catalog), args.delay), access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
