"""Bulk writing of generated review rows for the benchmarks, in the collection's own layout.

Benchmarks build workloads of millions of reviews; going through ``rate`` would
take hours, so the rows are written with one ``executemany`` in the layout the
store uses (:data:`studydeck.store.REVIEW_INSERT`).
"""

from __future__ import annotations

from collections.abc import Iterable

from studydeck.store import CardState, Collection, review_insert_rows, REVIEW_INSERT


def insert_reviews(col: Collection, rows: Iterable[tuple[str, str, int, int, int, int | None,
                                                          CardState | None, CardState]]) -> None:
    """Append ``(deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, before, after)``
    rows of cards with no review yet, inside the caller's transaction (a ``before`` that is
    not the card's previous after-state in ``rows`` is stored whole, as the store does)."""
    col.conn.executemany(REVIEW_INSERT, review_insert_rows(rows))
