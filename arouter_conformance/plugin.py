"""The pytest entry point (pytest11). Kept thin: the logic lives in library modules."""
