"""Queries compiled to SQL return exactly what the plain Python scan says they mean."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from studydeck.model import Card, Deck
from studydeck.store import (QueryContext, all_card_rows, mark_cards, open_collection, rows_of, search_cards,
                             search_keys)
from studydeck.study import query_scan
from studydeck.study.query import QueryError, parse
from tests.helpers import examples

DAY = 86_400_000
NOW = 1_780_000_000_000
TODAY = NOW - 5 * 3_600_000
DECAY = -0.1542

WORDS = ["Forget", "forgét", "GATE", "gâte", "cell", "h_t", "50%", "ÉCOLE", "ecole", "naïve", "σ(x)",
         "**bold**", "`code`", "tanh", "Straße", "a\\b", "x*y"]
TAGS = ["Gates", "lstm", "gru::reset", "a_b", "100%", "Élan", "x"]
DECK_IDS = ["alpha", "beta-2", "gamma"]


def build(seed: int):
    """A collection in memory with random cards, states, marks and reviews."""
    rng = random.Random(seed)
    decks = []
    for deck_id in DECK_IDS:
        cards = []
        for i in range(rng.randint(5, 25)):
            words = lambda n: " ".join(rng.choice(WORDS) for _ in range(n))  # noqa: E731
            cards.append(Card(deck_id, f"c{i}", f"c{i}", "basic", words(rng.randint(1, 4)), words(rng.randint(0, 3)),
                              tags=tuple(rng.sample(TAGS, rng.randint(0, 3))),
                              extra=words(1) if rng.random() < 0.2 else ""))
        decks.append(Deck(deck_id, deck_id.title(), "", f"{deck_id}.yaml", tuple(cards)))
    col = open_collection("/nonexistent/never-made.sqlite3", create=False)
    # a card that left its deck keeps its row but is no longer searched
    gone = Deck("alpha", "Alpha", "", "alpha.yaml", decks[0].cards + (Card("alpha", "gone", "gone", "basic", "Forget", ""),))
    col.sync_decks([gone], NOW)
    col.sync_decks(decks, NOW)
    for deck in decks:
        for card in deck.cards:
            state = rng.choice([0, 0, 1, 2, 2, 3])
            if state == 0:
                continue
            last = NOW - rng.randint(0, 60) * DAY - rng.randint(0, DAY)
            due = last + rng.choice([rng.randint(1, 30) * 60_000, rng.randint(1, 90) * DAY])
            col.conn.execute(
                "UPDATE cards SET state = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, reps = ?, "
                "lapses = ?, leech = ? WHERE deck_id = ? AND card_id = ?",
                (state, round(rng.uniform(0.1, 80), 3), round(rng.uniform(1, 10), 3), due, last, rng.randint(1, 12),
                 rng.randint(0, 5), rng.random() < 0.1, deck.id, card.card_id))
            for _ in range(rng.randint(0, 4)):
                at = NOW - rng.randint(0, 12) * DAY + rng.randint(-DAY, 0)
                before_undo = col.conn.execute(
                    "SELECT state, stability, difficulty, due, last_review, reps FROM cards "
                    "WHERE deck_id = ? AND card_id = ?", (deck.id, card.card_id)).fetchone()
                rid = col.record_review(deck.id, card.card_id, at, rng.randint(1, 5), 3, 1000, None,
                                        col.card_state(deck.id, card.card_id))
                if rng.random() < 0.2:
                    col.undo_review(rid, at + 1)
                    # undo reset the card to new: put its random state back
                    col.conn.execute("UPDATE cards SET state = ?, stability = ?, difficulty = ?, due = ?, "
                                     "last_review = ?, reps = ? WHERE deck_id = ? AND card_id = ?",
                                     (*before_undo, deck.id, card.card_id))
    keys = [c.key for d in decks for c in d.cards]
    mark_cards(col, "suspend", rng.sample(keys, 6), NOW)
    mark_cards(col, "bury", rng.sample(keys, 5), NOW - DAY, value=NOW + 3_600_000)
    mark_cards(col, "bury", rng.sample(keys, 3), NOW - 2 * DAY, value=NOW - DAY)  # expired
    for flag in (1, 2, 3, 4):
        mark_cards(col, "flag", rng.sample(keys, 3), NOW, value=flag)
    return col, decks


@pytest.fixture(scope="module", params=[1, 2])
def world(request):
    col, decks = build(request.param)
    rows = {r.key: r for r in all_card_rows(col)}
    ratings: dict = {}
    for review in col.reviews():
        ratings.setdefault((review.deck_id, review.card_id), []).append((review.reviewed_at, review.rating))
    items = query_scan.scan_cards([c for d in decks for c in d.cards], rows, ratings)
    yield col, decks, items
    col.close()


CONTEXTS = [QueryContext(NOW, TODAY, DECAY), QueryContext(NOW, TODAY, DECAY, (("beta-2", -0.5), ("gamma", -0.2)))]


def agree(world, text: str, ctx: QueryContext = CONTEXTS[0]) -> list:
    col, decks, items = world
    tree = parse(text)
    got = [r.key for r in search_cards(col, tree, ctx, decks, sort="deck")]
    want = query_scan.scan(items, tree, ctx)
    assert got == want, text
    keys = search_keys(col, tree, ctx, decks, sort="deck")
    assert keys == got and [r.key for r in rows_of(col, keys)] == got, text  # keys first, then rows
    return got


@pytest.mark.parametrize("text", [
    "", "forget", "FORGET", "forgét", "gate", "ecole", "école", "strasse", "h_t", "50%", "bold", "code",
    "a\\\\b", "for*gate", "*", "deck:alpha", "deck:ALPHA", "deck:*a*", "deck:b*", "deck:nothing", "tag:gates",
    "tag:GRU::*", "tag:a_b", "tag:100%", "tag:élan", "tag:*", "is:new", "is:learn", "is:review", "is:due",
    "is:suspended", "is:buried", "is:leech", "is:flagged", "flag:0", "flag:2", "rated:1", "rated:3:1",
    "rated:12", "prop:ivl>=10", "prop:ivl=0", "prop:ivl!=3", "prop:due<=0", "prop:due>-3", "prop:due=1",
    "prop:lapses>2", "prop:reps<=3", "prop:s>10.5", "prop:d<5", "prop:r<0.8", "prop:r>=0.95", "prop:r<=0",
    "prop:r>1", "-is:new", "-prop:ivl>=10", "forget or tag:lstm", "-(deck:alpha or is:due) gate",
])
def test_known_queries_agree(world, text):
    agree(world, text)


def test_a_few_known_answers(world):
    col, decks, items = world
    assert set(agree(world, "forget")) == set(agree(world, "FORGÉT"))
    alpha = agree(world, "deck:alpha")
    assert alpha == [c.key for c in decks[0].cards]           # the card that left is not listed
    assert not set(agree(world, "is:due")) & set(agree(world, "is:suspended"))
    assert len(agree(world, "is:suspended")) == 6
    assert len(agree(world, "flag:4")) == 3                 # the last flag set wins


def _term():
    return st.one_of(
        st.sampled_from(WORDS + ["forget", "ecole", "gate cell", "for*ate", "*e*"]).map(
            lambda w: f'"{w}"' if " " in w or "\\" in w else w),
        st.sampled_from(["alpha", "ALPHA", "*a*", "b*", "gam*a", "zzz"]).map(lambda p: f"deck:{p}"),
        st.sampled_from(TAGS + ["gates", "*", "gru*", "A_B"]).map(lambda t: f'tag:"{t}"'),
        st.sampled_from(["new", "learn", "review", "due", "suspended", "buried", "leech", "flagged"]).map(
            lambda s: f"is:{s}"),
        st.integers(0, 4).map(lambda n: f"flag:{n}"),
        st.tuples(st.integers(1, 15), st.one_of(st.none(), st.integers(1, 5))).map(
            lambda t: f"rated:{t[0]}" + (f":{t[1]}" if t[1] else "")),
        st.tuples(st.sampled_from(["ivl", "due", "lapses", "reps"]), st.sampled_from(["<", "<=", ">", ">=", "=", "!="]),
                  st.integers(-5, 40)).map(lambda t: f"prop:{t[0]}{t[1]}{t[2]}"),
        st.tuples(st.sampled_from(["s", "d"]), st.sampled_from(["<", "<=", ">", ">=", "=", "!="]),
                  st.floats(0, 50, allow_nan=False).map(lambda f: round(f, 2))).map(lambda t: f"prop:{t[0]}{t[1]}{t[2]}"),
        st.tuples(st.sampled_from(["<", "<=", ">", ">="]), st.sampled_from([0, 0.3, 0.5, 0.8, 0.9, 0.95, 1, 1.2])).map(
            lambda t: f"prop:r{t[0]}{t[1]}"),
    )


QUERIES = st.recursive(
    _term(),
    lambda inner: st.one_of(
        inner.map(lambda q: f"-{q}" if not q.startswith("-") else f"-({q})"),
        st.lists(inner, min_size=2, max_size=3).map(" ".join),
        st.lists(inner, min_size=2, max_size=3).map(" or ".join),
        inner.map(lambda q: f"({q})"),
    ),
    max_leaves=6,
)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERIES, ctx=st.sampled_from(CONTEXTS))
def test_random_queries_agree_with_the_python_scan(world, text, ctx):
    agree(world, text, ctx)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list('aeéÉg*:-()"\\<>=!019 .') + ["or", "deck:", "tag:", "is:", "prop:r",
                                                                  "rated:", "flag:", "ivl", "due"]),
                max_size=20).map("".join))
def test_any_text_either_fails_to_parse_or_agrees(world, text):
    try:
        parse(text)
    except QueryError:
        return
    agree(world, text)


def test_search_sorts_and_limits(world):
    col, decks, _items = world
    ctx = CONTEXTS[0]
    rows = search_cards(col, parse("-is:new"), ctx, decks, sort="ivl")
    ivls = [r.interval_days() for r in rows]
    assert ivls == sorted(ivls)
    lapses = [r.lapses for r in search_cards(col, parse(""), ctx, decks, sort="lapses")]
    assert lapses == sorted(lapses, reverse=True)
    assert len(search_cards(col, parse(""), ctx, decks, sort="due", limit=4)) == 4
    with pytest.raises(ValueError):
        search_cards(col, parse(""), ctx, decks, sort="nonsense")


def test_text_follows_deck_edits(world):
    col, decks, _items = world
    ctx = CONTEXTS[0]
    first = decks[0].cards[0]
    edited = Card(first.deck_id, first.card_id, first.note_id, "basic", "Quokka", "", tags=("Marsupial",))
    deck = Deck("alpha", "Alpha", "", "alpha.yaml", (edited,) + tuple(decks[0].cards[1:]))
    try:
        assert [r.key for r in search_cards(col, parse("quokka tag:marsupial"), ctx, [deck])] == [first.key]
    finally:
        search_cards(col, parse("x"), ctx, decks)  # back to the module's decks
