"""Named parameters with PyTorch's names, shapes and state-dict rules.

Every cell and layer derives from :class:`ParamModule`.  Parameters live as
attributes (``cell.weight_ih``); assigning one checks its shape and converts it
to the module's dtype, so drills can set weights by hand.  ``state_dict()``
returns them in PyTorch's order and ``load_state_dict(mapping)`` accepts any
mapping of arrays (a dict, ``numpy.load("model.npz")``...).
"""

from __future__ import annotations

import numpy as np


class StateDictError(ValueError):
    """A state dict did not match: names the missing, unexpected and mis-shaped keys."""

    def __init__(self, owner, missing=(), unexpected=(), mismatched=()):
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.mismatched = list(mismatched)  # (name, expected shape, given shape)
        parts = []
        if self.missing:
            parts.append("missing keys: " + ", ".join(self.missing))
        if self.unexpected:
            parts.append("unexpected keys: " + ", ".join(self.unexpected))
        for name, want, got in self.mismatched:
            parts.append(f"{name} has shape {tuple(got)}, expected {tuple(want)}")
        super().__init__(f"cannot load state dict into {owner}: " + "; ".join(parts))


class ParamModule:
    """Base class: an ordered table ``name -> shape`` of parameters kept as attributes."""

    def _init_params(self, shapes, dtype, init):
        """Create the parameters; ``shapes`` is an ordered dict ``name -> shape``.

        ``init(name, shape)`` returns the initial array for one parameter.
        """
        object.__setattr__(self, "_shapes", dict(shapes))
        object.__setattr__(self, "dtype", dtype)
        for name, shape in self._shapes.items():
            object.__setattr__(self, name, np.ascontiguousarray(init(name, shape), dtype=dtype))

    def __setattr__(self, name, value):
        shapes = self.__dict__.get("_shapes")
        if shapes is not None and name in shapes:
            value = self._checked(name, value)
        object.__setattr__(self, name, value)

    def _checked(self, name, value):
        array = np.array(value, dtype=self.dtype, copy=True)
        want = self._shapes[name]
        if array.shape != tuple(want):
            raise ValueError(f"{name} must have shape {tuple(want)}, got {array.shape}")
        return np.ascontiguousarray(array)

    def parameter_names(self):
        """The parameter names in state-dict order."""
        return list(self._shapes)

    def parameter_shapes(self):
        """``{name: shape}`` in state-dict order."""
        return {name: tuple(shape) for name, shape in self._shapes.items()}

    def state_dict(self):
        """``{name: array}`` in PyTorch's order; the arrays are copies."""
        return {name: getattr(self, name).copy() for name in self._shapes}

    def load_state_dict(self, mapping, strict=True):
        """Load parameters from any mapping of arrays.

        With ``strict`` (the default) every parameter must be present, no other
        key may be, and every shape must match; otherwise :class:`StateDictError`
        lists what is wrong and nothing is changed.  Keys PyTorch stores besides
        parameters are not accepted; export ``named_parameters()`` or drop them.
        """
        keys = list(mapping.keys())
        missing = [name for name in self._shapes if name not in keys]
        unexpected = [key for key in keys if key not in self._shapes]
        mismatched = []
        for name in self._shapes:
            if name in keys:
                shape = np.shape(mapping[name])
                if shape != tuple(self._shapes[name]):
                    mismatched.append((name, self._shapes[name], shape))
        if mismatched or (strict and (missing or unexpected)):
            raise StateDictError(type(self).__name__, missing if strict else (),
                                 unexpected if strict else (), mismatched)
        for name in self._shapes:
            if name in keys:
                setattr(self, name, np.asarray(mapping[name]))
        return self

    def num_parameters(self):
        """The total number of scalar parameters."""
        return int(sum(int(np.prod(shape)) for shape in self._shapes.values()))
