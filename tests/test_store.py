import sqlite3

import pytest

from studydeck.store import SCHEMA_VERSION, CardState, CollectionError, open_collection

STATE = CardState(state=2, step=None, stability=3.5, difficulty=5.0, due=2_000, last_review=1_000, reps=3, lapses=1)


def test_nothing_is_created_until_asked(tmp_path):
    path = tmp_path / "sub" / "c.sqlite3"
    with open_collection(path, create=False) as col:
        assert list(col.reviews()) == []
    assert not path.exists() and not path.parent.exists()


def test_record_and_read_back(tmp_path):
    path = tmp_path / "c.sqlite3"
    with open_collection(path) as col:
        rid = col.record_review("d", "c", 1_000, 4, 3, 1234, None, STATE)
        assert col.card_state("d", "c") == STATE
    with open_collection(path) as col:  # committed, visible to a new connection
        (row,) = list(col.reviews())
        assert (row.id, row.rating, row.fsrs_rating, row.answer_ms) == (rid, 4, 3, 1234)
        assert row.before is None and row.after == STATE
        assert col.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_undo_restores_exact_previous_state_and_keeps_the_log(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.record_review("d", "c", 1_000, 4, 3, 10, None, STATE)
        later = CardState(2, None, 9.0, 4.0, 9_000, 5_000, 4, 1, True)
        rid = col.record_review("d", "c", 5_000, 5, 4, 10, STATE, later)
        col.undo_review(rid, 6_000)
        assert col.card_state("d", "c") == STATE
        assert [r.rating for r in col.reviews()] == [4]
        assert [r.rating for r in col.reviews(include_undone=True)] == [4, 5]
        with pytest.raises(CollectionError):
            col.undo_review(rid, 7_000)


def test_undo_of_first_review_makes_card_new_again(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        rid = col.record_review("d", "c", 1_000, 4, 3, 10, None, STATE)
        col.undo_review(rid, 2_000)
        assert col.card_state("d", "c") is None
        assert col.counts_since(0) == (0, 0)


def test_counts_since_counts_new_cards(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.record_review("d", "a", 1_000, 4, 3, 10, None, STATE)
        col.record_review("d", "a", 2_000, 4, 3, 10, STATE, STATE)
        col.record_review("d", "b", 3_000, 1, 1, 10, None, STATE)
        assert col.counts_since(0) == (3, 2)
        assert col.counts_since(1_500) == (2, 1)


@pytest.mark.parametrize("content", [b"this is not sqlite at all" * 100, b"\x00" * 4096])
def test_corrupt_file_is_refused_and_left_alone(tmp_path, content):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(content)
    with pytest.raises(CollectionError, match="not changed"):
        open_collection(path)
    assert path.read_bytes() == content


def test_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "c.sqlite3"
    with open_collection(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CollectionError, match="newer"):
        open_collection(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "c.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(CollectionError, match="not a studydeck collection"):
        open_collection(path)


def test_sync_tracks_membership_and_order(tmp_path):
    from tests.helpers import make_deck
    from dataclasses import replace

    deck = make_deck(n=3)
    with open_collection(tmp_path / "c.sqlite3") as col:
        assert col.sync_decks([deck], 0) == 1
        assert col.sync_decks([deck], 0) == 0            # unchanged: nothing written
        assert col.new_cards("d", 10) == ["c0", "c1", "c2"]
        col.record_review("d", "c1", 1_000, 4, 3, 10, None, STATE)
        assert col.new_cards("d", 10) == ["c0", "c2"]
        reordered = replace(deck, cards=(deck.cards[2], deck.cards[0]))   # c1 removed
        assert col.sync_decks([reordered], 0) == 1
        assert col.new_cards("d", 10) == ["c2", "c0"]
        assert col.due_cards(10**12, (2,)) == []         # c1 is in no deck now...
        assert col.card_state("d", "c1") == STATE       # ...but keeps its state
        col.sync_decks([deck], 0)                        # and it comes back
        assert [r[1] for r in col.due_cards(10**12, (2,))] == ["c1"]


def _standing_by_counting(col):
    return col.conn.execute(
        "SELECT count(*) FROM reviews r WHERE NOT EXISTS "
        "(SELECT 1 FROM undos u WHERE u.review_id = r.id)").fetchone()[0]


def test_standing_total_follows_every_rating_and_undo(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        assert col.standing_review_total() == 0
        ids = [col.record_review("d", f"c{i % 3}", 1_000 + i, 4, 3, 10, None, STATE) for i in range(7)]
        col.undo_review(ids[6], 9_000)
        col.undo_review(ids[5], 9_000)
        assert col.standing_review_total() == 5 == _standing_by_counting(col)
        with pytest.raises(CollectionError):       # a refused undo changes nothing
            col.undo_review(ids[5], 9_500)
        col.conn.execute("DELETE FROM undos WHERE review_id = ?", (ids[5],))  # any writer is counted
        assert col.standing_review_total() == 6 == _standing_by_counting(col)


def test_version_3_collection_is_migrated_with_its_totals(tmp_path):
    path = tmp_path / "c.sqlite3"
    with open_collection(path) as col:
        for i in range(4):
            col.record_review("d", "c", 1_000 + i, 4, 3, 10, None, STATE)
        col.undo_review(4, 5_000)
    conn = sqlite3.connect(path)
    conn.executescript("DROP TRIGGER reviews_counted; DROP TRIGGER reviews_uncounted; "
                       "DROP TRIGGER undos_counted; DROP TRIGGER undos_uncounted; "
                       "DROP TABLE totals; PRAGMA user_version = 3;")
    conn.close()
    with open_collection(path) as col:
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert col.standing_review_total() == 3 == _standing_by_counting(col)
        col.record_review("d", "c", 9_000, 4, 3, 10, STATE, STATE)
        assert col.standing_review_total() == 4
