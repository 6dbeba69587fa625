"""What the drills' worked solutions and mistake sentences say, checked where they went wrong."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest

from studydeck.drills import generate, grade
from studydeck.drills.mistakes import declared_answers


def _round(value: float, decimals: int, mode=ROUND_HALF_UP) -> float:
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=mode))


def _sig(value: float, sig: int, mode=ROUND_HALF_UP) -> float:
    if value == 0:
        return 0.0
    return _round(value, sig - 1 - math.floor(math.log10(abs(value))), mode)


# -- mistake sentences ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["variant.no_forget_cell", "greff.nig", "greff.nfg", "greff.cifg"])
def test_the_ifog_order_mistake_is_only_named_for_a_four_block_ifgo_cell(kind):
    # "PyTorch stacks them i, f, g, o, so the third block is the candidate g and the fourth the
    # output gate" is false for a cell whose blocks are i, g, o or f, g, o
    for seed in range(12):
        q = generate(kind, seed)
        assert q.given["gate_order"] != "ifgo"
        assert "order_ifog" not in [m["name"] for m in declared_answers(q)], (kind, seed)


def test_the_tanh_for_sigmoid_sentence_holds_for_niaf():
    # NIAF's candidate has no tanh: the sentence must not say the candidate uses tanh
    named = [m["message"] for s in range(10) for m in declared_answers(generate("greff.niaf", s))
             if m["name"] == "tanh_for_sigmoid"]
    assert named
    assert all("candidate uses tanh" not in m for m in named)


def test_the_transpose_sentence_is_true_for_a_gru():
    # a GRU's dL/dh0 also has the direct term dL/dh_1 ⊙ z and r ⊙ da_n: not W_hhᵀ·da alone
    named = [m["message"] for s in range(10)
             for m in declared_answers(generate("backprop.gru_hidden_state", s))
             if m["name"] == "not_transposed"]
    assert named
    assert all("dL/dh0 = W_hhᵀ·da" not in m for m in named)


# -- grad.exploding_vanishing -------------------------------------------------------------------

_FACTOR = re.compile(r"factor w·\(1 − h_\d+²\) = .* = (-?[\d.]+(?:e-?\d+)?), product")


def _displayed_factors(q) -> list[float]:
    return [float(m.group(1)) for m in _FACTOR.finditer(q.solution)]


def _tanh_cases():
    for params in ({"nonlinearity": "tanh"}, {"nonlinearity": "tanh", "k": 12},
                   {"nonlinearity": "tanh", "k": 40}, {"nonlinearity": "tanh", "sig": 2, "k": 12},
                   # seed 191 at sig 4, k 10: the rounded factors gave 7.805e-5, marked wrong
                   {"nonlinearity": "tanh", "sig": 4, "k": 10}, {"nonlinearity": "tanh", "sig": 4, "k": 20},
                   {"nonlinearity": "tanh", "sig": 4, "k": 40}):
        for seed in (range(150) if len(params) == 1 else [191, *range(60)]):
            yield generate("grad.exploding_vanishing", seed, params)


def test_exploding_vanishing_displayed_factors_lead_to_the_answer():
    # seed 19 showed the factor 0.0122 (4 decimals): 3.5474·1.1302·0.0122 = 0.0489, marked wrong
    q = generate("grad.exploding_vanishing", 19)
    assert q.given["nonlinearity"] == "tanh"
    for q in _tanh_cases():
        factors = _displayed_factors(q)
        assert len(factors) == q.given["k"]
        typed = _sig(math.prod(factors), q.params.get("sig", 3))
        assert grade(q, repr(typed)).correct, (q.seed, q.params, typed, q.answer_text)


@pytest.mark.parametrize("mode", [ROUND_HALF_UP, ROUND_HALF_EVEN])
def test_exploding_vanishing_student_rounding_as_told_is_accepted(mode):
    for q in _tanh_cases():
        g = q.given
        rule = re.search(r"Keep h_t to at least (\d+) decimals and every other intermediate value "
                         r"to at least (\d+) significant figures", q.prompt)
        places, fig = int(rule.group(1)), int(rule.group(2))
        h, prod = g["h0"], 1.0
        for x in g["x"]:
            a = _sig(g["w"] * h + g["u"] * x, fig, mode)
            h = _round(math.tanh(a), places, mode)
            factor = _sig(g["w"] * (1 - h * h), fig, mode)
            prod = _sig(prod * factor, fig, mode)
        typed = _sig(prod, q.params.get("sig", 3), mode)
        assert grade(q, repr(typed)).correct, (q.seed, q.params, typed, q.answer_text)


def test_exploding_vanishing_asks_only_for_what_the_answer_holds():
    for seed in range(6):
        q = generate("grad.exploding_vanishing", seed)
        assert "then say whether" not in q.prompt
        assert "explodes or vanishes" in q.prompt  # the question still names the point


def test_exploding_vanishing_with_factors_of_one_neither_explodes_nor_vanishes():
    q = generate("grad.exploding_vanishing", 0, {"nonlinearity": "relu", "w": 1.0})
    assert q.answer == 1.0
    assert "vanishes (shrinks" not in q.solution and "explodes (grows" not in q.solution
    assert "neither explodes nor vanishes" in q.solution


# -- symbols ------------------------------------------------------------------------------------

def test_a_solution_that_writes_h_prev_says_it_is_the_prompts_h0():
    from studydeck.drills import KINDS

    for kind in KINDS:
        for seed in range(3):
            q = generate(kind, seed)
            if "h_prev" in q.solution and "h0" in q.prompt:
                assert "h_prev = h0" in q.solution, (kind, seed)


@pytest.mark.parametrize("kind", ["shapes.lstm", "shapes.gru"])
def test_an_unbatched_input_with_batch_first_says_batch_first_does_not_apply(kind):
    # torch: batch_first=True leaves a 2-D (unbatched) input as (T, I)
    cases = [q for q in (generate(kind, s) for s in range(40))
             if q.given["batch_first"] and len(q.given["input_shape"]) == 2]
    assert cases
    for q in cases:
        assert "batch_first does not apply to an unbatched input" in q.solution, q.seed


def test_fgr_says_which_tensor_r_i_r_f_r_o_are():
    for seed in range(4):
        q = generate("greff.fgr", seed)
        assert "R_i" in q.solution
        assert "R_i, R_f, R_o" in q.prompt and "weight_fgr" in q.prompt


def test_proj_size_with_layers_says_what_the_upper_layers_read():
    # weight_ih_l1 is (4H, Dn·P): the layer below hands up its projected h, both directions side by side
    for params, width in (({"num_layers": 2}, "size P = "), ({"num_layers": 2, "bidirectional": True},
                                                             "size 2·P = ")):
        q = generate("params.proj_size", 1, params)
        P = q.given["proj_size"]
        assert "layers above read" in q.solution and f"{width}{P * (2 if 'bidirectional' in params else 1)}" \
            in q.solution, q.solution
