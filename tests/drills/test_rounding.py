"""The written path of a step (rounding.Num, drills.written) against the engine and its own bound."""

from __future__ import annotations

import random

import numpy as np
import pytest

from studydeck.drills import rounding, written
from studydeck.engine import VARIANT_NAMES, GRUCell, LSTMCell, RNNCell


def _cell(cls, seed, **kw):
    rng = np.random.default_rng(seed)
    cell = cls(3, 2, rng=rng, **kw)
    cell.load_state_dict({k: np.round(rng.uniform(-1, 1, v.shape), 1)
                          for k, v in cell.state_dict().items()})
    return cell, np.round(rng.uniform(-1, 1, 3), 1), np.round(rng.uniform(-1, 1, 2), 1)


def _close(nums, engine, atol=1e-9):
    np.testing.assert_allclose([n.shown for n in nums], np.asarray(engine, float), atol=atol)
    np.testing.assert_allclose([n.exact for n in nums], np.asarray(engine, float), atol=1e-12)


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_lstm_written_path_without_rounding_is_the_engine(variant):
    ar = rounding.Arithmetic(places=14)  # rounding far below the values: the exact step
    for seed in range(5):
        cell, x, h = _cell(LSTMCell, seed, variant=variant)
        c = np.round(np.random.default_rng(seed + 9).uniform(-1.5, 1.5, 2), 1)
        q0 = np.round(np.random.default_rng(seed + 5).uniform(0, 1, 6), 1)
        tr = cell.trace(x, (h, c), gates_prev=q0 if cell.variant.fgr else None)
        nums = written.lstm(cell, x, rounding.exacts(h), rounding.exacts(c), ar,
                            gates_prev=rounding.exacts(q0) if cell.variant.fgr else None)
        for key in ("i", "f", "g", "o", "c", "tanh_c", "h"):
            _close(nums[key], tr[key])


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_and_rnn_written_paths_without_rounding_are_the_engine(reset_after):
    ar = rounding.Arithmetic(places=14)
    for seed in range(5):
        cell, x, h = _cell(GRUCell, seed, reset_after=reset_after)
        tr, nums = cell.trace(x, h), written.gru(cell, x, rounding.exacts(h), ar)
        for key in ("r", "z", "n", "h", "a_n_x", "a_n_h"):
            _close(nums[key], tr[key])
        rnn, x, h = _cell(RNNCell, seed)
        _close(written.rnn(rnn, x, rounding.exacts(h), ar)["h"], rnn.trace(x, h)["h"])


def test_exact_products_need_no_rounding_and_a_gate_rounds_once():
    ar = rounding.Arithmetic(4)
    p = ar.mul(rounding.exact(0.3), rounding.exact(-0.7))
    assert p.shown == pytest.approx(-0.21) and p.reach() == 0
    s = ar.sigmoid(rounding.exact(0.41))
    assert s.shown == 0.6011 and s.reach() == pytest.approx(0.5e-4)
    # z enters (1 − z)·n + z·h twice; the bound knows it is one number
    n, h = rounding.exact(-0.5), rounding.exact(0.3)
    out = ar.add(ar.mul(ar.sub(rounding.ONE, s), n), ar.mul(s, h))
    interval_like = 0.5e-4 * (abs(n.exact) + abs(h.exact))
    assert out.reach() < interval_like + 4 * 0.5e-4


def test_bound_holds_for_random_rounding_of_a_chain():
    """Every value of the chain rounded at random to 4+ decimals stays within the bound."""
    ar = rounding.Arithmetic(4)
    rng = random.Random(3)
    for _ in range(300):
        a, b, c0, w = (round(rng.uniform(-1, 1), 1) for _ in range(4))
        # the written chain: f = σ(a), g = tanh(b), c = f·c0 + f·g, h = σ(w·c)·tanh(c)
        f = ar.sigmoid(rounding.exact(a))
        g = ar.tanh(rounding.exact(b))
        c = ar.add(ar.mul(f, rounding.exact(c0)), ar.mul(f, g))
        h = ar.mul(ar.sigmoid(ar.mul(rounding.exact(w), c)), ar.tanh(c))

        def r(v):
            k = rng.choice([4, 5, 6, None])
            return v if k is None else round(v, k)
        sf, sg = r(1 / (1 + np.exp(-a))), r(np.tanh(b))
        sc = r(r(sf * c0) + r(sf * sg))
        sh = r(r(1 / (1 + np.exp(-r(w * sc)))) * r(np.tanh(sc)))
        assert abs(sh - h.exact) <= h.reach() + 1e-12
        assert abs(sc - c.exact) <= c.reach() + 1e-12


def test_tolerance_adds_half_a_unit_to_the_reach():
    ar = rounding.Arithmetic(4)
    s = ar.sigmoid(rounding.exact(0.41))
    tol = rounding.tolerance(3, [s.exact], [s])
    assert tol == pytest.approx(0.5e-3 + 0.5e-4, abs=1e-8)
    with pytest.raises(ValueError):
        rounding.tolerance(3, [1.0, 2.0], [s])
