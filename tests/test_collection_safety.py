"""The collection file on a bad day: newer, empty, read-only, full, tampered with."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from studydeck.config import Config
from studydeck.store import SCHEMA_VERSION, CardState, CollectionError, open_collection
from studydeck.study.session import Session, SessionError
from tests.helpers import Clock, make_deck

CONFIG = Config(fuzz=False)
STATE = CardState(state=2, step=None, stability=3.5, difficulty=5.0, due=2_000, last_review=1_000, reps=1)


def digest(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with a hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_newer_schema_file_is_opened_without_changing_a_byte(tmp_path):
    path = tmp_path / "c.sqlite3"
    conn = sqlite3.connect(path)          # a rollback-journal file, as another tool would leave it
    conn.execute("CREATE TABLE cards (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = digest(tmp_path)
    with pytest.raises(CollectionError, match="newer.*not changed"):
        open_collection(path)
    with pytest.raises(CollectionError, match="newer"):
        open_collection(path, readonly=True)
    assert digest(tmp_path) == before


def test_empty_file_is_refused_like_any_other_non_collection(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(CollectionError, match="empty file"):
        open_collection(path)
    assert digest(tmp_path) == {"c.sqlite3": hashlib.sha256(b"").hexdigest()}


def test_a_new_collection_appears_complete_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "sub" / "c.sqlite3"
    with open_collection(path) as col:
        col.record_review("d", "c", 1_000, 4, 3, 10, None, STATE)
    assert sorted(p.name for p in path.parent.iterdir()) == ["c.sqlite3"]
    with open_collection(path) as col:
        assert col.card_state("d", "c") == STATE


# -- read-only ---------------------------------------------------------------

@pytest.fixture
def read_only():
    """Make a file or folder read-only even for root (chattr +i), undone afterwards."""
    made = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0o555 if path.is_dir() else 0o444)
            made.append(("chmod", path))
            return
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                             capture_output=True).returncode:
            pytest.skip("cannot make a file read-only for root here (no chattr +i)")
        made.append(("chattr", path))

    yield make
    for how, path in made:
        if how == "chattr":
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


def studied_collection(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "c.sqlite3"
    with open_collection(path) as col:
        Session(col, [make_deck(n=3)], CONFIG, clock=Clock()).rate(4)
    return path


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_collection_stats_work_and_studying_refuses_at_once(tmp_path, read_only, what):
    path = studied_collection(tmp_path)
    read_only(path if what == "file" else path.parent)
    before = path.read_bytes()
    with pytest.raises(CollectionError, match="read-only") as info:
        open_collection(path)
    assert "Move it aside" not in str(info.value) and "\n" not in str(info.value)
    with open_collection(path, readonly=True) as col:
        assert [r.rating for r in col.reviews()] == [4]
        col.sync_decks([make_deck(n=5)], 0)           # membership goes to the snapshot only
        assert col.new_cards("d", 10) == ["c1", "c2", "c3", "c4"]
    assert path.read_bytes() == before


def test_readonly_snapshot_of_a_missing_file_creates_nothing(tmp_path):
    path = tmp_path / "none" / "c.sqlite3"
    with open_collection(path, readonly=True) as col:
        assert list(col.reviews()) == []
    assert not path.parent.exists()


# -- a full disk -----------------------------------------------------------------

def fill(col) -> None:
    """Let the file grow no further (SQLite's page limit stands in for a full disk)."""
    pages = col.conn.execute("PRAGMA page_count").fetchone()[0]
    col.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_rating_is_not_saved_and_the_session_goes_on(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        deck = make_deck(n=400)
        session = Session(col, [deck], Config(fuzz=False, new_per_day=400), clock=Clock())
        fill(col)
        failed = None
        for _ in range(400):                          # until a new page is needed
            card = session.current
            try:
                session.rate(4)
            except SessionError as exc:
                failed = exc
                break
        assert failed is not None and str(failed).startswith("disk full, rating not saved")
        assert "cannot rollback" not in str(failed)
        assert session.current == card and col.card_state(*card.key) is None
        saved = session.summary.reviewed
        assert len(list(col.reviews())) == saved
        col.conn.execute("PRAGMA max_page_count = 1000000")   # space freed
        session.rate(4)
        assert col.card_state(*card.key) is not None and session.summary.reviewed == saved + 1


def test_full_disk_during_the_start_up_sync_names_the_real_error(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        fill(col)
        with pytest.raises(CollectionError, match="disk full") as info:
            Session(col, [make_deck(n=2000)], CONFIG, clock=Clock())
        assert "cannot rollback" not in str(info.value)
        assert info.value.reason == "disk full"


# -- tampered rows ------------------------------------------------------------------

TAMPERING = {
    "NULL stability on a review card": "UPDATE cards SET stability = NULL WHERE card_id = 'c0'",
    "due out of range": "UPDATE cards SET due = 99999999999999999 WHERE card_id = 'c0'",
    "text in a number column": "UPDATE cards SET difficulty = 'hard' WHERE card_id = 'c0'",
}


@pytest.mark.parametrize("sql", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampered_card_row_is_a_one_line_error_naming_the_card(tmp_path, sql):
    path = tmp_path / "c.sqlite3"
    clock = Clock()
    with open_collection(path) as col:
        session = Session(col, [make_deck(n=1)], CONFIG, clock=clock)
        session.rate(5)
        col.conn.execute(sql)
        with pytest.raises(CollectionError, match=r"card d/c0: stored state is invalid .*studydeck doctor") as info:
            col.card_state("d", "c0")
        assert "\n" not in str(info.value)
        clock.advance(days=400)
        again = Session(col, [make_deck(n=1)], CONFIG, clock=clock)
        if again.current is not None:
            with pytest.raises(SessionError, match="card d/c0"):
                again.rate(3)


def test_malformed_json_state_in_the_log_is_a_one_line_error(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as col:
        session = Session(col, [make_deck(n=1)], CONFIG, clock=Clock())
        session.rate(1)
        session.reveal()
        session.rate(3)
        col.conn.execute("UPDATE reviews SET before = '{\"state\": 2,' WHERE id = 2")
        with pytest.raises(SessionError, match=r"review 2 of card d/c0: stored state is invalid \(not valid JSON\)"):
            session.undo()
        with pytest.raises(CollectionError, match="review 2 of card d/c0"):
            list(col.reviews())


def test_plain_mode_says_disk_full_and_shows_the_card_again(tmp_path):
    import io

    from studydeck.plain import PlainStudy

    with open_collection(tmp_path / "c.sqlite3") as col:
        session = Session(col, [make_deck(n=400)], Config(fuzz=False, new_per_day=400), clock=Clock())
        fill(col)
        out = io.StringIO()
        PlainStudy(session, io.StringIO("\n4\n" * 400), out).run()
        text = out.getvalue()
        assert "disk full, rating not saved" in text and "Traceback" not in text
        failed_at = text.index("disk full, rating not saved")
        saved = text[:failed_at].count("Saved:")
        def front_after_header(chunk):
            return chunk.split("──\n", 1)[1].split("\n", 1)[0]

        failed_card = front_after_header(text[:failed_at].rsplit("── ", 1)[1])
        shown_again = front_after_header(text[failed_at:].split("── ", 1)[1])
        assert shown_again == failed_card            # the same card, still to be rated
        assert len(list(col.reviews())) == saved


def test_read_only_home_studying_refuses_at_once_and_stats_work(tmp_path, read_only):
    from tests.test_cli import studydeck, write_deck

    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=3)
    args = ("--no-bundled", "--deck-dir", str(folder))
    studydeck("study", "--plain", *args, home=home, stdin="\n4\n", check=True)
    read_only(home / "collection.sqlite3")
    proc = studydeck("study", "--plain", *args, home=home, stdin="\n4\n")
    assert proc.returncode == 1 and "read-only" in proc.stderr and "Question" not in proc.stdout
    assert "Traceback" not in proc.stderr and "Move it aside" not in proc.stderr
    stats = studydeck("stats", "--json", *args, home=home)
    assert stats.returncode == 0 and '"reviews_total": 1' in stats.stdout


def test_plain_study_of_a_tampered_card_is_a_one_line_error(tmp_path):
    from tests.test_cli import studydeck, write_deck

    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=1)
    args = ("study", "--plain", "--no-bundled", "--deck-dir", str(folder))
    studydeck(*args, home=home, stdin="\n1\n", check=True)      # card-0 is learning, due in a minute
    with open_collection(home / "collection.sqlite3") as col:
        col.conn.execute("UPDATE cards SET stability = NULL, due = 0")
    proc = studydeck(*args, home=home, stdin="\n3\n")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "card alpha/card-0: stored state is invalid (stability None on a learning card)" in line
