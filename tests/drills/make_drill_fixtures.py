"""Generate PyTorch's answers to the Greff, backprop and gradient-flow drills (needs torch).

    PYTHONPATH=. python tests/drills/make_drill_fixtures.py

For each case (kind, seed, params) the question is generated, and PyTorch
computes its answer from the question's given values alone:

- NP is torch.nn.LSTMCell itself; the other Greff variants are their equations
  written with torch operations (PyTorch has no such cells);
- the backprop kinds load torch.nn.LSTMCell / GRUCell / LSTM with weights that
  reproduce the given gates and take autograd's gradients;
- the gradient-flow kinds use nn.LSTM, nn.RNN and nn.utils.clip_grad_norm_.

fixtures/drill_answers.npz holds "meta" (JSON, one entry per case: kind,
seed, params and the SHA-256 of the given values, so a changed generator shows
up as such), "answers" (every flattened answer, one after the other) and
"offsets" (where case n's answer starts and ends).  The test reads it and
never imports torch.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import torch

from studydeck.drills import generate

try:
    from .fixture_hash import given_hash
except ImportError:  # run as a script
    from fixture_hash import given_hash

OUT = Path(__file__).parent / "fixtures" / "drill_answers.npz"
torch.set_default_dtype(torch.float64)

SEEDS = range(12)
GREFF = ("nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr")
CASES = (
    [(f"greff.{v}", s, {}) for v in GREFF for s in SEEDS]
    + [(f"greff.{v}", s, {"baseline": b, "hidden_size": 2, "input_size": 3})
       for v in GREFF if v != "np" for s in range(3) for b in ("vanilla", "pytorch")]
    + [("greff.np", s, {"hidden_size": 3, "input_size": 3}) for s in range(3)]
    + [(k, s, {}) for k in ("backprop.lstm_cell_state", "backprop.lstm_hidden_state",
                            "backprop.lstm_gate", "backprop.lstm_weight", "backprop.lstm_two_steps",
                            "backprop.gru_hidden_state", "backprop.gru_gate", "backprop.gru_weight",
                            "grad.forget_gate_extremes", "grad.exploding_vanishing",
                            "grad.clip_norm") for s in SEEDS]
    + [("backprop.lstm_gate", s, {"gate": q, "hidden_size": 3}) for s in range(2) for q in "ifgo"]
    + [("backprop.lstm_weight", s, {"weight": w}) for s in range(3)
       for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    + [("backprop.gru_gate", s, {"gate": q, "hidden_size": 3}) for s in range(2) for q in "rzn"]
    + [("backprop.gru_weight", s, {"weight": w, "gate": q}) for s in range(2)
       for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh") for q in "rzn"]
    + [("backprop.lstm_two_steps", s, {"hidden_size": 2, "input_size": 2}) for s in range(4)]
    + [("grad.exploding_vanishing", s, {"nonlinearity": n}) for s in range(4) for n in ("relu", "tanh")]
    + [("grad.clip_norm", s, {"max_norm": m}) for s in range(3) for m in (0.1, 10.0)]
)


def T(value):
    return torch.tensor(np.asarray(value, dtype=float))


def greff(g, variant):
    """One step of the variant from the paper's equations, in torch operations."""
    x, h, c = T(g["x"]), T(g["h0"]), T(g["c0"])
    H = h.shape[0]
    if variant == "np":
        cell = torch.nn.LSTMCell(x.shape[0], H)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(T(g[name]))
        h1, c1 = cell(x[None], (h[None], c[None]))
        return torch.cat([h1[0], c1[0]])
    a = T(g["weight_ih"]) @ x + T(g["weight_hh"]) @ h + T(g["bias_ih"]) + T(g["bias_hh"])
    pre = {q: a[k * H:(k + 1) * H] for k, q in enumerate(g["gate_order"])}
    if variant == "fgr":
        rec = T(g["weight_fgr"]) @ torch.cat([T(g["i_prev"]), T(g["f_prev"]), T(g["o_prev"])])
        for k, q in enumerate("ifo"):
            pre[q] = pre[q] + rec[k * H:(k + 1) * H]
    for q in "if":
        if "w_c" + q in g:
            pre[q] = pre[q] + T(g["w_c" + q]) * c
    one = torch.ones(H)
    i = torch.sigmoid(pre["i"]) if variant != "nig" else one
    f = {"nfg": one, "cifg": 1 - i}.get(variant, torch.sigmoid(pre["f"]) if "f" in pre else None)
    gg = pre["g"] if variant == "niaf" else torch.tanh(pre["g"])
    c1 = f * c + i * gg
    o = one if variant == "nog" else torch.sigmoid(pre["o"] + (T(g["w_co"]) * c1 if "w_co" in g else 0))
    h1 = o * (c1 if variant == "noaf" else torch.tanh(c1))
    return torch.cat([h1, c1])


