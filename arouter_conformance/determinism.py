"""Examples that depend on nothing but the run's settings.

Hypothesis mixes literals it finds in "local" modules (whatever sys.modules holds outside
site-packages: the user's conftest, an editable install of this kit, a module imported
earlier) into the values it generates. Derandomizing fixes the seed but not that pool, so
the same target could be judged on different queries by `pytest --target-url` and the CLI,
or by an editable and a wheel install. A CI gate needs the same verdict for the same
target, so the kit's properties run with that pool empty.

Tests may run their properties on several threads at once (`--concurrency`): the pool is
emptied when the first of them starts and restored when the last one ends.

This reaches into Hypothesis internals (checked by tests/test_determinism.py); when they
change shape the kit falls back to Hypothesis's default behaviour rather than breaking.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

__all__ = ["without_local_constants"]


class _Holders:
    """How many properties hold the pool empty now, and what to put back after the last."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.original: Callable[[], object] | None = None


_HOLDERS = _Holders()


@contextlib.contextmanager
def without_local_constants() -> Iterator[bool]:
    """While active, Hypothesis draws no constants from local modules. Yields whether it
    could arrange that."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the module
        yield False
        return
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    constants = getattr(providers, "Constants", None)
    found = getattr(providers, "_get_local_constants", None)
    if found is None or cache is None or constants is None:
        yield False
        return
    holders = _HOLDERS
    with holders.lock:
        if not holders.count:
            holders.original = providers._get_local_constants
            empty = constants()
            providers._get_local_constants = lambda: empty
            cache.cache.clear()
        holders.count += 1
    try:
        yield True
    finally:
        with holders.lock:
            holders.count -= 1
            if not holders.count and holders.original is not None:
                providers._get_local_constants = holders.original  # type: ignore[assignment]
                cache.cache.clear()
