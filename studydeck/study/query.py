"""The card query language: a documented subset of Anki's search syntax, parsed to a tree.

``parse(text) -> Node`` turns a query such as ``deck:lstm* -is:suspended (tag:gates or
"forget gate") prop:ivl>=10`` into a tree of the dataclasses below; a query it cannot
read raises :class:`QueryError` naming the 1-based column.  The tree is compiled to SQL
in :mod:`studydeck.store` (``search_cards``) and evaluated in Python by
:mod:`studydeck.study.query_scan` (the readable reference the tests compare it with).

Grammar (hand-written recursive descent, see docs/query.md for why)::

    query   := [or_expr]
    or_expr := and_expr ( "or" and_expr )*
    and_expr:= unary ( ["and"] unary )*          -- juxtaposition is AND
    unary   := "-" unary | "(" or_expr ")" | term
    term    := word | "quoted phrase" | key:value | key:"quoted value"

Free text is matched case- and accent-insensitively (:func:`normalize` on both sides).
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass

STATES = ("new", "learn", "review", "due", "suspended", "buried", "leech", "flagged")
PROPS = ("ivl", "due", "lapses", "reps", "s", "d", "r")
INT_PROPS = ("ivl", "due", "lapses", "reps")
KEYS = ("deck", "tag", "is", "flag", "rated", "prop")
OPS = ("<=", ">=", "!=", "<", ">", "=")
MAX_FLAG = 4
MAX_DAYS = 36_500          # rated:N, prop:ivl / prop:due: a century is plenty
MAX_COUNT = 1_000_000_000  # prop:reps / prop:lapses


class QueryError(ValueError):
    """A query that cannot be read; ``column`` is 1-based (0: the query as a whole)."""

    def __init__(self, message: str, column: int = 0, hint: str = "") -> None:
        self.message = message
        self.column = column
        self.hint = hint
        text = f"{message} at column {column}" if column else message
        super().__init__(f"{text}; {hint}" if hint else text)


# -- the tree -----------------------------------------------------------------

class Node:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class All(Node):
    """The empty query: every card."""


@dataclass(frozen=True, slots=True)
class And(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not(Node):
    item: Node


@dataclass(frozen=True, slots=True)
class Text(Node):
    """Free text: ``pieces`` (normalized) must occur in this order; ``*`` split them."""

    pieces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeckIs(Node):
    """``deck:PATTERN``; ``*`` matches any run of characters, case-insensitive."""

    pattern: str


@dataclass(frozen=True, slots=True)
class TagIs(Node):
    """``tag:PATTERN``; ``*`` matches any run of characters, case-insensitive."""

    pattern: str


@dataclass(frozen=True, slots=True)
class StateIs(Node):
    """``is:NAME`` with NAME one of :data:`STATES`."""

    name: str


@dataclass(frozen=True, slots=True)
class FlagIs(Node):
    """``flag:N``, 0 (no flag) to 4."""

    flag: int


@dataclass(frozen=True, slots=True)
class Rated(Node):
    """``rated:N`` / ``rated:N:R``: a standing review in the last N study days (today is 1)."""

    days: int
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class Prop(Node):
    """``prop:NAME OP VALUE``, NAME one of :data:`PROPS`."""

    name: str
    op: str
    value: float


# -- text ---------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_MARKUP = str.maketrans("", "", "*`")
# the combining diacritical marks (accents): U+0300-036F and its supplement and extended blocks
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalize(text: str) -> str:
    """Searchable form: accents dropped (NFKD, then the combining diacritical marks removed),
    case folded, Markdown emphasis marks (``*``, backticks) removed, runs of white space made
    one space.  Plain ASCII skips the Unicode steps (most card text is ASCII)."""
    if not text.isascii():
        text = _ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    return _SPACES.sub(" ", text.casefold().translate(_MARKUP)).strip()


def text_pieces(text: str) -> tuple[str, ...]:
    """A free-text search's pieces: split at ``*``, each normalized, empty ones dropped."""
    return tuple(p for p in (normalize(part) for part in text.split("*")) if p)


