"""The parse cache is derived data: an entry written by anyone else is checked as
strictly as a deck file, and anything odd is dropped and parsed again."""

from __future__ import annotations

import dataclasses
import marshal
import os
import stat
import threading
import zlib

import pytest

from studydeck.deckfile import cache as deckcache
from studydeck.deckfile.load import content_hash, load_decks
from studydeck.model import Deck, Problem
from tests.deckfile.test_cache import GOOD, cold_and_warm


@pytest.fixture
def deck_file(tmp_path):
    path = tmp_path / "decks" / "one.yaml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    return path


def fresh(deck_file):
    return load_decks([deck_file])


def plant(cache_dir, deck_file, blob: bytes) -> str:
    """Put ``blob`` where the cache looks for ``deck_file``'s entry."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    where = deckcache.ParseCache(cache_dir)._path(content_hash(deck_file.read_bytes()))
    with open(where, "wb") as handle:
        handle.write(blob)
    return where


def entry_with(deck_file, **changes) -> bytes:
    """A well-formed entry (right magic, right checksum) for ``deck_file`` whose first card is changed
    (the deck and its findings as a parse gives them: only the card is odd)."""
    loaded = fresh(deck_file)
    deck = loaded.decks[0]
    first = dataclasses.replace(deck.cards[0], **changes)
    deck = Deck(deck.id, deck.title, deck.description, deck.path, (first, *deck.cards[1:]), deck.content_hash)
    return deckcache.encode(deckcache.Parsed(deck, loaded.problems, (1, 7)))


def unsealed(blob: bytes) -> tuple[tuple, list[bytes]]:
    """An entry's header and its four card parts (ids, columns, offsets, records)."""
    end = 12 + int.from_bytes(blob[8:12], "little")
    header = marshal.loads(blob[12:end])
    parts = []
    for length in (header[1][5] if header[1] is not None else (0, 0, 0, 0)):
        parts.append(blob[end:end + length])
        end += length
    return header, parts


def sealed(header_value, parts=(b"", b"", b"", b"")) -> bytes:
    return deckcache.seal(header_value, parts)


def with_deck_row(good, **changes):
    """``good``'s header with fields of its deck row changed (by name)."""
    names = ("id", "title", "description", "count", "content_hash", "lengths", "crcs")
    row = tuple(changes.get(name, value) for name, value in zip(names, good[1]))
    return good[:1] + (row,) + good[2:]


def test_the_cache_folder_is_private(tmp_path, deck_file):
    cache_dir = tmp_path / "cache"
    load_decks([deck_file], cache_dir=cache_dir)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in cache_dir.iterdir())


ODD_CARDS = {
    "escape sequence in a front": {"front": "\x1b]0;owned\x07q"},
    "bidi override in a back": {"back": "b\u202e"},
    "a number where text belongs": {"front": 42},
    "an unknown card type": {"type": "exec"},
    "a negative line": {"line": -1},
    "tags that are not text": {"tags": (1, 2)},
    "a huge text": {"extra": "x" * (6 * 1024 * 1024)},
}


@pytest.mark.parametrize("changes", ODD_CARDS.values(), ids=ODD_CARDS.keys())
def test_an_odd_card_in_an_entry_is_dropped_and_the_file_parsed_again(tmp_path, deck_file, changes):
    cache_dir = tmp_path / "cache"
    where = plant(cache_dir, deck_file, entry_with(deck_file, **changes))
    loaded = load_decks([deck_file], cache_dir=cache_dir)
    assert loaded.decks == fresh(deck_file).decks and loaded.problems == fresh(deck_file).problems
    assert deckcache.decode(open(where, "rb").read(), str(deck_file)) is not None   # replaced by a good entry


ODD_ENTRIES = {
    "a count of a trillion cards": lambda good: with_deck_row(good, count=10**12),
    "a problem that is not a problem": lambda good: good[:2] + (((1, 1, "fatal", "x"),),) + good[3:],
    "a code object": lambda good: (compile("import os", "x", "exec"),),
    "a deck position of text": lambda good: good[:3] + (("1", "7"),),
    "a deck id of a list": lambda good: with_deck_row(good, id=["x"]),
    "part lengths past the end": lambda good: with_deck_row(good, lengths=(*good[1][5][:3], good[1][5][3] + 9)),
    "a negative part length": lambda good: with_deck_row(good, lengths=(-1, *good[1][5][1:])),
    "one card fewer than the offsets give": lambda good: with_deck_row(good, count=good[1][3] - 1),
}


