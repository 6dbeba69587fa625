"""The new kinds' answers (from the engine) against PyTorch's, from committed fixtures.

tests/drills/make_drill_fixtures.py computed each case's answer with torch from
the question's given values; here the question is generated again and its
answer compared.  torch is not imported.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from studydeck.drills import generate

from .fixture_hash import given_hash

FIXTURE = Path(__file__).parent / "fixtures" / "drill_answers.npz"


def _cases():
    with np.load(FIXTURE) as data:
        metas = json.loads(str(data["meta"]))
        answers, offsets = data["answers"], data["offsets"]
        return [(m, answers[offsets[n]:offsets[n + 1]]) for n, m in enumerate(metas)]


CASES = _cases()


def _flat(answer):
    if isinstance(answer, list):
        return np.concatenate([np.ravel(np.asarray(v, float)) for v in answer])
    return np.ravel(np.asarray(answer, float))


def test_every_new_kind_has_fixtures():
    kinds = {m["kind"] for m, _ in CASES}
    assert {f"greff.{v}" for v in ("nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr")} <= kinds
    assert {"backprop.lstm_cell_state", "backprop.lstm_hidden_state", "backprop.lstm_gate",
            "backprop.lstm_weight", "backprop.lstm_two_steps", "backprop.gru_hidden_state",
            "backprop.gru_gate", "backprop.gru_weight", "grad.forget_gate_extremes",
            "grad.exploding_vanishing", "grad.clip_norm"} <= kinds


@pytest.mark.parametrize("kind", sorted({m["kind"] for m, _ in CASES}))
def test_answers_match_pytorch(kind):
    for meta, expected in CASES:
        if meta["kind"] != kind:
            continue
        q = generate(kind, meta["seed"], meta["params"])
        where = f"{kind} seed {meta['seed']} {meta['params']}"
        assert given_hash(q.given) == meta["given_sha256"], (
            f"{where}: the question changed; rerun tests/drills/make_drill_fixtures.py")
        np.testing.assert_allclose(_flat(q.answer), expected, rtol=1e-9, atol=1e-12, err_msg=where)
