"""The study screen's progress bar: cards done out of the session's cards.

Drawn as Textual's ProgressBar draws its bar (the same renderable and
colours), in one widget with no timer: Textual's ProgressBar keeps an ETA
clock ticking every second and is three widgets deep, which the study screen,
redrawn after every rating, has no use for.
"""

from __future__ import annotations

from rich.style import Style
from textual.renderables.bar import Bar
from textual.widget import Widget


class SessionBar(Widget):
    """``done`` of ``total`` as a bar filling the widget's width."""

    COMPONENT_CLASSES = {"bar--bar", "bar--complete"}
    DEFAULT_CSS = """
    SessionBar {
        height: 1;
        &> .bar--bar { color: $primary; background: $surface; }
        &> .bar--complete { color: $success; background: $surface; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.done = 0
        self.total = 1

    def show(self, done: int, total: int) -> None:
        total = max(total, 1)
        if (done, total) != (self.done, self.total):
            self.done, self.total = done, total
            self.refresh()

    def render(self) -> Bar:
        fraction = min(max(self.done / self.total, 0.0), 1.0)
        halves = self.content_size.width * 2  # to the half cell, as Textual's Bar rounds
        fraction = int(fraction * halves) / halves if halves else fraction
        style = self.get_component_rich_style("bar--bar" if fraction < 1 else "bar--complete")
        return Bar(highlight_range=(0, self.content_size.width * fraction),
                   highlight_style=Style.from_color(style.color),
                   background_style=Style.from_color(style.bgcolor))
