"""Elementwise functions, their derivatives and the small array helpers.

All functions take and return NumPy arrays of any shape.

    sigmoid(x)  = 1 / (1 + exp(-x)) = 0.5 * tanh(0.5 x) + 0.5
    sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))          (at most 0.25)
    tanh'(x)    = 1 - tanh(x)**2                          (at most 1)
    relu(x)     = max(x, 0),  relu'(x) = 1 if x > 0 else 0

The sigmoid is computed through tanh: it never overflows for large |x| and
agrees with 1 / (1 + exp(-x)) to about one unit in the last place.
The losses ``mse_loss`` and ``cross_entropy`` live in :mod:`studydeck.engine.losses`.
"""

from __future__ import annotations

import math

import numpy as np

from studydeck.engine.losses import cross_entropy, log_softmax, mse_loss, softmax  # noqa: F401

DTYPES = (np.float64, np.float32)


def sigmoid(x):
    """The logistic function σ(x) = 1 / (1 + e^(-x)), elementwise."""
    x = np.asarray(x)
    return 0.5 * np.tanh(0.5 * x) + 0.5


def tanh(x):
    """tanh(x), elementwise."""
    return np.tanh(x)


def relu(x):
    """max(x, 0), elementwise."""
    return np.maximum(x, 0)


def sigmoid_derivative(x):
    """σ'(x) = σ(x)(1 − σ(x)) at the pre-activation x."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_derivative(x):
    """tanh'(x) = 1 − tanh²(x) at the pre-activation x."""
    t = np.tanh(x)
    return 1.0 - t * t


def resolve_dtype(dtype):
    """The NumPy dtype for ``dtype`` (None means float64); only float64 and float32."""
    resolved = np.dtype(np.float64 if dtype is None else dtype)
    if resolved.type not in DTYPES:
        raise ValueError(f"dtype must be float64 or float32, got {resolved}")
    return resolved


def make_rng(seed=None, rng=None):
    """A ``numpy.random.Generator`` from an explicit ``rng`` or a ``seed``."""
    if rng is not None and seed is not None:
        raise ValueError("give either seed or rng, not both")
    if rng is not None:
        return rng
    return np.random.default_rng(seed)


def init_uniform(rng, shape, hidden_size, dtype):
    """PyTorch's recurrent init: every entry from U(−k, k) with k = 1/sqrt(hidden_size)."""
    k = 1.0 / math.sqrt(hidden_size)
    return rng.uniform(-k, k, size=shape).astype(dtype)
