"""YAML decks to ``Deck`` and ``Card`` values, checked with FILE:LINE:COL findings.

Public API:

- ``parse_deck(data, filename) -> (Deck | None, [Problem])`` checks one file's
  bytes; the deck is None when any finding is an error.
- ``load_decks(paths, cache_dir=None) -> LoadResult`` loads files and folders
  (``*.yaml``/``*.yml`` found recursively, in sorted order, hidden entries
  skipped), reports missing paths and deck ids used by two files, and with
  ``cache_dir`` reuses earlier parses of identical bytes (see :mod:`studydeck.deckfile.cache`).
- ``check_paths(paths) -> LoadResult``: the same without the cache.
- ``DeckError``: the only exception this module raises, carrying ``problems``.

Bad deck content never raises: it becomes findings.  The pipeline is
``deck_yaml`` (bytes -> nodes, hostile-input guards) then ``deck_notes``
(nodes -> cards, the schema).  This module imports neither numpy nor textual.
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.deckfile.schema import MAX_DEPTH, MAX_FILE_BYTES  # noqa: F401 - part of this module's API
from studydeck.deckfile.cache import ParseCache, Parsed
from studydeck.model import Card, Deck, Problem
from studydeck.safetext import UNSAFE_RE

# deck_yaml (PyYAML) and deck_notes (the schema walk) load only when a file
# must really be parsed: a start-up where every deck comes from the parse
# cache saves their 40-50 ms of imports.

DECK_SUFFIXES = (".yaml", ".yml")


class DeckError(Exception):
    """Deck problems that stop the caller; ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:5]]
        more = len(self.problems) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__("\n".join(lines) or "deck error")


@dataclass
class LoadResult:
    decks: list[Deck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)   # every deck file read, in order

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def raise_for_errors(self) -> None:
        """Raise ``DeckError`` with the errors, if there are any."""
        if self.has_errors:
            raise DeckError(self.errors)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a load, an export or an import builds its objects.

    Composing and walking a deck, or converting ten thousand Anki notes,
    allocates hundreds of thousands of acyclic objects (nodes, marks, tuples,
    cards); each allocation burst triggers collections that rescan everything
    alive, which made loading 100,000 cards superlinear.  Reference counting
    still frees them; the collector resumes afterwards if it was running before.

    What the pause made and is still alive would all be scanned by the first
    young collection after it (~10 ms after an import of 10,000 notes), so it
    goes to the oldest generation instead (``gc.freeze`` then ``gc.unfreeze``,
    two list moves), unless something else froze objects, which stay frozen.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.enable()
                gc.unfreeze()
            else:
                gc.enable()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_deck(data: bytes, filename: str) -> tuple[Deck | None, list[Problem]]:
    """Check one deck file's bytes; (deck or None, every error and warning)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DeckError([Problem(str(filename), 0, 0, "error",
                                 f"expected the file's bytes, got {type(data).__name__}")])
    data = bytes(data)
    with gc_paused():
        parsed = _parse(data, str(filename), content_hash(data))
    return parsed.deck, parsed.problems


def _parse(data: bytes, filename: str, digest: str) -> Parsed:
    try:
        return _parse_checked(data, filename, digest)
    except (RecursionError, MemoryError) as exc:
        message = f"the file is too complex to check ({type(exc).__name__})"
    except Exception as exc:  # a checker bug must not take the program down with it
        message = f"internal checker error ({type(exc).__name__}: {exc}); please report it"
    return Parsed(None, [Problem(filename, 1, 1, "error", message)])


def _parse_checked(data: bytes, filename: str, digest: str) -> Parsed:
    from studydeck.deckfile import yaml_nodes as deck_yaml
    from studydeck.deckfile.notes import walk

    text, findings = deck_yaml.prescan(data)
    if text is None:
        return Parsed(None, [Problem(filename, line, col, "error", message)
                             for line, col, message in findings])
    root, findings = deck_yaml.compose(data, text)
    if root is None:
        return Parsed(None, [Problem(filename, line, col, "error", message)
                             for line, col, message in findings])
    walked, found = walk(root, text)
    found.sort(key=lambda item: (item[0], item[1]))
    problems = [Problem(filename, line, col, severity, message)
                for line, col, severity, message in found]
    deck = None
    if walked.deck_id is not None and walked.title is not None and not any(
            p.severity == "error" for p in problems):
        deck = Deck(walked.deck_id, walked.title, walked.description, filename,
                    tuple(walked.cards), digest)
    return Parsed(deck, problems, walked.deck_pos)


def deck_files(paths: Iterable[str | os.PathLike[str]],
               problems: list[Problem]) -> list[Path]:
    """The deck files named by ``paths`` (files as given, folders searched), each once."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]   # one path, not an iterable of characters
    found: list[Path] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        if UNSAFE_RE.search(str(path)) is not None:  # the name could drive the terminal wherever it is shown
            problems.append(Problem(str(path), 0, 0, "error", "the file name contains a control or bidi "
                                                              "character; rename the file"))
            return
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside: list[tuple[tuple[str, ...], str]] = []
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                parts = tuple(Path(root).parts)
                inside.extend((parts + (name,), os.path.join(root, name)) for name in files
                              if name.endswith(DECK_SUFFIXES) and not name.startswith("."))
            for _parts, item in sorted(inside):
                kind = _special_kind(item)
                if kind:  # opening a FIFO would wait for a writer forever
                    problems.append(Problem(item, 0, 0, "warning", f"not a regular file ({kind}); skipped"))
                else:
                    add(Path(item))
        elif path.is_file():
            add(path)
        elif path.exists():
            problems.append(Problem(str(path), 0, 0, "error", "not a file or a folder"))
        else:
            problems.append(Problem(str(path), 0, 0, "error", "no such file or folder"))
    return found


