"""Every deck file the import writes passes the deck checker and reads back as converted,
and the fast paths (plain fields, cached fields, the HTML subset, quoting) write the same bytes
as the reference path."""

from __future__ import annotations

from contextlib import ExitStack
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studydeck.deckfile.cloze import find_deletions, render
from studydeck.deckfile.load import parse_deck
from studydeck.interop import convert as convert_module
from studydeck.interop import html, yaml_write
from studydeck.interop.convert import SourceNote, convert, field_markdown, safe_media_name
from studydeck.interop.notetypes import AnkiNotetype
from tests.helpers import examples

_TYPES = [
    AnkiNotetype(1, "Basic", False, 1, ("Front", "Back")),
    AnkiNotetype(2, "Basic (and reversed card)", False, 2, ("Front", "Back")),
    AnkiNotetype(3, "Basic (optional reversed card)", False, 3, ("Front", "Back", "Add Reverse")),
    AnkiNotetype(4, "Cloze", True, 5, ("Text", "Back Extra")),
    AnkiNotetype(5, "studydeck Basic", False, 0, ("Front", "Back", "Extra")),
    AnkiNotetype(6, "studydeck Choice", False, 0, ("Front", "Choices", "Answer", "Extra")),
    AnkiNotetype(7, "Vocab", False, 0, ("Word", "Meaning", "Notes")),
]
_PIECES = ["a", "b", "word", " ", "  ", "\n", "\t", "\r\n", "\r", "*", "_", "\\", '"', "'", "#", "-",
           "1.", ":", ": ", " #", "{{c1::", "{{c2::", "::", "}}", "<b>", "</b>", "<i>", "</i>", "<br>",
           "<div>", "</div>", "<ul><li>", "</li></ul>", "<li>", "</li>", "<code>", "</code>",
           '<span style="x">', "</span>", "&amp;", "&nbsp;", "&lt;", "&", "<", '<img src="p.png">',
           '<img src="gone.png">', '<img src="../x.png">', "\x07", "\x1b[31m", "\x00", "\x85",
           "\u2028", "\ufeff", "\ufffe", "é", "⊙", "yes", "null", "~", "|", ">", "---", "...", "%",
           "@", "`", "[", "]", "!", "\xa0"]
_FIELD = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
    # plain text, most fields: taken as it is, the note often by the converter's quick way
    st.lists(st.sampled_from(["a", "b", "word", "_", "'", "#", "-", "1.", ":", "é", "⊙", "yes", "%"]),
             min_size=1, max_size=5).map(" ".join))
_CLOZE = st.builds(lambda a, b, c: f"{a}{{{{c1::{b}}}}}{c}", _FIELD, _FIELD, _FIELD)
_CHOICES = st.lists(_FIELD, max_size=7).map(
    lambda items: '<ol type="a">' + "".join(f"<li>{i}</li>" for i in items) + "</ol>")
_DECKS = st.sampled_from(["Default", "Yes", "null", "studydeck::Cells", "Bio::Cells", "Bell\x07 deck",
                          "  ", "Äpfel", "1.5", "on", "a\u2028b", '"quoted"'])


@st.composite
def _notes(draw):
    notes = []
    for i in range(draw(st.integers(1, 6))):
        notetype = draw(st.sampled_from(_TYPES))
        fields = [draw(_CLOZE if name == "Text" and draw(st.booleans()) else
                       _CHOICES if name == "Choices" else _FIELD) for name in notetype.fields]
        if notetype.name == "studydeck Choice" and draw(st.booleans()):
            fields[2] = draw(st.sampled_from(["a", "b", "word"]))
            fields[1] = '<ol type="a"><li>a</li><li>b</li><li>word</li></ol>'
        elif notetype.name == "studydeck Choice" and draw(st.booleans()):
            # plain options, sometimes empty, repeated, too few or too many
            items = draw(st.lists(st.sampled_from(["a", "b", "word", "", "a b", " c"]), max_size=8))
            fields[1] = '<ol type="a">' + "".join(f"<li>{i}</li>" for i in items) + "</ol>"
            fields[2] = draw(st.sampled_from(items + ["zz"]))
        tags = tuple(draw(st.lists(st.sampled_from(["x", "y::z", "\x07", "é", "yes", "#t"]), max_size=3)))
        guid = draw(st.one_of(st.none(), st.sampled_from(["g1", "g2", "g3", f"n{i}"])))
        notes.append(SourceNote(notetype, tuple(fields), tags, draw(_DECKS), guid,
                                ((100 + i, 0), (200 + i, 1)), where=f"note {i}"))
    return notes


