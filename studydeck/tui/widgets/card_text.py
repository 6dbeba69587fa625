"""A card's front, back or extra: Markdown drawn by Rich inside one Static.

Rich's Markdown renderable (markdown-it underneath, as Textual's Markdown
widget) is laid out in the same pass as the rest of the screen, with no
child widgets to mount and no parser thread, so the next card is on screen
within one frame of the rating (see benchmarks/bench_responsiveness.py).

Rich builds and configures a new markdown-it parser for every Markdown it
makes (about half of the parse time); here one parser, configured as Rich
configures its own, serves every card, and the parsed Markdown of the last
few texts is kept (a parsed Markdown is not changed by drawing it).  Textual
draws a Rich renderable twice for one frame, once to learn its height and
once for its lines; a CardMarkdown keeps what it drew for the last width, so
the second costs nothing.

Layout time grows with the text (a 10,000-row table takes minutes), so a
text longer than ``MAX_CHARS`` characters or ``MAX_LINES`` lines is cut
there, and a line under it says so.
"""

from __future__ import annotations

from collections import OrderedDict

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Markdown
from rich.segment import Segment
from textual.widgets import Static

from studydeck.study.terminal_text import terminal_text

MAX_CHARS = 20_000
MAX_LINES = 300
KEPT = 16  # parsed texts kept: the cards on screen and the ones about to be


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


class CardMarkdown(Markdown):
    """Rich's Markdown, parsed by one shared parser configured as Rich's own."""

    _parser: MarkdownIt | None = None

    def __init__(self, markup: str) -> None:
        parser = CardMarkdown._parser
        if parser is None:  # as rich.markdown.Markdown.__init__ makes it
            parser = CardMarkdown._parser = MarkdownIt().enable("strikethrough").enable("table")
        self.markup = markup
        self.parsed = parser.parse(markup)
        self.code_theme = "monokai"
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = self.code_theme
        self._drawn: tuple[tuple, list[Segment]] | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # What Rich's Markdown draws depends on the console and on these options only
        # (it sets the height to None itself).
        key = (id(console), options.max_width, options.min_width, options.justify, options.overflow,
               options.no_wrap, options.highlight, options.markup, options.ascii_only, options.legacy_windows)
        if self._drawn is None or self._drawn[0] != key:
            segments: list[Segment] = []
            for item in super().__rich_console__(console, options):
                if isinstance(item, Segment):
                    segments.append(item)
                else:  # a renderable: drawn with the same options, as Console.render does
                    segments.extend(console.render(item, options))
            self._drawn = (key, segments)
        return self._drawn[1]


_parsed: OrderedDict[str, CardMarkdown] = OrderedDict()


def card_markdown(source: str) -> CardMarkdown:
    """The parsed Markdown of ``source`` (already capped), from the cache when it is there."""
    markdown = _parsed.get(source)
    if markdown is None:
        markdown = _parsed[source] = CardMarkdown(terminal_text(source))
        if len(_parsed) > KEPT:
            _parsed.popitem(last=False)
    else:
        _parsed.move_to_end(source)
    return markdown


class CardText(Static):
    """Static showing Markdown; ``source`` is the Markdown text shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""

    def show(self, source: str) -> None:
        shown = capped(source)
        if shown == self.source:
            return  # the same text: nothing to draw again
        self.source = shown
        self.update(card_markdown(shown) if shown else "")
