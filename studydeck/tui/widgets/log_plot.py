"""A log-scale bar plot that draws itself at whatever size it is given.

The lab shows ‖dL/dh_t‖ against t in two of these, side by side.  The
drawing (:func:`studydeck.tui.drawing.plot.log_bars`) is redone on every
resize, so a narrower terminal or an opened key panel pools steps per column
instead of wrapping the plot.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widget import Widget

from studydeck.tui.drawing.plot import log_bars


class LogPlot(Widget):
    DEFAULT_CSS = """
    LogPlot {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.values: list[float] = []
        self.decades = (-1, 0)

    def plot(self, values: Sequence[float], lo: int, hi: int) -> None:
        """Draw ``values`` between 10**lo and 10**hi (shared by plots that are compared)."""
        self.values, self.decades = list(values), (lo, hi)
        self.refresh()

    def render(self):
        size = self.content_size
        lo, hi = self.decades
        return log_bars(self.values, lo, hi, height=max(3, size.height - 2), width=max(12, size.width))
