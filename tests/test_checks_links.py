"""The one resolver of links a target gives (links.details, links.next)."""

from __future__ import annotations

import re

import pytest

from arouter_conformance.checks import links
from tests.factories import ROOT

PAGE = f"{ROOT}/models?output_modalities=all&limit=4"


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("/v1/models?offset=4", f"{ROOT}/models?offset=4"),
        ("?offset=4", f"{ROOT}/models?offset=4"),
        ("models/a/b/endpoints", f"{ROOT}/models/a/b/endpoints"),
        # ASCII whitespace around is trimmed, tabs and newlines inside dropped, the
        # fragment left out, as a browser does.
        (" \t/v1/mod\tels?offset=4#top\r\n", f"{ROOT}/models?offset=4"),
        # A backslash is a slash before the query, kept within it.
        ("\\v1\\models?q=a\\b", f"{ROOT}/models?q=a\\b"),
        ("http://GATEWAY.test:80/v1/models", "http://GATEWAY.test:80/v1/models"),
        ("/v1/models/é", f"{ROOT}/models/é"),
    ],
)
def test_a_link_is_resolved_as_a_browser_resolves_it(link: str, url: str) -> None:
    assert links.follow(link, PAGE) == url


@pytest.mark.parametrize(
    ("link", "why"),
    [
        ("/v1/mo\x00dels", "U+0000"),
        ("\x00/v1/models", "U+0000"),  # clients strip it: the request would be another
        ("/v1/models\x7f", "U+007F"),
        ("/v1/models\x1b", "U+001B"),
        ("/v1/\ud800", "no URL a client can ask for"),
        ("http://gateway.test:99999/", "no URL a client can ask for"),
        ("http://[::1/x", "no URL a client can ask for"),
        ("javascript:alert(1)", "no http(s) URL"),
        ("mailto:a@b", "no http(s) URL"),
        ("/" * 70_000, "longer than 64 KiB"),
        ("?" + "x" * 65_530, "(URL too long)"),  # the link is short enough, the URL not
    ],
)
def test_a_link_no_client_could_send_as_given_is_refused(link: str, why: str) -> None:
    with pytest.raises(links.Unusable, match=re.escape(why)):
        links.follow(link, PAGE)


@pytest.mark.parametrize(
    ("link", "there"),
    [
        ("https://gateway.test/v1/models", "https://gateway.test"),
        ("//elsewhere.test/v1/models", "http://elsewhere.test"),
        ("\\\\elsewhere.test/v1/models", "http://elsewhere.test"),
        ("http://user:secret@elsewhere.test:81/x", "http://elsewhere.test:81"),
    ],
)
def test_a_link_to_another_origin_is_refused_and_names_it(link: str, there: str) -> None:
    with pytest.raises(links.Elsewhere) as refused:
        links.follow(link, PAGE)
    assert str(refused.value) == (
        f"leads to another origin ({there}), which the kit does not follow: give a target URL "
        "on that origin (--target-url) to judge where it leads"
    )