@pytest.mark.parametrize("make", ODD_ENTRIES.values(), ids=ODD_ENTRIES.keys())
def test_an_odd_entry_is_a_miss(tmp_path, deck_file, make):
    good, parts = unsealed(entry_with(deck_file, front="q"))
    blob = sealed(make(good), parts)
    assert deckcache.decode(blob, str(deck_file)) is None
    cache_dir = tmp_path / "cache"
    plant(cache_dir, deck_file, blob)
    assert load_decks([deck_file], cache_dir=cache_dir).decks == fresh(deck_file).decks


def _record_with(parts, index, **changes):
    """``parts`` with card ``index``'s record (alone) changed, the offsets made to fit."""
    import array

    offsets = array.array("I", parts[2])
    records = [marshal.loads(parts[3][a:b]) for a, b in zip(offsets, offsets[1:])]
    names = deckcache._CARD_FIELDS
    records[index] = tuple(changes.get(name, value) for name, value in zip(names, records[index]))
    assert records[index] != marshal.loads(parts[3][offsets[index]:offsets[index + 1]])
    rows = [marshal.dumps(r) for r in records]
    offsets = array.array("I", [0])
    for row in rows:
        offsets.append(offsets[-1] + len(row))
    return [parts[0], parts[1], offsets.tobytes(), b"".join(rows)]


# (the change, the ways of looking at the cards that use the changed part)
ODD_PARTS = {
    "an escape sequence in one card's record": (lambda parts: _record_with(parts, 0, front="\x1b[2Jq"),
                                                 {"by id", "by index"}),
    "a line of text in one card's record": (lambda parts: _record_with(parts, 2, line="3"), {"by id", "by index"}),
    "a record of the wrong length": (lambda parts: parts[:3] + [marshal.dumps(("x",)).ljust(len(parts[3]), b"N")],
                                     {"by id", "by index"}),
    "a card id with a bidi override": (lambda parts: [marshal.dumps(("a\u202e",) + marshal.loads(parts[0])[1:]),
                                                      *parts[1:]], {"by id"}),
    "ids that are not a tuple": (lambda parts: [marshal.dumps(list(marshal.loads(parts[0]))), *parts[1:]],
                                 {"by id"}),
    "columns that do not unmarshal": (lambda parts: [parts[0], b"\xff" * len(parts[1]), *parts[2:]], {"all"}),
    "a control character in a column": (lambda parts: [parts[0], marshal.dumps(tuple(
        (same, values if name != "back" else "b\x07" if same else ("b\x07", *values[1:])) for name, (same, values)
        in zip(deckcache._CARD_FIELDS, marshal.loads(parts[1])))), *parts[2:]], {"all"}),
}
LOOKS = {
    "by id": lambda deck, cards: [deck.card(c.card_id) for c in cards],     # ids, then single records
    "by index": lambda deck, cards: [deck.cards[i] for i in range(len(cards))],
    "all": lambda deck, cards: list(deck.cards),                            # the columns
}


@pytest.mark.parametrize("change,catching", ODD_PARTS.values(), ids=ODD_PARTS.keys())
def test_an_odd_card_part_is_caught_when_first_used(tmp_path, deck_file, change, catching):
    """The loader leaves the card parts marshalled; each is checked when first used,
    and one that fails drops the entry and the file's fresh parse gives the cards."""
    good, parts = unsealed(entry_with(deck_file, front="q"))
    changed = change(parts)
    assert changed != parts
    blob = sealed(with_deck_row(good, lengths=tuple(map(len, changed)), crcs=tuple(map(zlib.crc32, changed))),
                  changed)
    assert deckcache.decode(blob, str(deck_file)) is None   # every part checked when there is no fallback
    cache_dir = tmp_path / "cache"
    expected = fresh(deck_file).decks[0]
    for name, look in LOOKS.items():
        where = plant(cache_dir, deck_file, blob)
        deck = load_decks([deck_file], cache_dir=cache_dir).decks[0]
        assert look(deck, expected.cards) == list(expected.cards)
        replaced = deckcache.decode(open(where, "rb").read(), str(deck_file)) is not None
        assert replaced == (name in catching), name
        assert deck.cards == expected.cards and deck == expected


