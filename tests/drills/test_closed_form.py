"""Every kind's answer (from the engine) against an independent closed form, over many seeds."""

from __future__ import annotations

import numpy as np
import pytest

from studydeck.drills import KINDS, generate

from .drill_closed_form import expected

SEEDS = range(40)

# extra parameter sets, so sizes up to 3 and every cell/convention choice are covered
EXTRA = {
    "lstm.step": [{"input_size": 3, "hidden_size": 3}],
    "lstm.two_steps": [{"input_size": 3, "hidden_size": 3}],
    "gru.reset_before": [{"input_size": 3, "hidden_size": 3}],
    "variant.peephole_step": [{"input_size": 3, "hidden_size": 3}],
    "bidir.output_concat": [{"cell": "gru", "hidden_size": 2}, {"cell": "lstm", "input_size": 2},
                            {"cell": "rnn", "seq_len": 3, "t": 2}],
    "params.stacked": [{"cell": "lstm", "num_layers": 4}, {"cell": "gru"}],
    "params.bidirectional": [{"cell": "lstm", "num_layers": 3}],
    "params.proj_size": [{"num_layers": 2, "bidirectional": True}],
    "params.lstm": [{"bias": False}],
    "shapes.lstm": [{"batch_first": True, "proj_size": 0}, {"bidirectional": True, "num_layers": 3}],
    "grad.steps_below_threshold": [{"factor": "sigmoid", "threshold": 1e-5},
                                   {"factor": "forget", "threshold": 0.05}],
    "macs.gru": [{"batch": 32}],
}


def _close(got, want, kind):
    if isinstance(want, (int, np.integer)) and not isinstance(want, bool):
        assert got == want, kind
    elif isinstance(want, list) and want and isinstance(want[0], list) and isinstance(want[0][0], int):
        assert got == want, kind
    else:
        np.testing.assert_allclose(_flat(got), _flat(want), rtol=1e-12, atol=1e-12, err_msg=kind)


def _flat(value):
    """All numbers in order (answers may hold vectors of different lengths)."""
    if isinstance(value, (list, tuple)):
        return np.concatenate([_flat(v) for v in value]) if value else np.zeros(0)
    return np.ravel(np.asarray(value, float))


@pytest.mark.parametrize("kind", list(KINDS))
def test_engine_answer_matches_closed_form(kind):
    cases = [({}, s) for s in SEEDS] + [(p, s) for p in EXTRA.get(kind, []) for s in range(10)]
    for params, seed in cases:
        q = generate(kind, seed, params)
        _close(q.answer, expected(kind, q), f"{kind} seed {seed} {params}")
