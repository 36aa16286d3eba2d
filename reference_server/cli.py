"""`python -m reference_server` and `arouter-conformance serve`: one set of flags, one run.

The kit's CLI delegates here (`add_serve_arguments` on its subparser, then `serve`), so
both commands accept the same flags and behave the same. Every failure to start, a bad
catalog or keys file or a busy port, is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

import uvicorn

from reference_server.app import create_app
from reference_server.auth import (
    BUILT_IN,
    DEMO_KEY,
    RESTRICTED_KEY,
    RESTRICTED_PROVIDERS,
    KeyRing,
    KeysError,
)
from reference_server.catalog import Catalog, CatalogError
from reference_server.protocol import HEAD_LIMIT, HEAD_SECONDS
from reference_server.routing import PREFIXES
from reference_server.server import (
    BACKLOG,
    CONCURRENCY_LIMIT,
    KEEP_ALIVE_SECONDS,
    SHUTDOWN_SECONDS,
    bind,
    origin,
    uvicorn_config,
)

__all__ = ["add_serve_arguments", "main", "serve"]

PROG = "reference-server"


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def _size(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of models")
    return int(text)


# What a client meets at the edges, said where an operator looks first.
LIMITS = (
    f"Limits: a request head over {HEAD_LIMIT // 1024} KiB is answered 431, one not received "
    f"within {HEAD_SECONDS:g} s 408, and the connection closed; an idle keep-alive connection "
    f"is closed after {KEEP_ALIVE_SECONDS} s; beyond {CONCURRENCY_LIMIT} open connections or "
    f"running requests, requests get 503; the listen backlog is {BACKLOG}; on Ctrl-C, answers "
    f"still being sent get {SHUTDOWN_SECONDS} s."
)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = LIMITS
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=_port, default=8080, help="port to listen on; 0 picks a free one"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--catalog", type=Path, metavar="FILE", help="serve this catalog file instead"
    )
    source.add_argument(
        "--synthetic",
        type=_size,
        metavar="N",
        help="serve a deterministic synthetic catalog of N models",
    )
    parser.add_argument(
        "--keys",
        type=Path,
        metavar="FILE",
        help="YAML keys file (default: $REFERENCE_SERVER_KEYS, else the built-in demo keys)",
    )
    parser.add_argument(
        "--open-listing",
        action="store_true",
        help="let every GET but /models/user answer without a key (OpenRouter style)",
    )
    # Formatting and writing a line per request halves the requests per second answered.
    parser.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="do not log a line per request (for load tests)",
    )


def serve(args: argparse.Namespace) -> int:
    """Run the server in the foreground until interrupted; 2 when it cannot start."""
    try:
        if args.synthetic:
            catalog = Catalog.synthetic(args.synthetic)
        elif args.catalog:
            catalog = Catalog.load(args.catalog)
        else:
            catalog = Catalog.default()
        keys = KeyRing.configured(args.keys, os.environ)
        sock = bind(args.host, args.port)
    except (CatalogError, KeysError) as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    app = create_app(catalog, keys, open_listing=args.open_listing)
    root = origin(sock)
    print(f"{PROG}: {len(catalog.models)} models at " + " and ".join(root + p for p in PREFIXES))
    if keys.source == BUILT_IN:
        print(f"{PROG}: demo key {DEMO_KEY} (every provider)")
        print(f"{PROG}: restricted key {RESTRICTED_KEY} ({', '.join(RESTRICTED_PROVIDERS)})")
    else:
        print(f"{PROG}: {len(keys)} keys from {keys.source}")
    listing = "without a key" if args.open_listing else "with a key"
    print(f"{PROG}: listing answers {listing}; chat always needs one", flush=True)
    # uvicorn shuts down gracefully on Ctrl-C, then raises it again for the caller to see;
    # for a foreground server that is the normal way to stop, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        config = uvicorn_config(app, log_level="info", access_log=args.access_log)
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reference_server",
        description="Serve the arouter-conformance reference server.",
    )
    add_serve_arguments(parser)
    return serve(parser.parse_args(argv))
