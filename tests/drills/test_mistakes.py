"""The grader names classic mistakes: each wrong answer is computed here, independently."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studydeck.drills import KINDS, generate, grade
from studydeck.drills.mistake_models import DECLARED
from studydeck.drills.mistakes import MESSAGES, declared_answers

from .closed_form_new import sig


def _text(values) -> str:
    flat = np.ravel(np.concatenate([np.ravel(v) for v in values]) if isinstance(values, list)
                    else np.asarray(values, float))
    return " ".join(f"{v:.6f}" for v in flat)


def _named(q, wrong) -> str:
    verdict = grade(q, _text(wrong))
    assert not verdict.correct
    return verdict.mistake


def _first(kind, predicate, params=None):
    """The first seed whose question satisfies ``predicate`` (most do at once)."""
    for seed in range(200):
        q = generate(kind, seed, params or {})
        if predicate(q):
            return q
    raise AssertionError(f"no seed of {kind} fits")


def _a(q, key):
    return np.asarray(q.given[key], float)


def _block(M, k, H):
    return M[k * H:(k + 1) * H]


def _lstm_pre(q, k, *, ih=True, hh=True, transpose=False):
    """Block k's pre-activation, computed from the given values."""
    H = len(q.given["h0"])
    W, U = _block(_a(q, "weight_ih"), k, H), _block(_a(q, "weight_hh"), k, H)
    if transpose:
        U = U.T
    return (W @ _a(q, "x") + U @ _a(q, "h0") + (_block(_a(q, "bias_ih"), k, H) if ih else 0)
            + (_block(_a(q, "bias_hh"), k, H) if hh else 0))


def test_keras_style_swapped_update_gate_is_named():
    q = generate("gru.hidden_update", 4)
    z, n, h0 = _a(q, "z"), _a(q, "n"), _a(q, "h0")
    assert "update gate's roles swapped" in _named(q, z * n + (1 - z) * h0)


def test_swapped_update_gate_in_a_full_reset_before_step():
    q = _first("gru.reset_before", lambda q: True)
    g, H = q.given, len(q.given["h0"])
    x, h = _a(q, "x"), _a(q, "h0")
    W, U, bi, bh = _a(q, "weight_ih"), _a(q, "weight_hh"), _a(q, "bias_ih"), _a(q, "bias_hh")
    r = sig(W[:H] @ x + bi[:H] + U[:H] @ h + bh[:H])
    z = sig(W[H:2 * H] @ x + bi[H:2 * H] + U[H:2 * H] @ h + bh[H:2 * H])
    n = np.tanh(W[2 * H:] @ x + bi[2 * H:] + U[2 * H:] @ (r * h) + bh[2 * H:])
    assert g["gate_order"] == "rzn"
    assert "roles swapped" in _named(q, z * n + (1 - z) * h)


def test_tanh_where_sigmoid_belongs_is_named():
    q = generate("lstm.forget_gate", 5)
    assert _named(q, np.tanh(_lstm_pre(q, 1))) == MESSAGES["tanh_for_sigmoid"]


def test_sigmoid_where_tanh_belongs_is_named():
    q = generate("lstm.candidate", 5)
    assert _named(q, sig(_lstm_pre(q, 2))) == MESSAGES["sigmoid_for_tanh"]


@pytest.mark.parametrize("left_out", ["ih", "hh"])
def test_a_bias_left_out_is_named(left_out):
    q = _first("lstm.input_gate", lambda q: any(_a(q, f"bias_{left_out}")[:len(q.given["h0"])]))
    wrong = sig(_lstm_pre(q, 0, ih=left_out != "ih", hh=left_out != "hh"))
    assert _named(q, wrong) == MESSAGES[f"no_bias_{left_out}"]


def test_gru_candidate_without_bias_hh_is_named():
    q = _first("gru.candidate", lambda q: any(_a(q, "bias_hh")))
    H, x, h = len(q.given["h0"]), _a(q, "x"), _a(q, "h0")
    W, U, bi = _a(q, "weight_ih"), _a(q, "weight_hh"), _a(q, "bias_ih")
    r = sig(W[:H] @ x + bi[:H] + U[:H] @ h)
    wrong = np.tanh(W[2 * H:] @ x + bi[2 * H:] + r * (U[2 * H:] @ h))  # no b_hr, b_hn
    assert _named(q, wrong) == MESSAGES["no_bias_hh"]


