"""Sequence layers ``LSTM``, ``GRU`` and ``RNN`` with PyTorch's arguments and shapes.

Shapes (L = num_layers, Dn = 2 if bidirectional else 1, H_out = proj_size or H):

    input   (T, N, D), (N, T, D) with batch_first, or unbatched (T, D)
    output  (T, N, Dn·H_out), (N, T, Dn·H_out) with batch_first, or (T, Dn·H_out)
    h_0, h_n  (L·Dn, N, H_out) or unbatched (L·Dn, H_out); batch_first never applies
    c_0, c_n  (L·Dn, N, H) or (L·Dn, H)                                         LSTM only

Layer l > 0 reads the concatenated outputs of layer l − 1 (input size Dn·H_out).
The reverse direction reads the sequence back to front; its outputs are put
back in time order and concatenated after the forward direction's, and its
states are at index l·Dn + 1.
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.functional import init_uniform, make_rng, resolve_dtype
from studydeck.engine.grad_mode import NO_BACKWARD, is_grad_enabled
from studydeck.engine.params import ParamModule
from studydeck.engine.kernels.workspace import Workspace


class RecurrentLayer(ParamModule):
    """Shared machinery; the subclasses give the kernels and the parameter shapes."""

    kind = ""
    n_states = 1  # 2 for LSTM: (h, c)

    def _setup(self, input_size, hidden_size, num_layers, bias, batch_first, dropout,
               bidirectional, dtype, seed, rng):
        if input_size < 1 or hidden_size < 1 or num_layers < 1:
            raise ValueError("input_size, hidden_size and num_layers must be positive")
        if dropout:
            raise ValueError("dropout is not supported: the engine is deterministic "
                             "(use dropout=0)")
        for name, value in (("input_size", int(input_size)), ("hidden_size", int(hidden_size)),
                            ("num_layers", int(num_layers)), ("bias", bool(bias)),
                            ("batch_first", bool(batch_first)), ("dropout", 0.0),
                            ("bidirectional", bool(bidirectional)), ("_caches", None),
                            ("_workspaces", {}),
                            ("hidden_grads", None)):
            object.__setattr__(self, name, value)
        dtype = resolve_dtype(dtype)
        shapes = {}
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                width = input_size if layer == 0 else self.num_directions * self.output_size
                shapes.update(self._shapes_for(width, self.suffix(layer, direction)))
        generator = make_rng(seed, rng)
        self._init_params(shapes, dtype,
                          lambda name, shape: init_uniform(generator, shape, hidden_size, dtype))

    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    @property
    def output_size(self):
        """H_out: the size of h (proj_size for a projected LSTM, else hidden_size)."""
        return self.hidden_size

    @staticmethod
    def suffix(layer, direction):
        """The name suffix of a layer and direction: "_l0", "_l1_reverse"..."""
        return f"_l{layer}" + ("_reverse" if direction else "")

    def direction_params(self, layer, direction):
        """``{local name: array}`` (weight_ih, ...) of one layer and direction."""
        sfx = self.suffix(layer, direction)
        return {name[: -len(sfx)]: getattr(self, name) for name in self._shapes
                if name.endswith(sfx) and not (direction == 0 and name.endswith("_reverse"))}

    def _state_sizes(self):
        return (self.output_size,)

    # ----------------------------------------------------------------- forward
    def _prepare_input(self, x, keep=True):
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: input must be (T, N, {self.input_size}), "
                             f"(N, T, {self.input_size}) with batch_first, or unbatched "
                             f"(T, {self.input_size}); got {x.shape}")
        unbatched = x.ndim == 2
        if unbatched:
            X = x[:, None, :]
        elif self.batch_first:
            X = x.transpose(1, 0, 2)
        else:
            X = x
        if not keep:  # no_grad: nothing is kept, so the caller's array serves as it is
            return np.ascontiguousarray(X), unbatched
        # The backward pass keeps the input: a copy, in memory already mapped by the last call.
        kept = self._workspace("input").get("X", X.shape, self.dtype)
        np.copyto(kept, X)
        return kept, unbatched

    def _workspace(self, key):
        """The :class:`Workspace` kept under ``key``: (layer, direction) for a kernel's."""
        ws = self._workspaces.get(key)
        if ws is None:
            ws = self._workspaces[key] = Workspace()
        return ws

    def _prepare_states(self, hx, N, unbatched):
        LD = self.num_layers * self.num_directions
        sizes = self._state_sizes()
        if hx is None:
            return [np.zeros((LD, N, s), self.dtype) for s in sizes]
        parts = (hx,) if len(sizes) == 1 else tuple(hx)
        if len(parts) != len(sizes):
            raise ValueError(f"{type(self).__name__}: expected {len(sizes)} states, "
                             f"got {len(parts)}")
        states = []
        for part, size, name in zip(parts, sizes, ("h_0", "c_0")):
            part = np.asarray(part, dtype=self.dtype)
            want = (LD, size) if unbatched else (LD, N, size)
            if part.shape != want:
                raise ValueError(f"{type(self).__name__}: {name} must have shape {want}, "
                                 f"got {part.shape}")
            states.append(part.reshape(LD, N, size))
        return states

    def forward(self, x, hx=None):
        """Run the whole sequence; see the module docstring for the shapes.

        Under :func:`~studydeck.engine.grad_mode.no_grad` nothing is kept for ``backward``."""
        keep = is_grad_enabled()
        X, unbatched = self._prepare_input(x, keep)
        T, N, _ = X.shape
        states = self._prepare_states(hx, N, unbatched)
        finals = [np.empty_like(s) for s in states]
        caches = {}
        layer_input = X
        H_out = self.output_size
        for layer in range(self.num_layers):
            last_layer = layer == self.num_layers - 1
            joint = None
            if not keep and self.num_directions == 1:
                # h is written straight into the layer's output: row 0 h_0, row t + 1 step t.
                # (Two directions side by side would make every step's rows strided, which
                # measured slower than joining them afterwards.)
                joint = self._output_array((T + 1, N, H_out), last_layer, ("joined", layer), "rows")
            outs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                ws = self._workspace((layer, direction))
                Xd = layer_input
                if direction and not keep:  # a reversed view: the kernels read it a chunk at a time
                    Xd = layer_input[::-1]
                elif direction:  # kept for backward: the sequence back to front, in reused memory
                    Xd = ws.get("reversed input", layer_input.shape, self.dtype)
                    np.copyto(Xd, layer_input[::-1])
                out, last, cache = self._run(Xd, [s[k] for s in states],
                                             self.direction_params(layer, direction), ws, keep, joint)
                if joint is not None and not np.may_share_memory(out, joint):
                    np.copyto(joint[1:], out)  # a kernel that keeps h in a layout of its own
                for final, value in zip(finals, last):
                    final[k] = value
                caches[(layer, direction)] = cache
                outs.append(out if direction == 0 else out[::-1])
            layer_input = (joint[1:] if joint is not None else
                           self._joined(outs, last_layer=last_layer, key=("joined", layer)))
        object.__setattr__(self, "_caches", (caches, unbatched, X.shape) if keep else NO_BACKWARD)
        output = layer_input
        if unbatched:
            output = output[:, 0]
            finals = [f[:, 0] for f in finals]
        elif self.batch_first:
            output = np.ascontiguousarray(output.transpose(1, 0, 2))
        if self.n_states == 1:
            return output, finals[0]
        return output, tuple(finals)

    __call__ = forward

    def _joined(self, outs, last_layer, key):
        """A layer's output from its directions' outputs (views of their workspaces).

        The last layer's is a new array, the caller's to keep.  A lower layer's
        is only the next layer's input, read before the next call overwrites the
        workspaces: a contiguous view is used as it is, anything else is copied
        into a workspace of its own.
        """
        if len(outs) == 1 and (last_layer or not outs[0].flags.c_contiguous):
            kept = self._output_array(outs[0].shape, last_layer, key)
            np.copyto(kept, outs[0])
            return kept
        if len(outs) == 1:
            return outs[0]
        T, N = outs[0].shape[:2]
        shape = (T, N, sum(o.shape[2] for o in outs))
        return np.concatenate(outs, axis=2, out=self._output_array(shape, last_layer, key))

    def _output_array(self, shape, last_layer, key, name="output"):
        """Memory for a layer's output: a new array for the last layer's (the caller's to
        keep), else the workspace's, which the next call reuses."""
        if last_layer:
            return np.empty(shape, self.dtype)
        return self._workspace(key).get(name, shape, self.dtype)

    # ---------------------------------------------------------------- backward
    def _backward(self, grad_output, grad_finals, record=False):
        if self._caches is None:
            raise RuntimeError(f"{type(self).__name__}.backward needs a forward call first")
        if self._caches is NO_BACKWARD:
            raise RuntimeError(f"{type(self).__name__}.backward: {NO_BACKWARD}")
        caches, unbatched, (T, N, _) = self._caches
        Dn, H_out = self.num_directions, self.output_size
        LD = self.num_layers * Dn
        if grad_output is None:
            d_out = np.zeros((T, N, Dn * H_out), self.dtype)
        else:
            d_out = np.asarray(grad_output, dtype=self.dtype)
            if unbatched:
                d_out = d_out[:, None, :]
            elif self.batch_first:
                d_out = d_out.transpose(1, 0, 2)
            if d_out.shape != (T, N, Dn * H_out):
                raise ValueError(f"grad_output has shape {np.shape(grad_output)}, "
                                 "expected the shape of the output")
        d_finals = []
        for g, size in zip(grad_finals, self._state_sizes()):
            d_finals.append(None if g is None else np.asarray(g, self.dtype).reshape(LD, N, size))
        grads, state_grads, hidden = {}, [np.zeros((LD, N, s), self.dtype)
                                          for s in self._state_sizes()], {}
        for layer in range(self.num_layers - 1, -1, -1):
            d_in = None
            for direction in range(Dn):
                k = layer * Dn + direction
                part = d_out[:, :, direction * H_out:(direction + 1) * H_out]
                if direction:
                    part = part[::-1]
                g = self._back(caches[(layer, direction)], np.ascontiguousarray(part),
                               [None if d is None else d[k] for d in d_finals], record)
                sfx = self.suffix(layer, direction)
                for name in self.direction_params(layer, direction):
                    grads[name + sfx] = g[name]
                for s, key in zip(state_grads, ("h0", "c0")):
                    s[k] = g[key]
                if record:
                    hidden[(layer, direction)] = g["hidden"][::-1] if direction else g["hidden"]
                dx = g["input"][::-1] if direction else g["input"]
                d_in = dx if d_in is None else d_in + dx
            d_out = d_in
        result = {name: grads[name] for name in self._shapes}
        if unbatched:
            result["input"] = d_out[:, 0]
            state_grads = [s[:, 0] for s in state_grads]
        else:
            result["input"] = d_out.transpose(1, 0, 2).copy() if self.batch_first else d_out
        for s, key in zip(state_grads, ("h0", "c0")):
            result[key] = s
        object.__setattr__(self, "hidden_grads", hidden if record else None)
        return result
