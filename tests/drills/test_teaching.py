"""What the drills say is true: bias conventions, thresholds, examples, the 1997 cell."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from studydeck.drills import generate, grade
from studydeck.engine import GRUCell, LSTMCell, keras_state_dict

KERAS_CALL = re.compile(r"keras\.layers\.(LSTM\((\d+)\)|GRU\((\d+), reset_after=(True|False)\))")


def _bias_cases():
    for seed in range(40):
        for cell in ("lstm", "gru"):
            yield generate("params.bias_convention", seed, {"cell": cell}), cell


def test_bias_convention_uses_valid_keras_syntax_and_no_false_claims():
    seen = set()
    for q, cell in _bias_cases():
        m = KERAS_CALL.search(q.prompt)
        assert m and ")(" not in q.prompt, q.prompt
        reset_after = m.group(4) == "True"
        seen.add((cell, reset_after))
        assert "same weight matrices" not in q.prompt
        assert "weight matrices have the same sizes" in q.prompt
        # one statement of what Keras keeps, never both "one" and "two"
        keeps = re.findall(r"this Keras layer keeps ([^.;]+)", q.prompt)
        assert len(keeps) == 1
        assert ("(2, 3H)" in keeps[0]) == reset_after
        if cell == "gru":
            assert "redundant" not in q.solution.replace("Not all of PyTorch's extra vector is redundant", "")
            assert "b_hn sits inside r ⊙ (W_hn·h + b_hn)" in q.solution
    assert seen == {("lstm", False), ("gru", False), ("gru", True)}


def test_bias_convention_answer_is_keras_count_from_keras_shapes():
    for q, cell in _bias_cases():
        I, H = q.given["input_size"], q.given["hidden_size"]
        reset_after = q.given["keras_reset_after"]
        G = 4 if cell == "lstm" else 3
        bias_shape = (2, G * H) if reset_after else (G * H,)
        # the engine's Keras converter accepts exactly this bias shape
        keras_state_dict(cell, np.zeros((I, G * H)), np.zeros((H, G * H)), np.zeros(bias_shape),
                         reset_after=reset_after)
        keras = I * G * H + H * G * H + math.prod(bias_shape)
        torch = G * H * (I + H) + 2 * G * H
        assert q.answer == torch - keras


def _step(cell, x, h, c=None):
    return cell(x, (h, c))[0] if isinstance(cell, LSTMCell) else cell(x, h)


def test_which_bias_vectors_are_redundant_as_the_solution_says():
    rng = np.random.default_rng(0)
    x, h, c = rng.normal(size=3), rng.normal(size=2), rng.normal(size=2)
    lstm = LSTMCell(3, 2, seed=1)
    before = _step(lstm, x, h, c)
    lstm.bias_ih, lstm.bias_hh = lstm.bias_ih + lstm.bias_hh, np.zeros(8)
    np.testing.assert_allclose(_step(lstm, x, h, c), before, atol=1e-14)  # only the sum matters
    gru = GRUCell(3, 2, seed=1)
    before = _step(gru, x, h)
    merged = gru.bias_ih + gru.bias_hh
    gru.bias_ih = np.concatenate([merged[:4], gru.bias_ih[4:]])
    gru.bias_hh = np.concatenate([np.zeros(4), gru.bias_hh[4:]])
    np.testing.assert_allclose(_step(gru, x, h), before, atol=1e-14)  # r and z: sums only
    gru.bias_ih = merged
    gru.bias_hh = np.zeros(6)
    assert not np.allclose(_step(gru, x, h), before)  # b_hn cannot be moved into b_in


def test_steps_below_threshold_states_the_precision_and_names_f():
    for seed in range(60):
        for threshold in (0.001, 1e-12):
            q = generate("grad.steps_below_threshold", seed, {"factor": "forget", "threshold": threshold})
            assert "Round f to 4 decimals" in q.prompt
            f = round(1 / (1 + math.exp(-q.given["a_f"])), 4)
            assert q.answer == math.floor(math.log(threshold) / math.log(f)) + 1
            assert not re.search(r"\ba\^|\ba = ", q.solution), q.solution
            assert grade(q, str(q.answer)).correct and not grade(q, str(q.answer + 1)).correct
    q = generate("grad.steps_below_threshold", 1, {"factor": "sigmoid", "threshold": 1e-9})
    assert q.answer == 15 and "s^k" in q.solution


def test_sigmoid_bound_example_never_gives_the_answer():
    for k in range(1, 31):
        for sig in (2, 3, 4):
            q = generate("grad.sigmoid_bound", 0, {"k": k, "sig": sig})
            example = re.search(r"\(e\.g\. ([^)]+)\)", q.prompt).group(1)
            assert not grade(q, example).correct, (k, sig, example)
            assert len(example.split("e")[0].replace(".", "")) == sig
    assert "e.g. 2.44e-4" not in generate("grad.sigmoid_bound", 0, {"k": 6, "sig": 3}).prompt


@pytest.mark.parametrize("kind", ["lstm.step", "gru.reset_before", "params.lstm", "shapes.gru",
                                  "grad.steps_below_threshold", "sigmoid.value"])
def test_answer_hints_never_give_the_answer(kind):
    from studydeck.drills.selfcheck import example_problems

    for seed in range(40):
        q = generate(kind, seed)
        assert not example_problems(q), (seed, q.answer_hint, q.answer_text)


def test_hint_examples_step_aside_when_they_would_be_the_answer():
    from studydeck.drills.common import default_hint

    assert "0.62" not in default_hint("scalar", 0.62, [], 0.00055)
    assert "1/2" not in default_hint("scalar", 0.5, [], 0.00055)
    assert "4160" not in default_hint("integer", 4160, [])
    assert "[0.1, 0.1]" not in default_hint("vector", [0.3, 0.1], ["h"], 0.00055)
    assert "(7, 1, 9)" not in default_hint("shapes", [[7, 1, 9], [2, 1, 9]], ["output", "h_n"])


def test_no_forget_cell_says_what_the_1997_cell_was():
    for seed in range(20):
        q = generate("variant.no_forget_cell", seed)
        assert "never decays" not in q.prompt and "1997" in q.prompt
        assert "scaled logistic" in q.prompt
    shrinks = [q for q in (generate("variant.no_forget_cell", s) for s in range(40))
               if any(abs(c1) < abs(c0) for c1, c0 in zip(q.answer, q.given["c0"]))]
    assert shrinks  # |c| can shrink without a forget gate, as the solution says
    assert "can still shrink" in shrinks[0].solution
