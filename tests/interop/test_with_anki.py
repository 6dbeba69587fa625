"""studydeck's Anki export and import, judged by Anki's own library (the ``anki`` package).

``anki`` is AGPL and only a test tool; the test extra installs it.  Run
without it (a bare ``pytest`` in some other environment) these tests are
skipped, except in CI (``CI=true``), where a missing judge is a failure.
"""

from __future__ import annotations

import itertools
from collections import Counter
import importlib
import os
from pathlib import Path

import pytest

from studydeck import paths
from studydeck.config import Config
from studydeck.deckfile.load import load_decks
from studydeck.interop.convert import note_id
from studydeck.interop.export import deck_notes, summarize
from studydeck.interop.importer import run_import
from studydeck.study.scheduler import ANKI_EASE_RATING
from studydeck.store import open_collection

if os.environ.get("CI") == "true":
    anki_collection = importlib.import_module("anki.collection")
else:
    anki_collection = pytest.importorskip(
        "anki.collection", reason="the anki package is not installed (pip install '.[test]')")
Collection = anki_collection.Collection

VARIANTS = 2


def _bundled():
    loaded = load_decks([paths.bundled_decks_dir()])
    assert not loaded.has_errors
    return loaded.decks


def _expected_counts(decks, variants):
    notes = [n for d in decks for n in deck_notes(d, variants)]
    summary = summarize(decks, notes, variants)
    return summary.notes, summary.cards


def _export(tmp_path: Path, name: str, deck_dirs: list[Path], variants: int = VARIANTS) -> Path:
    from studydeck.cli import main

    target = tmp_path / name
    args = ["export", "--no-bundled", "--to", str(target), "--drill-variants", str(variants)]
    for d in deck_dirs:
        args += ["--deck-dir", str(d)]
    assert main(args) == 0
    return target


def _import_into_anki(col, package: Path):
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(package),
        options=anki_collection.ImportAnkiPackageOptions(with_scheduling=False, update_notes=1))
    return col.import_anki_package(request).log


@pytest.fixture
def anki(tmp_path):
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


class TestExportIntoAnki:
    def test_counts_types_and_update(self, tmp_path, anki):
        decks = _bundled()
        package = _export(tmp_path, "out.apkg", [paths.bundled_decks_dir()])
        log = _import_into_anki(anki, package)
        notes, cards = _expected_counts(decks, VARIANTS)
        assert len(log.new) == notes
        assert anki.note_count() == notes
        assert anki.card_count() == cards

        # every studydeck cloze note is a note of a cloze-kind type in Anki
        cloze_ids = anki.find_notes('"note:studydeck Cloze"')
        assert cloze_ids, "the bundled decks have cloze notes"
        expected_cloze = sum(1 for d in decks for n in deck_notes(d, VARIANTS) if n.kind == "cloze")
        assert len(cloze_ids) == expected_cloze
        model = anki.get_note(cloze_ids[0]).note_type()
        assert model["type"] == 1  # MODEL_CLOZE
        # decks under one parent, named after the titles
        names = {d.name for d in anki.decks.all_names_and_ids()}
        assert {f"studydeck::{d.title}" for d in decks} <= names

    def test_second_export_after_an_edit_updates(self, tmp_path, anki, monkeypatch):
        deck_dir = tmp_path / "decks"
        deck_dir.mkdir()
        source = deck_dir / "small.yaml"
        source.write_text(
            "deck: small\ntitle: Small\ncards:\n"
            "  - id: gate\n    front: What does the forget gate decide?\n    back: What to keep.\n"
            "  - id: cell\n    type: cloze\n    text: 'c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t::a product}}'\n"
            "  - id: rev\n    type: reversed\n    front: GRU\n    back: Gated recurrent unit\n",
            encoding="utf-8")
        _import_into_anki(anki, _export(tmp_path, "one.apkg", [deck_dir]))
        assert (anki.note_count(), anki.card_count()) == (3, 5)
        source.write_text(source.read_text(encoding="utf-8").replace("What to keep.", "What to keep of c."),
                          encoding="utf-8")
        # Anki updates a note whose modification time is newer; a real second export
        # comes later than the first, so move genanki's clock a minute on.
        import time

        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + 60)
        log = _import_into_anki(anki, _export(tmp_path, "two.apkg", [deck_dir]))
        assert not log.new and log.updated   # Anki lists every newer note as updated
        assert (anki.note_count(), anki.card_count()) == (3, 5)
        (nid,) = anki.find_notes('"note:studydeck Basic"')
        assert anki.get_note(nid)["Back"] == "What to keep of c."
        # the hint survives as Anki's own hint syntax
        (cloze,) = anki.find_notes('"note:studydeck Cloze"')
        assert "{{c2::i_t ⊙ g_t::a product}}" in anki.get_note(cloze)["Text"]

    def test_text_export_imports_through_anki(self, tmp_path, anki):
        decks = _bundled()
        target = _export(tmp_path, "out.txt", [paths.bundled_decks_dir()], variants=1)
        metadata = anki.get_csv_metadata(str(target), None)
        request = anki_collection.ImportCsvRequest(path=str(target), metadata=metadata)
        log = anki.import_csv(request).log
        notes, cards = _expected_counts(decks, 1)
        assert len(log.new) == notes
        assert anki.card_count() == cards
        assert len(anki.find_notes('"note:Cloze"')) == sum(
            1 for d in decks for n in deck_notes(d, 1) if n.kind == "cloze")