def _logit(p):
    return torch.log(p) - torch.log1p(-p)


def _entry(prompt, grads):
    name, row, col = re.search(r"dL/d(weight_ih|weight_hh|bias_ih|bias_hh)\[(\d+)(?:, (\d+))?\]",
                               prompt).groups()
    value = grads[name][int(row)] if col is None else grads[name][int(row), int(col)]
    return value.reshape(1)


def lstm_backprop(q):
    g = q.given
    x, h0, c0 = T(g["x"]), T(g["h0"]), T(g["c0"])
    D, H = x.shape[0], h0.shape[0]
    W_hh = T(g["weight_hh"]) if "weight_hh" in g else torch.zeros(4 * H, H)
    target = torch.cat([_logit(T(g["i"])), _logit(T(g["f"])), torch.atanh(T(g["g"])), _logit(T(g["o"]))])
    cell = torch.nn.LSTMCell(D, H)
    with torch.no_grad():
        cell.weight_ih.zero_()
        cell.weight_hh.copy_(W_hh)
        cell.bias_ih.copy_(target - W_hh @ h0)
        cell.bias_hh.zero_()
    h0 = h0.clone().requires_grad_(True)
    c0 = c0.clone().requires_grad_(True)
    h1, c1 = cell(x[None], (h0[None], c0[None]))
    assert torch.allclose(c1[0], T(g["c_1"]), atol=1e-12)
    loss = (T(g["dL/dh_1"]) * h1[0]).sum() + (T(g["dL/dc_1"]) * c1[0]).sum()
    loss.backward()
    grads = {n: getattr(cell, n).grad for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    if q.kind.endswith("cell_state"):
        return c0.grad
    if q.kind.endswith("hidden_state"):
        return h0.grad
    if q.kind.endswith("gate"):
        k = "ifgo".index(re.search(r"Compute dL/da_(\w)", q.prompt).group(1))
        return grads["bias_ih"][k * H:(k + 1) * H]
    return _entry(q.prompt, grads)


def gru_backprop(q):
    g = q.given
    x, h0 = T(g["x"]), T(g["h0"])
    D, H = x.shape[0], h0.shape[0]
    W_hh, b_hh = T(g["weight_hh"]), T(g["bias_hh"])
    hw = W_hh @ h0 + b_hh
    r = T(g["r"])
    b_ih = torch.cat([_logit(r) - hw[:H], _logit(T(g["z"])) - hw[H:2 * H],
                      torch.atanh(T(g["n"])) - r * hw[2 * H:]])
    cell = torch.nn.GRUCell(D, H)
    with torch.no_grad():
        cell.weight_ih.zero_()
        cell.weight_hh.copy_(W_hh)
        cell.bias_ih.copy_(b_ih)
        cell.bias_hh.copy_(b_hh)
    h0 = h0.clone().requires_grad_(True)
    h1 = cell(x[None], h0[None])
    (T(g["dL/dh_1"]) * h1[0]).sum().backward()
    grads = {n: getattr(cell, n).grad for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    if q.kind.endswith("hidden_state"):
        return h0.grad
    if q.kind.endswith("gate"):
        k = "rzn".index(re.search(r"Compute dL/da_(\w)", q.prompt).group(1))
        return grads["bias_ih"][k * H:(k + 1) * H]
    return _entry(q.prompt, grads)


def lstm_two_steps(q):
    g = q.given
    xs, h0, c0 = T(g["x"]), T(g["h0"]), T(g["c0"])
    lstm = torch.nn.LSTM(xs.shape[1], h0.shape[0])
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(lstm, name).copy_(T(g[name]))
    h0 = h0[None].clone().requires_grad_(True)
    c0 = c0[None].clone().requires_grad_(True)
    out, _ = lstm(xs, (h0, c0))
    (T(g["dL/dh_2"]) * out[-1]).sum().backward()
    return torch.cat([h0.grad[0], c0.grad[0]])


def cell_path(f, k):
    lstm = torch.nn.LSTM(1, 1)
    with torch.no_grad():
        for p in lstm.parameters():
            p.zero_()
        lstm.weight_ih_l0[1, 0] = 1.0
    c0 = torch.full((1, 1), 0.5, requires_grad=True)
    x = torch.full((k, 1), float(np.log(f) - np.log1p(-f)))
    _, (_, c_n) = lstm(x, (torch.zeros(1, 1), c0))
    c_n.sum().backward()
    return c0.grad.reshape(())


def rnn_product(g):
    rnn = torch.nn.RNN(1, 1, nonlinearity=g["nonlinearity"], bias=False)
    with torch.no_grad():
        rnn.weight_ih_l0.fill_(g["u"])
        rnn.weight_hh_l0.fill_(g["w"])
    h0 = torch.full((1, 1), g["h0"], requires_grad=True)
    out, _ = rnn(T(g["x"]).reshape(-1, 1), h0)
    out[-1].sum().backward()
    return h0.grad.reshape(1)


def clip(g):
    params = [torch.nn.Parameter(T(g["weight.grad"]).clone()), torch.nn.Parameter(T(g["bias.grad"]).clone())]
    for p, key in zip(params, ("weight.grad", "bias.grad")):
        p.grad = T(g[key]).clone()
    torch.nn.utils.clip_grad_norm_(params, max_norm=g["max_norm"])
    return torch.cat([p.grad for p in params])


def torch_answer(q):
    g = q.given
    if q.kind.startswith("greff."):
        return greff(g, q.kind.split(".")[1])
    if q.kind == "backprop.lstm_two_steps":
        return lstm_two_steps(q)
    if q.kind.startswith("backprop.lstm_"):
        return lstm_backprop(q)
    if q.kind.startswith("backprop.gru_"):
        return gru_backprop(q)
    if q.kind == "grad.forget_gate_extremes":
        return (cell_path(g["f_A"], g["k"]) / cell_path(g["f_B"], g["k"])).reshape(1)
    if q.kind == "grad.exploding_vanishing":
        return rnn_product(g)
    if q.kind == "grad.clip_norm":
        return clip(g)
    raise KeyError(q.kind)


def main():
    metas, answers, offsets = [], [], [0]
    for kind, seed, params in CASES:
        q = generate(kind, seed, params)
        answer = torch_answer(q).detach().numpy().astype(np.float64).reshape(-1)
        metas.append({"kind": kind, "seed": seed, "params": params, "given_sha256": given_hash(q.given)})
        answers.append(answer)
        offsets.append(offsets[-1] + len(answer))
    OUT.parent.mkdir(exist_ok=True)
    np.savez_compressed(OUT, meta=np.array(json.dumps(metas)), answers=np.concatenate(answers),
                        offsets=np.array(offsets))
    print(f"wrote {len(CASES)} cases to {OUT} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
