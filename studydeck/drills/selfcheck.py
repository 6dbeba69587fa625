"""Drill kinds checking themselves: every kind over many seeds, as PrairieLearn tests its questions.

``studydeck check --drills [--seeds N]`` runs, for every kind and seed:

    answer     the answer text (and the solution's "Answer:" line) grades as correct
    perturbed  each answer component moved just past the tolerance is refused
               (an integer or a shape moved by one)
    examples   no format example ("e.g. ...") in the prompt or the answer hint
               equals, or rounds to, the answer or one of its components
    arithmetic every chain "A = B = C" of numbers in the worked solution checks
               out from the numbers it displays (see :mod:`.arithmetic`)

and, per kind, that every declared param is honoured: each value at the ends
and middle of its range (every choice, both booleans) either gives a question
that records the param and shows it (in ``given``, the prompt or the answer's
shape), or a one-line ParamError.  Each failure is one line:
``kind seed S {params}: what``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from .answers import grade
from .arithmetic import arithmetic_problems, half_unit
from .catalog import KINDS, PARAMS, Param
from .errors import AnswerError, ParamError
from .question import Question

DEFAULT_SEEDS = 20
PARAM_SEEDS = 2  # seeds per param value


@dataclass(frozen=True)
class Failure:
    kind: str
    seed: int | None
    params: dict
    what: str

    def line(self) -> str:
        where = f" seed {self.seed}" if self.seed is not None else ""
        given = f" {self.params}" if self.params else ""
        return f"{self.kind}{where}{given}: {self.what}"


# ------------------------------------------------------------------ one question
def _flat(value) -> list:
    return [x for v in value for x in _flat(v)] if isinstance(value, list) else [value]


def _text(q: Question, flat: list) -> str:
    """A flat list of values written in the answer's own format."""
    if q.answer_format == "vectors":
        parts, k = [], 0
        for part in q.answer:
            parts.append("[" + ", ".join(repr(v) for v in flat[k:k + len(part)]) + "]")
            k += len(part)
        return "; ".join(parts)
    if q.answer_format == "shapes":
        return " ".join("(" + ", ".join(str(d) for d in s) + ")" for s in flat)
    if q.answer_format in ("scalar", "integer"):
        return repr(flat[0])
    return "[" + ", ".join(repr(v) for v in flat) + "]"


def _accepted(q: Question, text: str) -> bool | None:
    """True/False: graded right/wrong; None: the text cannot be read as this answer."""
    try:
        return grade(q, text).correct
    except AnswerError:
        return None


def answer_problems(q: Question) -> list[str]:
    problems = []
    verdict = _accepted(q, q.answer_text)
    if verdict is not True:
        problems.append(f"its own answer text {q.answer_text!r} is "
                        f"{'not readable' if verdict is None else 'graded wrong'}")
    last = q.solution.splitlines()[-1] if q.solution else ""
    if last != f"Answer: {q.answer_text}":
        problems.append(f"the worked solution does not end with 'Answer: {q.answer_text}'")
    return problems


def perturbed_problems(q: Question) -> list[str]:
    problems = []
    if q.answer_format == "integer":
        for delta in (1, -1):
            if _accepted(q, str(q.answer + delta)) is not False:
                problems.append(f"the wrong answer {q.answer + delta} is not refused")
        return problems
    if q.answer_format == "shapes":
        for k in range(len(q.answer)):
            wrong = [list(s) for s in q.answer]
            wrong[k][-1] += 1
            if _accepted(q, _text(q, wrong)) is not False:
                problems.append(f"the wrong shapes {_text(q, wrong)} are not refused")
        return problems
    flat = [float(v) for v in _flat(q.answer)]
    step = q.tolerance * 1.01 + 1e-12 * max(1.0, max(abs(v) for v in flat))
    shown = _shown_components(q)
    for k in range(len(flat)):
        for sign in (1, -1):
            wrong = list(flat)
            wrong[k] += sign * step
            if _accepted(q, _text(q, wrong)) is not False:
                problems.append(f"component {k + 1} moved by {sign * step:.3g} (just past the "
                                f"tolerance ±{q.tolerance:.3g}) is not refused")
            if shown is None:
                continue
            value, unit = shown[k]
            wrong = list(flat)
            wrong[k] = value + sign * 2 * unit
            if _accepted(q, _text(q, wrong)) is not False:
                problems.append(f"component {k + 1} two units off the answer shown "
                                f"({wrong[k]:.10g}) is accepted (tolerance ±{q.tolerance:.3g})")
    return problems


