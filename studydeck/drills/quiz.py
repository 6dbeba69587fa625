"""The functions behind ``studydeck drill``: quiz, list, JSON lines, worksheet.

No argparse here; the CLI passes parsed values in.  ``kinds`` everywhere is a
name, a prefix (``lstm``, ``params``), a comma-separated string or a list of
them; None means every kind.  The same (kinds, count, seed) always gives the
same questions (see :func:`studydeck.drills.selection.plan`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from .answers import SKIP_WORDS, grade
from .catalog import KINDS, PARAMS
from .errors import AnswerError
from .render import given_markdown, given_text
from .selection import iter_plan, plan

SKIP = SKIP_WORDS
QUIT = {"q", "quit", "exit"}


def _generate(kind: str, seed: int):
    from .registry import generate  # numpy and the engine load here

    return generate(kind, seed)


def list_kinds() -> str:
    """Every kind as ``name  description``, names aligned, then one indented line per param
    (``params:`` on a drill card) with the values it takes."""
    width = max(len(k) for k in KINDS)
    pw = max((len(p) for spec in PARAMS.values() for p in spec), default=0)
    rw = max((len(p.range_text()) for spec in PARAMS.values() for p in spec.values()), default=0)
    lines = []
    for name, desc in KINDS.items():
        lines.append(f"{name.ljust(width)}  {desc}")
        for param, spec in PARAMS.get(name, {}).items():
            lines.append(f"    {param.ljust(pw)}  {spec.range_text().ljust(rw)}  {spec.doc}")
    return "\n".join(lines)


def run_quiz(kinds, count: int | None, seed: int, stdin: TextIO, stdout: TextIO) -> int:
    """Ask ``count`` questions on ``stdout``, reading answers from ``stdin``.

    Per question: the prompt and given values, then ``answer>`` lines until one
    parses.  A line that cannot be read gets a one-line hint and another try
    (never counted); an empty line shows the next step of the worked solution
    (``Question.hints``) and, once they are all shown, reveals the answer
    (counted as skipped); ``s``/``skip`` skips, ``q`` quits, end of input stops
    cleanly.  After each answer: the verdict (naming a classic mistake the
    answer matches) and the worked solution.  At the end: the score.  Returns 0
    (the exit status).  Unknown kinds raise UnknownKindError before anything is
    printed.
    """
    questions = plan(kinds, count, seed)
    echo = not _isatty(stdin)  # piped answers are not echoed by a terminal: show them
    total = len(questions)
    right = wrong = skipped = 0
    stopped = False
    for n, (kind, qseed) in enumerate(questions, start=1):
        q = _generate(kind, qseed)
        stdout.write(f"\nQuestion {n}/{total} · {kind} (seed {qseed})\n{q.prompt}\n")
        stdout.write(given_text(q.given) + "\n")
        stdout.write(f"Answer with {q.answer_hint}; Enter shows a hint, s skips, q quits.\n")
        verdict = None
        shown = 0
        while True:
            stdout.write("answer> ")
            stdout.flush()
            line = stdin.readline()
            if echo and line:
                stdout.write(line if len(line) <= 200 else line[:200] + "…\n")
                if not line.endswith("\n"):
                    stdout.write("\n")
            if line == "":
                stdout.write("\n(end of input)\n")
                stopped = True
                break
            word = line.strip().lower()
            if word in QUIT:
                stopped = True
                break
            if word in SKIP:
                skipped += 1
                stdout.write(f"Skipped. The answer is {q.answer_text}.\n")
                break
            if not word:
                if shown < len(q.hints):
                    stdout.write(f"Hint {shown + 1}/{len(q.hints)}:\n{_indent(q.hints[shown])}\n")
                    shown += 1
                    continue
                skipped += 1
                stdout.write(f"No more hints. The answer is {q.answer_text}.\n")
                break
            try:
                verdict = grade(q, line)
            except AnswerError as exc:
                stdout.write(f"? {exc}\n")
                continue
            break
        if stopped:
            break
        if verdict is not None:
            right += verdict.correct
            wrong += not verdict.correct
            stdout.write(("✓ " if verdict.correct else "✗ ") + verdict.message + "\n")
        stdout.write("Worked solution:\n" + _indent(q.solution) + "\n")
    answered = right + wrong
    stdout.write(f"\nScore: {right}/{answered} correct"
                 f"{f', {skipped} skipped' if skipped else ''}"
                 f"{f', {total - answered - skipped} not asked' if answered + skipped < total else ''}.\n")
    stdout.flush()
    return 0


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _indent(text: str, pad: str = "  ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


def questions_json_lines(kinds, count: int | None, seed: int) -> Iterator[str]:
    """One JSON object per question (every Question field: kind, seed, prompt, given,
    answer, tolerance, solution, ...), without a trailing newline."""
    for kind, qseed in iter_plan(kinds, count, seed):
        yield json.dumps(_generate(kind, qseed).to_json(), ensure_ascii=False, sort_keys=False)


def worksheet(kinds, count: int | None, seed: int) -> str:
    """A Markdown worksheet: numbered questions, then the answers and worked solutions."""
    questions = [_generate(kind, qseed) for kind, qseed in plan(kinds, count, seed)]
    out = [f"# Drill worksheet (seed {seed})", "",
           "Answer formats: numbers as 0.62, 6.2e-1 or 1/2; vectors as [0.1, 0.2]; "
           "shapes as (5, 3, 40).", ""]
    for n, q in enumerate(questions, start=1):
        out += [f"## {n}. {q.kind}", "", q.prompt, "", given_markdown(q.given), ""]
    out += ["---", "", "## Answers", ""]
    for n, q in enumerate(questions, start=1):
        out += [f"### {n}. {q.kind} (seed {q.seed})", "", f"**Answer:** {q.answer_text}", "",
                "```text", q.solution, "```", ""]
    return "\n".join(out)
