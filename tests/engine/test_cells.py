"""Cells: shapes, PyTorch-style construction, trace against the forward pass."""

import numpy as np
import pytest

from studydeck.engine import GRUCell, LSTMCell, RNNCell, VARIANT_NAMES, sigmoid


def test_sigmoid_matches_logistic_formula():
    x = np.linspace(-40, 40, 2001)
    assert np.max(np.abs(sigmoid(x) - 1.0 / (1.0 + np.exp(-x)))) < 1e-15
    assert sigmoid(0.0) == 0.5


def test_lstm_cell_names_shapes_and_init_range():
    cell = LSTMCell(3, 5, seed=0)
    assert cell.parameter_shapes() == {"weight_ih": (20, 3), "weight_hh": (20, 5),
                                       "bias_ih": (20,), "bias_hh": (20,)}
    bound = 1 / np.sqrt(5)
    for value in cell.state_dict().values():
        assert value.dtype == np.float64
        assert np.all(np.abs(value) <= bound)
    assert np.array_equal(LSTMCell(3, 5, seed=0).weight_ih, cell.weight_ih)
    assert not np.array_equal(LSTMCell(3, 5, seed=1).weight_ih, cell.weight_ih)


def test_lstm_cell_follows_the_equations_by_hand():
    cell = LSTMCell(2, 1, seed=0)
    cell.weight_ih = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, -0.5]]
    cell.weight_hh = [[0.1], [0.2], [0.3], [0.4]]
    cell.bias_ih = [0.0, 0.0, 0.0, 0.0]
    cell.bias_hh = [0.1, 0.0, -0.1, 0.0]
    x, h, c = np.array([0.5, -1.0]), np.array([2.0]), np.array([0.3])
    i = 1 / (1 + np.exp(-(0.5 + 0.2 + 0.1)))
    f = 1 / (1 + np.exp(-(-1.0 + 0.4)))
    g = np.tanh(-0.5 + 0.6 - 0.1)
    o = 1 / (1 + np.exp(-(0.75 + 0.8)))
    c_new = f * 0.3 + i * g
    h_new, c_out = cell(x, (h, c))
    assert h_new.shape == (1,)
    assert c_out[0] == pytest.approx(c_new, abs=1e-15)
    assert h_new[0] == pytest.approx(o * np.tanh(c_new), abs=1e-15)
    trace = cell.trace(x, (h, c))
    assert trace["a_i"][0] == pytest.approx(0.8)
    assert trace["f"][0] == pytest.approx(f)
    assert trace["tanh_c"][0] == pytest.approx(np.tanh(c_new))


def test_setting_a_weight_checks_its_shape():
    cell = GRUCell(2, 3)
    with pytest.raises(ValueError, match=r"weight_ih must have shape \(9, 2\)"):
        cell.weight_ih = np.zeros((3, 2))


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_lstm_trace_agrees_with_call_for_every_variant(variant):
    rng = np.random.default_rng(1)
    cell = LSTMCell(3, 4, seed=2, variant=variant)
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    kwargs = {}
    if cell.variant.fgr:
        kwargs["gates_prev"] = rng.uniform(size=(2, 12))
    h_new, c_new = cell(x, (h, c), **kwargs)
    trace = cell.trace(x, (h, c), **kwargs)
    assert np.allclose(trace["h"], h_new, atol=1e-14, rtol=0)
    assert np.allclose(trace["c"], c_new, atol=1e-14, rtol=0)
    for key in ("x", "h_prev", "c_prev", "a_g", "i", "f", "g", "o", "c", "tanh_c", "h"):
        assert trace[key].shape in {(2, 3), (2, 4)}


