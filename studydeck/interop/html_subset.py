"""markdownify's answer for a strict subset of HTML, without building a BeautifulSoup tree.

Most Anki fields are a few words with ``<b>``, ``<i>``, ``<br>``, ``<div>``
or a short list.  markdownify costs ~0.7 ms on each (BeautifulSoup parses
the field into a tree of its own); :func:`convert` reads the same fields
with one regular expression into a small tree and applies markdownify's
rules to it, step by step as ``MarkdownConverter.process_tag`` /
``process_text`` and the ``convert_*`` methods do with studydeck's options
(:data:`studydeck.interop.html._OPTIONS`).

The subset, where the tree is the one BeautifulSoup (``html.parser``)
builds:

- tags ``b strong i em u code span div p ul ol li``, written exactly
  ``<name>`` and ``</name>`` (lower case, no attributes), properly nested;
- ``<br>``, ``<br/>``, ``<br />`` and ``<img src="...">`` (one double-quoted
  ``src`` without ``&``, ``<``, ``>`` or a line break);
- the entities ``&amp; &lt; &gt; &quot; &nbsp; &#39;``;
- any other text without ``<`` or ``&``.

Anything else returns None and the caller uses markdownify itself.  A
property test feeds both the same random HTML and compares the Markdown.

Quicker still, :func:`flat` takes the commonest shape of all without a tree:
one line of text with ``<b>``, ``<strong>``, ``<i>``, ``<em>`` or ``<code>``
around words (not nested, no space just inside a tag, no entity); another
property test compares it with markdownify on generated fields of that shape.
``convert.field_markdown`` tries it before anything else (it needs neither
``check_field`` nor ``clean``); :func:`convert`, which an import reaches only
when it failed, does not try it again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TOKEN_RE = re.compile(
    r'<(/?)(b|strong|i|em|u|code|span|div|p|ul|ol|li)>'   # 1 closing, 2 name
    r'|<br(?: ?/)?>'
    r'|<img src="([^"&<>\r\n]*)"(?: ?/)?>'                # 3 src
    r'|&(amp|lt|gt|quot|nbsp|#39);'                        # 4 entity
    r'|[<&]')
_ASCII_SPACES = " \n\t\x0c\r"
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "nbsp": "\xa0", "#39": "'"}

# markdownify's regular expressions and tag sets (markdownify/__init__.py)
_NEWLINE_WS_RE = re.compile(r"[\t \r\n]*[\r\n][\t \r\n]*")
_WS_RE = re.compile(r"[\t ]+")
_EXTRACT_NEWLINES_RE = re.compile(r"^(\n*)((?:.*[^\n])?)(\n*)$", flags=re.DOTALL)
_LINE_WITH_CONTENT_RE = re.compile(r"^(.*)", flags=re.MULTILINE)
_BACKTICK_RUNS_RE = re.compile(r"`+")
_BLOCK = frozenset({"p", "div", "ol", "ul", "li"})     # whitespace removed inside and around
_INLINE_MARK = {"b": "**", "strong": "**", "i": "*", "em": "*"}


# flat(): printable text with non-nested inline tags whose content is not empty and
# neither starts nor ends with a space; no ``*`` inside b/i (escaping is the outside's job),
# no backtick inside code.  ``&`` and double spaces are refused before the match.
_FLAT_RE = re.compile(r"(?:[^<]|<(b|strong|i|em)>[^ <*`](?:[^<*`]*[^ <*`])?</\1>"
                      r"|<code>[^ <`](?:[^<`]*[^ <`])?</code>)*")
_FLAT_TAG_RE = re.compile(r"<(b|strong|i|em|code)>([^<]*)</\1>")
_FLAT_MARK = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}


def flat(html: str) -> str | None:
    """markdownify's Markdown (before the final strip) of a field of the flat shape (see the
    module's docstring), else None: the text with ``*`` escaped, each tag its Markdown mark."""
    if not html.isprintable() or "&" in html or "  " in html or _FLAT_RE.fullmatch(html) is None:
        return None
    out = []
    at = 0
    for m in _FLAT_TAG_RE.finditer(html):
        out.append(html[at:m.start()].replace("*", r"\*"))
        mark = _FLAT_MARK[m.group(1)]
        out.append(mark + m.group(2) + mark)
        at = m.end()
    out.append(html[at:].replace("*", r"\*"))
    return "".join(out)


