"""Numeric drills on recurrent networks: question kinds, answer parsing, worked solutions.

Importing this package is cheap and never imports numpy: the generators (which
need numpy and the engine) load on the first call to :func:`generate`.

    q = generate("lstm.forget_gate", seed=7, params={"hidden_size": 2})
    print(q.prompt); print(q.given)
    verdict = grade(q, "[0.62, 0.41]")      # AnswerError if the line cannot be read
    print(verdict.message); print(q.solution)
"""

from __future__ import annotations

from typing import Any

from .answers import grade, parse_answer
from .catalog import KINDS, PARAMS, check_params, closest_kind
from .errors import AnswerError, DrillError, ParamError, UnknownKindError
from .question import Question, Verdict

__all__ = [
    "KINDS", "PARAMS", "AnswerError", "DrillError", "ParamError", "Question", "UnknownKindError", "Verdict",
    "check_params", "closest_kind", "expand_kinds", "generate", "grade", "list_kinds",
    "parse_answer", "questions_json_lines", "run_quiz", "worksheet",
]


def generate(kind: str, seed: int, params: dict[str, Any] | None = None) -> Question:
    """The question of ``kind`` for ``seed`` (same inputs, same question).

    Raises UnknownKindError for an unknown kind and ParamError for bad params.
    """
    from .registry import generate as _generate  # numpy and the engine load here

    return _generate(kind, seed, params)


def expand_kinds(names) -> list[str]:
    """Exact kind names and prefixes ("lstm", "params") expanded to kinds, in catalog order."""
    from .selection import expand_kinds as _expand

    return _expand(names)


def list_kinds() -> str:
    """One line per kind: ``name  description``."""
    from .quiz import list_kinds as _list

    return _list()


def run_quiz(kinds, count, seed, stdin, stdout) -> int:
    """Interactive quiz on text streams; see :func:`studydeck.drills.quiz.run_quiz`."""
    from .quiz import run_quiz as _run

    return _run(kinds, count, seed, stdin, stdout)


def questions_json_lines(kinds, count, seed):
    """One JSON object per line per question; see :mod:`studydeck.drills.quiz`."""
    from .quiz import questions_json_lines as _lines

    return _lines(kinds, count, seed)


def worksheet(kinds, count, seed) -> str:
    """A Markdown worksheet with an answer section; see :mod:`studydeck.drills.quiz`."""
    from .quiz import worksheet as _sheet

    return _sheet(kinds, count, seed)
