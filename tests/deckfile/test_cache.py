"""The parse cache: hits skip parsing, misses and damage fall back to a fresh parse."""

from __future__ import annotations

import marshal
import os
import zlib

import pytest

from studydeck.deckfile import load as deck_module
from studydeck.deckfile import cache as deckcache
from studydeck.deckfile.load import content_hash, load_decks
from studydeck.model import Card

GOOD = ("deck: cached\ntitle: Cached\ncards:\n"
        "  - {id: a, front: q, back: b, tags: [t]}\n"
        "  - {id: r, type: reversed, front: x, back: y}\n"
        "  - {id: c, type: cloze, text: '{{c1::one}} {{c2::two::hint}}'}\n"
        "  - {id: m, type: choice, front: q, choices: [a, b], answer: b}\n"
        "  - {id: d, type: drill, drill: lstm.step, params: {hidden_size: 2}}\n"
        "  - {front: derived, back: id}\n")


@pytest.fixture
def deck_file(tmp_path):
    path = tmp_path / "decks" / "one.yaml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    return path


def _no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("parsed although the cache should have answered")
    monkeypatch.setattr(deck_module, "_parse", refuse)


def _entries(cache_dir):
    return sorted(p for p in cache_dir.iterdir())


def test_a_warm_load_equals_the_cold_one_without_parsing(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    cold = load_decks([deck_file.parent], cache_dir=cache_dir)
    assert [e.suffix for e in _entries(cache_dir)] == [".deck"]
    _no_parsing(monkeypatch)
    warm = load_decks([deck_file.parent], cache_dir=cache_dir)
    assert warm.decks == cold.decks and warm.problems == cold.problems
    assert len(warm.decks[0].cards) == 8 and len(warm.problems) == 1


def test_problems_are_cached_too(tmp_path, monkeypatch):
    path = tmp_path / "bad.yaml"
    path.write_text("deck: x\ntitle: T\ncards:\n  - {id: a, fornt: q, back: b}\n")
    cold = load_decks([path], cache_dir=tmp_path / "c")
    _no_parsing(monkeypatch)
    warm = load_decks([path], cache_dir=tmp_path / "c")
    assert warm.problems == cold.problems and warm.has_errors and warm.decks == []


def test_an_edited_file_is_parsed_again(tmp_path, deck_file):
    cache_dir = tmp_path / "cache"
    load_decks([deck_file], cache_dir=cache_dir)
    deck_file.write_text(GOOD.replace("title: Cached", "title: Edited"), encoding="utf-8")
    result = load_decks([deck_file], cache_dir=cache_dir)
    assert result.decks[0].title == "Edited" and len(_entries(cache_dir)) == 2


def test_the_same_bytes_under_another_name_report_that_name(tmp_path, deck_file):
    cache_dir = tmp_path / "cache"
    load_decks([deck_file], cache_dir=cache_dir)
    other = tmp_path / "copy.yaml"
    other.write_bytes(deck_file.read_bytes())
    result = load_decks([other], cache_dir=cache_dir)
    assert result.decks[0].path == str(other)
    assert [p.file for p in result.problems] == [str(other)]


@pytest.mark.parametrize("damage", [
    lambda blob: blob[: len(blob) // 2],
    lambda blob: b"",
    lambda blob: bytes(range(256)) * 4,
    lambda blob: blob[:-1] + bytes([blob[-1] ^ 0x55]),
    lambda blob: blob[:4] + bytes(4) + marshal.dumps((1, None)),
    lambda blob: blob[:4] + zlib.crc32(b"\x00").to_bytes(4, "little") + b"\x00",
])
def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path, deck_file, damage):
    cache_dir = tmp_path / "cache"
    cold = load_decks([deck_file], cache_dir=cache_dir)
    [entry] = _entries(cache_dir)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    again = load_decks([deck_file], cache_dir=cache_dir)
    assert again.decks == cold.decks and again.problems == cold.problems
    assert entry.read_bytes() == good


def test_an_entry_of_another_format_version_is_ignored(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    load_decks([deck_file], cache_dir=cache_dir)
    monkeypatch.setattr(deckcache, "FORMAT_VERSION", deckcache.FORMAT_VERSION + 1)
    [entry] = _entries(cache_dir)
    assert deckcache.decode(entry.read_bytes(), "x") is None


def test_writes_leave_no_temporary_files(tmp_path, deck_file):
    cache_dir = tmp_path / "cache"
    for i in range(3):
        deck_file.write_text(GOOD.replace("Cached", f"Cached {i}"), encoding="utf-8")
        load_decks([deck_file], cache_dir=cache_dir)
    names = [p.name for p in _entries(cache_dir)]
    assert len(names) == 3 and not any(n.startswith(".tmp") for n in names)
    digest = content_hash(deck_file.read_bytes())
    assert any(n.startswith(digest + ".") for n in names)


def test_an_unusable_cache_folder_only_costs_time(tmp_path, deck_file):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    result = load_decks([deck_file], cache_dir=blocked)
    assert [d.id for d in result.decks] == ["cached"]
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert [d.id for d in load_decks([deck_file], cache_dir=locked).decks] == ["cached"]


def test_cards_built_from_columns_equal_the_originals():
    cards = [Card(deck_id="d", card_id="c#c1", note_id="c", type="cloze", front="f", back="b", line=3,
                  tags=("t",), extra="e"),
             Card(deck_id="d", card_id="x", note_id="x", type="drill", front="f", back="", line=9,
                  drill="k", params=(("n", 2),), id_derived=True)]
    built = deckcache.build_cards(deckcache.card_columns(tuple(cards)), len(cards))
    assert built == cards and all(type(c) is Card for c in built)
    assert [hash(c) for c in built] == [hash(c) for c in cards]
    assert [c.params_dict for c in built] == [{}, {"n": 2}]
    with pytest.raises(AttributeError):
        built[0].front = "changed"


def test_the_card_builder_names_every_card_field_in_order():
    import inspect

    source = inspect.getsource(deckcache.build_cards)
    loop = source[source.index("for ("):source.index(") in zip")]
    names = [n.strip().rstrip("_") for n in loop[len("for ("):].replace("\n", " ").split(",")]
    assert tuple(names) == Card.__slots__


def test_warm_load_does_not_import_yaml(tmp_path):
    """An unchanged deck comes from the cache without loading PyYAML (start-up time)."""
    import subprocess
    import sys

    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "a.yaml").write_text("deck: a\ntitle: A\ncards:\n  - id: x\n    front: Q\n    back: A\n")
    code = (
        "import sys\nfrom studydeck.deckfile.load import load_decks\n"
        f"r = load_decks([{str(folder)!r}], cache_dir={str(tmp_path / 'cache')!r})\n"
        "print(len(r.decks), 'yaml' in sys.modules)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(2)]
    assert runs == [["1", "True"], ["1", "False"]]


def test_cached_cards_are_built_only_when_looked_at(tmp_path):
    import pickle

    from studydeck.deckfile.cache import LazyCards

    folder = tmp_path / "decks"
    folder.mkdir()
    body = "".join(f"  - id: n{i}\n    front: Q{i}\n    back: A{i}\n" for i in range(50))
    (folder / "a.yaml").write_text("deck: a\ntitle: A\ncards:\n" + body)
    cold = load_decks([folder], cache_dir=tmp_path / "cache").decks[0]
    warm = load_decks([folder], cache_dir=tmp_path / "cache").decks[0]
    cards = warm.cards
    assert isinstance(cards, LazyCards) and len(cards) == 50
    assert cards._cards is None                      # counting built nothing
    assert warm == cold and warm.cards == cold.cards and cold.cards == warm.cards
    assert cards._cards is not None
    assert warm.card("n7") == cold.card("n7") and list(cards)[7] is cards[7]
    assert hash(warm) == hash(cold)
    again = pickle.loads(pickle.dumps(warm))
    assert again == cold and isinstance(again.cards, tuple)
