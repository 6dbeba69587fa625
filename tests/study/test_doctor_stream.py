"""``studydeck doctor`` reads the log as a stream: the same report as a whole-history replay,
memory that does not grow with the history, and a quick validity test that never passes a
state ``row_problem`` rejects."""

from __future__ import annotations

import math
import random
import tracemalloc
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.config import Config
from studydeck.store import (MAX_TIME_MS, NEW, CardState, mark_cards, open_collection, forget_times,
                             review_insert_rows, REVIEW_INSERT, row_problem)
from studydeck.study import doctor
from studydeck.study.clock import from_ms
from studydeck.study.scheduler import Scheduler
from tests.helpers import examples

CONFIG = Config()
START_MS = 1_772_366_400_000   # 2026-03-01 12:00 UTC
MINUTE = 60_000


def whole_history_check(collection, config):
    """The replay as first written: every standing review held in memory, grouped by card,
    then each card replayed in key order.  The specification the stream must match."""
    scheduler = Scheduler(replace(config, fuzz=False))
    report = doctor.Report()
    log: dict[tuple[str, str], list[tuple]] = {}
    for row in collection.standing_log():
        log.setdefault((row[1], row[2]), []).append(row)
        report.reviews += 1
    forgotten = forget_times(collection)
    stored_rows = {(row[0], row[1]): row[2:] for row in collection.card_rows()}
    report.cards = len(stored_rows)
    for key in sorted(stored_rows.keys() | log.keys()):
        replayed = None
        forgot_at = forgotten.get(key, -1)
        previous = None
        for review_id, _deck, _card, at, rating, answer_ms, prior, before_text, damaged, *columns in log.get(key, ()):
            logged_after = None
            try:
                after = logged_after = doctor._after(damaged, tuple(columns))
                if before_text is not None:
                    before = doctor._parse(before_text)
                elif prior == NEW:
                    before = None
                elif previous is None:
                    raise ValueError("the state before it is not recorded")
                else:
                    before = previous
            except ValueError as exc:
                if at > forgot_at:
                    report.lines.append(f"{doctor._name(key)}: review {review_id} has an invalid state ({exc}); "
                                        "it is replayed by the scheduler")
                    report.damaged_log += 1
                before, after = replayed, None
            previous = logged_after
            if at <= forgot_at:
                continue
            if before != replayed or after is None:
                try:
                    after = scheduler.review(replayed, rating, from_ms(at), answer_ms).after
                except (ValueError, TypeError, OverflowError) as exc:
                    report.lines.append(f"{doctor._name(key)}: review {review_id} cannot be replayed ({exc})")
                    report.damaged_log += 1
                    continue
            replayed = after
        row = stored_rows.get(key)
        if row is None:
            if replayed is not None:
                report.lines.append(f"{doctor._name(key)}: no stored state; the log gives "
                                    f"{doctor._describe(replayed)}")
                report.repairs[key] = replayed
            continue
        problem = row_problem(row)
        if problem:
            report.lines.append(f"{doctor._name(key)}: stored state is invalid ({problem}); "
                                f"the log gives {doctor._describe(replayed)}")
            report.repairs[key] = replayed
            continue
        stored = None if row[0] == NEW else CardState(*row[:8], bool(row[8]))
        if stored != replayed:
            report.lines.append(f"{doctor._name(key)}: stored state differs from the replayed log: "
                                f"{doctor._differences(stored, replayed)}")
            report.repairs[key] = replayed
    return report


