"""The text pieces the screens draw: cell diagrams, given values, heatmap, log plot."""

from __future__ import annotations

from datetime import date, timedelta

from studydeck.tui.drawing.cell_diagram import cell_diagram, gru_picture, lstm_picture, vector_text
from studydeck.tui.drawing.heatmap import SHADES, heatmap, level
from studydeck.tui.drawing.plot import bar_heights, log_bars
from studydeck.tui.widgets.values import given_text, value_block

LSTM_CELL = {"x": [0.5, -1.0], "h_prev": [0.1, 0.2], "c_prev": [0.3, -0.4], "i": [0.5, 0.25],
             "f": [0.62, 0.41], "g": [0.1, -0.2], "o": [0.7, 0.3], "c": [0.236, -0.214],
             "h": [0.163, -0.063]}


def test_lstm_diagram_shows_every_value():
    text = cell_diagram(LSTM_CELL).plain
    for label in ("c_prev", "h_prev", "c'", "h'", "tanh", "σ", "(×)", "(+)"):
        assert label in text
    assert "f = σ(a_f)       [  0.62   0.41]" in text
    assert "c' = f⊙c + i⊙g   [  0.24  -0.21]" in text


def test_missing_values_show_a_dot_and_gru_is_recognised():
    text = cell_diagram({"x": [1.0], "h_prev": [0.5], "z": [0.25]}).plain
    assert "h' = (1−z)⊙n + z⊙h  ·" in text
    assert "z = σ(a_z)" in text and "[  0.25]" in text
    assert "c_prev" not in text


def test_pictures_are_rectangular_enough_for_the_panel():
    for picture in (lstm_picture(), gru_picture()):
        assert max(len(line) for line in picture.plain.splitlines()) <= 50


def test_vector_text_unwraps_a_batch_of_one():
    assert vector_text([[0.5, -0.25]]) == "[  0.50  -0.25]"
    assert vector_text(None) == "·"


def test_given_values_as_vectors_and_labelled_matrices():
    given = {"gate_order": "ifgo", "x": [0.8, 0.0], "weight_hh": [[0.1], [0.2], [0.3], [0.4]],
             "bias_ih": [0.1, 0.2, 0.3, 0.4]}
    text = given_text(given).plain.splitlines()
    assert text[1] == "x = [ 0.8  0 ]"
    assert text[2] == "weight_hh = ⎡ 0.1 ⎤ i[0]"
    assert text[5] == "            ⎣ 0.4 ⎦ o[0]"
    assert text[6].startswith("bias_ih = i [0.1]")
    assert value_block("n", 3).plain == "n = 3"


def test_heatmap_levels_and_layout():
    assert [level(n, 10) for n in (0, 1, 3, 5, 8, 10)] == [0, 1, 2, 2, 3, 4]
    assert level(1, 1) == 3 and level(0, 0) == 0
    today = date(2026, 3, 1)  # a Sunday
    per_day = {today: 10, today - timedelta(days=1): 1}
    lines = heatmap(per_day, today, weeks=4).plain.splitlines()
    assert len(lines) == 1 + 7 + 1
    sunday = lines[7]
    assert sunday.startswith("Sun") and sunday.rstrip().endswith(SHADES[4])
    assert lines[6].rstrip().endswith(SHADES[1])


def test_log_bars_heights():
    assert bar_heights([1e-8, 1e-4, 10.0, 0.0], lo=-8, hi=1, height=9) == [0, 32, 72, 0]
    plot = log_bars([1.0, 1e-3], lo=-8, hi=1, height=9).plain.splitlines()
    assert len(plot) == 9 + 2
    assert plot[-2].startswith("     └──")


def test_gru_kinds_draw_the_gru_cell_before_and_after_the_answer():
    from studydeck import drills
    from studydeck.tui.widgets.drill_view import cell_picture

    for kind in ("gru.reset_before", "gru.reset_gate", "gru.candidate", "gru.reset_convention_difference"):
        question = drills.generate(kind, 391087339)
        for answered in (False, True):
            text = cell_picture(question, answered).plain
            assert "z = σ(a_z)" in text and "c_prev" not in text and "f = σ" not in text, (kind, answered)


def test_two_steps_shows_the_starting_state_before_the_answer():
    from studydeck import drills
    from studydeck.tui.drawing.cell_diagram import vector_text
    from studydeck.tui.widgets.drill_view import cell_picture, visible_cell

    question = drills.generate("lstm.two_steps", 391087339)
    shown = visible_cell(question, answered=False)
    assert shown["h_prev"] == question.given["h0"][0] and shown["c_prev"] == question.given["c0"][0]
    assert shown["x"] == question.given["x"][0]
    before = cell_picture(question, False).plain
    assert vector_text(question.given["h0"]) in before
    assert vector_text(question.cell["h_prev"]) not in before     # h_1: an intermediate result
    assert vector_text(question.cell["h_prev"]) in cell_picture(question, True).plain


def test_long_solution_lines_hang_under_their_own_start():
    from studydeck.tui.widgets.hanging import HangingText, wrap_hanging
    from tests.tui.conftest import plain

    calc = "a_f[1] = W_if[1]·x + b_if[1] + W_hf[1]·h_prev + b_hf[1] + W_xx[1]·z + b_xx[1]"
    assert wrap_hanging(calc, 60) == ["a_f[1] = W_if[1]·x + b_if[1] + W_hf[1]·h_prev + b_hf[1] +",
                                      "         W_xx[1]·z + b_xx[1]"]
    cont = "       = (0.6·(-0.4) + (-0.3)·(-0.8)) + 0.4 + ((-0.8)·(-0.8) + 0.6·0.2) + (-0.4)"
    assert wrap_hanging(cont, 76) == ["       = (0.6·(-0.4) + (-0.3)·(-0.8)) + 0.4 + ((-0.8)·(-0.8) + 0.6·0.2) +",
                                      "         (-0.4)"]
    prose = "h0 reaches h_1 directly (through z ⊙ h0) and through a_r, a_z and a_nh; the n block"
    assert [line[:2] for line in wrap_hanging(prose, 40)[1:]] == ["  ", "  "]
    short = "f[0] = σ(-0.7800) = 0.3143"
    assert wrap_hanging(short, 76) == [short]
    # the hanging indent never passes half the width; minus signs are never split from numbers
    deep = " " * 10 + "h'_before[1] = (1 − z[1])·n[1] + z[1]·h_prev[1] = 0.59146·(-0.75300) + 0.40854·(-0.9)"
    pieces = wrap_hanging(deep, 50)
    assert all(len(p) <= 50 for p in pieces) and all(len(p) - len(p.lstrip()) <= 25 for p in pieces[1:])
    assert "(-0.75300)" in "".join(pieces) and "(-0.9)" in "".join(pieces)
    shown = plain(_Holder(HangingText(("Worked solution", "bold"), (cont, ""))), width=76)
    assert shown.splitlines() == ["Worked solution", *wrap_hanging(cont, 76)]
    # nothing is lost: very narrow widths, tabs, wide characters
    for width in (3, 6, 12):
        for text in ("h_1 = 0.19737532", "\tx = 1 + 2 + 3 + 4", "漢字漢字漢字 漢字漢字 σ = 1"):
            shown = plain(_Holder(HangingText((text, ""))), width=width)
            assert "".join(shown.split()) == "".join(text.split()), (width, text, shown)


class _Holder:
    def __init__(self, content):
        self.content = content
