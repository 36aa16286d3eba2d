"""The kit's properties draw nothing from local modules, so imports cannot change a verdict."""

from __future__ import annotations

from hypothesis.internal.conjecture import providers

from arouter_conformance.determinism import without_local_constants


def test_the_hypothesis_internals_it_relies_on_are_there() -> None:
    with without_local_constants() as isolated:
        assert isolated
        assert len(providers._get_local_constants()) == 0


def test_the_original_behaviour_comes_back() -> None:
    before = providers._get_local_constants
    with without_local_constants():
        assert providers._get_local_constants is not before
    assert providers._get_local_constants is before


def test_overlapping_holders_restore_the_original_once_the_last_one_leaves() -> None:
    """Tests run ahead of their turn hold it on other threads, entering and leaving in any
    order: the pool stays empty while any of them holds it."""
    before = providers._get_local_constants
    first, second = without_local_constants(), without_local_constants()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert len(providers._get_local_constants()) == 0
    second.__exit__(None, None, None)
    assert providers._get_local_constants is before
