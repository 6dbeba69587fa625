"""What the three cells share: construction, input checks, unbatched handling."""

from __future__ import annotations

import numpy as np

from studydeck.engine.functional import init_uniform, make_rng, resolve_dtype
from studydeck.engine.params import ParamModule


class CellBase(ParamModule):
    """A single step: ``x`` (N, D) or unbatched (D,), states (N, H) or (H,)."""

    def _setup(self, input_size, hidden_size, bias, dtype, seed, rng, shapes):
        if input_size < 1 or hidden_size < 1:
            raise ValueError("input_size and hidden_size must be positive")
        object.__setattr__(self, "input_size", int(input_size))
        object.__setattr__(self, "hidden_size", int(hidden_size))
        object.__setattr__(self, "bias", bool(bias))
        object.__setattr__(self, "_cache", None)
        dtype = resolve_dtype(dtype)
        generator = make_rng(seed, rng)
        self._init_params(shapes, dtype,
                          lambda name, shape: init_uniform(generator, shape, hidden_size, dtype))

    def _params(self):
        return {name: getattr(self, name) for name in self._shapes}

    def _input(self, x):
        """``x`` as (1, N, D) and whether it was unbatched."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: input must be (N, {self.input_size}) "
                             f"or ({self.input_size},), got {x.shape}")
        unbatched = x.ndim == 1
        x2 = x[None] if unbatched else x
        return x2[None], unbatched

    def _state(self, s, N, size, unbatched, what):
        if s is None:
            return np.zeros((N, size), self.dtype)
        s = np.asarray(s, dtype=self.dtype)
        want = (size,) if unbatched else (N, size)
        if s.shape != want:
            raise ValueError(f"{type(self).__name__}: {what} must have shape {want}, got {s.shape}")
        return s.reshape(N, size)

    def _require_cache(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward needs a forward call first")
        return self._cache

    def _grad(self, g, shape, unbatched):
        if g is None:
            return None
        g = np.asarray(g, dtype=self.dtype)
        return g.reshape(shape)

    def _finish(self, grads, unbatched, rename):
        out = {}
        for key, value in grads.items():
            name = rename.get(key, key)
            if unbatched and key in ("input", "h0", "c0", "q0"):
                value = value.reshape(value.shape[-1])
            elif key == "input":
                value = value[0]
            out[name] = value
        return out
