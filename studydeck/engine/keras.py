"""Convert Keras LSTM and GRU weights to this engine's (PyTorch's) layout.

Keras stores ``kernel`` (D, k·H), ``recurrent_kernel`` (H, k·H) and ``bias``
with the blocks side by side in columns:

    LSTM  i, f, c, o                 bias (4H,)        -> PyTorch i, f, g, o (same order)
    GRU   z, r, h                    reset_after=True:  bias (2, 3H) = [input; recurrent]
                                     reset_after=False: bias (3H,)
                                     -> PyTorch r, z, n

So weight_ih = kernel^T and weight_hh = recurrent_kernel^T with the GRU's blocks
reordered; Keras' single bias becomes bias_ih and bias_hh is zero (the sums
are what matter, except b_hn of a reset-after GRU, which Keras keeps as the
second row of its bias).  Keras' update rule h = z ⊙ h_prev + (1 − z) ⊙ hh is
PyTorch's; reset_after=False is the reset-before cell of Cho et al. 2014.
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.gru_cell import GRUCell
from studydeck.engine.lstm_cell import LSTMCell
from studydeck.engine.layers import GRU, LSTM


def _blocks(matrix, order, k):
    """Reorder the k column blocks of ``matrix`` (..., k·H) into ``order``."""
    parts = np.split(np.asarray(matrix), k, axis=-1)
    return np.concatenate([parts[j] for j in order], axis=-1)


def keras_state_dict(kind, kernel, recurrent_kernel, bias=None, reset_after=True, suffix="_l0"):
    """The PyTorch-named state dict for Keras weights; ``suffix`` "" gives cell names."""
    kind = kind.lower()
    kernel = np.asarray(kernel, dtype=np.float64)
    recurrent_kernel = np.asarray(recurrent_kernel, dtype=np.float64)
    if kind == "lstm":
        k, order = 4, (0, 1, 2, 3)
    elif kind == "gru":
        k, order = 3, (1, 0, 2)  # Keras z, r, h -> PyTorch r, z, n
    else:
        raise ValueError(f"kind must be 'lstm' or 'gru', got {kind!r}")
    D, kH = kernel.shape
    if kH % k or recurrent_kernel.shape != (kH // k, kH):
        raise ValueError(f"Keras {kind}: kernel {kernel.shape} and recurrent_kernel "
                         f"{recurrent_kernel.shape} do not fit {k} blocks")
    H = kH // k
    state = {"weight_ih" + suffix: _blocks(kernel, order, k).T.copy(),
             "weight_hh" + suffix: _blocks(recurrent_kernel, order, k).T.copy()}
    if bias is not None:
        bias = np.asarray(bias, dtype=np.float64)
        if kind == "gru" and reset_after:
            if bias.shape != (2, kH):
                raise ValueError(f"Keras GRU (reset_after=True): bias must be (2, {kH}), "
                                 f"got {bias.shape}")
            b_ih, b_hh = _blocks(bias[0], order, k), _blocks(bias[1], order, k)
        else:
            if bias.shape != (kH,):
                raise ValueError(f"Keras {kind}: bias must be ({kH},), got {bias.shape}")
            b_ih, b_hh = _blocks(bias, order, k), np.zeros(kH)
        state["bias_ih" + suffix] = b_ih
        state["bias_hh" + suffix] = b_hh
    return state, D, H


def from_keras(kind, kernel, recurrent_kernel, bias=None, *, reset_after=True, cell=False,
               batch_first=True, dtype=None):
    """An ``LSTM``/``GRU`` (or, with ``cell=True``, ``LSTMCell``/``GRUCell``) with Keras weights.

    ``kind``: "lstm" or "gru".  ``bias=None`` means Keras' use_bias=False.
    Keras feeds (N, T, D) batches, so layers default to ``batch_first=True``.
    """
    state, D, H = keras_state_dict(kind, kernel, recurrent_kernel, bias, reset_after,
                                   suffix="" if cell else "_l0")
    has_bias = bias is not None
    if kind.lower() == "lstm":
        module = (LSTMCell(D, H, has_bias, dtype=dtype) if cell
                  else LSTM(D, H, 1, has_bias, batch_first, dtype=dtype))
    else:
        module = (GRUCell(D, H, has_bias, dtype=dtype, reset_after=reset_after) if cell
                  else GRU(D, H, 1, has_bias, batch_first, dtype=dtype, reset_after=reset_after))
    return module.load_state_dict(state)