def test_variant_equations_in_trace():
    rng = np.random.default_rng(3)
    x, h, c = rng.normal(size=(1, 2)), rng.normal(size=(1, 3)), rng.normal(size=(1, 3))
    t = LSTMCell(2, 3, seed=0, variant="cifg").trace(x, (h, c))
    assert np.allclose(t["f"], 1 - t["i"])
    t = LSTMCell(2, 3, seed=0, variant="nfg").trace(x, (h, c))
    assert np.allclose(t["c"], c + t["i"] * t["g"])
    t = LSTMCell(2, 3, seed=0, variant="nig").trace(x, (h, c))
    assert np.allclose(t["c"], t["f"] * c + t["g"])
    t = LSTMCell(2, 3, seed=0, variant="nog").trace(x, (h, c))
    assert np.allclose(t["h"], np.tanh(t["c"]))
    t = LSTMCell(2, 3, seed=0, variant="noaf").trace(x, (h, c))
    assert np.allclose(t["h"], t["o"] * t["c"])
    t = LSTMCell(2, 3, seed=0, variant="niaf").trace(x, (h, c))
    assert np.allclose(t["g"], t["a_g"])
    cell = LSTMCell(2, 3, seed=0, variant="peephole")
    t = cell.trace(x, (h, c))
    plain = LSTMCell(2, 3, seed=0)
    plain.load_state_dict({k: v for k, v in cell.state_dict().items() if "_c" not in k})
    p = plain.trace(x, (h, c))
    assert np.allclose(t["a_i"], p["a_i"] + cell.weight_ci * c)
    assert np.allclose(t["a_f"], p["a_f"] + cell.weight_cf * c)
    assert np.allclose(t["o"], sigmoid(p["a_o"] + cell.weight_co * t["c"]))


def test_peephole_override_and_unknown_variant():
    assert "weight_ci" not in LSTMCell(2, 3, variant="cifg", peephole=False).state_dict()
    assert "weight_ci" in LSTMCell(2, 3, variant="standard", peephole=True).state_dict()
    with pytest.raises(ValueError, match="unknown LSTM variant 'nxg'"):
        LSTMCell(2, 3, variant="nxg")


def test_gru_cell_reset_after_and_before():
    rng = np.random.default_rng(4)
    after = GRUCell(3, 2, seed=5)
    before = GRUCell(3, 2, seed=5, reset_after=False)
    x, h = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    ta, tb = after.trace(x, h), before.trace(x, h)
    W_hn, b_hn = after.weight_hh[4:], after.bias_hh[4:]
    assert np.allclose(ta["a_n_h"], h @ W_hn.T + b_hn)
    assert np.allclose(ta["n"], np.tanh(ta["a_n_x"] + ta["r"] * ta["a_n_h"]))
    assert np.allclose(tb["n"], np.tanh(tb["a_n_x"] + (tb["r"] * h) @ W_hn.T + b_hn))
    for cell, t in ((after, ta), (before, tb)):
        assert np.allclose(t["h"], (1 - t["z"]) * t["n"] + t["z"] * h)
        assert np.allclose(cell(x, h), t["h"], atol=1e-15, rtol=0)
    assert not np.allclose(ta["h"], tb["h"])


def test_rnn_cell_relu_and_errors():
    cell = RNNCell(2, 3, nonlinearity="relu", seed=0)
    x = np.array([[1.0, -2.0]])
    t = cell.trace(x)
    assert np.allclose(t["h"], np.maximum(t["a"], 0))
    assert np.allclose(cell(x), t["h"])
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNCell(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"input must be \(N, 2\)"):
        cell(np.zeros((1, 5)))
    with pytest.raises(ValueError, match=r"h must have shape \(1, 3\)"):
        cell(x, np.zeros((2, 3)))


def test_unbatched_cells_match_batched():
    rng = np.random.default_rng(6)
    x, h, c = rng.normal(size=3), rng.normal(size=4), rng.normal(size=4)
    for cell in (LSTMCell(3, 4, seed=0), GRUCell(3, 4, seed=0), RNNCell(3, 4, seed=0)):
        if isinstance(cell, LSTMCell):
            h1, c1 = cell(x, (h, c))
            hb, cb = cell(x[None], (h[None], c[None]))
            assert c1.shape == (4,) and np.allclose(c1, cb[0])
        else:
            h1, hb = cell(x, h), cell(x[None], h[None])
        assert h1.shape == (4,) and np.allclose(h1, hb[0])
        assert cell.trace(x, (h, c) if isinstance(cell, LSTMCell) else h)["h"].shape == (4,)


def test_float32_cells():
    cell = LSTMCell(3, 4, dtype=np.float32, seed=0)
    h, c = cell(np.ones((2, 3)))
    assert h.dtype == np.float32 and c.dtype == np.float32
    ref = LSTMCell(3, 4, seed=0)
    ref.load_state_dict(cell.state_dict())
    assert np.allclose(ref(np.ones((2, 3)))[0], h, atol=1e-6)
    with pytest.raises(ValueError, match="float64 or float32"):
        LSTMCell(3, 4, dtype=np.int32)
