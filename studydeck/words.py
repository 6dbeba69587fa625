"""Numbers in words: ``1 day``, ``2 days``.  Every face counts with these."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``count(1, "day")`` -> ``1 day``; ``count(2, "day")`` -> ``2 days``;
    the last word is made plural (``count(3, "new card")`` -> ``3 new cards``)."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural or _plural(noun)}"


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"
