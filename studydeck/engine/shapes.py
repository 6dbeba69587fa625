"""Parameter names and shapes, PyTorch's where PyTorch has them.

One direction of one LSTM layer (suffix "" for a cell, "_l0", "_l1_reverse"...):

    weight_ih (G·H, D)   weight_hh (G·H, H_out)   bias_ih (G·H,)   bias_hh (G·H,)
    weight_hr (H_out, H)                      only with proj_size > 0 (H_out = proj_size)
    weight_ci, weight_cf, weight_co (H,)      peepholes, for the gates present
    weight_fgr (3H, 3H)                       full gate recurrence only

GRU: G = 3 (r, z, n); RNN: G = 1; neither has the extras.
"""

from __future__ import annotations

from studydeck.engine.variants import lstm_variant


def lstm_shapes(spec, input_size, hidden_size, bias=True, proj_size=0, suffix=""):
    """``{name: shape}`` for one direction of one LSTM layer in state-dict order."""
    G, H = len(spec.blocks), hidden_size
    H_out = proj_size or H
    shapes = {"weight_ih" + suffix: (G * H, input_size), "weight_hh" + suffix: (G * H, H_out)}
    if bias:
        shapes["bias_ih" + suffix] = (G * H,)
        shapes["bias_hh" + suffix] = (G * H,)
    if proj_size:
        shapes["weight_hr" + suffix] = (proj_size, H)
    for p in spec.peepholes:
        shapes["weight_" + p + suffix] = (H,)
    if spec.fgr:
        shapes["weight_fgr" + suffix] = (3 * H, 3 * H)
    return shapes


def gated_shapes(gates, input_size, hidden_size, bias=True, suffix=""):
    """``{name: shape}`` for a GRU (gates=3) or an RNN (gates=1) direction."""
    GH = gates * hidden_size
    shapes = {"weight_ih" + suffix: (GH, input_size), "weight_hh" + suffix: (GH, hidden_size)}
    if bias:
        shapes["bias_ih" + suffix] = (GH,)
        shapes["bias_hh" + suffix] = (GH,)
    return shapes


_GATES = {"gru": 3, "rnn": 1}


def layer_shapes(kind, input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
                 proj_size=0, variant="standard", peephole=None):
    """``{name: shape}`` of a whole ``LSTM``/``GRU``/``RNN`` layer, from the formulas alone.

    The same table the layer builds (in state-dict order), without allocating
    a weight: layer l > 0 reads Dn·H_out features (Dn = 2 if bidirectional).
    """
    kind = kind.lower()
    directions = 2 if bidirectional else 1
    spec = lstm_variant(variant, peephole) if kind == "lstm" else None
    H_out = proj_size or hidden_size
    shapes = {}
    for layer in range(num_layers):
        width = input_size if layer == 0 else directions * H_out
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            if spec is not None:
                shapes.update(lstm_shapes(spec, width, hidden_size, bias, proj_size, suffix))
            else:
                shapes.update(gated_shapes(_GATES[kind], width, hidden_size, bias, suffix))
    return shapes


def output_shapes(kind, input_shape, hidden_size, num_layers=1, batch_first=False,
                  bidirectional=False, proj_size=0):
    """Shapes of ``output, h_n`` (and ``c_n`` for an LSTM) for an input of ``input_shape``.

        output  (T, N, Dn·H_out), (N, T, Dn·H_out) with batch_first, or unbatched (T, Dn·H_out)
        h_n     (Dn·L, N, H_out) or unbatched (Dn·L, H_out)      batch_first never applies
        c_n     (Dn·L, N, H) or unbatched (Dn·L, H)              LSTM only
    """
    directions = 2 if bidirectional else 1
    H_out = proj_size or hidden_size
    LD = directions * num_layers
    if len(input_shape) == 2:
        T = input_shape[0]
        out = [(T, directions * H_out), (LD, H_out), (LD, hidden_size)]
    else:
        N, T = (input_shape[0], input_shape[1]) if batch_first else (input_shape[1], input_shape[0])
        first = (N, T, directions * H_out) if batch_first else (T, N, directions * H_out)
        out = [first, (LD, N, H_out), (LD, N, hidden_size)]
    return out if kind.lower() == "lstm" else out[:2]
