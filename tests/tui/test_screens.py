"""Pilot tests of home, free drills, stats, lab, help and the command palette."""

from __future__ import annotations

from datetime import timedelta

from studydeck.tui.app import create_app
from studydeck.tui.widgets.deck_table import DeckTable
from tests.tui.conftest import BASICS, BROKEN, MIXED, plain, reviews

SIZE = (100, 30)


async def test_home_lists_decks_and_broken_files(make_app, studydeck_home):
    app = make_app(basics=BASICS, mixed=MIXED, broken=BROKEN)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DeckTable)
        rows = [cells for _, cells in table.rows]
        assert [r[0] for r in rows] == ["LSTM basics", "Mixed card types"]
        assert rows[0][1:] == (5, 0, 0, 5)  # new, learning, due, total
        assert "LSTM basics" in plain(table)
        errors = plain(app.screen.query_one("#deck-errors"), width=400)
        assert "broken.yaml:5: unknown key 'fornt'" in errors
        assert "Today: 0 reviews" in plain(app.screen.query_one("#today"))
        # the decks that loaded still work
        await pilot.press("enter", "space", "3")
        await pilot.pause()
        assert reviews(studydeck_home) == [("basics", "forget-gate", 3)]
        await pilot.press("escape")
        await pilot.pause()
        rows = [cells for _, cells in table.rows]
        assert rows[0][1:3] == (4, 1)
        assert "Today: 1 review " in plain(app.screen.query_one("#today"))


async def test_a_studies_all_decks_and_deck_ids_filter(make_app):
    app = make_app(deck_ids=["mixed"], basics=BASICS, mixed=MIXED)
    async with app.run_test(size=SIZE) as pilot:
        assert [d.id for d in app.decks] == ["mixed"]
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.card.deck_id == "mixed"


