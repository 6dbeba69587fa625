"""``studydeck import``: round trips through genanki output, text files, and hostile inputs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from studydeck.cli import main
from studydeck.deckfile.load import check_paths, load_decks
from studydeck.interop import InteropError, anki_read
from studydeck.interop.export import guid
from studydeck.interop.importer import run_import
from studydeck.interop.notetypes import BASIC_ID
from tests.interop.helpers import export, rewrite_collection, write_deck


@pytest.fixture
def package(tmp_path):
    return export(tmp_path, write_deck(tmp_path / "decks").parent, variants=1)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_round_trip_keeps_types_texts_and_tags(tmp_path, package):
    into = tmp_path / "imported"
    result = run_import(package, into)
    (written,) = result.written
    assert written.path == into / "studydeck-small-deck.yaml"
    assert check_paths([into]).problems == []
    (deck,) = load_decks([into]).decks
    original = {c.card_id: c for c in load_decks([tmp_path / "decks"]).decks[0].cards}
    assert deck.title == "Small deck"
    by_type = {}
    for card in deck.cards:
        by_type.setdefault(card.type, []).append(card)
    assert sorted(by_type) == ["basic", "choice", "cloze", "reversed"]
    gate = next(c for c in by_type["basic"] if "forget gate" in c.front)
    assert (gate.front, gate.back, gate.extra) == (original["gate"].front, original["gate"].back,
                                                   original["gate"].extra)
    assert gate.tags == ("gates", "lstm_basics")
    assert [c.front for c in by_type["reversed"]] == ["GRU", "Gated recurrent unit"]
    assert [(c.front, c.back) for c in by_type["cloze"]] == [
        (original["cell#c1"].front, original["cell#c1"].back),
        (original["cell#c2"].front, original["cell#c2"].back)]
    (choice,) = by_type["choice"]
    assert (choice.choices, choice.answer) == (("1", "2", "3", "4"), "2")
    assert all(c.note_id.startswith("anki-") for c in deck.cards)


def test_a_second_import_gives_the_same_ids_and_needs_force(tmp_path, package, capsys):
    into = tmp_path / "imported"
    run_import(package, into)
    first = (into / "studydeck-small-deck.yaml").read_bytes()
    with pytest.raises(InteropError, match="already exists; add --force"):
        run_import(package, into)
    run_import(package, into, force=True)
    assert (into / "studydeck-small-deck.yaml").read_bytes() == first
    # note ids come from the GUIDs
    (deck,) = load_decks([into]).decks
    from studydeck.interop.convert import note_id

    assert note_id(guid("small", "gate"), "") in {c.note_id for c in deck.cards}


def test_cli_prints_what_it_wrote_and_refuses_to_overwrite(tmp_path, package, capsys):
    into = tmp_path / "imported"
    assert main(["import", str(package), "--into", str(into)]) == 0
    assert "Wrote " in capsys.readouterr().out
    assert main(["import", str(package), "--into", str(into)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "add --force" in err


def test_unknown_type_occlusion_media_and_empty_notes(tmp_path, package):
    sql = [
        # a note type studydeck does not know, and an image occlusion type
        ("UPDATE col SET models = json_set(models, '$.\"77\"', json(?))",
         (('{"id": 77, "name": "Vocab", "type": 0, "flds": [{"name": "Word", "ord": 0},'
           '{"name": "Meaning", "ord": 1}, {"name": "Notes", "ord": 2}], "tmpls": []}'),)),
        ("UPDATE col SET models = json_set(models, '$.\"78\"', json(?))",
         (('{"id": 78, "name": "Image Occlusion", "type": 1, "originalStockKind": 6,'
           '"flds": [{"name": "Occlusion", "ord": 0}], "tmpls": []}'),)),
        ("INSERT INTO notes VALUES (9001, 'vocabguid', 77, 0, 0, ' w ', ?, 'x', 0, 0, '')",
         ("cella<img src=\"cell.png\">\x1fcell<img src=\"missing.png\">\x1fignored",)),
        ("INSERT INTO notes VALUES (9002, 'ioguid', 78, 0, 0, '', 'shape', 'x', 0, 0, '')", ()),
        ("INSERT INTO notes VALUES (9003, 'emptyguid', ?, 0, 0, '', ?, 'x', 0, 0, '')",
         (BASIC_ID, "front only\x1f\x1f")),
    ]
    hostile = rewrite_collection(package, tmp_path / "more.apkg", sql, media={"cell.png": b"\x89PNG"})
    into = tmp_path / "imported"
    result = run_import(hostile, into)
    assert check_paths([into]).problems == []
    assert result.plan.skipped == {"image occlusion notes (studydeck cannot show them)": 1,
                                   "notes with an empty front or back": 1}
    assert any("'Vocab'" in w and "read as basic" in w for w in result.plan.warnings)
    # notes without cards land in Anki's "Default" deck
    text = (into / "default.yaml").read_text(encoding="utf-8")
    assert "![cell.png](default-media/cell.png)" in text
    assert "[image: missing.png]" in text
    assert (into / "default-media" / "cell.png").read_bytes() == b"\x89PNG"


def test_plain_tsv_and_csv(tmp_path):
    tsv = tmp_path / "words.tsv"
    tsv.write_text("cat\tKatze\ndog\tHund\n\nyes\t1.50\n", encoding="utf-8")
    csv_file = tmp_path / "more.csv"
    csv_file.write_text('front,back\n"a, b","line one\nline two"\n', encoding="utf-8")
    into = tmp_path / "imported"
    run_import(tsv, into)
    run_import(csv_file, into)
    assert check_paths([into]).problems == []
    decks = {d.id: d for d in load_decks([into]).decks}
    assert [(c.front, c.back) for c in decks["words"].cards] == [
        ("cat", "Katze"), ("dog", "Hund"), ("yes", "1.50")]
    assert [(c.front, c.back) for c in decks["more"].cards] == [
        ("front", "back"), ("a, b", "line one\\\nline two")]


def test_anki_text_with_headers(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text(
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
        "g1\tBasic\tLang::German\t<b>cat</b>\tKatze\tanimals\n"
        "g2\tCloze\tLang::German\t{{c1::Hund}} means dog\t\t\n"
        "g3\tBasic (and reversed card)\tLang::French\tchat\tcat\t\n", encoding="utf-8")
    into = tmp_path / "imported"
    run_import(source, into)
    decks = {d.id: d for d in load_decks([into]).decks}
    assert set(decks) == {"lang-german", "lang-french"}
    german = decks["lang-german"].cards
    assert (german[0].front, german[0].tags) == ("**cat**", ("animals",))
    assert german[1].type == "cloze" and german[1].front == "[...] means dog"
    assert decks["lang-french"].cards[1].card_id.endswith("#reverse")


# -- hostile input: one line, nothing written -------------------------------------

def _refused(tmp_path, source: Path, match: str, capsys):
    into = tmp_path / "imported"
    code = main(["import", str(source), "--into", str(into)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and match in err and "Traceback" not in err, err
    assert _files(into) == []


def test_not_a_zip(tmp_path, capsys):
    bad = tmp_path / "bad.apkg"
    bad.write_bytes(b"this is not a zip")
    _refused(tmp_path, bad, "not a zip file", capsys)


def test_a_zip_without_a_collection(tmp_path, capsys):
    bad = tmp_path / "bad.apkg"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("readme.txt", "hello")
    _refused(tmp_path, bad, "a zip without an Anki collection", capsys)


def test_corrupt_sqlite(tmp_path, package, capsys):
    bad = tmp_path / "bad.apkg"
    with zipfile.ZipFile(package) as z:
        data = bytearray(z.read("collection.anki2"))
    data[100:4000] = b"\xff" * 3900
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("collection.anki2", bytes(data))
    _refused(tmp_path, bad, "is not a readable Anki collection", capsys)


def test_corrupt_zstd(tmp_path, capsys):
    bad = tmp_path / "bad.apkg"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd" + b"garbage" * 10)
    _refused(tmp_path, bad, "not valid zstd data", capsys)


def test_html_bomb(tmp_path, package, capsys):
    bomb = "<div>" * 5000 + "boom" + "</div>" * 5000
    bad = rewrite_collection(package, tmp_path / "bomb.apkg", [
        ("UPDATE notes SET flds = ? WHERE mid = ?", (bomb + "\x1fback\x1f", BASIC_ID))])
    _refused(tmp_path, bad, "HTML nested more than 100 tags deep", capsys)


def test_huge_field(tmp_path, package, capsys):
    bad = rewrite_collection(package, tmp_path / "long.apkg", [
        ("UPDATE notes SET flds = ? WHERE mid = ?", ("x" * 200_000 + "\x1fback\x1f", BASIC_ID))])
    _refused(tmp_path, bad, "a field of 200,000 characters", capsys)


def test_too_many_notes(tmp_path, package, capsys, monkeypatch):
    monkeypatch.setattr(anki_read, "MAX_NOTES", 3)
    _refused(tmp_path, package, "studydeck imports at most 3 at once", capsys)


def test_too_large_once_unpacked(tmp_path, package, capsys, monkeypatch):
    monkeypatch.setattr(anki_read, "MAX_COLLECTION_BYTES", 10_000)
    _refused(tmp_path, package, "refusing to unpack it", capsys)


def test_an_unknown_file(tmp_path, capsys):
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"\x00\x01")
    _refused(tmp_path, bad, "expected an Anki package", capsys)


def test_binary_text_file(tmp_path, capsys):
    bad = tmp_path / "notes.tsv"
    bad.write_bytes(b"a\tb\x00\n")
    _refused(tmp_path, bad, "not a text file", capsys)


def test_a_deck_id_used_elsewhere_gets_a_suffix(tmp_path, capsys):
    from studydeck import paths

    source = tmp_path / "cell.txt"
    source.write_text("#separator:tab\n#deck column:3\nWhat?\tThat.\tLSTM cell\n", encoding="utf-8")
    into = tmp_path / "mine"
    assert main(["import", str(source), "--into", str(into)]) == 0
    assert (into / "lstm-cell-2.yaml").exists()          # the bundled decks hold 'lstm-cell'
    assert main(["import", str(source), "--into", str(into), "--force"]) == 0
    assert sorted(p.name for p in into.iterdir()) == ["lstm-cell-2.yaml"]
    assert check_paths([into, paths.bundled_decks_dir()]).problems == []


def test_deck_names_that_yaml_would_misread(tmp_path):
    source = tmp_path / "odd.txt"
    source.write_text("#separator:tab\n#deck column:3\nWhat?\tThat.\tYes\nHow?\tSo.\tnull\n"
                      "Who?\tMe.\tBell\x07 deck\n", encoding="utf-8")
    into = tmp_path / "imported"
    result = run_import(source, into)
    assert check_paths([into]).problems == []
    decks = {d.id: d for d in load_decks([into]).decks}
    assert set(decks) == {"yes", "null", "bell-deck"}
    assert decks["bell-deck"].title == "Bell deck"
    assert sum(w.cards for w in result.written) == 3


def test_notes_go_to_the_home_deck_of_their_first_card(tmp_path, package):
    rev, cell, gate = (guid("small", n) for n in ("rev", "cell", "gate"))
    note = "(SELECT id FROM notes WHERE guid = ?)"
    sql = [
        ("UPDATE col SET decks = json_set(decks, '$.\"555\"', json(?))", ('{"id": 555, "name": "Other"}',)),
        # the first card of 'rev' moves to Other, its second stays
        (f"UPDATE cards SET did = 555 WHERE ord = 0 AND nid = {note}", (rev,)),
        # 'cell' loses its c1 card; its c2 card sits in a filtered deck, at home in Other, and
        # a c3 card with a lower id is in the default deck
        (f"DELETE FROM cards WHERE ord = 0 AND nid = {note}", (cell,)),
        (f"UPDATE cards SET odid = 555, did = 1 WHERE ord = 1 AND nid = {note}", (cell,)),
        ("INSERT INTO cards SELECT id - 5000, nid, 1, 2, mod, usn, type, queue, due, ivl, factor, "
         f"reps, lapses, left, odue, 0, flags, data FROM cards WHERE ord = 1 AND nid = {note}", (cell,)),
        # 'gate' gets a second card of ord 0 (a later id) in Other: the first one counts
        ("INSERT INTO cards SELECT id + 1000, nid, 555, ord, mod, usn, type, queue, due, ivl, factor, "
         f"reps, lapses, left, odue, odid, flags, data FROM cards WHERE ord = 0 AND nid = {note}", (gate,)),
        # a note without cards lands in the default deck
        ("INSERT INTO notes VALUES (9003, 'lonely', ?, 0, 0, '', ?, 'x', 0, 0, '')", (BASIC_ID, "a\x1fb\x1f")),
    ]
    moved = rewrite_collection(package, tmp_path / "moved.apkg", sql)
    with_cards = anki_read.read_package(moved, cards=True)
    without = anki_read.read_package(moved, cards=False)
    decks = {n.guid: n.deck for n in without.notes}
    assert (decks[rev], decks[cell], decks[gate], decks["lonely"]) == (
        "Other", "Other", "studydeck::Small deck", "Default")
    assert [n._replace(cards=()) for n in with_cards.notes] == without.notes
    assert all(n.cards == () for n in without.notes)
    assert next(n for n in with_cards.notes if n.guid == cell).cards[0][1] == 1


@pytest.mark.parametrize("sql", [
    [],                                                      # one deck: every note's home is it
    [("UPDATE col SET decks = json_set(decks, '$.\"555\"', json(?))", ('{"id": 555, "name": "Other"}',)),
     ("UPDATE cards SET odid = 555, did = 1", ())],           # all in a filtered deck, at home in Other
    [("INSERT INTO notes VALUES (9003, 'lonely', ?, 0, 0, '', ?, 'x', 0, 0, '')",
      (BASIC_ID, "a\x1fb\x1f"))],                            # one deck and a note without cards
], ids=["one-deck", "filtered", "cardless"])
def test_one_home_deck_read_without_the_join_agrees_with_the_join(tmp_path, package, sql):
    changed = rewrite_collection(package, tmp_path / "changed.apkg", sql)
    with_cards = anki_read.read_package(changed, cards=True)      # the join, always
    without = anki_read.read_package(changed, cards=False)        # one home deck when it can
    assert [n._replace(cards=()) for n in with_cards.notes] == without.notes
    decks = {n.deck for n in without.notes}
    assert decks == {"one-deck": {"studydeck::Small deck"}, "filtered": {"Other"},
                     "cardless": {"studydeck::Small deck", "Default"}}[
        "one-deck" if not sql else "filtered" if len(sql) == 2 else "cardless"]


def test_a_cloze_number_too_long_for_python_is_skipped(tmp_path):
    source = tmp_path / "long.txt"
    source.write_text("#separator:tab\n#notetype column:1\n"
                      f"Cloze\t{{{{c{'1' * 5000}::a}}}} is long\t\nCloze\t{{{{c1::b}}}} is fine\t\n", encoding="utf-8")
    into = tmp_path / "imported"
    result = run_import(source, into)
    assert result.plan.skipped == {"cloze notes whose deletions studydeck cannot read (nested or malformed)": 1}
    assert check_paths([into]).problems == []


def _plain_mode_text(deck, folder: Path) -> str:
    """What plain mode prints while studying ``deck``'s first card (shown, then rated 5)."""
    import io

    from studydeck.config import Config
    from studydeck.plain import PlainStudy
    from studydeck.store import open_collection
    from studydeck.study.session import Session
    from tests.helpers import Clock

    out = io.StringIO()
    with open_collection(folder / "collection.sqlite3") as collection:
        PlainStudy(Session(collection, [deck], Config(fuzz=False), clock=Clock()),
                   io.StringIO("\n5\n"), out).run()
    return out.getvalue()


