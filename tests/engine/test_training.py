"""Linear, the losses, the optimizers and clipping against PyTorch fixtures.

The fixtures come from make_training_fixtures.py; torch is not needed here.
Twenty optimizer steps of a recurrent layer + Linear must end on PyTorch's
parameters to 1e-10 in float64.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from studydeck import engine
from studydeck.engine.functional import cross_entropy, mse_loss

FIXTURES = Path(__file__).parent / "fixtures" / "training"
TRAINING = sorted(p.stem for p in FIXTURES.glob("train_*.npz"))


def _load(name):
    with np.load(FIXTURES / f"{name}.npz") as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("name", ["linear", "linear_no_bias"])
def test_linear_forward_and_backward_match_pytorch(name):
    data = _load(name)
    bias = "param/bias" in data
    layer = engine.Linear(5, 3, bias=bias, seed=0)
    layer.load_state_dict({k[6:]: v for k, v in data.items() if k.startswith("param/")})
    np.testing.assert_allclose(layer(data["x"]), data["y"], rtol=0, atol=1e-12)
    grads = layer.backward(data["dy"])
    assert set(grads) == ({"weight", "bias", "input"} if bias else {"weight", "input"})
    for key in grads:
        np.testing.assert_allclose(grads[key], data["grad/" + key], rtol=0, atol=1e-12)


def test_linear_init_is_pytorchs_uniform_bound_and_seeded():
    layer = engine.Linear(16, 300, seed=4)
    k = 1 / 4
    for p in (layer.weight, layer.bias):
        assert np.all(np.abs(p) <= k) and np.abs(p).max() > 0.9 * k
    assert np.array_equal(engine.Linear(16, 300, seed=4).weight, layer.weight)
    assert not np.array_equal(engine.Linear(16, 300, seed=5).weight, layer.weight)
    assert layer.parameter_names() == ["weight", "bias"]
    assert engine.Linear(2, 3, dtype="float32", seed=0).weight.dtype == np.float32


def test_linear_rejects_wrong_shapes():
    layer = engine.Linear(3, 2, seed=0)
    with pytest.raises(ValueError, match="end in 3 features"):
        layer(np.zeros((4, 2)))
    with pytest.raises(RuntimeError, match="forward call first"):
        engine.Linear(3, 2, seed=0).backward(np.zeros((1, 2)))
    layer(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="expected"):
        layer.backward(np.zeros((4, 3)))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses_match_pytorch(reduction):
    data = _load("losses")
    loss, grad = mse_loss(data["mse/x"], data["mse/y"], reduction=reduction)
    np.testing.assert_allclose(loss, data[f"mse/{reduction}/loss"], rtol=1e-14)
    np.testing.assert_allclose(grad, data[f"mse/{reduction}/grad"], rtol=0, atol=1e-14)
    loss, grad = cross_entropy(data["ce/z"], data["ce/t"], reduction=reduction)
    np.testing.assert_allclose(loss, data[f"ce/{reduction}/loss"], rtol=1e-13)
    np.testing.assert_allclose(grad, data[f"ce/{reduction}/grad"], rtol=0, atol=1e-14)
    assert not grad[3].any()  # the ignored row


def test_cross_entropy_takes_the_class_axis_last_and_checks_targets():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 2, 4))
    t = rng.integers(0, 4, size=(3, 2))
    loss, grad = cross_entropy(z, t)
    flat_loss, flat_grad = cross_entropy(z.reshape(6, 4), t.reshape(6))
    assert loss == flat_loss and np.array_equal(grad.reshape(6, 4), flat_grad)
    with pytest.raises(ValueError, match="integers"):
        cross_entropy(z, t.astype(float))
    with pytest.raises(ValueError, match="0..3"):
        cross_entropy(z, t + 4)
    with pytest.raises(ValueError, match="reduction"):
        mse_loss(z, z, reduction="none")
    big, _ = cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))
    assert np.isfinite(big) and big == pytest.approx(1000.0)


def test_losses_keep_float32():
    z = np.ones((2, 3), np.float32)
    for loss, grad in (mse_loss(z, z * 2), cross_entropy(z, np.array([0, 2]))):
        assert loss.dtype == np.float32 and grad.dtype == np.float32


@pytest.mark.parametrize("label", ["two", "inf", "big"])
def test_clip_grad_norm_matches_pytorch(label):
    data = _load("clip")
    grads = {f"w{k}": data[f"grad/{k}"].copy() for k in range(3)}
    grads["input"] = np.full(3, 1e6)  # not a parameter: left out and left alone
    total = engine.clip_grad_norm(grads, float(data[f"{label}/max_norm"]),
                                  norm_type=float(data[f"{label}/norm_type"]))
    assert total == pytest.approx(float(data[f"{label}/total"]), rel=1e-14)
    for k in range(3):
        np.testing.assert_allclose(grads[f"w{k}"], data[f"{label}/clipped/{k}"], rtol=0,
                                   atol=1e-15)
    assert np.all(grads["input"] == 1e6)


def test_clip_grad_norm_spans_a_list_of_dicts():
    a, b = {"weight": np.array([3.0])}, {"bias": np.array([4.0]), "h0": np.array([100.0])}
    assert engine.clip_grad_norm([a, b], 1.0) == pytest.approx(5.0)
    assert a["weight"][0] == pytest.approx(0.6, abs=1e-6)
    assert b["bias"][0] == pytest.approx(0.8, abs=1e-6)


def _engine_step(rnn, head, x, y, loss_name, readout):
    out, _ = rnn(x)
    pred = head(out[-1] if readout == "last" else out)
    if loss_name == "mse":
        loss, d_pred = mse_loss(pred, y)
    else:
        loss, d_pred = cross_entropy(pred, y)
    g_head = head.backward(d_pred)
    if readout == "last":
        d_out = np.zeros_like(out)
        d_out[-1] = g_head["input"]
    else:
        d_out = g_head["input"]
    return float(loss), rnn.backward(d_out), g_head


@pytest.mark.parametrize("name", TRAINING)
def test_twenty_optimizer_steps_match_pytorch(name):
    data = _load(name)
    config = json.loads(str(data["config"]))
    dtype = config["dtype"]
    x, y = data["x"], data["y"]
    D = x.shape[-1]
    rnn_init = {k[len("init/rnn/"):]: v for k, v in data.items() if k.startswith("init/rnn/")}
    head_init = {k[len("init/head/"):]: v for k, v in data.items() if k.startswith("init/head/")}
    H = head_init["weight"].shape[1]
    rnn = getattr(engine, config["layer"])(D, H, dtype=dtype, seed=0).load_state_dict(rnn_init)
    head = engine.Linear(H, head_init["weight"].shape[0], dtype=dtype, seed=0)
    head.load_state_dict(head_init)
    kwargs = config["kwargs"]
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = getattr(engine.optim, config["optimizer"])([rnn, head], **kwargs)
    losses, norms = [], []
    for step in range(len(x)):
        loss, g_rnn, g_head = _engine_step(rnn, head, x[step], y[step], config["loss"],
                                           config["readout"])
        if config["clip"] is not None:
            norms.append(engine.clip_grad_norm([g_rnn, g_head], config["clip"]))
        opt.step([g_rnn, g_head])
        losses.append(loss)
    tol = 1e-10 if dtype == "float64" else 2e-5
    np.testing.assert_allclose(losses, data["losses"], rtol=0, atol=tol)
    np.testing.assert_allclose(norms, data["norms"], rtol=tol)
    for module, part in ((rnn, "rnn"), (head, "head")):
        for pname in module.parameter_names():
            value = getattr(module, pname)
            assert value.dtype == np.dtype(dtype)
            np.testing.assert_allclose(value, data[f"final/{part}/{pname}"], rtol=0, atol=tol,
                                       err_msg=f"{name}: {part}.{pname}")
    moved = max(np.abs(getattr(rnn, p) - rnn_init[p]).max() for p in rnn.parameter_names())
    assert moved > 100 * tol  # the comparison is not trivially passed by standing still


def test_optimizers_check_their_arguments():
    layer = engine.Linear(2, 1, seed=0)
    with pytest.raises(TypeError):
        engine.optim.Adam([np.zeros(3)])
    with pytest.raises(ValueError, match="learning rate"):
        engine.optim.SGD(layer, lr=-1)
    with pytest.raises(ValueError, match="beta"):
        engine.optim.Adam(layer, betas=(1.0, 0.9))
    opt = engine.optim.SGD([layer, engine.Linear(1, 1, seed=0)], lr=0.1)
    with pytest.raises(ValueError, match="one per module"):
        opt.step({"weight": np.zeros((1, 2))})
    with pytest.raises(ValueError, match="shape"):
        engine.optim.SGD(layer, lr=0.1).step({"weight": np.zeros((2, 1))})


def test_a_parameter_without_a_gradient_is_left_alone():
    layer = engine.Linear(2, 1, seed=0)
    bias = layer.bias.copy()
    opt = engine.optim.Adam(layer, lr=0.1)
    opt.step({"weight": np.ones((1, 2)), "input": np.ones(2)})
    assert np.array_equal(layer.bias, bias)
    assert not np.array_equal(layer.weight, engine.Linear(2, 1, seed=0).weight)
