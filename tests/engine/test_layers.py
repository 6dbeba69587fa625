"""Sequence layers: PyTorch's shapes and semantics, checked by composition."""

import numpy as np
import pytest

from studydeck.engine import GRU, LSTM, RNN, GRUCell, LSTMCell, StateDictError

RNG = np.random.default_rng(0)


def test_lstm_shapes_like_pytorch():
    lstm = LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2, seed=0)
    out, (h_n, c_n) = lstm(RNG.normal(size=(7, 4, 3)))
    assert out.shape == (7, 4, 4)
    assert h_n.shape == (4, 4, 2) and c_n.shape == (4, 4, 5)
    assert lstm.weight_ih_l1_reverse.shape == (20, 4)
    assert lstm.weight_hh_l0.shape == (20, 2)
    assert lstm.weight_hr_l1_reverse.shape == (2, 5)


def test_batch_first_never_applies_to_states():
    gru = GRU(3, 5, num_layers=2, batch_first=True, seed=0)
    x = RNG.normal(size=(4, 7, 3))
    out, h_n = gru(x, np.zeros((2, 4, 5)))
    assert out.shape == (4, 7, 5) and h_n.shape == (2, 4, 5)
    ref = GRU(3, 5, num_layers=2, seed=0)
    out_tm, h_tm = ref(x.transpose(1, 0, 2))
    assert np.allclose(out, out_tm.transpose(1, 0, 2)) and np.allclose(h_n, h_tm)


def test_unbatched_equals_a_batch_of_one():
    lstm = LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True, seed=1)
    x = RNG.normal(size=(6, 3))
    h0, c0 = RNG.normal(size=(4, 4)), RNG.normal(size=(4, 4))
    out, (h_n, c_n) = lstm(x, (h0, c0))
    assert out.shape == (6, 8) and h_n.shape == (4, 4) and c_n.shape == (4, 4)
    out_b, (h_b, c_b) = lstm(x[None], (h0[:, None], c0[:, None]))
    assert np.allclose(out, out_b[0]) and np.allclose(h_n, h_b[:, 0]) and np.allclose(c_n, c_b[:, 0])
    with pytest.raises(ValueError, match=r"h_0 must have shape \(4, 4\)"):
        lstm(x, (h0[:, None], c0))


def test_layer_is_the_cell_unrolled_and_stacked():
    lstm = LSTM(3, 4, num_layers=2, seed=2)
    cells = []
    for layer in range(2):
        cell = LSTMCell(3 if layer == 0 else 4, 4)
        cell.load_state_dict({k[: -3]: v for k, v in lstm.state_dict().items()
                              if k.endswith(f"_l{layer}")})
        cells.append(cell)
    x = RNG.normal(size=(5, 2, 3))
    out, (h_n, c_n) = lstm(x)
    states = [(np.zeros((2, 4)), np.zeros((2, 4))) for _ in cells]
    for t in range(5):
        inp = x[t]
        for k, cell in enumerate(cells):
            states[k] = cell(inp, states[k])
            inp = states[k][0]
        assert np.allclose(out[t], inp, atol=1e-14)
    assert np.allclose(h_n, [s[0] for s in states]) and np.allclose(c_n, [s[1] for s in states])


def test_reverse_direction_reads_the_sequence_backwards():
    gru = GRU(2, 3, bidirectional=True, seed=3)
    x = RNG.normal(size=(5, 2, 2))
    out, h_n = gru(x)
    cell = GRUCell(2, 3)
    cell.load_state_dict({k.replace("_l0_reverse", ""): v for k, v in gru.state_dict().items()
                          if k.endswith("_reverse")})
    h = np.zeros((2, 3))
    for t in range(4, -1, -1):
        h = cell(x[t], h)
        assert np.allclose(out[t, :, 3:], h)
    assert np.allclose(h_n[1], h) and np.allclose(h_n[0], out[-1, :, :3])


def test_rnn_relu_positional_arguments_like_pytorch():
    rnn = RNN(2, 3, 2, "relu", False, True, seed=0)
    assert rnn.nonlinearity == "relu" and not rnn.bias and rnn.batch_first
    assert rnn.parameter_names() == ["weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"]
    out, h_n = rnn(RNG.normal(size=(2, 4, 2)))
    assert np.all(out >= 0) and h_n.shape == (2, 2, 3)


def test_state_dict_order_and_round_trip():
    lstm = LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=1, seed=0)
    names = lstm.parameter_names()
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert names[5] == "weight_ih_l0_reverse"
    other = LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=1, seed=1)
    other.load_state_dict(lstm.state_dict())
    x = RNG.normal(size=(3, 1, 2))
    assert np.array_equal(other(x)[0], lstm(x)[0])


