"""Parameter counts, as PyTorch counts them (``sum(p.numel() for p in m.parameters())``).

For one direction of layer l, with D_l = input_size (l = 0) or Dn·H_out (l > 0),
H_out = proj_size or H, and G the number of gate blocks (LSTM 4, GRU 3, RNN 1;
LSTM variants without a gate have 3):

    G·H·D_l + G·H·H_out          weight_ih, weight_hh
    + 2·G·H                      bias_ih, bias_hh (bias=True)
    + P·H                        weight_hr (LSTM, proj_size = P > 0)
    + k·H                        k peephole vectors (LSTM variants with peepholes)
    + 9·H²                       weight_fgr (LSTM variant "fgr")

The total is the sum over layers and directions.  Keras keeps one bias per
gate block instead of two, so its count is G·H smaller per direction (GRU with
reset_after=True keeps two, like PyTorch).
"""

from __future__ import annotations

from studydeck.engine.variants import lstm_variant

_GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def count_parameters_for(kind, input_size, hidden_size, num_layers=1, bias=True,
                         bidirectional=False, proj_size=0, variant="standard", peephole=None):
    """The number of parameters of a layer (or, with num_layers=1, of a cell) by arithmetic.

    ``kind`` is "lstm", "gru" or "rnn" (a cell kind such as "lstm_cell" counts
    as one unidirectional layer).
    """
    kind = kind.lower().removesuffix("cell").rstrip("_")
    if kind not in _GATES:
        raise ValueError(f"kind must be one of lstm, gru, rnn; got {kind!r}")
    if proj_size and kind != "lstm":
        raise ValueError("proj_size exists only for LSTM")
    H = hidden_size
    H_out = proj_size or H
    G = _GATES[kind]
    extras = 0
    if kind == "lstm":
        spec = lstm_variant(variant, peephole)
        G = len(spec.blocks)
        extras = len(spec.peepholes) * H + (9 * H * H if spec.fgr else 0) + proj_size * H
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        width = input_size if layer == 0 else directions * H_out
        per_direction = G * H * (width + H_out) + (2 * G * H if bias else 0) + extras
        total += directions * per_direction
    return total


def count_parameters(module):
    """The number of scalar parameters of a cell or layer of this engine."""
    return module.num_parameters()
