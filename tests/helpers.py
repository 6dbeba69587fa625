"""Small builders shared by the tests."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

from studydeck.model import Card, Deck


def make_deck(deck_id: str = "d", n: int = 3, types: dict[int, str] | None = None) -> Deck:
    cards = []
    for i in range(n):
        kind = (types or {}).get(i, "basic")
        extra = {}
        if kind == "choice":
            extra = dict(choices=("1", "2", "3", "4"), answer="2")
        if kind == "drill":
            extra = dict(drill="sigmoid.value")
        cards.append(
            Card(deck_id=deck_id, card_id=f"c{i}", note_id=f"c{i}", type=kind,
                 front=f"front {i}", back=f"back {i}", line=i + 1, **extra)
        )
    return Deck(id=deck_id, title=f"Deck {deck_id}", description="", path=f"{deck_id}.yaml", cards=tuple(cards))


class Clock:
    """A settable UTC clock."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def examples(n: int) -> int:
    """Hypothesis examples for a property test: ``n`` with ``STUDYDECK_DEEP_TESTS=1``
    (before a release, or after changing a fast path), a fifth of it (at least 100)
    in the everyday run, so the suite stays within a few minutes on two cores."""
    import os

    return n if os.environ.get("STUDYDECK_DEEP_TESTS") == "1" else max(100, n // 5)
