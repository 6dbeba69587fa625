"""Shape kinds: output, h_n (and c_n) of nn.LSTM / nn.GRU for a config and an input.

The answer comes from the engine's shape formulas (``output_shapes``), not from
running a layer; a test checks them against layers run on small inputs.  With
Dn = 2 if bidirectional else 1, L = num_layers and H_out = proj_size or hidden_size:

    input   (T, N, I), or (N, T, I) with batch_first, or unbatched (T, I)
    output  (T, N, Dn·H_out), or (N, T, Dn·H_out) with batch_first, or (T, Dn·H_out)
    h_n     (Dn·L, N, H_out), or (Dn·L, H_out) unbatched   (batch_first never applies)
    c_n     (Dn·L, N, H), or (Dn·L, H) unbatched           (LSTM only)
"""

from __future__ import annotations

from studydeck.engine.shapes import output_shapes

from .. import fmt
from ..common import example_shapes, question, rng_for
from ..errors import ParamError

INPUT_SIZES = (1, 2, 3, 4, 5, 8, 10, 16, 20, 32)
HIDDEN_SIZES = (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32)


def _draw(rng, params: dict, cell: str) -> dict:
    """The config and input of one question; every draw happens, so seeds stay stable."""
    drawn = {
        "input_size": int(rng.choice(INPUT_SIZES)),
        "hidden_size": int(rng.choice(HIDDEN_SIZES)),
        "num_layers": int(rng.integers(1, 4)),
        "bidirectional": bool(rng.integers(2)),
        "batch_first": bool(rng.integers(2)),
        "batch": int(rng.integers(1, 9)),
        "seq_len": int(rng.integers(2, 13)),
        "unbatched": bool(rng.integers(6) == 0),
        "proj": bool(rng.integers(4) == 0),
    }
    drawn.update({k: v for k, v in params.items() if k in drawn})
    if "batch" in params or "batch_first" in params:
        drawn["unbatched"] = False
    H = drawn["hidden_size"]
    proj_draw = int(rng.integers(1, H)) if H > 1 else 0
    drawn["proj_size"] = int(params.get("proj_size", proj_draw if drawn["proj"] else 0)) if cell == "lstm" else 0
    if drawn["proj_size"] >= H:
        raise ParamError(f"proj_size ({drawn['proj_size']}) must be smaller than hidden_size ({H})")
    return drawn


def _shapes(cell: str, seed: int, params: dict):
    cfg = _draw(rng_for(seed), params, cell)
    I, H, L = cfg["input_size"], cfg["hidden_size"], cfg["num_layers"]
    kw = dict(num_layers=L, batch_first=cfg["batch_first"], bidirectional=cfg["bidirectional"])
    if cell == "lstm":
        kw["proj_size"] = cfg["proj_size"]
    T, N = cfg["seq_len"], cfg["batch"]
    if cfg["unbatched"]:
        in_shape = (T, I)
    else:
        in_shape = (N, T, I) if cfg["batch_first"] else (T, N, I)
    tensors = output_shapes(cell, in_shape, H, **kw)
    return cfg, kw, in_shape, tensors


def _solution(cell, cfg, kw, in_shape, tensors) -> list[str]:
    H, L = cfg["hidden_size"], cfg["num_layers"]
    Dn = 2 if kw["bidirectional"] else 1
    P = kw.get("proj_size", 0)
    T = cfg["seq_len"]
    if cfg["unbatched"]:
        read = f"The input {fmt.shape(in_shape)} is unbatched (T, I): T = {T}, no batch dimension."
        if kw["batch_first"]:
            read += " batch_first does not apply to an unbatched input."
    elif kw["batch_first"]:
        read = f"batch_first=True: the input {fmt.shape(in_shape)} is (N, T, I): N = {cfg['batch']}, T = {T}."
    else:
        read = f"batch_first=False: the input {fmt.shape(in_shape)} is (T, N, I): T = {T}, N = {cfg['batch']}."
    lines = [read,
             f"Dn = {Dn} direction{'s' if Dn > 1 else ''}, L = {L} layer{'s' if L > 1 else ''}, "
             f"H_out = {'proj_size = ' + str(P) if P else 'hidden_size = ' + str(H)}."]
    if cfg["unbatched"]:
        form = "(T, Dn·H_out)"
    else:
        form = "(N, T, Dn·H_out)" if kw["batch_first"] else "(T, N, Dn·H_out)"
    lines.append(f"output = {form} = {fmt.shape(tensors[0])}: the top layer's h_t at every step, "
                 f"both directions side by side." if Dn > 1 else
                 f"output = {form} = {fmt.shape(tensors[0])}: the top layer's h_t at every step.")
    nb = "" if cfg["unbatched"] else "N, "
    lines.append(f"h_n = (Dn·L, {nb}H_out) = {fmt.shape(tensors[1])}: the last h of every layer and "
                 f"direction{'' if cfg['unbatched'] else '; batch_first never applies to it'}.")
    if cell == "lstm":
        lines.append(f"c_n = (Dn·L, {nb}H) = {fmt.shape(tensors[2])}: the cell state keeps size H "
                     f"= {H}{' even with proj_size' if P else ''}.")
    return lines


def shapes(cell: str):
    def generate(kind, seed, params):
        cfg, kw, in_shape, tensors = _shapes(cell, seed, params)
        shown = [f"input_size={cfg['input_size']}", f"hidden_size={cfg['hidden_size']}",
                 f"num_layers={kw['num_layers']}", f"batch_first={kw['batch_first']}",
                 f"bidirectional={kw['bidirectional']}"]
        if kw.get("proj_size"):
            shown.append(f"proj_size={kw['proj_size']}")
        name = "nn.LSTM" if cell == "lstm" else "nn.GRU"
        outs = "output, (h_n, c_n)" if cell == "lstm" else "output, h_n"
        labels = ["output", "h_n", "c_n"] if cell == "lstm" else ["output", "h_n"]
        prompt = (f"m = {name}({', '.join(shown)}); x = torch.zeros{fmt.shape(in_shape)}; "
                  f"{outs} = m(x). Give the shapes of {', '.join(labels)} in that order.")
        given = {"input_size": cfg["input_size"], "hidden_size": cfg["hidden_size"],
                 "num_layers": kw["num_layers"], "bias": True, "batch_first": kw["batch_first"],
                 "bidirectional": kw["bidirectional"], "proj_size": kw.get("proj_size", 0),
                 "input_shape": list(in_shape)}
        return question(kind, seed, params, prompt=prompt, given=given, answer=tensors,
                        answer_format="shapes", solution=_solution(cell, cfg, kw, in_shape, tensors),
                        labels=labels,
                        hint=f"{len(labels)} shapes in brackets, e.g. "
                             + example_shapes(tensors, len(labels)))
    return generate


GENERATORS = {"shapes.lstm": shapes("lstm"), "shapes.gru": shapes("gru")}
