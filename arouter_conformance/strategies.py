"""Hypothesis strategies for queries, drawn from the values the baseline actually holds.

Each strategy is a value that composes (`modality_values(b) | unknown_tokens()`), as in
hypothesis itself. Drawing from the target's own modality and parameter names keeps the
examples meaningful for any catalog; the unknown names are shaped so that no real
catalog can contain them.
"""

from __future__ import annotations

from hypothesis import strategies as st

from arouter_conformance.oracle import Baseline

__all__ = [
    "comma_list",
    "modality_names",
    "parameter_names",
    "unknown_names",
]


def modality_names(baseline: Baseline) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(baseline.known_modalities))


def parameter_names(baseline: Baseline) -> st.SearchStrategy[str]:
    return st.sampled_from(baseline.listed_parameters or ("tools",))


def unknown_names() -> st.SearchStrategy[str]:
    """Names no gateway knows: a fixed prefix keeps them apart from any real vocabulary."""
    return st.from_regex(r"zz-unknown-[a-z]{1,6}", fullmatch=True)


def comma_list(
    names: st.SearchStrategy[str],
    *,
    min_size: int = 1,
    max_size: int = 3,
    spaced: bool = False,
) -> st.SearchStrategy[tuple[tuple[str, ...], str]]:
    """(names, query value): distinct names joined by commas, optionally with spaces around."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[tuple[str, ...], str]:
        chosen = tuple(draw(st.lists(names, min_size=min_size, max_size=max_size, unique=True)))
        if not spaced or len(chosen) < 2:
            return chosen, ",".join(chosen)
        # One gap on each side of every comma, at least one of them not empty.
        gaps = draw(
            st.lists(
                st.sampled_from(["", " ", "  "]),
                min_size=2 * (len(chosen) - 1),
                max_size=2 * (len(chosen) - 1),
            ).filter(any)
        )
        value = chosen[0]
        for i, name in enumerate(chosen[1:]):
            value += f"{gaps[2 * i]},{gaps[2 * i + 1]}{name}"
        return chosen, value

    return build()
