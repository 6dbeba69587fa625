"""The fast kernels' alternative paths agree: every batch size's matmul layout, joint
against split input projection, float32 against float64, and float32 against the
PyTorch fixtures with every result staying float32."""

import contextlib

import numpy as np
import pytest

from studydeck import engine
from studydeck.engine import GRU, LSTM, RNN
from studydeck.engine.kernels import lstm as lstm_kernel
from tests.engine.test_pytorch_fixtures import CASES, _build, _load

RNG = np.random.default_rng(7)


def _run(layer, x, grad):
    out, finals = layer(x)
    grads = layer.backward(grad)
    return out, finals, grads


def _assert_same(a, b, atol):
    out_a, fin_a, g_a = a
    out_b, fin_b, g_b = b
    np.testing.assert_allclose(out_a, out_b, rtol=0, atol=atol)
    for fa, fb in zip(np.atleast_1d(fin_a) if not isinstance(fin_a, tuple) else fin_a,
                      np.atleast_1d(fin_b) if not isinstance(fin_b, tuple) else fin_b):
        np.testing.assert_allclose(fa, fb, rtol=0, atol=atol)
    assert g_a.keys() == g_b.keys()
    for name in g_a:
        np.testing.assert_allclose(g_a[name], g_b[name], rtol=0, atol=atol * 100, err_msg=name)


@pytest.mark.parametrize("H", [6, 40])
@pytest.mark.parametrize("N", [1, 3, 8, 12])
def test_lstm_joint_and_split_projection_agree_with_the_cell(N, H, monkeypatch):
    """N = 1 (matrix-vector), 3 (per-step matmul), 8 and 12 (joint or split weight);
    H = 40 puts 160 gate rows in two row blocks, the second one partial."""
    assert 4 * 40 > lstm_kernel.ROW_BLOCK and 4 * 40 % lstm_kernel.ROW_BLOCK
    from studydeck.engine.kernels import lstm_small
    monkeypatch.setattr(lstm_small, "MAX_ROWS", 0)  # the general kernel's paths
    lstm = LSTM(5, H, seed=1)
    x = RNG.normal(size=(7, N, 5))
    grad = RNG.normal(size=(7, N, H))
    joint = _run(lstm, x, grad)
    monkeypatch.setattr(lstm_kernel, "CONCAT_MAX_BYTES", 0)
    split = _run(lstm, x, grad)
    _assert_same(joint, split, 1e-13)
    cell = engine.LSTMCell(5, H)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    h = c = np.zeros((N, H))
    for t in range(7):
        h, c = cell(x[t], (h, c))
        np.testing.assert_allclose(joint[0][t], h, rtol=0, atol=1e-13)


@pytest.mark.parametrize("variant", ["standard", "vanilla", "nig", "nfg", "nog", "niaf",
                                     "noaf", "cifg", "fgr"])
@pytest.mark.parametrize("N", [1, 3])
def test_lstm_scaled_steps_agree_with_scaled_weights(variant, N, monkeypatch):
    """The split path scales its weights when T·N ≥ D + H, else each step's pre-activations:
    a short prefix of a sequence takes the second way and must give the first way's outputs."""
    from studydeck.engine.kernels import lstm_small
    monkeypatch.setattr(lstm_small, "MAX_ROWS", 0)
    monkeypatch.setattr(lstm_kernel, "CONCAT_MAX_BYTES", 0)
    D, H, T = 5, 40, 50
    assert T * N >= D + H > 4 * N
    lstm = LSTM(D, H, seed=2, variant=variant)
    x = RNG.normal(size=(T, N, D))
    whole = _run(lstm, x, RNG.normal(size=(T, N, H)))
    for no_grad in (False, True):
        with engine.no_grad() if no_grad else contextlib.nullcontext():
            prefix = lstm(x[:4])[0]
        np.testing.assert_allclose(prefix, whole[0][:4], rtol=0, atol=1e-13)


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
@pytest.mark.parametrize("N", [1, 3, 9])
def test_float32_follows_float64(cls, N):
    ref = cls(4, 5, num_layers=2, bidirectional=True, seed=3)
    f32 = cls(4, 5, num_layers=2, bidirectional=True, dtype=np.float32, seed=3)
    f32.load_state_dict(ref.state_dict())
    x = RNG.normal(size=(6, N, 4))
    grad = RNG.normal(size=(6, N, 10))
    a, b = _run(ref, x, grad), _run(f32, x.astype(np.float32), grad.astype(np.float32))
    assert b[0].dtype == np.float32
    assert all(g.dtype == np.float32 for g in b[2].values())
    _assert_same(a, b, 2e-5)


