"""The Greff variant, backprop and gradient-flow kinds: what each states, gives and shows;
hints in the quiz and in plain mode."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest

from studydeck.drills import (
    KINDS,
    PARAMS,
    Question,
    generate,
    grade,
    questions_json_lines,
    run_quiz,
)
from studydeck.drills.mistakes import declared_answers

GREFF = ["greff.nig", "greff.nfg", "greff.nog", "greff.niaf", "greff.noaf", "greff.np",
         "greff.cifg", "greff.fgr"]
BACKPROP = [k for k in KINDS if k.startswith("backprop.")]
NEW = GREFF + BACKPROP + ["grad.forget_gate_extremes", "grad.exploding_vanishing", "grad.clip_norm"]
BLOCKS = {"nig": "fgo", "nfg": "igo", "nog": "ifg", "niaf": "ifgo", "noaf": "ifgo", "np": "ifgo",
          "cifg": "igo", "fgr": "ifgo"}


def test_the_new_kinds_are_in_the_catalog_with_params():
    for kind in NEW:
        assert KINDS.get(kind)
        assert kind in PARAMS


@pytest.mark.parametrize("kind", GREFF)
@pytest.mark.parametrize("baseline", ["vanilla", "pytorch"])
def test_greff_step_states_its_baseline_and_uses_pytorch_names(kind, baseline):
    name = kind.split(".")[1]
    params = {} if name == "np" else {"baseline": baseline}
    for seed in range(4):
        q = generate(kind, seed, params)
        assert q.variant == name
        assert q.given["gate_order"] == BLOCKS[name]
        assert {"x", "h0", "c0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"} <= set(q.given)
        assert not any(k.startswith("weight_c") for k in q.given)  # peepholes are w_ci, w_cf, w_co
        peepholes = {k for k in q.given if k.startswith("w_c")}
        if name == "np" or baseline == "pytorch":
            assert "nn.LSTMCell" in q.prompt and "no peephole" in q.prompt
            assert not peepholes
        else:
            assert "vanilla LSTM, which has peephole connections" in q.prompt
            assert peepholes == {"w_c" + g for g in "ifo" if g in BLOCKS[name]}
        assert "Greff et al." in q.prompt and "2015" in q.prompt and "2017" in q.prompt
        assert (name == "fgr") == ("weight_fgr" in q.given)
        if name == "fgr":
            assert {"i_prev", "f_prev", "o_prev"} <= set(q.given)
        assert q.answer_labels == ["h_1", "c_1"]


def test_greff_baseline_alternates_with_the_seed_by_default():
    assert {generate("greff.cifg", s).prompt.count("w_ci") > 0 for s in range(4)} == {True, False}


def test_variant_field_in_json_lines():
    for line in questions_json_lines("greff", 8, 3):
        data = json.loads(line)
        assert data["variant"] == data["kind"].split(".")[1]
        assert Question.from_json(data).variant == data["variant"]


def test_niaf_solution_does_not_squash_the_candidate():
    q = generate("greff.niaf", 2)
    assert "g[0] = a_g[0] = " in q.solution and "g[0] = tanh(" not in q.solution


def test_nog_and_noaf_hidden_lines():
    assert "h[0] = tanh(c[0]) = " in generate("greff.nog", 1).solution
    noaf = generate("greff.noaf", 1).solution
    assert "h[0] = o[0]·c[0] = " in noaf and "tanh(c[0])" not in noaf


def _last_number(line: str) -> float:
    return float(line.rsplit(" = ", 1)[1].split()[0])


def _reach(q) -> float:
    """How far the solution's written values may lie from the engine's answer: the rounding
    the prompt prescribes moves them at most this far (the tolerance less half a unit)."""
    return q.tolerance - 0.5 * 10.0 ** -3 + 1e-12


@pytest.mark.parametrize("kind", GREFF)
def test_greff_solution_ends_on_the_engine_answer(kind):
    for seed in range(6):
        q = generate(kind, seed, {"hidden_size": 2} if kind != "greff.fgr" else {})
        lines = q.solution.splitlines()
        for j, value in enumerate(q.answer[0]):
            line = [ln for ln in lines if ln.startswith(f"h[{j}] = ")][-1]
            assert abs(_last_number(line) - value) <= _reach(q)
        for j, value in enumerate(q.answer[1]):
            k = max(n for n, ln in enumerate(lines) if ln.startswith(f"c[{j}] = "))
            assert abs(_last_number(lines[k + 2]) - value) <= _reach(q)


@pytest.mark.parametrize("kind", BACKPROP)
def test_backprop_solution_ends_on_the_engine_answer(kind):
    for seed in range(6):
        q = generate(kind, seed)
        flat = np.ravel(np.concatenate([np.ravel(v) for v in q.answer]) if q.answer_format == "vectors"
                        else np.asarray(q.answer, float))
        lines = q.solution.splitlines()[:-1]
        numbers = [_last_number(ln) for ln in lines if " = " in ln and re.search(r"= -?\d+\.\d{4,}$", ln)]
        tail = numbers[-len(flat):] if q.answer_format != "vectors" else None
        if tail is not None:
            np.testing.assert_allclose(tail, flat, atol=_reach(q), rtol=0, err_msg=f"{kind} {seed}")
        else:  # two-step: dL/dc0 then dL/dh0 close the solution, component by component
            found = [any(abs(n - v) <= _reach(q) for n in numbers) for v in flat]
            assert all(found), (kind, seed)


def test_backprop_weight_gradient_names_r_on_the_candidate_path():
    for seed in range(40):
        q = generate("backprop.gru_weight", seed, {"weight": "weight_hh", "gate": "n"})
        assert "sits inside r ⊙ (W_hn·h0 + b_hn)" in q.solution


def test_exploding_vanishing_relu_is_w_to_the_k():
    for seed in range(6):
        q = generate("grad.exploding_vanishing", seed, {"nonlinearity": "relu"})
        g = q.given
        assert q.answer == pytest.approx(g["w"] ** len(g["x"]), rel=1e-12)
        assert ("explodes" in q.solution) == (g["w"] > 1)


def test_clip_norm_leaves_small_gradients_alone():
    q = generate("grad.clip_norm", 3, {"max_norm": 10.0})
    assert q.answer == [q.given["weight.grad"], q.given["bias.grad"]]
    assert "capped at 1" in q.solution
    q = generate("grad.clip_norm", 3, {"max_norm": 0.1})
    total = np.linalg.norm(np.concatenate([np.ravel(v) for v in q.answer]))
    assert total == pytest.approx(0.1, rel=1e-5)


def test_forget_gate_extremes_ratio():
    q = generate("grad.forget_gate_extremes", 5, {"k": 3, "sig": 3})
    g = q.given
    assert q.answer == pytest.approx((g["f_A"] / g["f_B"]) ** 3, rel=1e-9)
    assert grade(q, q.answer_text).correct


@pytest.mark.parametrize("kind", list(KINDS))
def test_hints_are_the_solution_in_order(kind):
    for seed in range(3):
        q = generate(kind, seed)
        assert q.hints and all(h.strip() for h in q.hints)
        body = [ln for ln in q.solution.splitlines() if not ln.startswith("Answer: ")]
        assert "\n".join(q.hints).splitlines() == body
        assert len(q.hints) <= 8


def test_quiz_enter_shows_the_hints_then_the_answer():
    q = generate("backprop.lstm_cell_state", 0)
    from studydeck.drills.selection import plan

    (kind, qseed), = plan("backprop.lstm_cell_state", 1, 5)
    q = generate(kind, qseed)
    out = io.StringIO()
    run_quiz("backprop.lstm_cell_state", 1, 5, io.StringIO("\n" * (len(q.hints) + 1)), out)
    text = out.getvalue()
    for n, hint in enumerate(q.hints, start=1):
        assert f"Hint {n}/{len(q.hints)}:" in text
        assert hint.splitlines()[0] in text
    assert f"No more hints. The answer is {q.answer_text}." in text
    assert "Score: 0/0 correct, 1 skipped." in text
    assert text.index("Hint 1/") < text.index("Worked solution:")


def test_quiz_names_the_mistake():
    from studydeck.drills.selection import plan

    (kind, qseed), = plan("gru.hidden_update", 1, 2)
    q = generate(kind, qseed)
    wrong = next(m for m in declared_answers(q) if m["name"] == "gru_z_swapped")["answer"]
    out = io.StringIO()
    run_quiz("gru.hidden_update", 1, 2, io.StringIO(" ".join(f"{v:.4f}" for v in wrong) + "\n"), out)
    assert "update gate's roles swapped" in out.getvalue()


@pytest.mark.parametrize("kind", ["grad.forget_gate_extremes", "grad.exploding_vanishing"])
def test_format_example_is_never_the_answer(kind):
    for seed in range(30):
        q = generate(kind, seed)
        example = q.answer_hint.rsplit("e.g. ", 1)[1]
        assert not grade(q, example).correct, (kind, seed, example)
