"""`arouter-conformance`: the command-line front door."""

from __future__ import annotations

import argparse
import sys

from arouter_conformance import __version__
from arouter_conformance.spec import SpecError, load_spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arouter-conformance")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the conformance suites against a target")
    args, _ = parser.parse_known_args(argv)
    try:
        spec = load_spec()
    except SpecError as exc:
        print(f"arouter-conformance: {exc}", file=sys.stderr)
        return 2
    print(f"spec {spec.version}: {len(spec.requirements)} requirements ({args.command})")
    return 0
