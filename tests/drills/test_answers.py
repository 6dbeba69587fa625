"""The answer parser: accepted forms, rejected input, and property-based fuzzing."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.drills import AnswerError, Question, grade
from studydeck.drills.answers import (parse_integer, parse_scalar, parse_shapes, parse_vector,
                                      parse_vectors)
from studydeck.drills.fmt import (round_half_up, sig_text, tolerance_for_decimals,
                                  tolerance_for_sig)
from tests.helpers import examples


@pytest.mark.parametrize("text, value", [
    ("0.62", 0.62), (".62", 0.62), ("6.2e-1", 0.62), ("-0.5", -0.5), ("1/2", 0.5),
    ("  -3/4 ", -0.75), ("+1", 1.0), ("\u22120.5", -0.5), ("1 / 4", 0.25), ("2.", 2.0),
    ("1E2", 100.0), ("0.5/0.25", 2.0),
])
def test_scalar_forms(text, value):
    assert parse_scalar(text) == pytest.approx(value)


@pytest.mark.parametrize("text", [
    "", "   ", "abc", "nan", "inf", "-inf", "1e999", "1/0", "0.5.5", "1,2", "2*3",
    "__import__('os')", "0x10", "1e", "--1", "½",
])
def test_scalar_rejects(text):
    with pytest.raises(AnswerError) as err:
        parse_scalar(text)
    assert "\n" not in str(err.value) and str(err.value)


def test_huge_line_is_rejected_quickly():
    with pytest.raises(AnswerError, match="too long"):
        parse_scalar("1" * 10_000_000)
    with pytest.raises(AnswerError, match="too long"):
        parse_vector("0.1 " * 2_500_000, 2)


@pytest.mark.parametrize("text", ["[0.1, 0.2]", "0.1 0.2", "0.1,0.2", "(0.1, 0.2)", "0.1, 0.2",
                                  "[1/10 1/5]", " [ .1 , 2e-1 ] "])
def test_vector_forms(text):
    assert parse_vector(text, 2) == pytest.approx([0.1, 0.2])


@pytest.mark.parametrize("text, message", [
    ("[0.1]", "expected 2 numbers, got 1"), ("0.1 0.2 0.3", "expected 2 numbers, got 3"),
    ("[0.1, nan]", "not a number"), ("[[0.1, 0.2]", "brackets"), ("[0.1, inf]", "not a number"),
])
def test_vector_rejects(text, message):
    with pytest.raises(AnswerError, match=message):
        parse_vector(text, 2)


def test_length_one_vector_accepts_a_bare_number():
    assert parse_vector("0.25", 1) == [0.25]


@pytest.mark.parametrize("text", ["[0.1, 0.2] [0.3, 0.4]", "0.1 0.2; 0.3 0.4", "0.1 0.2 0.3 0.4",
                                  "[[0.1, 0.2], [0.3, 0.4]]", "(0.1, 0.2), (0.3, 0.4)",
                                  "0.1,0.2;0.3,0.4;"])
def test_vectors_forms(text):
    assert parse_vectors(text, [2, 2]) == [pytest.approx([0.1, 0.2]), pytest.approx([0.3, 0.4])]


def test_vectors_rejects_wrong_counts():
    with pytest.raises(AnswerError, match="part 2"):
        parse_vectors("[0.1, 0.2] [0.3]", [2, 2])
    with pytest.raises(AnswerError, match="4 numbers in all"):
        parse_vectors("0.1 0.2 0.3", [2, 2])
    with pytest.raises(AnswerError, match="expected 2 parts"):
        parse_vectors("[0.1, 0.2]", [2, 2])


@pytest.mark.parametrize("text, value", [("4160", 4160), ("4,160", 4160), ("4_160", 4160),
                                         ("4.16e3", 4160), (" 12 ", 12), ("-3", -3)])
def test_integer_forms(text, value):
    assert parse_integer(text) == value


@pytest.mark.parametrize("text", ["4.5", "12a", "", "1e400", "4,16", "1" * 40])
def test_integer_rejects(text):
    with pytest.raises(AnswerError):
        parse_integer(text)


@pytest.mark.parametrize("text", ["(5, 3, 40) (2, 3, 20)", "(5,3,40),(2,3,20)", "5 3 40; 2 3 20",
                                  "[5, 3, 40] [2, 3, 20]", "[[5, 3, 40], [2, 3, 20]]",
                                  "torch.Size([5, 3, 40]) torch.Size([2, 3, 20])"])
def test_shapes_forms(text):
    assert parse_shapes(text, 2) == [[5, 3, 40], [2, 3, 20]]


@pytest.mark.parametrize("text", ["(5, 3, 40)", "(5, 3.5, 40) (2, 3, 20)", "(5, -3) (2, 3)",
                                  "5 3 40 2 3 20", "(a, b) (c, d)"])
def test_shapes_rejects(text):
    with pytest.raises(AnswerError):
        parse_shapes(text, 2)


def _question(answer, fmt="scalar", tol=0.0005, labels=()):
    return Question(kind="sigmoid.value", seed=0, params={}, prompt="", given={}, answer=answer,
                    tolerance=tol, answer_format=fmt, solution="", answer_labels=list(labels))


def test_grade_reads_back_labelled_answer_text():
    q = _question([[0.1, 0.2], [0.3, 0.4]], "vectors", labels=["h_1", "c_1"])
    assert grade(q, "h_1 = [0.1, 0.2]; c_1 = [0.3, 0.4]").correct
    verdict = grade(q, "[0.1, 0.2]; [0.3, 0.5]")
    assert not verdict.correct and "c_1[1]" in verdict.message


def test_grade_messages():
    q = _question(0.6341)
    good, bad = grade(q, "0.634"), grade(q, "0.64")
    assert good.correct and good.given_text == "0.634"
    assert not bad.correct and "off by" in bad.message


# ---------------------------------------------------------------- properties

@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=60))
def test_parser_returns_a_value_or_answer_error(text):
    for parse in (parse_scalar, lambda t: parse_vector(t, 2), lambda t: parse_vectors(t, [1, 2]),
                  parse_integer, lambda t: parse_shapes(t, 2)):
        try:
            value = parse(text)
        except AnswerError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            flat = value if isinstance(value, list) else [value]
            flat = [x for v in flat for x in (v if isinstance(v, list) else [v])]
            assert all(math.isfinite(x) for x in flat)


_answer_chars = st.sampled_from(list("0123456789.-+eE/ ,;[]()torch.Size_ab\u2212"))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(_answer_chars, max_size=40))
def test_parser_near_miss_strings(text):
    q = _question([[0.1], [0.2, 0.3]], "vectors", labels=["h", "c"])
    try:
        grade(q, text)
    except AnswerError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.floats(-50, 50, allow_nan=False), st.integers(1, 6))
def test_correct_rounding_is_always_accepted(value, decimals):
    q = _question(value, tol=tolerance_for_decimals(decimals))
    for text in (f"{value:.{decimals}f}", repr(round_half_up(value, decimals)),
                 f"{round(value, decimals)!r}"):
        assert grade(q, text).correct, (value, decimals, text)


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-12, 1e3, allow_nan=False), st.integers(2, 4))
def test_significant_figures_are_accepted(value, sig):
    q = _question(value, tol=tolerance_for_sig(value, sig))
    assert grade(q, sig_text(value, sig)).correct
    assert grade(q, f"{value:.{sig - 1}e}").correct


@settings(max_examples=200, deadline=None)
@given(st.floats(-50, 50, allow_nan=False), st.integers(1, 5))
def test_one_unit_off_is_rejected(value, decimals):
    unit = 10.0 ** -decimals
    rounded = round_half_up(value, decimals)
    q = _question(value, tol=tolerance_for_decimals(decimals))
    for wrong in (rounded + unit, rounded - unit):
        if abs(wrong - value) > 0.55 * unit * (1 + 1e-9) + 1e-12 * abs(value):
            assert not grade(q, f"{wrong:.{decimals}f}").correct


@settings(max_examples=200, deadline=None)
@given(st.floats(-50, 50, allow_nan=False), st.integers(1, 5))
def test_double_rounding_through_one_more_decimal_is_accepted(value, decimals):
    q = _question(value, tol=tolerance_for_decimals(decimals))
    twice = round_half_up(round_half_up(value, decimals + 1), decimals)
    assert grade(q, f"{twice:.{decimals}f}").correct


def test_verdict_echoes_the_answer_as_typed():
    q = _question(0.96)
    assert grade(q, " 0.960 ").given_text == "0.960"
    assert grade(_question([0.5, 0.25], "vector"), "[0.50,  0.250]").given_text == "[0.50, 0.250]"
