"""The parse cache is derived data: an entry written by anyone else is checked as
strictly as a deck file, and anything odd is dropped and parsed again."""

from __future__ import annotations

import dataclasses
import marshal
import stat
import zlib

import pytest

from studydeck.deckfile import cache as deckcache
from studydeck.deckfile.load import content_hash, load_decks
from studydeck.model import Deck, Problem
from tests.deckfile.test_cache import GOOD


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
    """A well-formed entry (right magic, right checksum) for ``deck_file`` whose first card is changed."""
    deck = fresh(deck_file).decks[0]
    first = dataclasses.replace(deck.cards[0], **changes)
    deck = Deck(deck.id, deck.title, deck.description, deck.path, (first, *deck.cards[1:]), deck.content_hash)
    return deckcache.encode(deckcache.Parsed(deck, [], (1, 7)))


def sealed(payload_value) -> bytes:
    payload = marshal.dumps(payload_value)
    return b"SDK1" + zlib.crc32(payload).to_bytes(4, "little") + payload


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
    "a count of a trillion cards": lambda good: good[:1] + ((good[1][0], good[1][1], good[1][2],
                                                             (10**12, tuple((True, v) for _s, v in good[1][3][1])),
                                                             good[1][4]),) + good[2:],
    "a problem that is not a problem": lambda good: good[:2] + (((1, 1, "fatal", "x"),),) + good[3:],
    "a code object": lambda good: (compile("import os", "x", "exec"),),
    "a deck position of text": lambda good: good[:3] + (("1", "7"),),
    "a deck id of a list": lambda good: good[:1] + ((["x"],) + good[1][1:],) + good[2:],
}


@pytest.mark.parametrize("make", ODD_ENTRIES.values(), ids=ODD_ENTRIES.keys())
def test_an_odd_entry_is_a_miss(tmp_path, deck_file, make):
    good = marshal.loads(entry_with(deck_file, front="q")[8:])
    blob = sealed(make(good))
    assert deckcache.decode(blob, str(deck_file)) is None
    cache_dir = tmp_path / "cache"
    plant(cache_dir, deck_file, blob)
    assert load_decks([deck_file], cache_dir=cache_dir).decks == fresh(deck_file).decks


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
