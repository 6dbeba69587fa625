"""Generate the PyTorch reference fixtures in tests/engine/fixtures/ (needs torch).

    python tests/engine/make_fixtures.py

Each case is one small .npz: the configuration (JSON), the input, the initial
states, the parameters ("param/NAME"), the outputs, the weights of a fixed
loss L = Σ A ⊙ output + Σ B ⊙ h_n (+ Σ C ⊙ c_n) and the gradients autograd
gives ("grad/NAME", "grad/input", "grad/h0", "grad/c0").  counts.npz holds
PyTorch's parameter counts for many configurations.  The tests read these
files and never import torch.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).parent / "fixtures"
T, N, D, H = 4, 2, 3, 4

CASES = {
    "lstm": ("LSTM", {}),
    "lstm_two_layers": ("LSTM", {"num_layers": 2}),
    "lstm_bidirectional": ("LSTM", {"bidirectional": True}),
    "lstm_two_layers_bidirectional": ("LSTM", {"num_layers": 2, "bidirectional": True}),
    "lstm_proj": ("LSTM", {"proj_size": 2}),
    "lstm_proj_bidirectional_two_layers": ("LSTM", {"proj_size": 3, "bidirectional": True,
                                                    "num_layers": 2}),
    "lstm_batch_first": ("LSTM", {"batch_first": True}),
    "lstm_unbatched": ("LSTM", {"num_layers": 2, "unbatched": True}),
    "lstm_no_bias": ("LSTM", {"bias": False, "num_layers": 2}),
    "gru": ("GRU", {}),
    "gru_two_layers": ("GRU", {"num_layers": 2}),
    "gru_bidirectional": ("GRU", {"bidirectional": True}),
    "gru_two_layers_bidirectional": ("GRU", {"num_layers": 2, "bidirectional": True}),
    "gru_batch_first": ("GRU", {"batch_first": True}),
    "gru_unbatched": ("GRU", {"bidirectional": True, "unbatched": True}),
    "gru_no_bias": ("GRU", {"bias": False}),
    "rnn_tanh": ("RNN", {"num_layers": 2}),
    "rnn_relu": ("RNN", {"nonlinearity": "relu", "bidirectional": True}),
    "rnn_no_bias_batch_first": ("RNN", {"bias": False, "batch_first": True}),
    "lstm_cell": ("LSTMCell", {}),
    "gru_cell": ("GRUCell", {}),
    "rnn_cell": ("RNNCell", {}),
    "rnn_cell_relu": ("RNNCell", {"nonlinearity": "relu"}),
}


def make_case(name, cls_name, config, seed):
    torch.manual_seed(seed)
    kwargs = {k: v for k, v in config.items() if k != "unbatched"}
    module = getattr(torch.nn, cls_name)(D, H, **kwargs).double()
    cell = cls_name.endswith("Cell")
    lstm = cls_name.startswith("LSTM")
    unbatched = config.get("unbatched", False)
    if cell:
        x = torch.randn(N, D, dtype=torch.float64)
        states = [torch.randn(N, H, dtype=torch.float64) for _ in range(2 if lstm else 1)]
    else:
        LD = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
        H_out = kwargs.get("proj_size", 0) or H
        shape = (T, D) if unbatched else ((N, T, D) if kwargs.get("batch_first") else (T, N, D))
        x = torch.randn(*shape, dtype=torch.float64)
        lead = (LD,) if unbatched else (LD, N)
        states = [torch.randn(*lead, H_out, dtype=torch.float64)]
        if lstm:
            states.append(torch.randn(*lead, H, dtype=torch.float64))
    x.requires_grad_(True)
    for s in states:
        s.requires_grad_(True)
    hx = tuple(states) if lstm else states[0]
    result = module(x, hx)
    if cell:
        outputs = list(result) if lstm else [result]
    else:
        out, fin = result
        outputs = [out] + (list(fin) if lstm else [fin])
    loss_weights = [torch.randn_like(o) for o in outputs]
    loss = sum((w * o).sum() for w, o in zip(loss_weights, outputs))
    loss.backward()
    data = {"config": np.array(json.dumps({"class": cls_name, **config})), "x": x.detach().numpy()}
    for key, s in zip(("h0", "c0"), states):
        data[key] = s.detach().numpy()
        data["grad/" + key] = s.grad.numpy()
    for k, (o, w) in enumerate(zip(outputs, loss_weights)):
        data[f"out/{k}"] = o.detach().numpy()
        data[f"loss/{k}"] = w.numpy()
    for pname, p in module.named_parameters():
        data["param/" + pname] = p.detach().numpy()
        data["grad/" + pname] = p.grad.numpy()
    data["grad/input"] = x.grad.numpy()
    np.savez_compressed(HERE / f"{name}.npz", **data)


def make_counts():
    rows, counts = [], []
    for kind, D_, H_, L, bias, bidir, proj in itertools.product(
            ("LSTM", "GRU", "RNN"), (1, 7), (3, 16), (1, 3), (True, False), (False, True),
            (0, 2)):
        if proj and kind != "LSTM":
            continue
        kwargs = {"num_layers": L, "bias": bias, "bidirectional": bidir}
        if proj:
            kwargs["proj_size"] = proj
        module = getattr(torch.nn, kind)(D_, H_, **kwargs)
        rows.append([("LSTM", "GRU", "RNN").index(kind), D_, H_, L, bias, bidir, proj])
        counts.append(sum(p.numel() for p in module.parameters()))
    np.savez_compressed(HERE / "counts.npz", configs=np.array(rows), counts=np.array(counts),
                        torch_version=np.array(torch.__version__))


def main():
    HERE.mkdir(exist_ok=True)
    for seed, (name, (cls_name, config)) in enumerate(CASES.items()):
        make_case(name, cls_name, config, seed)
    make_counts()
    total = sum(p.stat().st_size for p in HERE.glob("*.npz"))
    print(f"wrote {len(CASES) + 1} files, {total} bytes, torch {torch.__version__}")


if __name__ == "__main__":
    main()
