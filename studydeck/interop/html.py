"""Card text between Markdown (studydeck) and HTML (Anki), with guards for hostile HTML.

Out: :func:`to_html` renders Markdown with markdown-it-py (the parser Textual
and Rich already use, so Anki shows what the terminal shows), raw HTML in a
deck escaped, a lone paragraph unwrapped.  A one-line text in which no
character can start Markdown syntax (:func:`_is_inert`; 97% of the bundled
decks' fields) takes a quicker way: markdown-it's answer
without its tokenizer, which costs ~100 us a field; a test compares the two.

In: :func:`to_markdown` converts an Anki field with markdownify: ``<br>``
becomes a hard line break (a backslash at the end of the line), lists stay
lists, ``<img>`` becomes a Markdown image whose target the caller chooses.
Before any parsing, :func:`check_field` refuses a field longer than
``MAX_FIELD_CHARS`` or nested deeper than ``MAX_HTML_DEPTH`` (an "HTML bomb":
the parser would recurse past Python's stack).  Text with no markup at all
takes :func:`_plain_to_markdown`, which gives markdownify's answer without
building a parse tree; a test compares the two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from studydeck.interop import html_subset, md_subset

MAX_FIELD_CHARS = 100_000
"""Longest field accepted, in characters (a long card is a few thousand)."""

MAX_HTML_DEPTH = 100
"""Deepest tag nesting accepted; markdownify overflows Python's stack near 400."""

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
_MARKUP_RE = re.compile(r"[<&]")
_NEWLINE_SPACE_RE = re.compile(r"[\t \r\n]*[\r\n][\t \r\n]*")  # as markdownify's own
_SPACE_RE = re.compile(r"[\t ]+")


class FieldError(ValueError):
    """A field refused before parsing; the message says why."""


def check_field(html: str) -> None:
    """Raise :class:`FieldError` for a field too long or nested too deep to convert safely.

    Depth counts what Python's ``html.parser`` (BeautifulSoup's default) would
    build: every open tag that is not void nests until its own close tag.
    """
    if len(html) > MAX_FIELD_CHARS:
        raise FieldError(f"a field of {len(html):,} characters (the limit is {MAX_FIELD_CHARS:,})")
    if "<" not in html:
        return
    open_tags: list[str] = []
    for m in _TAG_RE.finditer(html):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or self_closing:
            continue
        if closing:
            if name in open_tags:
                while open_tags and open_tags.pop() != name:
                    pass
            continue
        open_tags.append(name)
        if len(open_tags) > MAX_HTML_DEPTH:
            raise FieldError(f"HTML nested more than {MAX_HTML_DEPTH} tags deep")


# -- Markdown -> HTML ---------------------------------------------------------

@lru_cache(maxsize=1)
def _markdown_it():
    from markdown_it import MarkdownIt  # deferred: only an export needs it

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _is_inert(text: str) -> bool:
    """True when markdown-it would render ``text`` as one paragraph of plain text.

    Underscores are allowed only right after a letter or digit (``c_t``,
    ``h_(t-1)``): such a run is right-flanking and not after punctuation, so
    CommonMark says it cannot open emphasis, and with no opener none closes.
    """
    # no character that can start inline syntax anywhere (escapes, code, emphasis, links,
    # autolinks, entities, strikethrough) or make more than one paragraph; one `in` each is
    # quicker than a regular expression over a short text
    if (not text or "\\" in text or "`" in text or "*" in text or "[" in text or "]" in text
            or "<" in text or ">" in text or "&" in text or "~" in text or "\n" in text or "\r" in text
            or text[-1].isspace()):
        return False
    if md_subset.starts_block(text):
        return False
    if "_" in text:             # each run of underscores needs a letter or digit before it
        for before in text.split("_")[:-1]:
            if before and not before[-1].isalnum():     # ('' is inside a run; none starts the text)
                return False
    return True


def to_html(markdown: str) -> str:
    """Markdown rendered to HTML for an Anki field; one paragraph comes unwrapped."""
    if not markdown:
        return ""
    if _is_inert(markdown):
        return markdown.replace('"', "&quot;")     # markdown-it's paragraph, unwrapped
    return _to_html(markdown)


@lru_cache(maxsize=4096)
def _to_html(markdown: str) -> str:
    """:func:`to_html` of a text that is not inert, once per distinct text (an ``extra`` is
    often shared): the Markdown subset's quick renderer, else markdown-it."""
    html = (md_subset.render(markdown) or _markdown_it().render(markdown)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


# -- HTML -> Markdown ---------------------------------------------------------

ImageTarget = Callable[[str], "str | None"]
"""Given an ``<img src>``, the Markdown link target to use, or None to keep the alt text only."""


def image_markdown(src: str, image_target: ImageTarget | None) -> str:
    """The Markdown of ``<img src=...>``: an image whose target ``image_target`` chooses,
    or ``[image: name]`` when it gives None."""
    name = src.rsplit("/", 1)[-1]
    target = image_target(src) if image_target else src
    if target is None:
        return f"[image: {name}]"
    if any(c in target for c in " ()<>"):
        target = f"<{target}>"
    return f"![{name}]({target})"


@lru_cache(maxsize=1)
def _converter_class():
    from markdownify import MarkdownConverter  # deferred: only an import needs it

    class Converter(MarkdownConverter):
        """markdownify with studydeck's choices, and images sent to ``image_target``."""

        image_target: ImageTarget | None = None

        def convert_img(self, el, text, parent_tags):
            return image_markdown(el.attrs.get("src") or "", self.image_target)

        def convert_script(self, el, text, parent_tags):
            return ""   # a card template's script is not card text

        convert_style = convert_script

    return Converter


_OPTIONS = {"heading_style": "ATX", "newline_style": "BACKSLASH", "escape_underscores": False,
            "escape_asterisks": True, "bullets": "-"}


def to_markdown(html: str, image_target: ImageTarget | None = None) -> str:
    """An Anki field as Markdown.  Call :func:`check_field` first."""
    if not html:
        return ""
    if _MARKUP_RE.search(html) is None:
        return _plain_to_markdown(html)
    text = html_subset.convert(html, lambda src: image_markdown(src, image_target))
    if text is None:
        text = markdownify(html, image_target)
    return text.strip()


def markdownify(html: str, image_target: ImageTarget | None = None) -> str:
    """markdownify's conversion with studydeck's options (the reference for
    :mod:`studydeck.interop.html_subset`), before the final strip."""
    converter = _converter_class()(**_OPTIONS)
    converter.image_target = image_target
    return converter.convert(html)


def _plain_to_markdown(text: str) -> str:
    """What markdownify makes of text without ``<`` or ``&``: a run of white
    space holding a line break becomes one line break, any other run one space,
    asterisks are escaped, the ends stripped."""
    text = _SPACE_RE.sub(" ", _NEWLINE_SPACE_RE.sub("\n", text))
    return text.replace("*", r"\*").strip()
