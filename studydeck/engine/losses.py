"""Loss functions with their gradients: ``mse_loss`` and ``cross_entropy``.

Each returns ``(loss, grad)``: the loss as a 0-d array of the input's dtype and
dL/dinput shaped like the input, as ``torch.nn.functional`` with
``loss.backward()`` would give.

    mse_loss:       L = mean((x − y)²)                 dL/dx = 2 (x − y) / n
    cross_entropy:  L = mean_j −log softmax(z_j)[t_j]  dL/dz_j = (softmax(z_j) − onehot(t_j)) / m

n counts every element; m counts the rows whose target is not ``ignore_index``.
With ``reduction="sum"`` the division by n (or m) is left out.
"""

from __future__ import annotations

import numpy as np

REDUCTIONS = ("mean", "sum")


def _reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {', '.join(REDUCTIONS)}, got {reduction!r}")


def mse_loss(input, target, reduction="mean"):
    """Mean squared error between ``input`` and ``target`` (same shape); ``(loss, dL/dinput)``."""
    _reduction(reduction)
    x = np.asarray(input)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    y = np.asarray(target, dtype=x.dtype)
    if y.shape != x.shape:
        raise ValueError(f"mse_loss: target shape {y.shape} differs from input shape {x.shape}")
    diff = x - y
    loss = np.sum(diff * diff)
    grad = diff * 2.0
    if reduction == "mean":
        n = diff.size
        loss = loss / n
        grad /= n
    return np.asarray(loss, dtype=x.dtype), grad


def log_softmax(logits, axis=-1):
    """log softmax along ``axis``, computed as z − max − log Σ exp(z − max)."""
    z = np.asarray(logits)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(logits, axis=-1):
    """softmax along ``axis``: exp(z − max) / Σ exp(z − max)."""
    z = np.asarray(logits)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def cross_entropy(logits, target, reduction="mean", ignore_index=-100):
    """Softmax cross-entropy of ``logits`` (..., C) against integer ``target`` (...).

    ``(loss, dL/dlogits)``.  The class axis is the last one (PyTorch puts it
    second for inputs with more than two dimensions); for (N, C) logits and (N,)
    targets this is exactly ``torch.nn.functional.cross_entropy``.  Rows whose
    target equals ``ignore_index`` add nothing and get a zero gradient; the mean
    is over the other rows (nan when there are none, as in PyTorch).
    """
    _reduction(reduction)
    z = np.asarray(logits)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    t = np.asarray(target)
    if t.dtype.kind not in "iu":
        raise ValueError(f"cross_entropy: targets must be integers, got {t.dtype}")
    if z.ndim < 1 or t.shape != z.shape[:-1]:
        raise ValueError(f"cross_entropy: targets of shape {z.shape[:-1]} expected for logits "
                         f"of shape {z.shape}, got {t.shape}")
    C = z.shape[-1]
    keep = t != ignore_index
    if np.any(keep & ((t < 0) | (t >= C))):
        raise ValueError(f"cross_entropy: targets must lie in 0..{C - 1} (or be ignore_index)")
    safe = np.where(keep, t, 0)
    logp = log_softmax(z)
    picked = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    loss = -np.sum(picked, where=keep)
    grad = np.exp(logp)
    np.put_along_axis(grad, safe[..., None],
                      np.take_along_axis(grad, safe[..., None], axis=-1) - 1.0, axis=-1)
    grad *= keep[..., None]
    if reduction == "mean":
        m = int(np.count_nonzero(keep))
        loss = loss / m if m else np.nan
        if m:
            grad /= m
    return np.asarray(loss, dtype=z.dtype), grad
