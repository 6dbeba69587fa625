"""Reusable scratch arrays for the sequence kernels, and their input read a chunk of steps at a time.

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
        self._memo = {}

    def get(self, name, shape, dtype):
        array = self._arrays.get(name)
        if array is None or array.shape != tuple(shape) or array.dtype != dtype:
            array = np.empty(shape, dtype)
            self._arrays[name] = array
        return array

    def steps(self, name, keep, total, few, shape, dtype):
        """A buffer of per-step arrays of ``shape``: ``total`` steps when every step is kept
        for the backward pass (``keep``), else ``few`` steps used in turn (under no_grad).
        The two live under different names, so a layer that alternates training and
        evaluation reallocates neither."""
        if keep or few >= total:
            return self.get(name, (total, *shape), dtype)
        return self.get(f"{name}, no_grad", (few, *shape), dtype)

    def memo(self, name, arrays, build):
        """``build()`` (e.g. lists of per-step views), kept while ``arrays`` are the same objects.

        A kernel that slices the same workspace arrays into the same views at
        every call builds them once; a reallocated array rebuilds them.
        """
        entry = self._memo.get(name)
        if entry is None or len(entry[0]) != len(arrays) or any(
                a is not b for a, b in zip(entry[0], arrays)):
            entry = (tuple(arrays), build())
            self._memo[name] = entry
        return entry[1]

    def clear(self):
        """Drop every array (frees the memory)."""
        self._arrays.clear()
        self._memo.clear()


def step_rows(X, t0, t1):
    """Steps t0..t1−1 of a (T, N, D) input as (steps·N, D) rows for one matmul: a view, or
    a copy of those steps alone when X is a view that is not contiguous (under no_grad
    the reverse direction reads the sequence through a reversed view)."""
    part = X[t0:t1]
    return (part if part.flags.c_contiguous else np.ascontiguousarray(part)).reshape(-1, X.shape[2])
