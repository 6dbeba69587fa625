"""The drill registry: one entry per kind, with its name, description and generator.

Names and descriptions come from :mod:`studydeck.drills.catalog` (the one place
for them); generators from the kind modules in :mod:`studydeck.drills.kinds`.  A
generator is called as ``gen(kind, seed, params)`` and returns a :class:`Question`; it draws every
number from ``numpy.random.default_rng(seed)``, so the same kind, seed and
params always give the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from .kinds import (activation, backprop_gru, backprop_lstm, bidir, bptt, flow, gradient, greff, gru,
                    lstm, shape, size, variant)
from .catalog import KINDS, check_params
from .errors import ParamError, UnknownKindError
from .question import Question
from .selection import _unknown

Generator = Callable[[str, int, dict], Question]

_MODULES = [activation, lstm, gru, variant, size, shape, bidir, gradient, greff, flow, backprop_lstm,
            backprop_gru, bptt]


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    generator: Generator

    def generate(self, seed: int, params: dict[str, Any] | None = None) -> Question:
        return generate(self.name, seed, params)


REGISTRY: dict[str, Kind] = {}
for _module in _MODULES:
    for _kind, _gen in _module.GENERATORS.items():
        REGISTRY[_kind] = Kind(_kind, KINDS[_kind], _gen)
REGISTRY = {k: REGISTRY[k] for k in KINDS}  # catalog order; a KeyError here is a missing generator


def generate(kind: str, seed: int, params: dict[str, Any] | None = None) -> Question:
    """The question of ``kind`` for ``seed`` and ``params``."""
    if kind not in REGISTRY:
        raise UnknownKindError(_unknown(kind))
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ParamError(f"seed must be a whole number, got {seed!r}")
    params = dict(params or {})
    problems = check_params(kind, params)
    if problems:
        raise ParamError("; ".join(problems))
    return REGISTRY[kind].generator(kind, seed, params)
