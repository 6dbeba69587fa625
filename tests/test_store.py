import random
import sqlite3

import pytest

from studydeck import store
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


def old_collection(path, version: int) -> sqlite3.Connection:
    """A collection file at schema ``version`` (< 5: the review states as JSON), made by
    that version's own migrations."""
    conn = sqlite3.connect(path, isolation_level=None)
    for target in range(1, version + 1):
        for statement in store._statements(store._MIGRATIONS[target]):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


def _old_review(conn, deck_id, card_id, at, before, after, rating=4, fsrs_rating=3):
    return conn.execute(
        "INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, state_before, "
        "state_after) VALUES (?, ?, ?, ?, ?, 10, ?, ?)",
        (deck_id, card_id, at, rating, fsrs_rating, before and before.to_json(), after.to_json())).lastrowid


def test_version_3_collection_is_migrated_with_its_totals(tmp_path):
    path = tmp_path / "c.sqlite3"
    conn = old_collection(path, 3)
    for i in range(4):
        _old_review(conn, "d", "c", 1_000 + i, STATE if i else None, STATE)
    conn.execute("INSERT INTO undos VALUES (4, 5000)")
    conn.close()
    with open_collection(path) as col:
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert col.standing_review_total() == 3 == _standing_by_counting(col)
        col.record_review("d", "c", 9_000, 4, 3, 10, STATE, STATE)
        assert col.standing_review_total() == 4


def _states(n: int, seed: int = 0) -> list[CardState]:
    rng = random.Random(seed)
    return [CardState(rng.choice((1, 2, 3)), rng.choice((None, 0, 1)), rng.uniform(0.1, 300),
                      rng.uniform(1, 10), rng.randint(0, 2**41), rng.randint(0, 2**41), rng.randint(1, 50),
                      rng.randint(0, 9), rng.random() < 0.1) for _ in range(n)]


def test_version_4_log_migrates_to_columns_exactly(tmp_path):
    """Every review's before- and after-state reads back as it was stored as JSON: a card's
    first review, reviews following on, an undone one, one after the card was rescheduled
    (its before-state is no previous after-state), one after a forget (new again), a
    damaged after-state and a damaged before-state."""
    path = tmp_path / "c.sqlite3"
    conn = old_collection(path, 4)
    s = _states(12)
    log = [("d", "a", None, s[0]), ("d", "a", s[0], s[1]), ("d", "b", None, s[2]),
           ("d", "a", s[1], s[3]),            # undone below
           ("d", "a", s[1], s[4]),            # follows the standing review, not the undone one
           ("d", "a", s[5], s[6]),            # rescheduled in between
           ("d", "a", None, s[7]),            # forgotten in between
           ("d", "b", s[2], s[8])]
    ids = [_old_review(conn, d, c, 1000 + i, before, after) for i, (d, c, before, after) in enumerate(log)]
    conn.execute("INSERT INTO undos VALUES (?, 5000)", (ids[3],))
    bad_after = _old_review(conn, "d", "c", 2000, None, s[9])
    conn.execute("UPDATE reviews SET state_after = '{\"state\": 2' WHERE id = ?", (bad_after,))
    bad_before = _old_review(conn, "d", "c", 2001, s[9], s[10])
    conn.execute("UPDATE reviews SET state_before = 'x' WHERE id = ?", (bad_before,))
    conn.close()
    with open_collection(path) as col:
        rows = list(col._review_rows(["r.id <= ?"], [ids[-1]]))
        assert [(r.before, r.after) for r in rows] == [(b, a) for _d, _c, b, a in log]
        assert [r.id for r in store.card_reviews(col, "d", "a")] == [i for i in ids[:7] if i not in (ids[2], ids[3])]
        stored = col.conn.execute("SELECT id, before IS NOT NULL, prior FROM reviews ORDER BY id").fetchall()
        assert [x[1] for x in stored[:8]] == [0, 0, 0, 0, 0, 1, 0, 0]   # only the rescheduled one keeps JSON
        assert [x[2] for x in stored[:8]] == [0, s[0].state, 0, s[1].state, s[1].state, s[5].state, 0, s[2].state]
        for bad in (bad_after, bad_before):
            with pytest.raises(CollectionError, match=f"review {bad} of card d/c"):
                col.review(bad)
        assert col.standing_review_total() == 9
        assert col.counts_since(0) == (9, 4)