def test_gru_b_hn_merged_with_b_in_is_named():
    q = _first("gru.candidate", lambda q: any(_a(q, "bias_hh")[2 * len(q.given["h0"]):]))
    H, x, h = len(q.given["h0"]), _a(q, "x"), _a(q, "h0")
    W, U, bi, bh = _a(q, "weight_ih"), _a(q, "weight_hh"), _a(q, "bias_ih"), _a(q, "bias_hh")
    r = sig(W[:H] @ x + bi[:H] + U[:H] @ h + bh[:H])
    wrong = np.tanh(W[2 * H:] @ x + bi[2 * H:] + bh[2 * H:] + r * (U[2 * H:] @ h))
    assert _named(q, wrong) == MESSAGES["bhn_outside"]


def test_gru_reset_before_where_pytorch_resets_after_is_named():
    q = generate("gru.candidate", 2)
    H, x, h = len(q.given["h0"]), _a(q, "x"), _a(q, "h0")
    W, U, bi, bh = _a(q, "weight_ih"), _a(q, "weight_hh"), _a(q, "bias_ih"), _a(q, "bias_hh")
    r = sig(W[:H] @ x + bi[:H] + U[:H] @ h + bh[:H])
    wrong = np.tanh(W[2 * H:] @ x + bi[2 * H:] + U[2 * H:] @ (r * h) + bh[2 * H:])
    assert _named(q, wrong) == MESSAGES["reset_before"]


def test_previous_cell_state_in_the_output_peephole_is_named():
    q = generate("variant.peephole_step", 6)
    H = len(q.given["h0"])
    c0 = _a(q, "c0")
    i = sig(_lstm_pre(q, 0) + _a(q, "weight_ci") * c0)
    f = sig(_lstm_pre(q, 1) + _a(q, "weight_cf") * c0)
    c = f * c0 + i * np.tanh(_lstm_pre(q, 2))
    o = sig(_lstm_pre(q, 3) + _a(q, "weight_co") * c0)  # the mistake: c0 instead of c
    assert H and _named(q, [o * np.tanh(c), c]) == MESSAGES["peephole_c_prev"]


def test_gates_read_in_the_order_i_f_o_g_is_named():
    q = generate("lstm.output_gate", 7)
    assert _named(q, sig(_lstm_pre(q, 2))) == MESSAGES["order_ifog"]  # the g rows taken for o


def test_transposed_weights_are_named():
    q = _first("lstm.forget_gate", lambda q: True, {"hidden_size": 2, "input_size": 1})
    wrong = sig(_lstm_pre(q, 1, transpose=True))
    assert _named(q, wrong) == MESSAGES["transposed"]


def test_rounding_intermediates_to_two_decimals_is_named():
    q = _first("lstm.forget_gate", lambda q: any(m["name"] == "rounded_intermediates"
                                                 for m in declared_answers(q)))
    a = np.round(_lstm_pre(q, 1), 2)
    assert _named(q, np.round(sig(a), 2)) == MESSAGES["rounded_intermediates"]


def test_too_few_decimals_and_truncation_are_named():
    q = _first("tanh.value", lambda q: min(abs(round(q.answer, 1) - q.answer),
                                           abs(math.trunc(q.answer * 1000) / 1000 - q.answer))
               > q.tolerance)
    assert grade(q, f"{round(q.answer, 1)}").mistake.startswith("This is the answer rounded to 1 decimal")
    cut = math.trunc(q.answer * 1000) / 1000
    assert grade(q, f"{cut}").mistake == MESSAGES["truncated"]
    assert grade(q, f"{-q.answer:.4f}").mistake == MESSAGES["sign"]


def test_an_unrelated_wrong_answer_names_nothing():
    q = generate("lstm.step", 3)
    verdict = grade(q, " ".join("0.123" for _ in range(2 * len(q.given["h0"]))))
    assert not verdict.correct and verdict.mistake == "" and "This is" not in verdict.message


def test_backprop_without_the_hidden_path_is_named():
    q = generate("backprop.lstm_cell_state", 8)
    assert _named(q, _a(q, "dL/dc_1") * _a(q, "f")) == MESSAGES["no_h_path"]


def test_backprop_tanh_derivative_of_c_is_named():
    q = _first("backprop.lstm_cell_state", lambda q: any(m["name"] == "tanh_derivative_of_c"
                                                         for m in declared_answers(q)))
    c1, o = _a(q, "c_1"), _a(q, "o")
    dc = _a(q, "dL/dc_1") + _a(q, "dL/dh_1") * o * (1 - c1 ** 2)
    assert _named(q, dc * _a(q, "f")) == MESSAGES["tanh_derivative_of_c"]


