"""The browser (`b` on home): search, sort, the side panel, actions, undo, study these; and its snapshot."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from studydeck.store import open_collection
from studydeck.tui.screens.browse import BrowseScreen
from tests.tui.conftest import BASICS, MIXED, plain

SIZE = (80, 24)


def rows(screen) -> list[str]:
    return [f"{f.card.deck_id}/{f.card.card_id}" for f in screen.found]


async def search(pilot, text: str) -> None:
    await pilot.press("slash")
    box = pilot.app.screen.query_one(Input)
    box.value = ""
    await pilot.press(*text, "enter")
    await pilot.pause()


def marks(home):
    with open_collection(home / "collection.sqlite3") as col:
        return col.conn.execute("SELECT card_id, suspended, buried_until > 0, flag FROM cards "
                                "WHERE suspended OR buried_until OR flag ORDER BY card_id").fetchall()


async def test_b_opens_the_browser_and_a_search_filters_the_table(make_app):
    app = make_app(basics=BASICS, mixed=MIXED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert len(rows(screen)) == 5 + 4           # every card: 5 basics, 2 cloze + choice + drill
        await search(pilot, "GATE -deck:mixed")
        assert rows(screen) == ["basics/forget-gate", "basics/input-gate", "basics/output-gate",
                                "basics/gru-gates"]
        assert screen.query_one(DataTable).row_count == 4
        assert "4 cards" in plain(screen.query_one("#browse-status"))
        side = plain(screen.query_one("#browse-card"), width=36)
        assert "basics/forget-gate" in side and "No reviews yet." in side
        await pilot.press("down")
        await pilot.pause()
        assert "basics/input-gate" in plain(screen.query_one("#browse-card"), width=36)


async def test_a_bad_query_names_the_column_and_keeps_the_table(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        await search(pilot, "gate )")
        assert "Query error: unexpected ')' at column 6" in plain(screen.query_one("#browse-status"))
        assert len(rows(screen)) == 5


async def test_actions_change_the_collection_and_undo_puts_them_back(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        await pilot.press("s")                      # suspend basics/forget-gate (the first row)
        await pilot.pause()
        assert marks(studydeck_home) == [("forget-gate", 1, 0, 0)]
        assert "suspended" in plain(screen.query_one("#browse-card"), width=36)
        await pilot.press("down", "b", "f", "f")     # input-gate: buried, flag 2
        await pilot.pause()
        assert marks(studydeck_home) == [("forget-gate", 1, 0, 0), ("input-gate", 0, 1, 2)]
        await pilot.press("u")                       # undo the last flag: 2 -> 1
        await pilot.pause()
        assert marks(studydeck_home)[1] == ("input-gate", 0, 1, 1)
        await pilot.press("s")                       # toggle: suspend input-gate
        await pilot.pause()
        await pilot.press("s")                       # and unsuspend it
        await pilot.pause()
        assert marks(studydeck_home)[1] == ("input-gate", 0, 1, 1)
        await search(pilot, "is:suspended")
        assert rows(screen) == ["basics/forget-gate"]


async def test_headers_sort_and_study_these_starts_a_custom_session(make_app, studydeck_home):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        table.post_message(DataTable.HeaderSelected(table, table.columns[list(table.columns)[0]].key, 0,
                                                    table.columns[list(table.columns)[0]].label))
        await pilot.pause()
        assert rows(screen) == sorted(rows(screen))
        table.post_message(DataTable.HeaderSelected(table, table.columns[list(table.columns)[0]].key, 0,
                                                    table.columns[list(table.columns)[0]].label))
        await pilot.pause()
        assert rows(screen) == sorted(rows(screen), reverse=True)
        await search(pilot, "gate")
        await pilot.press("s")                       # suspend the first match: it is left out of the session
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        session = app.screen.session
        assert session.current.card_id == "input-gate"
        assert session.remaining == 2                # output-gate, gru-gates
        await pilot.press("space", "4")
        await pilot.pause()
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        assert [(r.card_id, r.rating) for r in col.reviews()] == [("input-gate", 4)]


class TestBrowse:
    def test_browse(self, snap_compare, make_app):
        app = make_app(basics=BASICS, mixed=MIXED)

        async def run_before(pilot):
            await pilot.press("b")
            await pilot.pause()
            await search(pilot, "gate")
            await pilot.press("down")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_custom_session_from_the_command_line_opens_straight_into_study(make_app, studydeck_home):
    from studydeck.study.custom import CustomStudy, session_options
    from studydeck.study.session import Session

    app = make_app(basics=BASICS)
    options = session_options(app.collection, app.decks, app.config, app.clock(), CustomStudy(query="gru", cram=True))
    app.start_study = options
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        session = app.screen.session
        assert isinstance(session, Session) and session.cram
        assert session.current.card_id == "gru-gates" and session.remaining == 0
        await pilot.press("space", "5")
        await pilot.pause()
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        assert list(col.reviews()) == []
        assert col.conn.execute("SELECT card_id, rating FROM cram_reviews").fetchall() == [("gru-gates", 5)]


async def test_long_results_fill_in_after_the_first_paint(make_app):
    big = "deck: big\ntitle: Big\ncards:\n" + "".join(
        f"  - id: c{i:03d}\n    front: Question {i}\n    back: Answer {i}\n" for i in range(75))
    app = make_app(big=big)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        for _ in range(5):
            await pilot.pause()
        assert table.row_count == 75
        table.move_cursor(row=74)                   # the last row; an action keeps the cursor there
        await pilot.pause()
        await pilot.press("s")
        for _ in range(5):
            await pilot.pause()
        assert table.cursor_row == 74 and screen.current.card.card_id == "c074"
        assert screen.current.row.suspended
