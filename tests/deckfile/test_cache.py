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


def current_entry(cache_dir, digest: str) -> bytes | None:
    """The entry a load would use for ``digest``: in a pack, as the index says, or alone."""
    cache = deckcache.ParseCache(cache_dir)
    cache._load_index()
    where = cache._packed.get(digest)
    if where is not None:
        pack, offset, length = where
        return open(cache._pack_path(pack), "rb").read()[offset:offset + length]
    alone = cache._path(digest)
    return open(alone, "rb").read() if os.path.exists(alone) else None


def _packs(cache_dir):
    """The pack files: each load writes its new entries in one."""
    return sorted(cache_dir.glob("*.pack"), key=lambda p: p.stat().st_mtime_ns)


def test_a_warm_load_equals_the_cold_one_without_parsing(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    cold = load_decks([deck_file.parent], cache_dir=cache_dir)
    assert sorted(e.suffix for e in _entries(cache_dir)) == [".index", ".pack"]
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
    assert result.decks[0].title == "Edited" and len(_packs(cache_dir)) == 2


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
def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path, deck_file, damage, monkeypatch):
    cache_dir = tmp_path / "cache"
    cold = load_decks([deck_file], cache_dir=cache_dir)
    [entry] = _packs(cache_dir)
    good = entry.read_bytes()          # a pack of one entry is that entry
    assert deckcache.decode(good, str(deck_file)) is not None
    entry.write_bytes(damage(good))
    again = load_decks([deck_file], cache_dir=cache_dir)
    assert [again.decks[0].card(c.card_id) for c in cold.decks[0].cards] == list(cold.decks[0].cards)
    assert again.decks == cold.decks and again.problems == cold.problems
    assert current_entry(cache_dir, cold.decks[0].content_hash) == good   # written again, once found
    monkeypatch.setattr(deck_module, "_parse", lambda *a: pytest.fail("parsed although cached"))
    assert load_decks([deck_file], cache_dir=cache_dir).decks == cold.decks