def test_a_valid_entry_still_hits(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    load_decks([deck_file], cache_dir=cache_dir)
    expected = fresh(deck_file).decks
    from studydeck.deckfile import load as deck_module

    monkeypatch.setattr(deck_module, "_parse", lambda *a: pytest.fail("parsed although cached"))
    assert load_decks([deck_file], cache_dir=cache_dir).decks == expected


def test_problems_from_the_cache_are_printed_on_one_line(tmp_path, deck_file):
    deck = fresh(deck_file).decks[0]
    blob = deckcache.encode(deckcache.Parsed(deck, [Problem("x", 1, 1, "warning", "two\nlines\x1b[2J")], (1, 7)))
    parsed = deckcache.decode(blob, str(deck_file))
    assert str(parsed.problems[0]) == f"{deck_file}:1:1: warning: two\\nlines\\x1b[2J"


def test_one_record_is_checked_as_its_column_would_be(deck_file):
    """``_record_ok`` (one card looked up) agrees with ``_columns_ok`` on every card of a
    parse and on every odd change above, field by field."""
    cards = fresh(deck_file).decks[0].cards
    changes = [{}, *ODD_CARDS.values(), {"params": "x"}, {"params": (("n", [1]),)}, {"params": (("n", 1, 2),)},
               {"id_derived": 1}, {"line": True}, {"choices": ["a"]}, {"type": b"basic"}, {"back": "ok\tok\r\n"}]
    for card in cards:
        for change in changes:
            record = deckcache._FIELDS_OF(dataclasses.replace(card, **change))
            alone = tuple((False, (value,)) for value in record)
            assert deckcache._record_ok(record) == deckcache._columns_ok(alone, 1), (card.card_id, change)
    assert not deckcache._record_ok(deckcache._FIELDS_OF(cards[0])[:-1])


def test_many_cards_looked_up_in_one_deck_build_it_once(tmp_path):
    cold, warm = cold_and_warm(tmp_path, 1000)
    found = [warm.card(f"n{i}") for i in range(0, 1000, 3)]
    assert found == [cold.card(f"n{i}") for i in range(0, 1000, 3)]
    assert warm.cards._cards is not None          # built whole once enough were looked up
    assert len(warm.cards._some) == 0 and list(warm.cards) == list(cold.cards)


def _fifo_at(cache_dir, deck_file, where: str) -> str:
    """A FIFO put where the cache reads its index, a pack, or ``deck_file``'s entry alone."""
    cache = deckcache.ParseCache(cache_dir)
    if where == "entry":   # no index: the entry is looked for alone
        cache_dir.mkdir(parents=True)
        path = cache._path(content_hash(deck_file.read_bytes()))
    else:
        load_decks([deck_file], cache_dir)   # one pack and the index
        packs = list(cache_dir.glob("*.pack"))
        assert len(packs) == 1
        path = cache._index_path() if where == "index" else str(packs[0])
        os.unlink(path)
    os.mkfifo(path)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("where", ["index", "pack", "entry"])
def test_a_fifo_in_the_cache_folder_is_a_miss_not_a_wait(tmp_path, deck_file, where):
    cache_dir = tmp_path / "cache"
    fifo = _fifo_at(cache_dir, deck_file, where)
    got = []
    worker = threading.Thread(target=lambda: got.append(load_decks([deck_file], cache_dir)), daemon=True)
    worker.start()
    worker.join(30)   # a guard against hanging the suite, not a measure of speed
    if worker.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))   # a writer comes and goes: the read ends
        worker.join()
        pytest.fail(f"loading waited on the FIFO at {fifo}")
    assert got[0].decks == fresh(deck_file).decks and got[0].problems == fresh(deck_file).problems
