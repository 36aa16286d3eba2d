#!/usr/bin/env python3
"""Refresh docs/report.png, the picture of the HTML report shown in the README.

    python3 scripts/make_screenshot.py

The picture is what keeps the README honest about what a report looks like, so it is
never edited by hand: it is a screenshot of `reports/example/report.html` taken by this
script. Run it whenever the example report changes, that is after
`python3 scripts/make_example_report.py` (which a change to the catalog, the report
template or its stylesheet calls for), and commit both together.

What it shows: the top of the example report (verdict, run facts, the profile table)
with the page's own "Failed only" and "MUST only" filters switched on, so the first
requirement below the table is a MUST failure with its evidence. The filters are
switched on by marking their checkboxes `checked` in a temporary copy of the page: the
report has no script, so there is nothing else to drive. The browser is headless
Chromium (Debian's `chromium` package, which `.ci/run` also installs) with a fresh
profile and a 1280-pixel-wide window; the picture is the top 1400 pixels, which keeps the
file well under the 300 KB that tests/test_docs.py allows.

Only the standard library is used, so any `python3` can run it.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports" / "example" / "report.html"
OUT = ROOT / "docs" / "report.png"
WIDTH, HEIGHT = 1280, 1400
MAX_BYTES = 300_000
FILTERS = ("only-failed", "only-must")  # the report's checkbox ids
FLAGS = (
    "--headless",
    "--no-sandbox",  # as root (CI, containers) Chromium refuses to start with its sandbox
    "--disable-gpu",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def filtered(page: str) -> str:
    """The page with its filter checkboxes checked, as a person would click them."""
    for name in FILTERS:
        tag = f'<input type="checkbox" id="{name}"'
        if page.count(tag) != 1:
            raise SystemExit(
                f"make_screenshot.py: the report has no single {tag}...>; the template "
                "changed, so update FILTERS here"
            )
        page = page.replace(tag, f"{tag} checked")
    return page


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header, or SystemExit when it is not a PNG."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise SystemExit(f"make_screenshot.py: {path} is not a PNG")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("make_screenshot.py: no chromium on PATH; install Debian's chromium package")
    if not REPORT.is_file():
        sys.exit(f"make_screenshot.py: no {REPORT.relative_to(ROOT)}; run make_example_report.py")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(filtered(REPORT.read_text(encoding="utf-8")), encoding="utf-8")
        shot = Path(tmp) / "report.png"
        done = subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0 or not shot.is_file():
            tail = done.stderr.strip().splitlines()[-3:]
            sys.exit(f"make_screenshot.py: chromium failed: {' / '.join(tail)}")
        width, height = png_size(shot)
        size = shot.stat().st_size
        if size > MAX_BYTES:
            sys.exit(f"make_screenshot.py: {size} bytes is over {MAX_BYTES}; use a smaller window")
        OUT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, OUT)
    print(f"wrote {OUT.relative_to(ROOT)} ({width}x{height}, {size // 1000} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
