"""Card Markdown as both faces print it in a terminal: images become their names.

A terminal cannot draw a picture, so an image reference ``![name](path)``
(as ``studydeck import`` writes for the media of an Anki note, the file
copied beside the deck) is shown as the text ``[image: name]``, the same
words the import writes for an image the package lacks.  The app
(``tui/widgets/card_text.py``) and plain mode (``plain.py``) both call
:func:`terminal_text`, so they show the same thing.

Code keeps its text: an image written inside a code span or a fenced code
block is left as written.  An image without alt text is named by its file.
"""

from __future__ import annotations

import re

_CODE_OR_IMAGE = re.compile(
    r"(?P<fence>^ {0,3}(?P<mark>`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}(?P=mark)[ \t]*$|\Z))"   # fenced block
    r"|(?P<code>(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`))"                                  # code span
    r'|!\[(?P<alt>[^\]\n]*)\]\(\s*(?:<(?P<angled>[^<>\n]*)>|(?P<bare>[^\s()<>]*))'      # image
    r'(?:\s+"[^"\n]*")?\s*\)',
    re.MULTILINE | re.DOTALL)


def _shown(match: re.Match[str]) -> str:
    if match.group("alt") is None:
        return match.group()            # code: as written
    name = match.group("alt").strip()
    if not name:
        target = match.group("angled") if match.group("angled") is not None else match.group("bare")
        name = target.rstrip("/").rsplit("/", 1)[-1]
    return f"[image: {name}]"


def terminal_text(markdown: str) -> str:
    """``markdown`` with each image outside code written as ``[image: name]``."""
    if "![" not in markdown:
        return markdown
    return _CODE_OR_IMAGE.sub(_shown, markdown)
