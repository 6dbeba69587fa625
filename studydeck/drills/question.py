"""The values a drill produces: a Question and the Verdict on one answer.

Numpy-free: every field holds plain Python values (lists, floats, ints, str),
so a question round-trips through JSON unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any



@dataclass(frozen=True)
class Question:
    """One generated drill question.

    ``answer`` depends on ``answer_format``:
      scalar  -> float
      vector  -> list[float]             (one vector, e.g. a gate for hidden_size H)
      vectors -> list[list[float]]       (several vectors in order, e.g. [h_t, c_t])
      integer -> int                     (counts, steps; tolerance 0)
      shapes  -> list[list[int]]         (tensor shapes in order, e.g. output, h_n, c_n)
    ``tolerance`` is absolute, per component: an answer x is right when
    |x − answer| ≤ tolerance.  ``answer_labels`` names the parts of a
    ``vectors``/``shapes`` answer ("h_1", "c_1"...).  ``cell`` holds the named
    values of the cell (answer included) for drawing it after the answer.
    ``hints`` are the steps shown one at a time before the solution (Enter on
    an empty answer); ``variant`` names the LSTM variant a question is about
    ("nig", "cifg"...; None otherwise).
    """

    kind: str
    seed: int
    params: dict[str, Any]
    prompt: str
    given: dict[str, Any]
    answer: Any
    tolerance: float
    answer_format: str
    solution: str
    cell: dict[str, Any] | None = None
    answer_text: str = ""
    answer_labels: list[str] = field(default_factory=list)
    answer_hint: str = ""
    hints: list[str] = field(default_factory=list)
    variant: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Every field as a JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(**data)


@dataclass(frozen=True)
class Verdict:
    """The judgement of one parsed answer."""

    correct: bool
    expected_text: str
    given_text: str
    message: str
    mistake: str = ""  # the sentence naming the classic mistake the answer matches, if any
