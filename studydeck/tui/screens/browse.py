"""The browser: find cards with the query language, see one card and its history, act on it.

A search box (the language of docs/query.md), a table of the matching cards
(click a header to sort by it), and a side panel with the highlighted card and
its history.  Keys act on the highlighted card: ``s`` suspend/unsuspend, ``b``
bury/unbury, ``f`` next flag, ``x`` forget, ``e`` edit in $EDITOR, ``u`` undo the
last action of any kind; ``t`` studies the matches (a custom session).  Every
number comes from :mod:`studydeck.study.browse`, as ``studydeck cards`` prints it.
"""

from __future__ import annotations

from rich.console import Group
from rich.markdown import Markdown
from rich.rule import Rule
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from studydeck.store import NEW
from studydeck.study import browse
from studydeck.study.query import QueryError
from studydeck.study.scheduler import LABELS, state_name
from studydeck.study.clock import format_interval, from_ms, to_ms
from studydeck.tui.keys import static_bar

SHOWN = 500   # rows in the table; the status line says when there are more
FIRST_ROWS = 30   # rows added before the first paint; the rest follow in chunks after it
CHUNK = 100
CARD_WIDTH = 18   # the table fits 80 columns beside the side panel
COLUMNS = (("card", "Card", CARD_WIDTH), ("state", "State", 7), ("due", "Due", 4), ("ivl", "Ivl", 4),
           ("lapses", "Lap", 3), ("flag", "F", 1))
SHORT_STATE = {"learning": "learn", "relearning": "relearn"}
_SORT_KEYS = {
    "card": lambda f: f.card.key,
    "state": lambda f: (f.row.suspended, f.row.state),
    "due": lambda f: (f.row.state == NEW, f.row.due),
    "ivl": lambda f: (f.row.interval_days() is None, f.row.interval_days() or 0),
    "lapses": lambda f: f.row.lapses,
    "flag": lambda f: f.row.flag,
}


