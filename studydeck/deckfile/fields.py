"""Typed reads of YAML nodes for the deck checker, each finding with its position.

A ``Fields`` object collects findings as ``(line, col, severity, message)``
(1-based) while it reads text, lists and mappings out of composed nodes.  It
never raises on bad input: a wrong value becomes a finding and ``None``.
"""

from __future__ import annotations

import difflib
from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from studydeck.deckfile.yaml_nodes import (CONTROL_RE, MAP, PLAIN, SEQ, STANDARD_TAGS, STR, char_name,
                                 resolve_plain, tag_message)

Finding = tuple[int, int, str, str]

NULLS = frozenset({"", "~", "null", "Null", "NULL"})
BOOLS = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF".split())


INVALID = object()  # what plain_value returns for a value it reported as wrong


def kind_of(node: Any) -> str:
    if node.__class__ is ScalarNode:
        return "an empty value" if node.tag == PLAIN and node.value in NULLS else "a single value"
    return "a list" if node.__class__ is SequenceNode else "a mapping"


def suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def is_null(node: Any) -> bool:
    return node.__class__ is ScalarNode and node.tag == PLAIN and node.value in NULLS


class Fields:
    def __init__(self, escapes: bool) -> None:
        # escapes: the file has backslashes, so double-quoted scalars may hold
        # control characters written as escapes (the pre-scan saw only raw text).
        self.escapes = escapes
        self.found: list[Finding] = []

    def error(self, node: Any, message: str) -> None:
        mark = node.start_mark
        self.found.append((mark.line + 1, mark.column + 1, "error", message))

    def warning(self, node: Any, message: str) -> None:
        mark = node.start_mark
        self.found.append((mark.line + 1, mark.column + 1, "warning", message))

    def text(self, node: Any, name: str, required: bool = True) -> str | None:
        """A scalar as text; numbers keep their spelling, booleans and nulls are refused."""
        if node.__class__ is ScalarNode:
            tag = node.tag
            value = node.value
            if tag == PLAIN:
                if value in NULLS:
                    if required:
                        self.error(node, f"'{name}' is empty")
                    return None
                if value in BOOLS:
                    self.error(node, f"'{name}' is the YAML boolean {value}; "
                                     f"put it in quotes (\"{value}\") to mean the text")
                    return None
            elif tag != STR:
                if tag in STANDARD_TAGS:
                    self.error(node, f"'{name}' must be text, not tagged {tag}")
                else:
                    self.error(node, tag_message(tag))
                return None
            elif required and not value.strip():
                self.error(node, f"'{name}' is empty")
                return None
            if self.escapes and CONTROL_RE.search(value) is not None:
                ch = CONTROL_RE.search(value).group()[0]
                self.error(node, f"'{name}' contains the control character {char_name(ch)} "
                                 "(written as an escape); it could drive the terminal")
                return None
            return value
        self.error(node, f"'{name}' must be text, got {kind_of(node)}")
        return None

    def key(self, node: Any) -> str | None:
        if node.__class__ is ScalarNode and (node.tag == PLAIN or node.tag == STR):
            return node.value
        if node.__class__ is ScalarNode and node.tag not in STANDARD_TAGS:
            self.error(node, tag_message(node.tag))
        else:
            self.error(node, f"a key must be a plain name, got {kind_of(node)}")
        return None

    def mapping(self, node: Any, what: str) -> dict[str, tuple[Any, Any]] | None:
        """{key: (key node, value node)} of a mapping node; duplicate keys are errors."""
        if node.__class__ is not MappingNode:
            self.error(node, f"{what} must be a mapping, got {kind_of(node)}")
            return None
        if node.tag != MAP:
            self.error(node, tag_message(node.tag))
            return None
        fields: dict[str, tuple[Any, Any]] = {}
        for knode, vnode in node.value:
            key = self.key(knode)
            if key is None:
                continue
            first = fields.get(key)
            if first is not None:
                self.error(knode, f"duplicate key '{key}' (first on line "
                                  f"{first[0].start_mark.line + 1})")
                continue
            fields[key] = (knode, vnode)
        return fields

    def sequence(self, node: Any, what: str) -> list[Any] | None:
        if node.__class__ is not SequenceNode:
            self.error(node, f"{what} must be a list, got {kind_of(node)}")
            return None
        if node.tag != SEQ:
            self.error(node, tag_message(node.tag))
            return None
        return node.value

    def text_list(self, node: Any, name: str) -> tuple[str, ...] | None:
        items = self.sequence(node, f"'{name}'")
        if items is None:
            return None
        out = []
        for item in items:
            value = self.text(item, f"{name} entry")
            if value is None:
                return None
            out.append(value)
        return tuple(out)

    def keys(self, fields: dict[str, tuple[Any, Any]], allowed: Any, known: Any, where: str,
             applies: Any = None) -> None:
        """Report keys outside ``allowed``: unknown ones with a suggestion from ``known``."""
        for key, (knode, _v) in fields.items():
            if key in allowed:
                continue
            if key in known:
                hint = applies(key) if applies else ""
                self.error(knode, f"key '{key}' does not apply to {where}{hint}")
            else:
                self.error(knode, f"unknown key '{key}'{suggest(key, known)}")

    def plain_value(self, node: Any, name: str, depth: int = 0) -> Any:
        """A params value: str, int, float, bool, None, or a tuple of those; INVALID on error."""
        if node.__class__ is ScalarNode:
            if node.tag not in STANDARD_TAGS:
                self.error(node, tag_message(node.tag))
                return INVALID
            try:
                value = resolve_plain(node)
            except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
                self.error(node, f"'{name}' is not a valid {node.tag.rsplit(':', 1)[-1]}: {exc}")
                return INVALID
            if isinstance(value, str) and self.escapes and CONTROL_RE.search(value):
                self.error(node, f"'{name}' contains a control character (written as an escape)")
                return INVALID
            return value
        if node.__class__ is SequenceNode and depth == 0:
            items = self.sequence(node, f"'{name}'")
            if items is None:
                return INVALID
            values = tuple(self.plain_value(item, name, 1) for item in items)
            return INVALID if INVALID in values else values
        self.error(node, f"'{name}' must be a number, text, true/false or a list of those, "
                         f"got {kind_of(node)}")
        return INVALID
