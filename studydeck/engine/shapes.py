"""Parameter names and shapes, PyTorch's where PyTorch has them.

One direction of one LSTM layer (suffix "" for a cell, "_l0", "_l1_reverse"...):

    weight_ih (G·H, D)   weight_hh (G·H, H_out)   bias_ih (G·H,)   bias_hh (G·H,)
    weight_hr (H_out, H)                      only with proj_size > 0 (H_out = proj_size)
    weight_ci, weight_cf, weight_co (H,)      peepholes, for the gates present
    weight_fgr (3H, 3H)                       full gate recurrence only

GRU: G = 3 (r, z, n); RNN: G = 1; neither has the extras.
"""

from __future__ import annotations


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
