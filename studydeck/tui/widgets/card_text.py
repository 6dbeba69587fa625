"""A card's front, back or extra: Markdown drawn by Rich inside one Static.

Rich's Markdown renderable (markdown-it underneath, as Textual's Markdown
widget) is laid out in the same pass as the rest of the screen, with no
child widgets to mount and no parser thread, so the next card is on screen
within one frame of the rating (see benchmarks/bench_responsiveness.py).
"""

from __future__ import annotations

from rich.markdown import Markdown
from textual.widgets import Static

from studydeck.study.terminal_text import terminal_text


class CardText(Static):
    """Static showing Markdown; ``source`` is the Markdown text shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""

    def show(self, source: str) -> None:
        self.source = source
        self.update(Markdown(terminal_text(source), hyperlinks=False) if source else "")