def test_load_state_dict_names_every_problem(tmp_path):
    gru = GRU(2, 3, seed=0)
    state = gru.state_dict()
    state.pop("bias_hh_l0")
    state["weight_ih_l0"] = np.zeros((3, 2))
    state["weight_ih_l1"] = np.zeros((9, 3))
    np.savez(tmp_path / "model.npz", **state)
    before = gru.weight_hh_l0.copy()
    with pytest.raises(StateDictError) as info:
        gru.load_state_dict(np.load(tmp_path / "model.npz"))
    message = str(info.value)
    assert "missing keys: bias_hh_l0" in message
    assert "unexpected keys: weight_ih_l1" in message
    assert "weight_ih_l0 has shape (3, 2), expected (9, 2)" in message
    assert isinstance(info.value, ValueError)
    assert np.array_equal(gru.weight_hh_l0, before)


def test_load_from_npz_file(tmp_path):
    lstm = LSTM(2, 3, seed=0)
    np.savez(tmp_path / "w.npz", **lstm.state_dict())
    fresh = LSTM(2, 3, seed=9).load_state_dict(np.load(tmp_path / "w.npz"))
    assert np.array_equal(fresh.weight_hh_l0, lstm.weight_hh_l0)


def test_constructor_errors_like_pytorch():
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        LSTM(2, 3, proj_size=3)
    with pytest.raises(ValueError, match="dropout"):
        GRU(2, 3, 2, dropout=0.5)
    with pytest.raises(ValueError, match=r"input must be \(T, N, 2\)"):
        GRU(2, 3)(np.zeros((4, 1, 3)))
    with pytest.raises(RuntimeError, match="forward call first"):
        RNN(2, 3).backward(np.zeros((1, 1, 3)))


def test_float32_layer():
    lstm = LSTM(3, 4, dtype="float32", seed=0)
    out, (h, c) = lstm(RNG.normal(size=(5, 2, 3)))
    assert out.dtype == h.dtype == c.dtype == np.float32
    grads = lstm.backward(np.ones_like(out))
    assert grads["weight_ih_l0"].dtype == np.float32


def test_lstm_variant_layers_run_and_name_their_extras():
    lstm = LSTM(2, 3, num_layers=2, bidirectional=True, variant="fgr", seed=0)
    assert lstm.weight_fgr_l1_reverse.shape == (9, 9)
    assert lstm.weight_co_l0.shape == (3,)
    out, (h_n, c_n) = lstm(RNG.normal(size=(4, 2, 2)))
    assert out.shape == (4, 2, 6) and h_n.shape == (4, 2, 3)
    assert LSTM(2, 3, variant="nig").weight_ih_l0.shape == (9, 2)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("N", [1, 3])
def test_saturated_gates_stay_finite_and_silent(dtype, N):
    lstm = LSTM(1, 2, seed=0, dtype=dtype)
    lstm.weight_ih_l0 = np.full((8, 1), 1e4, dtype)
    with np.errstate(all="raise"):
        out, (h, c) = lstm(np.repeat(np.array([[[1.0]], [[-1.0]]]), N, axis=1))
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(c))
    # x = 1: i = f = o = 1, g = 1; x = −1: i = f = o = 0, g = −1
    assert np.allclose(out[0], np.tanh(1.0)) and np.allclose(out[1], 0.0)


def test_importing_the_engine_imports_neither_torch_nor_textual():
    import subprocess
    import sys

    code = ("import sys, studydeck.engine; "
            "bad = [m for m in ('torch', 'textual') if m in sys.modules]; "
            "sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0



@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, False), (2, True)])
def test_outputs_and_gradients_survive_later_calls_and_input_edits(cls, layers, bidirectional):
    """The layer keeps its input and lower layers' outputs in reused memory: what it
    returns is the caller's, a later call changes none of it, and editing the input
    after the forward pass leaves the backward pass's gradients alone."""
    rng = np.random.default_rng(3)
    layer = cls(3, 4, num_layers=layers, bidirectional=bidirectional, seed=0)
    x = rng.normal(size=(5, 2, 3))
    out, _ = layer(x)
    grad = rng.normal(size=out.shape)
    expected = layer.backward(grad)
    kept = out.copy()
    x[...] = rng.normal(size=x.shape)  # the caller reuses its buffer
    edited = layer.backward(grad)
    for name, value in expected.items():
        assert np.array_equal(edited[name], value), name
    layer(rng.normal(size=(5, 2, 3)))  # a second call with other data
    assert np.array_equal(out, kept)
