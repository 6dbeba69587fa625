"""Near-duplicate card fronts in a collection, found for ``studydeck check``.

Two cards from different notes are reported when their fronts, normalised
(Unicode NFKC, case-folded, punctuation dropped), score at least
``THRESHOLD`` on rapidfuzz's ``fuzz.ratio`` (normalised Indel similarity,
0-100) *and* differ only in ways that do not change the question:

- words that one front has and the other lacks on **both** sides ("forget"
  against "input" in "What does the ... gate do?") mean two different
  questions, so such a pair is never reported;
- numbers and negations must be the same, in the same order: "z = 1"
  against "z = 0", "f = 0 and i = 1" against "f = 1 and i = 0", "Which is
  NOT a gate?" against "Which is a gate?" are different questions;
- two words count as the same when rapidfuzz scores them at least
  ``WORD_TYPO`` and both are letters only, at least four long (a typo or a
  plural: "forgt"/"forget", "gate"/"gates"), so "ih"/"hh" or "NIAF"/"NOAF"
  stay different.

What remains is the same question asked twice with other articles, word
order, punctuation, typos or a few extra stop words.  Cards made from one
note (the two sides of a ``reversed`` note, the deletions of a ``cloze``
note) are never compared with each other, and drill cards are skipped: their
question is generated.

Public API: ``near_duplicate_fronts(decks) -> [Problem]`` (warnings) and
``same_question(front_a, front_b) -> bool`` (the rule for one pair).

The rule itself prunes the search: of a reported pair, one front's content
words all match words of the other (else each has a word the other lacks).
So each front is compared only with the fronts holding, for every one of its
distinct content words, that word or a typo of it, and the same numbers and
negations: an intersection of bit sets (Python ints, one bit per front), not
a scan of all pairs.  The result is the same as comparing every pair with
``same_question`` (a test checks it).
Imports rapidfuzz on first call, never numpy or textual.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from studydeck.model import Card, Deck, Problem

THRESHOLD = 88       # fuzz.ratio of the normalised fronts, 0-100
WORD_TYPO = 80       # fuzz.ratio at which two words are one word misspelt

_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")          # words (split at "_") and single symbols
_DROPPED = frozenset("?!.,;:\"'“”‘’`()[]{}…*")
_STOP = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from",
    "is", "are", "was", "were", "be", "been", "does", "do", "did", "what", "which",
    "s", "its", "it", "this", "that", "these", "those", "there", "and", "or", "as",
))
_NEGATION = frozenset(("not", "no", "never", "without", "none"))


@dataclass(frozen=True, slots=True)
class _Front:
    card: Card
    path: str
    text: str                  # normalised, tokens joined by single spaces
    words: tuple[str, ...]     # content tokens (stop words dropped)


def _tokens(front: str) -> list[str]:
    text = unicodedata.normalize("NFKC", front).casefold()
    return [t for t in _TOKEN.findall(text) if t not in _DROPPED]


def _prepare(decks: Iterable[Deck]) -> list[_Front]:
    fronts = []
    for deck in decks:
        for card in deck.cards:
            if card.type == "drill" or not card.front.strip():
                continue
            tokens = _tokens(card.front)
            if tokens:
                fronts.append(_Front(card, deck.path, " ".join(tokens),
                                     tuple(t for t in tokens if t not in _STOP)))
    return fronts


def _same_word(a: str, b: str, fuzz) -> bool:
    if a == b:
        return True
    return (len(a) >= 4 and len(b) >= 4 and a.isalpha() and b.isalpha()
            and not _decisive(a) and not _decisive(b)
            and fuzz.ratio(a, b) >= WORD_TYPO)


def _unmatched(words: Sequence[str], other: Sequence[str], fuzz) -> list[str]:
    pool = list(other)
    left = []
    for word in words:
        for k, candidate in enumerate(pool):
            if _same_word(word, candidate, fuzz):
                del pool[k]
                break
        else:
            left.append(word)
    return left


def _decisive(word: str) -> bool:
    return word in _NEGATION or any(ch.isdigit() for ch in word)


def same_question(a: str, b: str) -> bool:
    """Whether two fronts are near-duplicates by the rules of this module."""
    from rapidfuzz import fuzz

    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    if fuzz.ratio(" ".join(ta), " ".join(tb)) < THRESHOLD:
        return False
    return _differ_only_trivially(tuple(t for t in ta if t not in _STOP),
                                  tuple(t for t in tb if t not in _STOP), fuzz)


def _numbers_and_negations(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(w for w in words if _decisive(w))


def _differ_only_trivially(wa: Sequence[str], wb: Sequence[str], fuzz) -> bool:
    if _numbers_and_negations(wa) != _numbers_and_negations(wb):
        return False    # "forget is 0, input is 1" is not "forget is 1, input is 0"
    only_a = _unmatched(wa, wb, fuzz)
    only_b = _unmatched(wb, wa, fuzz)
    if only_a and only_b:
        return False
    return not any(_decisive(w) for w in only_a + only_b)


def _typo_classes(words: Iterable[str], fuzz, process) -> dict[str, list[str]]:
    """For each word, the words (itself included) that ``_same_word`` accepts as it."""
    words = sorted(set(words))
    classes = {w: [w] for w in words}
    typo = sorted((w for w in words if len(w) >= 4 and w.isalpha() and not _decisive(w)), key=len)
    lengths = [len(w) for w in typo]
    # ratio = 2·matches / (la + lb) ≤ 2·la / (la + lb), so lb ≤ la · (200 − T) / T
    stretch = (200 - WORD_TYPO) / WORD_TYPO
    for i, word in enumerate(typo):
        end = bisect.bisect_right(lengths, lengths[i] * stretch)
        for other, _score, _j in process.extract(word, typo[i + 1:end], scorer=fuzz.ratio,
                                                 score_cutoff=WORD_TYPO, limit=None):
            classes[word].append(other)
            classes[other].append(word)
    return classes


def _bits(mask: int) -> Iterator[int]:
    """Indexes of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def near_duplicate_fronts(decks: Iterable[Deck]) -> list[Problem]:
    """One warning per pair of cards (from different notes) with near-duplicate fronts.

    The warning sits on the later card's note (in load order) and names both
    cards as ``deck/card`` with their ``file:line``.  Candidates for a front
    are the fronts with its numbers and negations that hold each of its
    distinct content words or a typo of it (see the module docstring); each
    candidate pair is scored once with ``fuzz.ratio`` and the word rule.
    """
    from rapidfuzz import fuzz, process

    fronts = _prepare(decks)
    # Bits follow the fronts sorted by length, so the fronts long enough and short
    # enough to reach THRESHOLD are a run of bits: ratio = 2·matches / (la + lb)
    # ≤ 2·la / (la + lb), so lb ≤ la · (200 − T) / T.
    order = sorted(range(len(fronts)), key=lambda k: len(fronts[k].text))
    lengths = [len(fronts[k].text) for k in order]
    stretch = (200 - THRESHOLD) / THRESHOLD
    holding: dict[str, int] = {}        # word -> bit set of the fronts holding it
    group: dict[tuple[str, ...], int] = {}  # numbers and negations -> bit set of fronts
    for bit_index, k in enumerate(order):
        bit = 1 << bit_index
        for word in set(fronts[k].words):
            holding[word] = holding.get(word, 0) | bit
        key = _numbers_and_negations(fronts[k].words)
        group[key] = group.get(key, 0) | bit
    classes = _typo_classes(holding, fuzz, process)
    reach: dict[str, int] = {}          # word -> fronts holding it or a typo of it
    for word, variants in classes.items():
        mask = 0
        for variant in variants:
            mask |= holding[variant]
        reach[word] = mask
    pairs: dict[tuple[int, int], float] = {}
    checked: set[tuple[int, int]] = set()
    for i, k in enumerate(order):
        front = fronts[k]
        low = bisect.bisect_left(lengths, lengths[i] / stretch)
        high = bisect.bisect_right(lengths, lengths[i] * stretch)
        candidates = group[_numbers_and_negations(front.words)] & ((1 << high) - (1 << low))
        candidates &= ~(1 << i)
        for word in sorted(set(front.words), key=lambda w: reach[w].bit_count()):
            candidates &= reach[word]
            if not candidates:
                break
        others = [order[j] for j in _bits(candidates)]
        others = [j for j in others if (min(k, j), max(k, j)) not in checked]
        for _text, score, n in process.extract(front.text, [fronts[j].text for j in others],
                                               scorer=fuzz.ratio, score_cutoff=THRESHOLD,
                                               limit=None):
            j = others[n]
            first, second = (k, j) if k < j else (j, k)
            checked.add((first, second))
            a, b = fronts[first], fronts[second]
            if (a.card.deck_id, a.card.note_id) == (b.card.deck_id, b.card.note_id):
                continue
            if _differ_only_trivially(a.words, b.words, fuzz):
                pairs[(first, second)] = score
    problems = []
    for (first, second), score in sorted(pairs.items()):
        a, b = fronts[first], fronts[second]
        problems.append(Problem(
            b.path, b.card.line, 0, "warning",
            f"card '{b.card.deck_id}/{b.card.card_id}' has nearly the same front as "
            f"'{a.card.deck_id}/{a.card.card_id}' ({a.path}:{a.card.line}), "
            f"similarity {score:.0f}: merge the two or make the questions differ"))
    return problems