def test_an_entry_of_another_format_version_is_ignored(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    load_decks([deck_file], cache_dir=cache_dir)
    monkeypatch.setattr(deckcache, "FORMAT_VERSION", deckcache.FORMAT_VERSION + 1)
    [entry] = _packs(cache_dir)
    assert deckcache.decode(entry.read_bytes(), "x") is None


def test_writes_leave_no_temporary_files(tmp_path, deck_file):
    cache_dir = tmp_path / "cache"
    for i in range(3):
        deck_file.write_text(GOOD.replace("Cached", f"Cached {i}"), encoding="utf-8")
        load_decks([deck_file], cache_dir=cache_dir)
    names = [p.name for p in _entries(cache_dir)]
    assert len(names) == 4 and len(_packs(cache_dir)) == 3 and not any(n.startswith(".tmp") for n in names)
    digest = content_hash(deck_file.read_bytes())
    cache = deckcache.ParseCache(cache_dir)
    cache._load_index()
    assert cache._packed[digest][0] + "." in " ".join(n[:33] for n in names)


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


def cold_and_warm(tmp_path, n: int):
    """A deck of ``n`` basic cards (ids n0, n1 ...) loaded twice: parsed, then from the cache."""
    folder = tmp_path / "decks"
    folder.mkdir()
    body = "".join(f"  - id: n{i}\n    front: Q{i}\n    back: A{i}\n" for i in range(n))
    (folder / "a.yaml").write_text("deck: a\ntitle: A\ncards:\n" + body)
    cold = load_decks([folder], cache_dir=tmp_path / "cache").decks[0]
    return cold, load_decks([folder], cache_dir=tmp_path / "cache").decks[0]


def test_cached_cards_are_built_only_when_looked_at(tmp_path):
    import pickle

    from studydeck.deckfile.cache import LazyCards

    cold, warm = cold_and_warm(tmp_path, 50)
    cards = warm.cards
    assert isinstance(cards, LazyCards) and len(cards) == 50
    assert cards._cards is None                      # counting built nothing
    assert warm == cold and warm.cards == cold.cards and cold.cards == warm.cards
    assert cards._cards is not None
    assert warm.card("n7") == cold.card("n7") and list(cards)[7] is cards[7]
    assert hash(warm) == hash(cold)
    again = pickle.loads(pickle.dumps(warm))
    assert again == cold and isinstance(again.cards, tuple)


def test_looking_up_one_cached_card_builds_that_card_alone(tmp_path):
    cold, warm = cold_and_warm(tmp_path, 50)
    cards = warm.cards
    found = warm.card("n7")
    assert found == cold.card("n7") and warm.card("n-missing") is None
    assert cards._cards is None and set(cards._some) == {7}   # one card built, no tuple
    assert cards[-43] is found and cards[7] is found
    assert list(cards)[7] is found                         # the full build keeps it
    assert list(cards) == list(cold.cards)
    assert warm.card("n49") is cards[49]


class _Later:
    """``time.time_ns`` as seen ``seconds`` from now: the deck files have settled by then."""

    def __init__(self, seconds: float) -> None:
        self.offset = int(seconds * 1e9)

    def time_ns(self) -> int:
        import time

        return time.time_ns() + self.offset


def _count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = deck_module._read

    def counting(path):
        reads.append(str(path))
        return real(path)
    monkeypatch.setattr(deck_module, "_read", counting)
    return reads


def test_a_settled_unchanged_file_is_not_even_read(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(deck_module, "time", _Later(10))
    cold = load_decks([deck_file.parent], cache_dir=cache_dir)
    reads = _count_reads(monkeypatch)
    _no_parsing(monkeypatch)
    warm = load_decks([deck_file.parent], cache_dir=cache_dir)
    assert reads == [] and warm.decks == cold.decks and warm.problems == cold.problems
    assert warm.files == cold.files == [str(deck_file)]


def test_a_file_changed_under_the_same_size_and_mtime_is_read_again(tmp_path, deck_file, monkeypatch):
    """Content rewritten with the old mtime put back (as ``touch -r`` or ``cp -p`` do):
    the ctime moved, so the stat no longer matches and the new content is seen."""
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(deck_module, "time", _Later(10))
    load_decks([deck_file.parent], cache_dir=cache_dir)
    st = os.stat(deck_file)
    deck_file.write_text(GOOD.replace("front: q, back: b", "front: Q, back: B"), encoding="utf-8")
    os.utime(deck_file, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(deck_file).st_size == st.st_size
    reads = _count_reads(monkeypatch)
    again = load_decks([deck_file.parent], cache_dir=cache_dir)
    assert reads == [str(deck_file)]
    assert again.decks[0].card("a").front == "Q"


def test_a_file_read_before_it_settled_is_not_trusted_by_its_stat(tmp_path, deck_file, monkeypatch):
    """Read within the settle window (another write could follow in the same timestamp
    tick, same size), the file's stat is not recorded: the next load reads it again."""
    cache_dir = tmp_path / "cache"
    load_decks([deck_file.parent], cache_dir=cache_dir)        # just written: not settled
    st = os.stat(deck_file)
    deck_file.write_text(GOOD.replace("front: q, back: b", "front: Q, back: B"), encoding="utf-8")
    os.utime(deck_file, ns=(st.st_atime_ns, st.st_mtime_ns))
    monkeypatch.setattr(deck_module, "time", _Later(10))
    reads = _count_reads(monkeypatch)
    again = load_decks([deck_file.parent], cache_dir=cache_dir)
    assert reads == [str(deck_file)] and again.decks[0].card("a").front == "Q"


def test_a_damaged_stat_index_only_costs_time(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(deck_module, "time", _Later(10))
    cold = load_decks([deck_file.parent], cache_dir=cache_dir)
    (index,) = cache_dir.glob("files.*.index")
    index.write_bytes(index.read_bytes()[:-3])
    reads = _count_reads(monkeypatch)
    assert load_decks([deck_file.parent], cache_dir=cache_dir).decks == cold.decks
    assert reads == [str(deck_file)]
    reads.clear()
    assert load_decks([deck_file.parent], cache_dir=cache_dir).decks == cold.decks
    assert reads == []                                   # rewritten whole by the load before


def test_each_cached_card_alone_equals_the_parsed_card(tmp_path, deck_file):
    """Cards built one at a time from their records (every note type) equal the parse's."""
    cold = load_decks([deck_file.parent], cache_dir=tmp_path / "cache").decks[0]
    warm = load_decks([deck_file.parent], cache_dir=tmp_path / "cache").decks[0]
    cards = warm.cards
    assert list(cards.card_ids()) == [c.card_id for c in cold.cards]
    singles = [cards[i] for i in reversed(range(len(cards)))][::-1]
    assert cards._cards is None and singles == list(cold.cards)
    assert [type(c.params) for c in singles] == [type(c.params) for c in cold.cards]
    assert list(cards) == list(cold.cards) and all(a is b for a, b in zip(cards, singles))


def test_the_same_relative_path_in_two_folders_is_two_files(tmp_path, monkeypatch):
    """The stat index keys files by absolute path: ``decks/one.yaml`` loaded from two
    working directories shares one cache and gets each folder's own cards."""
    monkeypatch.setattr(deck_module, "time", _Later(10))
    for where, front in (("first", "q"), ("second", "Q")):
        folder = tmp_path / where / "decks"
        folder.mkdir(parents=True)
        (folder / "one.yaml").write_text(GOOD.replace("front: q, back: b", f"front: {front}, back: b"),
                                         encoding="utf-8")
    for _ in range(2):
        for where, front in (("first", "q"), ("second", "Q")):
            monkeypatch.chdir(tmp_path / where)
            deck = load_decks(["decks"], cache_dir=tmp_path / "cache").decks[0]
            assert deck.card("a").front == front


def _settled_load(tmp_path, deck_file, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(deck_module, "time", _Later(10))
    cold = load_decks([deck_file.parent], cache_dir=cache_dir)
    (index,) = cache_dir.glob("files.*.index")
    return cache_dir, cold, index


def test_a_file_replaced_under_the_same_size_and_mtime_is_read_again(tmp_path, deck_file, monkeypatch):
    """A new file renamed over the old one (as editors save), same size, the old mtime
    put back: another inode, so the new content is seen."""
    cache_dir, _cold, _index = _settled_load(tmp_path, deck_file, monkeypatch)
    st = os.stat(deck_file)
    new = deck_file.with_name("new.tmp")
    new.write_text(GOOD.replace("front: q, back: b", "front: Q, back: B"), encoding="utf-8")
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, deck_file)
    assert os.stat(deck_file).st_size == st.st_size and os.stat(deck_file).st_mtime_ns == st.st_mtime_ns
    reads = _count_reads(monkeypatch)
    again = load_decks([deck_file.parent], cache_dir=cache_dir)
    assert reads == [str(deck_file)] and again.decks[0].card("a").front == "Q"


@pytest.mark.parametrize("field", ["st_size", "st_mtime_ns", "st_ctime_ns", "st_ino", "st_dev"])
def test_each_part_of_the_stat_key_counts(tmp_path, field):
    from types import SimpleNamespace

    cache = deckcache.ParseCache(tmp_path / "cache")
    old = dict(st_size=10, st_mtime_ns=1, st_ctime_ns=2, st_ino=3, st_dev=4)
    cache.remember(str(tmp_path / "a.yaml"), SimpleNamespace(**old), "0" * 32, now_ns=10**12)
    assert cache.known_hash(str(tmp_path / "a.yaml"), SimpleNamespace(**old)) == "0" * 32
    changed = SimpleNamespace(**{**old, field: old[field] + 1})
    assert cache.known_hash(str(tmp_path / "a.yaml"), changed) is None


def _tampered_index(index, change=None, change_packed=None) -> None:
    """Rewrite the index (files by path, entries by pack) with a good checksum."""
    blob = index.read_bytes()
    files, packed = marshal.loads(blob[8:])
    payload = marshal.dumps((change(files) if change else files, change_packed(packed) if change_packed else packed))
    index.write_bytes(b"SDK1" + zlib.crc32(payload).to_bytes(4, "little") + payload)


TAMPERED_INDEX = {
    "a hash that walks out of the folder": lambda t: {p: (*e[:5], "../../" + e[5][6:]) for p, e in t.items()},
    "a hash of another length": lambda t: {p: (*e[:5], e[5] + "00") for p, e in t.items()},
    "a size of text": lambda t: {p: (str(e[0]), *e[1:]) for p, e in t.items()},
    "a stat of four numbers": lambda t: {p: e[1:] for p, e in t.items()},
    "a relative path": lambda t: {os.path.basename(p): e for p, e in t.items()},
}


@pytest.mark.parametrize("change", TAMPERED_INDEX.values(), ids=TAMPERED_INDEX.keys())
def test_a_tampered_stat_index_entry_is_dropped(tmp_path, deck_file, monkeypatch, change):
    cache_dir, cold, index = _settled_load(tmp_path, deck_file, monkeypatch)
    _tampered_index(index, change)
    files = marshal.loads(index.read_bytes()[8:])[0]
    cache = deckcache.ParseCache(cache_dir)
    assert cache._load_index() == {} and cache._index_changed   # the odd entry is gone
    reads = _count_reads(monkeypatch)
    assert load_decks([deck_file.parent], cache_dir=cache_dir).decks == cold.decks
    assert reads == [str(deck_file)]                           # read and hashed, not trusted
    assert marshal.loads(index.read_bytes()[8:])[0] != files   # rewritten with a good entry
    reads.clear()
    assert load_decks([deck_file.parent], cache_dir=cache_dir).decks == cold.decks and reads == []


TAMPERED_PACKED = {
    "a pack name that walks out of the folder": lambda t: {h: ("../" + w[0][3:], *w[1:]) for h, w in t.items()},
    "a negative offset": lambda t: {h: (w[0], -1, w[2]) for h, w in t.items()},
    "a length past any entry": lambda t: {h: (w[0], w[1], 10**12) for h, w in t.items()},
    "an offset of text": lambda t: {h: (w[0], "0", w[2]) for h, w in t.items()},
    "a content hash that is not hex": lambda t: {"x" * 31 + h[-1]: w for h, w in t.items()},
}


@pytest.mark.parametrize("change", TAMPERED_PACKED.values(), ids=TAMPERED_PACKED.keys())
def test_a_tampered_pack_entry_is_dropped(tmp_path, deck_file, monkeypatch, change):
    cache_dir, cold, index = _settled_load(tmp_path, deck_file, monkeypatch)
    _tampered_index(index, change_packed=change)
    cache = deckcache.ParseCache(cache_dir)
    cache._load_index()
    assert cache._packed == {} and cache._index_changed
    assert load_decks([deck_file.parent], cache_dir=cache_dir).decks == cold.decks   # parsed again
    cache = deckcache.ParseCache(cache_dir)
    cache._load_index()
    assert list(cache._packed) == [cold.decks[0].content_hash]                   # and packed again


def test_a_pack_entry_pointing_at_other_bytes_is_a_miss(tmp_path, deck_file, monkeypatch):
    """An offset that lands inside the pack but not on an entry fails the entry's checks."""
    cache_dir, cold, index = _settled_load(tmp_path, deck_file, monkeypatch)
    _tampered_index(index, change_packed=lambda t: {h: (w[0], w[1] + 1, w[2] - 1) for h, w in t.items()})
    assert load_decks([deck_file.parent], cache_dir=cache_dir).decks == cold.decks


def test_a_stat_index_entry_naming_another_content_gives_that_entry_checked(tmp_path, deck_file, monkeypatch):
    """An index entry pointing at another deck's entry is well formed; what it gives is
    still an entry checked like any other (the cache only saves time, it is not a seal)."""
    cache_dir, cold, index = _settled_load(tmp_path, deck_file, monkeypatch)
    _tampered_index(index, lambda t: {p: (*e[:5], "f" * 32) for p, e in t.items()})
    assert load_decks([deck_file.parent], cache_dir=cache_dir).decks == cold.decks   # no such entry: read


def test_a_load_that_writes_nothing_leaves_the_index_alone(tmp_path, deck_file, monkeypatch):
    monkeypatch.setattr(deck_module, "time", _Later(10))
    cache_dir = tmp_path / "cache"
    load_decks([deck_file.parent], cache_dir=cache_dir, cache_writes=False)
    assert not cache_dir.exists()
    _settled_load(tmp_path, deck_file, monkeypatch)
    deck_file.write_text(GOOD.replace("Cached", "Edited"), encoding="utf-8")
    (index,) = cache_dir.glob("files.*.index")
    before = index.read_bytes()
    load_decks([deck_file.parent], cache_dir=cache_dir, cache_writes=False)
    assert index.read_bytes() == before and len(_entries(cache_dir)) == 2


def test_the_salt_follows_the_drill_catalog_source(monkeypatch):
    """The salt reads the catalog's source rather than importing the drills package;
    any edit to it (kinds, parameters) gives another salt, so old entries are not read."""
    from pathlib import Path

    from studydeck.drills import catalog

    source = Path(catalog.__file__).read_bytes()
    assert b"KINDS: dict[str, str] = {" in source and b"PARAMS: dict[str, dict[str, Param]] = {" in source
    monkeypatch.setattr(deckcache, "_SALT", None)
    before = deckcache.salt()
    real_open = open

    def edited(path, *args, **kwargs):
        if str(path) == catalog.__file__:
            import io
            return io.BytesIO(source.replace(b'"sigmoid.value"', b'"sigmoid.valued"', 1))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(deckcache, "_SALT", None)
    monkeypatch.setattr("builtins.open", edited)
    try:
        assert deckcache.salt() != before
    finally:
        monkeypatch.undo()
