"""``studydeck export``: packages and text files, read back with studydeck's own reader."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.cli import main
from studydeck.deckfile.load import load_decks
from studydeck.interop.anki_read import read_package
from studydeck.interop.export import deck_notes, guid
from studydeck.interop.notetypes import (
    BASIC_ID,
    CHOICE_ID,
    CLOZE_ID,
    NAMES,
    REVERSED_ID,
)
from tests.interop.helpers import SMALL_DECK, export, write_deck
from tests.helpers import examples


@pytest.fixture
def deck_dir(tmp_path):
    folder = tmp_path / "decks"
    write_deck(folder)
    return folder


def test_package_holds_each_note_once_with_fixed_types_and_guids(tmp_path, deck_dir, capsys):
    package = read_package(export(tmp_path, deck_dir, variants=3))
    out = capsys.readouterr().out
    assert "1 decks, 7 notes, 9 cards" in out and "frozen copies" in out
    assert package.format == "anki2"
    assert {nt.id: nt.name for nt in package.notetypes.values()} == {
        BASIC_ID: NAMES["basic"], REVERSED_ID: NAMES["reversed"], CLOZE_ID: NAMES["cloze"],
        CHOICE_ID: NAMES["choice"]}
    assert package.notetypes[CLOZE_ID].is_cloze
    by_guid = {n.guid: n for n in package.notes}
    gate = by_guid[guid("small", "gate")]
    assert gate.fields == ("What does the <strong>forget gate</strong> decide?",
                           "Which parts of c_(t-1) are kept.", "See the cell diagram.")
    assert gate.tags == ("gates", "lstm_basics")
    cloze = by_guid[guid("small", "cell")]
    assert cloze.fields[0] == "c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t::a product}}"
    choice = by_guid[guid("small", "count")]
    assert choice.fields[1] == '<ol type="a"><li>1</li><li>2</li><li>3</li><li>4</li></ol>'
    drills = [by_guid[guid("small", "sig", "variant", k)] for k in (1, 2, 3)]
    assert len({d.fields[0] for d in drills}) == 3        # three different frozen questions
    assert all("<pre>" in d.fields[0] and "<pre>" in d.fields[1] for d in drills)
    assert all("studydeck-drill" in d.tags for d in drills)
    assert {n.deck for n in package.notes} == {"studydeck::Small deck"}
    assert sum(len(n.cards) for n in package.notes) == 9


def test_the_same_deck_exports_the_same_notes_and_an_edit_keeps_the_guid(tmp_path, deck_dir):
    first = read_package(export(tmp_path, deck_dir, "a.apkg"))
    second = read_package(export(tmp_path, deck_dir, "b.apkg"))
    assert [(n.guid, n.fields) for n in first.notes] == [(n.guid, n.fields) for n in second.notes]
    write_deck(deck_dir, SMALL_DECK.replace("Gated recurrent unit", "Gated recurrent unit (2014)"))
    third = read_package(export(tmp_path, deck_dir, "c.apkg"))
    changed = [n for n in third.notes if n.guid == guid("small", "rev")]
    assert changed[0].fields[1] == "Gated recurrent unit (2014)"
    assert {n.guid for n in third.notes} == {n.guid for n in first.notes}


def test_drill_variants_are_fixed_and_counted(tmp_path, deck_dir):
    one = read_package(export(tmp_path, deck_dir, "one.apkg", variants=1))
    five = read_package(export(tmp_path, deck_dir, "five.apkg", variants=5))
    none = read_package(export(tmp_path, deck_dir, "none.apkg", variants=0))
    assert (len(one.notes), len(five.notes), len(none.notes)) == (5, 9, 4)
    first = next(n for n in one.notes if n.guid == guid("small", "sig", "variant", 1))
    again = next(n for n in five.notes if n.guid == guid("small", "sig", "variant", 1))
    assert first.fields == again.fields


def test_text_export_has_anki_headers_and_stock_types(tmp_path, deck_dir):
    target = export(tmp_path, deck_dir, "out.txt", variants=1)
    text = target.read_text(encoding="utf-8")
    header, body = text.split("\n")[:6], "\n".join(text.split("\n")[6:])
    assert header == ["#separator:tab", "#html:true", "#notetype column:1", "#deck column:2",
                      "#guid column:3", "#tags column:6"]
    rows = list(csv.reader(io.StringIO(body), delimiter="\t"))
    assert [r[0] for r in rows] == ["Basic", "Basic (and reversed card)", "Cloze", "Basic", "Basic"]
    assert all(len(r) == 6 and r[1] == "studydeck::Small deck" for r in rows)
    assert rows[0][2] == guid("small", "gate")
    assert rows[0][4] == "Which parts of c_(t-1) are kept.<hr>See the cell diagram."
    assert rows[0][5] == "gates lstm_basics"
    assert rows[3][3].endswith('<ol type="a"><li>1</li><li>2</li><li>3</li><li>4</li></ol>')


def test_tsv_is_the_same_format(tmp_path, deck_dir):
    txt = export(tmp_path, deck_dir, "out.txt").read_text(encoding="utf-8")
    assert export(tmp_path, deck_dir, "out.tsv").read_text(encoding="utf-8") == txt


@pytest.mark.parametrize("target", ["out.doc", "missing-folder/out.apkg", "."])
def test_a_bad_target_exits_2_and_writes_nothing(tmp_path, deck_dir, capsys, target):
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["export", "--no-bundled", "--deck-dir", str(deck_dir), "--to", str(tmp_path / target)])
    assert code == 2
    err = capsys.readouterr().err
    assert "error: --to" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_unknown_deck_exits_2(tmp_path, deck_dir, capsys):
    assert main(["export", "nope", "--no-bundled", "--deck-dir", str(deck_dir),
                 "--to", str(tmp_path / "x.apkg")]) == 2
    assert "no deck 'nope'" in capsys.readouterr().err


def test_bundled_decks_export_every_card(tmp_path):
    from studydeck import paths

    decks = load_decks([paths.bundled_decks_dir()]).decks
    package = read_package(export(tmp_path, paths.bundled_decks_dir(), variants=2))
    drill_cards = sum(c.type == "drill" for d in decks for c in d.cards)
    assert sum(len(n.cards) for n in package.notes) == sum(len(d.cards) for d in decks) + drill_cards
    assert len(package.notes) == sum(len(deck_notes(d, 2)) for d in decks)


def test_cloze_sources_read_note_by_note_agree_with_the_whole_file(tmp_path):
    from studydeck import paths
    from studydeck.interop.cloze_source import cloze_sources_by_note, cloze_sources_whole

    awkward = tmp_path / "awkward.yaml"
    awkward.write_text(
        "deck: awkward\ntitle: Awkward\ncards:\n"
        "- id: a\n  type: cloze\n  text: |\n    one {{c1::x}}\n\n    two {{c2::y::hint}}\n  # a comment\n"
        "- {type: cloze, text: 'flow {{c1::z}}'}\n"
        "-   type: cloze\n    text: >-\n      folded {{c1::w}}\n      text\n"
        "description: after the cards\n", encoding="utf-8")
    bundled = load_decks([paths.bundled_decks_dir()]).decks
    decks = load_decks([paths.bundled_decks_dir(), awkward]).decks
    assert len(decks) == len(bundled) + 1 and decks[-1].id == "awkward"
    for deck in decks:
        whole = cloze_sources_whole(deck)
        by_note = cloze_sources_by_note(deck, open(deck.path, encoding="utf-8").read().splitlines())
        assert by_note is None or by_note == whole, deck.id
        if deck.id != "awkward":
            assert by_note == whole      # the bundled decks take the fast way


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(st.one_of(st.text(), st.integers()), min_size=1, max_size=4))
def test_guids_are_genankis(values):
    import genanki

    assert guid(*values) == genanki.guid_for(*values)
