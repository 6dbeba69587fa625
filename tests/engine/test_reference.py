"""The fast kernels and the step-by-step reference path give the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from studydeck.engine import GRU, LSTM, RNN
from studydeck.engine.reference import forward

CONFIGS = [
    dict(num_layers=1), dict(num_layers=2), dict(bidirectional=True), dict(num_layers=2, bidirectional=True),
    dict(bias=False),
]


def _check(layer, T=5, D=3, seed=0, with_state=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, D))
    hx = None
    if with_state:
        L = layer.num_layers * layer.num_directions
        h0 = rng.standard_normal((L, layer.output_size))
        hx = (h0, rng.standard_normal((L, layer.hidden_size))) if layer.kind == "lstm" else h0
    fast_out, fast_state = layer(x, hx)
    ref_out, ref_state = forward(layer, x, hx)
    np.testing.assert_allclose(fast_out, ref_out, rtol=0, atol=1e-12)
    if layer.kind != "lstm":
        fast_state, ref_state = (fast_state,), (ref_state,)
    for a, b in zip(fast_state, ref_state, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_kernels_equal_the_reference(config, with_state):
    _check(LSTM(3, 4, seed=1, **config), with_state=with_state)


@pytest.mark.parametrize("with_state", [False, True])
def test_projected_lstm_equals_the_reference(with_state):
    _check(LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2, seed=2), with_state=with_state)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("with_state", [False, True])
def test_gru_kernels_equal_the_reference(config, with_state):
    _check(GRU(3, 4, seed=3, **config), with_state=with_state)


def test_reset_before_gru_equals_the_reference():
    _check(GRU(3, 4, num_layers=2, bidirectional=True, reset_after=False, seed=6), with_state=True)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("config", CONFIGS)
def test_rnn_kernels_equal_the_reference(nonlinearity, config):
    _check(RNN(3, 4, nonlinearity=nonlinearity, seed=4, **config), with_state=True)


def test_the_reference_would_catch_a_wrong_gate_order():
    layer = LSTM(3, 4, seed=5)
    x = np.random.default_rng(0).standard_normal((4, 3))
    fast, _ = layer(x)
    W = layer.weight_ih_l0.copy()
    H = 4
    layer.weight_ih_l0 = np.concatenate([W[H:2 * H], W[:H], W[2 * H:]])  # i and f swapped
    swapped, _ = forward(layer, x)
    assert np.abs(fast - swapped).max() > 1e-3