def r_threshold(r0: float, decay: float) -> float:
    """Elapsed days / stability at which retrievability falls to ``r0``.

    FSRS-6: ``R(t, S) = (1 + F t / S) ** decay`` with ``decay < 0`` and
    ``F = 0.9 ** (1 / decay) - 1``.  R falls as t grows, so ``R < r0`` exactly when
    ``t / S > (r0 ** (1 / decay) - 1) / F``; the SQL compares elapsed days with
    stability times this number and needs no ``pow``.  ``r0`` must be > 0.
    """
    factor = 0.9 ** (1 / decay) - 1
    return (r0 ** (1 / decay) - 1) / factor


def retrievability(elapsed_days: int, stability: float, decay: float) -> float:
    """FSRS-6 retrievability after ``elapsed_days`` whole days, as py-fsrs computes it."""
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * elapsed_days / stability) ** decay


# -- tokens -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: str        # "(", ")", "-", "or", "and", "term"
    col: int         # 1-based column of its first character
    text: str = ""   # term: the text, quotes removed
    key: str = ""    # term: the key before an unquoted ':' (lower case), or ""
    value_col: int = 0


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            out.append(_Token(ch, i + 1))
            i += 1
            continue
        if ch == "-":
            if i + 1 >= n or query[i + 1].isspace():
                raise QueryError("'-' must be followed by a search, with no space", i + 1)
            out.append(_Token("-", i + 1))
            i += 1
            continue
        start = i
        chars: list[str] = []
        key, value_col, quoted = "", 0, False
        while i < n and not query[i].isspace() and query[i] not in "()":
            ch = query[i]
            if ch == '"':
                quoted = True
                opened = i
                i += 1
                while i < n and query[i] != '"':
                    if query[i] == "\\" and i + 1 < n:
                        i += 1
                    chars.append(query[i])
                    i += 1
                if i >= n:
                    raise QueryError("unclosed quote", opened + 1)
                i += 1
                continue
            if ch == "\\" and i + 1 < n:
                chars.append(query[i + 1])
                i += 2
                continue
            if ch == ":" and not key and not quoted and re.fullmatch(r"[A-Za-z]+", "".join(chars)):
                key = "".join(chars).lower()
                chars = []
                value_col = i + 2
                i += 1
                continue
            chars.append(ch)
            i += 1
        text = "".join(chars)
        if not key and not quoted and text.lower() in ("or", "and"):
            out.append(_Token(text.lower(), start + 1))
        else:
            out.append(_Token("term", start + 1, text, key, value_col))
    return out


# -- parsing ------------------------------------------------------------------

def parse(query: str) -> Node:
    """The tree of ``query``; :class:`QueryError` with a column if it cannot be read."""
    parser = _Parser(_tokens(query), len(query))
    if not parser.tokens:
        return All()
    node = parser.or_expr()
    if parser.pos < len(parser.tokens):
        parser.unexpected(parser.tokens[parser.pos])
    return node


class _Parser:
    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.end_col = length + 1

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def unexpected(self, token: _Token | None) -> None:
        if token is None:
            raise QueryError("the query ends where a search was expected", self.end_col)
        if token.kind in ("or", "and"):
            raise QueryError(f"'{token.kind}' needs a search on both sides", token.col)
        raise QueryError(f"unexpected '{token.kind}'", token.col)

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.pos += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.pos += 1
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        token = self.peek()
        if token is None or token.kind in ("or", "and", ")"):
            self.unexpected(token)
        self.pos += 1
        if token.kind == "-":
            return Not(self.unary())
        if token.kind == "(":
            inner = self.peek()
            if inner is not None and inner.kind == ")":
                raise QueryError("empty parentheses", token.col)
            node = self.or_expr()
            closing = self.peek()
            if closing is None:
                raise QueryError("unclosed '('", token.col)
            if closing.kind != ")":
                self.unexpected(closing)
            self.pos += 1
            return node
        return _term(token)