def _anki_collection_with_history(path: Path):
    """A collection made with Anki's API: Basic, reversed, cloze with a hint, HTML, tags,
    a "type in the answer" note in a second deck, and reviews answered through Anki's scheduler."""
    col = Collection(str(path))
    did = col.decks.id("Biology::Cells")
    col.decks.select(did)
    models = col.models

    def add(model_name, deck, tags=(), **fields):
        note = col.new_note(models.by_name(model_name))
        for key, value in fields.items():
            note[key.replace("_", " ")] = value
        note.tags = list(tags)
        col.add_note(note, deck)
        return note

    add("Basic", did, ["bio", "energy"], Front="What is <b>ATP</b>?<br>Answer briefly",
        Back="<ul><li>energy</li><li>currency</li></ul>")
    add("Basic (and reversed card)", did, ["bio"], Front="mitochondrion", Back="the cell's powerhouse")
    add("Cloze", did, [], Text="{{c1::DNA}} is built from {{c2::nucleotides::building blocks}}",
        Back_Extra="<i>four</i> kinds")
    add("Basic (type in the answer)", col.decks.id("Biology::Words"), ["words"], Front="Cell in Latin",
        Back="cella")
    # answer through the scheduler: each card once with Good, then the first two again
    answered = 0
    for ease in (3, 3, 3, 3, 3, 3, 1, 4, 2):
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        card = col.get_card(queued.cards[0].card.id)
        card.start_timer()
        col.sched.answerCard(card, ease)
        answered += 1
    assert answered >= 5
    return col


