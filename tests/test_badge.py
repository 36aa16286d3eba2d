"""The badge: which claimed profiles pass, coloured by the verdict, escaped, self-contained."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from arouter_conformance.cli import main
from arouter_conformance.reports.badge import COLOURS, LABEL, badge_message, render_badge

SVG = "{http://www.w3.org/2000/svg}"


def report(verdict: str, *profiles: tuple[str, bool, str]) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "profiles": [{"name": n, "claimed": c, "verdict": v} for n, c, v in profiles],
    }


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - the kit's own output, parsed to check it
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    """What the badge shows, once each (the shadow copies are aria-hidden)."""
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]


def message_fill(root: ET.Element) -> str | None:
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("x")]
    return rects[0].get("fill") if rects else None


EIGHT = [(f"p{i}", True, "pass") for i in range(7)]


@pytest.mark.parametrize(
    ("data", "message", "colour"),
    [
        (report("pass", *EIGHT, ("p7", True, "pass")), "8/8 profiles", "#4c1"),
        (report("fail", *EIGHT, ("p7", True, "fail")), "7/8 profiles", "#e05d44"),
        (
            report("known", *EIGHT[:6], ("p6", True, "known"), ("p7", True, "pass")),
            "7/8 profiles, 1 known",
            "#a4a61d",
        ),
        (
            report("inconclusive", *EIGHT, ("p7", True, "inconclusive")),
            "7/8 profiles",
            "#fe7d37",
        ),
        (report("error", ("p0", True, "error")), "0/1 profile", "#9f9f9f"),
    ],
    ids=["pass", "fail", "known", "inconclusive", "error"],
)
def test_the_message_counts_claimed_passes_and_the_colour_is_the_verdict(
    data: dict[str, Any], message: str, colour: str
) -> None:
    root = parsed(render_badge(data))
    assert texts(root) == [LABEL, message]
    assert message_fill(root) == colour == COLOURS[data["verdict"]]
    assert root.get("role") == "img"
    assert root.get("aria-label") == f"{LABEL}: {message}"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert (title.text or "").startswith(f"{LABEL}: {message}")


def test_known_is_not_a_pass_and_unclaimed_profiles_are_not_counted() -> None:
    data = report(
        "known",
        ("models", True, "pass"),
        ("chat", True, "known"),
        ("sort", False, "skip"),
        ("count", False, "pass"),
    )
    assert badge_message(data) == "1/2 profiles, 1 known"
    assert badge_message(report("pass")) == "no profiles"


def test_an_unknown_verdict_is_grey_not_green() -> None:
    root = parsed(render_badge(report("whatever", ("models", True, "pass"))))
    assert message_fill(root) == COLOURS["error"]


HOSTILE = '</text><script>alert("x")</script><a href="https://evil.test/">&amp;'


def test_hostile_text_is_escaped_and_the_badge_still_parses() -> None:
    data = report(HOSTILE, (HOSTILE, True, "fail"), ("models", True, HOSTILE))
    svg = render_badge(data)
    root = parsed(svg)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert HOSTILE in (title.text or "")  # the very text, as text
    assert "<script" not in svg
    assert not [name for e in root.iter() for name in e.attrib if "href" in name]
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in {"script", "a", "foreignObject"}]


def test_the_badge_is_self_contained() -> None:
    svg = render_badge(report("pass", ("models", True, "pass")))
    root = parsed(svg)
    assert "href" not in svg
    assert "<script" not in svg
    assert "<style" not in svg
    assert "@import" not in svg
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "href" not in name
            if "url(" in value:
                assert value.startswith("url(#"), (name, value)  # its own gradient and clip
    assert svg.count("://") == 1  # the SVG namespace, which is a name, never fetched


def test_the_cli_writes_a_badge(tmp_path: Path) -> None:
    badge = tmp_path / "out" / "badge.svg"
    assert main(["run", "--profile", "count", "--badge", str(badge)]) == 0
    root = parsed(badge.read_text(encoding="utf-8"))
    assert texts(root) == [LABEL, "1/1 profile"]
    assert message_fill(root) == COLOURS["pass"]