def _special_kind(path: str) -> str | None:
    """What a non-regular file is ("a FIFO", "a device"...), or None for a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # reading it will report the error
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _read(path: Path) -> tuple[bytes, os.stat_result] | Problem:
    """The file's bytes and the stat of the open file they were read from."""
    name = str(path)
    try:
        # O_NONBLOCK: a FIFO put in a file's place after the listing cannot make us wait
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return Problem(name, 0, 0, "error", "not a regular file")
            size = info.st_size
            if size > MAX_FILE_BYTES:
                return Problem(name, 1, 1, "error", f"file is {size:,} bytes; the limit is "
                                                    f"{MAX_FILE_BYTES:,} bytes (split the deck "
                                                    "into several files)")
            chunks = []
            left = MAX_FILE_BYTES + 1
            want = min(left, size + 1)
            while True:   # one read for a file that keeps its size (a short read is the end)
                chunk = os.read(fd, want)
                chunks.append(chunk)
                left -= len(chunk)
                if len(chunk) < want or left <= 0:
                    break
                want = left
            return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), info
        finally:
            os.close(fd)
    except OSError as exc:
        return Problem(name, 0, 0, "error", f"cannot read the file: {exc.strerror or exc}")


def _reparser(cache: ParseCache, name: str, digest: str):
    """What a cached deck's cards fall back on when a part of its entry fails its
    check: the entry is dropped, the file read and parsed again (and cached
    again); its cards, or none if the file no longer gives deck ``deck_id``."""
    def reparse(deck_id: str) -> tuple[Card, ...]:
        cache.drop(digest)
        cache.forget(name)
        read = _read(Path(name))
        if isinstance(read, Problem):
            return ()
        data, _info = read
        fresh = content_hash(data)
        with gc_paused():
            parsed = _parse(data, name, fresh)
        cache.put(fresh, parsed)
        cache.save_index()
        deck = parsed.deck
        return tuple(deck.cards) if deck is not None and deck.id == deck_id else ()
    return reparse


def _cached(cache: ParseCache, name: str) -> Parsed | None:
    """The cached parse of ``name`` when its stat says it is unchanged since it was hashed."""
    if not cache.knows_files():   # a cold cache: no stat to compare
        return None
    try:
        st = os.stat(name)
    except OSError:
        return None
    digest = cache.known_hash(name, st)
    return _from_cache(cache, digest, name) if digest is not None else None


def _from_cache(cache: ParseCache, digest: str, name: str) -> Parsed | None:
    return cache.get(digest, name, _reparser(cache, name, digest))


def load_decks(paths: Iterable[str | os.PathLike[str]],
               cache_dir: Path | str | None = None, *, cache_writes: bool = True) -> LoadResult:
    """Load and check every deck under ``paths``; never raises for bad deck content.

    With ``cache_writes=False`` the cache is read but never written (``stats``).
    """
    with gc_paused():
        return _load(paths, cache_dir, cache_writes)


def _load(paths: Iterable[str | os.PathLike[str]], cache_dir: Path | str | None,
          cache_writes: bool = True) -> LoadResult:
    result = LoadResult()
    cache = ParseCache(cache_dir, writes=cache_writes) if cache_dir is not None else None
    owners: dict[str, str] = {}   # deck id -> file that defined it first
    now_ns = time.time_ns()
    for path in deck_files(paths, result.problems):
        name = str(path)
        parsed = _cached(cache, name) if cache is not None else None
        if parsed is None:
            read = _read(path)
            if isinstance(read, Problem):
                result.problems.append(read)
                continue
            data, info = read
            digest = content_hash(data)
            parsed = _from_cache(cache, digest, name) if cache is not None else None
            if parsed is None:
                parsed = _parse(data, name, digest)
                if cache is not None:
                    cache.add(digest, parsed)
            if cache is not None:
                cache.remember(name, info, digest, now_ns)
        result.files.append(name)
        result.problems.extend(parsed.problems)
        deck = parsed.deck
        if deck is None:
            continue
        first = owners.get(deck.id)
        if first is not None:
            line, col = parsed.deck_pos
            result.problems.append(Problem(name, line, col, "error",
                                           f"deck id '{deck.id}' is already used by {first}"))
            continue
        owners[deck.id] = name
        result.decks.append(deck)
    if cache is not None:
        cache.flush()   # the new entries in one pack, and the index
    return result


def check_paths(paths: Iterable[str | os.PathLike[str]]) -> LoadResult:
    """``load_decks`` without the cache: every file is read and checked afresh."""
    return load_decks(paths, cache_dir=None)
