"""Reusable scratch arrays for the sequence kernels.

A fresh multi-megabyte array costs a page fault per 4 KiB the first time it is
written, which on a virtual machine can take as long as the arithmetic.  A
layer keeps one :class:`Workspace` per layer and direction, so repeated calls
of the same shape write into memory that is already mapped.  The arrays of
the latest forward pass are the backward pass's cache; a new forward call
overwrites them, which is why ``backward`` always refers to the latest call.
Nothing returned to the caller lives in a workspace.
"""

from __future__ import annotations

import numpy as np


class Workspace:
    """``get(name, shape, dtype)``: the array kept under ``name``, reallocated on a new shape."""

    def __init__(self):
        self._arrays = {}

    def get(self, name, shape, dtype):
        array = self._arrays.get(name)
        if array is None or array.shape != tuple(shape) or array.dtype != dtype:
            array = np.empty(shape, dtype)
            self._arrays[name] = array
        return array

    def clear(self):
        """Drop every array (frees the memory)."""
        self._arrays.clear()
