"""The help screen: every key of every screen, from one table.

``KEYS`` is the one list of keys; the README's keys table is written from it.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: dict[str, list[tuple[str, str]]] = {
    "Everywhere": [
        ("?", "this help"),
        ("ctrl+p", "command palette: study, drills, stats, lab, theme"),
        ("ctrl+q", "quit"),
    ],
    "Home": [
        ("↑ / ↓", "choose a deck"),
        ("Enter", "study the chosen deck"),
        ("a", "study everything due"),
        ("b", "browse: find cards, suspend, bury, flag, forget"),
        ("d", "drills"),
        ("s", "stats"),
        ("l", "the LSTM lab"),
        ("r", "reload the deck files"),
        ("q", "quit"),
    ],
    "Study": [
        ("Space / Enter", "show the answer; after a wrong answer, the next card"),
        ("1 – 5", "rate: Not at all, Barely, With effort, Well, Perfectly"),
        ("a – f", "pick an option on a choice card (a wrong pick is rated 1)"),
        ("Enter", "after a right drill or choice answer: rate 4"),
        ("u / ctrl+z", "undo the last rating"),
        ("e", "edit the card in $EDITOR at its line, then reload the deck"),
        ("Esc / q", "back home (ratings are already saved)"),
    ],
    "Browse": [
        ("/", "the search box (docs/query.md); Enter runs the search"),
        ("↑ / ↓", "choose a card; its text and history show on the right"),
        ("s / b", "suspend or unsuspend; bury or unbury the card"),
        ("f", "the card's next flag (1-4, then none)"),
        ("x", "forget: the card is new again, its history stays"),
        ("e", "edit the card in $EDITOR at its line, then reload"),
        ("u / ctrl+z", "undo the last action, whatever it was"),
        ("t", "study the matching cards (suspended and buried left out)"),
        ("click a header", "sort by that column (again: reverse)"),
        ("Esc", "back home"),
    ],
    "Drills": [
        ("Enter", "check the answer; then the next question"),
        ("ctrl+n", "skip to the next question"),
        ("ctrl+t", "pick the kinds (Space toggles, ctrl+a all, ctrl+n none, Esc done)"),
        ("Esc", "back home"),
    ],
    "Stats": [
        ("Esc / q", "back home"),
    ],
    "Lab": [
        ("t", "switch between the live cell and the gradient plot"),
        ("f", "gradient view: change the LSTM's forget-gate bias (0, 1, 2, 3)"),
        ("↑ / ↓ / k / j", "choose an input or state value (x, h_prev, c_prev)"),
        ("← / → / - / +", "nudge the chosen value by 0.1"),
        ("0", "set the chosen value to 0"),
        ("r", "reset the inputs; in the gradient view: a new sequence"),
        ("[ / ]", "gradient view: shorter or longer sequence"),
        ("Esc / q", "back home"),
    ],
}


def keys_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for section, rows in KEYS.items():
        table.add_row(Text(section, style="bold underline"), "")
        for key, what in rows:
            table.add_row(key, what)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold"))
            yield Static(keys_table())
