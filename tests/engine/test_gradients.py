"""Backward passes against central finite differences: every cell, layer and variant."""

import numpy as np
import pytest

from studydeck.engine import (GRU, LSTM, RNN, VARIANT_NAMES, GRUCell, LSTMCell, RNNCell,
                              hidden_gradient_norms)

from .gradcheck import assert_close, numeric_grad


def _check_layer(layer, x, states, rng):
    """L = Σ A ⊙ output + Σ B ⊙ h_n (+ Σ C ⊙ c_n) against finite differences."""
    lstm = isinstance(layer, LSTM)
    out, finals = layer(x, states)
    finals = finals if lstm else (finals,)
    weights = [rng.normal(size=out.shape)] + [rng.normal(size=f.shape) for f in finals]

    def loss():
        o, fin = layer(x, states)
        fin = fin if lstm else (fin,)
        return float(np.sum(weights[0] * o) + sum(np.sum(w * f) for w, f in zip(weights[1:], fin)))

    layer(x, states)
    grads = layer.backward(*weights)
    for name in layer.parameter_names():
        assert_close(grads[name], numeric_grad(loss, getattr(layer, name)), name)
    assert_close(grads["input"], numeric_grad(loss, x), "input")
    state_list = states if lstm else (states,)
    for key, s in zip(("h0", "c0"), state_list):
        assert grads[key].shape == s.shape
        assert_close(grads[key], numeric_grad(loss, s), key)


LAYER_CASES = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, bias=False),
    dict(batch_first=True),
]


@pytest.mark.parametrize("kwargs", LAYER_CASES)
@pytest.mark.parametrize("kind", ["lstm", "lstm_proj", "gru", "gru_before", "rnn", "rnn_relu"])
def test_layer_gradients(kind, kwargs):
    rng = np.random.default_rng(0)
    D, H, T, N = 2, 3, 3, 2
    cls = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[kind.split("_")[0]]
    extra = {"lstm_proj": dict(proj_size=2), "gru_before": dict(reset_after=False),
             "rnn_relu": dict(nonlinearity="relu")}.get(kind, {})
    layer = cls(D, H, seed=1, **kwargs, **extra)
    LD = layer.num_layers * layer.num_directions
    shape = (N, T, D) if layer.batch_first else (T, N, D)
    x = rng.normal(size=shape)
    h0 = rng.normal(size=(LD, N, layer.output_size))
    states = (h0, rng.normal(size=(LD, N, H))) if cls is LSTM else h0
    _check_layer(layer, x, states, rng)


def test_unbatched_layer_gradients():
    rng = np.random.default_rng(1)
    layer = LSTM(2, 3, num_layers=2, bidirectional=True, seed=2)
    x = rng.normal(size=(3, 2))
    _check_layer(layer, x, (rng.normal(size=(4, 3)), rng.normal(size=(4, 3))), rng)


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_variant_layer_gradients(variant):
    rng = np.random.default_rng(2)
    layer = LSTM(2, 3, num_layers=2, bidirectional=True, variant=variant, seed=3)
    for name in layer.parameter_names():  # peepholes and FGR weights of a useful size
        if "_c" in name or "fgr" in name:
            setattr(layer, name, rng.normal(scale=0.5, size=getattr(layer, name).shape))
    x = rng.normal(size=(4, 2, 2))
    _check_layer(layer, x, (rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3))), rng)


def test_variant_with_projection_and_peephole_override():
    rng = np.random.default_rng(3)
    layer = LSTM(2, 4, proj_size=2, variant="cifg", peephole=False, seed=4)
    _check_layer(layer, rng.normal(size=(3, 2, 2)),
                 (rng.normal(size=(1, 2, 2)), rng.normal(size=(1, 2, 4))), rng)


def _check_cell(cell, x, state, extra=None):
    rng = np.random.default_rng(5)
    lstm = isinstance(cell, LSTMCell)
    kwargs = extra or {}
    result = cell(x, state, **kwargs)
    outs = result if lstm else (result,)
    weights = [rng.normal(size=o.shape) for o in outs]

    def loss():
        res = cell(x, state, **kwargs)
        res = res if lstm else (res,)
        return float(sum(np.sum(w * r) for w, r in zip(weights, res)))

    cell(x, state, **kwargs)
    grads = cell.backward(*weights)
    for name in cell.parameter_names():
        assert_close(grads[name], numeric_grad(loss, getattr(cell, name)), name)
    assert_close(grads["input"], numeric_grad(loss, x), "input")
    states = state if lstm else (state,)
    for key, s in zip(("h_prev", "c_prev"), states):
        assert_close(grads[key], numeric_grad(loss, s), key)
    if "gates_prev" in kwargs:
        assert_close(grads["gates_prev"], numeric_grad(loss, kwargs["gates_prev"]), "gates_prev")


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_lstm_cell_gradients(variant):
    rng = np.random.default_rng(6)
    cell = LSTMCell(2, 3, seed=7, variant=variant)
    extra = {"gates_prev": rng.uniform(size=(2, 9))} if cell.variant.fgr else None
    _check_cell(cell, rng.normal(size=(2, 2)), (rng.normal(size=(2, 3)), rng.normal(size=(2, 3))),
                extra)


