"""The decks shipped in decks/: they load cleanly and cover the course.

These tests read the real bundled files, so a careless edit to a deck (a bad
id, an unknown drill kind, a stray ``*`` that Markdown turns into emphasis)
fails here before a learner ever sees it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from studydeck.drills.catalog import KINDS, check_params
from studydeck.paths import bundled_decks_dir

DECKS_DIR = bundled_decks_dir()
FILES = sorted(p for p in DECKS_DIR.iterdir() if p.suffix in (".yaml", ".yml"))
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}")
# The decks the course promises; more may be added, none of these may go.
REQUIRED_DECKS = {
    "why-lstm", "lstm-cell", "gru-vs-lstm", "deep-bidirectional", "lstm-papers", "drills",
}


def _raw(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


RAW = {path.name: _raw(path) for path in FILES}


def _notes():
    for name, data in RAW.items():
        for note in data["cards"]:
            yield name, data["deck"], note


def test_the_bundled_directory_holds_the_course_decks():
    assert {data["deck"] for data in RAW.values()} >= REQUIRED_DECKS


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_parses_with_safe_load(path):
    data = _raw(path)
    assert isinstance(data, dict)
    assert set(data) <= {"deck", "title", "description", "cards"}
    assert isinstance(data["cards"], list) and data["cards"]


def test_the_loader_reports_no_error_and_no_warning():
    from studydeck.deckfile.load import load_decks

    result = load_decks([DECKS_DIR])
    assert [str(p) for p in result.problems] == []
    assert {deck.id for deck in result.decks} == {data["deck"] for data in RAW.values()}


def test_the_loader_builds_every_card_of_every_note():
    from studydeck.deckfile.load import load_decks

    result = load_decks([DECKS_DIR])
    expected = 0
    for _name, _deck, note in _notes():
        kind = note.get("type", "basic")
        if kind == "reversed":
            expected += 2
        elif kind == "cloze":
            expected += len({m.group(1) for m in CLOZE_RE.finditer(note["text"])})
        else:
            expected += 1
    assert sum(len(deck.cards) for deck in result.decks) == expected


def test_every_drill_kind_is_used_by_some_card():
    used = {note["drill"] for _n, _d, note in _notes() if note.get("type") == "drill"}
    assert used <= set(KINDS)
    assert set(KINDS) - used == set()


def test_drill_params_are_accepted_by_their_kind():
    for name, _deck, note in _notes():
        if note.get("type") == "drill":
            assert check_params(note["drill"], note.get("params")) == [], (name, note["id"])


def test_every_drill_card_generates_a_question():
    from studydeck.drills import generate

    for _name, _deck, note in _notes():
        if note.get("type") == "drill":
            question = generate(note["drill"], 3, note.get("params"))
            assert question.kind == note["drill"]
            assert question.prompt


def test_at_least_120_study_notes_besides_drills():
    notes = [note for _n, _d, note in _notes() if note.get("type", "basic") != "drill"]
    assert len(notes) >= 120


def test_every_deck_has_a_description_worth_reading():
    for name, data in RAW.items():
        description = data.get("description") or ""
        paragraphs = [p for p in description.split("\n\n") if p.strip()]
        assert len(paragraphs) >= 3, name


def test_deck_ids_are_unique_and_well_formed():
    deck_ids = [data["deck"] for data in RAW.values()]
    assert len(deck_ids) == len(set(deck_ids))
    assert all(ID_RE.match(deck_id) for deck_id in deck_ids)


def test_every_note_has_a_stable_unique_id():
    for name, data in RAW.items():
        ids = [note.get("id") for note in data["cards"]]
        assert all(isinstance(i, str) and ID_RE.match(i) for i in ids), name
        duplicates = {i for i in ids if ids.count(i) > 1}
        assert not duplicates, (name, duplicates)


def test_choice_answers_are_among_the_choices():
    for name, _deck, note in _notes():
        if note.get("type") == "choice":
            choices = note["choices"]
            assert 2 <= len(choices) <= 6 and len(set(choices)) == len(choices), note["id"]
            assert note["answer"] in choices, (name, note["id"])


def test_cloze_deletions_are_numbered_from_one():
    for name, _deck, note in _notes():
        if note.get("type") == "cloze":
            numbers = sorted({int(m.group(1)) for m in CLOZE_RE.finditer(note["text"])})
            assert numbers == list(range(1, len(numbers) + 1)), (name, note["id"])
            assert "{{" not in CLOZE_RE.sub("", note["text"]), (name, note["id"])


def _card_texts():
    for name, _deck, note in _notes():
        kind = note.get("type", "basic")
        texts = [note.get("front", ""), note.get("back", ""), note.get("extra", "")]
        if kind == "cloze":
            texts.append(CLOZE_RE.sub(lambda m: m.group(2), note["text"]))
        texts.extend(note.get("choices", []))
        for text in texts:
            if text:
                yield name, note["id"], text


def test_card_text_has_no_control_characters():
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    for name, note_id, text in _card_texts():
        assert not control.search(text), (name, note_id)
    for name, data in RAW.items():
        assert not control.search(data.get("description", "").replace("\n", " ")), name


def test_card_text_is_not_mangled_by_markdown():
    """Equations such as ``f_t ⊙ c_(t-1)`` must not turn into emphasis, links or headings."""
    from markdown_it import MarkdownIt  # the parser Textual renders Markdown with

    md = MarkdownIt("gfm-like")
    unwanted = ("<em>", "<strong>", "<a ", "<h1", "<h2", "<h3", "<s>", "<table", "<li>", "<hr")
    for name, note_id, text in _card_texts():
        html = md.render(text)
        assert not any(tag in html for tag in unwanted), (name, note_id, text, html)


def test_loaded_cards_render_as_intended():
    """Loaded cards: cloze backs bold exactly the deletion, nothing else gets emphasis."""
    from markdown_it import MarkdownIt

    from studydeck.deckfile.load import load_decks

    md = MarkdownIt("gfm-like")
    result = load_decks([DECKS_DIR])
    for deck in result.decks:
        for card in deck.cards:
            for side, text in (("front", card.front), ("back", card.back), ("extra", card.extra)):
                html = md.render(text)
                bold = 1 if card.type == "cloze" and side == "back" else 0
                assert html.count("<strong>") == bold, (deck.id, card.card_id, side, html)
                assert "<em>" not in html and "<a " not in html, (deck.id, card.card_id, side, html)


def test_the_deck_table_in_the_docs_counts_what_ships():
    """docs/decks.md lists every bundled deck with its notes and cards, and the totals."""
    from studydeck.deckfile.load import load_decks

    text = (Path(__file__).parent.parent / "docs" / "decks.md").read_text(encoding="utf-8")
    rows = {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"^\| `([a-z0-9-]+)` \| [^|]+\| (\d+) \| (\d+) \|",
                                                                 text, re.M)}
    decks = {deck.id: deck for deck in load_decks([DECKS_DIR]).decks}
    notes = {data["deck"]: len(data["cards"]) for data in RAW.values()}
    assert rows == {deck_id: (notes[deck_id], len(deck.cards)) for deck_id, deck in decks.items()}
    drills = sum(len(deck.cards) for deck in decks.values() if deck.id == "drills")
    study_notes = sum(n for deck_id, n in notes.items() if deck_id != "drills")
    cards = sum(len(deck.cards) for deck in decks.values())
    words = {"seven": 7, "eight": 8, "nine": 9, "ten": 10}
    assert f"ships {next(w for w, n in words.items() if n == len(decks))} decks" in text
    assert (f"That is {study_notes} study notes ({cards - drills} cards) plus {drills} drill cards: "
            f"{cards} cards in all.") in " ".join(text.split())