class _Tag:
    __slots__ = ("name", "children", "parent", "src")

    def __init__(self, name: str, parent: _Tag | None, src: str = "") -> None:
        self.name = name
        self.children: list[_Tag | str] = []
        self.parent = parent
        self.src = src


def _string(pieces: list[str]) -> str:
    """A text node as BeautifulSoup keeps it: all-ASCII-space text becomes one
    line feed (when it holds one) or one space (``BeautifulSoup.endData``)."""
    text = "".join(pieces)
    if not text.strip(_ASCII_SPACES):
        return "\n" if "\n" in text else " "
    return text


def _parse(html: str) -> _Tag | None:
    """The tree of ``html`` (root named ``[document]``), or None outside the subset."""
    root = _Tag("[document]", None)
    node = root
    at = 0
    text: list[str] = []
    for m in _TOKEN_RE.finditer(html):
        if m.start() > at:
            text.append(html[at:m.start()])
        at = m.end()
        entity = m.group(4)
        if entity is not None:
            text.append(_ENTITIES[entity])
            continue
        token = m.group()
        if token in ("<", "&"):
            return None
        if text:
            node.children.append(_string(text))
            text = []
        name = m.group(2)
        if name is None:                        # <br> or <img>
            src = m.group(3)
            node.children.append(_Tag("br" if src is None else "img", node, src or ""))
        elif m.group(1):                        # a closing tag
            if node.name != name:
                return None
            node = node.parent
        else:
            child = _Tag(name, node)
            node.children.append(child)
            node = child
    if at < len(html):
        text.append(html[at:])
    if node is not root:
        return None
    if text:
        root.children.append(_string(text))
    return root


def convert(html: str, image: Callable[[str], str]) -> str | None:
    """``html`` as markdownify (with studydeck's options) would write it, before the
    final strip; ``image(src)`` gives the Markdown of an ``<img>``.  None when
    ``html`` is outside the subset."""
    root = _parse(html)
    if root is None:
        return None
    return _tag(root, frozenset(), image).strip("\n")   # convert__document_


def _is_tag(node: object) -> bool:
    return node.__class__ is _Tag


def _outside(node: object) -> bool:
    """markdownify's should_remove_whitespace_outside (no ``pre`` in the subset)."""
    return node.__class__ is _Tag and node.name in _BLOCK


def _tag(node: _Tag, parent_tags: frozenset[str], image: Callable[[str], str]) -> str:
    """MarkdownConverter.process_tag."""
    inside = node.name in _BLOCK
    children = node.children
    last = len(children) - 1
    kept: list[tuple[int, _Tag | str]] = []
    for i, child in enumerate(children):
        if child.__class__ is str and not child.strip():
            prev = children[i - 1] if i else None
            nxt = children[i + 1] if i < last else None
            if inside and (prev is None or nxt is None):
                continue
            if _outside(prev) or _outside(nxt):
                continue
        kept.append((i, child))
    tags = parent_tags | {node.name}
    if node.name == "code":
        tags = tags | {"_noformat"}
    strings = []
    for i, child in kept:
        if child.__class__ is str:
            s = _text(child, i, node, tags)
        else:
            s = _tag(child, tags, image)
        if s:
            strings.append(s)
    parts = [""]
    for s in strings:
        if s[0] != "\n" and s[-1] != "\n":     # no newlines to collapse at either end
            parts.extend(("", s, ""))
            continue
        leading, content, trailing = _EXTRACT_NEWLINES_RE.match(s).groups()
        if parts[-1] and leading:
            prev_trailing = parts.pop()
            leading = "\n" * min(2, max(len(prev_trailing), len(leading)))
        parts.extend((leading, content, trailing))
    text = "".join(parts)
    return _CONVERT.get(node.name, _keep)(node, text, parent_tags, image)


