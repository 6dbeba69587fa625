"""The written backward pass (drills.written_grad) against the engine's backward and its own bound."""

from __future__ import annotations

import random

import numpy as np

from studydeck.drills import rounding, written_grad
from studydeck.engine import GRUCell, LSTMCell


def _cell(cls, seed):
    rng = np.random.default_rng(seed)
    cell = cls(3, 2, rng=rng)
    cell.load_state_dict({k: np.round(rng.uniform(-1, 1, v.shape), 1)
                          for k, v in cell.state_dict().items()})
    return cell, rng


def _close(nums, engine):
    np.testing.assert_allclose([n.shown for n in nums], np.asarray(engine, float), atol=1e-9)
    np.testing.assert_allclose([n.exact for n in nums], np.asarray(engine, float), atol=1e-12)


def _lstm(seed, ar):
    cell, rng = _cell(LSTMCell, seed)
    x, h, c = (np.round(rng.uniform(-1, 1, n), 1) for n in (3, 2, 2))
    dh, dc = np.round(rng.uniform(-1, 1, 2), 1), np.round(rng.uniform(-1, 1, 2), 1)
    tr = cell.trace(x, (h, c))
    cell(x, (h, c))
    grads = cell.backward(dh, dc)
    ex = rounding.exacts
    out = written_grad.lstm_back(*(ex(tr[q]) for q in "ifgo"), ex(c), ex(tr["c"]), ex(dh), ex(dc),
                                 ar, W_hh=cell.weight_hh)
    return out, grads


def _gru(seed, ar):
    cell, rng = _cell(GRUCell, seed)
    x, h, dh = (np.round(rng.uniform(-1, 1, n), 1) for n in (3, 2, 2))
    tr = cell.trace(x, h)
    cell(x, h)
    grads = cell.backward(dh)
    ex = rounding.exacts
    out = written_grad.gru_back(ex(tr["r"]), ex(tr["z"]), ex(tr["n"]), ex(h), ex(tr["a_n_h"]),
                                ex(dh), ar, W_hh=cell.weight_hh)
    return out, grads


def test_lstm_backward_without_rounding_is_the_engine():
    for seed in range(6):
        out, grads = _lstm(seed, rounding.Arithmetic(places=14))
        _close(out["dc_prev"], grads["c_prev"])
        _close(out["dh_prev"], grads["h_prev"])
        for k, q in enumerate("ifgo"):
            _close(out["da_" + q], grads["bias_ih"][2 * k:2 * k + 2])


def test_gru_backward_without_rounding_is_the_engine():
    for seed in range(6):
        out, grads = _gru(seed, rounding.Arithmetic(places=14))
        _close(out["dh_prev"], grads["h_prev"])
        for k, q in enumerate("rzn"):
            _close(out["da_" + q], grads["bias_ih"][2 * k:2 * k + 2])
        _close(out["r_da_n"], grads["bias_hh"][4:6])


def test_written_values_stay_within_their_bound():
    """Each value the solution writes lies within its own reach of the exact value."""
    for seed in range(20):
        for back in (_lstm, _gru):
            out, _ = back(seed, rounding.Arithmetic(random.Random(seed).choice([4, 5])))
            for values in out.values():
                for n in (v for row in values for v in (row if isinstance(row, list) else [row])):
                    assert abs(n.shown - n.exact) <= n.reach() + 1e-12
