"""Parameter counts and Keras conversion."""

import itertools

import numpy as np
import pytest

from studydeck.engine import (GRU, LSTM, RNN, VARIANT_NAMES, GRUCell, LSTMCell, RNNCell,
                              count_parameters, count_parameters_for, from_keras, sigmoid)

CONFIGS = list(itertools.product((1, 3), (2, 5), (1, 2), (True, False), (False, True)))


@pytest.mark.parametrize("D,H,L,bias,bidir", CONFIGS)
def test_counts_agree_with_state_dict_sizes(D, H, L, bias, bidir):
    for kind, cls in (("lstm", LSTM), ("gru", GRU), ("rnn", RNN)):
        layer = cls(D, H, L, bias=bias, bidirectional=bidir)
        total = sum(v.size for v in layer.state_dict().values())
        assert count_parameters(layer) == total
        assert count_parameters_for(kind, D, H, L, bias, bidir) == total
    if H > 1:
        layer = LSTM(D, H, L, bias=bias, bidirectional=bidir, proj_size=1)
        total = sum(v.size for v in layer.state_dict().values())
        assert count_parameters_for("lstm", D, H, L, bias, bidir, proj_size=1) == total


def test_textbook_counts():
    # 4 · (H·(D + H) + 2H) for nn.LSTM(10, 20): 4 · (600 + 40) = 2560
    assert count_parameters_for("lstm", 10, 20) == 2560
    assert count_parameters_for("gru", 10, 20) == 1920
    assert count_parameters_for("rnn", 10, 20) == 640
    assert count_parameters(LSTMCell(10, 20)) == 2560
    assert count_parameters(GRUCell(10, 20)) == 1920
    assert count_parameters(RNNCell(10, 20)) == 640
    assert count_parameters_for("lstm_cell", 10, 20) == 2560


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_every_variant_has_its_own_count(variant):
    for bidir, L in ((False, 1), (True, 2)):
        layer = LSTM(3, 4, L, bidirectional=bidir, variant=variant)
        total = sum(v.size for v in layer.state_dict().values())
        assert count_parameters_for("lstm", 3, 4, L, bidirectional=bidir, variant=variant) == total
    cell = LSTMCell(3, 4, variant=variant)
    assert count_parameters(cell) == count_parameters_for("lstm", 3, 4, variant=variant)


def test_variant_counts_by_hand():
    base = 4 * (4 * 7 + 8)  # D = 3, H = 4
    three = 3 * (4 * 7 + 8)
    assert count_parameters_for("lstm", 3, 4, variant="vanilla") == base + 12
    assert count_parameters_for("lstm", 3, 4, variant="cifg") == three + 8
    assert count_parameters_for("lstm", 3, 4, variant="nfg") == three + 8
    assert count_parameters_for("lstm", 3, 4, variant="fgr") == base + 12 + 9 * 16
    assert count_parameters_for("lstm", 3, 4, variant="np") == base


def _keras_lstm(x, kernel, rec, bias):
    H = rec.shape[0]
    h = c = np.zeros((x.shape[0], H))
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = (z[:, k * H:(k + 1) * H] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
    return h


def _keras_gru(x, kernel, rec, bias, reset_after):
    H = rec.shape[0]
    h = np.zeros((x.shape[0], H))
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, np.zeros(3 * H))
    for t in range(x.shape[1]):
        xz = x[:, t] @ kernel + b_in
        x_z, x_r, x_h = xz[:, :H], xz[:, H:2 * H], xz[:, 2 * H:]
        inner = h @ rec + b_rec
        z = sigmoid(x_z + inner[:, :H])
        r = sigmoid(x_r + inner[:, H:2 * H])
        if reset_after:
            hh = np.tanh(x_h + r * inner[:, 2 * H:])
        else:
            hh = np.tanh(x_h + (r * h) @ rec[:, 2 * H:])
        h = z * h + (1 - z) * hh
    return h


def test_from_keras_lstm():
    rng = np.random.default_rng(0)
    kernel, rec, bias = rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=8)
    x = rng.normal(size=(4, 5, 3))
    layer = from_keras("lstm", kernel, rec, bias)
    out, (h_n, _) = layer(x)
    assert layer.batch_first and out.shape == (4, 5, 2)
    assert np.allclose(h_n[0], _keras_lstm(x, kernel, rec, bias), atol=1e-13)
    cell = from_keras("lstm", kernel, rec, bias, cell=True)
    assert np.allclose(cell.weight_ih, kernel.T)


@pytest.mark.parametrize("reset_after", [True, False])
def test_from_keras_gru(reset_after):
    rng = np.random.default_rng(1)
    kernel, rec = rng.normal(size=(3, 6)), rng.normal(size=(2, 6))
    bias = rng.normal(size=(2, 6) if reset_after else 6)
    x = rng.normal(size=(4, 5, 3))
    layer = from_keras("gru", kernel, rec, bias, reset_after=reset_after)
    assert layer.reset_after == reset_after
    _, h_n = layer(x)
    assert np.allclose(h_n[0], _keras_gru(x, kernel, rec, bias, reset_after), atol=1e-13)
    cell = from_keras("gru", kernel, rec, bias, reset_after=reset_after, cell=True)
    h = np.zeros((4, 2))
    for t in range(5):
        h = cell(x[:, t], h)
    assert np.allclose(h, h_n[0], atol=1e-14)


def test_from_keras_errors():
    with pytest.raises(ValueError, match=r"bias must be \(2, 6\)"):
        from_keras("gru", np.zeros((3, 6)), np.zeros((2, 6)), np.zeros(6))
    with pytest.raises(ValueError, match="do not fit"):
        from_keras("lstm", np.zeros((3, 8)), np.zeros((3, 8)))
    assert not from_keras("lstm", np.zeros((3, 8)), np.zeros((2, 8))).bias