def _shown_components(q: Question) -> list[tuple[float, float]] | None:
    """(value, unit of its last digit) of each number in the answer text, labels left out."""
    text = q.answer_text
    for label in sorted(q.answer_labels, key=len, reverse=True):
        text = text.replace(label, " ")
    tokens = re.findall(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", text)
    if len(tokens) != len(_flat(q.answer)):
        return None
    return [(float(t), 2 * half_unit(t)) for t in tokens]


_EG = re.compile(r"e\.g\.\s*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?")


def examples(text: str) -> list[str]:
    """The examples a text gives after "e.g.": up to a closing bracket, a sentence end or its end."""
    out = []
    for m in _EG.finditer(text):
        depth, end = 0, len(text)
        for i in range(m.end(), len(text)):
            ch = text[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                if depth == 0:
                    end = i
                    break
                depth -= 1
            elif depth == 0 and text.startswith(". ", i):
                end = i
                break
        whole = text[m.end():end].strip().rstrip(".")
        out.append(whole)
        pieces = re.split(r",\s+(?![^\[(]*[\])])|\s+or\s+", whole)
        out.extend(p.strip() for p in pieces if p.strip() and p.strip() != whole)
    return out


def _example_value(token: str) -> float:
    if "/" in token:
        num, den = token.split("/")
        return float(num) / float(den)
    return float(token)


def example_problems(q: Question) -> list[str]:
    problems = []
    numeric = q.answer_format in ("scalar", "vector", "vectors", "integer")
    components = [float(v) for v in _flat(q.answer)] if numeric else []
    tol = q.tolerance if q.answer_format != "integer" else 0.5
    for source, text in (("prompt", q.prompt), ("answer hint", q.answer_hint)):
        for ex in examples(text):
            if _accepted(q, ex):
                problems.append(f"the {source}'s example {ex!r} is accepted as the answer")
                continue
            if not numeric:
                continue
            for token in _NUMBER.findall(ex):
                try:
                    value = _example_value(token.replace(" ", ""))
                except (ValueError, ZeroDivisionError):
                    continue
                if any(abs(value - c) <= tol for c in components):
                    problems.append(f"the {source}'s example {token!r} equals or rounds to "
                                    f"(part of) the answer {q.answer_text}")
                    break
    return problems


# ------------------------------------------------------------------ params
_TORCH = {"lstm": "nn.LSTM", "gru": "nn.GRU", "rnn": "nn.RNN"}


def _lengths(value) -> set[int]:
    """Lengths of the innermost lists of a nested list."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return set().union(*(_lengths(v) for v in value))
    return {len(value)} if isinstance(value, list) else set()


def _sig_figures(text: str) -> int:
    mantissa = text.lower().split("e")[0].lstrip("-+").replace(".", "").lstrip("0")
    return len(mantissa)


def _honoured(name: str, value: Any, q: Question) -> bool:
    g = q.given
    if name == "decimals":
        return f"to {value} decimal" in q.prompt
    if name == "input_size":
        return g.get("input_size") == value or value in _lengths(g.get("x"))
    if name == "hidden_size":
        answer_lengths = _lengths(q.answer) if isinstance(q.answer, list) else set()
        return (g.get("hidden_size") == value or value in _lengths(g.get("h0"))
                or value in answer_lengths or 2 * value in answer_lengths)
    if name == "cell":
        return _TORCH[value] + "(" in q.prompt or f"{_TORCH[value]} " in q.prompt
    if name == "seq_len":
        x = g.get("x")
        return (isinstance(x, list) and len(x) == value) or value in g.get("input_shape", [])
    if name == "batch":
        return g.get("batch") == value or value in g.get("input_shape", [])
    if name == "t":
        return f"output[{value - 1}]" in q.answer_labels
    if name == "sig":
        return _sig_figures(q.answer_text) == value
    return name in g and g[name] == value


def _values(spec: Param) -> list:
    if spec.type == "bool":
        return [False, True]
    if spec.type == "choice":
        return list(spec.choices)
    low, high = spec.low, spec.high
    if spec.type == "int":
        return sorted({int(low), int(high), int((low + high) // 2)})
    return [float(low), float(high), float((low + high) / 2)]


Generate = Callable[[str, int, dict], Question]


def param_failures(kind: str, spec: dict[str, Param], generate: Generate) -> list[Failure]:
    failures = []
    for name, param in spec.items():
        produced = 0
        for value in _values(param):
            params = {name: value}
            for seed in range(PARAM_SEEDS):
                try:
                    q = generate(kind, seed, params)
                except ParamError as exc:
                    if not str(exc) or "\n" in str(exc):
                        failures.append(Failure(kind, seed, params, "ParamError without a one-line message"))
                    continue
                except Exception as exc:  # noqa: BLE001 - reported, never raised
                    failures.append(Failure(kind, seed, params, f"raises {type(exc).__name__}: {exc}"))
                    continue
                produced += 1
                if q.params != params:
                    failures.append(Failure(kind, seed, params, f"records params {q.params}"))
                elif not _honoured(name, value, q):
                    failures.append(Failure(kind, seed, params, f"does not show {name} = {value!r}"))
                failures += [Failure(kind, seed, params, what) for what in question_failures(q)]
        if not produced:
            failures.append(Failure(kind, None, {}, f"no value of param {name!r} gives a question"))
    return failures


# ------------------------------------------------------------------ running
def question_failures(q: Question) -> list[str]:
    return (answer_problems(q) + perturbed_problems(q) + example_problems(q)
            + arithmetic_problems(q.solution))


def check_kinds(seeds: int = DEFAULT_SEEDS, kinds: Iterable[str] | None = None,
                generate: Generate | None = None,
                params: dict[str, dict[str, Param]] | None = None) -> list[Failure]:
    """Every failure of every kind (default: all) over seeds 0 … seeds − 1."""
    if generate is None:
        from .registry import generate  # numpy and the engine load here
    params = PARAMS if params is None else params
    failures = []
    for kind in (list(KINDS) if kinds is None else list(kinds)):
        for seed in range(seeds):
            try:
                q = generate(kind, seed, {})
            except Exception as exc:  # noqa: BLE001 - reported, never raised
                failures.append(Failure(kind, seed, {}, f"raises {type(exc).__name__}: {exc}"))
                continue
            failures += [Failure(kind, seed, {}, what) for what in question_failures(q)]
        failures += param_failures(kind, params.get(kind, {}), generate)
    return failures


def run(seeds: int = DEFAULT_SEEDS, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
        kinds: Iterable[str] | None = None, generate: Generate | None = None,
        params: dict[str, dict[str, Param]] | None = None) -> int:
    """``studydeck check --drills``: one line per failure on ``out``; exit status 1 if any."""
    if seeds < 1:
        print("studydeck: error: --seeds must be at least 1", file=err)
        return 2
    names = list(KINDS) if kinds is None else list(kinds)
    failures = check_kinds(seeds, names, generate, params)
    for failure in failures:
        print(failure.line(), file=out)
    print(f"{len(names)} drill kinds, {seeds} seed{'s' if seeds != 1 else ''} each and their "
          f"params: {len(failures)} failure{'s' if len(failures) != 1 else ''}", file=err)
    return 1 if failures else 0
