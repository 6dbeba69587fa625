"""``import --history``: the ease map, the replay, source marking, no duplicates, stats, schema 2."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from studydeck.study import stats
from studydeck.config import Config
from studydeck.deckfile.load import load_decks
from studydeck.interop.export import guid
from studydeck.interop.importer import run_import
from studydeck.study.clock import from_ms
from studydeck.study.scheduler import ANKI_EASE_RATING, FSRS_RATING, Scheduler
from studydeck.store import SCHEMA_VERSION, open_collection
from tests.interop.helpers import export, rewrite_collection, write_deck

DAY = 86_400_000
T0 = int(datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp() * 1000)


def test_each_ease_maps_back_onto_its_own_fsrs_grade():
    assert sorted(ANKI_EASE_RATING) == [1, 2, 3, 4]
    assert all(FSRS_RATING[ANKI_EASE_RATING[ease]] == ease for ease in range(1, 5))
    assert ANKI_EASE_RATING[1] == 1       # Again is "not at all", not "barely"


def _package_with_reviews(tmp_path, revlog):
    """A genanki package of the small deck whose revlog holds ``revlog`` for the 'gate' note's card:
    (at_ms, ease, time_ms, kind, factor) tuples."""
    package = export(tmp_path, write_deck(tmp_path / "decks").parent, variants=1)
    card = "(SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ?)"
    sql = [(f"INSERT INTO revlog VALUES (?, {card}, 0, ?, 0, 0, ?, ?, ?)",
            (at, guid("small", "gate"), ease, factor, ms, kind)) for at, ease, ms, kind, factor in revlog]
    return rewrite_collection(package, tmp_path / "with-history.apkg", sql)


def test_reviews_are_replayed_marked_and_not_imported_twice(tmp_path):
    revlog = [(T0, 3, 4000, 0, 0), (T0 + 600_000, 3, 3000, 0, 0), (T0 + 3 * DAY, 1, 9000, 1, 2500),
              (T0 + 3 * DAY + 60_000, 0, 0, 4, 0),        # a manual reschedule: left out
              (T0 + 3 * DAY + 700_000, 4, 2000, 2, 2500), (T0 + 9 * DAY, 2, 5000, 3, 0)]  # cram: left out
    package = _package_with_reviews(tmp_path, revlog)
    into = tmp_path / "imported"
    config = Config()
    with open_collection(tmp_path / "c.sqlite3") as collection:
        result = run_import(package, into, history=True, collection=collection, config=config)
        assert (result.history.reviews, result.history.cards, result.history.skipped_kind) == (4, 1, 2)
        rows = list(collection.reviews())
        assert [r.reviewed_at for r in rows] == [T0, T0 + 600_000, T0 + 3 * DAY, T0 + 3 * DAY + 700_000]
        assert [r.fsrs_rating for r in rows] == [3, 3, 1, 4]
        assert [r.rating for r in rows] == [4, 4, 1, 5]
        assert [r.answer_ms for r in rows] == [4000, 3000, 9000, 2000]
        assert {r.source for r in rows} == {"anki"}
        # the same replay by hand, through studydeck's scheduler without fuzz
        scheduler = Scheduler(Config(fuzz=False))
        state = None
        for r in rows:
            outcome = scheduler.review(state, r.rating, from_ms(r.reviewed_at), r.answer_ms)
            assert r.before == state and r.after == outcome.after
            state = outcome.after
        assert state.lapses == 1
        assert collection.card_state(rows[0].deck_id, rows[0].card_id) == state
        # again: nothing new
        again = run_import(package, into, force=True, history=True, collection=collection, config=config)
        assert again.history.reviews == 0 and again.history.skipped_old == 4
        assert len(list(collection.reviews())) == 4
        # stats count them, and the deck shows the card as under review
        (deck,) = load_decks([into]).decks
        now = from_ms(T0 + 4 * DAY)
        summary = stats.summary(collection, [deck], config, now)
        assert summary["reviews_total"] == 4
        assert summary["decks"][0]["review"] + summary["decks"][0]["learning"] == 1


def test_later_reviews_come_in_on_a_later_import(tmp_path):
    package = _package_with_reviews(tmp_path, [(T0, 3, 1000, 0, 0)])
    with open_collection(tmp_path / "c.sqlite3") as collection:
        run_import(package, tmp_path / "a", history=True, collection=collection, config=Config())
        later = rewrite_collection(
            package, tmp_path / "later.apkg",
            [("INSERT INTO revlog SELECT ?, cid, 0, 3, 0, 0, 0, 1000, 1 FROM revlog", (T0 + 2 * DAY,))])
        result = run_import(later, tmp_path / "a", force=True, history=True, collection=collection,
                            config=Config())
        assert (result.history.reviews, result.history.skipped_old) == (1, 1)
        assert [r.reviewed_at for r in collection.reviews()] == [T0, T0 + 2 * DAY]


def test_reviews_of_skipped_notes_are_counted(tmp_path):
    package = _package_with_reviews(tmp_path, [(T0, 3, 1000, 0, 0)])
    orphan = rewrite_collection(package, tmp_path / "orphan.apkg",
                                [("INSERT INTO revlog VALUES (?, 424242, 0, 3, 0, 0, 0, 0, 0)", (T0 + 1,))])
    with open_collection(tmp_path / "c.sqlite3") as collection:
        result = run_import(orphan, tmp_path / "a", history=True, collection=collection, config=Config())
    assert (result.history.reviews, result.history.skipped_card) == (1, 1)


def test_migrating_from_schema_1_marks_old_reviews_as_studydeck(tmp_path):
    path = tmp_path / "old.sqlite3"
    from studydeck import store

    conn = sqlite3.connect(path)
    for statement in store._MIGRATIONS[1].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, fsrs_rating, state_after) "
                 "VALUES ('d', 'c', 1, 3, 2, '{\"state\":1,\"step\":0,\"stability\":1.0,\"difficulty\":5.0,"
                 "\"due\":2,\"last_review\":1}')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with open_collection(path) as collection:
        assert collection.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        (row,) = collection.reviews()
        assert row.source == "studydeck"
