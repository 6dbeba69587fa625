"""markdown-it's HTML for a strict subset of Markdown, without its tokenizer.

markdown-it-py costs ~100 us a field; most card text that is not plain is
a line or a tight list with a few ``**bold**``, ``*italic*`` or
```code``` spans.  :func:`render` gives ``MarkdownIt("commonmark",
{"html": False}).enable(["table", "strikethrough"]).render(text)`` for such
text, and None for anything else (the caller then asks markdown-it).  A
property test feeds both the same random text and compares the HTML.

The subset:

- the text is one paragraph of lines, or a tight ``-`` list of one-line
  items (``- one\\n- two``), with at most one line break at its end;
- no line is empty, starts or ends with white space, or starts with block
  syntax (``#``, ``>``, ``-``, ``+``, ``=``, ``_``, ``|``, ``1.``);
- a line is plain text, code spans and emphasis: plain text holds none of
  ``\\ [ ] < > & ~ * `` ` and no tab or control character (nor ``|`` in
  a paragraph of several lines, where it could make a table), and an
  underscore only right after a letter or digit (so it never opens
  emphasis); a code span is one backtick, text without a backtick and
  without a space at either end, one backtick; emphasis is ``*`` or ``**``
  after a space, ``(`` or ``"`` (or at the line's start), then a letter or
  digit ... a letter or digit, the same ``*`` or ``**``, then a space,
  the line's end or one of ``.,;:!?)"'``, with plain text and code spans
  inside.  These are exactly the cases where CommonMark's delimiter rules
  pair every ``*`` run with the one closing it and nothing else.
"""

from __future__ import annotations

import re

# What a line may not start with (block syntax: headings, quotes, lists,
# breaks, fences, tables, indented code).
_BLOCK_START = re.compile(r"[\s#>\-+=_|]|\d{1,9}[.)]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")      # a tab or a control character
_OPEN_AFTER = frozenset(' ("')
_CLOSE_BEFORE = frozenset(' .,;:!?)"\'')


def _escape(text: str) -> str:
    """markdown-it's escapeHtml."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def starts_block(line: str) -> bool:
    """True when the non-empty ``line`` starts with block syntax (``_BLOCK_START``, its
    first character looked at first); ``html._is_inert`` asks it too."""
    first = line[0]
    return first.isspace() or first in "#>-+=_|" or (first.isdecimal() and _BLOCK_START.match(line) is not None)


def render(text: str) -> str | None:
    """markdown-it's HTML for ``text``, or None when ``text`` is outside the subset."""
    body = text[:-1] if text.endswith("\n") else text
    if not body or _CONTROL.search(body):
        return None
    lines = body.split("\n")
    if all(line.startswith("- ") for line in lines):
        items = []
        for line in lines:
            html = _line(line[2:], tables=False)
            if html is None:
                return None
            items.append(f"<li>{html}</li>\n")
        return "<ul>\n" + "".join(items) + "</ul>\n"
    rendered = []
    for line in lines:
        html = _line(line, tables=len(lines) > 1)
        if html is None:
            return None
        rendered.append(html)
    return "<p>" + "\n".join(rendered) + "</p>\n"


def _line(line: str, tables: bool) -> str | None:
    """The HTML of one line of a paragraph or list item, or None."""
    if not line or line[-1].isspace() or (tables and "|" in line):
        return None
    if starts_block(line):
        return None
    out: list[str] = []
    at, end = 0, len(line)
    while at < end:
        char = line[at]
        if char == "`":
            stop = line.find("`", at + 1)
            code = line[at + 1:stop]
            if (stop < 0 or not code or code[0] == " " or code[-1] == " " or "\n" in code
                    or line[stop + 1:stop + 2] == "`"):
                return None
            out.append(f"<code>{_escape(code)}</code>")
            at = stop + 1
        elif char == "*":
            mark = "**" if line.startswith("**", at) else "*"
            start = at + len(mark)
            stop = line.find("*", start)
            inner = line[start:stop]
            after = line[stop + len(mark):stop + len(mark) + 1]
            if (stop < 0 or not line.startswith(mark, stop) or not inner or not inner[0].isalnum()
                    or not inner[-1].isalnum() or (at and line[at - 1] not in _OPEN_AFTER)
                    or (after and after not in _CLOSE_BEFORE)):
                return None
            html = _line(inner, tables)
            if html is None:
                return None
            tag = "strong" if mark == "**" else "em"
            out.append(f"<{tag}>{html}</{tag}>")
            at = stop + len(mark)
        else:
            stop = min(end if i < 0 else i for i in (line.find("`", at), line.find("*", at)))
            plain = line[at:stop]
            if ("\\" in plain or "[" in plain or "]" in plain or "<" in plain or ">" in plain
                    or "&" in plain or "~" in plain):
                return None
            if "_" in plain:    # each run of underscores right after a letter or digit
                if plain[0] == "_":     # after a span's closing ` or *, or at the start
                    return None
                for before in plain.split("_")[:-1]:
                    if before and not before[-1].isalnum():
                        return None
            out.append(plain.replace('"', "&quot;"))
            at = stop
    return "".join(out)
