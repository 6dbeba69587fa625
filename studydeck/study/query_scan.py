"""The reference meaning of a query: a plain Python scan over every card.

:func:`studydeck.store.search_cards` compiles a query to one SQL statement; this
module says what that statement must return, one card at a time, in the most
direct Python.  The property tests compare the two on random collections and
random queries, and ``benchmarks/bench_query.py`` uses this scan as its baseline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from studydeck.model import Card
from studydeck.store import LEARNING, NEW, RELEARNING, REVIEW, CardRow, QueryContext, card_search_text
from studydeck.study import query as q
from studydeck.study.clock import MS_PER_DAY


@dataclass(frozen=True)
class ScanCard:
    """Everything a query can look at for one card."""

    card: Card
    row: CardRow
    text: str                                  # card_search_text(card)
    ratings: tuple[tuple[int, int], ...] = ()  # standing reviews: (UTC ms, rating 1-5)


def scan_cards(cards: Iterable[Card], rows: Mapping[tuple[str, str], CardRow],
               reviews: Mapping[tuple[str, str], list[tuple[int, int]]]) -> list[ScanCard]:
    """Join cards from deck files with their collection rows and standing ratings."""
    return [ScanCard(c, rows[c.key], card_search_text(c), tuple(reviews.get(c.key, ())))
            for c in cards if c.key in rows]


def _wildcard(pattern: str, value: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, value, re.S) is not None


def _pieces_in_order(pieces: tuple[str, ...], text: str) -> bool:
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _compare(a: float, op: str, b: float) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "=": a == b, "!=": a != b}[op]


def matches(node: q.Node, item: ScanCard, ctx: QueryContext) -> bool:
    row = item.row
    match node:
        case q.All():
            return True
        case q.And(items):
            return all(matches(i, item, ctx) for i in items)
        case q.Or(items):
            return any(matches(i, item, ctx) for i in items)
        case q.Not(inner):
            return not matches(inner, item, ctx)
        case q.Text(pieces):
            return _pieces_in_order(pieces, item.text)
        case q.DeckIs(pattern):
            return _wildcard(pattern, row.deck_id)
        case q.TagIs(pattern):
            return any(_wildcard(pattern, tag.casefold()) for tag in item.card.tags)
        case q.StateIs(name):
            return _state(name, row, ctx)
        case q.FlagIs(flag):
            return row.flag == flag
        case q.Rated(days, rating):
            since = ctx.today_ms - (days - 1) * MS_PER_DAY
            return any(at >= since and (rating is None or r == rating) for at, r in item.ratings)
        case q.Prop(name, op, value):
            return _prop(name, op, value, row, ctx)
    raise TypeError(node)


def _state(name: str, row: CardRow, ctx: QueryContext) -> bool:
    if name == "new":
        return row.state == NEW
    if name == "learn":
        return row.state in (LEARNING, RELEARNING)
    if name == "review":
        return row.state in (REVIEW, RELEARNING)
    if name == "due":
        return (row.state != NEW and row.due <= ctx.now_ms and not row.suspended
                and not row.buried(ctx.now_ms))
    if name == "suspended":
        return row.suspended
    if name == "buried":
        return row.buried(ctx.now_ms)
    if name == "leech":
        return row.leech
    if name == "flagged":
        return row.flag != 0
    raise ValueError(name)


def _prop(name: str, op: str, value: float, row: CardRow, ctx: QueryContext) -> bool:
    if name in ("lapses", "reps"):
        return _compare(getattr(row, name), op, value)
    if row.state == NEW or row.last_review is None:
        return False
    if name == "ivl":
        return _compare((row.due - row.last_review) // MS_PER_DAY, op, value)
    if name == "due":
        return _compare((row.due - ctx.today_ms) // MS_PER_DAY, op, value)
    if name in ("s", "d"):
        number = row.stability if name == "s" else row.difficulty
        return number is not None and _compare(number, op, value)
    if row.stability is None:
        return False
    elapsed = max(0, (ctx.now_ms - row.last_review) // MS_PER_DAY)
    return _compare(q.retrievability(elapsed, row.stability, ctx.decay(row.deck_id)), op, value)


def scan(items: Iterable[ScanCard], node: q.Node, ctx: QueryContext) -> list[tuple[str, str]]:
    """Keys of the cards matching ``node``, in the order given."""
    return [item.row.key for item in items if matches(node, item, ctx)]
