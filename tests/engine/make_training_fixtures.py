"""Generate the PyTorch training fixtures in tests/engine/fixtures/training/ (needs torch).

    python tests/engine/make_training_fixtures.py

- linear.npz, linear_no_bias.npz: ``nn.Linear`` forward and backward.
- losses.npz: ``F.mse_loss`` and ``F.cross_entropy`` values and input gradients.
- clip.npz: ``clip_grad_norm_`` with the 2-norm and the inf-norm.
- train_*.npz: a recurrent layer + ``nn.Linear`` trained for 20 steps on fixed
  batches; the initial and final parameters, every step's loss.

The tests read these files and never import torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).parent / "fixtures" / "training"
STEPS = 20

# name: (layer, optimizer, optimizer kwargs, loss, readout, clip, dtype)
TRAINING = {
    "train_lstm_adam": ("LSTM", "Adam", {"lr": 0.02}, "mse", "last", None, "float64"),
    "train_lstm_adam_clip_float32": ("LSTM", "Adam", {"lr": 0.02}, "mse", "last", 0.3,
                                     "float32"),
    "train_gru_adam_clip_ce": ("GRU", "Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
                               "cross_entropy", "every", 0.5, "float64"),
    "train_rnn_sgd_momentum": ("RNN", "SGD", {"lr": 0.1, "momentum": 0.9}, "mse", "every", 1.0,
                               "float64"),
    "train_lstm_sgd": ("LSTM", "SGD", {"lr": 0.5}, "cross_entropy", "last", None, "float64"),
}
T, N, D, H = 7, 4, 3, 6


def _np(t):
    return t.detach().numpy().copy()


def make_linear(name, bias, seed):
    torch.manual_seed(seed)
    layer = torch.nn.Linear(5, 3, bias=bias).double()
    x = torch.randn(4, 2, 5, dtype=torch.float64, requires_grad=True)
    y = layer(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    data = {"x": _np(x), "y": _np(y), "dy": _np(dy), "grad/input": _np(x.grad)}
    for pname, p in layer.named_parameters():
        data["param/" + pname] = _np(p)
        data["grad/" + pname] = _np(p.grad)
    np.savez_compressed(HERE / f"{name}.npz", **data)


def make_losses(seed):
    torch.manual_seed(seed)
    data = {}
    x = torch.randn(5, 3, dtype=torch.float64)
    y = torch.randn(5, 3, dtype=torch.float64)
    for reduction in ("mean", "sum"):
        xi = x.clone().requires_grad_(True)
        loss = F.mse_loss(xi, y, reduction=reduction)
        loss.backward()
        data[f"mse/{reduction}/loss"], data[f"mse/{reduction}/grad"] = _np(loss), _np(xi.grad)
    data["mse/x"], data["mse/y"] = _np(x), _np(y)
    z = torch.randn(6, 4, dtype=torch.float64) * 3
    t = torch.tensor([0, 3, 1, -100, 2, 3])
    for reduction in ("mean", "sum"):
        zi = z.clone().requires_grad_(True)
        loss = F.cross_entropy(zi, t, reduction=reduction)
        loss.backward()
        data[f"ce/{reduction}/loss"], data[f"ce/{reduction}/grad"] = _np(loss), _np(zi.grad)
    data["ce/z"], data["ce/t"] = _np(z), t.numpy()
    np.savez_compressed(HERE / "losses.npz", **data)


def make_clip(seed):
    torch.manual_seed(seed)
    data = {}
    shapes = [(4, 3), (4,), (2, 2, 2)]
    grads = [torch.randn(*s, dtype=torch.float64) for s in shapes]
    for k, g in enumerate(grads):
        data[f"grad/{k}"] = g.numpy().copy()
    for label, max_norm, norm_type in (("two", 1.5, 2.0), ("inf", 0.5, float("inf")),
                                       ("big", 100.0, 2.0)):
        params = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        data[f"{label}/total"] = _np(total)
        data[f"{label}/max_norm"] = np.array(max_norm)
        data[f"{label}/norm_type"] = np.array(norm_type)
        for k, p in enumerate(params):
            data[f"{label}/clipped/{k}"] = _np(p.grad)
    np.savez_compressed(HERE / "clip.npz", **data)


def make_training(name, layer_name, opt_name, opt_kwargs, loss_name, readout, clip, dtype,
                  seed):
    torch.manual_seed(seed)
    tdtype = getattr(torch, dtype)
    C = 3 if loss_name == "cross_entropy" else 2
    rnn = getattr(torch.nn, layer_name)(D, H).to(tdtype)
    head = torch.nn.Linear(H, C).to(tdtype)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = getattr(torch.optim, opt_name)(params, **opt_kwargs)
    xs = torch.randn(STEPS, T, N, D, dtype=tdtype)
    if loss_name == "mse":
        shape = (STEPS, N, C) if readout == "last" else (STEPS, T, N, C)
        ys = torch.randn(*shape, dtype=tdtype)
    else:
        shape = (STEPS, N) if readout == "last" else (STEPS, T, N)
        ys = torch.randint(0, C, shape)
        if readout == "every":
            ys[:, -2:, 0] = -100  # a padded tail: ignored steps
    data = {"config": np.array(json.dumps({
        "layer": layer_name, "optimizer": opt_name, "kwargs": opt_kwargs, "loss": loss_name,
        "readout": readout, "clip": clip, "dtype": dtype}))}
    for pname, p in rnn.named_parameters():
        data["init/rnn/" + pname] = _np(p)
    for pname, p in head.named_parameters():
        data["init/head/" + pname] = _np(p)
    losses, norms = [], []
    for step in range(STEPS):
        opt.zero_grad()
        out, _ = rnn(xs[step])
        pred = head(out[-1] if readout == "last" else out)
        if loss_name == "mse":
            loss = F.mse_loss(pred, ys[step])
        else:
            loss = F.cross_entropy(pred.reshape(-1, C), ys[step].reshape(-1))
        loss.backward()
        if clip is not None:
            norms.append(float(torch.nn.utils.clip_grad_norm_(params, clip)))
        opt.step()
        losses.append(float(loss.detach()))
    data["x"], data["y"] = xs.numpy(), ys.numpy()
    data["losses"] = np.array(losses)
    data["norms"] = np.array(norms)
    for pname, p in rnn.named_parameters():
        data["final/rnn/" + pname] = _np(p)
    for pname, p in head.named_parameters():
        data["final/head/" + pname] = _np(p)
    np.savez_compressed(HERE / f"{name}.npz", **data)


def main():
    HERE.mkdir(parents=True, exist_ok=True)
    make_linear("linear", True, 0)
    make_linear("linear_no_bias", False, 1)
    make_losses(2)
    make_clip(3)
    for seed, (name, spec) in enumerate(TRAINING.items(), start=10):
        make_training(name, *spec, seed)
    total = sum(p.stat().st_size for p in HERE.glob("*.npz"))
    print(f"wrote {len(TRAINING) + 4} files, {total} bytes, torch {torch.__version__}")


if __name__ == "__main__":
    main()
