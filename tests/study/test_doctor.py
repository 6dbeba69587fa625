"""``studydeck doctor``: the review log replayed against the stored card states."""

from __future__ import annotations

import io
import json

import pytest

from studydeck.config import Config
from studydeck.store import open_collection
from studydeck.study import doctor
from studydeck.study.clock import from_ms
from studydeck.study.scheduler import Scheduler
from studydeck.study.session import Session
from tests.helpers import Clock, make_deck

CONFIG = Config()           # fuzz on, as users have it


def run(path, repair=False):
    out = io.StringIO()
    code = doctor.run(path, CONFIG, repair, out)
    return code, out.getvalue().splitlines()


def log_of(col):
    return col.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()


def study(path, n=5, ratings=(1, 3, 4, 5, 2)):
    clock = Clock()
    with open_collection(path) as col:
        session = Session(col, [make_deck(n=n)], CONFIG, clock=clock)
        for rating in ratings:
            session.rate(rating)
            clock.advance(minutes=1)
        session.undo()
        clock.advance(days=3)
        session = Session(col, [make_deck(n=n)], CONFIG, clock=clock)
        while not session.finished:
            session.rate(4)
            clock.advance(minutes=15)


def test_a_collection_studied_normally_has_no_disagreements(tmp_path):
    path = tmp_path / "c.sqlite3"
    study(path)
    code, lines = run(path)
    assert code == 0 and lines[-1].endswith(": 0 disagreements"), lines


def test_a_lost_update_is_found_and_repaired_from_the_log(tmp_path):
    path = tmp_path / "c.sqlite3"
    scheduler = Scheduler(Config(fuzz=False))
    with open_collection(path) as col:
        at = Clock().now
        first = scheduler.review(None, 4, at).after
        col.record_review("d", "c0", 1_000, 4, 3, 10, None, first)
        # a second process had read the card before the first rating was written
        stale = scheduler.review(None, 3, at).after
        col.record_review("d", "c0", 2_000, 3, 2, 10, None, stale)
        log = log_of(col)
    code, lines = run(path)
    assert code == 1
    assert len(lines) == 2 and lines[0].startswith("d/c0: stored state differs from the replayed log: ")
    assert "reps 1 (log: 2)" in lines[0]
    assert "doctor --repair" in lines[1]
    code, lines = run(path, repair=True)
    assert code == 0 and "repaired 1 card state" in lines[-1]
    with open_collection(path) as col:
        assert log_of(col) == log                       # the log is never rewritten
        state = col.card_state("d", "c0")
        expected = scheduler.review(first, 3, from_ms(2_000)).after
        assert state == expected and state.reps == 2
    assert run(path)[0] == 0


TAMPERING = {
    "NULL stability on a review card": ("UPDATE cards SET stability = NULL WHERE card_id = 'c0'", "stability None"),
    "due out of range": ("UPDATE cards SET due = -5 WHERE card_id = 'c0'", "due -5"),
    "logged state out of range": ("UPDATE reviews SET stability = -1 WHERE id = 1", "stability -1.0"),
    "malformed JSON state": ("UPDATE reviews SET before = '{\"state\": 2' WHERE id = 1", "not valid JSON"),
}


