"""no_grad(): the same forward numbers, nothing kept for backward, the mode restored."""

import numpy as np
import pytest

from studydeck.engine import GRU, LSTM, RNN, VARIANT_NAMES, Linear, is_grad_enabled, no_grad
from studydeck.engine.kernels import lstm as lstm_kernel

# (layer, N): N = 1 and 3 take the split path of the general LSTM kernel, N = 8 the joint
# [h, x, 1] path; H = 4 takes the small-cell kernel, H = 70 (4H > 256) the general one.
CASES = [
    ("lstm small", lambda dtype: LSTM(3, 4, num_layers=2, bidirectional=True, dtype=dtype, seed=0), (1, 3, 8)),
    ("lstm general", lambda dtype: LSTM(3, 70, num_layers=2, bidirectional=True, dtype=dtype, seed=0), (1, 3, 8)),
    ("lstm proj", lambda dtype: LSTM(3, 6, proj_size=4, num_layers=2, dtype=dtype, seed=0), (1, 8)),
    ("gru", lambda dtype: GRU(3, 5, num_layers=2, bidirectional=True, dtype=dtype, seed=0), (1, 8)),
    ("gru reset-before", lambda dtype: GRU(3, 5, reset_after=False, dtype=dtype, seed=0), (2,)),
    ("rnn", lambda dtype: RNN(3, 5, num_layers=2, nonlinearity="relu", dtype=dtype, seed=0), (2,)),
    ("rnn bi", lambda dtype: RNN(3, 5, num_layers=2, bidirectional=True, dtype=dtype, seed=0), (2,)),
] + [(f"lstm {name}", lambda dtype, name=name: LSTM(3, 5, variant=name, dtype=dtype, seed=0), (1, 8))
     for name in VARIANT_NAMES]


def _as_list(result):
    out, states = result
    return [out, *(states if isinstance(states, tuple) else (states,))]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, make, batches", CASES, ids=[c[0] for c in CASES])
def test_no_grad_gives_the_same_numbers_and_keeps_nothing(name, make, batches, dtype):
    layer = make(dtype)
    rng = np.random.default_rng(1)
    for N in batches:
        x = rng.normal(size=(6, N, 3)).astype(dtype)
        expected = _as_list(layer(x))
        grads = layer.backward(np.ones_like(expected[0]))
        with no_grad():
            got = _as_list(layer(x))
            again = _as_list(layer(x))  # the small buffers, used a second time
        for a, b, c in zip(expected, got, again, strict=True):
            assert np.array_equal(a, b) and np.array_equal(a, c), (name, N)
        with pytest.raises(RuntimeError, match="no_grad"):
            layer.backward(np.ones_like(expected[0]))
        assert np.array_equal(_as_list(layer(x))[0], expected[0])  # grad mode again: all kept
        assert all(np.array_equal(v, grads[k]) for k, v in layer.backward(np.ones_like(expected[0])).items())


def test_the_split_path_keeps_its_projection_and_the_joint_path_two_steps(monkeypatch):
    """Under no_grad the joint path's gates take two steps; the split path still needs
    every step's input projection (the reason it keeps them)."""
    layer = LSTM(3, 70, seed=0)
    x = np.random.default_rng(2).normal(size=(9, 8, 3))
    expected = layer(x)[0]
    with no_grad():
        assert np.array_equal(layer(x)[0], expected)
    buffers = layer._workspaces[(0, 0)]._arrays  # noqa: SLF001
    assert buffers["gates, no_grad"].shape == (2, 8, 280) and buffers["Cs, no_grad"].shape == (2, 8, 70)
    monkeypatch.setattr(lstm_kernel, "CONCAT_MIN_BATCH", 10**9)  # force the split path
    with no_grad():
        assert np.allclose(layer(x)[0], expected, rtol=0, atol=1e-14)


def test_linear_under_no_grad():
    linear = Linear(3, 2, seed=0)
    x = np.ones((4, 3))
    y = linear(x)
    with no_grad():
        assert np.array_equal(linear(x), y)
    with pytest.raises(RuntimeError, match="no_grad"):
        linear.backward(np.ones((4, 2)))
    linear(x)
    assert linear.backward(np.ones((4, 2)))["input"].shape == (4, 3)


def test_the_mode_nests_and_comes_back_after_an_error():
    assert is_grad_enabled()
    with pytest.raises(ValueError):
        with no_grad():
            assert not is_grad_enabled()
            with no_grad():
                assert not is_grad_enabled()
            assert not is_grad_enabled()
            raise ValueError("inside")
    assert is_grad_enabled()


@pytest.mark.parametrize("dtype, atol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_under_no_grad_projects_a_chunk_of_steps_at_a_time(dtype, atol, reset_after):
    """90 steps of a batch of 20 come in chunks of 25 steps: the input side of each
    chunk is one product, the numbers those of the whole sequence's product (a BLAS
    may round a smaller product differently in the last bit, hence the tolerance)."""
    from studydeck.engine.kernels import gru as gru_kernel

    layer = GRU(5, 7, num_layers=2, bidirectional=True, dtype=dtype, seed=0, reset_after=reset_after)
    x = np.random.default_rng(0).normal(size=(90, 20, 5)).astype(dtype)
    expected, h_n = layer(x)
    with no_grad():
        got, got_h = layer(x)
    assert gru_kernel.PROJECTION_ROWS // 20 == 25
    np.testing.assert_allclose(got, expected, rtol=0, atol=atol)
    np.testing.assert_allclose(got_h, h_n, rtol=0, atol=atol)
    chunk = layer._workspaces[(0, 0)]._arrays["XN, no_grad"]  # noqa: SLF001
    assert chunk.shape == (25, 20, 7)


@pytest.mark.parametrize("variant", ["standard", "fgr", "vanilla"])
def test_lstm_split_path_under_no_grad_projects_a_chunk_of_steps_at_a_time(variant):
    """N = 3 takes the split path: 300 steps in chunks of 170 (FGR keeps every step,
    since a new chunk would overwrite the step before, which it reads)."""
    layer = LSTM(4, 70, variant=variant, seed=0)
    x = np.random.default_rng(5).normal(size=(300, 3, 4))
    expected, (h_n, c_n) = layer(x)
    with no_grad():
        got, (got_h, got_c) = layer(x)
    for a, b in ((got, expected), (got_h, h_n), (got_c, c_n)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    buffers = layer._workspaces[(0, 0)]._arrays  # noqa: SLF001
    assert ("gates, no_grad" in buffers) == (variant != "fgr")
    if variant != "fgr":
        assert buffers["gates, no_grad"].shape == (170, 3, 280)


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_an_output_under_no_grad_is_the_callers(cls, bidirectional):
    """Under no_grad a one-direction kernel writes h straight into the layer's output;
    the last layer's output is new at every call, so a later call leaves it alone."""
    layer = cls(3, 4, num_layers=2, bidirectional=bidirectional, seed=0)
    rng = np.random.default_rng(4)
    with no_grad():
        first, _ = layer(rng.normal(size=(7, 2, 3)))
        kept = first.copy()
        layer(rng.normal(size=(7, 2, 3)))
    assert np.array_equal(first, kept) and first.shape == (7, 2, 8 if bidirectional else 4)