@pytest.mark.parametrize("name", [c for c in CASES if "cell" not in c])
def test_float32_matches_pytorch_fixtures(name):
    """The float64 fixtures, run in float32: close to PyTorch and float32 throughout."""
    data = _load(name)
    module, params = _build(data)
    f32 = type(module)(*_sizes(module), **_config(module), dtype=np.float32, seed=0)
    f32.load_state_dict(params)
    lstm = isinstance(module, engine.LSTM)
    cast = {k: v.astype(np.float32) for k, v in data.items() if k != "config"}
    states = (cast["h0"], cast["c0"]) if lstm else cast["h0"]
    out, fin = f32(cast["x"], states)
    outputs = [out] + (list(fin) if lstm else [fin])
    for k, value in enumerate(outputs):
        assert value.dtype == np.float32
        np.testing.assert_allclose(value, data[f"out/{k}"], rtol=0, atol=2e-6)
    grads = f32.backward(*[cast[f"loss/{k}"] for k in range(len(outputs))])
    for pname in params:
        assert grads[pname].dtype == np.float32, pname
        np.testing.assert_allclose(grads[pname], data["grad/" + pname], rtol=0, atol=2e-5,
                                   err_msg=pname)
    assert grads["input"].dtype == np.float32
    np.testing.assert_allclose(grads["input"], data["grad/input"], rtol=0, atol=2e-5)


def _sizes(module):
    return module.input_size, module.hidden_size


def _config(module):
    config = {"num_layers": module.num_layers, "bias": module.bias,
              "batch_first": module.batch_first, "bidirectional": module.bidirectional}
    if isinstance(module, engine.LSTM):
        config["proj_size"] = module.proj_size
    if isinstance(module, engine.RNN):
        config["nonlinearity"] = module.nonlinearity
    return config


@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-13), (np.float32, 2e-6)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("N, H", [(1, 5), (2, 3), (5, 16), (12, 8)])
def test_small_lstm_kernel_agrees_with_the_general_kernel(N, H, bias, dtype, atol, monkeypatch):
    """The batch-minor kernel (standard cell, 4H ≤ MAX_ROWS) against the
    general one: outputs, final states, every gradient, the recorded dL/dh_t."""
    from studydeck.engine.kernels import lstm_small
    assert lstm_small.usable(LSTM(4, H).variant, LSTM(4, H).direction_params(0, 0), N, 8)
    lstm = LSTM(4, H, num_layers=2, bias=bias, bidirectional=True, dtype=dtype, seed=2)
    x = RNG.normal(size=(9, N, 4)).astype(dtype)
    states = tuple(RNG.normal(size=(4, N, H)).astype(dtype) for _ in range(2))
    grads_out = [RNG.normal(size=s).astype(dtype) for s in ((9, N, 2 * H), (4, N, H), (4, N, H))]

    def run():
        out, finals = lstm(x, states)
        grads = lstm.backward(*grads_out)
        lstm._backward(grads_out[0], (None, None), record=True)
        hidden = {k: v.copy() for k, v in lstm.hidden_grads.items()}
        return out, finals, grads, hidden

    small = run()
    assert small[0].dtype == dtype and all(g.dtype == dtype for g in small[2].values())
    monkeypatch.setattr(lstm_small, "MAX_ROWS", 0)
    general = run()
    _assert_same(small[:3], general[:3], atol)
    for key in general[3]:
        np.testing.assert_allclose(small[3][key], general[3][key], rtol=0, atol=atol * 100)


def test_small_lstm_kernel_is_only_for_the_standard_cell():
    from studydeck.engine.kernels import lstm_small
    for variant in ("vanilla", "nig", "nfg", "nog", "niaf", "noaf", "cifg", "fgr"):
        layer = LSTM(4, 8, variant=variant)
        assert not lstm_small.usable(layer.variant, layer.direction_params(0, 0), 8, 8)
    projected = LSTM(4, 8, proj_size=3)
    assert not lstm_small.usable(projected.variant, projected.direction_params(0, 0), 8, 8)
    wide = LSTM(4, 65)
    assert not lstm_small.usable(wide.variant, wide.direction_params(0, 0), 8, 8)
