"""A card's front, back or extra: Markdown drawn by Rich inside one Static.

Rich's Markdown renderable (markdown-it underneath, as Textual's Markdown
widget) is laid out in the same pass as the rest of the screen, with no
child widgets to mount and no parser thread, so the next card is on screen
within one frame of the rating (see benchmarks/bench_responsiveness.py).

Layout time grows with the text (a 10,000-row table takes minutes), so a
text longer than ``MAX_CHARS`` characters or ``MAX_LINES`` lines is cut
there, and a line under it says so.
"""

from __future__ import annotations

from rich.markdown import Markdown
from textual.widgets import Static

from studydeck.study.terminal_text import terminal_text

MAX_CHARS = 20_000
MAX_LINES = 300


def capped(source: str) -> str:
    """``source``, or its first MAX_LINES lines / MAX_CHARS characters and a note saying it was cut."""
    if len(source) <= MAX_CHARS and source.count("\n") < MAX_LINES:
        return source
    lines = source.split("\n", MAX_LINES)
    cut = "\n".join(lines[:MAX_LINES])[:MAX_CHARS]
    total = source.count("\n") + 1
    return (f"{cut}\n\n---\n\n*This text is cut here: it has {len(source):,} characters in {total:,} lines, "
            f"and the app shows at most {MAX_CHARS:,} characters and {MAX_LINES:,} lines. "
            "Press e to edit the card, or split it.*")



class CardText(Static):
    """Static showing Markdown; ``source`` is the Markdown text shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""

    def show(self, source: str) -> None:
        self.source = capped(source)
        self.update(Markdown(terminal_text(self.source), hyperlinks=False) if source else "")