def test_undo_restores_a_before_state_read_from_the_previous_review(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        s = _states(5, seed=1)
        first = col.record_review("d", "c", 1, 4, 3, 10, None, s[0])
        second = col.record_review("d", "c", 2, 4, 3, 10, s[0], s[1])
        third = col.record_review("d", "c", 3, 4, 3, 10, s[1], s[2])
        assert col.conn.execute("SELECT count(*) FROM reviews WHERE before IS NOT NULL").fetchone()[0] == 0
        col.undo_review(third, 10)
        assert col.card_state("d", "c") == s[1]
        col.undo_review(second, 11)        # the undone third review still reads its own before-state
        assert col.card_state("d", "c") == s[0]
        assert [(r.before, r.after) for r in col.reviews(include_undone=True)] == \
            [(None, s[0]), (s[0], s[1]), (s[1], s[2])]
        col.put_states({("d", "c"): s[3]})  # changed outside a review (doctor --repair, reschedule)
        fourth = col.record_review("d", "c", 4, 4, 3, 10, s[3], s[4])
        assert col.review(fourth).before == s[3]
        col.undo_review(fourth, 12)
        assert col.card_state("d", "c") == s[3]
        col.undo_review(first, 13)
        assert col.card_state("d", "c") is None


def test_newer_schema_is_refused_without_a_byte_changed(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_collection(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    data = path.read_bytes()
    for readonly in (False, True):
        with pytest.raises(CollectionError, match="newer"):
            open_collection(path, readonly=readonly)
    assert path.read_bytes() == data


def test_readonly_reads_the_file_in_place_and_writes_to_a_copy(tmp_path):
    path = tmp_path / "c.sqlite3"
    with open_collection(path) as col:
        col.record_review("d", "c", 1_000, 4, 3, 10, None, STATE)
    data = path.read_bytes()
    assert not (tmp_path / "c.sqlite3-wal").exists()
    with open_collection(path, readonly=True) as col:
        assert col.standing_review_total() == 1
        assert col.conn.execute("PRAGMA database_list").fetchone()[2] == str(path.resolve())  # no copy yet
        col.record_review("d", "c", 2_000, 4, 3, 10, STATE, STATE)     # goes to a copy in memory
        assert col.standing_review_total() == 2
        assert col.conn.execute("PRAGMA database_list").fetchone()[2] == ""
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite3"]


def test_a_read_only_read_is_made_again_when_another_process_writes_meanwhile(tmp_path):
    """A snapshot read in place (``immutable``: no other connection was open) trusts the file
    not to change; a writer that comes meanwhile makes the read run again, on the file as
    the writer left it, so the numbers are of one moment."""
    path = tmp_path / "c.sqlite3"
    with open_collection(path) as col:
        col.record_review("d", "c", 1_000, 4, 3, 10, None, STATE)
    reads = []

    def read(col):
        total = col.standing_review_total()
        if not reads:                               # another process rates meanwhile
            with open_collection(path) as writer:
                writer.record_review("d", "c", 2_000, 4, 3, 10, STATE, STATE)
        reads.append(total)
        return total

    assert store.read_snapshot(path, read) == 2 and reads == [1, 2]
    reads.clear()
    assert store.read_snapshot(path, lambda col: reads.append(col.standing_review_total()) or reads[-1]) == 2
    assert reads == [2]                             # nothing changed: read once


@pytest.mark.parametrize("first", ["mark", "undo"])
def test_readonly_card_marks_and_their_undo_write_to_the_copy(tmp_path, first):
    # the first write of a read-only view swaps its connection for the copy: the marks
    # functions must write through the transaction's connection, not one read before it
    path = tmp_path / "c.sqlite3"
    with open_collection(path) as col:
        col.record_review("d", "c", 1_000, 4, 3, 10, None, STATE)
        store.mark_cards(col, "flag", [("d", "c")], 1_500, value=2)
    data = path.read_bytes()
    with open_collection(path, readonly=True) as col:
        if first == "mark":
            assert store.mark_cards(col, "suspend", [("d", "c")], 2_000) == 1
            assert store.card_row(col, "d", "c").suspended == 1
        undone = store.undo_last(col, 3_000)
        assert (undone.kind, undone.cards) == (("suspend", 1) if first == "mark" else ("flag", 1))
        assert store.card_row(col, "d", "c").suspended == 0
    assert path.read_bytes() == data


def test_readonly_search_text_sync_writes_to_the_copy(tmp_path):
    from studydeck.model import Card, Deck

    path = tmp_path / "c.sqlite3"
    deck = Deck("d", "D", "", "d.yaml", (Card("d", "c", "front", "basic", "back", ""),))
    with open_collection(path) as col:
        col.sync_decks([deck], 1_000)     # membership recorded, the search text not yet
    data = path.read_bytes()
    with open_collection(path, readonly=True) as col:
        assert store.sync_search(col, [deck], 2_000) == 1
        assert col.conn.execute("SELECT card_id FROM card_text").fetchall() == [("c",)]
    assert path.read_bytes() == data


@pytest.mark.parametrize("text", [
    '{"state":2,"step":null,"stability":3.5,"difficulty":5.0,"due":5,"last_review":1,"reps":1,"lapses":0,'
    '"leech":false}',
    '{"state":2,"step":null,"stability":3.5,"difficulty":5.0,"due":5,"last_review":1,"reps":1,"lapses":0,'
    '"leech":2}',
    '{"state":true,"step":null,"stability":3.5,"difficulty":5.0,"due":5,"last_review":1,"reps":1,"lapses":0,'
    '"leech":false}',
    '{"state":2,"step":null,"stability":3.5,"difficulty":5.0,"due":5.0,"last_review":1,"reps":1,"lapses":0,'
    '"leech":false}',
    '{"state":2,"step":null,"stability":3,"difficulty":5.0,"due":5,"last_review":1}',
    '{"state":2,"step":null,"stability":-1,"difficulty":5.0,"due":5,"last_review":1,"reps":1,"lapses":0,'
    '"leech":false}', "[1]", "x", "null"])
def test_the_migrations_state_reader_agrees_with_from_json(text):
    def read(parse):
        try:
            return parse(text)
        except ValueError as exc:
            return str(exc)
    assert read(store._parse_state) == read(CardState.from_json)


def test_a_bury_ends_at_its_instant_for_the_row_the_query_and_unbury(tmp_path):
    # one rule (store.buried_at) and its SQL twins: buried while now < buried_until
    from studydeck.model import Card, Deck
    from studydeck.store import QueryContext
    from studydeck.study import query

    deck = Deck("d", "D", "", "d.yaml", (Card("d", "c", "c", "basic", "front", "back"),))
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.sync_decks([deck], 0)
        store.mark_cards(col, "bury", [("d", "c")], 1_000, value=5_000)
        row = store.card_row(col, "d", "c")
        for now, buried in ((4_999, True), (5_000, False)):
            assert row.buried(now) is buried
            ctx = QueryContext(now, 0, -0.1542)
            found = [r.key for r in store.search_cards(col, query.parse("is:buried"), ctx, [deck])]
            assert found == ([("d", "c")] if buried else [])
            assert col.new_cards("d", 10, now_ms=now) == ([] if buried else ["c"])   # the study queue
        assert store.mark_cards(col, "unbury", [("d", "c")], 5_000) == 0     # already over
        assert store.mark_cards(col, "unbury", [("d", "c")], 4_999) == 1