def _text(text: str, i: int, parent: _Tag, parent_tags: frozenset[str]) -> str:
    """MarkdownConverter.process_text (no ``pre`` in the subset; asterisks escaped)."""
    if "\n" in text or "\r" in text:
        text = _NEWLINE_WS_RE.sub("\n", text)
    if "\t" in text or "  " in text:
        text = _WS_RE.sub(" ", text)
    if "_noformat" not in parent_tags:
        text = text.replace("*", r"\*")
    siblings = parent.children
    prev = siblings[i - 1] if i else None
    nxt = siblings[i + 1] if i + 1 < len(siblings) else None
    inside = parent.name in _BLOCK
    if _outside(prev) or (inside and prev is None):
        text = text.lstrip(" \t\r\n")
    if _outside(nxt) or (inside and nxt is None):
        text = text.rstrip()
    return text


def _chomp(text: str) -> tuple[str, str, str]:
    return (" " if text[:1] == " " else "", " " if text[-1:] == " " else "", text.strip())


def _keep(node, text, parent_tags, image) -> str:
    return text


def _inline(node, text, parent_tags, image) -> str:
    if "_noformat" in parent_tags:
        return text
    prefix, suffix, text = _chomp(text)
    if not text:
        return ""
    mark = _INLINE_MARK[node.name]
    return f"{prefix}{mark}{text}{mark}{suffix}"


def _code(node, text, parent_tags, image) -> str:
    if "_noformat" in parent_tags:
        return text
    prefix, suffix, text = _chomp(text)
    if not text:
        return ""
    ticks = max((len(run) for run in _BACKTICK_RUNS_RE.findall(text)), default=0)
    if ticks:
        text = f" {text} "
    fence = "`" * (ticks + 1)
    return f"{prefix}{fence}{text}{fence}{suffix}"


def _br(node, text, parent_tags, image) -> str:
    return "\\\n" + text


def _img(node, text, parent_tags, image) -> str:
    return image(node.src)


def _div(node, text, parent_tags, image) -> str:
    text = text.strip()
    return f"\n\n{text}\n\n" if text else ""


def _p(node, text, parent_tags, image) -> str:
    text = text.strip(" \t\r\n")
    return f"\n\n{text}\n\n" if text else ""


def _list(node, text, parent_tags, image) -> str:
    siblings = node.parent.children
    after = None
    for sibling in siblings[siblings.index(node) + 1:]:
        if sibling.__class__ is _Tag or sibling.strip():
            after = sibling
            break
    before_paragraph = after is not None and not (after.__class__ is _Tag and after.name in ("ul", "ol"))
    if "li" in parent_tags:
        return "\n" + text.rstrip()
    return "\n\n" + text + ("\n" if before_paragraph else "")


def _li(node, text, parent_tags, image) -> str:
    text = text.strip()
    if not text:
        return "\n"
    parent = node.parent
    if parent.name == "ol":
        siblings = parent.children
        index = siblings.index(node)
        bullet = f"{1 + sum(1 for s in siblings[:index] if _is_tag(s) and s.name == 'li')}."
    else:
        bullet = "-"
    bullet += " "
    width = len(bullet)
    indent = " " * width
    text = _LINE_WITH_CONTENT_RE.sub(lambda m: indent + m.group(1) if m.group(1) else "", text)
    return f"{bullet}{text[width:]}\n"


_CONVERT = {"b": _inline, "strong": _inline, "i": _inline, "em": _inline, "code": _code,
            "br": _br, "img": _img, "div": _div, "p": _p, "ul": _list, "ol": _list, "li": _li,
            "[document]": _keep}