def _files(notes):
    plan = convert(notes, {"p.png", "../x.png"})
    return plan, {d.deck_id: yaml_write.deck_yaml(d.deck_id, d.title, d.notes, "pkg.apkg")
                  for d in plan.decks}


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_notes())
def test_every_written_deck_passes_the_checker_and_reads_back(notes):
    plan, files = _files(notes)
    for deck_out in plan.decks:
        deck, problems = parse_deck(files[deck_out.deck_id].encode("utf-8"), "x.yaml")
        assert [p for p in problems if p.is_error] == [], files[deck_out.deck_id]
        assert deck is not None and deck.id == deck_out.deck_id and deck.title == deck_out.title
        assert len(deck.cards) == deck_out.card_count
        cards = {}
        for card in deck.cards:
            cards.setdefault(card.note_id, []).append(card)
        for note in deck_out.notes:
            (first, *rest) = cards[note["id"]]
            assert first.tags == tuple(note.get("tags", ())) and first.extra == note.get("extra", "")
            kind = note.get("type", "basic")
            assert first.type == kind
            if kind in ("basic", "reversed"):
                assert (first.front, first.back) == (note["front"], note["back"])
            elif kind == "choice":
                assert (first.front, first.choices, first.answer) == (
                    note["front"], tuple(note["choices"]), note["answer"])
            else:
                deletions, _ = find_deletions(note["text"])
                numbers = sorted({d.number for d in deletions})
                assert [(c.front, c.back) for c in (first, *rest)] == [
                    render(note["text"], deletions, n) for n in numbers]


def _reference_paths(stack: ExitStack) -> None:
    """Every fast path off: markdownify for all HTML, no plain-field or plain-note shortcut
    or cache, JSON quoting for every scalar."""

    def markdown(self, field):
        def image_target(src):
            if src in self.media_names and safe_media_name(src):
                self._media_used.add(src)
                return f"{self._media_dir}/{src}"
            return None

        return field_markdown(field, image_target)

    stack.enter_context(mock.patch.object(convert_module.Converter, "_markdown", markdown))
    stack.enter_context(mock.patch.object(html.html_subset, "convert", lambda field, image: None))
    stack.enter_context(mock.patch.object(html.html_subset, "flat", lambda field: None))
    stack.enter_context(mock.patch.object(convert_module.Converter, "_add_plain", lambda self, note, shape: False))
    stack.enter_context(mock.patch.object(yaml_write, "quoted", yaml_write._quoted_escaped))
    stack.enter_context(mock.patch.object(yaml_write, "scalar", yaml_write._scalar_reference))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_notes())
@example([SourceNote(_TYPES[4], ("What does the <strong>forget gate</strong> decide?",
                                 "Which parts of <code>c_(t-1)</code> are kept.",
                                 "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"), ("gates",), "Default", "g1"),
          SourceNote(_TYPES[4], ('a <img src="p.png">', "b", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
                     (), "Default", "g2")])
@example([SourceNote(_TYPES[5], ("q", '<ol type="a"><li>a</li><li>a</li><li>b</li></ol>', "a", ""), (), "D", "g1"),
          SourceNote(_TYPES[5], ("q", '<ol type="a"><li>a</li><li></li><li>b</li></ol>', "a", ""), (), "D", "g2"),
          SourceNote(_TYPES[5], ("q", '<ol type="a"><li>a</li><li>b</li></ol>', "c", "x"), (), "D", "g3"),
          SourceNote(_TYPES[5], ("q", '<ol type="a"><li>a</li><li>b</li></ol>', "b", "x"), (), "D", "g4")])
def test_the_fast_paths_write_the_bytes_the_reference_paths_write(notes):
    fast_plan, fast = _files(notes)
    with ExitStack() as stack:
        _reference_paths(stack)
        slow_plan, slow = _files(notes)
    assert fast == slow
    assert [d.media for d in fast_plan.decks] == [d.media for d in slow_plan.decks]
    assert (fast_plan.warnings, fast_plan.skipped, fast_plan.card_keys) == (
        slow_plan.warnings, slow_plan.skipped, slow_plan.card_keys)


@settings(max_examples=examples(2000), deadline=None)
@given(st.text())
def test_quoting_without_escapes_agrees_with_json_quoting(text):
    assert yaml_write.quoted(text) == yaml_write._quoted_escaped(text)


@settings(max_examples=examples(2000), deadline=None)
@given(st.one_of(st.text(), _FIELD))
def test_a_field_taken_as_is_is_its_own_markdown(field):
    if convert_module.is_as_is(field):
        assert field_markdown(field) == field


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["a", "b c", " a", "a ", "<", "&", "*"])),
                max_size=4).map(tuple))
def test_all_as_is_is_is_as_is_of_every_field(fields):
    # (equal but for fields whose joined length passes the field limit: then all_as_is says no)
    assert convert_module.all_as_is(fields) == (bool(fields) and all(map(convert_module.is_as_is, fields)))
