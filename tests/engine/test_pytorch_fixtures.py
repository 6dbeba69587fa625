"""Agreement with PyTorch via committed fixtures (made by make_fixtures.py; torch not needed).

Forward outputs and final states to 1e-10, gradients to 1e-8, in float64.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from studydeck import engine

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.stem for p in FIXTURES.glob("*.npz") if p.stem != "counts")
KINDS = ("lstm", "gru", "rnn")


def _load(name):
    with np.load(FIXTURES / f"{name}.npz") as data:
        return {k: data[k] for k in data.files}


def _build(data):
    config = json.loads(str(data["config"]))
    cls = getattr(engine, config.pop("class"))
    config.pop("unbatched", None)
    suffix = "" if cls.__name__.endswith("Cell") else "_l0"
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[cls.__name__.removesuffix("Cell")]
    D, H = data["x"].shape[-1], data["param/weight_ih" + suffix].shape[0] // gates
    module = cls(D, H, **config, seed=0)
    params = {k[len("param/"):]: v for k, v in data.items() if k.startswith("param/")}
    module.load_state_dict(params)
    return module, params


def test_there_are_fixtures_for_every_kind():
    assert len(CASES) >= 20
    for kind in KINDS:
        assert any(c.startswith(kind) for c in CASES)
        assert f"{kind}_cell" in CASES


@pytest.mark.parametrize("name", CASES)
def test_forward_and_gradients_match_pytorch(name):
    data = _load(name)
    module, params = _build(data)
    lstm = isinstance(module, (engine.LSTM, engine.LSTMCell))
    cell = "cell" in name
    states = (data["h0"], data["c0"]) if lstm else data["h0"]
    result = module(data["x"], states)
    if cell:
        outputs = list(result) if lstm else [result]
    else:
        out, fin = result
        outputs = [out] + (list(fin) if lstm else [fin])
    for k, value in enumerate(outputs):
        expected = data[f"out/{k}"]
        assert value.shape == expected.shape
        np.testing.assert_allclose(value, expected, rtol=0, atol=1e-10)
    weights = [data[f"loss/{k}"] for k in range(len(outputs))]
    grads = module.backward(*weights)
    state_keys = {"h0": "h_prev", "c0": "c_prev"} if cell else {"h0": "h0", "c0": "c0"}
    for pname in params:
        np.testing.assert_allclose(grads[pname], data["grad/" + pname], rtol=0, atol=1e-8,
                                   err_msg=pname)
    np.testing.assert_allclose(grads["input"], data["grad/input"], rtol=0, atol=1e-8)
    for key, ours in state_keys.items():
        if "grad/" + key in data:
            np.testing.assert_allclose(grads[ours], data["grad/" + key], rtol=0, atol=1e-8)


def test_parameter_counts_match_pytorch():
    with np.load(FIXTURES / "counts.npz") as data:
        configs, counts = data["configs"], data["counts"]
    assert len(counts) > 50
    for (kind, D, H, L, bias, bidir, proj), expected in zip(configs, counts):
        args = dict(num_layers=int(L), bias=bool(bias), bidirectional=bool(bidir))
        if proj:
            args["proj_size"] = int(proj)
        name = KINDS[kind]
        assert engine.count_parameters_for(name, int(D), int(H), **args) == expected
        layer = getattr(engine, name.upper())(int(D), int(H), **args)
        assert engine.count_parameters(layer) == expected


def test_parameter_counts_against_live_torch():
    torch = pytest.importorskip("torch")
    for D, H, L, bidir, proj in ((5, 6, 2, True, 4), (2, 9, 3, False, 1), (8, 3, 1, True, 0)):
        module = torch.nn.LSTM(D, H, L, bidirectional=bidir, proj_size=proj)
        expected = sum(p.numel() for p in module.parameters())
        assert engine.count_parameters_for("lstm", D, H, L, True, bidir, proj) == expected
        ours = engine.LSTM(D, H, L, bidirectional=bidir, proj_size=proj)
        assert ours.parameter_shapes() == {k: tuple(v.shape) for k, v in module.state_dict().items()}
