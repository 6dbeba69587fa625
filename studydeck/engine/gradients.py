"""Gradient diagnostics: how dL/dh_t shrinks (or grows) going back in time.

``hidden_gradient_norms(layer, x)`` runs the layer, puts the loss on the last
step's output only,

    L = Σ_n Σ_j w_j · output[T−1, n, j]        (w = 1 unless ``loss_grad`` is given)

and returns ‖dL/dh_t‖₂ for t = 0..T−1 (over the batch and hidden units): the
total gradient reaching the hidden state of step t, which in an RNN is a
product of T−1−t Jacobians diag(1 − h²) W_hh and shrinks geometrically, while
an LSTM's cell path multiplies by the forget gates instead.
"""

from __future__ import annotations

import numpy as np


def hidden_gradient_norms(layer, x, hx=None, *, layer_index=None, direction=0, loss_grad=None):
    """‖dL/dh_t‖ for every t, shape (T,); see the module docstring.

    ``layer`` is an LSTM, GRU or RNN of this engine; ``layer_index`` picks
    which stacked layer's hidden states (default: the top one).  For a
    bidirectional layer the loss is on the last time step of both halves.
    """
    output, _ = layer(x, hx)
    grad = np.zeros_like(output)
    if output.ndim == 2:  # unbatched (T, Dn·H)
        last = grad[-1]
    elif layer.batch_first:
        last = grad[:, -1]
    else:
        last = grad[-1]
    last[...] = 1.0 if loss_grad is None else np.asarray(loss_grad, dtype=output.dtype)
    layer._backward(grad, (None,) * layer.n_states, record=True)
    index = layer.num_layers - 1 if layer_index is None else layer_index
    hidden = layer.hidden_grads[(index, direction)]  # (T, N, H_out)
    return np.sqrt((hidden * hidden).sum(axis=(1, 2)))