def test_an_imported_image_is_copied_beside_the_deck_and_shown_by_name(tmp_path, package):
    from studydeck.study.terminal_text import terminal_text

    sql = [("DELETE FROM cards", ()), ("DELETE FROM notes", ()),
           ("INSERT INTO notes VALUES (9001, 'picguid', ?, 0, 0, '', ?, 'x', 0, 0, '')",
            (BASIC_ID, 'Which gate is this? <img src="gate diagram.png">\x1fThe forget gate\x1f')),
           ("INSERT INTO cards VALUES (9101, 9001, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')", ())]
    pictures = rewrite_collection(package, tmp_path / "pictures.apkg", sql,
                                  media={"gate diagram.png": b"\x89PNG gate"})
    into = tmp_path / "imported"
    (written,) = run_import(pictures, into).written
    assert written.media == 1
    assert check_paths([into]).problems == []
    # the file sits beside the deck, and the card points at it with a Markdown image
    assert (into / "default-media" / "gate diagram.png").read_bytes() == b"\x89PNG gate"
    (deck,) = load_decks([into]).decks
    (card,) = deck.cards
    assert card.front == "Which gate is this? ![gate diagram.png](<default-media/gate diagram.png>)"
    # the terminal shows it by name, in both faces' shared function and in plain mode
    assert terminal_text(card.front) == "Which gate is this? [image: gate diagram.png]"
    shown = _plain_mode_text(deck, tmp_path)
    assert "Which gate is this? [image: gate diagram.png]" in shown and "![" not in shown
