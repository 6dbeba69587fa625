"""studydeck check --drills: every kind passes, and a broken kind is reported."""

from __future__ import annotations

import io

import pytest

from studydeck import cli
from studydeck.drills import selfcheck
from studydeck.drills.arithmetic import arithmetic_problems
from studydeck.drills.catalog import Param
from studydeck.drills.common import question


def test_every_kind_passes_its_own_checks():
    failures = selfcheck.check_kinds(seeds=6)
    assert not failures, "\n".join(f.line() for f in failures)


def _good(kind, seed, params):
    """A sound scalar question: 0.3·0.5 + 0.1 to 2 decimals, with a declared param 'k'."""
    k = params.get("k", 1)
    value = 0.3 * 0.5 * k + 0.1
    return question(kind, seed, params, prompt=f"Compute 0.3·0.5·{k} + 0.1 to 2 decimals.",
                    given={"k": k}, answer=value, answer_format="scalar",
                    solution=[f"0.3·0.5·{k} + 0.1 = {value:.2f}"], decimals=2)


def _replace(q, **changes):
    from dataclasses import replace

    return replace(q, **changes)


BROKEN = {
    "broken.unreadable": lambda kind, seed, params: _replace(_good(kind, seed, params),
                                                            answer_text="about a quarter"),
    "broken.lenient": lambda kind, seed, params: _replace(_good(kind, seed, params), tolerance=0.5),
    "broken.example": lambda kind, seed, params: _replace(
        _good(kind, seed, params), prompt="Compute 0.3·0.5 + 0.1 (e.g. 0.25) to 2 decimals."),
    "broken.arithmetic": lambda kind, seed, params: _replace(
        _good(kind, seed, params), solution="0.3·0.5 = 0.16\nAnswer: 0.25"),
    "broken.param": lambda kind, seed, params: _replace(_good(kind, seed, {}), params=params),
    "broken.crash": lambda kind, seed, params: 1 / 0,
}
PARAMS = {name: {"k": Param("int", "a factor", 1, 3)} for name in BROKEN}
PARAMS["good.kind"] = {"k": Param("int", "a factor", 1, 3)}


def _generate(kind, seed, params):
    return (_good if kind == "good.kind" else BROKEN[kind])(kind, seed, params)


def _lines(kinds):
    out, err = io.StringIO(), io.StringIO()
    code = selfcheck.run(2, out, err, kinds=kinds, generate=_generate, params=PARAMS)
    return code, out.getvalue().splitlines(), err.getvalue()


def test_a_sound_kind_passes():
    code, lines, err = _lines(["good.kind"])
    assert code == 0 and lines == [] and "1 drill kinds, 2 seeds each" in err and "0 failures" in err


@pytest.mark.parametrize("kind, expected", [
    ("broken.unreadable", "its own answer text 'about a quarter' is not readable"),
    ("broken.lenient", "two units off the answer shown"),
    ("broken.example", "the prompt's example '0.25' is accepted as the answer"),
    ("broken.arithmetic", "'0.3·0.5 = 0.16' does not check out"),
    ("broken.param", "does not show k = 3"),
    ("broken.crash", "raises ZeroDivisionError"),
])
def test_a_broken_kind_is_reported_one_line_per_failure(kind, expected):
    code, lines, err = _lines([kind])
    assert code == 1
    assert lines and all(line.startswith(kind) for line in lines)
    assert any(expected in line for line in lines), lines
    assert f"{len(lines)} failure" in err


def test_examples_are_read_from_prompts_and_hints():
    assert selfcheck.examples("Give 3 figures (e.g. 2.44e-4).") == ["2.44e-4"]
    assert selfcheck.examples("a number, e.g. 0.62, 6.2e-1 or 1/2") == [
        "0.62, 6.2e-1 or 1/2", "0.62", "6.2e-1", "1/2"]
    assert selfcheck.examples("h then c, e.g. [0.1, 0.1]; [0.1, 0.1]") == ["[0.1, 0.1]; [0.1, 0.1]"]


@pytest.mark.parametrize("solution, bad", [
    ("a = 0.3·0.5 + 0.1\n  = 0.1500 + 0.1000 = 0.2500", False),
    ("a = 0.3·0.5 + 0.1\n  = 0.1600 + 0.1000 = 0.2600", True),       # a product shown wrong
    ("c = 0.6011·0.6000 + 0.7649·(-0.9170)\n  = 0.3607 + (-0.7014) = -0.3407", False),
    ("c = 0.6011·0.6000 + 0.7649·(-0.9170)\n  = 0.3607 + (-0.7015) = -0.3408", True),
    ("f[0] = σ(0.4100) = 0.6011", False),
    ("f[0] = σ(0.4100) = 0.6012", True),
    ("tanh²(x) = (-0.5)² = 0.25", False),
    ("k > ln(0.001) / ln(0.9526) = -6.907755 / -0.048561 = 142.249", False),
    ("k > ln(0.001) / ln(0.9526) = -6.9078 / -0.0486 = 142.157", True),
    ("Total = 4160 + 4160 = 8321", True),
    ("Check: f^142 = 0.001 ≥ 0.001 and so on", False),
])
def test_solution_arithmetic_checker(solution, bad):
    assert bool(arithmetic_problems(solution)) == bad


def test_cli_check_drills(monkeypatch, capsys):
    assert cli.main(["check", "--drills", "--seeds", "1"]) == 0
    assert "0 failures" in capsys.readouterr().err
    failure = selfcheck.Failure("lstm.step", 3, {}, "something is off")
    monkeypatch.setattr(selfcheck, "check_kinds", lambda *a, **k: [failure])
    assert cli.main(["check", "--drills"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "lstm.step seed 3: something is off\n"
