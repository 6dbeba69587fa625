"""Many processes on one collection at full speed, then ``doctor`` finds nothing to say.

Marked ``stress``: it runs with the rest of the suite (and so in CI), in
about 15-30 s on two cores; ``-m "not stress"`` leaves it out.
"""

from __future__ import annotations

import pytest

from studydeck.store import open_collection
from tests.test_cli import read_until, spawn, studydeck, write_deck

SESSIONS, RATINGS, CARDS = 8, 200, 200


def script(seed: int) -> str:
    """RATINGS ratings for a plain session, with an undo after every 25th; each
    step works whether the undo is allowed or refused."""
    lines = []
    for i in range(RATINGS):
        lines += ["", str((i * 7 + seed) % 5 + 1)]
        if i % 25 == 24:
            lines.append("u")
    return "\n".join(lines) + "\n"


@pytest.mark.stress
def test_eight_sessions_rating_one_deck_leave_a_consistent_collection(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, "alpha", n=CARDS)
    args = ("study", "--plain", "--no-bundled", "--new-per-day", "1000", "--deck-dir", str(folder))
    studydeck("stats", "--no-bundled", "--deck-dir", str(folder), home=home, check=True)
    procs = [spawn(*args, home=home) for _ in range(SESSIONS)]
    for proc in procs:               # every queue is built before anyone rates
        read_until(proc, "Question 0?")
    for seed, proc in enumerate(procs):
        proc.stdin.write(script(seed))
        proc.stdin.close()
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "locked" not in err + out
        assert out.count("Saved:") >= RATINGS
    with open_collection(home / "collection.sqlite3") as col:
        standing = list(col.reviews())
        assert len(standing) >= SESSIONS * RATINGS - SESSIONS * (RATINGS // 25)
        reps = col.conn.execute("SELECT sum(reps) FROM cards").fetchone()[0]
        assert reps == len(standing)            # no rating was lost between processes
    proc = studydeck("doctor", home=home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].endswith(": 0 disagreements")


@pytest.mark.stress
def test_undo_in_one_process_after_a_rating_in_another_changes_nothing(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, "alpha", n=3)
    args = ("study", "--plain", "--no-bundled", "--deck-dir", str(folder))
    a, b = spawn(*args, home=home), spawn(*args, home=home)
    try:
        for proc in (a, b):                     # both show card-0, queued before either rated
            read_until(proc, "Question 0?")
        for proc, rating in ((a, 4), (b, 3)):
            proc.stdin.write(f"\n{rating}\n")
            proc.stdin.flush()
            read_until(proc, "Saved:")
        a.stdin.write("u\n")
        a.stdin.flush()
        said = read_until(a, "undo")
        assert "Cannot undo" in said and "alpha/card-0 was rated again" in said
        for proc in (a, b):
            proc.stdin.write("q\n")
            proc.stdin.flush()
            assert proc.wait(timeout=60) == 0
    finally:
        for proc in (a, b):
            if proc.poll() is None:
                proc.kill()
    with open_collection(home / "collection.sqlite3") as col:
        assert [r.rating for r in col.reviews()] == [4, 3]
        assert col.card_state("alpha", "card-0").reps == 2
    assert studydeck("doctor", home=home).returncode == 0
