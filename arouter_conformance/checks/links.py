"""Links a target gives for the kit to follow (links.details, links.next): resolved as a
browser resolves a link, and refused before any request when no client could send them
as given or when they lead to another origin.

One set of rules for every link, so that a link one profile follows is not refused by
another. A browser trims the ASCII whitespace around a link, drops tabs and newlines
inside it and reads a backslash before the query as a slash (so `\\\\host` is another
host); those a gateway may leak without harm. Any other control character (a NUL above
all) is silently stripped or refused by HTTP clients, httpx among them, so the request
sent would not be the link given: that is the link's defect, found before sending.
Another origin is never sent the kit's key or headers, and what it would answer cannot
be judged: such a link is neither followed nor failed, and the reason says how to judge
it (a gateway that writes its public URL is judged through that URL).
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

__all__ = ["Elsewhere", "Refused", "Unusable", "follow", "origin", "request"]

MAX_URL = 65_536  # longer URLs are refused by HTTP clients (httpx among them)
WHITESPACE = " \t\n\f\r"  # ASCII whitespace, as a browser trims it around a link
DROPPED = "\t\n\r"  # dropped wherever they are, as a browser does


class Refused(Exception):
    """The kit does not ask for the link; the message says why, after the link's name."""


class Unusable(Refused):
    """No client could send the link as given: the defect of the requirement that gave it."""


class Elsewhere(Refused):
    """The link leads to another origin: never asked, and what it leads to is unjudged."""


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port as a browser compares them (case and default ports aside)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        scheme,
        (parts.hostname or "").lower(),
        parts.port or {"http": 80, "https": 443}.get(scheme),
    )


def request(url: str) -> tuple[tuple[str, str, int | None], str, str]:
    """What makes two URLs the same request: origin, path and query."""
    parts = urlsplit(url)
    return origin(url), parts.path, parts.query


def follow(link: str, base: str) -> str:
    """The URL to ask for `link`, resolved against `base`, the URL of the target's answer
    that gave it (so on the target's origin); `Unusable` or `Elsewhere` when the kit must
    not ask for it."""
    if len(link) > MAX_URL:
        raise Unusable(f"is longer than {MAX_URL // 1024} KiB, which no client sends")
    link = "".join(c for c in link.strip(WHITESPACE) if c not in DROPPED)
    control = next((c for c in link if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:
        raise Unusable(
            f"holds the control character U+{ord(control):04X}, which clients strip or refuse, "
            "so no client sends the link as given"
        )
    end = min((link.index(c) for c in "?#" if c in link), default=len(link))
    link = link[:end].replace("\\", "/") + link[end:]
    try:
        url = urldefrag(urljoin(base, link)).url
        parts = urlsplit(url)
        _ = parts.port  # raises on a port out of range
        httpx.URL(url)  # raises on what httpx cannot send: a lone surrogate, past 64 KiB
    except (ValueError, UnicodeError, httpx.InvalidURL) as exc:
        raise Unusable(f"is no URL a client can ask for ({str(exc)[:200]})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unusable("is no http(s) URL")
    if origin(url) != origin(base):
        there = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        raise Elsewhere(
            f"leads to another origin ({there}), which the kit does not follow: give a "
            "target URL on that origin (--target-url) to judge where it leads"
        )
    return url