# ways a review row can be damaged or odd, each an UPDATE of one row (``?`` is its id)
LOG_DAMAGE = [
    "UPDATE reviews SET stability = -1 WHERE id = ?",
    "UPDATE reviews SET state = 9 WHERE id = ?",
    "UPDATE reviews SET due_in = NULL WHERE id = ?",
    "UPDATE reviews SET damaged = 'x' WHERE id = ?",
    "UPDATE reviews SET damaged = '{\"state\": 2}' WHERE id = ?",
    "UPDATE reviews SET before = '{bad' WHERE id = ?",
    "UPDATE reviews SET before = '{\"state\":0,\"step\":null,\"stability\":null,\"difficulty\":null,"
    "\"due\":0,\"last_review\":null}' WHERE id = ?",
    "UPDATE reviews SET stability = 3 WHERE id = ?",             # an integer: still a valid state
    "UPDATE reviews SET difficulty = 10 WHERE id = ?",
    "UPDATE reviews SET leech = 2 WHERE id = ?",
    "UPDATE reviews SET reps = -1 WHERE id = ?",
    "UPDATE reviews SET step = 1.5 WHERE id = ?",
    "UPDATE reviews SET step = 1 WHERE id = ?",
    "UPDATE reviews SET prior = 0 WHERE id = ?",                 # says the card was new
    "UPDATE reviews SET prior = 2, before = NULL WHERE id = ?",
    "UPDATE reviews SET stability = 'nan' WHERE id = ?",
    "UPDATE reviews SET last_review_in = NULL WHERE id = ?",
    "UPDATE reviews SET state = 0 WHERE id = ?",
    "UPDATE reviews SET reviewed_at = reviewed_at - 100000000 WHERE id = ?",
    "INSERT INTO undos (review_id, undone_at) VALUES (?, 0)",
]
CARD_DAMAGE = [
    "UPDATE cards SET reps = reps + 1 WHERE deck_id = ? AND card_id = ?",
    "UPDATE cards SET stability = NULL WHERE deck_id = ? AND card_id = ?",
    "UPDATE cards SET state = 0 WHERE deck_id = ? AND card_id = ?",
    "UPDATE cards SET due = 1.5 WHERE deck_id = ? AND card_id = ?",
    "UPDATE cards SET leech = 1 WHERE deck_id = ? AND card_id = ?",
    "UPDATE cards SET stability = stability + 0 WHERE deck_id = ? AND card_id = ?",
    "DELETE FROM cards WHERE deck_id = ? AND card_id = ?",
]


def random_collection(path, seed: int):
    """A few cards in two decks studied with the scheduler (fuzz on), with stale ratings,
    forgets, undos and random damage to log rows and card rows."""
    rng = random.Random(seed)
    scheduler = Scheduler(CONFIG)
    keys = [(deck, f"c{i}") for deck in ("d", "ž") for i in range(4)]
    col = open_collection(path)
    col.conn.execute("PRAGMA synchronous = OFF")
    states: dict[tuple[str, str], CardState | None] = {}
    at = START_MS
    for _ in range(rng.randint(5, 60)):
        key = rng.choice(keys)
        at += rng.randint(1, 3 * 24 * 60) * MINUTE
        before = states.get(key)
        if before is not None and rng.random() < 0.1:      # a stale read by another process
            before = rng.choice([None, replace(before, reps=before.reps + 7)])
        rating = rng.randint(1, 4)
        outcome = scheduler.review(before, rating, from_ms(at), rng.choice([None, 4000]))
        col.record_review(*key, at, rating, rating, 4000, before, outcome.after)
        states[key] = outcome.after
        if rng.random() < 0.05:
            mark_cards(col, "forget", [key], at + MINUTE)
            states[key] = None
    n = col.conn.execute("SELECT max(id) FROM reviews").fetchone()[0]
    for _ in range(rng.randint(0, 4)):
        sql = rng.choice(LOG_DAMAGE)
        try:
            col.conn.execute(sql, (rng.randint(1, n),))
        except Exception:   # a CHECK or a second undo of one row: that damage is not possible
            pass
    for _ in range(rng.randint(0, 3)):
        col.conn.execute(rng.choice(CARD_DAMAGE), rng.choice(keys))
    if rng.random() < 0.3:   # a card row with no review
        col.conn.execute("INSERT OR IGNORE INTO cards (deck_id, card_id) VALUES ('d', 'unseen')")
    return col


