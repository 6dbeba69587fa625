"""Worked-solution text wrapped at the width it is shown at, each long line hanging under itself.

A solution line such as ``a_f[0] = W_if[0]·x + b_if[0] + ...`` that is wider
than the screen continues under ``W_if``, and a continuation line
``       = (0.1·0.2 + ...) + ...`` continues under its value, so the columns
of a calculation stay aligned at 80 columns.  Prose continues two spaces in.
"""

from __future__ import annotations

import textwrap

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

MAX_HANG = 0.5  # a hanging indent deeper than this share of the width falls back to two spaces


def hang_of(line: str) -> int:
    """Where the continuation of ``line`` starts: under the value of its first `` = ``
    (or of a leading ``= ``), else two spaces in from the line's own indent."""
    lead = len(line) - len(line.lstrip(" "))
    if line.startswith("= ", lead):
        return lead + 2
    equals = line.find(" = ", lead)
    if equals >= 0:
        return equals + 3
    return lead + 2


def wrap_hanging(line: str, width: int) -> list[str]:
    """``line`` cut at spaces into pieces of at most ``width`` columns, the pieces after
    the first indented by :func:`hang_of` (never more than half the width); a word wider
    than the width is cut.  Tabs count as spaces to the next multiple of 8."""
    line = line.expandtabs()
    if len(line) <= width or width < 2:
        return [line]
    hang = hang_of(line)
    if hang > width * MAX_HANG:
        lead = len(line) - len(line.lstrip(" "))
        hang = min(lead + 2, int(width * MAX_HANG))
    return textwrap.wrap(line, width, subsequent_indent=" " * hang, break_on_hyphens=False,
                         drop_whitespace=True) or [line]


class HangingText:
    """Styled blocks of lines, rendered with :func:`wrap_hanging` at the width given."""

    def __init__(self, *blocks: tuple[str, str]) -> None:
        self.blocks = blocks  # (text, style); a text may hold many lines

    def _lines(self) -> list[tuple[str, str]]:
        return [(line, style) for text, style in self.blocks for line in text.split("\n")]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for line, style in self._lines():
            if cell_len(line) != len(line):  # wide characters: Rich wraps by cells, without the hang
                yield Text(line, style=style)
                continue
            for piece in wrap_hanging(line, width):
                yield Text(piece, style=style, overflow="fold")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((len(line) for line, _ in self._lines()), default=0)
        return Measurement(min(widest, 8), min(widest, options.max_width))
