"""Choosing kinds and seeds for a run of questions.  Numpy-free.

``expand_kinds`` turns what a person types (``lstm``, ``params.lstm``,
``grad``) into kind names; ``plan`` turns (kinds, count, seed) into the
(kind, seed) of each question, the same every time for the same arguments.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .catalog import KINDS, closest_kind
from .errors import UnknownKindError


def expand_kinds(names) -> list[str]:
    """Kinds named by ``names`` (a string or an iterable of strings), in catalog order.

    A name is an exact kind (``lstm.step``) or a prefix before a dot (``lstm``
    selects every ``lstm.*``).  Commas separate several names in one string.
    Empty or None means every kind.  Unknown names raise UnknownKindError.
    """
    if names is None:
        return list(KINDS)
    if isinstance(names, str):
        names = [names]
    wanted: set[str] = set()
    for entry in names:
        for name in str(entry).split(","):
            name = name.strip().rstrip(".")
            if not name:
                continue
            if name in KINDS:
                wanted.add(name)
                continue
            under = [k for k in KINDS if k.startswith(name + ".")]
            if not under:
                raise UnknownKindError(_unknown(name))
            wanted.update(under)
    if not wanted:
        return list(KINDS)
    return [k for k in KINDS if k in wanted]


def _unknown(name: str) -> str:
    """'unknown drill kind ...; did you mean ...?' naming the closest prefix or kind."""
    import difflib

    prefixes = sorted({k.split(".")[0] for k in KINDS})
    guesses = []
    if "." not in name:
        guesses += difflib.get_close_matches(name.lower(), prefixes, n=1, cutoff=0.6)
    close = closest_kind(name)
    if close:
        guesses.append(close)
    hint = "did you mean " + " or ".join(repr(g) for g in guesses) + "? " if guesses else ""
    return f"unknown drill kind {name!r}; {hint}see --list (prefixes: {', '.join(prefixes)})"


def plan(kinds, count: int | None, seed: int) -> list[tuple[str, int]]:
    """(kind, question seed) for each of ``count`` questions (None: one per kind).

    Kinds come round robin, each round in an order shuffled by ``seed``.
    """
    return list(iter_plan(kinds, count, seed))


def iter_plan(kinds, count: int | None, seed: int) -> Iterator[tuple[str, int]]:
    """:func:`plan`, one question at a time: a large count costs nothing up front."""
    selected = expand_kinds(kinds)
    if count is None:
        count = len(selected)
    if count < 0:
        raise ValueError("count must be zero or more")
    rng = random.Random(seed)
    made = 0
    while made < count:
        order = selected[:]
        rng.shuffle(order)
        for kind in order[: count - made]:
            yield kind, rng.randrange(2**31)
            made += 1