def _term(token: _Token) -> Node:
    key, text, col = token.key, token.text, token.value_col
    if not key:
        pieces = text_pieces(text)
        if not pieces:
            if text.strip("*") == "" and text:
                return All()
            raise QueryError("empty search text", token.col)
        return Text(pieces)
    if key not in KEYS:
        close = difflib.get_close_matches(key, KEYS, n=1)
        hint = f"did you mean '{close[0]}:'?" if close else \
            f"searches are {', '.join(k + ':' for k in KEYS)} (quote text that holds a ':')"
        raise QueryError(f"unknown search '{key}:'", token.col, hint)
    if not text:
        raise QueryError(f"'{key}:' needs a value", col)
    if key == "deck":
        return DeckIs(text.lower())
    if key == "tag":
        return TagIs(text.casefold())
    if key == "is":
        name = text.lower()
        if name not in STATES:
            close = difflib.get_close_matches(name, STATES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(STATES)}"
            raise QueryError(f"unknown is:{text}", col, hint)
        return StateIs(name)
    if key == "flag":
        if not text.isascii() or not text.isdigit() or int(text) > MAX_FLAG:
            raise QueryError(f"flag: takes a number from 0 to {MAX_FLAG}, got '{text}'", col)
        return FlagIs(int(text))
    if key == "rated":
        return _rated(text, col)
    return _prop(text, col)


def _rated(text: str, col: int) -> Rated:
    match = re.fullmatch(r"(\d+)(?::(\d+))?", text, re.ASCII)
    if match is None:
        raise QueryError(f"rated: takes N or N:R (days, then a rating 1-5), got '{text}'", col)
    days = int(match.group(1))
    if not 1 <= days <= MAX_DAYS:
        raise QueryError(f"rated: days must be 1 to {MAX_DAYS}, got {days}", col)
    rating = None
    if match.group(2) is not None:
        rating = int(match.group(2))
        if not 1 <= rating <= 5:
            raise QueryError(f"rated:{days}: the rating must be 1 to 5, got {rating}",
                             col + len(match.group(1)) + 1)
    return Rated(days, rating)


def _prop(text: str, col: int) -> Prop:
    match = re.fullmatch(r"([A-Za-z]+)\s*(<=|>=|!=|<|>|=)\s*(.*)", text)
    if match is None:
        raise QueryError(f"prop: takes NAME OP NUMBER such as prop:ivl>=10, got '{text}'", col)
    name, op, number = match.group(1).lower(), match.group(2), match.group(3)
    if name not in PROPS:
        close = difflib.get_close_matches(name, PROPS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(PROPS)}"
        raise QueryError(f"unknown prop:{name}", col, hint)
    value_col = col + match.start(3)
    integer = name in INT_PROPS
    pattern = r"-?\d+" if integer else r"-?(\d+\.?\d*|\.\d+)"
    if not re.fullmatch(pattern, number, re.ASCII):
        kind = "a whole number" if integer else "a number"
        raise QueryError(f"prop:{name} needs {kind}, got '{number}'", value_col)
    value = int(number) if integer else float(number)
    limit = MAX_COUNT if name in ("reps", "lapses") else MAX_DAYS if integer else 1e9
    if abs(value) > limit or (isinstance(value, float) and not math.isfinite(value)):
        raise QueryError(f"prop:{name}: {number} is out of range (at most {limit:g})", value_col)
    if name == "r" and op in ("=", "!="):
        raise QueryError("prop:r compares with <, <=, > or >= (retrievability is never exact)",
                         col + match.start(2))
    return Prop(name, op, value)


def describe(node: Node) -> str:
    """The tree written back as a query (normalized), for messages and tests."""
    match node:
        case All():
            return "*"
        case And(items):
            return " ".join(_grouped(i, (And, Or)) for i in items)
        case Or(items):
            return " or ".join(_grouped(i, Or) for i in items)
        case Not(item):
            return "-" + _grouped(item, (And, Or))
        case Text(pieces):
            return _quote("*".join(pieces))
        case DeckIs(pattern):
            return "deck:" + _quote(pattern)
        case TagIs(pattern):
            return "tag:" + _quote(pattern)
        case StateIs(name):
            return f"is:{name}"
        case FlagIs(flag):
            return f"flag:{flag}"
        case Rated(days, rating):
            return f"rated:{days}" + (f":{rating}" if rating is not None else "")
        case Prop(name, op, value):
            return f"prop:{name}{op}{value}"
    raise TypeError(node)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _grouped(node: Node, kinds) -> str:
    text = describe(node)
    return f"({text})" if isinstance(node, kinds) else text
