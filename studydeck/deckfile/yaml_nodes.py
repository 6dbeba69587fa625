"""Bytes to YAML nodes, safely: the first half of the deck loader.

Nothing here builds Python objects from YAML.  A deck file goes through

1. a pre-scan of its bytes (size cap, NUL bytes, UTF-8, control characters),
   with compiled regexes and ``bytes`` methods, never a per-character loop;
2. when the file contains an anchor (``&name``), an event scan that rejects
   aliases, so an alias bomb ("billion laughs") is refused before anything
   could expand it;
3. ``compose`` with libyaml's C parser (``CSafeLoader``; the pure-Python
   ``SafeLoader`` when libyaml is absent), which yields nodes carrying
   ``start_mark.line`` / ``.column``.  The loader subclass below counts depth
   in ``descend_resolver`` (a hook the composer calls once per node) and stops
   at ``MAX_DEPTH``, because the C composer recurses in C and would crash the
   process on ~100,000 nested brackets.  It also skips implicit type
   resolution: plain scalars get the tag ``PLAIN`` and are typed only where a
   field needs a number or a boolean (``resolve_plain``).

All positions returned are 1-based (line, col), columns counted in characters.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:  # libyaml is optional; the pure-Python parser gives the same nodes, slower
    from yaml import CSafeLoader as _BaseLoader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how pyyaml was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    HAVE_LIBYAML = False

from studydeck.deckfile.schema import MAX_DEPTH, MAX_FILE_BYTES  # noqa: E402,F401 - the caps live with the schema
from studydeck.safetext import BIDI_BYTES_RE, BIDI_NAMES, DECK_FORBIDDEN_RE  # noqa: E402

# Tags the composer hands out.  PLAIN contains a space, which no tag written
# in a file can contain, so it cannot be forged.
PLAIN = " plain"
STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
_Y = "tag:yaml.org,2002:"
STANDARD_TAGS = frozenset(
    {PLAIN, STR, SEQ, MAP, _Y + "int", _Y + "float", _Y + "bool", _Y + "null"})

# C0 controls except tab and newline, a CR not starting a CRLF, DEL, C1 controls, bidi controls.
CONTROL_RE = DECK_FORBIDDEN_RE
_BIDI_BYTES_RE = BIDI_BYTES_RE
# Bytes that may appear anywhere: tab, LF, CR, printable ASCII and every byte of
# a multi-byte UTF-8 sequence.  Deleting them leaves only C0 controls and DEL.
_ALLOWED_BYTES = bytes([9, 10, 13, *range(32, 127), *range(128, 256)])
_C1_LEAD = b"\xc2"  # C1 controls U+0080..U+009F are encoded as C2 80..C2 9F
_ANCHOR_RE = re.compile(rb"&[0-9A-Za-z_-]")
_TAG_HINT_RE = re.compile(r"[\s\[\{,:?\"'-]!")

_CONTROL_NAMES = {0x1B: "ESC", 0x07: "BEL", 0x08: "BS", 0x0D: "CR", 0x7F: "DEL", 0x9B: "CSI",
                  0x00: "NUL", 0x0C: "FF", 0x0B: "VT", 0x85: "NEL"}

Finding = tuple[int, int, str]  # (line, col, message), 1-based


def char_name(ch: str) -> str:
    code = ord(ch)
    name = _CONTROL_NAMES.get(code) or BIDI_NAMES.get(code)
    return f"U+{code:04X} ({name})" if name else f"U+{code:04X}"


def position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, col) of character ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    col = index - text.rfind("\n", 0, index)
    return line, col


def prescan(data: bytes) -> tuple[str | None, list[Finding]]:
    """Check raw bytes; return the decoded text (None when unusable) and errors."""
    if len(data) > MAX_FILE_BYTES:
        return None, [(1, 1, f"file is {len(data):,} bytes; the limit is "
                             f"{MAX_FILE_BYTES:,} bytes (split the deck into several files)")]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        return None, [(line, col, "NUL byte: this looks like a binary file, not a YAML deck")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        return None, [(line, col, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                                  "save the file as UTF-8")]
    findings: list[Finding] = []
    suspect = (data.translate(None, _ALLOWED_BYTES) or b"\r" in data
               or (_C1_LEAD in data and CONTROL_RE.search(text) is not None)
               or _BIDI_BYTES_RE.search(data) is not None)
    if suspect:
        for match in CONTROL_RE.finditer(text):
            line, col = position(text, match.start())
            ch = match.group()[0]
            if ord(ch) in BIDI_NAMES:
                findings.append((line, col, f"bidi control character {char_name(ch)} is not allowed in a "
                                            "deck (it makes text display in another order than it holds)"))
            else:
                findings.append((line, col, f"control character {char_name(ch)} is not "
                                            "allowed in a deck (it could drive the terminal)"))
            if len(findings) == 5:
                break
    return (None if findings else text), findings


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return line, col


_FLOW_TOKEN_RE = re.compile(r"""[\[\]{}\n#"']""")


def _starts_node(text: str, index: int) -> bool:
    """Whether a bracket or quote at ``index`` begins a node (rather than sit inside plain text)."""
    line_start = text.rfind("\n", 0, index) + 1
    before = text[line_start:index].rstrip(" \t")
    return not before or before[-1] in ":-,[{?"


def _skip_quoted(text: str, index: int) -> int:
    """The index just past the quoted scalar that opens at ``index`` (the end of text if unclosed)."""
    quote = text[index]
    i = index + 1
    while (end := text.find(quote, i)) >= 0:
        if quote == "'":
            if not text.startswith("''", end):
                return end + 1
            i = end + 2
            continue
        backslashes = end - len(text[i:end].rstrip("\\")) - i
        if backslashes % 2 == 0:
            return end + 1
        i = end + 1
    return len(text)


def flow_too_deep(text: str) -> Finding | None:
    """Flow brackets nested deeper than ``MAX_DEPTH``, found by our own scan before libyaml runs.

    libyaml's composer recurses in C, and whether it stops deep nesting itself
    (and with which message) depends on its version; this scan makes the
    answer ours.  Brackets inside quoted scalars, comments and plain text
    (``a[1]``) are not counted.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    i = 0
    while (match := _FLOW_TOKEN_RE.search(text, i)) is not None:
        ch, j = match.group(), match.start()
        i = j + 1
        if ch in "[{":
            if depth or _starts_node(text, j):
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = position(text, j)
                    return line, col, f"nesting deeper than {MAX_DEPTH} levels; a deck needs only a few"
            else:  # inside a plain scalar, which runs to the end of its line
                end = text.find("\n", j)
                i = len(text) if end < 0 else end
        elif ch in "]}":
            depth = max(depth - 1, 0)
        elif ch == "#":
            if j == 0 or text[j - 1] in " \t\n":
                end = text.find("\n", j)
                i = len(text) if end < 0 else end
        elif ch in "\"'":
            if depth or _starts_node(text, j):
                i = _skip_quoted(text, j)
    return None


class TooDeep(Exception):
    def __init__(self, node: Any) -> None:
        super().__init__(node)
        self.node = node


def make_composer(base: type) -> type:
    """A loader class on ``base`` that only composes nodes; see the module docstring."""

    class Composer(base):  # type: ignore[misc, valid-type]
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.depth = 0

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                return PLAIN if implicit[0] else STR
            return SEQ if kind is SequenceNode else MAP

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            depth = self.depth + 1
            if depth > MAX_DEPTH:
                raise TooDeep(current_node)
            self.depth = depth

        def ascend_resolver(self) -> None:
            self.depth -= 1

    return Composer


_Composer = make_composer(_BaseLoader)


def mark_of(error: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _syntax(error: yaml.YAMLError, text: str = "") -> Finding:
    if isinstance(error, yaml.MarkedYAMLError):
        line, col = mark_of(error)
        what = error.problem or "invalid YAML"
        if _char_at(text, line, col) == "\t":
            what += "; this is a tab: YAML indents with spaces only"
        if error.context:
            start = error.context_mark
            if start is not None and error.problem_mark is not None and (
                    (start.line, start.column) != (error.problem_mark.line, error.problem_mark.column)):
                # "while parsing a flow sequence" found at the end of the file: say where it opened
                what = f"{what} ({error.context} that starts at line {start.line + 1}, column {start.column + 1})"
            else:
                what = f"{what} ({error.context})"
        if "mapping values are not allowed" in what:  # e.g. back: Three: input, forget, output
            what += "; a text with ': ' in it must be quoted: quote the text (\"...\") or write it as a | block"
        return line, col, f"YAML syntax error: {what}"
    return 1, 1, f"YAML error: {error}"


_LINE_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a line break


def _char_at(text: str, line: int, col: int) -> str:
    """The character at 1-based ``line`` and ``col`` of ``text`` as the YAML parser counts
    them, or "" past its end."""
    lines = _LINE_BREAK_RE.split(text, maxsplit=line)
    return lines[line - 1][col - 1:col] if line <= len(lines) else ""


def _find_alias(data: bytes) -> Finding | None:
    loader = _BaseLoader(data)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                return (mark.line + 1, mark.column + 1,
                        f"alias '*{event.anchor}' is not allowed in a deck (anchors and aliases "
                        "are refused so a file cannot expand itself); write the value out")
    finally:
        loader.dispose()
    return None


def compose(data: bytes, text: str) -> tuple[Any, list[Finding]]:
    """The root node of a pre-scanned file, or None with the errors found."""
    deep = flow_too_deep(text)
    if deep is not None:
        return None, [deep]
    try:
        if _ANCHOR_RE.search(data) is not None:
            alias = _find_alias(data)
            if alias is not None:
                return None, [alias]
        loader = _Composer(data)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except TooDeep as exc:
        mark = exc.node.start_mark
        return None, [(mark.line + 1, mark.column + 1,
                       f"nesting deeper than {MAX_DEPTH} levels; a deck needs only a few")]
    except yaml.YAMLError as exc:
        return None, [_syntax(exc, text)]
    if root is None:
        return None, [(1, 1, "the file holds no YAML document; expected a mapping with "
                             "'deck', 'title' and 'cards'")]
    if "!" in text and (text[0] == "!" or _TAG_HINT_RE.search(text) is not None):
        tags = bad_tags(root)
        if tags:
            return None, tags
    return root, []


def bad_tags(root: Any) -> list[Finding]:
    """Every node with a tag other than the plain YAML types (depth already capped)."""
    found: list[Finding] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag not in STANDARD_TAGS:
            mark = node.start_mark
            found.append((mark.line + 1, mark.column + 1, tag_message(node.tag)))
        if node.__class__ is MappingNode:
            for key, value in node.value:
                stack.append(value)
                stack.append(key)
        elif node.__class__ is SequenceNode:
            stack.extend(reversed(node.value))
    found.sort()
    return found


def tag_message(tag: str) -> str:
    return (f"YAML tag '{tag}' is not allowed; decks use plain strings, numbers, "
            "lists and mappings only")


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_TYPES = {_Y + "int", _Y + "float", _Y + "bool", _Y + "null", STR}


def resolve_plain(node: ScalarNode) -> Any:
    """The value YAML's safe loader would give a scalar: str, int, float, bool or None.

    Other implicit types (timestamps) stay strings.
    """
    tag = node.tag
    if tag == PLAIN:
        tag = _RESOLVER.resolve(ScalarNode, node.value, (True, False))
    if tag == STR or tag not in _SCALAR_TYPES:
        return node.value
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
