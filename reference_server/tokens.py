"""The reference tokenizer: simple, documented, and the same for every model.

Rule: a token is a run of word characters (`\\w+`: letters, digits and underscore, in any
script) or any other single character that is not whitespace (`[^\\w\\s]`); whitespace
separates tokens and is never one. "Hello, world!" is 4 tokens: `Hello` `,` `world` `!`.

- prompt_tokens = the sum over messages of the tokens in `content`, plus 4 per message
  (its role and the delimiters a chat template wraps it in).
- completion_tokens = the tokens of the text the model produced: the content, or the
  arguments of a tool call.

Real models tokenize differently (seed 000 "Tokenization"); the contract only asks that the
counts be integers that add up and that completion_tokens respect max_tokens, and a rule
anyone can recompute by hand makes those checks exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MESSAGE_OVERHEAD", "count_tokens", "pieces", "prompt_tokens", "truncate"]

TOKEN = re.compile(r"\w+|[^\w\s]")
MESSAGE_OVERHEAD = 4


def count_tokens(text: str) -> int:
    return sum(1 for _ in TOKEN.finditer(text))


def prompt_tokens(contents: Iterable[str]) -> int:
    return sum(MESSAGE_OVERHEAD + count_tokens(content) for content in contents)


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut right after its `limit`-th token, and whether anything was cut.

    Cutting at the end of a token match keeps the count exact: the prefix tokenizes into
    exactly those `limit` tokens, because a word run ends where a non-word character starts.
    """
    for position, match in enumerate(TOKEN.finditer(text), start=1):
        if position == limit:
            if TOKEN.search(text, match.end()) is None:
                break
            return text[: match.end()], True
    return text, False


def pieces(text: str) -> list[str]:
    """`text` split into stream deltas of one token each (with the whitespace before it);
    they join back into `text` exactly."""
    ends = [match.end() for match in TOKEN.finditer(text)]
    if not ends:
        return [text] if text else []
    ends[-1] = len(text)
    starts = [0, *ends[:-1]]
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]
