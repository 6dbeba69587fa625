"""The home screen's start-up count on a thread: leaving home and coming back before it
ends neither waits for it nor counts on the UI thread, and the numbers then shown are
read after what happened elsewhere."""

from __future__ import annotations

import threading
import time

from studydeck.tui.screens import home
from studydeck.tui.widgets.deck_table import DeckTable
from tests.tui.conftest import BASICS, MIXED, plain, reviews

SIZE = (100, 30)


def _no_waiting_for(monkeypatch, gate: threading.Event) -> list[str]:
    """Record (and skip) any wait for the counting thread while ``gate`` holds it."""
    waits: list[str] = []
    real_join = threading.Thread.join

    def join(thread, timeout=None):
        if thread.name == "studydeck-prefetch" and thread.is_alive() and not gate.is_set():
            waits.append(threading.current_thread().name)
            return None
        return real_join(thread, timeout)

    monkeypatch.setattr(threading.Thread, "join", join)
    return waits


def _counting_app(make_app, **decks):
    """An app whose home screen counts on threads, as the real one does; and an Event set
    at its first paint."""
    app = make_app(**decks)
    app.count_after_paint = True
    painted = threading.Event()
    app.mark_painted = painted.set
    return app, painted


async def _until(pilot, test, tries: int = 500) -> bool:
    for _ in range(tries):
        if test():
            return True
        await pilot.pause(0.01)
    return test()


async def test_coming_back_home_while_the_start_up_count_runs(make_app, studydeck_home, clock, monkeypatch):
    real = home.home_numbers
    gate = threading.Event()
    counted_on_ui_while_closed = []
    waits = _no_waiting_for(monkeypatch, gate)

    def slow_count(*args):
        if threading.current_thread() is threading.main_thread():
            if not gate.is_set():          # the UI thread counted (or waited) while the thread ran
                counted_on_ui_while_closed.append(True)
            return real(*args)
        numbers = real(*args)              # read now, handed over once the gate opens: stale by then
        gate.wait(30)
        return numbers

    monkeypatch.setattr(home, "home_numbers", slow_count)
    app, painted = _counting_app(make_app, basics=BASICS, mixed=MIXED)
    try:
        async with app.run_test(size=SIZE) as pilot:
            assert await _until(pilot, painted.is_set)
            home_screen = app.screen
            today = home_screen.query_one("#today")
            assert "Counting" in plain(today)
            # leave home for a study session, rate a card, come back: the thread still runs
            await pilot.press("enter", "space", "3")
            await pilot.pause()
            assert reviews(studydeck_home) == [("basics", "forget-gate", 3)]
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is home_screen and not gate.is_set()
            assert waits == [] and counted_on_ui_while_closed == []
            assert "Counting" in plain(today)          # what was shown stays until the count ends
            table = home_screen.query_one(DeckTable)
            await pilot.press("down")                    # the app answers keys meanwhile
            assert table.chosen == "mixed"
            gate.set()
            assert await _until(pilot, lambda: "Streak" in plain(today))
            # the numbers are read after the rating made while the thread ran
            assert "Today: 1 review " in plain(today)
            expected = real(app.collection, app.decks, app.config, clock()).today
            assert table.rows == [(c.deck, (c.title, c.new, c.learning, c.review, c.unseen))
                                  for c in expected.decks]
            assert waits == [] and counted_on_ui_while_closed == [] and app._prefetch is None
    finally:
        gate.set()