async def test_free_drills_grade_without_recording(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        question = screen.query_one("DrillView").question
        assert question is not None
        await pilot.press(*"not a number", "enter")
        await pilot.pause()
        assert screen.asked == 0
        screen.query_one(".drill-answer").value = ""
        if question.answer_format in ("vectors", "shapes"):
            text = question.answer_text
            for label in question.answer_labels:
                text = text.replace(f"{label} = ", "").replace(f"{label} ", "")
        else:
            text = question.answer_text
        await pilot.press(*text, "enter")
        await pilot.pause()
        assert (screen.asked, screen.right) == (1, 1)
        first = question
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("DrillView").question is not first
        assert reviews(studydeck_home) == []


async def test_free_drills_are_seeded(make_app):
    kinds = []
    for _ in range(2):
        app = make_app(basics=BASICS)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("d")
            await pilot.pause()
            q = app.screen.query_one("DrillView").question
            kinds.append((q.kind, q.seed))
    assert kinds[0] == kinds[1]


async def test_stats_screen(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "space", "5", "space", "1")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert "today 1" in plain(screen.query_one("#forecast-note"))  # the card rated 1 is due today
        numbers = plain(screen.query_one("#by-state"))
        assert "Learning" in numbers and "Total cards" in numbers
        assert "2 reviews" in plain(screen.query_one("#per-day-note"))
        heat = plain(screen.query_one("#heatmap"))
        assert heat.count("\n") >= 8


async def test_lab_nudges_the_cell_and_plots_gradients(make_app):
    import numpy as np

    from studydeck.engine import LSTMCell

    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        before = screen.trace()
        await pilot.press("right", "right", "down", "left")
        await pilot.pause()
        assert screen.values["x"] == [0.7, -1.1]
        after = screen.trace()
        expected = LSTMCell(2, 2, seed=7).trace(np.array([0.7, -1.1]), (np.zeros(2), np.zeros(2)))
        assert np.allclose(after["h"], expected["h"])
        assert not np.allclose(after["h"], before["h"])
        assert "+0.70" in plain(screen.query_one("#lab-controls"))

        await pilot.press("t")
        await pilot.pause()
        rnn, lstm = screen.gradient_norms()
        assert len(rnn) == len(lstm) == screen.length
        assert rnn[0] < 1e-4 * rnn[-1]  # the RNN's gradient vanishes going back in time
        assert lstm[0] > 100 * rnn[0]   # the LSTM (forget bias +2) keeps far more of it
        assert "RNN" in screen.query_one("#plot-rnn").border_title
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.length == 35


async def test_help_lists_every_bound_key(make_app):
    from studydeck.tui.keys import key_name, sections
    from studydeck.tui.screens import drill, help, home, lab, stats, study
    from studydeck.tui.widgets.deck_table import DeckTable

    def expand(keys: str) -> set[str]:
        out = set()
        for part in keys.split(" / "):
            lo, dash, hi = part.partition(" – ")
            out.update(chr(c) for c in range(ord(lo), ord(hi) + 1)) if dash else out.add(part)
        return out

    listed = {title: set().union(*(expand(key) for key, _ in rows)) for title, rows in sections()}
    for title, classes in (("Home", (home.HomeScreen, DeckTable)), ("Study", (study.StudyScreen,)),
                           ("Drills", (drill.DrillScreen,)), ("Drill kinds", (drill.KindsScreen,)),
                           ("Stats", (stats.StatsScreen,)), ("Lab", (lab.LabScreen,)),
                           ("Everywhere", (app_bindings(),))):
        for cls in classes:
            for binding in cls.BINDINGS:
                for key in binding.key.split(","):
                    name = key_name(key)
                    assert name in listed[title], (title, key)
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, help.HelpScreen)
        shown = plain(app.screen.query_one("#help-body Static:last-of-type"))
        assert "rate: Not at all, Barely, With effort, Well, Perfectly" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_command_palette_has_the_screens(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Study all due", "Drills", "Stats", "Lab", "Help", "Theme"):
            assert title in titles
        stats_command = next(c for c in app.get_system_commands(app.screen) if c.title == "Stats")
        stats_command.callback()
        await pilot.pause()
        assert type(app.screen).__name__ == "StatsScreen"


async def test_themes_switch_and_the_choice_is_kept(make_app, studydeck_home):
    from studydeck.config import load_config

    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        assert not app.current_theme.dark
    assert load_config(str(studydeck_home)).theme == "textual-light"
    again = create_app(str(studydeck_home), load_config(str(studydeck_home)), app_loaded(app))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"


def app_loaded(app):
    from types import SimpleNamespace

    return SimpleNamespace(decks=app.decks, problems=app.problems)


def app_bindings():
    from studydeck.tui.app import StudyDeckApp

    return StudyDeckApp


def test_factory_loads_configured_decks_itself(tmp_path, studydeck_home):
    from studydeck.config import Config
    from tests.tui.conftest import write_decks

    folder = write_decks(tmp_path / "d", basics=BASICS)
    app = create_app(str(studydeck_home), Config(bundled_decks=False, deck_folders=(str(folder),)))
    assert [d.id for d in app.decks] == ["basics"]


def _rate_on_days(collection, days_ago, clock, undo_last=False):
    from studydeck.config import Config
    from studydeck.study.clock import to_ms
    from studydeck.study.scheduler import Scheduler

    scheduler = Scheduler(Config(fuzz=False))
    last = None
    for k in days_ago:
        when = clock() - timedelta(days=k)
        before = collection.card_state("basics", "cec")
        outcome = scheduler.review(before, 3, when)
        last = collection.record_review("basics", "cec", to_ms(when), 3, outcome.fsrs_rating, 1000,
                                        before, outcome.after)
    if undo_last:
        collection.undo_review(last, to_ms(clock()))


def test_streak_by_probes_equals_stats_streak(make_app, clock):
    from studydeck.study import stats
    from studydeck.study.clock import local_date
    from studydeck.study.stats import current_streak

    app = make_app(basics=BASICS)
    collection = app.collection
    now = clock()
    def full():
        return stats.streak(stats.reviews_per_day(collection, now - timedelta(days=400), now), local_date(now))

    assert current_streak(collection, now) == full() == 0
    _rate_on_days(collection, [9, 8, 6, 5, 4, 3, 2, 1], clock)
    assert current_streak(collection, now) == full() == 6
    _rate_on_days(collection, [0], clock, undo_last=True)  # an undone review does not count
    assert current_streak(collection, now) == full() == 6
    _rate_on_days(collection, [0, 7], clock)
    assert current_streak(collection, now) == full() == 10


async def test_prefetched_home_numbers_are_the_same(make_app, clock):
    from studydeck.tui.screens.home import home_numbers

    app = make_app(basics=BASICS)
    _rate_on_days(app.collection, [2, 1], clock)
    app.prefetch_home_numbers()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app._prefetch is None  # taken by the home screen
        assert "Streak: 2 days" in plain(app.screen.query_one("#today"))
        app.prefetch_home_numbers()
        fetched = app.take_prefetched_numbers()
        assert fetched == home_numbers(app.collection, app.decks, app.config, clock())


async def test_home_paints_the_decks_first_and_counts_after(make_app, clock):
    """At start-up (run_app) the home screen is painted with the decks and their
    numbers pending; a thread reads the numbers after the paint and they fill in."""
    from studydeck.tui.screens.home import home_numbers

    app = make_app(basics=BASICS, mixed=MIXED)
    _rate_on_days(app.collection, [2, 1], clock)
    app.count_after_paint = True
    painted = []
    app.mark_painted = lambda: painted.append((plain(app.screen.query_one("#today")),
                                               list(app.screen.query_one(DeckTable).rows)))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(500):
            await pilot.pause(0.01)
            if "Streak" in plain(app.screen.query_one("#today")):
                break
        [(line, rows)] = painted
        assert "Counting" in line and [cells[1:] for _id, cells in rows] == [("…",) * 4] * 2
        assert "Streak: 2 days" in plain(app.screen.query_one("#today")) and app._prefetch is None
        expected = home_numbers(app.collection, app.decks, app.config, clock()).today
        assert app.screen.query_one(DeckTable).rows == [
            (c.deck, (c.title, c.new, c.learning, c.review, c.unseen)) for c in expected.decks]


async def test_deck_table_keys_and_click(make_app):
    app = make_app(basics=BASICS, mixed=MIXED)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(DeckTable)
        await pilot.press("down", "down", "up", "j")
        assert table.chosen == "mixed"
        await pilot.press("home")
        assert table.chosen == "basics"
        await pilot.click(DeckTable, offset=(3, 2))  # the second deck's row, under the header
        await pilot.pause()
        assert type(app.screen).__name__ == "StudyScreen"
        assert app.screen.card.deck_id == "mixed"


def test_no_color_is_respected(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(basics=BASICS)
    assert app.no_color  # Textual then renders without colour; shapes carry the meaning


async def test_free_drill_kinds_picker(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        drills_screen = app.screen
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert type(app.screen).__name__ == "KindsScreen"
        await pilot.press("ctrl+n", "space", "escape")  # none, then the first kind only
        await pilot.pause()
        assert app.screen is drills_screen
        first = drills_screen.kinds[0]
        assert drills_screen.chosen == [first]
        assert drills_screen.query_one("DrillView").question.kind == first
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert drills_screen.query_one("DrillView").question.kind == first


async def test_home_reload_picks_up_a_new_deck_file(make_app, tmp_path):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        (tmp_path / "decks" / "mixed.yaml").write_text(MIXED, encoding="utf-8")
        await pilot.press("r")
        await pilot.pause()
        table = app.screen.query_one(DeckTable)
        assert [deck for deck, _ in table.rows] == ["basics", "mixed"]


async def test_lab_keys_zero_reset_bias_and_length(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        lab = app.screen
        await pilot.press("0")
        assert lab.values["x"][0] == 0.0
        await pilot.press("r")
        assert lab.values["x"] == [0.5, -1.0]
        await pilot.press("f")  # only in the gradient view
        assert lab.forget_bias == 2.0
        await pilot.press("t", "f")
        await pilot.pause()
        assert lab.forget_bias == 3.0
        _, strong = lab.gradient_norms()
        await pilot.press("f")
        await pilot.pause()
        assert lab.forget_bias == 0.0
        _, none = lab.gradient_norms()
        assert strong[0] > none[0]  # a larger forget bias keeps more of the early gradient
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket",
                          "left_square_bracket")
        assert lab.length == 10
        await pilot.press("t", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_free_drill_enter_outside_the_box_checks_and_pgdn_scrolls(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        view = screen.query_one("DrillView")
        first = view.question
        body = view.query_one(".drill-body")
        assert app.focused is view.input and body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0 and app.focused is view.input
        await pilot.press("tab", "enter")  # focus cannot leave the box; Enter checks, never skips
        await pilot.pause()
        assert view.question is first and screen.asked == 0
        # an empty answer is a request for the first hint, not a skip
        assert "Hint 1/" in plain(view.query_one(".drill-solution"), width=300)
        await pilot.press(*"not a number", "enter")
        await pilot.pause()
        assert view.question is first and screen.asked == 0
        assert "Could not read that" in plain(view.query_one(".drill-verdict"))


NOTED = BASICS.replace("title: LSTM basics\n", "title: LSTM basics\ndescription: |\n  ## Read me first\n\n"
                       "  The **cell state** is the long-term memory.\n")


async def test_n_opens_the_deck_notes_from_home_and_study(make_app):
    app = make_app(basics=NOTED)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ == "NotesScreen"
        assert "long-term memory" in plain(app.screen.query_one("#notes"), width=80)
        await pilot.press("escape", "enter", "n")
        await pilot.pause()
        assert type(app.screen).__name__ == "NotesScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "StudyScreen"


def test_plain_notes_command(tmp_path):
    import subprocess
    import sys

    from tests.tui.conftest import write_decks

    folder = write_decks(tmp_path / "decks", basics=NOTED)
    env = {"STUDYDECK_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "studydeck", "notes", "basics", "--no-bundled", "--deck-dir",
                           str(folder)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("LSTM basics\n===========\n") and "The cell state is the long-term memory." in proc.stdout


async def test_study_now_opens_the_session_with_home_beneath(tmp_path, studydeck_home, clock):
    from studydeck.config import Config
    from studydeck.deckfile.load import load_decks
    from tests.tui.conftest import write_decks

    folder = write_decks(tmp_path / "decks", basics=BASICS, mixed=MIXED)
    config = Config(bundled_decks=False, deck_folders=(str(folder),), fuzz=False)
    app = create_app(str(studydeck_home), config, load_decks([folder]), ["mixed"], clock=clock, seed=1,
                     cursor_blink=False, study_now=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "StudyScreen" and app.screen.card.deck_id == "mixed"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_lab_plots_fit_when_the_key_panel_takes_room(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("l", "t", "right_square_bracket", "right_square_bracket")
        app.action_show_help_panel()
        await pilot.pause()
        await pilot.pause()
        for plot in app.screen.query(".lab-plot"):
            lines = plot.render().plain.splitlines()
            assert max(len(line) for line in lines) <= plot.content_size.width, plot.id
            assert len(lines) <= plot.content_size.height
            assert lines[-1].lstrip().startswith("t 0") and "30" in lines[-1]   # the time axis, whole


async def test_enter_on_an_empty_drill_answer_shows_the_next_hint(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        view = app.screen.query_one("DrillView")
        hints = view.question.hints
        assert hints
        await pilot.press("enter")
        await pilot.pause()
        shown = plain(view.query_one(".drill-solution"), width=300)
        assert f"Hint 1/{len(hints)}" in shown and hints[0].splitlines()[0] in shown
        assert not view.answered and app.screen.asked == 0 and app.focused is view.input
        for _ in hints:
            await pilot.press("enter")
            await pilot.pause()
        assert "No more hints" in plain(view.query_one(".drill-solution"), width=300)
        assert not view.answered


async def test_home_table_draws_the_rows_that_fit_and_follows_the_cursor(make_app):
    """Forty decks at 80x24: a screenful of rows is drawn, the window follows the
    cursor to the last deck and back, and a click picks the row it lands on."""
    decks = {f"d{k:02d}": f"deck: d{k:02d}\ntitle: Deck {k:02d}\ncards:\n  - {{id: a, front: q, back: b}}\n"
             for k in range(40)}
    app = make_app(**decks)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DeckTable)
        table.focus()
        await pilot.pause()
        shown = plain(table)
        assert "Deck 00" in shown and "Deck 39" not in shown
        assert len(shown.strip().splitlines()) - 1 == table.size.height - 1 < 40
        await pilot.press("end")
        await pilot.pause()
        shown = plain(table)
        assert "Deck 39" in shown and "Deck 00" not in shown and table.chosen == "d39"
        await pilot.press("home")
        await pilot.pause()
        assert "Deck 00" in plain(table) and table.top == 0
        await pilot.press("end")
        await pilot.pause()
        second = table.rows[table.top + 1][0]
        await pilot.click(DeckTable, offset=(3, 2))  # the second row drawn
        await pilot.pause()
        assert type(app.screen).__name__ == "StudyScreen" and app.screen.card.deck_id == second