def test_the_stream_reports_what_the_whole_history_replay_reports(tmp_path):
    kinds = set()
    for seed in range(60):
        with random_collection(tmp_path / f"{seed}.sqlite3", seed) as col:
            expected = whole_history_check(col, CONFIG)
            got = doctor.check(col, CONFIG)
        assert got.lines == expected.lines, seed
        assert list(got.repairs.items()) == list(expected.repairs.items()), seed
        assert (got.damaged_log, got.cards, got.reviews) == (expected.damaged_log, expected.cards,
                                                              expected.reviews), seed
        kinds.update(kind for line in got.lines for kind in ("invalid state", "cannot be replayed",
                                                             "no stored state", "stored state is invalid",
                                                             "differs") if kind in line)
    # the collections are damaged in every way the report has a line for
    assert {"invalid state", "no stored state", "stored state is invalid", "differs"} <= kinds, kinds


def _collection_with(path, n_cards: int, n_reviews: int):
    """``n_reviews`` agreeing reviews round-robin over ``n_cards`` cards, bulk-written."""
    col = open_collection(path)
    keys = [("d", f"c{i}") for i in range(n_cards)]
    last: dict[tuple[str, str], CardState] = {}

    def rows():
        for i in range(n_reviews):
            key = keys[i % n_cards]
            at = START_MS + i * MINUTE
            previous = last.get(key)
            after = CardState(2, None, 1.5 + i % 7, 5.0, at + 86_400_000, at,
                              1 if previous is None else previous.reps + 1, 0, False)
            last[key] = after
            yield (*key, at, 4, 3, 4000, previous, after)

    col.conn.execute("BEGIN")
    col.conn.executemany(REVIEW_INSERT, review_insert_rows(rows()))
    col.conn.execute("COMMIT")
    col.put_states(last)
    return col


def test_memory_does_not_grow_with_the_history(tmp_path):
    peaks = []
    for n_reviews in (4_000, 40_000):
        with _collection_with(tmp_path / f"{n_reviews}.sqlite3", 100, n_reviews) as col:
            tracemalloc.start()
            try:
                report = doctor.check(col, CONFIG)
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
        assert report.lines == [] and report.reviews == n_reviews and report.cards == 100
    # holding the history would take about 25 MB more for the larger log
    assert peaks[1] < 1.5 * peaks[0], peaks


values = st.one_of(st.none(), st.booleans(), st.integers(-3, 12), st.integers(-1, MAX_TIME_MS + 1),
                   st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.5, 10.0, 10.000001, "2", b"1"]))


@settings(max_examples=examples(2000), deadline=None)
@given(st.tuples(*[values] * 9))
def test_the_quick_validity_test_never_passes_a_state_row_problem_rejects(columns):
    if doctor._fine(columns):
        assert row_problem(columns) is None


@settings(max_examples=examples(500), deadline=None)
@given(st.tuples(st.integers(1, 3), st.one_of(st.none(), st.integers(0, 5)),
                 st.floats(0.001, 1e6), st.floats(1.0, 10.0), st.integers(0, MAX_TIME_MS),
                 st.integers(0, MAX_TIME_MS), st.integers(0, 10**6), st.integers(0, 10**6), st.sampled_from([0, 1])))
def test_the_quick_validity_test_passes_the_usual_states(columns):
    assert doctor._fine(columns) and row_problem(columns) is None


def test_the_quick_validity_test_turns_away_what_it_does_not_know():
    usual = (2, None, 3.5, 5.0, START_MS, START_MS, 3, 0, 0)
    assert doctor._fine(usual)
    for i, odd in ((0, 0), (2, 3), (2, math.nan), (2, math.inf), (3, 10.5), (4, 1.5), (5, None), (1, -1)):
        assert not doctor._fine(usual[:i] + (odd,) + usual[i + 1:])
