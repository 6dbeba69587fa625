"""``Linear``: PyTorch's ``nn.Linear`` in NumPy, forward and backward.

Shapes: x (..., in_features), weight W (out_features, in_features), bias b
(out_features,), output y (..., out_features):

    y = x W^T + b
    dL/dW = Σ dy^T x     dL/db = Σ dy     dL/dx = dy W      (Σ over every leading index)

Initialisation as PyTorch's ``reset_parameters``: ``kaiming_uniform_(a=√5)``
gives W ~ U(−k, k) with k = 1/√in_features, and b ~ U(−k, k) with the same k,
drawn here from a seeded NumPy generator (so the numbers differ from torch's).
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.functional import init_uniform, make_rng, resolve_dtype
from studydeck.engine.grad_mode import NO_BACKWARD, is_grad_enabled
from studydeck.engine.params import ParamModule


class Linear(ParamModule):
    """An affine map with PyTorch's parameter names ``weight`` and ``bias``."""

    def __init__(self, in_features, out_features, bias=True, *, dtype=None, seed=None,
                 rng=None):
        if in_features < 1 or out_features < 1:
            raise ValueError("in_features and out_features must be positive")
        object.__setattr__(self, "in_features", int(in_features))
        object.__setattr__(self, "out_features", int(out_features))
        object.__setattr__(self, "_input", None)
        shapes = {"weight": (self.out_features, self.in_features)}
        if bias:
            shapes["bias"] = (self.out_features,)
        generator = make_rng(seed, rng)
        dtype = resolve_dtype(dtype)
        self._init_params(shapes, dtype, lambda name, shape: init_uniform(
            generator, shape, self.in_features, dtype))

    @property
    def has_bias(self):
        return "bias" in self._shapes

    def __repr__(self):
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.has_bias})")

    def forward(self, x):
        """y = x W^T + b for x (..., in_features); the input is kept for ``backward``
        (not under :func:`~studydeck.engine.grad_mode.no_grad`)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear: input must end in {self.in_features} features, "
                             f"got shape {x.shape}")
        object.__setattr__(self, "_input", x if is_grad_enabled() else NO_BACKWARD)
        y = x @ self.weight.T
        if self.has_bias:
            y += self.bias
        return y

    __call__ = forward

    def backward(self, grad_output):
        """``{"weight", "bias", "input"}`` given dL/dy shaped like the last output."""
        x = self._input
        if x is None:
            raise RuntimeError("Linear.backward needs a forward call first")
        if x is NO_BACKWARD:
            raise RuntimeError(f"Linear.backward: {NO_BACKWARD}")
        dy = np.asarray(grad_output, dtype=self.dtype)
        if dy.shape != x.shape[:-1] + (self.out_features,):
            raise ValueError(f"grad_output has shape {dy.shape}, expected "
                             f"{x.shape[:-1] + (self.out_features,)}")
        dy2 = dy.reshape(-1, self.out_features)
        grads = {"weight": dy2.T @ x.reshape(-1, self.in_features)}
        if self.has_bias:
            grads["bias"] = dy2.sum(axis=0)
        grads["input"] = dy @ self.weight
        return grads
