"""Examples that depend on nothing but the run's settings.

Hypothesis mixes literals it finds in "local" modules (whatever sys.modules holds outside
site-packages: the user's conftest, an editable install of this kit, a module imported
earlier) into the values it generates. Derandomizing fixes the seed but not that pool, so
the same target could be judged on different queries by `pytest --target-url` and the CLI,
or by an editable and a wheel install. A CI gate needs the same verdict for the same
target, so the kit's properties run with that pool empty.

This reaches into Hypothesis internals (checked by tests/test_determinism.py); when they
change shape the kit falls back to Hypothesis's default behaviour rather than breaking.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["without_local_constants"]


@contextlib.contextmanager
def without_local_constants() -> Iterator[bool]:
    """While active, Hypothesis draws no constants from local modules. Yields whether it
    could arrange that."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the module
        yield False
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    constants = getattr(providers, "Constants", None)
    if original is None or cache is None or constants is None:
        yield False
        return
    empty = constants()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield True
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
