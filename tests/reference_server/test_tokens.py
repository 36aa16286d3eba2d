"""tokens.py: the documented rule, exact truncation, and deltas that join back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_server.tokens import MESSAGE_OVERHEAD, count_tokens, pieces, prompt_tokens, truncate

TEXT = st.text(alphabet=st.sampled_from("ab Z9_é,.!? \n\t-"), max_size=60)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("   ", 0),
        ("Hello, world!", 4),
        ("don't", 3),
        ("snake_case 42", 2),
        ("déjà vu", 2),
        ("a-b", 3),
        ("...", 3),
    ],
)
def test_words_and_single_punctuation_are_tokens(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_every_message_costs_a_fixed_overhead() -> None:
    assert prompt_tokens([]) == 0
    assert prompt_tokens(["", "Hi there."]) == 2 * MESSAGE_OVERHEAD + 3


def test_truncate_cuts_right_after_the_last_kept_token() -> None:
    assert truncate("You said: hello there.", 3) == ("You said:", True)
    assert truncate("one two", 2) == ("one two", False)
    assert truncate("one two  ", 2) == ("one two  ", False)
    assert truncate("", 1) == ("", False)


@given(text=TEXT, limit=st.integers(min_value=1, max_value=30))
@settings(max_examples=150, derandomize=True, deadline=None)
def test_truncation_is_an_exact_prefix(text: str, limit: int) -> None:
    cut, truncated = truncate(text, limit)
    assert text.startswith(cut)
    assert count_tokens(cut) == min(limit, count_tokens(text))
    assert truncated == (count_tokens(text) > limit)


@given(text=TEXT)
@settings(max_examples=150, derandomize=True, deadline=None)
def test_pieces_join_back_one_token_each(text: str) -> None:
    parts = pieces(text)
    assert "".join(parts) == text
    if count_tokens(text):
        assert [count_tokens(p) for p in parts] == [1] * count_tokens(text)
