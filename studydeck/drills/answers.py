"""Reading typed answers and grading them.  Never evaluates code; numpy-free.

Accepted forms:
  scalar   0.62  .62  6.2e-1  -0.5  −0.5  +1  1/2  -3/4
  vector   [0.1, 0.2]   (0.1, 0.2)   0.1 0.2   0.1,0.2   (a length-1 vector may be a bare number)
  vectors  [0.1, 0.2] [0.3, 0.4]   0.1 0.2; 0.3 0.4   or all numbers in order: 0.1 0.2 0.3 0.4
  integer  4160   4,160   4_160   4.16e3 (when whole)
  shapes   (5, 3, 40) (2, 3, 20)   5 3 40; 2 3 20   torch.Size([5, 3, 40]), ...

Anything else raises AnswerError with a one-line hint.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import AnswerError
from .mistakes import diagnose
from .question import Question, Verdict

MAX_ANSWER_CHARS = 1000
SKIP_WORDS = frozenset({"s", "skip"})  # typed instead of an answer: skip the question

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SCALAR_RE = re.compile(rf"({_NUMBER})(?:\s*/\s*({_NUMBER}))?")
_INT_RE = re.compile(r"[+-]?\d{1,18}")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_GROUP_RE = re.compile(r"[\[(]([^\[\]()]*)[\])]")
_TRANSLATE = str.maketrans({"\u2212": "-", "\u2013": "-", "\uff0c": ",", "\u00a0": " ",
                            "\u2009": " ", "\u202f": " ", "\t": " "})


def _clean(text: str) -> str:
    if not isinstance(text, str):
        raise AnswerError("the answer must be text")
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(f"answer too long ({len(text)} characters); type at most {MAX_ANSWER_CHARS}")
    text = text.translate(_TRANSLATE).strip()
    if not text:
        raise AnswerError("empty answer; type your answer (or s to skip)")
    return text


def _show(token: str) -> str:
    return token if len(token) <= 20 else token[:17] + "..."


def parse_scalar(text: str) -> float:
    """One real number: a decimal, scientific notation or a fraction a/b."""
    text = _clean(text)
    m = _SCALAR_RE.fullmatch(text)
    if m is None:
        raise AnswerError(f"not a number: {_show(text)!r}; write e.g. 0.62, 6.2e-1 or 1/2")
    value = float(m.group(1))
    if m.group(2) is not None:
        den = float(m.group(2))
        if den == 0:
            raise AnswerError(f"division by zero in {_show(text)!r}")
        value = value / den
    if not math.isfinite(value):
        raise AnswerError(f"number out of range: {_show(text)!r}")
    return value


def _tokens(body: str) -> list[str]:
    body = body.replace(",", " ")
    # keep "1 / 2" together as one fraction token
    body = re.sub(r"\s*/\s*", "/", body)
    return body.split()


def _strip_brackets(text: str) -> str:
    if len(text) >= 2 and text[0] in "[(" and text[-1] in "])":
        inner = text[1:-1]
        if not any(ch in inner for ch in "[]()"):
            return inner
    return text


def parse_vector(text: str, length: int) -> list[float]:
    """``length`` numbers, bracketed or not, separated by commas and/or spaces."""
    text = _strip_brackets(_clean(text))
    if any(ch in text for ch in "[]()"):
        raise AnswerError("unbalanced or nested brackets; write e.g. [0.1, 0.2]")
    tokens = _tokens(text)
    if len(tokens) != length:
        raise AnswerError(f"expected {length} number{'s' if length != 1 else ''}, got {len(tokens)}")
    return [parse_scalar(tok) for tok in tokens]


def _strip_outer(text: str) -> str:
    """``[[1, 2], [3, 4]]`` -> ``[1, 2], [3, 4]`` (one outer pair around bracketed groups)."""
    if len(text) >= 2 and text[0] in "[(" and text[-1] in "])":
        inner = text[1:-1].strip()
        if _GROUP_RE.search(inner) and not _GROUP_RE.sub(" ", inner).replace(",", " ").strip():
            return inner
    return text


def _groups(text: str, lengths: list[int]) -> list[str]:
    """Split an answer of several vectors into the text of each vector."""
    text = _strip_outer(text)
    if ";" in text:
        parts = [p.strip() for p in text.split(";")]
        if parts and parts[-1] == "":
            parts.pop()
    elif any(ch in text for ch in "[]()"):
        parts = _GROUP_RE.findall(text)
        rest = _GROUP_RE.sub(" ", text)
        if rest.replace(",", " ").strip():
            raise AnswerError("write each part in brackets, e.g. [0.1, 0.2] [0.3, 0.4], or separate parts with ;")
    else:
        tokens = _tokens(text)
        if len(tokens) != sum(lengths):
            raise AnswerError(f"expected {len(lengths)} parts of lengths {lengths} "
                              f"({sum(lengths)} numbers in all), got {len(tokens)} numbers")
        parts, start = [], 0
        for n in lengths:
            parts.append(" ".join(tokens[start:start + n]))
            start += n
    if len(parts) != len(lengths):
        raise AnswerError(f"expected {len(lengths)} parts, got {len(parts)}; separate them with ; or brackets")
    return parts


def parse_vectors(text: str, lengths: list[int]) -> list[list[float]]:
    """Several vectors, e.g. ``[h1, h2]; [c1, c2]``."""
    text = _clean(text)
    out = []
    for k, (part, n) in enumerate(zip(_groups(text, lengths), lengths), start=1):
        try:
            out.append(parse_vector(part, n))
        except AnswerError as exc:
            raise AnswerError(f"part {k}: {exc}") from None
    return out


def parse_integer(text: str) -> int:
    """A whole number; thousands separators (4,160 or 4_160) and whole 4.16e3 accepted."""
    text = _clean(text).replace("_", "").replace(" ", "")
    if _INT_RE.fullmatch(text):
        return int(text)
    if _THOUSANDS_RE.fullmatch(text):
        return int(text.replace(",", ""))
    value = parse_scalar(text)
    if value != int(value) or abs(value) >= 2**53:
        raise AnswerError(f"expected a whole number, got {_show(text)!r}")
    return int(value)


def parse_shapes(text: str, count: int) -> list[list[int]]:
    """``count`` shapes, e.g. ``(5, 3, 40) (2, 3, 20)`` or ``5 3 40; 2 3 20``."""
    text = _clean(text)
    text = re.sub(r"torch\.Size\s*\(\s*\[([^\[\]()]*)\]\s*\)", r"(\1)", text)
    text = _strip_outer(text.strip())
    if ";" in text:
        parts = [p.strip() for p in text.split(";") if p.strip()]
    elif any(ch in text for ch in "[]()"):
        parts = _GROUP_RE.findall(text)
        if _GROUP_RE.sub(" ", text).replace(",", " ").strip():
            raise AnswerError("write each shape in brackets, e.g. (5, 3, 40) (2, 3, 20)")
    elif count == 1:
        parts = [text]
    else:
        raise AnswerError(f"expected {count} shapes; write e.g. (5, 3, 40) (2, 3, 20) or separate them with ;")
    if len(parts) != count:
        raise AnswerError(f"expected {count} shape{'s' if count != 1 else ''}, got {len(parts)}")
    shapes = []
    for part in parts:
        dims = []
        for tok in _tokens(_strip_brackets(part.strip())):
            if not _INT_RE.fullmatch(tok) or tok.startswith("-"):
                raise AnswerError(f"a shape holds whole non-negative sizes, got {_show(tok)!r}")
            dims.append(int(tok))
        shapes.append(dims)
    return shapes


def _drop_labels(text: str, labels) -> str:
    """Remove the answer's own labels (``h_1 =``, ``output``) so its answer text reads back."""
    text = _clean(text)
    for label in sorted(labels, key=len, reverse=True):
        word = re.escape(label.translate(_TRANSLATE))
        text = re.sub(r"(?<![\w'])" + word + r"(?![\w'])\s*[=:]?", " ", text)
    return text