class BrowseScreen(Screen):
    BINDINGS = [
        Binding("slash", "focus_search", "search", key_display="/",
                tooltip="the search box (docs/query.md); Enter runs the search"),
        Binding("s", "toggle('suspend')", "suspend", tooltip="suspend or unsuspend the card"),
        Binding("b", "toggle('bury')", "bury", tooltip="bury or unbury the card"),
        Binding("f", "flag", "flag", tooltip="the card's next flag (1-4, then none)"),
        Binding("x", "forget", "forget", tooltip="forget: the card is new again, its history stays"),
        # u (undo) and e (edit) are left out of the key line: 80 columns hold no more
        Binding("u,ctrl+z", "undo", "undo", key_display="u", show=False, tooltip="undo the last action, whatever it was"),
        Binding("t", "study_these", "study", tooltip="study the matching cards (suspended and buried left out)"),
        Binding("e", "edit", "edit", show=False, tooltip="edit the card in $EDITOR at its line, then reload"),
        Binding("escape", "leave", "home", tooltip="back home"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query
        self.found: list[browse.Found] = []
        self.ctx = None
        self.total = 0
        self.sort_column: str | None = None
        self.sort_reverse = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Input(value=self.query_text, placeholder="search: deck:lstm* is:due -tag:easy \"forget gate\"",
                    id="browse-search")
        with Horizontal(id="browse-body"):
            yield DataTable(id="browse-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="browse-side"):
                yield Static(id="browse-card")
        yield Static(id="browse-status")
        # a key bar rather than a Footer, as on home: this screen must paint about as fast
        yield Static(static_bar(self.BINDINGS), id="browse-keys")

    def on_mount(self) -> None:
        self.sub_title = "Browse"
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        self.run_query()
        table.focus()
        self.call_after_refresh(self.app.mark_painted)   # benchmarks/bench_browse.py

    # -- searching ---------------------------------------------------------
    def run_query(self, keep_row: int = 0) -> None:
        app = self.app
        status = self.query_one("#browse-status", Static)
        try:
            found, self.ctx = browse.find(app.collection, app.decks, app.config, self.query_text, app.clock(),
                                          sort="deck", limit=SHOWN + 1)
        except QueryError as exc:
            status.update(Text(f"Query error: {exc}", style="bold red"))
            return
        self.total = len(found)
        self.found = found[:SHOWN]
        if self.sort_column is not None:
            self.found.sort(key=_SORT_KEYS[self.sort_column], reverse=self.sort_reverse)
        self._fill(keep_row)

    def _fill(self, keep_row: int = 0) -> None:
        """Show ``self.found``: a screenful of rows now, the rest in chunks after each paint
        (a DataTable measures every row it is given, ~1 ms a row)."""
        table = self.query_one(DataTable)
        table.clear()
        self._generation = getattr(self, "_generation", 0) + 1
        first = max(FIRST_ROWS, keep_row + 1)
        self._add_rows(0, first, self._generation)
        if self.found:
            table.move_cursor(row=min(keep_row, len(self.found) - 1))
        more = f" (the first {SHOWN} shown; narrow the search)" if self.total > SHOWN else ""
        count = f"{min(self.total, SHOWN)}{'+' if self.total > SHOWN else ''}"
        self.query_one("#browse-status", Static).update(
            f"{count} card{'s' if self.total != 1 else ''}{more}")
        self._show_side()

    def _add_rows(self, start: int, stop: int, generation: int) -> None:
        if generation != self._generation:   # a newer search has replaced these rows
            return
        table = self.query_one(DataTable)
        for f in self.found[start:stop]:
            table.add_row(*self._cells(f), key=f"{f.card.deck_id}/{f.card.card_id}")
        if stop < len(self.found):
            self.call_after_refresh(self._add_rows, stop, stop + CHUNK, generation)

    def _cells(self, f: browse.Found) -> tuple:
        row, ctx = f.row, self.ctx
        state = SHORT_STATE.get(state_name(row.state), state_name(row.state))
        if row.suspended:
            state = "susp"
        elif row.buried(ctx.now_ms):
            state = "buried"
        ivl = row.interval_days()
        due = "" if row.state == NEW else format_interval(from_ms(row.due) - from_ms(ctx.now_ms)) \
            if row.due > ctx.now_ms else "now"
        name = f"{f.card.deck_id}/{f.card.card_id}"
        if len(name) > CARD_WIDTH:
            name = name[: CARD_WIDTH - 1] + "…"
        return (name, state, due, "" if ivl is None else f"{ivl}d",
                str(row.lapses), str(row.flag or ""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_text = event.value
        self.run_query()
        if self.found:
            self.query_one(DataTable).focus()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        self.sort_reverse = not self.sort_reverse if self.sort_column == column else False
        self.sort_column = column
        self.found.sort(key=_SORT_KEYS[column], reverse=self.sort_reverse)
        self._fill()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_side()

    # -- the side panel ------------------------------------------------------
    @property
    def current(self) -> browse.Found | None:
        table = self.query_one(DataTable)
        if not self.found or table.cursor_row < 0 or table.cursor_row >= len(self.found):
            return None
        return self.found[table.cursor_row]

    def _show_side(self) -> None:
        panel = self.query_one("#browse-card", Static)
        f = self.current
        if f is None:
            panel.update("No card matches.")
            return
        card, row, ctx = f.card, f.row, self.ctx
        text = Text()
        text.append(f"{card.deck_id}/{card.card_id}\n", style="bold")
        text.append(f"{f.status(ctx)} · {card.type}")
        if row.flag:
            text.append(f" · flag {row.flag}")
        text.append("\n")
        head, text = text, Text()
        if row.state != 0 and row.stability is not None:
            r = f.retrievability(ctx)
            text.append(f"due {browse.local_time(row.due)}\nS {row.stability:.1f}d · D {row.difficulty:.1f}"
                        f" · R {'-' if r is None else f'{r:.0%}'}\n")
        text.append(f"reps {row.reps} · lapses {row.lapses}\n\n")
        lines = browse.history(self.app.collection, card)
        text.append("History\n" if lines else "No reviews yet.\n", style="bold")
        for line in lines:
            when = browse.local_time(line.at)[:10]
            if line.what == "review":
                gave = format_interval(from_ms(line.at + line.interval_ms) - from_ms(line.at))
                text.append(f"{when} {line.rating} {LABELS[line.rating]} → {gave}\n")
            elif line.what == "cram":
                text.append(f"{when} cram {line.rating} {LABELS[line.rating]}\n")
            else:
                text.append(f"{when} {line.what}{' (undone)' if line.undone else ''}\n", style="dim")
        panel.update(Group(head, Markdown(card.front), Rule(style="dim"), Markdown(card.back), Text(), text))

    # -- actions -------------------------------------------------------------
    def _act(self, kind: str, flag: int = 0) -> None:
        f = self.current
        if f is None:
            self.notify("No card is selected.", severity="warning")
            return
        app = self.app
        changed = browse.mark(app.collection, kind, [f.card], app.clock(), app.config, flag=flag,
                              detail=f"{f.card.deck_id}/{f.card.card_id}")
        verb = browse.PAST[kind]
        self.notify(f"{verb.capitalize()} {f.card.deck_id}/{f.card.card_id}." if changed else "Nothing changed.",
                    timeout=2)
        self.run_query(keep_row=self.query_one(DataTable).cursor_row)

    def action_toggle(self, what: str) -> None:
        f = self.current
        if f is None:
            return
        if what == "suspend":
            self._act("unsuspend" if f.row.suspended else "suspend")
        else:
            self._act("unbury" if f.row.buried(self.ctx.now_ms) else "bury")

    def action_flag(self) -> None:
        f = self.current
        if f is not None:
            self._act("flag", (f.row.flag + 1) % 5)

    def action_forget(self) -> None:
        self._act("forget")

    def action_undo(self) -> None:
        from studydeck import store

        undone = store.undo_last(self.app.collection, to_ms(self.app.clock()))
        self.notify(browse.undo_message(undone), timeout=3)
        self.run_query(keep_row=self.query_one(DataTable).cursor_row)

    def action_edit(self) -> None:
        f = self.current
        if f is None:
            return
        app = self.app
        deck = app.deck(f.card.deck_id)
        if deck is None or not deck.path:
            self.notify("This card has no deck file to edit.", severity="warning")
            return
        app.run_editor(deck.path, f.card.line)
        app.reload_decks()
        self.run_query(keep_row=self.query_one(DataTable).cursor_row)
        self.notify("Deck reloaded.", timeout=2)

    def action_study_these(self) -> None:
        cards = [f.card for f in self.found if not f.row.suspended and not f.row.buried(self.ctx.now_ms)]
        if not cards:
            self.notify("No card here to study (suspended and buried cards are left out).", severity="warning")
            return
        wanted = {c.deck_id for c in cards}
        self.app.open_study([d for d in self.app.decks if d.id in wanted], {"cards": cards})

    def action_focus_search(self) -> None:
        self.query_one(Input).focus()

    def action_leave(self) -> None:
        if self.query_one(Input).has_focus and self.found:
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()
