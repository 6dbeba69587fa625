"""Pilot tests of the study screen: reveal, rate 1-5, undo, choice and drill
cards, editing a card; every check ends on the collection itself."""

from __future__ import annotations

import sys
import textwrap

from studydeck.tui.widgets.card_text import CardText

from studydeck.study.scheduler import LABELS
from tests.tui.conftest import BASICS, DRILLS, MIXED, plain, reviews

SIZE = (100, 30)


def front_text(screen) -> str:
    return screen.query_one("#front", CardText).source


async def open_deck(pilot, deck_id: str) -> None:
    """From home, move the table cursor to ``deck_id`` and press Enter."""
    from studydeck.tui.widgets.deck_table import DeckTable

    table = pilot.app.screen.query_one(DeckTable)
    row = [deck for deck, _ in table.rows].index(deck_id)
    await pilot.press(*["down"] * row, "enter")
    await pilot.pause()


async def test_reveal_rate_each_rating_and_undo(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        screen = app.screen
        assert type(screen).__name__ == "StudyScreen"
        seen = []
        for rating in (1, 2, 3, 4, 5):
            card = screen.card
            seen.append(card.card_id)
            assert front_text(screen) == card.front
            assert screen.phase == "front"
            await pilot.press("space")
            assert screen.phase == "back"
            assert screen.query_one("#back", CardText).source == card.back
            await pilot.press(str(rating))
            await pilot.pause()
            # committed before the next card is painted
            assert reviews(studydeck_home)[-1] == ("basics", card.card_id, rating)
            assert screen.card is None or screen.card.card_id != card.card_id or rating <= 2
        assert [r[2] for r in reviews(studydeck_home)] == [1, 2, 3, 4, 5]
        assert seen == ["forget-gate", "input-gate", "output-gate", "gru-gates", "cec"]

        await pilot.press("u")
        await pilot.pause()
        assert [r[2] for r in reviews(studydeck_home)] == [1, 2, 3, 4]
        assert screen.card.card_id == "cec"
        assert screen.phase == "front"
        await pilot.press("enter", "3")
        await pilot.pause()
        assert reviews(studydeck_home)[-1] == ("basics", "cec", 3)


async def test_rating_bar_shows_labels_and_previews(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        await pilot.press("space")
        screen = app.screen
        previews = screen.session.previews()
        shown = plain(screen.query_one("#ratings"))
        for rating, label in LABELS.items():
            assert f"{rating}  {label}" in shown
            assert previews[rating] in shown


async def test_rating_keys_do_nothing_before_reveal(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        await pilot.press("4", "5")
        await pilot.pause()
        assert reviews(studydeck_home) == []
        assert app.screen.phase == "front"


async def test_cloze_and_choice_cards(make_app, studydeck_home):
    app = make_app(mixed=MIXED)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "mixed")
        screen = app.screen
        assert screen.card.card_id == "cell-update#c1"
        assert "[...]" in front_text(screen)
        await pilot.press("space", "4")
        await pilot.pause()
        # the second deletion is the first one's sibling: buried until tomorrow
        assert screen.card.type == "choice"
        options = screen.options
        wrong = next(k for k, o in enumerate(options) if o != "2")
        await pilot.press("abcd"[wrong])
        await pilot.pause()
        assert reviews(studydeck_home)[-1] == ("mixed", "gru-gate-count", 1)
        assert screen.phase == "feedback"
        # a wrong pick can be undone like any rating, and then answered right
        await pilot.press("u")
        await pilot.pause()
        assert reviews(studydeck_home)[-1][1] == "cell-update#c1"
        assert screen.card.card_id == "gru-gate-count"
        options = screen.options
        await pilot.press("abcd"[options.index("2")])
        await pilot.pause()
        assert screen.phase == "back"
        await pilot.press("2")  # a right pick cannot be rated below 3
        await pilot.pause()
        assert reviews(studydeck_home)[-1][1] == "cell-update#c1"
        await pilot.press("5")
        await pilot.pause()
        assert reviews(studydeck_home)[-1] == ("mixed", "gru-gate-count", 5)


def _answer_text(question) -> str:
    answer = question.answer
    if isinstance(answer, list):
        return "[" + ", ".join(f"{v:.6f}" for v in answer) + "]"
    return f"{answer:.6f}"


def _wrong_text(question) -> str:
    answer = question.answer
    if isinstance(answer, list):
        return "[" + ", ".join(f"{v + 0.5:.6f}" for v in answer) + "]"
    return f"{answer + 0.5:.6f}"


async def test_drill_cards_right_and_wrong(make_app, studydeck_home):
    app = make_app(drills=DRILLS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "drills")
        screen = app.screen
        assert screen.card.card_id == "sig-a"
        question = screen.session.drill_question()

        # unreadable: shown, not counted
        await pilot.press(*"zero point five", "enter")
        await pilot.pause()
        assert reviews(studydeck_home) == []
        assert "Could not read that" in plain(screen.query_one(".drill-verdict"))

        app.screen.query_one(".drill-answer").value = ""
        await pilot.press(*_answer_text(question), "enter")
        await pilot.pause()
        assert screen.phase == "back"
        assert "Worked solution" in plain(screen.query_one(".drill-solution"))
        await pilot.press("enter")  # a right answer: Enter rates 4
        await pilot.pause()
        assert reviews(studydeck_home) == [("drills", "sig-a", 4)]

        assert screen.card.card_id == "sig-b"
        question = screen.session.drill_question()
        await pilot.press(*_wrong_text(question), "enter")
        await pilot.pause()
        assert reviews(studydeck_home)[-1] == ("drills", "sig-b", 1)
        assert screen.phase == "feedback"
        verdict = plain(screen.query_one(".drill-verdict"))
        assert verdict.startswith("✗") and "you gave" in verdict
        await pilot.press("space")
        await pilot.pause()
        assert screen.phase in ("front", "done")


async def test_drill_card_with_cell_draws_the_cell(make_app):
    app = make_app(mixed=MIXED)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "mixed")
        screen = app.screen
        await pilot.press("space", "4")   # the cloze's second deletion is buried
        await pilot.pause()
        options = screen.options
        await pilot.press("abcd"[options.index("2")], "4")
        await pilot.pause()
        assert screen.card.card_id == "drill-forget"
        question = screen.session.drill_question()
        cell = plain(screen.query_one(".drill-cell"))
        assert "c_prev" in cell and "h'" in cell
        await pilot.press(*_answer_text(question), "enter")
        await pilot.pause()
        cell = plain(screen.query_one(".drill-cell"))
        assert f"{question.answer[0]:6.2f}" in cell


async def test_summary_at_the_end(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        for _ in range(5):
            await pilot.press("space", "5")
        await pilot.pause()
        screen = app.screen
        assert screen.phase == "done"
        summary = plain(screen.query_one("#summary"))
        assert "Cards reviewed   5" in summary
        assert "Retention        100%" in summary
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_edit_opens_editor_at_line_and_reloads(make_app, tmp_path):
    log = tmp_path / "editor-args.txt"
    script = tmp_path / "fake_editor.py"
    script.write_text(textwrap.dedent(f"""\
        import sys, pathlib
        line, path = sys.argv[1], pathlib.Path(sys.argv[-1])
        pathlib.Path({str(log)!r}).write_text(line + " " + str(path))
        path.write_text(path.read_text().replace("**forget gate**", "**forget gate** (edited)"))
        """))
    app = make_app(basics=BASICS, editor=f"{sys.executable} {script}")
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        await pilot.press("e")
        await pilot.pause()
        line, path = log.read_text().split(" ", 1)
        assert line == "+4" and path.endswith("basics.yaml")
        assert "(edited)" in front_text(app.screen)


SIX = """\
deck: six
title: Six options
cards:
  - id: six
    type: choice
    front: Which of these is a gate of the LSTM?
    choices: ["reset", "update", "forget", "carry", "attention", "memory"]
    answer: "forget"
    extra: The forget gate scales the previous cell state.
  - id: next
    front: Next card
    back: Back
"""


async def test_e_picks_on_a_six_option_card_and_ctrl_e_edits(make_app, tmp_path, studydeck_home):
    log = tmp_path / "edited.txt"
    script = tmp_path / "fake_editor.py"
    script.write_text(f"import pathlib, sys\npathlib.Path({str(log)!r}).write_text(sys.argv[1])\n")
    app = make_app(six=SIX, editor=f"{sys.executable} {script}")
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "six")
        screen = app.screen
        hint = plain(screen.query_one("#hint"))
        assert "a-f  pick" in hint and "^e  edit" in hint and " e  edit" not in hint
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert log.read_text() == "+4"
        assert screen.phase == "front" and reviews(studydeck_home) == []
        await pilot.press("e")
        await pilot.pause()
        picked = screen.options[4]
        assert reviews(studydeck_home) == ([("six", "six", 1)] if picked != "forget" else [])


async def test_space_and_enter_rate_4_once_the_answer_is_shown(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        await pilot.press("space")
        assert "space  rate 4" in plain(app.screen.query_one("#hint"))
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert [r[2] for r in reviews(studydeck_home)] == [4, 4]


async def test_undo_with_nothing_to_undo_says_so(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        await pilot.press("u")
        await pilot.pause()
        assert "Nothing to undo." in [n.message for n in app._notifications]
        assert app.screen.phase == "front"


async def test_nothing_due_says_why_and_m_studies_more_new_cards(tmp_path, studydeck_home, clock):
    from studydeck.config import Config
    from studydeck.deckfile.load import load_decks
    from studydeck.tui.app import create_app
    from tests.tui.conftest import write_decks

    folder = write_decks(tmp_path / "decks", basics=BASICS)
    config = Config(bundled_decks=False, deck_folders=(str(folder),), fuzz=False, new_per_day=2)
    loaded = load_decks(config.deck_paths(), cache_dir=studydeck_home / "cache")
    app = create_app(str(studydeck_home), config, loaded, clock=clock, seed=1, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        table = plain(app.screen.query_one("#decks"))
        assert "New" in table and "Unseen" in table
        assert app.screen.query_one("#decks").rows[0][1][1:] == (2, 0, 0, 5)  # new today, learn, review, unseen
        await open_deck(pilot, "basics")
        screen = app.screen
        assert plain(screen.query_one("#position")).startswith("2 new · 0 learning · 0 review")
        await pilot.press("space", "5", "space", "5")
        await pilot.pause()
        summary = plain(screen.query_one("#summary"))
        assert "The day's limit of 2 new cards is reached; 3 more are unseen." in summary
        assert "You can study 2 more new cards today." in summary
        assert "m  more new cards" in plain(screen.query_one("#hint"))
        await pilot.press("m")
        await pilot.pause()
        assert screen.phase == "front" and screen.card.card_id == "output-gate"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#decks").rows[0][1][1:] == (0, 0, 0, 3)
        assert "To study: 0 new" in plain(app.screen.query_one("#today"))


async def test_a_file_broken_by_an_edit_shows_its_error_and_keeps_the_decks(make_app, tmp_path):
    script = tmp_path / "breaking_editor.py"
    script.write_text("import pathlib, sys\npath = pathlib.Path(sys.argv[-1])\n"
                      "path.write_text(path.read_text().replace('    front: What does the **forget', "
                      "'    fornt: What does the **forget'))\n")
    app = make_app(basics=BASICS, mixed=MIXED, editor=f"{sys.executable} {script}")
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        await pilot.press("e")
        await pilot.pause()
        messages = " ".join(n.message for n in app._notifications)
        assert "basics.yaml:5:" in messages and "unknown key 'fornt'" in messages
        assert app.screen.card.card_id == "forget-gate"          # studying the last good version
        await pilot.press("space", "4")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one("#decks")
        assert [deck for deck, _ in table.rows] == ["basics", "mixed"]
        assert "unknown key 'fornt'" in plain(app.screen.query_one("#deck-errors"), width=300)


def _app_with(tmp_path, studydeck_home, clock, **settings):
    from studydeck.config import Config
    from studydeck.deckfile.load import load_decks
    from studydeck.tui.app import create_app
    from tests.tui.conftest import write_decks

    folder = write_decks(tmp_path / "decks", basics=BASICS)
    config = Config(bundled_decks=False, deck_folders=(str(folder),), fuzz=False, **settings)
    loaded = load_decks(config.deck_paths(), cache_dir=studydeck_home / "cache")
    return create_app(str(studydeck_home), config, loaded, clock=clock, seed=1, cursor_blink=False)


async def test_the_end_says_when_the_next_learning_card_is_due_and_it_is_learned_ahead_20_minutes_early(
        tmp_path, studydeck_home, clock):
    from datetime import timedelta

    from studydeck.study.clock import from_ms

    app = _app_with(tmp_path, studydeck_home, clock, new_per_day=1, learning_steps=("30m", "1h"))
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        screen = app.screen
        assert plain(screen.query_one("#position")).startswith("1 new · 0 learning · 0 review")
        await pilot.press("space", "3")  # into the 30-minute step: beyond the 20-minute learn-ahead
        await pilot.pause()
        assert screen.phase == "done"
        due = from_ms(app.collection.card_state("basics", "forget-gate").due)
        assert due - clock() >= timedelta(minutes=30)
        summary = plain(screen.query_one("#summary"), width=200)
        assert f"The next learning card is due at {due.astimezone():%H:%M}" in summary

        for before, shown in ((timedelta(minutes=21), False), (timedelta(minutes=19), True)):
            clock.now = due - before
            await pilot.press("escape")
            await pilot.pause()
            await open_deck(pilot, "basics")
            screen = app.screen
            if shown:  # due within 20 minutes: shown now, counted as learning
                assert screen.card.card_id == "forget-gate"
                assert plain(screen.query_one("#position")).startswith("0 new · 1 learning · 0 review")
            else:
                assert screen.phase == "done"
                assert "Nothing due here now." in plain(screen.query_one("#summary"), width=200)


async def test_the_interval_previewed_is_the_interval_saved(make_app, studydeck_home):
    from studydeck.study.clock import format_interval, from_ms

    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        screen = app.screen
        for rating in (1, 4, 5):
            await pilot.press("space")
            await pilot.pause()
            card = screen.card
            preview = screen.session.previews()[rating]
            assert preview in plain(screen.query_one("#ratings"))
            now = screen.session.clock()
            await pilot.press(str(rating))
            await pilot.pause()
            saved = from_ms(app.collection.card_state(card.deck_id, card.card_id).due)
            assert format_interval(saved - now) == preview, (rating, preview)


async def test_a_wrong_choice_says_the_interval_it_saved(make_app, studydeck_home):
    from studydeck.study.clock import format_interval, from_ms

    app = make_app(mixed=MIXED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "space", "4")  # past the cloze to the choice card
        await pilot.pause()
        screen = app.screen
        assert screen.card.type == "choice"
        now = screen.session.clock()
        await pilot.press("abcd"[next(k for k, o in enumerate(screen.options) if o != screen.card.answer)])
        await pilot.pause()
        saved = from_ms(app.collection.card_state("mixed", "gru-gate-count").due)
        assert f"Saved: 1 Not at all → next review in {format_interval(saved - now)}." in plain(
            screen.query_one("#hint"), width=200)


async def test_the_drill_verdict_echoes_the_answer_as_typed(make_app, studydeck_home):
    app = make_app(drills=DRILLS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "drills")
        screen = app.screen
        question = screen.session.drill_question()
        typed = f"{question.answer * 10:.6f}e-1"  # right, written as no one would print it
        await pilot.press(*typed, "enter")
        await pilot.pause()
        verdict = plain(screen.query_one(".drill-verdict"), width=200)
        assert verdict.startswith("✓") and f"you gave {typed} ·" in verdict, verdict


async def test_counts_in_words_are_singular_for_one(tmp_path, studydeck_home, clock):
    app = _app_with(tmp_path, studydeck_home, clock, new_per_day=1)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        await pilot.press("space", "5")
        await pilot.pause()
        screen = app.screen
        assert screen.phase == "done"
        assert plain(screen.query_one("#position")).endswith("· 1 card reviewed\n")
        summary = plain(screen.query_one("#summary"), width=200)
        assert "The day's limit of 1 new card is reached; 4 more are unseen." in summary
        assert "You can study 1 more new card today." in summary
        await pilot.press("m")
        await pilot.pause()
        assert "1 more new card today." in [n.message for n in app._notifications]
