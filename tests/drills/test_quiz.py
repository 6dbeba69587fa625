"""The CLI-facing functions: quiz on text streams, list, JSON lines, worksheet, kind selection."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from studydeck.drills import (KINDS, UnknownKindError, expand_kinds, generate, list_kinds,
                              questions_json_lines, run_quiz, worksheet)
from studydeck.drills.selection import plan


def _quiz(text, kinds="sigmoid", count=3, seed=7):
    out = io.StringIO()
    code = run_quiz(kinds, count, seed, io.StringIO(text), out)
    return code, out.getvalue()


def _answers(kinds, count, seed):
    return [generate(k, s).answer_text for k, s in plan(kinds, count, seed)]


def test_all_correct_answers_score_full_marks():
    answers = _answers("lstm,gru", 4, 11)
    code, out = _quiz("\n".join(answers) + "\n", "lstm,gru", 4, 11)
    assert code == 0
    assert out.count("✓ Correct") == 4 and "Score: 4/4 correct." in out
    assert out.count("Worked solution:") == 4


def test_bad_input_gets_a_hint_and_another_try():
    right = _answers("tanh.value", 1, 3)[0]
    code, out = _quiz(f"abc\n\nnan\n{'9' * 5000}\n{right}\n", "tanh.value", 1, 3)
    hints = [line for line in out.splitlines() if line.startswith("? ")]
    assert len(hints) == 3 and "not a number" in out and "too long" in out
    assert "Hint 1/" in out  # the empty line shows a step of the solution instead
    assert "Score: 1/1 correct." in out


def test_skip_wrong_quit_and_eof():
    code, out = _quiz("s\n0.123456789\nq\n", "sigmoid.value", 5, 1)
    assert "Skipped. The answer is" in out and "✗ Not quite" in out
    assert "Score: 0/1 correct, 1 skipped, 3 not asked." in out
    code, out = _quiz("", "tanh", 2, 1)
    assert code == 0 and "(end of input)" in out and "Score: 0/0 correct" in out


def test_same_seed_same_session_and_echo_of_piped_answers():
    a = _quiz("0.5\n0.5\n0.5\n", "lstm.cell_update,grad", 3, 99)[1]
    b = _quiz("0.5\n0.5\n0.5\n", "lstm.cell_update,grad", 3, 99)[1]
    assert a == b
    assert "answer> 0.5\n" in a


def test_list_kinds_lines():
    lines = list_kinds().splitlines()
    kind_lines = [line for line in lines if not line.startswith(" ")]
    assert len(kind_lines) == len(KINDS)
    assert [line.split()[0] for line in kind_lines] == list(KINDS)
    # every declared param follows its kind, with the values it takes
    text = list_kinds()
    block = text.split("lstm.forget_gate", 1)[1].split("\nlstm.input_gate", 1)[0]
    assert "hidden_size" in block and "int 1 to 3" in block and "decimals" in block
    assert "lstm|gru" in text and "true/false" in text and "float -8 to 8" in text
    for line, (name, desc) in zip(kind_lines, KINDS.items()):
        assert line.startswith(name + "  ") and line.endswith(desc)


def test_json_lines():
    lines = list(questions_json_lines("params", 9, 5))
    assert len(lines) == 9
    for line in lines:
        data = json.loads(line)
        assert {"kind", "seed", "prompt", "given", "answer", "tolerance", "solution"} <= set(data)
        assert data["kind"].startswith("params.")
        assert generate(data["kind"], data["seed"]).answer == data["answer"]


def test_worksheet_has_questions_then_answers():
    sheet = worksheet("lstm.step,shapes.gru", 2, 4)
    assert sheet.startswith("# Drill worksheet")
    head, answers = sheet.split("## Answers")
    assert "## 1. " in head and "## 2. " in head and "| row |" in head
    assert "**Answer:**" in answers and "```text" in answers and "Answer:" not in head


def test_expand_kinds():
    assert expand_kinds("lstm") == [k for k in KINDS if k.startswith("lstm.")]
    assert expand_kinds(["params", "lstm.step"])[0] == "lstm.step"
    assert expand_kinds("gru.reset_gate, macs") == ["gru.reset_gate", "macs.lstm", "macs.gru"]
    assert expand_kinds(None) == list(KINDS) == expand_kinds("")
    with pytest.raises(UnknownKindError, match="did you mean 'params.lstm'"):
        expand_kinds("params.lstn")
    with pytest.raises(UnknownKindError, match="did you mean 'gru'"):
        expand_kinds("grux")


def test_plan_round_robin_and_count():
    n = len(expand_kinds("grad"))
    p = plan("grad", n + 4, 1)
    assert len(p) == n + 4
    assert {k for k, _ in p[:n]} == set(expand_kinds("grad"))
    assert plan("grad", None, 1) == plan("grad", n, 1)


def test_importing_drills_does_not_import_numpy():
    code = ("import sys, studydeck.drills, studydeck.drills.catalog; "
            "from studydeck.drills import grade, Question, AnswerError, check_params; "
            "assert 'numpy' not in sys.modules, 'numpy imported'; "
            "assert 'studydeck.engine' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_face_draws_the_given_values_from_the_same_rows():
    from studydeck.drills import generate
    from studydeck.drills.render import blocks, given_markdown, given_text

    q = generate("lstm.step", seed=3, params={"hidden_size": 2})
    text, markdown = given_text(q.given), given_markdown(q.given)
    for b in blocks(q.given):
        for row in b.rows:
            for number in row:
                assert number in text and number in markdown
    assert "i[0]" in text and "o[1]" in text and "| i[0] |" in markdown