def test_gru_backprop_without_r_on_the_candidate_path_is_named():
    q = generate("backprop.gru_hidden_state", 9)
    H = len(q.given["h0"])
    r, z, n, h0, dh = (_a(q, k) for k in ("r", "z", "n", "h0", "dL/dh_1"))
    U, b = _a(q, "weight_hh"), _a(q, "bias_hh")
    da_n = dh * (1 - z) * (1 - n ** 2)
    da_z = dh * (h0 - n) * z * (1 - z)
    da_r = da_n * (U[2 * H:] @ h0 + b[2 * H:]) * r * (1 - r)
    wrong = dh * z + U[:H].T @ da_r + U[H:2 * H].T @ da_z + U[2 * H:].T @ da_n  # r left out
    assert _named(q, wrong) == MESSAGES["no_r_in_hn"]


def test_clipping_each_tensor_alone_and_scaling_up_are_named():
    q = _first("grad.clip_norm", lambda q: any(x["name"] == "clip_per_tensor" for x in declared_answers(q)))
    w, b, m = _a(q, "weight.grad"), _a(q, "bias.grad"), q.given["max_norm"]
    per_tensor = [v * min(1, m / (np.linalg.norm(v) + 1e-6)) for v in (w, b)]
    assert _named(q, per_tensor) == MESSAGES["clip_per_tensor"]
    q = _first("grad.clip_norm", lambda q: any(x["name"] == "clip_uncapped" for x in declared_answers(q)))
    w, b, m = _a(q, "weight.grad"), _a(q, "bias.grad"), q.given["max_norm"]
    total = math.sqrt(float(w @ w + b @ b))
    assert _named(q, [w * m / total, b * m / total]) == MESSAGES["clip_uncapped"]


@pytest.mark.parametrize("kind", sorted(DECLARED))
def test_reference_without_a_mistake_gives_the_engine_answer(kind):
    """The bent references agree with the engine when nothing is bent, so a mistake is only itself."""
    declared = DECLARED[kind]
    for seed in range(10):
        q = generate(kind, seed)
        right = declared.compute(q, declared.slips[None])
        flat = np.concatenate([np.ravel(v) for v in right]) if isinstance(right, list) else np.ravel(right)
        np.testing.assert_allclose(flat, np.ravel(np.asarray(q.answer, float)) if q.answer_format != "vectors"
                                   else np.concatenate([np.ravel(v) for v in q.answer]),
                                   rtol=1e-9, atol=1e-12, err_msg=f"{kind} seed {seed}")


def test_every_declared_mistake_has_a_message_and_fires_somewhere():
    declared_names = {name for d in DECLARED.values() for name in d.names}
    assert declared_names <= set(MESSAGES)
    fired = {m["name"] for kind in DECLARED for s in range(20) for m in declared_answers(generate(kind, s))}
    # peephole_c_prev cannot fire on kinds without an output peephole; it does on the others
    assert fired == declared_names


def test_mistaken_answers_are_wrong_and_named_when_typed():
    for kind in DECLARED:
        for seed in range(6):
            q = generate(kind, seed)
            for m in declared_answers(q):
                verdict = grade(q, _text(m["answer"]))
                assert not verdict.correct, (kind, seed, m["name"])
                assert verdict.mistake == m["message"], (kind, seed, m["name"])
                assert verdict.message.endswith(m["message"])


def test_mistakes_are_kept_only_when_they_change_the_answer():
    q = generate("lstm.forget_gate", 1)  # f does not depend on the block order i, f, o, g
    assert "order_ifog" not in {m["name"] for m in declared_answers(q)}
    assert all(name in KINDS for name in DECLARED)


def test_backprop_without_the_transpose_is_named():
    from .closed_form_new import lstm_backward

    q = _first("backprop.lstm_hidden_state", lambda q: True, {"hidden_size": 2})
    da, _ = lstm_backward(q.given)
    U = _a(q, "weight_hh")
    wrong = sum(_block(U, k, 2) @ _block(da, k, 2) for k in range(4))  # W_hq·da_q, no transpose
    assert _named(q, wrong) == MESSAGES["not_transposed"]


def test_backprop_forgetting_the_forget_gate_is_named():
    q = generate("backprop.lstm_cell_state", 4)
    t = np.tanh(_a(q, "c_1"))
    dc = _a(q, "dL/dc_1") + _a(q, "dL/dh_1") * _a(q, "o") * (1 - t ** 2)
    assert _named(q, dc) == MESSAGES["no_forget_factor"]


def test_gru_backprop_with_the_swapped_update_gate_is_named():
    q = generate("backprop.gru_gate", 1, {"gate": "z"})
    z, n, h0, dh = (_a(q, k) for k in ("z", "n", "h0", "dL/dh_1"))
    assert _named(q, dh * (n - h0) * z * (1 - z)) == MESSAGES["gru_z_swapped"]
