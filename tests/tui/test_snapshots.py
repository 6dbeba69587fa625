"""Snapshot tests at 100×30: home, study (front and revealed), a cloze, a drill
with its worked solution, stats and the lab.

Frozen clock (tests.tui.conftest.FROZEN), UTC local zone, seeded drills, no
animations (TEXTUAL_ANIMATIONS=none from tests/conftest.py), no cursor blink.
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` using
the pinned textual and pytest-textual-snapshot, and look at the SVGs.
"""

from __future__ import annotations

from datetime import timedelta

from studydeck.config import Config
from studydeck.deckfile.load import load_decks
from studydeck.study.clock import to_ms
from studydeck.study.scheduler import Scheduler
from studydeck.store import open_collection
from tests.tui.conftest import BASICS, FROZEN, MIXED

SIZE = (100, 30)


def _history(home, folder) -> None:
    """Six months of reviews ending yesterday, a few cards a day, every rating used."""
    decks = load_decks([folder]).decks
    cards = [c for d in decks for c in d.cards if c.type in ("basic", "cloze")]
    scheduler = Scheduler(Config(fuzz=False))
    with open_collection(home / "collection.sqlite3") as collection:
        for k in range(180, 0, -1):
            if k % 4 == 0 or k % 7 == 3:
                continue
            when = FROZEN - timedelta(days=k, hours=k % 5)
            for j in range(1 + (k * 7) % 5):
                card = cards[(k + j) % len(cards)]
                before = collection.card_state(*card.key)
                rating = 1 + (k * 3 + j) % 5
                outcome = scheduler.review(before, rating, when, 5000)
                collection.record_review(card.deck_id, card.card_id, to_ms(when), rating,
                                         outcome.fsrs_rating, 5000, before, outcome.after)


async def _answer_drill(pilot) -> None:
    """Study ``mixed`` up to its drill card and answer it right (the cloze's
    second deletion is buried until tomorrow, so one cloze card comes first)."""
    await pilot.press("enter", "space", "4")
    await pilot.pause()
    screen = pilot.app.screen
    await pilot.press("abcd"[screen.options.index("2")], "4")
    await pilot.pause()
    question = screen.session.drill_question()
    await pilot.press(*("[" + ", ".join(f"{v:.4f}" for v in question.answer) + "]"), "enter")
    await pilot.pause()


class TestHome:
    def test_home(self, snap_compare, make_app, studydeck_home, tmp_path):
        app = make_app(basics=BASICS, mixed=MIXED)
        _history(studydeck_home, tmp_path / "decks")
        assert snap_compare(app, terminal_size=SIZE)


class TestStudy:
    def test_front(self, snap_compare, make_app):
        assert snap_compare(make_app(basics=BASICS), press=["enter"], terminal_size=SIZE)

    def test_revealed(self, snap_compare, make_app):
        assert snap_compare(make_app(basics=BASICS), press=["enter", "space"], terminal_size=SIZE)

    def test_cloze(self, snap_compare, make_app):
        assert snap_compare(make_app(mixed=MIXED), press=["enter"], terminal_size=SIZE)

    def test_cloze_revealed(self, snap_compare, make_app):
        assert snap_compare(make_app(mixed=MIXED), press=["enter", "space"], terminal_size=SIZE)

    def test_drill_with_solution(self, snap_compare, make_app):
        assert snap_compare(make_app(mixed=MIXED), run_before=_answer_drill, terminal_size=SIZE)


class TestStats:
    def test_stats(self, snap_compare, make_app, studydeck_home, tmp_path):
        app = make_app(basics=BASICS, mixed=MIXED)
        _history(studydeck_home, tmp_path / "decks")
        assert snap_compare(app, press=["s"], terminal_size=SIZE)


class TestLab:
    def test_cell(self, snap_compare, make_app):
        assert snap_compare(make_app(basics=BASICS), press=["l", "down", "right", "right"],
                            terminal_size=SIZE)

    def test_gradients(self, snap_compare, make_app):
        assert snap_compare(make_app(basics=BASICS), press=["l", "t"], terminal_size=SIZE)