@pytest.mark.parametrize("sql, said", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampered_rows_are_reported_one_line_each(tmp_path, sql, said):
    path = tmp_path / "c.sqlite3"
    with open_collection(path) as col:
        Session(col, [make_deck(n=2)], CONFIG, clock=Clock()).rate(5)
        col.conn.execute(sql)
    code, lines = run(path)
    assert code == 1
    assert any(line.startswith("d/c0: ") and said in line for line in lines), lines
    assert all(not line.startswith("d/c1") for line in lines)
    code, lines = run(path, repair=True)
    with open_collection(path) as col:
        state = col.card_state("d", "c0")           # valid again
    assert state is not None and state.reps == 1
    if "UPDATE cards" in sql:
        assert code == 0 and run(path)[0] == 0
    else:
        assert code == 1 and "damaged" in lines[-1]     # the damaged log row stays, and is still reported


def test_doctor_command(tmp_path):
    from tests.test_cli import studydeck

    home = tmp_path / "home"
    assert studydeck("doctor", home=home).returncode == 0          # no collection yet
    study(home / "collection.sqlite3", n=3, ratings=(4, 4))
    with open_collection(home / "collection.sqlite3") as col:
        col.conn.execute("UPDATE cards SET reps = 99 WHERE card_id = 'c1'")
        col.conn.execute("UPDATE reviews SET before = 'x\ny' WHERE id = 2")
    proc = studydeck("doctor", home=home)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert any(line.startswith("d/c1: stored state differs") and "reps 99" in line for line in proc.stdout.splitlines())
    proc = studydeck("doctor", "--repair", home=home)
    assert "repaired" in proc.stdout
    assert json.loads(studydeck("stats", "--json", "--no-bundled", home=home).stdout)["reviews_total"] >= 2


def test_a_forgotten_card_replays_from_its_forget_and_agrees(tmp_path):
    from studydeck.store import mark_cards
    from studydeck.study.clock import to_ms

    path = tmp_path / "c.sqlite3"
    study(path)
    clock = Clock()
    clock.advance(days=5)
    deck = make_deck(n=5)
    with open_collection(path) as col:
        keys = [card.key for card in deck.cards[:2]]
        assert mark_cards(col, "forget", keys, to_ms(clock.now)) == 2
    code, lines = run(path)
    assert code == 0, lines  # new again, its history still standing: no disagreement
    clock.advance(minutes=5)
    with open_collection(path) as col:
        session = Session(col, [deck], CONFIG, clock=clock)
        for _ in range(50):
            if session.finished:
                break
            session.rate(4)
            clock.advance(minutes=15)
        assert session.finished
    code, lines = run(path)
    assert code == 0, lines  # studied again after the forget: replayed from the forget


def _lost_update(path):
    """A card whose stored state is one rating behind its log; returns the scheduler used."""
    scheduler = Scheduler(Config(fuzz=False))
    with open_collection(path) as col:
        at = Clock().now
        first = scheduler.review(None, 4, at).after
        col.record_review("d", "c0", 1_000, 4, 3, 10, None, first)
        col.record_review("d", "c0", 2_000, 3, 2, 10, None, scheduler.review(None, 3, at).after)
    return scheduler


def test_repair_writes_nothing_if_another_process_rates_while_doctor_reads(tmp_path, monkeypatch):
    """A rating committed by another process between doctor's read and its repair would be
    overwritten by a state replayed without it: the repair is not made, and says so."""
    path = tmp_path / "c.sqlite3"
    scheduler = _lost_update(path)
    real_check = doctor.check
    rated = {}

    def check_while_another_process_rates(collection, config):
        report = real_check(collection, config)
        with open_collection(path) as other:            # the app, rating the same card
            before = other.card_state("d", "c0")
            rated["state"] = scheduler.review(before, 4, from_ms(3_000)).after
            other.record_review("d", "c0", 3_000, 4, 3, 10, before, rated["state"])
        return report

    monkeypatch.setattr(doctor, "check", check_while_another_process_rates)
    code, lines = run(path, repair=True)
    assert code == 1 and "changed while doctor read it" in lines[-1] and "nothing was repaired" in lines[-1]
    with open_collection(path) as col:
        assert col.card_state("d", "c0") == rated["state"]   # the other process's rating stands


def test_a_read_only_check_reads_again_when_another_process_writes_meanwhile(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    _lost_update(path)
    real_check = doctor.check
    reviews_seen = []

    def check_while_another_process_rates(collection, config):
        report = real_check(collection, config)
        reviews_seen.append(report.reviews)
        if len(reviews_seen) == 1:
            with open_collection(path) as other:
                other.record_review("d", "c1", 3_000, 4, 3, 10, None,
                                    Scheduler(Config(fuzz=False)).review(None, 4, from_ms(3_000)).after)
        return report

    monkeypatch.setattr(doctor, "check", check_while_another_process_rates)
    code, lines = run(path)
    assert reviews_seen == [2, 3] and lines[-1].startswith("2 cards, 3 standing reviews: 1 disagreement")