async def test_reloading_while_the_start_up_count_runs_does_not_wait_for_it(make_app, monkeypatch):
    real = home.home_numbers
    gate = threading.Event()
    waits = _no_waiting_for(monkeypatch, gate)

    def slow_count(*args):
        if threading.current_thread() is not threading.main_thread():
            gate.wait(30)
        return real(*args)

    monkeypatch.setattr(home, "home_numbers", slow_count)
    app, painted = _counting_app(make_app, basics=BASICS)
    try:
        async with app.run_test(size=SIZE) as pilot:
            assert await _until(pilot, painted.is_set)
            today = app.screen.query_one("#today")
            await pilot.press("r")                       # read the decks and count again, at once
            await pilot.pause()
            assert waits == [] and not gate.is_set() and "Streak" in plain(today)
            assert app._prefetch is None                 # the thread's numbers are not wanted any more
            gate.set()
            await pilot.pause(0.05)
            assert "Streak" in plain(today)
    finally:
        gate.set()


async def test_coming_back_home_counts_on_a_thread_while_the_app_answers(make_app, studydeck_home, monkeypatch):
    """After the start-up count: back from a session, home shows its numbers so far, marked
    as being updated, answers keys while a thread counts, then shows the new numbers."""
    real = home.home_numbers
    gate = threading.Event()
    slow = []                                  # armed: the thread's count waits for the gate
    counted_on_ui = []

    def slow_count(*args):
        if threading.current_thread() is threading.main_thread():
            counted_on_ui.append(True)
            return real(*args)
        numbers = real(*args)
        if slow:
            gate.wait(30)
        return numbers

    monkeypatch.setattr(home, "home_numbers", slow_count)
    app, _painted = _counting_app(make_app, basics=BASICS, mixed=MIXED)
    try:
        async with app.run_test(size=SIZE) as pilot:
            home_screen = app.screen
            today = home_screen.query_one("#today")
            assert await _until(pilot, lambda: "Streak" in plain(today))
            slow.append(True)
            await pilot.press("enter", "space", "3")
            await pilot.pause()
            assert reviews(studydeck_home) == [("basics", "forget-gate", 3)]
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is home_screen and not gate.is_set()
            shown = plain(today)
            assert "Today: 0 reviews" in shown and "Streak: 0 days · updating…" in shown
            assert "To study: 8 new" in shown                      # the whole of what was shown stays
            table = home_screen.query_one(DeckTable)
            await pilot.press("down")
            assert table.chosen == "mixed"
            gate.set()
            assert await _until(pilot, lambda: "Today: 1 review " in plain(today))
            assert "updating" not in plain(today) and counted_on_ui == [] and app._prefetch is None
    finally:
        gate.set()


async def test_coming_back_home_with_a_quick_count_shows_the_new_numbers(make_app, studydeck_home):
    app, _painted = _counting_app(make_app, basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        today = app.screen.query_one("#today")
        assert await _until(pilot, lambda: "Streak" in plain(today))
        await pilot.press("enter", "space", "3", "escape")
        assert await _until(pilot, lambda: "Today: 1 review " in plain(today))
        assert "updating" not in plain(today) and app._prefetch is None


async def test_back_while_the_start_up_count_runs_and_every_count_is_slow(make_app, studydeck_home, monkeypatch):
    """Nothing counted yet, back home while the start-up count runs, every later count longer
    than the grace: the numbers arrive once, and no count follows another forever."""
    real = home.home_numbers
    gate = threading.Event()
    thread_counts = []

    def slow_count(*args):
        if threading.current_thread() is not threading.main_thread():
            thread_counts.append(True)
            if not gate.is_set():
                gate.wait(30)        # the start-up count, held until the learner is back
            else:
                time.sleep(0.2)      # a large collection: longer than RECOUNT_GRACE
        return real(*args)

    monkeypatch.setattr(home, "home_numbers", slow_count)
    app, painted = _counting_app(make_app, basics=BASICS, mixed=MIXED)
    try:
        async with app.run_test(size=SIZE) as pilot:
            assert await _until(pilot, painted.is_set)
            today = app.screen.query_one("#today")
            await pilot.press("enter", "space", "3")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            gate.set()
            assert await _until(pilot, lambda: "Today: 1 review " in plain(today))
            await pilot.pause(0.6)
            assert len(thread_counts) == 2 and app._prefetch is None
    finally:
        gate.set()