def parse_answer(question: Question, text: str) -> Any:
    """Parse ``text`` into the form of ``question.answer``; raise AnswerError if it cannot."""
    fmt = question.answer_format
    if question.answer_labels and fmt in ("vector", "vectors", "shapes"):
        text = _drop_labels(text, question.answer_labels)
    if fmt == "scalar":
        return parse_scalar(text)
    if fmt == "vector":
        return parse_vector(text, len(question.answer))
    if fmt == "vectors":
        return parse_vectors(text, [len(v) for v in question.answer])
    if fmt == "integer":
        return parse_integer(text)
    if fmt == "shapes":
        return parse_shapes(text, len(question.answer))
    raise ValueError(f"unknown answer format {fmt!r}")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list):
        inner = ", ".join(_fmt(v) for v in value)
        return f"[{inner}]"
    return str(value)


def _flat(value: Any) -> list[float]:
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [value]


def grade(question: Question, text: str) -> Verdict:
    """Judge one answer line.  Raises AnswerError (never counted) if it cannot be read."""
    got = parse_answer(question, text)
    expected_text = question.answer_text or _fmt(question.answer)
    given_text = " ".join(text.split())  # echoed as typed: 0.960 stays 0.960
    fmt = question.answer_format
    if fmt in ("integer", "shapes"):
        correct = got == question.answer
        message = "Correct." if correct else f"Not quite: the answer is {expected_text}."
        return Verdict(correct, expected_text, given_text, message)
    want, have = _flat(question.answer), _flat(got)
    errors = [abs(h - w) for h, w in zip(have, want)]
    worst = max(range(len(errors)), key=errors.__getitem__)
    correct = errors[worst] <= question.tolerance
    if correct:
        message = f"Correct (within ±{question.tolerance:.2g})."
    else:
        where = ""
        if len(errors) > 1:
            labels = _component_labels(question)
            where = f" in {labels[worst]}" if worst < len(labels) else f" in component {worst + 1}"
        message = (f"Not quite: off by {errors[worst]:.3g}{where}; "
                   f"allowed ±{question.tolerance:.2g}. The answer is {expected_text}.")
        mistake = diagnose(question, got)
        if mistake:
            return Verdict(correct, expected_text, given_text, f"{message} {mistake}", mistake)
    return Verdict(correct, expected_text, given_text, message)


def _component_labels(question: Question) -> list[str]:
    if question.answer_format == "vector":
        name = question.answer_labels[0] if question.answer_labels else "x"
        return [f"{name}[{j}]" for j in range(len(question.answer))]
    labels = []
    for k, vec in enumerate(question.answer):
        name = question.answer_labels[k] if k < len(question.answer_labels) else f"part {k + 1}"
        labels.extend(f"{name}[{j}]" for j in range(len(vec)))
    return labels