@pytest.mark.parametrize("make", [lambda: GRUCell(2, 3, seed=1),
                                  lambda: GRUCell(2, 3, seed=1, reset_after=False),
                                  lambda: GRUCell(2, 3, bias=False, seed=1),
                                  lambda: RNNCell(2, 3, seed=1),
                                  lambda: RNNCell(2, 3, nonlinearity="relu", seed=1)])
def test_gru_and_rnn_cell_gradients(make):
    rng = np.random.default_rng(8)
    _check_cell(make(), rng.normal(size=(2, 2)), rng.normal(size=(2, 3)))


def test_unbatched_cell_gradients():
    rng = np.random.default_rng(9)
    _check_cell(LSTMCell(2, 3, seed=1), rng.normal(size=2), (rng.normal(size=3), rng.normal(size=3)))
    cell = GRUCell(2, 3, seed=1)
    cell(rng.normal(size=2), rng.normal(size=3))
    grads = cell.backward(np.ones(3))
    assert grads["input"].shape == (2,) and grads["h_prev"].shape == (3,)


def test_hidden_gradient_norms_rnn_vanishes_faster_than_lstm():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(40, 1, 4))
    rnn = RNN(4, 8, seed=0)
    lstm = LSTM(4, 8, seed=0)
    lstm.bias_hh_l0 = np.r_[np.zeros(8), 3 * np.ones(8), np.zeros(16)]  # forget gate open
    norms_rnn = hidden_gradient_norms(rnn, x)
    norms_lstm = hidden_gradient_norms(lstm, x)
    assert norms_rnn.shape == norms_lstm.shape == (40,)
    assert norms_rnn[-1] == pytest.approx(np.sqrt(8))
    assert norms_rnn[0] / norms_rnn[-1] < 1e-3
    assert norms_lstm[0] / norms_lstm[-1] > 100 * norms_rnn[0] / norms_rnn[-1]


def test_hidden_gradient_norms_one_step_back_by_hand():
    rng = np.random.default_rng(11)
    rnn = RNN(2, 3, seed=0)
    x = rng.normal(size=(5, 2, 2))
    norms = hidden_gradient_norms(rnn, x)
    out, _ = rnn(x)
    # L = Σ h_T: dL/dh_(T-1) = W_hh^T (1 − h_T²) for each batch row
    d_prev = (1 - out[-1] ** 2) @ rnn.weight_hh_l0
    assert norms[-2] == pytest.approx(np.linalg.norm(d_prev))


def test_hidden_gradient_norms_of_a_lower_layer():
    rng = np.random.default_rng(12)
    gru = GRU(2, 3, num_layers=2, batch_first=True, seed=0)
    x = rng.normal(size=(2, 5, 2))
    norms = hidden_gradient_norms(gru, x, layer_index=0)
    out, _ = gru(x)
    grad = np.zeros_like(out)
    grad[:, -1] = 1.0
    lower = GRU(2, 3, batch_first=True, seed=0)
    lower.load_state_dict({k: v for k, v in gru.state_dict().items() if k.endswith("_l0")})
    top = GRU(3, 3, batch_first=True)
    top.load_state_dict({k.replace("_l1", "_l0"): v for k, v in gru.state_dict().items()
                         if k.endswith("_l1")})
    h_low, _ = lower(x)
    top(h_low)
    d_low = top.backward(grad)["input"]  # what layer 1 sends down, (N, T, H)
    lower(x)
    lower._backward(d_low, (None,), record=True)
    hidden = lower.hidden_grads[(0, 0)]
    assert np.allclose(norms, np.sqrt((hidden ** 2).sum(axis=(1, 2))))
    assert norms[-1] == pytest.approx(np.linalg.norm(d_low[:, -1]))


@pytest.mark.parametrize("kwargs", [dict(), dict(proj_size=2, variant="vanilla"),
                                    dict(bias=False, variant="fgr")])
def test_large_batch_path_agrees_with_single_samples(kwargs):
    # from N = 8 on the kernel multiplies [h, x, 1] by [W_hh, W_ih, b] each step
    rng = np.random.default_rng(13)
    lstm = LSTM(2, 3, seed=5, **kwargs)
    N = 9
    x = rng.normal(size=(4, N, 2))
    g_out = rng.normal(size=(4, N, lstm.output_size))
    out, (h_n, c_n) = lstm(x)
    grads = lstm.backward(g_out)
    total = {name: np.zeros_like(value) for name, value in grads.items()
             if name not in ("input", "h0", "c0")}
    for n in range(N):
        o1, (h1, c1) = lstm(x[:, n:n + 1])
        assert np.allclose(o1[:, 0], out[:, n], atol=1e-14, rtol=0)
        assert np.allclose(c1[:, 0], c_n[:, n], atol=1e-14, rtol=0)
        g1 = lstm.backward(g_out[:, n:n + 1])
        assert np.allclose(g1["input"][:, 0], grads["input"][:, n], atol=1e-13, rtol=0)
        for name in total:
            total[name] += g1[name]
    for name, value in total.items():
        assert np.allclose(value, grads[name], atol=1e-12, rtol=0), name


def test_large_batch_path_finite_differences():
    rng = np.random.default_rng(14)
    layer = LSTM(2, 3, bidirectional=True, proj_size=2, variant="cifg", seed=6)
    x = rng.normal(size=(2, 8, 2))
    _check_layer(layer, x, (rng.normal(size=(2, 8, 2)), rng.normal(size=(2, 8, 3))), rng)
