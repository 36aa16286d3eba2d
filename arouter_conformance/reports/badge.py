"""The badge (`--badge FILE.svg`): how many claimed profiles pass, in one small SVG for a
README or a dashboard, e.g. `arouter conformance | 7/8 profiles`.

It is rendered from the report data, like every format. What counts:

- a profile passes when its verdict is `pass`; only claimed profiles are counted (an
  unclaimed one was not judged, and says nothing about the target);
- a profile whose verdict is `known` passes only because the team's baseline accepts its
  unmet requirements: it is not a pass, and a badge that counted it as one would show a
  target fully conformant while it is not. It is counted apart, `6/8 profiles, 1 known`,
  so the badge says both what holds and what the baseline is hiding;
- the colour is the run's verdict (the exit code's word): `pass` green, `known`
  yellow-green (green only thanks to the baseline), `fail` red, `inconclusive` orange
  (the run could not say), `error` grey (the run broke, or stopped early).

The design is the common flat two-part badge. Text widths are estimated from character
counts (no font files, no measuring): generous enough for the kit's own words. The file
is self-contained: no script, no link, no external reference, no style sheet; it has a
`<title>` (the tooltip: the message, the claimed profiles that did not pass and the
verdict) and `role="img"` with an `aria-label` (the message) for screen readers. Every
text is XML escaped (attributes with their quotes), although only the kit's own words go
in today: the profile names come from the report, like everything a run produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from arouter_conformance.files import write_text

__all__ = ["COLOURS", "LABEL", "badge_message", "render_badge", "write_badge"]

LABEL = "arouter conformance"
COLOURS = {
    "pass": "#4c1",  # green
    "known": "#a4a61d",  # yellow-green: passing thanks to the baseline
    "fail": "#e05d44",  # red
    "inconclusive": "#fe7d37",  # orange: the run cannot say
    "error": "#9f9f9f",  # grey: the run broke or stopped
}
LABEL_COLOUR = "#555"
HEIGHT = 20
_PADDING = 10  # each side of each text
_NARROW = frozenset("fijlrt.,:;!'|()[]{} /")
_WIDE = frozenset("mwMW@%")


def _width(text: str) -> int:
    """An estimate of `text`'s width in Verdana 11px, the badge font, from its characters:
    about 6.7 px a character, 4 for narrow ones, 10 for wide ones."""
    return round(sum(4 if c in _NARROW else 10 if c in _WIDE else 6.7 for c in text))


def badge_message(data: Mapping[str, Any]) -> str:
    """`7/8 profiles`, `6/8 profiles, 1 known`, or `no profiles` when none is claimed."""
    claimed = [p for p in data["profiles"] if p.get("claimed")]
    if not claimed:
        return "no profiles"
    passed = sum(p.get("verdict") == "pass" for p in claimed)
    known = sum(p.get("verdict") == "known" for p in claimed)
    message = f"{passed}/{len(claimed)} profile" + ("s" if len(claimed) != 1 else "")
    return message + (f", {known} known" if known else "")


def _not_passing(data: Mapping[str, Any]) -> str:
    """The claimed profiles that did not pass, with their verdicts, for the tooltip."""
    others = [
        f"{p.get('name')} ({p.get('verdict')})"
        for p in data["profiles"]
        if p.get("claimed") and p.get("verdict") != "pass"
    ]
    return f"; not passing: {', '.join(others)}" if others else ""


def render_badge(data: Mapping[str, Any]) -> str:
    """The SVG of the report `data` (its `profiles` and its `verdict`), as text."""
    label, message = LABEL, badge_message(data)
    colour = COLOURS.get(str(data.get("verdict")), COLOURS["error"])
    left = _width(label) + 2 * _PADDING
    right = _width(message) + 2 * _PADDING
    total = left + right
    spoken = f"{label}: {message}"
    # The tooltip also names the profiles that did not pass (the verdict's word too).
    title = f"{spoken}{_not_passing(data)}; verdict {data.get('verdict')}"
    # Text is drawn at 10x and scaled down, as the common badges do, for crisp glyphs;
    # the shadow copy sits 1px lower.
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'role="img" aria-label={quoteattr(spoken)}>',
        f"<title>{escape(title)}</title>",
        '<linearGradient id="s" x2="0" y2="100%">'
        '<stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>',
        f'<clipPath id="r"><rect width="{total}" height="{HEIGHT}" rx="3" fill="#fff"/>'
        "</clipPath>",
        '<g clip-path="url(#r)">',
        f'<rect width="{left}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>',
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{colour}"/>',
        f'<rect width="{total}" height="{HEIGHT}" fill="url(#s)"/>',
        "</g>",
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110" '
        'text-rendering="geometricPrecision">',
    ]
    for x, width, text in ((left / 2, left, label), (left + right / 2, right, message)):
        shown = escape(text)
        length = (width - 2 * _PADDING) * 10
        centre = round(x * 10)
        parts += [
            f'<text aria-hidden="true" x="{centre}" y="150" fill="#010101" '
            f'fill-opacity=".3" transform="scale(.1)" textLength="{length}">{shown}</text>',
            f'<text x="{centre}" y="140" transform="scale(.1)" textLength="{length}">'
            f"{shown}</text>",
        ]
    parts += ["</g>", "</svg>"]
    return "".join(parts) + "\n"


def write_badge(data: Mapping[str, Any], path: Path) -> None:
    write_text(path, render_badge(data))
