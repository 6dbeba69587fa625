"""A cloze note's source text read again from its file: the quick ways agree with loading it all."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from studydeck.deckfile.load import parse_deck
from studydeck.interop.cloze_source import (
    cloze_sources,
    cloze_sources_by_line,
    cloze_sources_by_note,
    cloze_sources_whole,
)
from studydeck.model import Deck
from tests.helpers import examples

_PIECE = st.sampled_from(["{{c2::b::hint}}", "x", "x", "x", " ", "  ", "#", " #", ": ", ":", "'", '"', "\\",
                          "(", "-", "text: ", "é", "⊙", "{", "}", "[", "1", "\n"])
_TEXT = st.builds(lambda a, b: f"x{a}{{{{c1::a}}}}{b}", st.lists(_PIECE, max_size=4).map("".join),
                  st.lists(_PIECE, max_size=4).map("".join))


def _value(text: str, style: str, indent: str) -> str:
    """``text`` after ``key:`` in one YAML style (some styles may not say ``text``)."""
    if style == "double":
        return json.dumps(text, ensure_ascii=False)
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "plain":
        return text
    if style in ("|", "|-", ">-"):
        return style + "".join("\n" + indent + "  " + line for line in text.split("\n"))
    raise AssertionError(style)


_STYLES = st.sampled_from(["double", "double", "single", "plain", "plain", "|", "|-", ">-"])


@st.composite
def _deck_text(draw) -> str:
    lines = ["deck: d", "title: T", "cards:"]
    for i in range(draw(st.integers(1, 5))):
        lead = draw(st.sampled_from(["  - ", "- ", "  -   "]))
        indent = " " * len(lead)
        kind = draw(st.sampled_from(["cloze", "cloze", "basic", "flow"]))
        if kind == "flow":
            lines.append(f"{lead}{{id: f{i}, type: cloze, text: {json.dumps(draw(_TEXT))}}}")
            continue
        keys = []
        if draw(st.booleans()):
            keys.append(("id", f"n{i}"))
        if kind == "cloze":
            keys += [("type", "cloze"), ("text", draw(_TEXT))]
        else:
            keys += [("front", draw(_TEXT)), ("back", "b")]
        if draw(st.booleans()):
            keys.append(("extra", draw(_TEXT) + "\n" + indent + draw(st.sampled_from(
                ['text: "{{c1::fake}}"', "  text: x {{c1::y}}", "# not a comment", "type: cloze"]))))
        keys = draw(st.permutations(keys))
        for k, (key, value) in enumerate(keys):
            style = draw(_STYLES) if key in ("text", "front", "extra") else "plain"
            lines.append(f"{lead if k == 0 else indent}{key}: {_value(value, style, indent)}")
            if draw(st.integers(0, 5)) == 0:
                lines.append(draw(st.sampled_from(["", indent + "# a comment", "# a comment"])))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def _load(tmp_path, text: str) -> Deck | None:
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    deck, problems = parse_deck(path.read_bytes(), str(path))
    if deck is None or any(p.is_error for p in problems):
        return None
    return deck


@settings(max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.filter_too_much])
@given(_deck_text())
@example("deck: d\ntitle: T\ncards:\n  - id: a\n    type: cloze\n    text: \"x {{c1::y}}\"\n")
@example("deck: d\ntitle: T\ncards:\n  - id: a\n    type: cloze\n    extra: |\n      text: \"{{c1::fake}}\"\n"
         "    text: \"x {{c1::y}}\"\n")
@example("deck: d\ntitle: T\ncards:\n  - id: a\n    type: cloze\n    text: x {{c1::y}} # said\n")
@example("deck: d\ntitle: T\ncards:\n  - id: a\n    type: cloze\n    text: x {{c1::y}}  \n")
def test_every_way_reads_the_text_the_whole_file_gives(tmp_path, text):
    deck = _load(tmp_path, text)
    assume(deck is not None and any(c.type == "cloze" for c in deck.cards))
    whole = cloze_sources_whole(deck)
    lines = text.splitlines()
    for quick in (cloze_sources_by_line(deck, lines), cloze_sources_by_note(deck, lines, text.endswith("\n"))):
        assert quick is None or quick == whole, text
    assert cloze_sources(deck) == whole


def test_the_bundled_decks_take_the_line_way():
    from studydeck import paths
    from studydeck.deckfile.load import load_decks

    for deck in load_decks([paths.bundled_decks_dir()]).decks:
        if any(c.type == "cloze" for c in deck.cards):
            lines = open(deck.path, encoding="utf-8").read().splitlines()
            assert cloze_sources_by_line(deck, lines) == cloze_sources_whole(deck), deck.id
