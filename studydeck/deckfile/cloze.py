"""Cloze deletions: ``{{cN::answer}}`` and ``{{cN::answer::hint}}``.

A cloze note with deletions numbered {1, 2, ...} makes one card per distinct
number N.  For card N:

- front = the text with every deletion numbered N shown as ``[...]`` (or
  ``[hint]`` when it has one) and every other deletion shown as its answer;
- back  = the text with every deletion numbered N shown as ``**answer**`` and
  every other deletion shown as its answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# An answer runs up to "::" or "}}"; a hint runs up to "}}".
CLOZE_RE = re.compile(r"\{\{c(\d+)::((?:(?!::|\}\}).)*)(?:::((?:(?!\}\}).)*))?\}\}", re.S)
_OPENING_RE = re.compile(r"\{\{\s*c\d*\s*:")


@dataclass(frozen=True, slots=True)
class Deletion:
    start: int      # character offsets in the text
    end: int
    number: int
    answer: str
    hint: str | None


def find_deletions(text: str) -> tuple[list[Deletion], list[tuple[int, str]]]:
    """The deletions of ``text`` and a list of (offset, message) problems."""
    deletions: list[Deletion] = []
    problems: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    for m in CLOZE_RE.finditer(text):
        number = int(m.group(1))
        answer = m.group(2)
        if number < 1:
            problems.append((m.start(), f"cloze numbers start at 1, got c{m.group(1)}"))
        elif not answer.strip():
            problems.append((m.start(), f"cloze deletion c{number} has an empty answer"))
        else:
            deletions.append(Deletion(m.start(), m.end(), number, answer, m.group(3)))
        covered.append((m.start(), m.end()))
    for m in _OPENING_RE.finditer(text):
        if not any(start <= m.start() < end for start, end in covered):
            problems.append((m.start(), "malformed cloze deletion; write {{c1::answer}} "
                                        "or {{c1::answer::hint}}"))
    return deletions, problems


def deletion_numbers(text: str) -> set[int] | None:
    """The numbers of ``text``'s deletions (one card each), or None when :func:`find_deletions`
    finds none or reports a problem.

    Quicker than building the deletions: every deletion starts with an opening
    ``{{c...:``, so when there are as many openings as deletions, each opening
    starts one and none is malformed; only then are the numbers and answers
    checked here.  Otherwise :func:`find_deletions` decides.  (A test compares them.)
    """
    found = CLOZE_RE.findall(text)
    if found and len(found) == len(_OPENING_RE.findall(text)):
        numbers = set()
        for number, answer, _hint in found:
            n = int(number)
            if n < 1 or not answer.strip():
                return None
            numbers.add(n)
        return numbers
    deletions, problems = find_deletions(text)
    return {d.number for d in deletions} if deletions and not problems else None


def render(text: str, deletions: list[Deletion], number: int) -> tuple[str, str]:
    """(front, back) of card ``number``, as described in the module docstring."""
    front: list[str] = []
    back: list[str] = []
    at = 0
    for d in deletions:
        front.append(text[at:d.start])
        back.append(text[at:d.start])
        if d.number == number:
            front.append(f"[{d.hint}]" if d.hint else "[...]")
            back.append(f"**{d.answer}**")
        else:
            front.append(d.answer)
            back.append(d.answer)
        at = d.end
    front.append(text[at:])
    back.append(text[at:])
    return "".join(front), "".join(back)