class TestImportFromAnki:
    @pytest.fixture
    def exported(self, tmp_path):
        (tmp_path / "src").mkdir()
        col = _anki_collection_with_history(tmp_path / "src" / "collection.anki2")
        options = anki_collection.ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=True, legacy=True)
        col.export_anki_package(out_path=str(tmp_path / "legacy.apkg"), options=options, limit=None)
        options.legacy = False
        col.export_anki_package(out_path=str(tmp_path / "current.apkg"), options=options, limit=None)
        col.export_note_csv(out_path=str(tmp_path / "notes.txt"), limit=None, with_html=True,
                            with_tags=True, with_deck=True, with_notetype=True, with_guid=True)
        facts = {
            "notes": col.note_count(),
            "cards": col.card_count(),
            "revlog": col.db.all("SELECT r.id, r.ease, n.guid, c.ord FROM revlog r "
                                 "JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid "
                                 "WHERE r.ease > 0 ORDER BY r.id"),
        }
        col.close()
        return tmp_path, facts

    @pytest.mark.parametrize("name", ["legacy.apkg", "current.apkg", "notes.txt"])
    def test_notes_and_cards(self, exported, name):
        tmp_path, facts = exported
        into = tmp_path / ("decks-" + name.replace(".", "-"))
        result = run_import(tmp_path / name, into)
        loaded = load_decks([into])
        assert not loaded.has_errors, loaded.problems
        assert sum(w.notes for w in result.written) == facts["notes"]
        assert sum(len(d.cards) for d in loaded.decks) == facts["cards"]
        by_id = {d.id: d for d in loaded.decks}
        assert set(by_id) == {"biology-cells", "biology-words"}
        assert by_id["biology-cells"].title == "Biology::Cells"
        cards = list(by_id["biology-cells"].cards)
        types = Counter(c.type for c in cards)
        assert types == {"basic": 1, "reversed": 2, "cloze": 2}
        basic = next(c for c in cards if c.type == "basic")
        assert basic.front == "What is **ATP**?\\\nAnswer briefly"
        assert basic.back == "- energy\n- currency"
        assert basic.tags == ("bio", "energy")
        cloze = [c for c in cards if c.type == "cloze"]
        assert [c.card_id.rsplit("#", 1)[1] for c in cloze] == ["c1", "c2"]
        assert cloze[1].front == "DNA is built from [building blocks]"
        assert cloze[0].extra == "*four* kinds"
        (typed,) = by_id["biology-words"].cards
        assert (typed.type, typed.front, typed.back) == ("basic", "Cell in Latin", "cella")

    @pytest.mark.parametrize("name", ["legacy.apkg", "current.apkg"])
    def test_reviews_come_along(self, exported, name):
        tmp_path, facts = exported
        into = tmp_path / "decks"
        with open_collection(tmp_path / "collection.sqlite3") as collection:
            result = run_import(tmp_path / name, into, history=True, collection=collection, config=Config())
            rows = list(collection.reviews())
            assert result.history.reviews == len(facts["revlog"]) == len(rows)
            by_time = sorted(rows, key=lambda r: r.reviewed_at)
            for row, (at, ease, guid, _ord) in zip(by_time, facts["revlog"]):
                assert row.reviewed_at == at
                assert row.source == "anki"
                assert row.fsrs_rating == ease
                assert row.rating == ANKI_EASE_RATING[ease]
                assert row.card_id.split("#")[0] == note_id(guid, "")
            # each card's reviews replay in order: one's state after is the next one's before
            for key in {(r.deck_id, r.card_id) for r in rows}:
                mine = [r for r in by_time if (r.deck_id, r.card_id) == key]
                assert mine[0].before is None
                assert all(a.after == b.before for a, b in itertools.pairwise(mine))
            # the card's state is the replay's last state, and a second import adds nothing
            last = rows[-1]
            assert collection.card_state(last.deck_id, last.card_id) == last.after
            again = run_import(tmp_path / name, into, force=True, history=True,
                               collection=collection, config=Config())
            assert again.history.reviews == 0
            assert len(list(collection.reviews())) == len(rows)


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "current"])
def test_an_image_in_an_anki_package_is_copied_and_shown_by_name(tmp_path, legacy):
    """A picture added through Anki: the package (its media zstd-compressed in the current
    format) is imported, the file copied beside the deck, and the terminal names it."""
    from studydeck.study.terminal_text import terminal_text

    (tmp_path / "src").mkdir()
    col = Collection(str(tmp_path / "src" / "collection.anki2"))
    name = col.media.write_data("gate.png", b"\x89PNG\r\n\x1a\n gate")
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"] = f'Which gate is this?<br><img src="{name}">'
    note["Back"] = "The forget gate"
    col.add_note(note, col.decks.id("Pictures"))
    options = anki_collection.ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy)
    col.export_anki_package(out_path=str(tmp_path / "pictures.apkg"), options=options, limit=None)
    col.close()

    into = tmp_path / "decks"
    (written,) = run_import(tmp_path / "pictures.apkg", into).written
    assert written.media == 1
    loaded = load_decks([into])
    assert not loaded.has_errors, loaded.problems
    (deck,) = loaded.decks
    assert (into / f"{deck.id}-media" / name).read_bytes() == b"\x89PNG\r\n\x1a\n gate"
    (card,) = deck.cards
    assert card.front == f"Which gate is this?\\\n![{name}]({deck.id}-media/{name})"
    assert terminal_text(card.front) == f"Which gate is this?\\\n[image: {name}]"
